"""The supervisors' workload page (SPEC §10): each handler's open cases,
their ages and the deadlines overdue, read from counts kept per handler and
per day (issue 12: a few rows per handler, whatever the number of cases).

The counts are a tally (casesys.core.tallies) whose unit is the case: an open
case with a handler adds one to its handler's row and to the day of its
receipt, and each of its deadlines not met to the day it is due. Ages and
overdue deadlines depend on the day they are shown, so they are worked out
from these counts when the page is read: the mean age from the sum of the
receipt days, the oldest case from the earliest day with an open case, the
overdue deadlines as all those not met less those due from today on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casesys.adjudication.models import CaseDeadline, WorkloadDay, WorkloadHandler
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.core.database import built_once
from casesys.core.tallies import Counts, Tally, Units, add_to, among, changed, new_counts, references, stored_id
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db

EPOCH = date(1970, 1, 1)
CASE_FIELDS = ("state", "handler_id", "handler", "office_id", "office", "received_on")
DEADLINE_FIELDS = ("due_on", "met_on", "case_id", "case")


def count_workload(connection: sa.Connection, units: Units) -> Counts:
    """What these cases (all of them: None) add to the workload tables."""
    cases, deadlines = Case.__table__, CaseDeadline.__table__
    counted = sa.and_(among(cases.c.id, units), cases.c.state.in_([s.value for s in OPEN_STATES]),
                      cases.c.handler_id.is_not(None))
    handler = (cases.c.office_id, cases.c.handler_id)
    days: dict[tuple, list[int]] = {}
    handlers: dict[tuple, list[int]] = {}
    for office_id, handler_id, day, n in connection.execute(
            sa.select(*handler, cases.c.received_on, sa.func.count()).where(counted)
            .group_by(*handler, cases.c.received_on)):
        add_to(days, (office_id, handler_id, day), (n, 0))
        add_to(handlers, (office_id, handler_id), (n, n * (day - EPOCH).days, 0))
    for office_id, handler_id, day, n in connection.execute(
            sa.select(*handler, deadlines.c.due_on, sa.func.count())
            .select_from(deadlines.join(cases, deadlines.c.case_id == cases.c.id))
            .where(counted, deadlines.c.met_on.is_(None)).group_by(*handler, deadlines.c.due_on)):
        add_to(days, (office_id, handler_id, day), (0, n))
        add_to(handlers, (office_id, handler_id), (0, 0, n))
    counts = new_counts(WORKLOAD.tables)
    counts[WorkloadHandler.__table__], counts[WorkloadDay.__table__] = handlers, days
    return counts


def touched_cases(session: Session) -> tuple[set[int], list]:
    """The cases a flush may move in or out of the counts: new, deleted or
    changed in what is counted, and those whose deadlines change."""
    ids: set[int | None] = set()
    pending = []
    for obj in session.new:
        if isinstance(obj, Case):
            pending.append(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case) and obj not in session.new and (obj in session.deleted or changed(obj, CASE_FIELDS)):
            ids.add(stored_id(obj))
        elif isinstance(obj, CaseDeadline) and (obj not in session.dirty or changed(obj, DEADLINE_FIELDS)):
            case_ids, _new_cases = references(obj, "case_id", "case")  # new cases: counted as new already
            ids |= case_ids
    return {i for i in ids if i is not None}, pending


WORKLOAD = Tally("workload", (WorkloadHandler.__table__, WorkloadDay.__table__), count_workload, touched_cases)


class Handler(NamedTuple):
    id: int
    full_name: str


@dataclass
class WorkloadRow:
    user: Handler
    open_cases: int
    average_age_days: float
    oldest_age_days: int
    overdue: int


def workload_rows(office_id: int, today: date) -> list[WorkloadRow]:
    """Open cases per handler of the office with their ages, and their
    deadlines overdue today, most cases first: one statement over a row per
    handler (and their name), the day of its oldest case and its days with
    deadlines from today on."""
    rows = db.session.execute(_rows_statement(), {"office_id": office_id, "today": today})
    epoch = (today - EPOCH).days
    return [WorkloadRow(Handler(handler_id, name), count, (count * epoch - int(received_days)) / count,
                        (today - _as_date(first)).days, int(overdue))
            for handler_id, name, count, received_days, first, overdue in rows]


@built_once
def _rows_statement() -> sa.Select:
    handler, day = WorkloadHandler, WorkloadDay
    same_handler = sa.and_(day.office_id == handler.office_id, day.handler_id == handler.handler_id)
    oldest = sa.select(sa.func.min(day.day)).where(same_handler, day.open_cases > 0).scalar_subquery()
    not_yet_due = (sa.select(sa.func.coalesce(sa.func.sum(day.open_deadlines), 0))
                   .where(same_handler, day.day >= sa.bindparam("today", type_=sa.Date)).scalar_subquery())
    office_id = sa.bindparam("office_id")
    return (sa.select(handler.handler_id, User.full_name, handler.open_cases, handler.received_days, oldest,
                      handler.open_deadlines - not_yet_due)
            .join(User, sa.and_(User.id == handler.handler_id, User.office_id == office_id))  # still of the office
            .where(handler.office_id == office_id, handler.open_cases > 0)
            .order_by(handler.open_cases.desc(), handler.handler_id))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
