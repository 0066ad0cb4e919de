"""revisions kept by the database for the case page's cache (issue 12)

`cases.revision` goes up whenever the case or a row its page shows changes;
`display_epochs.epoch` whenever something every page shows changes (people's
names, offices, settings, calendars, deadline rules). Triggers keep both, so
every way of writing counts: the ORM, bulk statements, the worker, SQL typed
by hand. casesys.casepage.cache keys the rendered page by them.

SQLite: row triggers. PostgreSQL: statement triggers over the transition
tables (one UPDATE per statement, not per row: the deadline recompute
rewrites hundreds of thousands of rows), and on `cases` itself a BEFORE ROW
trigger that raises the revision in the row being written.

Revision ID: 0021pagerev
Revises: 0020medtally
"""
from alembic import op
import sqlalchemy as sa


revision = "0021pagerev"
down_revision = "0020medtally"
branch_labels = None
depends_on = None

# Each table whose rows the case page shows: how a row names its case
# (a column of its own, or a link through another table: link table, its
# column matched, the row's column).
DIRECT = ("case_id",)
CASE_ROWS = {
    "parties": DIRECT, "case_patents": DIRECT, "evidence": DIRECT, "case_events": DIRECT,
    "case_deadlines": DIRECT, "clock_stops": DIRECT, "approvals": DIRECT, "panel_members": DIRECT,
    "hearings": DIRECT, "credit_records": DIRECT, "case_shares": DIRECT, "documents": DIRECT,
    "publications": DIRECT, "reminders": DIRECT,
    "agents": ("parties", "id", "party_id"),
    "patents": ("case_patents", "patent_id", "id"),
}
# Tables every page may show (None: any change; else the columns that count).
EPOCH_TABLES = {
    "users": ("full_name", "office_id", "province_wide", "active"),
    "offices": None, "settings": None, "deadline_rules": None, "calendar_days": None, "calendar_years": None,
}
OPERATIONS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
BUMP_CASES = "UPDATE cases SET revision = revision + 1 WHERE id IN ({ids})"
# An upsert: the row may have been emptied (tests do); the app reads a missing row as 0.
BUMP_EPOCH = ("INSERT INTO display_epochs (id, epoch) VALUES (1, 1) "
              "ON CONFLICT (id) DO UPDATE SET epoch = display_epochs.epoch + 1")


def _sqlite_case_ids(link: tuple, row: str) -> str:
    if link == DIRECT:
        return f"SELECT {row}.case_id"
    table, column, own = link
    return f"SELECT case_id FROM {table} WHERE {column} = {row}.{own}"


def _postgres_case_ids(link: tuple, rows: str) -> str:
    if link == DIRECT:
        return f"SELECT case_id FROM {rows}"
    table, column, own = link
    return f"SELECT case_id FROM {table} WHERE {column} IN (SELECT {own} FROM {rows})"


def _sqlite_up() -> list[str]:
    statements = [
        # A change to the case row itself (by the ORM or a bulk statement) that did not set the revision.
        """CREATE TRIGGER cases_revision_upd AFTER UPDATE ON cases WHEN new.revision = old.revision BEGIN
               UPDATE cases SET revision = revision + 1 WHERE id = new.id; END""",
    ]
    for table, link in CASE_ROWS.items():
        for short, operation in OPERATIONS.items():
            rows = {"ins": ["new"], "upd": ["new", "old"], "del": ["old"]}[short]
            ids = " UNION ".join(_sqlite_case_ids(link, row) for row in rows)
            statements.append(f"CREATE TRIGGER {table}_revision_{short} AFTER {operation} ON {table} BEGIN "
                              f"{BUMP_CASES.format(ids=ids)}; END")
    for table, columns in EPOCH_TABLES.items():
        for short, operation in OPERATIONS.items():
            of = f" OF {', '.join(columns)}" if columns and short == "upd" else ""
            statements.append(f"CREATE TRIGGER {table}_epoch_{short} AFTER {operation}{of} ON {table} BEGIN "
                              f"{BUMP_EPOCH}; END")
    return statements


def _postgres_up() -> list[str]:
    statements = [
        """CREATE FUNCTION cases_revision() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $$""",
        """CREATE TRIGGER cases_revision_upd BEFORE UPDATE ON cases FOR EACH ROW
           WHEN (NEW.revision = OLD.revision) EXECUTE FUNCTION cases_revision()""",
        f"""CREATE FUNCTION display_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {BUMP_EPOCH}; RETURN NULL; END $$""",
    ]
    for table, link in CASE_ROWS.items():
        for short, operation in OPERATIONS.items():
            tables = {"ins": ["new_rows"], "upd": ["new_rows", "old_rows"], "del": ["old_rows"]}[short]
            ids = " UNION ".join(_postgres_case_ids(link, rows) for rows in tables)
            referencing = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables)
            statements += [
                f"""CREATE FUNCTION {table}_revision_{short}() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN {BUMP_CASES.format(ids=ids)}; RETURN NULL; END $$""",
                f"""CREATE TRIGGER {table}_revision_{short} AFTER {operation} ON {table}
                    REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {table}_revision_{short}()""",
            ]
    for table, columns in EPOCH_TABLES.items():
        for short, operation in OPERATIONS.items():
            of = f" OF {', '.join(columns)}" if columns and short == "upd" else ""
            statements.append(f"CREATE TRIGGER {table}_epoch_{short} AFTER {operation}{of} ON {table} "
                              "FOR EACH STATEMENT EXECUTE FUNCTION display_epoch()")
    return statements


def _drops(postgres: bool) -> list[str]:
    on = (lambda table: f" ON {table}") if postgres else (lambda table: "")
    statements = [f"DROP TRIGGER IF EXISTS cases_revision_upd{on('cases')}"]
    for table in CASE_ROWS:
        for short in OPERATIONS:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_revision_{short}{on(table)}")
            if postgres:
                statements.append(f"DROP FUNCTION IF EXISTS {table}_revision_{short}()")
    for table in EPOCH_TABLES:
        statements += [f"DROP TRIGGER IF EXISTS {table}_epoch_{short}{on(table)}" for short in OPERATIONS]
    if postgres:
        statements += ["DROP FUNCTION IF EXISTS cases_revision()", "DROP FUNCTION IF EXISTS display_epoch()"]
    return statements


def upgrade():
    op.add_column("cases", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.create_table("display_epochs", sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("epoch", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_display_epochs")))
    op.execute("INSERT INTO display_epochs (id, epoch) VALUES (1, 0)")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_up() if postgres else _sqlite_up():
        op.execute(statement)


def downgrade():
    for statement in _drops(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    op.drop_table("display_epochs")
    # Not a batch operation: SQLite would copy `cases` and lose the search index's triggers.
    op.execute("ALTER TABLE cases DROP COLUMN revision")
