"""A user's to-do list (SPEC §10): the open deadlines of the cases they
handle, sit on the panel of or mediate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline, PanelMember
from casesys.cases.models import Case
from casesys.core import clock
from casesys.core.database import built_once
from casesys.desk.models import TodoCase
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db
from casesys.mediation.models import Mediation, Mediator, mediation_mediators


def my_open_cases() -> sa.Subquery:
    """(id, state) of the cases with an open deadline that the user (bound as
    `user_id`) handles, sits on the panel of, or mediates: a range of the
    table the database keeps of them (`members`)."""
    return (sa.select(TodoCase.case_id.label("id"), TodoCase.state)
            .where(TodoCase.user_id == sa.bindparam("user_id")).subquery("mine"))


def members() -> sa.Select:
    """(user_id, case_id, state) of every case with an open deadline (`next_due_on`
    set) and the users whose to-do it is on: its handler (closed cases drop
    out, except those closed by mediation, whose agreement terms are still
    followed up), its panel and its mediators. `todo_cases` holds exactly
    these, kept by triggers; the tests compare the two after every test."""
    has_open_deadline = Case.next_due_on.is_not(None)
    handled = sa.select(Case.handler_id, Case.id, Case.state).where(
        Case.handler_id.is_not(None), has_open_deadline,
        sa.or_(Case.state.in_(OPEN_STATES), Case.closing_type == "mediated"))
    on_panel = (sa.select(PanelMember.user_id, Case.id, Case.state).join(PanelMember, PanelMember.case_id == Case.id)
                .where(has_open_deadline))
    mediating = (sa.select(Mediator.user_id, Case.id, Case.state).join(Mediation, Mediation.case_id == Case.id)
                 .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
                 .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
                 .where(Mediator.user_id.is_not(None), has_open_deadline))
    return sa.union(handled, on_panel, mediating)


def stale_todo_cases(connection: sa.Connection) -> list[tuple]:
    """Pairs in `todo_cases` but not in `members()`, or the other way round: empty when kept."""
    kept = sa.select(TodoCase.user_id, TodoCase.case_id, TodoCase.state)
    expected = sa.select(members().subquery())  # SQLite takes no compound SELECT in parentheses
    return [*connection.execute(sa.except_(kept, expected)), *connection.execute(sa.except_(expected, kept))]


@dataclass(frozen=True)
class TodoDeadline:
    """What the list shows of a deadline (and `urgency` reads)."""
    id: int
    kind: str
    label: str
    owner: str
    due_on: date
    met_on: date | None
    provisional: bool
    paused: bool


@dataclass
class TodoItem:
    deadline: TodoDeadline
    case_id: int
    number: str
    title: str
    state: str
    procedure: str | None
    revision: int  # the case's: the key its rendered row is kept under (casesys.core.fragments)


URGENCIES = ("overdue", "due_today", "open")  # casesys.domain.deadlines.urgency of what the list shows


@dataclass
class TodoCounts:
    overdue: int = 0
    due_today: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_today + self.open


def _todo_deadlines(*columns) -> sa.Select:
    """The user's open deadlines (SPEC §10), selecting `columns` of them
    (bound: `user_id`, `today`)."""
    mine = my_open_cases()
    # A party's period that has run out needs nothing more from the office.
    return (sa.select(*columns).select_from(CaseDeadline).join(mine, CaseDeadline.case_id == mine.c.id)
            .where(CaseDeadline.met_on.is_(None),
                   sa.or_(mine.c.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%")),
                   sa.or_(CaseDeadline.owner == "office", CaseDeadline.due_on >= sa.bindparam("today"))))


def _urgency() -> tuple:
    office, today = CaseDeadline.owner == "office", sa.bindparam("today")
    return sa.and_(office, CaseDeadline.due_on < today), sa.and_(office, CaseDeadline.due_on == today)


@built_once
def _counts_statement() -> sa.Select:
    overdue, due_today = _urgency()
    level = sa.case((overdue, "overdue"), (due_today, "due_today"), else_="open")
    return _todo_deadlines(level, sa.func.count()).group_by(level)


@built_once
def _page_statement() -> sa.Select:
    """One pass over the user's deadlines: the page's ids with the counts by
    urgency of all of them beside each (window sums are taken before the limit)."""
    overdue, due_today = _urgency()
    return (_todo_deadlines(CaseDeadline.id, sa.func.count().over(),
                            sa.func.sum(sa.case((overdue, 1), else_=0)).over(),
                            sa.func.sum(sa.case((due_today, 1), else_=0)).over())
            .order_by(CaseDeadline.due_on, CaseDeadline.id)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


@built_once
def _rows_statement() -> sa.Select:
    """The page's deadlines with their cases: the columns the list shows, no ORM objects."""
    return (sa.select(CaseDeadline.id, CaseDeadline.kind, CaseDeadline.label, CaseDeadline.owner,
                      CaseDeadline.due_on, CaseDeadline.met_on, CaseDeadline.provisional, CaseDeadline.paused,
                      Case.id, Case.number, Case.title, Case.state, Case.procedure, Case.revision)
            .join(Case, CaseDeadline.case_id == Case.id)
            .where(CaseDeadline.id.in_(sa.bindparam("ids", expanding=True)))
            .order_by(CaseDeadline.due_on, CaseDeadline.id))


def todo_counts(user, today: date) -> TodoCounts:
    """The user's open deadlines by urgency, in one grouped statement."""
    rows = db.session.execute(_counts_statement(), {"user_id": user.id, "today": today}).all()
    return TodoCounts(**{name: count for name, count in rows})


def todo_items(user, *, page: int, per_page: int, today: date | None = None) -> tuple[list[TodoItem], TodoCounts]:
    """Open deadlines of the user's open cases, most urgent (overdue) first, a page of them."""
    today = today or clock.today()
    page_rows = db.session.execute(_page_statement(), {"user_id": user.id, "today": today, "limit": per_page,
                                                       "offset": (page - 1) * per_page}).all()
    if page_rows:
        _, total, overdue_count, today_count = page_rows[0]
        counts = TodoCounts(int(overdue_count), int(today_count), total - int(overdue_count) - int(today_count))
    else:  # past the last page (or nothing to do): the counts alone
        return [], todo_counts(user, today) if page > 1 else TodoCounts()
    rows = db.session.execute(_rows_statement(), {"ids": [row[0] for row in page_rows]}).all()
    return [TodoItem(TodoDeadline(*row[:8]), *row[8:]) for row in rows], counts


