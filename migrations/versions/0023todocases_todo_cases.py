"""whose to-do each case is on, kept by the database (issue 12)

The to-do list read the cases a user handles, sits on the panel of or
mediates as a UNION of three joins on every view (783 cases for the busiest
handler at 100,000 cases: ~2 ms on SQLite, a merge join over every case with
an open deadline on PostgreSQL). `todo_cases` holds those (user, case, state)
pairs, rewritten for a case by triggers whenever its handler, state, closing,
next deadline, panel or mediators change; the list reads a user's range of
its primary key. The pairs are those of casesys.desk.todo_cases.members(),
which the tests compare with the table after every test.

Revision ID: 0023todocases
Revises: 0022todoix
"""
from alembic import op
import sqlalchemy as sa


revision = "0023todocases"
down_revision = "0022todoix"
branch_labels = None
depends_on = None

# casesys.domain.enums: the states that are not OPEN_STATES.
ENDED = "('closed', 'not_accepted', 'failed')"


def refresh(ids: str) -> list[str]:
    """Rewrite the pairs of the cases whose ids `ids` (a SELECT) gives."""
    return [
        f"DELETE FROM todo_cases WHERE case_id IN ({ids})",
        f"""INSERT INTO todo_cases (user_id, case_id, state)
            SELECT m.user_id, c.id, c.state FROM cases c JOIN (
                SELECT id AS case_id, handler_id AS user_id FROM cases
                 WHERE id IN ({ids}) AND handler_id IS NOT NULL
                   AND (state NOT IN {ENDED} OR closing_type = 'mediated')
                UNION SELECT case_id, user_id FROM panel_members WHERE case_id IN ({ids})
                UNION SELECT med.case_id, mr.user_id FROM mediations med
                      JOIN mediation_mediators mm ON mm.mediation_id = med.id
                      JOIN mediators mr ON mr.id = mm.mediator_id
                      WHERE med.case_id IN ({ids}) AND mr.user_id IS NOT NULL
            ) m ON m.case_id = c.id
            WHERE c.next_due_on IS NOT NULL""",
    ]


# Each table whose rows decide the pairs: how a changed row names its cases, over `{rows}`
# (SQLite: one row, NEW or OLD; PostgreSQL: a transition table).
SQLITE_CASES = {
    "panel_members": "SELECT {row}.case_id",
    "mediations": "SELECT {row}.case_id",
    "mediation_mediators": "SELECT case_id FROM mediations WHERE id = {row}.mediation_id",
}
POSTGRES_CASES = {
    "panel_members": "SELECT case_id FROM {rows}",
    "mediations": "SELECT case_id FROM {rows}",
    "mediation_mediators": "SELECT case_id FROM mediations WHERE id IN (SELECT mediation_id FROM {rows})",
}
MEDIATOR_CASES = ("SELECT med.case_id FROM mediations med JOIN mediation_mediators mm ON mm.mediation_id = med.id "
                  "WHERE mm.mediator_id IN ({mediators})")
CASE_COLUMNS = ("handler_id", "state", "closing_type", "next_due_on")
# Only whether a case has an open deadline counts, not its date: the deadline
# recompute moves 80,000 dates and changes hardly any pairs.
SQLITE_CASE_CHANGED = ("old.handler_id IS NOT new.handler_id OR old.state IS NOT new.state"
                       " OR old.closing_type IS NOT new.closing_type"
                       " OR (old.next_due_on IS NULL) <> (new.next_due_on IS NULL)")
POSTGRES_CASE_CHANGED = ("n.handler_id IS DISTINCT FROM o.handler_id OR n.state IS DISTINCT FROM o.state"
                         " OR n.closing_type IS DISTINCT FROM o.closing_type"
                         " OR (n.next_due_on IS NULL) <> (o.next_due_on IS NULL)")
OPERATIONS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}


def _sqlite_trigger(name: str, event: str, ids: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {event} BEGIN {'; '.join(refresh(ids))}; END"


def _sqlite_up() -> list[str]:
    statements = [
        _sqlite_trigger("cases_todo_ins", "INSERT ON cases", "SELECT new.id"),
        _sqlite_trigger("cases_todo_upd", f"UPDATE OF {', '.join(CASE_COLUMNS)} ON cases WHEN {SQLITE_CASE_CHANGED}",
                        "SELECT new.id"),
        _sqlite_trigger("cases_todo_del", "DELETE ON cases", "SELECT old.id"),
        _sqlite_trigger("mediators_todo_upd", "UPDATE OF user_id ON mediators",
                        MEDIATOR_CASES.format(mediators="SELECT new.id")),
    ]
    for table, cases in SQLITE_CASES.items():
        for short, operation in OPERATIONS.items():
            rows = {"ins": ["new"], "upd": ["new", "old"], "del": ["old"]}[short]
            ids = " UNION ".join(cases.format(row=row) for row in rows)
            statements.append(_sqlite_trigger(f"{table}_todo_{short}", f"{operation} ON {table}", ids))
    return statements


def _postgres_trigger(name: str, table: str, operation: str, ids: str) -> list[str]:
    tables = {"INSERT": ["new_rows"], "UPDATE": ["new_rows", "old_rows"], "DELETE": ["old_rows"]}[operation]
    referencing = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables)
    body = "; ".join(refresh(ids))
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def _postgres_up() -> list[str]:
    statements = [
        *_postgres_trigger("cases_todo_ins", "cases", "INSERT", "SELECT id FROM new_rows"),
        *_postgres_trigger("cases_todo_upd", "cases", "UPDATE",
                           f"SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {POSTGRES_CASE_CHANGED}"),
        *_postgres_trigger("cases_todo_del", "cases", "DELETE", "SELECT id FROM old_rows"),
        *_postgres_trigger("mediators_todo_upd", "mediators", "UPDATE", MEDIATOR_CASES.format(
            mediators="SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
                      "WHERE n.user_id IS DISTINCT FROM o.user_id")),
    ]
    for table, cases in POSTGRES_CASES.items():
        for short, operation in OPERATIONS.items():
            rows = {"ins": ["new_rows"], "upd": ["new_rows", "old_rows"], "del": ["old_rows"]}[short]
            ids = " UNION ".join(cases.format(rows=r) for r in rows)
            statements += _postgres_trigger(f"{table}_todo_{short}", table, operation, ids)
    return statements


def _trigger_names() -> list[tuple[str, str]]:
    names = [("cases_todo_ins", "cases"), ("cases_todo_upd", "cases"), ("cases_todo_del", "cases"),
             ("mediators_todo_upd", "mediators")]
    return names + [(f"{table}_todo_{short}", table) for table in SQLITE_CASES for short in OPERATIONS]


def upgrade():
    op.create_table(
        "todo_cases",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("received", "not_accepted", "accepted", "answer_period", "hearing", "deliberation",
                                   "decided", "served_decision", "suspended", "consent_pending", "mediating", "agreed",
                                   "failed", "closed", name="case_state", native_enum=False, create_constraint=True,
                                   length=32), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "case_id", name=op.f("pk_todo_cases")),
    )
    op.create_index("ix_todo_cases_case_id", "todo_cases", ["case_id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_up() if postgres else _sqlite_up():
        op.execute(statement)
    for statement in refresh("SELECT id FROM cases WHERE next_due_on IS NOT NULL"):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in _trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_todo_cases_case_id", table_name="todo_cases")
    op.drop_table("todo_cases")
