"""States as data (issue 10.5): every state column — and every other enum
column — is guarded by the database itself, on SQLite and PostgreSQL: each
value of its enum is stored, anything else is refused, whatever code (or
hand-written SQL) tries. The columns are found in the models, so a new
state column is tested without being listed here."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

import casesys.models  # noqa: F401  (every table, for the columns found below)
from casesys.extensions import db as _db

ENUM_COLUMNS = sorted((table.name, column.name) for table in _db.metadata.sorted_tables
                      for column in table.columns if isinstance(column.type, sa.Enum))
STATE_NAMES = ("state", "status", "level")


def test_every_state_column_is_an_enum_column():
    """A column holding a state is declared with `enum_column` (its CHECK
    comes with it), never as a bare string."""
    state_columns = [(t.name, c) for t in _db.metadata.sorted_tables for c in t.columns
                     if c.name in STATE_NAMES or c.name.endswith(("_state", "_status"))]
    bare = [f"{t}.{c.name}" for t, c in state_columns
            if not (isinstance(c.type, sa.Enum) and c.type.create_constraint and not c.type.native_enum)]
    assert bare == []
    assert {("documents", "status"), ("print_batches", "status"), ("approvals", "status"), ("mediations", "status"),
            ("jobs", "state"), ("referral_outbox", "state"), ("publications", "state"), ("reminders", "level"),
            ("cases", "state"), ("credit_records", "state"), ("referrals", "state")} <= set(ENUM_COLUMNS)


def _value(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    python = kind.python_type
    if python is str:
        return "probe"[:kind.length or 5]  # no seeded row (of deadline_rules, settings …) has this key
    return {int: 1, bool: False, date: date(2026, 3, 2), datetime: datetime(2026, 3, 2, 9), dict: {},
            list: [], bytes: b""}.get(python, 1)


def _minimal_row(conn, table: sa.Table, made: dict[str, dict]) -> dict:
    """One row of `table` with only what NOT NULL demands (parents made first);
    its primary key."""
    if table.name in made:
        return made[table.name]
    values = {}
    for column in table.columns:
        needed = not column.nullable and column.default is None and column.server_default is None
        if column.primary_key and column.type.python_type is int and len(table.primary_key.columns) == 1:
            continue
        fk = next(iter(column.foreign_keys), None)
        if fk is not None and (needed or (table.name == "case_deadlines" and column.name == "case_id")):
            parent = fk.column.table
            values[column.name] = _minimal_row(conn, parent, made)[fk.column.name]
        elif needed:
            values[column.name] = _value(column)
    result = conn.execute(table.insert().values(values))
    key = dict(values)
    for column, ident in zip(table.primary_key.columns, result.inserted_primary_key, strict=True):
        key[column.name] = ident
    made[table.name] = key
    return key


@pytest.mark.parametrize(("table_name", "column_name"), ENUM_COLUMNS, ids=[f"{t}.{c}" for t, c in ENUM_COLUMNS])
def test_the_database_stores_every_value_and_refuses_any_other(app, db, table_name, column_name):
    table = db.metadata.tables[table_name]
    column = table.c[column_name]
    with db.engine.connect() as conn:
        key = _minimal_row(conn, table, {})
        where = " AND ".join(f"{c.name} = :k_{c.name}" for c in table.primary_key.columns)
        params = {f"k_{c.name}": key[c.name] for c in table.primary_key.columns}
        # Plain SQL, past the model's own check of the value.
        update = sa.text(f"UPDATE {table_name} SET {column_name} = :v WHERE {where}")
        for value in column.type.enums:
            conn.execute(update, {**params, "v": value})
            params = {**params, f"k_{column_name}": value} if f"k_{column_name}" in params else params
            stored = conn.execute(sa.text(f"SELECT {column_name} FROM {table_name} WHERE {where}"), params).scalar()
            assert stored == value
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(update, {**params, "v": "bogus"})
        conn.rollback()
