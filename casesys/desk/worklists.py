"""A user's to-do list (SPEC §10): the open deadlines of the cases they
handle, sit on the panel of or mediate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline, PanelMember
from casesys.cases.models import Case
from casesys.core import clock
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db
from casesys.mediation.models import Mediation, Mediator, mediation_mediators


def my_open_cases(user) -> sa.Subquery:
    """(id, state) of the cases with an open deadline (`next_due_on` set) that
    the user handles, sits on the panel of, or mediates. A UNION, not an OR,
    so that each part reads its own small index: the partial indexes of cases
    with an open deadline hold the state, so no case row is read."""
    has_open_deadline = Case.next_due_on.is_not(None)
    # Closed cases drop out, except those closed by mediation, whose agreement terms are still followed up.
    handled = sa.select(Case.id, Case.state).where(
        Case.handler_id == user.id, has_open_deadline,
        sa.or_(Case.state.in_(OPEN_STATES), Case.closing_type == "mediated"))
    on_panel = (sa.select(Case.id, Case.state).join(PanelMember, PanelMember.case_id == Case.id)
                .where(PanelMember.user_id == user.id, has_open_deadline))
    mediating = (sa.select(Case.id, Case.state).join(Mediation, Mediation.case_id == Case.id)
                 .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
                 .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
                 .where(Mediator.user_id == user.id, has_open_deadline))
    return sa.union(handled, on_panel, mediating).subquery("mine")


@dataclass
class TodoItem:
    deadline: CaseDeadline
    case_id: int
    number: str
    title: str
    state: str
    procedure: str | None = None


URGENCIES = ("overdue", "due_today", "open")  # casesys.domain.deadlines.urgency of what the list shows


@dataclass
class TodoCounts:
    overdue: int = 0
    due_today: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_today + self.open


def _todo_deadlines(user, today: date, *columns) -> sa.Select:
    """The user's open deadlines (SPEC §10), selecting `columns` of them."""
    mine = my_open_cases(user)
    # A party's period that has run out needs nothing more from the office.
    return (sa.select(*columns).select_from(CaseDeadline).join(mine, CaseDeadline.case_id == mine.c.id)
            .where(CaseDeadline.met_on.is_(None),
                   sa.or_(mine.c.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%")),
                   sa.or_(CaseDeadline.owner == "office", CaseDeadline.due_on >= today)))


def _urgency(today: date) -> tuple:
    office = CaseDeadline.owner == "office"
    return sa.and_(office, CaseDeadline.due_on < today), sa.and_(office, CaseDeadline.due_on == today)


def todo_counts(user, today: date) -> TodoCounts:
    """The user's open deadlines by urgency, in one grouped statement."""
    overdue, due_today = _urgency(today)
    level = sa.case((overdue, "overdue"), (due_today, "due_today"), else_="open")
    rows = db.session.execute(_todo_deadlines(user, today, level, sa.func.count()).group_by(level)).all()
    return TodoCounts(**{name: count for name, count in rows})


def todo_items(user, *, page: int, per_page: int, today: date | None = None) -> tuple[list[TodoItem], TodoCounts]:
    """Open deadlines of the user's open cases, most urgent (overdue) first, a page of them."""
    today = today or clock.today()
    overdue, due_today = _urgency(today)
    # One pass over the user's deadlines: the page's ids with the counts by
    # urgency of all of them beside each (window sums are taken before the limit).
    page_rows = db.session.execute(
        _todo_deadlines(user, today, CaseDeadline.id, sa.func.count().over(),
                        sa.func.sum(sa.case((overdue, 1), else_=0)).over(),
                        sa.func.sum(sa.case((due_today, 1), else_=0)).over())
        .order_by(CaseDeadline.due_on, CaseDeadline.id).limit(per_page).offset((page - 1) * per_page)).all()
    if page_rows:
        _, total, overdue_count, today_count = page_rows[0]
        counts = TodoCounts(int(overdue_count), int(today_count), total - int(overdue_count) - int(today_count))
    else:  # past the last page (or nothing to do): the counts alone
        return [], todo_counts(user, today) if page > 1 else TodoCounts()
    # Whole rows (explanations are long) for the page only.
    rows = db.session.execute(
        sa.select(CaseDeadline, Case.id, Case.number, Case.title, Case.state, Case.procedure)
        .join(Case, CaseDeadline.case_id == Case.id).where(CaseDeadline.id.in_([row[0] for row in page_rows]))
        .order_by(CaseDeadline.due_on, CaseDeadline.id)).all()
    return [TodoItem(d, cid, number, title, state, procedure)
            for d, cid, number, title, state, procedure in rows], counts
