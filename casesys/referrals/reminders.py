"""Reminders of referral limits (SPEC §6, §10), created by the same job as
the case reminders, once per deadline, due date, level and user."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import Office, User, UserRole
from casesys.core import clock
from casesys.domain.enums import Role
from casesys.domain.referrals import OPEN_REFERRAL_STATES
from casesys.extensions import db
from casesys.referrals.models import Referral


def _supervisors(office_ids: set[int]) -> dict[int, set[int]]:
    people: dict[int, set[int]] = {}
    for user_id, office_id in db.session.execute(
        sa.select(User.id, User.office_id).join(UserRole, UserRole.user_id == User.id)
        .where(User.office_id.in_(office_ids), User.active.is_(True), UserRole.role == Role.SUPERVISOR)
    ):
        people.setdefault(office_id, set()).add(user_id)
    return people


def referral_reminders(today: date, horizon: date, level_of, insert_once) -> list[int]:
    """Both sides are reminded (SPEC §6: overdue flagged on both sides): the
    handler of each local side, or its supervisors while nobody handles it."""
    rows = db.session.execute(
        sa.select(CaseDeadline.referral_id, CaseDeadline.kind, CaseDeadline.label, CaseDeadline.due_on, Referral)
        .join(Referral, CaseDeadline.referral_id == Referral.id)
        .where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on <= horizon,
               Referral.state.in_(OPEN_REFERRAL_STATES))
    ).all()
    local = set(db.session.scalars(sa.select(Office.id).where(Office.is_partner.is_(False))))
    supervisors = _supervisors(local)
    created = []
    for referral_id, kind, label, due_on, referral in rows:
        level = level_of(due_on, today, horizon)
        people: set[int] = set()
        for office_id, handler_id in ((referral.sender_office_id, referral.sender_handler_id),
                                      (referral.receiver_office_id, referral.receiver_handler_id)):
            if office_id in local:
                people |= {handler_id} if handler_id else supervisors.get(office_id, set())
        for user_id in sorted(people):
            new_id = insert_once({
                "referral_id": referral_id, "deadline_kind": kind, "due_on": due_on, "level": level,
                "user_id": user_id, "created_at": clock.utcnow(),
                "message": f"协作事项“{referral.subject[:60]}”：{label}{level.label}（{due_on.isoformat()}）",
            })
            if new_id is not None:
                created.append(new_id)
    return created
