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
from casesys.core.clock import utcnow
from casesys.core.database import insert_once
from casesys.core.registry import Hook
from casesys.core.settings import get_setting
from casesys.domain.calendar import Unit
from casesys.domain.deadlines import reminder_level
from casesys.domain.enums import OPEN_STATES
from casesys.extensions import db
from casesys.jobs import enqueue

level_of = reminder_level

# What the other features add to the reminders' run (filled at app creation):
#: (case ids) → (case id, user id) pairs: who else is reminded of a case's deadlines (its mediators).
reminder_recipients = Hook("reminder_recipients")
#: (today, horizon, level_of, insert_once) → ids of the reminders made (referral limits, SPEC §6).
reminder_sources = Hook("reminder_sources")
#: (today) → before the reminders: what the passing of time ends (a consent period run out, SPEC §5).
before_reminders = Hook("before_reminders")


def _recipients(case_ids: list[int]) -> dict[int, set[int]]:
    """Handler and panel members of each case."""
    people: dict[int, set[int]] = {cid: set() for cid in case_ids}
    for cid, handler in db.session.execute(sa.select(Case.id, Case.handler_id).where(Case.id.in_(case_ids))):
        if handler:
            people[cid].add(handler)
    for cid, uid in db.session.execute(sa.select(PanelMember.case_id, PanelMember.user_id)
                                       .where(PanelMember.case_id.in_(case_ids))):
        people[cid].add(uid)
    for pairs in reminder_recipients(case_ids):
        for cid, uid in pairs:
            people[cid].add(uid)
    return people


def create_reminders(today: date) -> list[int]:
    """Reminders for the office's open deadlines; returns the new ones' ids."""
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
            new_id = insert_once(Reminder.__table__, {
                "case_id": row.case_id, "deadline_kind": row.kind, "due_on": row.due_on, "level": level,
                "user_id": user_id, "created_at": utcnow(),
                "message": f"{row.number}：{row.label}{level.label}（{row.due_on.isoformat()}）",
            })
            if new_id is not None:
                created.append(new_id)
    for made in reminder_sources(today, horizon, level_of, lambda values: insert_once(Reminder.__table__, values)):
        created += made
    return created


def queue_reminder_emails(reminder_ids: list[int]) -> int:
    """One e-mail job per new reminder of a user with an address, when SMTP
    is configured: a job that fails (SMTP down) is retried later, not lost."""
    if not current_app.config.get("SMTP_HOST") or not reminder_ids:
        return 0
    ids = db.session.scalars(
        sa.select(Reminder.id).join(User, Reminder.user_id == User.id)
        .where(Reminder.id.in_(reminder_ids), Reminder.emailed_at.is_(None), User.email != "")
        .order_by(Reminder.id)).all()
    for reminder_id in ids:
        enqueue("reminders.email", {"reminder_id": reminder_id})
    return len(ids)


def send_reminder_email(reminder_id: int) -> bool:
    """Send one reminder's e-mail, unless already sent; raises if SMTP fails."""
    config = current_app.config
    row = db.session.execute(
        sa.select(Reminder, User.email).join(User, Reminder.user_id == User.id).where(Reminder.id == reminder_id)
    ).first()
    if row is None or row.Reminder.emailed_at is not None or not row.email or not config.get("SMTP_HOST"):
        return False
    reminder = row.Reminder
    message = EmailMessage()
    message["Subject"] = f"【期限提醒】{reminder.message}"
    message["From"] = config.get("MAIL_FROM", "casesys@localhost")
    message["To"] = row.email
    message.set_content(f"{reminder.message}\n\n请登录办案系统查看待办事项。")
    with smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT", 25)), timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
    # Marked in the job's transaction: if the commit is lost after sending,
    # the retry sends once more (at least once, never silently dropped).
    reminder.emailed_at = utcnow()
    db.session.flush()
    return True


def run_reminders(today: date) -> tuple[int, int]:
    """The timed job's work: end what the passing of time ends (mediations
    whose consent period passed in silence), create the reminders due
    `today` and queue their e-mails; the caller commits. Returns (reminders
    created, e-mails queued)."""
    before_reminders(today)
    created = create_reminders(today)
    return len(created), queue_reminder_emails(created)


def mark_read(user) -> None:
    db.session.execute(sa.update(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
                       .values(read_at=utcnow()))
