"""counts kept for the workload page (issue 12)

The workload page read every open case of the office on each request. It now
reads counts that the app keeps in the same transaction as the cases and
deadlines counted (casesys.core.tallies, casesys.adjudication.workload): per
office and handler, and per office, handler and day. This migration makes
them and fills them from the rows as they are (the app's recount, with the
open states of its day written out).

Revision ID: 0019tally
Revises: 0019desk
"""
from alembic import op
import sqlalchemy as sa


revision = "0019tally"
down_revision = "0019desk"
branch_labels = None
depends_on = None

OPEN_STATES = ("received", "accepted", "answer_period", "hearing", "deliberation", "decided", "served_decision",
               "suspended", "consent_pending", "mediating", "agreed")


def _epoch_days(column: str) -> str:
    """Whole days from 1970-01-01, as the app counts them (core.database.epoch_days)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / 86400)"


def upgrade():
    op.create_table(
        "workload_handlers",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("received_days", sa.BigInteger(), nullable=False),
        sa.Column("open_deadlines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["users.id"], name=op.f("fk_workload_handlers_handler_id_users")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_workload_handlers_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "handler_id", name=op.f("pk_workload_handlers")),
    )
    op.create_table(
        "workload_days",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("open_deadlines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["users.id"], name=op.f("fk_workload_days_handler_id_users")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_workload_days_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "handler_id", "day", name=op.f("pk_workload_days")),
    )
    open_states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    open_case = f"c.state IN ({open_states}) AND c.handler_id IS NOT NULL"
    op.execute(f"""
        INSERT INTO workload_days (office_id, handler_id, day, open_cases, open_deadlines)
        SELECT office_id, handler_id, day, SUM(open_cases), SUM(open_deadlines) FROM (
            SELECT c.office_id, c.handler_id, c.received_on AS day, 1 AS open_cases, 0 AS open_deadlines
            FROM cases c WHERE {open_case}
            UNION ALL
            SELECT c.office_id, c.handler_id, d.due_on, 0, 1
            FROM case_deadlines d JOIN cases c ON c.id = d.case_id WHERE {open_case} AND d.met_on IS NULL
        ) counted GROUP BY office_id, handler_id, day""")
    op.execute(f"""
        INSERT INTO workload_handlers (office_id, handler_id, open_cases, received_days, open_deadlines)
        SELECT office_id, handler_id, SUM(open_cases), SUM(open_cases * {_epoch_days('day')}), SUM(open_deadlines)
        FROM workload_days GROUP BY office_id, handler_id""")


def downgrade():
    op.drop_table("workload_days")
    op.drop_table("workload_handlers")
