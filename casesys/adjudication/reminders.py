"""Reminders of deadlines (SPEC §10): due within N working days, due today,
overdue. Each (deadline, due date, level, user) is reminded once: the
database's unique constraint decides, so a job that runs twice, or two
schedulers, cannot send twice."""
from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import CaseDeadline, PanelMember, Reminder
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.core.database import dialect_name
from casesys.core.settings import get_setting
from casesys.core.types import utcnow
from casesys.domain.calendar import Unit
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db

LEVELS = {"upcoming": "即将到期", "due": "今日到期", "overdue": "已逾期"}


def level_of(due_on: date, today: date, horizon: date) -> str | None:
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due"
    if due_on <= horizon:
        return "upcoming"
    return None


def _recipients(case_ids: list[int]) -> dict[int, set[int]]:
    """Handler and panel members of each case."""
    people: dict[int, set[int]] = {cid: set() for cid in case_ids}
    for cid, handler in db.session.execute(sa.select(Case.id, Case.handler_id).where(Case.id.in_(case_ids))):
        if handler:
            people[cid].add(handler)
    for cid, uid in db.session.execute(sa.select(PanelMember.case_id, PanelMember.user_id)
                                       .where(PanelMember.case_id.in_(case_ids))):
        people[cid].add(uid)
    from casesys.mediation.models import Mediation, Mediator, mediation_mediators

    for cid, uid in db.session.execute(
        sa.select(Mediation.case_id, Mediator.user_id)
        .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
        .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
        .where(Mediation.case_id.in_(case_ids), Mediator.user_id.is_not(None))
    ):
        people[cid].add(uid)  # SPEC §10: mediation limit, confirmation window, terms
    return people


def _insert_once(values: dict) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the id only for the one
    caller that really created the reminder."""
    if dialect_name() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(Reminder.__table__).values(**values).on_conflict_do_nothing().returning(Reminder.__table__.c.id)
    return db.session.execute(stmt).scalar()


def create_reminders(today: date | None = None) -> list[int]:
    """Reminders for the office's open deadlines; returns the new ones' ids."""
    today = today or date.today()
    horizon = current_calendar().add(today, int(get_setting("reminder_working_days")), Unit.WORKING).date
    rows = db.session.execute(
        sa.select(CaseDeadline.case_id, CaseDeadline.kind, CaseDeadline.label, CaseDeadline.due_on, Case.number)
        .join(Case, CaseDeadline.case_id == Case.id)
        .where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on <= horizon, CaseDeadline.owner == "office",
               CaseDeadline.paused.is_(False),
               # agreement terms are followed up after the case itself has ended
               sa.or_(Case.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%")))
    ).all()
    people = _recipients(sorted({r.case_id for r in rows}))
    created = []
    for row in rows:
        level = level_of(row.due_on, today, horizon)
        for user_id in sorted(people.get(row.case_id, ())):
            new_id = _insert_once({
                "case_id": row.case_id, "deadline_kind": row.kind, "due_on": row.due_on, "level": level,
                "user_id": user_id, "created_at": utcnow(),
                "message": f"{row.number}：{row.label}{LEVELS[level]}（{row.due_on.isoformat()}）",
            })
            if new_id is not None:
                created.append(new_id)
    from casesys.referrals.reminders import referral_reminders  # SPEC §6: referral limits, same job

    created += referral_reminders(today, horizon, level_of, _insert_once)
    return created


def send_reminder_emails(reminder_ids: list[int]) -> int:
    """E-mail the new reminders when SMTP is configured; returns how many."""
    config = current_app.config
    if not config.get("SMTP_HOST") or not reminder_ids:
        return 0
    rows = db.session.execute(
        sa.select(Reminder, User.email).join(User, Reminder.user_id == User.id)
        .where(Reminder.id.in_(reminder_ids), Reminder.emailed_at.is_(None), User.email != "")).all()
    sent = 0
    with smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT", 25)), timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        for reminder, email in rows:
            message = EmailMessage()
            message["Subject"] = f"【期限提醒】{reminder.message}"
            message["From"] = config.get("MAIL_FROM", "casesys@localhost")
            message["To"] = email
            message.set_content(f"{reminder.message}\n\n请登录办案系统查看待办事项。")
            smtp.send_message(message)
            reminder.emailed_at = utcnow()
            sent += 1
    return sent


def run_reminders(today: date | None = None) -> tuple[int, int]:
    """The scheduled job: end mediations whose consent period passed in
    silence, create reminders, commit them, then e-mail."""
    from casesys.mediation.services import expire_consents

    expire_consents(today)
    db.session.commit()
    created = create_reminders(today)
    db.session.commit()
    sent = send_reminder_emails(created)
    db.session.commit()
    return len(created), sent


def mark_read(user) -> None:
    db.session.execute(sa.update(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
                       .values(read_at=utcnow()))
