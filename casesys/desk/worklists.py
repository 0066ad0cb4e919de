"""A user's to-do list (SPEC §10): the open deadlines of the cases they
handle, sit on the panel of or mediate; and what waits for a supervisor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import Approval, CaseDeadline, PanelMember
from casesys.cases.models import Case
from casesys.core import clock
from casesys.documents.models import Document
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db
from casesys.mediation.models import Mediation, Mediator, mediation_mediators


def my_cases_clause(user):
    """Cases the user handles, sits on the panel of, or mediates. A UNION
    inside IN, not an OR, so that each part uses its own index."""
    # Closed cases drop out early (the (handler_id, state) index), except those
    # closed by mediation, whose agreement terms are still followed up.
    # Only cases with an open deadline: a range of the (handler_id, next_due_on) index.
    handled = sa.select(Case.id).where(Case.handler_id == user.id, Case.next_due_on.is_not(None),
                                       sa.or_(Case.state.in_(OPEN_STATES), Case.closing_type == "mediated"))
    on_panel = sa.select(PanelMember.case_id).where(PanelMember.user_id == user.id)
    mediating = (sa.select(Mediation.case_id)
                 .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
                 .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
                 .where(Mediator.user_id == user.id))
    return Case.id.in_(sa.union(handled, on_panel, mediating))


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


def _todo_where(user, today: date) -> tuple:
    # A party's period that has run out needs nothing more from the office.
    return (my_cases_clause(user), CaseDeadline.met_on.is_(None),
            sa.or_(Case.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%")),
            sa.or_(CaseDeadline.owner == "office", CaseDeadline.due_on >= today))


def todo_counts(user, today: date) -> TodoCounts:
    """The user's open deadlines by urgency, in one grouped statement."""
    office = CaseDeadline.owner == "office"
    level = sa.case((sa.and_(office, CaseDeadline.due_on < today), "overdue"),
                    (sa.and_(office, CaseDeadline.due_on == today), "due_today"), else_="open")
    rows = db.session.execute(sa.select(level, sa.func.count()).select_from(CaseDeadline)
                              .join(Case, CaseDeadline.case_id == Case.id)
                              .where(*_todo_where(user, today)).group_by(level)).all()
    return TodoCounts(**{name: count for name, count in rows})


def todo_items(user, *, page: int, per_page: int, today: date | None = None) -> tuple[list[TodoItem], TodoCounts]:
    """Open deadlines of the user's open cases, most urgent (overdue) first, a page of them."""
    today = today or clock.today()
    counts = todo_counts(user, today)
    # The page's ids from the covering index first; whole rows (explanations are long) for those only.
    page_ids = (sa.select(CaseDeadline.id).join(Case, CaseDeadline.case_id == Case.id)
                .where(*_todo_where(user, today)).order_by(CaseDeadline.due_on, CaseDeadline.id)
                .limit(per_page).offset((page - 1) * per_page))
    rows = db.session.execute(
        sa.select(CaseDeadline, Case.id, Case.number, Case.title, Case.state, Case.procedure)
        .join(Case, CaseDeadline.case_id == Case.id).where(CaseDeadline.id.in_(page_ids))
        .order_by(CaseDeadline.due_on, CaseDeadline.id)
    ).all() if counts.total > (page - 1) * per_page else []
    return [TodoItem(d, cid, number, title, state, procedure)
            for d, cid, number, title, state, procedure in rows], counts


def waiting_approvals(user) -> int:
    """Requests and documents of the supervisor's office awaiting a decision by someone else than their author."""
    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    # Two counts over the status indexes, in one statement (the menu shows it on every page).
    steps = (sa.select(sa.func.count(Approval.id)).join(Case, Approval.case_id == Case.id)
             .where(scope, Approval.status == "pending", Approval.requested_by_id != user.id).scalar_subquery())
    documents = (sa.select(sa.func.count(Document.id)).join(Case, Document.case_id == Case.id)
                 .where(scope, Document.status == "pending",
                        sa.or_(Document.created_by_id.is_(None), Document.created_by_id != user.id)).scalar_subquery())
    return db.session.scalar(sa.select(steps + documents))
