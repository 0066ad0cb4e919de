"""Reminders (SPEC §10): once per deadline, level and user — even when the
job runs twice — and by e-mail through a real SMTP server."""
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from casesys.adjudication.models import Reminder
from casesys.adjudication.reminders import create_reminders, level_of, run_reminders
from casesys.core import clock
from casesys.domain.enums import Role
from casesys.domain.jobs import JobState
from casesys.jobs import enqueue
from casesys.jobs.models import Job
from casesys.jobs.worker import run_due_jobs


@pytest.fixture
def case_due_soon(db, factory):
    officer = factory.user(Role.OFFICER, email="officer@example.cn")
    # Received 2026-11-23 (Mon): acceptance due 2026-11-30 (5 working days).
    case = factory.case(officer, received_on=date(2026, 11, 23))
    return case, officer


def test_levels():
    horizon = date(2026, 12, 3)
    assert level_of(date(2026, 11, 26), date(2026, 11, 27), horizon) == "overdue"
    assert level_of(date(2026, 11, 27), date(2026, 11, 27), horizon) == "due"
    assert level_of(date(2026, 12, 2), date(2026, 11, 27), horizon) == "upcoming"
    assert level_of(date(2026, 12, 4), date(2026, 11, 27), horizon) is None


def test_reminder_is_created_once_even_if_the_job_runs_twice(db, case_due_soon):
    case, officer = case_due_soon
    first = create_reminders(today=date(2026, 11, 26))
    db.session.commit()
    second = create_reminders(today=date(2026, 11, 26))
    db.session.commit()
    assert len(first) == 1 and second == []
    reminder = db.session.scalar(sa.select(Reminder))
    assert (reminder.user_id, reminder.level, reminder.deadline_kind) == (officer.id, "upcoming", "acceptance")
    assert case.number in reminder.message
    # The next level is a new reminder: due today, then overdue.
    assert len(create_reminders(today=date(2026, 11, 30))) == 1
    assert len(create_reminders(today=date(2026, 12, 1))) == 1


def test_nothing_to_remind_outside_the_horizon(db, case_due_soon):
    assert create_reminders(today=date(2026, 11, 23)) == []  # due 11-30, horizon 3 working days → 11-26


@pytest.mark.commits  # two threads
def test_two_schedulers_at_once_still_remind_once(app, db, case_due_soon):
    """Two threads, two sessions, the same moment: the unique constraint decides."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def job():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(len(create_reminders(today=date(2026, 11, 26))))
                db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    db.session.commit()
    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == [0, 1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 1


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:  # aiosmtpd cannot start on port 0
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _smtp_config(app, port):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)


@pytest.fixture
def smtp_off(app):
    yield
    app.config.update(SMTP_HOST="")


def test_reminders_go_by_email_once(app, db, case_due_soon, smtp_server, smtp_off):
    controller, handler = smtp_server
    _smtp_config(app, controller.port)
    assert run_reminders(today=date(2026, 11, 26)) == (1, 1)
    db.session.commit()
    assert run_due_jobs() == 1
    assert run_reminders(today=date(2026, 11, 26)) == (0, 0)
    db.session.commit()
    assert run_due_jobs() == 0
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["officer@example.cn"]
    text = envelope.content.decode("utf-8", "replace")
    assert "Subject:" in text
    assert db.session.scalar(sa.select(Reminder.emailed_at)) is not None


def test_a_reminder_mailed_while_smtp_is_down_is_sent_when_it_is_back(app, db, case_due_soon, smtp_off):
    """The mail server is stopped: the e-mail job fails, stays queued with
    its error and is retried after the backoff; the server is started
    again and the next try sends it, once."""
    from aiosmtpd.controller import Controller

    port = _free_port()
    _smtp_config(app, port)
    with clock.frozen(date(2026, 11, 26), hour=9):
        assert run_reminders(today=date(2026, 11, 26)) == (1, 1)
        db.session.commit()
        assert run_due_jobs() == 1  # nobody listens on the port
        job = db.session.scalar(sa.select(Job).where(Job.kind == "reminders.email"))
        assert (job.state, job.attempts) == (JobState.QUEUED, 1)
        assert "Connection refused" in job.last_error or "ConnectionRefusedError" in job.last_error
        assert db.session.scalar(sa.select(Reminder.emailed_at)) is None
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with clock.frozen(date(2026, 11, 26), hour=10):
            assert run_due_jobs() == 1
            assert run_due_jobs() == 0
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in handler.messages] == [["officer@example.cn"]]
    db.session.expire_all()
    assert db.session.get(Job, job.id).state == JobState.DONE
    assert db.session.scalar(sa.select(Reminder.emailed_at)) is not None


def test_without_smtp_reminders_stay_in_the_app(app, db, case_due_soon, client, login_as):
    case, officer = case_due_soon
    assert run_reminders(today=date(2026, 11, 26)) == (1, 0)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    login_as(officer)
    page = client.get("/todo").get_data(as_text=True)
    assert "期限提醒" in page and case.number in page
    client.post("/todo/reminders/read")
    assert "期限提醒" not in client.get("/todo").get_data(as_text=True)


def test_the_timed_reminder_job_runs_for_today(app, db, case_due_soon):
    with clock.frozen(date(2026, 11, 26)):
        enqueue("reminders.run", {})
        db.session.commit()
        assert run_due_jobs() == 1
    job = db.session.scalar(sa.select(Job))
    assert (job.state, job.result) == (JobState.DONE, {"created": 1, "emails": 0})
