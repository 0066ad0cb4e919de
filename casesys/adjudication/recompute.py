"""Recomputing the stored deadlines of many cases at once, e.g. after a new
year's calendar is entered (SPEC §9: provisional dates are recomputed).

Works on plain rows, not ORM objects, so 100,000 cases take seconds.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import CaseDeadline, ClockStop
from casesys.adjudication.next_deadline import refresh_next_deadlines
from casesys.adjudication.rules import current_rules
from casesys.adjudication.workload import WORKLOAD
from casesys.cases.models import Case, Party
from casesys.core import clock
from casesys.core.tallies import kept
from casesys.domain.deadlines import (
    ADJUDICATION_KINDS,
    ANSWER_PREFIX,
    SUE_PREFIX,
    DeadlineFacts,
    Respondent,
    compute_deadlines,
)
from casesys.domain.deadlines import (
    ClockStop as StopFacts,
)
from casesys.domain.enums import OPEN_STATES, CaseState, CaseType, PartyRole, Procedure
from casesys.extensions import db

BATCH = 5000
FACT_COLUMNS = (Case.id, Case.procedure, Case.received_on, Case.accepted_on, Case.served_on,
                Case.answer_received_on, Case.answer_forwarded_on, Case.short_answer_agreed, Case.extensions,
                Case.decided_on, Case.decision_served_on, Case.closed_on, Case.state)


def _facts(row, stops, parties=()) -> DeadlineFacts:
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    return DeadlineFacts(
        procedure=Procedure(row.procedure) if row.procedure else None, received_on=row.received_on,
        accepted_on=row.accepted_on, served_on=row.served_on, answer_received_on=row.answer_received_on,
        answer_forwarded_on=row.answer_forwarded_on, short_answer_agreed=row.short_answer_agreed,
        extended=row.extensions > 0, decided_on=row.decided_on, decision_served_on=row.decision_served_on,
        closed_on=row.closed_on, not_accepted=row.state == CaseState.NOT_ACCEPTED,
        stops=tuple(stops),
        # the same per-party facts as adjudication.services.deadline_facts
        respondents=tuple(Respondent(str(p.id), p.name, p.request_served_on or row.served_on,
                                     p.answer_received_on or (row.answer_received_on if len(respondents) == 1 else None))
                          for p in respondents),
        ruling_receipts=tuple((str(p.id), p.name, p.decision_received_on) for p in parties if p.decision_received_on),
    )


def recompute_deadlines(*, only_case_ids: sa.Select | None = None, today: date | None = None,
                        progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute and store the deadlines of adjudication cases (all, or those
    selected); returns the number of cases done. `progress(chunk, total)`
    after each chunk."""
    today = today or clock.today()
    rules, calendar = current_rules(), current_calendar()
    where = [Case.case_type == CaseType.ADJUDICATION]
    if only_case_ids is not None:
        where.append(Case.id.in_(only_case_ids))
    ids = db.session.scalars(sa.select(Case.id).where(*where).order_by(Case.id)).all()
    table = CaseDeadline.__table__
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = db.session.execute(sa.select(*FACT_COLUMNS).where(Case.id.in_(chunk))).all()
        stops = defaultdict(list)
        for stop in db.session.execute(sa.select(ClockStop.case_id, ClockStop.kind, ClockStop.started_on,
                                                 ClockStop.ended_on).where(ClockStop.case_id.in_(chunk))):
            stops[stop.case_id].append(StopFacts(stop.kind, stop.started_on, stop.ended_on))
        parties = defaultdict(list)
        for party in db.session.execute(sa.select(
                Party.case_id, Party.id, Party.name, Party.role, Party.request_served_on, Party.answer_received_on,
                Party.decision_received_on).where(Party.case_id.in_(chunk)).order_by(Party.position, Party.id)):
            parties[party.case_id].append(party)
        values = []
        for row in rows:
            for item in compute_deadlines(_facts(row, stops[row.id], parties[row.id]), rules, calendar, today):
                values.append({"case_id": row.id, "kind": item.kind, "label": item.label, "owner": item.owner.value,
                               "due_on": item.due, "provisional": item.provisional, "paused": item.paused,
                               "met_on": item.met_on, "explanation": item.explanation})
        with kept(WORKLOAD, db.session.connection(), chunk):  # the workload counts their deadlines
            db.session.execute(sa.delete(table).where(table.c.case_id.in_(chunk), sa.or_(
                table.c.kind.in_(ADJUDICATION_KINDS), table.c.kind.startswith(ANSWER_PREFIX),
                table.c.kind.startswith(SUE_PREFIX))))
            if values:
                db.session.execute(sa.insert(table), values)
        refresh_next_deadlines(db.session.connection(), chunk)  # stored beside the deadlines
        if progress:
            progress(len(chunk), len(ids))
    return len(ids)


def open_cases() -> sa.Select:
    """The cases a changed deadline rule applies to."""
    return sa.select(Case.id).where(Case.state.in_(OPEN_STATES))


def cases_with_deadlines_in_year(year: int) -> sa.Select:
    """Cases whose deadlines may change when `year`'s schedule changes."""
    return sa.select(CaseDeadline.case_id).where(
        sa.or_(CaseDeadline.provisional.is_(True),
               CaseDeadline.due_on.between(date(year - 1, 10, 1), date(year, 12, 31)))
    ).distinct()
