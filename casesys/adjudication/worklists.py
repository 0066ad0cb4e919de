"""The notices on a user's to-do list, and the supervisors' workload view (SPEC §10)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline, Reminder
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import record_event
from casesys.core import clock
from casesys.core.database import built_once, epoch_days
from casesys.domain.deadlines import ReminderLevel
from casesys.domain.enums import OPEN_STATES
from casesys.domain.events import EventKind
from casesys.extensions import db


def add_todo_notice(user_id: int, case: Case, *, kind: str, message: str, level: ReminderLevel) -> None:
    """A line on the user's to-do list (and its menu badge) until read: a
    returned document, a decided approval. One per kind, case and day."""
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
    return db.session.scalar(_unread_count_statement(), {"user_id": user.id}) or 0


@built_once
def _unread_count_statement() -> sa.Select:
    return sa.select(sa.func.count()).select_from(Reminder).where(
        Reminder.user_id == sa.bindparam("user_id"), Reminder.read_at.is_(None))


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
