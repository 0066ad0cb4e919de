"""Counts kept beside the rows they count (issue 12): a page whose figures
cover every case of an office reads a small table of counts instead of the
cases, and the counts change in the same transaction as the rows counted.

A `Tally` has count tables (primary key: what is counted by; every other
column: a whole number) and one definition, in SQL, of what a set of *units*
(cases, mediations) adds to them. Whatever a flush changes, the units it
touches are counted before and after it, and the difference is added to the
tables as ``n = n + delta``: two transactions changing the same handler's
cases add up, where a recount of each from its own snapshot would lose one.
A row whose counts all fall to zero goes, so the tables hold only what counts.

Writes that bypass the session (bulk statements) keep a tally with `kept`.
Counting every unit is the recount the tests compare with the tables after
every test (`stale`).
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casesys.core.database import upsert

# table → key (its primary key's values) → counts (its other columns, in order)
Counts = dict[sa.Table, dict[tuple, list[int]]]
# the units to count: ids, a SELECT of ids, or None for all of them
Units = Collection[int] | sa.Select | None


@dataclass(frozen=True)
class Tally:
    name: str
    tables: Sequence[sa.Table]
    # what these units add to the tables, read from the database
    count: Callable[[sa.Connection, Units], Counts]
    # the units a flush may change: ids of stored ones, and objects not stored yet (ids after the flush)
    touched: Callable[[Session], tuple[set[int], list]]


def among(column, units: Units):
    """The WHERE clause of a count of these units (`column`: their id)."""
    return sa.true() if units is None else column.in_(units if isinstance(units, sa.Select) else sorted(units))


def new_counts(tables: Sequence[sa.Table]) -> Counts:
    return {table: {} for table in tables}


def add_to(counts: dict[tuple, list[int]], key: tuple, values: Sequence[int]) -> None:
    row = counts.setdefault(key, [0] * len(values))
    for i, value in enumerate(values):
        row[i] += int(value or 0)


def count_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if not c.primary_key]


def _difference(after: Counts, before: Counts) -> Counts:
    result: Counts = {}
    for table in after.keys() | before.keys():
        rows: dict[tuple, list[int]] = {}
        for key, values in after.get(table, {}).items():
            add_to(rows, key, values)
        for key, values in before.get(table, {}).items():
            add_to(rows, key, [-v for v in values])
        result[table] = {key: values for key, values in rows.items() if any(values)}
    return result


def add_counts(connection: sa.Connection, tally: Tally, deltas: Counts) -> None:
    """Add each delta to its row (made if missing); drop the rows left at zero.
    Rows in key order: concurrent transactions lock them in the same order."""
    for table in tally.tables:
        changes = sorted(deltas.get(table, {}).items())
        if not changes:
            continue
        keys = [c.name for c in table.primary_key.columns]
        counts = [c.name for c in count_columns(table)]
        insert = upsert(table)
        connection.execute(
            insert.on_conflict_do_update(index_elements=keys,
                                         set_={c: table.c[c] + insert.excluded[c] for c in counts}),
            [dict(zip(keys, key, strict=True)) | dict(zip(counts, values, strict=True)) for key, values in changes])
        connection.execute(
            sa.delete(table).where(*(table.c[k] == sa.bindparam(f"key_{k}") for k in keys),
                                   *(table.c[c] == 0 for c in counts)),
            [{f"key_{k}": value for k, value in zip(keys, key, strict=True)} for key, _ in changes])


@contextmanager
def kept(tally: Tally, connection: sa.Connection, units: Units) -> Iterator[None]:
    """Keep `tally` across bulk writes to these units (flush the session first)."""
    before = tally.count(connection, units)
    yield
    add_counts(connection, tally, _difference(tally.count(connection, units), before))


def count_new(connection: sa.Connection, tally: Tally, units: Units) -> None:
    """Count units that bulk statements wrote and no count holds yet (new rows)."""
    add_counts(connection, tally, tally.count(connection, units))


def stored(connection: sa.Connection, tally: Tally) -> Counts:
    result = new_counts(tally.tables)
    for table in tally.tables:
        keys, counts = list(table.primary_key.columns), count_columns(table)
        for row in connection.execute(sa.select(*keys, *counts)):
            result[table][tuple(row[:len(keys)])] = [int(v) for v in row[len(keys):]]
    return result


def stale(connection: sa.Connection, tally: Tally) -> list[str]:
    """Where the stored counts differ from a recount (a write that bypassed
    the session); empty when all is kept."""
    differ = _difference(stored(connection, tally), tally.count(connection, None))
    return [f"{table.name} {key}: stored − counted = {values}"
            for table, rows in differ.items() for key, values in sorted(rows.items())]


# --- the session hook ------------------------------------------------------------

_TALLIES: dict[str, Tally] = {}
_PENDING = "casesys.tallies"


def register_tally(tally: Tally) -> None:
    """Kept from now on by every flush (a feature's init_app; idempotent by name)."""
    _TALLIES[tally.name] = tally


def registered_tallies() -> list[Tally]:
    return list(_TALLIES.values())


def _before_flush(session: Session, _context, _instances) -> None:
    counted = []
    for tally in _TALLIES.values():
        ids, pending = tally.touched(session)
        if ids or pending:
            before = tally.count(session.connection(), ids) if ids else new_counts(tally.tables)
            counted.append((tally, ids, pending, before))
    session.info[_PENDING] = counted


def _after_flush(session: Session, _context) -> None:
    for tally, ids, pending, before in session.info.pop(_PENDING, []):
        # New objects have their ids now, though not yet their identity (given after this hook).
        units = ids | {unit_id for obj in pending if (unit_id := _primary_key(obj)) is not None}
        connection = session.connection()
        add_counts(connection, tally, _difference(tally.count(connection, units), before))


def _primary_key(obj) -> int | None:
    state = sa.inspect(obj)
    return state.mapper.primary_key_from_instance(obj)[0]


def install_tally_hook(session_class) -> None:
    """Idempotent: several apps in one process (tests) share the class."""
    if not sa.event.contains(session_class, "before_flush", _before_flush):
        sa.event.listen(session_class, "before_flush", _before_flush)
        sa.event.listen(session_class, "after_flush", _after_flush)


# --- what a flush touched ----------------------------------------------------------

def changed(obj, names: Sequence[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def stored_id(obj) -> int | None:
    """The id of a stored object without loading it (None before its first flush)."""
    identity = sa.inspect(obj).identity
    return identity[0] if identity else None


def references(obj, column: str, relationship: str) -> tuple[set[int], list]:
    """What `obj` refers to, before and after the flush: ids through its
    foreign key `column` (loaded if need be), and objects through `relationship`
    that are stored (their ids) or not yet (the objects)."""
    state = sa.inspect(obj)
    values = state.attrs[column].history.sum()
    if not values and state.persistent:
        values = [state.attrs[column].value]
    ids = {v for v in values if v is not None}
    pending = []
    for other in state.attrs[relationship].history.sum():
        if other is None:
            continue
        if (other_id := stored_id(other)) is not None:
            ids.add(other_id)
        else:
            pending.append(other)
    return ids, pending
