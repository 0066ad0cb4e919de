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


@job_handler("deadlines.recompute", max_attempts=3, label="重算期限")
def recompute_deadlines_job(job, progress) -> dict:
    """After an administrator changes a deadline rule (open cases) or enters a
    year's schedule (cases with deadlines around that year). Idempotent: a
    retried run simply computes again; each chunk is committed with its progress."""
    from casesys.adjudication.recompute import cases_with_deadlines_in_year, open_cases, recompute_deadlines

    year = job.payload.get("year")
    only = cases_with_deadlines_in_year(int(year)) if year else open_cases()
    done = 0

    def step(count: int, total: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return {"cases": recompute_deadlines(only_case_ids=only, progress=step)}
