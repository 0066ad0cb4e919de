"""Each user's to-do list and the supervisors' workload view (SPEC §10)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.core import clock
from casesys.adjudication.models import CaseDeadline, PanelMember, Reminder
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import record_event
from casesys.core.database import epoch_days
from casesys.domain.enums import OPEN_STATES
from casesys.domain.deadlines import ReminderLevel
from casesys.domain.events import EventKind
from casesys.extensions import db


def my_cases_clause(user):
    """Cases the user handles, sits on the panel of, or mediates. A UNION
    inside IN, not an OR, so that each part uses its own index."""
    from casesys.mediation.models import Mediation, Mediator, mediation_mediators

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


def add_todo_notice(user_id: int, case: Case, *, kind: str, message: str, level: ReminderLevel) -> None:
    """A line on the user's to-do list (and its menu badge) until read: a
    returned document, a decided approval. One per kind, case and day."""
    from casesys.core import clock

    today = clock.today()
    notice = db.session.scalar(sa.select(Reminder).where(
        Reminder.user_id == user_id, Reminder.case_id == case.id, Reminder.deadline_kind == kind[:32],
        Reminder.due_on == today, Reminder.level == level))
    if notice is None:
        notice = Reminder(user_id=user_id, case_id=case.id, deadline_kind=kind[:32], due_on=today, level=level)
        db.session.add(notice)
    notice.message, notice.read_at = message[:300], None


def unread_count(user) -> int:
    """The number beside 待办 in the menu."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(
        Reminder.user_id == user.id, Reminder.read_at.is_(None))) or 0


def unread_reminders(user, limit: int = 20) -> list[Reminder]:
    return db.session.scalars(
        sa.select(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
        .order_by(Reminder.due_on).limit(limit)).all()


@dataclass
class WorkloadRow:
    user: User
    open_cases: int
    average_age_days: float
    oldest_age_days: int
    overdue: int


def workload_rows(office_id: int, today: date) -> list[WorkloadRow]:
    """Open cases per handler with their ages, and overdue deadlines: one
    grouped statement over the (office_id, state, handler_id, received_on,
    next_due_on) index;
    only cases whose next open deadline has passed have their deadlines counted."""
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.office_id == office_id))}
    overdue_deadlines = (sa.select(sa.func.count()).select_from(CaseDeadline)
                         .where(CaseDeadline.case_id == Case.id, CaseDeadline.met_on.is_(None),
                                CaseDeadline.due_on < today).scalar_subquery())
    overdue = sa.func.sum(sa.case((Case.next_due_on < today, overdue_deadlines), else_=0))
    rows = db.session.execute(
        sa.select(Case.handler_id, sa.func.count(), sa.func.sum(epoch_days(Case.received_on)),
                  sa.func.min(Case.received_on), overdue)
        .where(Case.office_id == office_id, Case.state.in_(OPEN_STATES), Case.handler_id.is_not(None))
        .group_by(Case.handler_id).order_by(sa.func.count().desc(), Case.handler_id)).all()
    epoch = (today - date(1970, 1, 1)).days
    result = []
    for handler_id, count, received_days, oldest, overdue_count in rows:
        if handler_id in users:
            result.append(WorkloadRow(users[handler_id], count, (count * epoch - int(received_days)) / count,
                                      (today - _as_date(oldest)).days, int(overdue_count or 0)))
    return result


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def reassign_cases(case_ids: list[int], handler: User, *, office_id: int, actor: User) -> int:
    """Bulk (re)assignment within the supervisor's office."""
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids), Case.office_id == office_id)).all()
    for case in cases:
        if case.handler_id != handler.id:
            case.handler = handler
            record_event(case, EventKind.EDITED, f"改由 {handler.full_name} 承办", actor=actor)
    db.session.flush()
    return len(cases)


def waiting_approvals(user) -> int:
    """Requests and documents of the supervisor's office awaiting a decision by someone else than their author."""
    from casesys.adjudication.models import Approval
    from casesys.documents.models import Document

    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    # Two counts over the status indexes, in one statement (the menu shows it on every page).
    steps = (sa.select(sa.func.count(Approval.id)).join(Case, Approval.case_id == Case.id)
             .where(scope, Approval.status == "pending", Approval.requested_by_id != user.id).scalar_subquery())
    documents = (sa.select(sa.func.count(Document.id)).join(Case, Document.case_id == Case.id)
                 .where(scope, Document.status == "pending",
                        sa.or_(Document.created_by_id.is_(None), Document.created_by_id != user.id)).scalar_subquery())
    return db.session.scalar(sa.select(steps + documents))
