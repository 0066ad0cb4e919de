"""Each case's next open deadline (`cases.next_due_on`, `next_due_kind`),
kept where deadlines are stored (SPEC §10: the to-do list and the workload
read it instead of every deadline of every case).

Open: not met, of a case still open — or a mediation deadline, whose terms
are followed after the case closes (the to-do list's rule). Kept by

* a session hook: any flush that writes a deadline row (adjudication's
  `refresh_deadlines`, mediation's deadlines, a deadline met) or a case's
  state refreshes those cases, in the same transaction;
* `refresh_next_deadlines(ids)` after bulk writes that bypass the session
  (`recompute_deadlines`).
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casesys.cases.models import Case
from casesys.domain.enums import OPEN_STATES

MEDIATION_KINDS = "mediation%"


def open_deadline_clause(deadline_table, case_table):
    """A deadline of the to-do list, whatever the day (SQL)."""
    return sa.and_(deadline_table.c.met_on.is_(None),
                   sa.or_(case_table.c.state.in_([s.value for s in OPEN_STATES]),
                          deadline_table.c.kind.like(MEDIATION_KINDS)))


def _update_statement(case_ids):
    from casesys.adjudication.models import CaseDeadline

    cases, deadlines = Case.__table__, CaseDeadline.__table__.alias("d")
    mine = sa.and_(deadlines.c.case_id == cases.c.id, open_deadline_clause(deadlines, cases))
    first = sa.select(deadlines.c.due_on, deadlines.c.kind).where(mine).order_by(deadlines.c.due_on, deadlines.c.id)
    return (sa.update(cases).where(cases.c.id.in_(case_ids))
            .values(next_due_on=first.with_only_columns(deadlines.c.due_on).limit(1).scalar_subquery(),
                    next_due_kind=first.with_only_columns(deadlines.c.kind).limit(1).scalar_subquery()))


def refresh_next_deadlines(connection: sa.Connection, case_ids: Iterable[int] | sa.Select) -> None:
    """Recompute the next open deadline of these cases (one statement)."""
    if not isinstance(case_ids, sa.Select):
        case_ids = sorted(set(case_ids))
        if not case_ids:
            return
    connection.execute(_update_statement(case_ids))


def _touched_cases(session: Session) -> set[int]:
    from casesys.adjudication.models import CaseDeadline

    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, CaseDeadline):
            history = sa.inspect(obj).attrs.case_id.history
            touched.update(i for i in (*history.added, *history.unchanged, *history.deleted) if i is not None)
        elif isinstance(obj, Case) and obj.id is not None and sa.inspect(obj).attrs.state.history.has_changes():
            touched.add(obj.id)
    return touched


def after_flush(session: Session, _context) -> None:
    touched = _touched_cases(session)
    if touched:
        refresh_next_deadlines(session.connection(), touched)


def install_next_deadline_hook(session_class) -> None:
    """Idempotent: several apps in one process (tests) share the class."""
    if not sa.event.contains(session_class, "after_flush", after_flush):
        sa.event.listen(session_class, "after_flush", after_flush)


def stale_next_deadlines(connection: sa.Connection) -> list[int]:
    """Cases whose stored next deadline differs from their deadlines (a write
    that bypassed the hook); empty when all is kept."""
    from casesys.adjudication.models import CaseDeadline

    cases, deadlines = Case.__table__, CaseDeadline.__table__.alias("d")
    mine = sa.and_(deadlines.c.case_id == cases.c.id, open_deadline_clause(deadlines, cases))
    first = (sa.select(deadlines.c.due_on).where(mine).order_by(deadlines.c.due_on, deadlines.c.id)
             .limit(1).scalar_subquery())
    return list(connection.execute(
        sa.select(cases.c.id).where(sa.or_(
            sa.and_(cases.c.next_due_on.is_(None), first.is_not(None)),
            sa.and_(cases.c.next_due_on.is_not(None), first.is_(None)),
            cases.c.next_due_on != first))).scalars())
