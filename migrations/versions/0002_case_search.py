"""case search: FTS5 trigram (SQLite) / pg_trgm GIN index (PostgreSQL)

Substring search in Chinese has no word boundaries, so both databases index
trigrams of `cases.search_text` (SPEC §2, §11: fast at 100,000 cases).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    # External-content FTS table: the text lives in `cases`; triggers keep it in step.
    """CREATE VIRTUAL TABLE case_search USING fts5(
           search_text, content='cases', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER case_search_ai AFTER INSERT ON cases BEGIN
           INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER case_search_ad AFTER DELETE ON cases BEGIN
           INSERT INTO case_search(case_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER case_search_au AFTER UPDATE OF search_text ON cases BEGIN
           INSERT INTO case_search(case_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
           INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_cases_search_text_trgm ON cases USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_cases_search_text_trgm"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_UP if dialect == "sqlite" else POSTGRES_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN)
