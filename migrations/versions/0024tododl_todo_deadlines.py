"""the deadlines on each user's to-do, kept by the database (issue 12)

The to-do list read the open deadlines of every case on a user's to-do case
by case (783 cases, ~1,000 deadlines for the busiest handler at 100,000
cases), ranked them all and counted them by urgency on every view: 2.6 ms on
SQLite, 3.9 ms on PostgreSQL. `todo_deadlines` holds each (user, deadline)
the list may show with the deadline's date and whether it is the office's,
so a page is a range of one index and its counts a pass over the user's
entries in that index alone. Triggers keep it: on `case_deadlines` (a
deadline added, moved, met or removed) and on `todo_cases` (a case coming
onto or leaving a user's to-do; its rows are only ever inserted and deleted,
and rewritten when the case's state changes). The entries are those of
casesys.desk.worklists.deadline_members(), which the tests compare with the
table after every test.

Revision ID: 0024tododl
Revises: 0023todocases
"""
from alembic import op
import sqlalchemy as sa


revision = "0024tododl"
down_revision = "0023todocases"
branch_labels = None
depends_on = None

# casesys.domain.enums: the states that are not OPEN_STATES. A case in one
# keeps only its mediation deadlines on the list (agreement terms followed up).
ENDED = "('closed', 'not_accepted', 'failed')"


def entries(pairs: str, deadlines: str) -> str:
    """INSERT the entries of the to-do pairs `pairs` (AS p: user_id, case_id,
    state) and the deadlines `deadlines` (AS d), joined by case."""
    return f"""INSERT INTO todo_deadlines (user_id, deadline_id, due_on, office)
        SELECT p.user_id, d.id, d.due_on, d.owner = 'office' FROM {pairs} p
          JOIN {deadlines} d ON d.case_id = p.case_id
         WHERE d.met_on IS NULL AND (p.state NOT IN {ENDED} OR d.kind LIKE 'mediation%')"""


def removal(deadline_ids: str) -> str:
    return f"DELETE FROM todo_deadlines WHERE deadline_id IN ({deadline_ids})"


# What of a deadline the entries hold or depend on.
DEADLINE_COLUMNS = ("case_id", "kind", "owner", "due_on", "met_on")


def _sqlite_up() -> list[str]:
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in DEADLINE_COLUMNS)
    # Each row's own statements, written so that SQLite looks the case up in
    # ix_todo_cases_case_id (the recompute inserts 440,000 deadlines).
    new_deadline = f"""INSERT INTO todo_deadlines (user_id, deadline_id, due_on, office)
        SELECT p.user_id, new.id, new.due_on, new.owner = 'office' FROM todo_cases p
         WHERE p.case_id = new.case_id AND new.met_on IS NULL
           AND (p.state NOT IN {ENDED} OR new.kind LIKE 'mediation%')"""
    new_pair = f"""INSERT INTO todo_deadlines (user_id, deadline_id, due_on, office)
        SELECT new.user_id, d.id, d.due_on, d.owner = 'office' FROM case_deadlines d
         WHERE d.case_id = new.case_id AND d.met_on IS NULL
           AND (new.state NOT IN {ENDED} OR d.kind LIKE 'mediation%')"""
    old_pair = ("DELETE FROM todo_deadlines WHERE user_id = old.user_id AND deadline_id IN "
                "(SELECT id FROM case_deadlines WHERE case_id = old.case_id)")
    return [
        f"CREATE TRIGGER case_deadlines_todo_ins AFTER INSERT ON case_deadlines BEGIN {new_deadline}; END",
        f"CREATE TRIGGER case_deadlines_todo_upd AFTER UPDATE OF {', '.join(DEADLINE_COLUMNS)} ON case_deadlines "
        f"WHEN {changed} BEGIN {removal('SELECT old.id')}; {new_deadline}; END",
        f"CREATE TRIGGER case_deadlines_todo_del AFTER DELETE ON case_deadlines BEGIN {removal('SELECT old.id')}; END",
        f"CREATE TRIGGER todo_cases_todo_ins AFTER INSERT ON todo_cases BEGIN {new_pair}; END",
        f"CREATE TRIGGER todo_cases_todo_del AFTER DELETE ON todo_cases BEGIN {old_pair}; END",
        f"CREATE TRIGGER todo_cases_todo_upd AFTER UPDATE ON todo_cases BEGIN {old_pair}; {new_pair}; END",
    ]


def _postgres_function(name: str, table: str, operation: str, body: list[str]) -> list[str]:
    tables = {"INSERT": ["NEW TABLE AS new_rows"], "UPDATE": ["NEW TABLE AS new_rows", "OLD TABLE AS old_rows"],
              "DELETE": ["OLD TABLE AS old_rows"]}[operation]
    # One statement each, over its transition tables: the deadline recompute
    # rewrites 440,000 deadlines at 100,000 cases in a few statements.
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {'; '.join(body)}; "
        f"RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {' '.join(tables)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def _postgres_up() -> list[str]:
    changed = " OR ".join(f"n.{column} IS DISTINCT FROM o.{column}" for column in DEADLINE_COLUMNS)
    moved = f"(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed})"
    # The (deadline, user) pairs first, each then one lookup in the primary key
    # (OFFSET 0 keeps them apart: joined the other way round PostgreSQL may read
    # all of a user's entries, a thousand for a busy handler, for each case).
    leaving_case = ("DELETE FROM todo_deadlines t USING (SELECT d.id, o.user_id FROM old_rows o "
                    "JOIN case_deadlines d ON d.case_id = o.case_id OFFSET 0) gone "
                    "WHERE t.deadline_id = gone.id AND t.user_id = gone.user_id")
    return [
        *_postgres_function("case_deadlines_todo_ins", "case_deadlines", "INSERT",
                            [entries("todo_cases", "new_rows")]),
        *_postgres_function("case_deadlines_todo_upd", "case_deadlines", "UPDATE",
                            [removal(f"SELECT id FROM {moved} m"), entries("todo_cases", moved)]),
        *_postgres_function("case_deadlines_todo_del", "case_deadlines", "DELETE",
                            [removal("SELECT id FROM old_rows")]),
        *_postgres_function("todo_cases_todo_ins", "todo_cases", "INSERT", [entries("new_rows", "case_deadlines")]),
        *_postgres_function("todo_cases_todo_del", "todo_cases", "DELETE", [leaving_case]),
        *_postgres_function("todo_cases_todo_upd", "todo_cases", "UPDATE",
                            [leaving_case, entries("new_rows", "case_deadlines")]),
    ]


TRIGGERS = (("case_deadlines_todo_ins", "case_deadlines"), ("case_deadlines_todo_upd", "case_deadlines"),
            ("case_deadlines_todo_del", "case_deadlines"), ("todo_cases_todo_ins", "todo_cases"),
            ("todo_cases_todo_del", "todo_cases"), ("todo_cases_todo_upd", "todo_cases"))


def upgrade():
    op.create_table(
        "todo_deadlines",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("office", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("deadline_id", "user_id", name=op.f("pk_todo_deadlines")),
    )
    op.create_index("ix_todo_deadlines_user_id_due_on", "todo_deadlines",
                    ["user_id", "due_on", "deadline_id", "office"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_up() if postgres else _sqlite_up():
        op.execute(statement)
    op.execute(entries("todo_cases", "case_deadlines"))


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_todo_deadlines_user_id_due_on", table_name="todo_deadlines")
    op.drop_table("todo_deadlines")
