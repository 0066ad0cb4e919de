"""The notices on a user's to-do list, and the bulk reassignment of the
supervisors' workload view (SPEC §10; its figures: casesys.adjudication.workload)."""
from __future__ import annotations

import sqlalchemy as sa

from casesys.adjudication.models import Reminder
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import record_event
from casesys.core import clock
from casesys.core.database import built_once
from casesys.domain.deadlines import ReminderLevel
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


def unread_count_column() -> sa.ColumnElement[int]:
    """The number beside 待办 in the menu (bound: user_id), a column of the
    menu's one statement (casesys.desk.badges)."""
    return (sa.select(sa.func.count()).select_from(Reminder)
            .where(Reminder.user_id == sa.bindparam("user_id"), Reminder.read_at.is_(None)).scalar_subquery())


def unread_reminders(user, limit: int = 20) -> list[Reminder]:
    return list(db.session.scalars(_unread_reminders_statement(), {"user_id": user.id, "limit": limit}))


@built_once
def _unread_reminders_statement() -> sa.Select:
    return (sa.select(Reminder).where(Reminder.user_id == sa.bindparam("user_id"), Reminder.read_at.is_(None))
            .order_by(Reminder.due_on).limit(sa.bindparam("limit")))


def reassign_cases(case_ids: list[int], handler: User, *, office_id: int, actor: User) -> int:
    """Bulk (re)assignment within the supervisor's office."""
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids), Case.office_id == office_id)).all()
    for case in cases:
        if case.handler_id != handler.id:
            case.handler = handler
            record_event(case, EventKind.EDITED, f"改由 {handler.full_name} 承办", actor=actor)
    db.session.flush()
    return len(cases)
