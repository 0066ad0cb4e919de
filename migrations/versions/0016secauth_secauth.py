"""security hardening (issue 11): logins as server-side sessions, atomic
login throttle counters, the writers of each document version; the old
per-user session token goes (every login is a user_sessions row now)

Revision ID: 0016secauth
Revises: 0010jobs
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016secauth"
down_revision = "0010jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_user_sessions_key_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    contributors = op.create_table(
        "document_contributors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_document_contributors_document_id_documents")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_document_contributors_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_contributors")),
    )
    with op.batch_alter_table("document_contributors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_contributors_document_id"), ["document_id"], unique=False)
    _backfill_contributors(contributors)

    # SQLite's own ALTER TABLE … DROP COLUMN: a batch copy of `users` would
    # have to drop the table every other table refers to.
    op.drop_column("users", "session_token")


def _backfill_contributors(contributors: sa.Table) -> None:
    """Who wrote the documents so far: the drafter, every text change in the
    audit log, every submission in the case events (versions unknown)."""
    conn = op.get_bind()
    documents = sa.table("documents", sa.column("id"), sa.column("created_by_id"), sa.column("created_at", sa.DateTime))
    audit = sa.table("audit_log", sa.column("row_id"), sa.column("actor_id"), sa.column("at", sa.DateTime),
                     sa.column("table_name"), sa.column("action"), sa.column("changes", sa.JSON))
    events = sa.table("case_events", sa.column("actor_id"), sa.column("occurred_at", sa.DateTime), sa.column("kind"),
                      sa.column("details", sa.JSON))
    existing = set(conn.scalars(sa.select(documents.c.id)))
    rows = [{"document_id": d, "user_id": u, "action": "draft", "version": None, "at": at}
            for d, u, at in conn.execute(sa.select(documents.c.id, documents.c.created_by_id, documents.c.created_at)
                                         .where(documents.c.created_by_id.is_not(None)))]
    for d, u, at, changes in conn.execute(
            sa.select(audit.c.row_id, audit.c.actor_id, audit.c.at, audit.c.changes)
            .where(audit.c.table_name == "documents", audit.c.action == "update", audit.c.actor_id.is_not(None))):
        if d in existing and "texts" in (changes or {}):
            rows.append({"document_id": d, "user_id": u, "action": "edit", "version": None, "at": at})
    for u, at, details in conn.execute(
            sa.select(events.c.actor_id, events.c.occurred_at, events.c.details)
            .where(events.c.kind == "approval_requested", events.c.actor_id.is_not(None))):
        d = (details or {}).get("document_id")
        if d in existing:
            rows.append({"document_id": d, "user_id": u, "action": "submit", "version": None, "at": at})
    for start in range(0, len(rows), 1000):
        conn.execute(contributors.insert(), rows[start:start + 1000])


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=False,
                                      server_default="0" * 32))
    with op.batch_alter_table("document_contributors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_contributors_document_id"))
    op.drop_table("document_contributors")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
    op.drop_table("login_throttles")
