"""the to-do pairs of a case rewritten only when what decides them changes (issue 12)

On PostgreSQL `cases_todo_upd` (migration 0023todocases) was a statement
trigger: it ran its two statements, comparing the old and new rows, after
every UPDATE of `cases` — also after each raise of a case's revision, which
every write to a row the case page shows makes (0021pagerev). That cost
~0.3 ms a statement and made loading 3,000 demo cases take 73 s instead of
29. A row trigger whose WHEN condition compares the columns is skipped
inside the executor when they are unchanged; the deadline recompute, which
moves 80,000 dates, changes whether a case has an open deadline for few.
SQLite's trigger already had its WHEN condition.

Revision ID: 0025todowhen
Revises: 0024tododl
"""
import importlib.util
from pathlib import Path

from alembic import op


revision = "0025todowhen"
down_revision = "0024tododl"
branch_labels = None
depends_on = None



def _load(name: str):
    """A migration this one reuses the statements of (migrations are no package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


todo_cases = _load("0023todocases_todo_cases")

CHANGED = ("OLD.handler_id IS DISTINCT FROM NEW.handler_id OR OLD.state IS DISTINCT FROM NEW.state"
           " OR OLD.closing_type IS DISTINCT FROM NEW.closing_type"
           " OR (OLD.next_due_on IS NULL) <> (NEW.next_due_on IS NULL)")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS cases_todo_upd ON cases")
    op.execute("DROP FUNCTION IF EXISTS cases_todo_upd()")
    body = "; ".join(todo_cases.refresh("SELECT NEW.id"))
    op.execute(f"CREATE FUNCTION cases_todo_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; "
               f"RETURN NULL; END $$")
    op.execute(f"CREATE TRIGGER cases_todo_upd AFTER UPDATE OF {', '.join(todo_cases.CASE_COLUMNS)} ON cases "
               f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION cases_todo_upd()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS cases_todo_upd ON cases")
    op.execute("DROP FUNCTION IF EXISTS cases_todo_upd()")
    for statement in todo_cases._postgres_trigger(
            "cases_todo_upd", "cases", "UPDATE",
            f"SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {todo_cases.POSTGRES_CASE_CHANGED}"):
        op.execute(statement)
