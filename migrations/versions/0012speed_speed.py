"""speed at 100,000 cases: bigram search index, each case's next open deadline

Search (SPEC §2, §11): `cases.search_grams` holds the pairs of adjacent
characters of `cases.search_text` (now also the agents and the patent
titles). SQLite indexes it (and the office) with an FTS5 table `case_grams`
kept by triggers; PostgreSQL with a GIN index over the office and
`string_to_array(search_grams, ' ')` (btree_gin).
They replace the trigram structures of 0002, which cannot serve the
two-character queries Chinese users type.

To-do and workload (SPEC §10): `cases.next_due_on` / `next_due_kind`, the
most urgent open deadline of the case, with indexes by handler; a covering
index of deadlines by case; mediations by mediator.

Revision ID: 0012speed
Revises: 0009law
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0012speed"
down_revision = "0009law"
branch_labels = None
depends_on = None

BATCH = 5000

SQLITE_DROP_TRIGRAMS = [
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
]
SQLITE_UP = [
    # External content: the pairs live in `cases.search_grams` (a stream made
    # for the `ascii` tokenizer, see casesys.domain.search); the office is a
    # column too, so that the visibility filter is applied inside the index.
    """CREATE VIRTUAL TABLE case_grams USING fts5(
           search_grams, office_id, content='cases', content_rowid='id', tokenize='ascii')""",
    """CREATE TRIGGER case_grams_ai AFTER INSERT ON cases BEGIN
           INSERT INTO case_grams(rowid, search_grams, office_id) VALUES (new.id, new.search_grams, new.office_id);
       END""",
    """CREATE TRIGGER case_grams_ad AFTER DELETE ON cases BEGIN
           INSERT INTO case_grams(case_grams, rowid, search_grams, office_id)
           VALUES ('delete', old.id, old.search_grams, old.office_id);
       END""",
    """CREATE TRIGGER case_grams_au AFTER UPDATE OF search_grams, office_id ON cases BEGIN
           INSERT INTO case_grams(case_grams, rowid, search_grams, office_id)
           VALUES ('delete', old.id, old.search_grams, old.office_id);
           INSERT INTO case_grams(rowid, search_grams, office_id) VALUES (new.id, new.search_grams, new.office_id);
       END""",
    "INSERT INTO case_grams(case_grams) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS case_grams_au",
    "DROP TRIGGER IF EXISTS case_grams_ad",
    "DROP TRIGGER IF EXISTS case_grams_ai",
    "DROP TABLE IF EXISTS case_grams",
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
POSTGRES_DROP_TRIGRAMS = ["DROP INDEX IF EXISTS ix_cases_search_text_trgm"]
POSTGRES_UP = [
    # btree_gin: the office in the same GIN index, so the visibility filter is applied inside it.
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX ix_cases_search_grams ON cases USING gin (office_id, string_to_array(search_grams, ' '))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_cases_search_grams",
    "CREATE INDEX ix_cases_search_text_trgm ON cases USING gin (search_text gin_trgm_ops)",
]

# Kept in step with casesys.adjudication.next_deadline (OPEN_STATES = all but these).
ENDED_STATES = ("closed", "not_accepted", "failed")


def _fill_search_columns(conn) -> None:
    """Rebuild every case's search text (agents and patent titles added)
    and its pairs, in batches of plain rows."""
    from casesys.domain.search import build_search_text, search_grams

    cases, parties = sa.table("cases", sa.column("id"), sa.column("number"), sa.column("title"),
                              sa.column("search_text"), sa.column("search_grams")), \
        sa.table("parties", sa.column("id"), sa.column("case_id"), sa.column("role"), sa.column("position"),
                 sa.column("name"), sa.column("credit_code"), sa.column("id_number"))
    agents = sa.table("agents", sa.column("id"), sa.column("case_id"), sa.column("party_id"),
                      sa.column("name"), sa.column("firm"))
    links = sa.table("case_patents", sa.column("id"), sa.column("case_id"), sa.column("patent_id"))
    patents = sa.table("patents", sa.column("id"), sa.column("number"), sa.column("title"))
    ids = conn.execute(sa.select(cases.c.id).order_by(cases.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        low, high = ids[start], ids[min(start + BATCH, len(ids)) - 1]
        in_range = lambda table: table.c.case_id.between(low, high)  # noqa: E731
        by_case = defaultdict(lambda: {"parties": [], "agents": [], "patents": []})
        # The order of Case.parties: role, position.
        for row in conn.execute(sa.select(parties).where(in_range(parties))
                                .order_by(parties.c.case_id, parties.c.role, parties.c.position)):
            by_case[row.case_id]["parties"].append((row.id, row.name, row.credit_code or row.id_number))
        party_order = {pid: n for case in by_case.values() for n, (pid, _, _) in enumerate(case["parties"])}
        for row in conn.execute(sa.select(agents).where(in_range(agents)).order_by(agents.c.id)):
            by_case[row.case_id]["agents"].append((party_order.get(row.party_id, 0), row.id, row.name, row.firm))
        for row in conn.execute(sa.select(links.c.case_id, patents.c.number, patents.c.title)
                                .join(patents, patents.c.id == links.c.patent_id)
                                .where(in_range(links)).order_by(links.c.id)):
            by_case[row.case_id]["patents"].append((row.number, row.title))
        values = []
        for row in conn.execute(sa.select(cases.c.id, cases.c.number, cases.c.title)
                                .where(cases.c.id.between(low, high))):
            facts = by_case[row.id]
            text = build_search_text(
                row.number, [(name, code) for _, name, code in facts["parties"]],
                [number for number, _ in facts["patents"]],
                agents=[(name, firm) for *_, name, firm in sorted(facts["agents"])],
                patent_titles=[title for _, title in facts["patents"]])
            values.append({"b_id": row.id, "b_text": text, "b_grams": search_grams(text)})
        if values:
            conn.execute(sa.update(cases).where(cases.c.id == sa.bindparam("b_id"))
                         .values(search_text=sa.bindparam("b_text"), search_grams=sa.bindparam("b_grams")), values)


def _fill_next_deadlines(conn) -> None:
    ended = ", ".join(f"'{s}'" for s in ENDED_STATES)
    open_deadline = (f"d.case_id = cases.id AND d.met_on IS NULL "
                     f"AND (cases.state NOT IN ({ended}) OR d.kind LIKE 'mediation%')")
    conn.execute(sa.text(f"""
        UPDATE cases SET
          next_due_on = (SELECT min(d.due_on) FROM case_deadlines d WHERE {open_deadline}),
          next_due_kind = (SELECT d.kind FROM case_deadlines d WHERE {open_deadline}
                           ORDER BY d.due_on, d.id LIMIT 1)"""))


def upgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    # ADD COLUMN in place: recreating `cases` on SQLite would drop the search triggers.
    with op.batch_alter_table("cases", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("search_grams", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_due_kind", sa.String(length=32), nullable=True))
    with op.batch_alter_table("cases", schema=None, recreate="never") as batch_op:
        batch_op.create_index("ix_cases_handler_id_next_due_on", ["handler_id", "next_due_on"], unique=False)
        batch_op.create_index("ix_cases_office_id_state_handler_id",
                              ["office_id", "state", "handler_id", "received_on", "next_due_on"], unique=False)
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_case_deadlines_case_id_met_on_due_on",
                              ["case_id", "met_on", "due_on", "owner", "kind"], unique=False)
    with op.batch_alter_table("mediation_mediators", schema=None) as batch_op:
        batch_op.create_index("ix_mediation_mediators_mediator_id", ["mediator_id"], unique=False)
    for statement in SQLITE_DROP_TRIGRAMS if dialect == "sqlite" else POSTGRES_DROP_TRIGRAMS:
        op.execute(statement)
    _fill_search_columns(conn)  # before the index exists: one build instead of 100,000 updates
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)
    _fill_next_deadlines(conn)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    with op.batch_alter_table("mediation_mediators", schema=None) as batch_op:
        batch_op.drop_index("ix_mediation_mediators_mediator_id")
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_case_deadlines_case_id_met_on_due_on")
    with op.batch_alter_table("cases", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_cases_office_id_state_handler_id")
        batch_op.drop_index("ix_cases_handler_id_next_due_on")
    if dialect == "sqlite":
        # DROP COLUMN in place keeps the search triggers of 0002.
        for column in ("next_due_kind", "next_due_on", "search_grams"):
            op.execute(f"ALTER TABLE cases DROP COLUMN {column}")
    else:
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.drop_column("next_due_kind")
            batch_op.drop_column("next_due_on")
            batch_op.drop_column("search_grams")
