"""states as data everywhere (issue 10.5): every state column is a VARCHAR(32)
guarded by a CHECK constraint listing its enum's values, as
`casesys.core.types.enum_column` declares it — documents, print batches,
approvals, referral outbox messages, publications (renamed to the helper's
names) and reminder levels. Rows are checked first: the upgrade stops and
names any value outside its list rather than rewrite data.

Revision ID: 0018arch
Revises: 0016secauth
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = "0018arch"
down_revision = "0016secauth"
branch_labels = None
depends_on = None

# (table, column, constraint name without the ck_<table>_ prefix, values, old length) —
# written out here: a migration keeps the values of its day, whatever the enums become.
CHECKS = [
    ("documents", "status", "document_status", ("draft", "pending", "approved"), 16),
    ("print_batches", "status", "print_batch_status", ("queued", "running", "finished", "failed"), 16),
    ("approvals", "status", "approval_status", ("pending", "approved", "returned", "withdrawn"), 16),
    ("referral_outbox", "state", "outbox_state", ("pending", "delivered"), 16),
    ("publications", "kind", "publication_kind", ("ruling", "typical"), 16),
    ("publications", "state", "publication_state", ("pending", "published", "returned", "withdrawn"), 16),
    ("reminders", "level", "reminder_level", ("upcoming", "due", "overdue", "returned", "decided"), 16),
]
# The hand-written checks of 0014pub, replaced by the helper's.
OLD_PUBLICATION_CHECKS = {"kind": "('ruling', 'typical')", "state": "('pending', 'published', 'returned', 'withdrawn')"}


def _condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _refuse_stray_values(conn) -> None:
    stray = []
    for table, column, _, values, _ in CHECKS:
        t = sa.table(table, sa.column(column))
        found = conn.execute(sa.select(t.c[column], sa.func.count()).where(t.c[column].not_in(values))
                             .group_by(t.c[column])).all()
        stray += [f"{table}.{column} = {value!r} ({count} rows)" for value, count in found]
    if stray:
        raise RuntimeError("Values outside their state lists; correct them, then upgrade again: " + "; ".join(stray))


def _by_table():
    tables: dict[str, list] = {}
    for table, column, name, values, length in CHECKS:
        tables.setdefault(table, []).append((column, name, values, length))
    return tables


@contextmanager
def _foreign_keys_off():
    """SQLite adds or drops a CHECK by copying the table; `documents` is
    referred to by other tables, and dropping the old copy with foreign keys
    enforced would fail (the documented 12-step ALTER: foreign keys off
    meanwhile, checked before they are on again)."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    yield
    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        raise RuntimeError(f"foreign keys broken by the table copies: {problems[:5]}")
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    _refuse_stray_values(op.get_bind())
    with _foreign_keys_off():
        for table, columns in _by_table().items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                if table == "publications":
                    for old in OLD_PUBLICATION_CHECKS:
                        batch_op.drop_constraint(op.f(f"ck_publications_{old}"), type_="check")
                for column, name, values, length in columns:
                    batch_op.alter_column(column, existing_type=sa.String(length=length), type_=sa.String(length=32),
                                          existing_nullable=False)
                    batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), _condition(column, values))


def downgrade():
    with _foreign_keys_off():
        for table, columns in _by_table().items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column, name, values, length in columns:
                    batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
                    batch_op.alter_column(column, existing_type=sa.String(length=32), type_=sa.String(length=length),
                                          existing_nullable=False)
                if table == "publications":
                    for old, values in OLD_PUBLICATION_CHECKS.items():
                        batch_op.create_check_constraint(op.f(f"ck_publications_{old}"), f"{old} IN {values}")
