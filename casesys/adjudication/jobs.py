"""Background jobs of deadlines (SPEC §10): the hourly reminder run and one
e-mail per reminder (retried while the mail server is down)."""
from __future__ import annotations

from casesys.core import clock
from casesys.jobs import job_handler


@job_handler("reminders.run", max_attempts=3, label="期限提醒")
def run_reminders_job(job, progress) -> dict:
    from casesys.adjudication.reminders import run_reminders

    created, queued = run_reminders(clock.today())
    return {"created": created, "emails": queued}


@job_handler("reminders.email", max_attempts=10, label="提醒邮件")
def send_reminder_email_job(job, progress) -> dict:
    from casesys.adjudication.reminders import send_reminder_email

    return {"sent": send_reminder_email(int(job.payload["reminder_id"]))}
