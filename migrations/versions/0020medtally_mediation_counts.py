"""counts kept for the mediators' dashboard (issue 12)

The mediators' dashboard read every mediation and term of the office (or the
province) on each request. It now reads counts that the app keeps in the same
transaction as the mediations, agreements and terms counted
(casesys.core.tallies, casesys.mediation.counts): per office and mediation
status, and the open terms per office and due date. This migration makes
them and fills them from the rows as they are (the app's recount).

Revision ID: 0020medtally
Revises: 0019tally
"""
from alembic import op
import sqlalchemy as sa


revision = "0020medtally"
down_revision = "0019tally"
branch_labels = None
depends_on = None

MEDIATION_STATUSES = ("consent_pending", "mediating", "agreed", "partial", "failed")


def _epoch_days(column: str) -> str:
    """Whole days from 1970-01-01, as the app counts them (core.database.epoch_days)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / 86400)"


def upgrade():
    op.create_table(
        "mediation_counts",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*MEDIATION_STATUSES, name="mediation_status", native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column("mediations", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Integer(), nullable=False),
        sa.Column("ended_days", sa.BigInteger(), nullable=False),
        sa.Column("open_terms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_mediation_counts_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "status", name=op.f("pk_mediation_counts")),
    )
    op.create_table(
        "mediation_term_days",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("open_terms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_mediation_term_days_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "due_on", name=op.f("pk_mediation_term_days")),
    )
    op.create_index("ix_mediation_term_days_due_on", "mediation_term_days", ["due_on"])
    # A mediation's terms are counted whenever it changes: found by agreement, not by a scan of all terms.
    op.create_index("ix_mediation_terms_agreement_id", "mediation_terms", ["agreement_id"])
    open_term = "t.done_on IS NULL AND a.effective_on IS NOT NULL"
    terms = ("mediation_terms t JOIN mediation_agreements a ON a.id = t.agreement_id"
             " JOIN mediations m ON m.id = a.mediation_id JOIN cases c ON c.id = m.case_id")
    op.execute(f"""
        INSERT INTO mediation_counts (office_id, status, mediations, ended, ended_days, open_terms)
        SELECT office_id, status, SUM(mediations), SUM(ended), SUM(ended_days), SUM(open_terms) FROM (
            SELECT c.office_id, m.status, 1 AS mediations,
                   CASE WHEN m.ended_on IS NOT NULL THEN 1 ELSE 0 END AS ended,
                   CASE WHEN m.ended_on IS NOT NULL
                        THEN {_epoch_days('m.ended_on')} - {_epoch_days('m.requested_on')} ELSE 0 END AS ended_days,
                   0 AS open_terms
            FROM mediations m JOIN cases c ON c.id = m.case_id
            UNION ALL
            SELECT c.office_id, m.status, 0, 0, 0, 1 FROM {terms} WHERE {open_term}
        ) counted GROUP BY office_id, status""")
    op.execute(f"""
        INSERT INTO mediation_term_days (office_id, due_on, open_terms)
        SELECT c.office_id, t.due_on, COUNT(*) FROM {terms} WHERE {open_term} GROUP BY c.office_id, t.due_on""")


def downgrade():
    op.drop_index("ix_mediation_terms_agreement_id", table_name="mediation_terms")
    op.drop_index("ix_mediation_term_days_due_on", table_name="mediation_term_days")
    op.drop_table("mediation_term_days")
    op.drop_table("mediation_counts")
