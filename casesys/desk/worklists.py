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
from casesys.desk.models import TodoCase, TodoEntry
from casesys.domain.deadlines import Party as Owner
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db
from casesys.mediation.models import Mediation, Mediator, mediation_mediators


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


def deadline_members() -> sa.Select:
    """(user_id, deadline_id, due_on, office) of every deadline the to-do of a
    user may show (SPEC §10): not met, of a case on their to-do (`todo_cases`),
    and of a closed case only those of its mediation (agreement terms followed
    up). `todo_deadlines` holds exactly these, kept by triggers; the tests
    compare the two after every test."""
    return (sa.select(TodoCase.user_id, CaseDeadline.id, CaseDeadline.due_on, CaseDeadline.owner == Owner.OFFICE)
            .join(TodoCase, TodoCase.case_id == CaseDeadline.case_id)
            .where(CaseDeadline.met_on.is_(None),
                   sa.or_(TodoCase.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%"))))


def _differences(connection: sa.Connection, kept: sa.Select, expected: sa.Select) -> list[tuple]:
    """Rows in `kept` but not in `expected`, or the other way round: empty when kept."""
    expected = sa.select(expected.subquery())  # SQLite takes no compound SELECT in parentheses
    return [*connection.execute(sa.except_(kept, expected)), *connection.execute(sa.except_(expected, kept))]


def stale_todo_cases(connection: sa.Connection) -> list[tuple]:
    """Pairs in `todo_cases` but not in `members()`, or the other way round."""
    return _differences(connection, sa.select(TodoCase.user_id, TodoCase.case_id, TodoCase.state), members())


def stale_todo_deadlines(connection: sa.Connection) -> list[tuple]:
    """Entries in `todo_deadlines` but not in `deadline_members()`, or the other way round."""
    kept = sa.select(TodoEntry.user_id, TodoEntry.deadline_id, TodoEntry.due_on, TodoEntry.office)
    return _differences(connection, kept, deadline_members())


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


def _todo_entries(*columns) -> sa.Select:
    """The user's open deadlines (SPEC §10): their range of `todo_deadlines`,
    selecting `columns` of it (bound: `user_id`, `today`)."""
    # A party's period that has run out needs nothing more from the office.
    return sa.select(*columns).where(TodoEntry.user_id == sa.bindparam("user_id"),
                                     sa.or_(TodoEntry.office, TodoEntry.due_on >= sa.bindparam("today")))


def _urgency() -> tuple:
    today = sa.bindparam("today")
    return sa.and_(TodoEntry.office, TodoEntry.due_on < today), sa.and_(TodoEntry.office, TodoEntry.due_on == today)


@built_once
def _counts_statement() -> sa.Select:
    """All the user's entries counted by urgency in one pass over their index range."""
    overdue, due_today = _urgency()
    return _todo_entries(sa.func.count().label("total"), sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue"),
                         sa.func.sum(sa.case((due_today, 1), else_=0)).label("due_today"))


@built_once
def _page_statement() -> sa.Select:
    """The page's deadlines with their cases (the columns the list shows, no ORM
    objects), the ids a range of the index, most urgent first; and beside each,
    all the user's entries counted once: one statement for the whole page.
    (Window sums would count too, but SQLite's are 3 times slower.)"""
    ids = (_todo_entries(TodoEntry.deadline_id).order_by(TodoEntry.due_on, TodoEntry.deadline_id)
           .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    counts = _counts_statement().cte("counts")
    return (sa.select(CaseDeadline.id, CaseDeadline.kind, CaseDeadline.label, CaseDeadline.owner,
                      CaseDeadline.due_on, CaseDeadline.met_on, CaseDeadline.provisional, CaseDeadline.paused,
                      Case.id, Case.number, Case.title, Case.state, Case.procedure, Case.revision,
                      counts.c.total, counts.c.overdue, counts.c.due_today)
            .join_from(CaseDeadline, Case, CaseDeadline.case_id == Case.id).join(counts, sa.true())
            .where(CaseDeadline.id.in_(ids))
            .order_by(CaseDeadline.due_on, CaseDeadline.id))


def todo_counts(user, today: date) -> TodoCounts:
    """The user's open deadlines by urgency, in one statement."""
    return _counted(*db.session.execute(_counts_statement(), {"user_id": user.id, "today": today}).one())


def _counted(total: int, *sums: int | None) -> TodoCounts:
    overdue, due_today = (int(value or 0) for value in sums)  # a sum over no entries is NULL
    return TodoCounts(overdue, due_today, total - overdue - due_today)


def todo_items(user, *, page: int, per_page: int, today: date | None = None) -> tuple[list[TodoItem], TodoCounts]:
    """Open deadlines of the user's open cases, most urgent (overdue) first, a page of them."""
    today = today or clock.today()
    rows = db.session.execute(_page_statement(), {"user_id": user.id, "today": today, "limit": per_page,
                                                  "offset": (page - 1) * per_page}).all()
    if not rows:  # past the last page (or nothing to do): the counts alone
        return [], todo_counts(user, today)
    return [TodoItem(TodoDeadline(*row[:8]), *row[8:-3]) for row in rows], _counted(*rows[0][-3:])
