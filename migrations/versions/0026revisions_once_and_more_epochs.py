"""a case's revision raised once per transaction on PostgreSQL; the display
epoch also follows roles and shared cases (issue 12)

1. The statement triggers of 0021pagerev raised `cases.revision` for every
statement that wrote a row the case page shows: a new case and its parties,
patents, evidence, deadlines and events rewrote the case row a dozen times in
one transaction, each time with all its indexes (two of them GIN). One raise
per transaction is all the page cache needs (casesys.core.fragments): what it
keeps was rendered from committed rows, and no committed state of the case
had the revision a transaction raised it to. So a case row this transaction
already wrote (its `xmin` is the transaction's id) is not written again.
Inside a savepoint the row's `xmin` is the subtransaction's: it is raised
once more, which is harmless. SQLite's row triggers are unchanged.

2. What a list page reads on every view besides its rows — the handlers an
office has (by their roles) for the list's filter, whether any case is shared
with the office (which decides how visibility is filtered), the settings — is
kept per display epoch (casesys.core.fragments.kept_for_epoch). Settings
already raise the epoch; now `user_roles` and `case_shares` do too, by the
same triggers. Both change seldom: a role given, a case shared by a referral.

Revision ID: 0026revisions
Revises: 0025todowhen
"""
from pathlib import Path

from alembic import op
from alembic.util.pyfiles import load_python_file


revision = "0026revisions"
down_revision = "0025todowhen"
branch_labels = None
depends_on = None

NOT_WRITTEN_BY_THIS_TRANSACTION = "xmin <> pg_current_xact_id()::xid"
EPOCH_TABLES = ("user_roles", "case_shares")


# A migration whose statements this one reuses (migrations are no package).
page_revisions = load_python_file(str(Path(__file__).parent), "0021pagerev_page_revisions.py")


def _revision_functions(once: bool) -> list[str]:
    statements = []
    for table, link in page_revisions.CASE_ROWS.items():
        for short in page_revisions.OPERATIONS:
            tables = {"ins": ["new_rows"], "upd": ["new_rows", "old_rows"], "del": ["old_rows"]}[short]
            ids = " UNION ".join(page_revisions._postgres_case_ids(link, rows) for rows in tables)
            bump = page_revisions.BUMP_CASES.format(ids=ids)
            if once:
                bump += f" AND {NOT_WRITTEN_BY_THIS_TRANSACTION}"
            statements.append(f"""CREATE OR REPLACE FUNCTION {table}_revision_{short}() RETURNS trigger
                                  LANGUAGE plpgsql AS $$ BEGIN {bump}; RETURN NULL; END $$""")
    return statements


def _epoch_triggers(postgres: bool) -> list[str]:
    statements = []
    for table in EPOCH_TABLES:
        for short, operation in page_revisions.OPERATIONS.items():
            if postgres:  # the function display_epoch() of 0021pagerev
                statements.append(f"CREATE TRIGGER {table}_epoch_{short} AFTER {operation} ON {table} "
                                  "FOR EACH STATEMENT EXECUTE FUNCTION display_epoch()")
            else:
                statements.append(f"CREATE TRIGGER {table}_epoch_{short} AFTER {operation} ON {table} BEGIN "
                                  f"{page_revisions.BUMP_EPOCH}; END")
    return statements


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (_revision_functions(once=True) if postgres else []) + _epoch_triggers(postgres):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    on = " ON {}" if postgres else ""
    for table in EPOCH_TABLES:
        for short in page_revisions.OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_epoch_{short}{on.format(table)}")
    for statement in _revision_functions(once=False) if postgres else []:
        op.execute(statement)
