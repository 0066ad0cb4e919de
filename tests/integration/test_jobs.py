"""Durable jobs: committed with the request, run by the worker, retried with
backoff, failed with their error, taken over when their worker dies,
cancelled and retried by an administrator; one scheduler."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.domain.enums import Role
from casesys.domain.jobs import JobMove, JobMoveRefused, JobState, next_state, retry_delay
from casesys.jobs import enqueue, job_handler
from casesys.jobs.models import Job
from casesys.jobs.worker import JobLost, Progress, claim_next, run_due_jobs, run_job

CALLS: list[dict] = []


@job_handler("test.echo", label="测试")
def echo(job, progress):
    CALLS.append(dict(job.payload))
    progress(1, 2)
    progress(2, 2)
    return {"echo": job.payload["text"]}


@job_handler("test.flaky", max_attempts=3)
def flaky(job, progress):
    CALLS.append({"attempt": job.attempts})
    if job.attempts < job.payload["succeed_on"]:
        raise ConnectionRefusedError("服务器拒绝连接")
    return {"attempt": job.attempts}


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _at(hours: int):
    """A moment `hours` after 09:00 today (Beijing)."""
    return clock.frozen(clock.today(), hour=9 + hours)


def test_a_job_runs_once_and_keeps_its_result(db, factory):
    officer = factory.user(Role.OFFICER)
    job = enqueue("test.echo", {"text": "你好"}, requested_by=officer.id)
    db.session.commit()
    assert job.state == JobState.QUEUED
    assert run_due_jobs() == 1
    assert run_due_jobs() == 0
    job = db.session.get(Job, job.id)
    assert (job.state, job.result, job.attempts) == (JobState.DONE, {"echo": "你好"}, 1)
    assert (job.progress_done, job.progress_total, job.percent, job.locked_by) == (2, 2, 100, None)
    assert CALLS == [{"text": "你好"}]


def test_enqueue_belongs_to_the_callers_unit_of_work(db):
    enqueue("test.echo", {"text": "x"})
    db.session.rollback()  # the request that asked failed: no job either
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert run_due_jobs() == 0


def test_an_unknown_kind_is_refused_at_once(db):
    with pytest.raises(KeyError):
        enqueue("test.nobody_handles_this", {})


def test_a_unique_key_enqueues_once(db):
    first = enqueue("test.echo", {"text": "a"}, unique_key="slot@1")
    db.session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        second = enqueue("test.echo", {"text": "b"}, unique_key="slot@1")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()
    assert first is not None and second is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1
    assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]  # a read, not a write


def test_failures_back_off_exponentially_then_succeed(app, db):
    with _at(0):
        job_id = enqueue("test.flaky", {"succeed_on": 3}).id
        db.session.commit()
        started = clock.utcnow()
        assert run_due_jobs() == 1
        job = db.session.get(Job, job_id)
        assert job.state == JobState.QUEUED and job.attempts == 1
        assert "ConnectionRefusedError" in job.last_error and "服务器拒绝连接" in job.last_error
        assert job.run_after - started >= timedelta(seconds=app.config["JOB_BACKOFF_SECONDS"])
        assert run_due_jobs() == 0  # not before its time
    with _at(1):
        assert run_due_jobs() == 1
        assert db.session.get(Job, job_id).attempts == 2
    with _at(2):
        assert run_due_jobs() == 1
    job = db.session.get(Job, job_id)
    assert (job.state, job.result, job.attempts) == (JobState.DONE, {"attempt": 3}, 3)
    assert [c["attempt"] for c in CALLS] == [1, 2, 3]


def test_a_job_that_keeps_failing_is_marked_failed_with_its_error(db):
    with _at(0):
        job_id = enqueue("test.flaky", {"succeed_on": 99}).id
        db.session.commit()
        assert run_due_jobs() == 1
    for hour in (1, 2):
        with _at(hour):
            assert run_due_jobs() == 1
    with _at(5):
        assert run_due_jobs() == 0
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts) == (JobState.FAILED, 3)
    assert "服务器拒绝连接" in job.last_error and job.finished_at is not None


def test_backoff_doubles_up_to_a_cap():
    assert [retry_delay(n, base_seconds=30, cap_seconds=600).total_seconds() for n in range(1, 7)] == \
        [30, 60, 120, 240, 480, 600]


def test_job_states_are_a_table():
    assert next_state("failed", JobMove.RETRY) == JobState.QUEUED
    assert next_state("running", JobMove.CANCEL) == JobState.CANCELLED
    with pytest.raises(JobMoveRefused):
        next_state("done", JobMove.CANCEL)
    with pytest.raises(JobMoveRefused):
        next_state("queued", JobMove.FINISH)


def test_a_job_whose_worker_died_is_taken_over_after_the_timeout(app, db):
    with _at(0):
        job_id = enqueue("test.echo", {"text": "接管"}).id
        db.session.commit()
        assert claim_next("dead-worker") == job_id  # …which then never beats again
        assert run_due_jobs(name="live-worker") == 0  # its heartbeat is fresh
    with clock.frozen(clock.today(), hour=9), _advance(app.config["JOB_TIMEOUT_SECONDS"] + 1):
        assert run_due_jobs(name="live-worker") == 1
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 2, {"echo": "接管"})


def test_the_last_attempt_of_a_dead_worker_fails_the_job(app, db):
    with _at(0):
        job_id = enqueue("test.echo", {"text": "x"}, max_attempts=1).id
        db.session.commit()
        claim_next("dead-worker")
    with _at(1):
        run_due_jobs(name="live-worker")
    job = db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and "中断" in job.last_error and CALLS == []


def test_a_worker_that_lost_its_job_rolls_its_work_back(db, factory):
    officer = factory.user(Role.OFFICER)
    job_id = enqueue("test.echo", {"text": "x"}).id
    db.session.commit()
    assert claim_next("me") == job_id
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(state="cancelled", locked_by=None))
    db.session.commit()
    officer.full_name = "不应保存"
    with pytest.raises(JobLost):
        Progress(job_id, "me")(1, 2)
    db.session.expire_all()
    assert officer.full_name != "不应保存"
    run_job(job_id, "me")  # finishing is refused the same way
    assert db.session.get(Job, job_id).state == JobState.CANCELLED


class _advance:
    """Move the (already frozen) clock forward by `seconds`."""

    def __init__(self, seconds: int):
        self.delta = timedelta(seconds=seconds)

    def __enter__(self):
        from casesys.core import clock as module

        self.saved = module._offset
        module._offset = module._offset + self.delta

    def __exit__(self, *exc):
        from casesys.core import clock as module

        module._offset = self.saved


# --- pages --------------------------------------------------------------------------------

def test_the_asker_follows_the_job_and_others_may_not(client, login_as, db, factory):
    officer, other = factory.user(Role.OFFICER), factory.user(Role.OFFICER)
    job_id = enqueue("test.flaky", {"succeed_on": 99}, requested_by=officer.id, max_attempts=1).id
    db.session.commit()
    run_due_jobs()
    login_as(officer)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "失败" in page and "服务器拒绝连接" in page and "js/jobs.js" in page
    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert (data["state"], data["finished"], data["attempts"]) == ("failed", True, 1)
    client.post("/logout")
    login_as(other)
    # another user's job answers like a missing one (issue 11, 11a)
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}.json").status_code == 404
    assert client.get("/jobs/999999").status_code == 404


def test_admins_list_retry_and_cancel_jobs(client, login_as, db, factory):
    admin = factory.user(Role.ADMIN)
    failed_id = enqueue("test.flaky", {"succeed_on": 2}, max_attempts=1).id
    queued_id = enqueue("test.echo", {"text": "later"}, run_after=clock.utcnow() + timedelta(days=1)).id
    db.session.commit()
    run_due_jobs()
    login_as(admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "测试" in page and "test.flaky" in page and "服务器拒绝连接" in page
    assert "测试" in client.get("/admin/jobs?state=queued").get_data(as_text=True)
    assert "test.flaky" not in client.get("/admin/jobs?state=queued").get_data(as_text=True)
    assert client.post(f"/admin/jobs/{queued_id}/cancel").status_code == 302
    # the cause is mended (here: the job now succeeds on its first try), then retried
    db.session.get(Job, failed_id).payload = {"succeed_on": 1}
    db.session.commit()
    assert client.post(f"/admin/jobs/{failed_id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(Job, queued_id).state == JobState.CANCELLED
    retried = db.session.get(Job, failed_id)
    assert (retried.state, retried.attempts) == (JobState.QUEUED, 0)
    assert run_due_jobs() == 1  # the retried one; the cancelled one never runs
    assert db.session.get(Job, failed_id).state == JobState.DONE
    # a finished job cannot be cancelled: the refusal is shown, nothing changes
    page = client.post(f"/admin/jobs/{failed_id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "不能取消" in page
    assert db.session.get(Job, failed_id).state == JobState.DONE


# --- one scheduler ------------------------------------------------------------------------

def test_one_process_holds_the_scheduler_lock(app, db):
    from casesys.jobs.scheduler import acquire_scheduler_lock

    first = acquire_scheduler_lock(app)
    assert first is not None and first.alive()
    assert acquire_scheduler_lock(app) is None  # a second connection / open file is refused
    first.release()
    again = acquire_scheduler_lock(app)
    assert again is not None
    again.release()


def test_a_timed_slot_is_enqueued_once(app, db):
    from casesys.jobs.scheduler import build_scheduler, fire

    scheduler = build_scheduler(app, "w1", blocking=True)
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert [job.id for job in scheduler.get_jobs()] == ["reminders"]
    with _at(0):
        fire(app, "reminders", "reminders.run", "w1")
        fire(app, "reminders", "reminders.run", "w2")  # a second scheduler in the same minute
    jobs = db.session.scalars(sa.select(Job)).all()
    assert [(j.kind, j.payload["scheduled_by"]) for j in jobs] == [("reminders.run", "w1")]


@pytest.mark.commits  # another session locks a job
@pytest.mark.postgres_only
def test_postgres_workers_skip_each_others_locked_jobs(app, db, backend):
    if backend != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's")
    from casesys.extensions import db as ext

    ids = [enqueue("test.echo", {"text": str(n)}).id for n in range(2)]
    db.session.commit()
    other = sa.orm.Session(ext.engine)
    try:
        # another worker holds the first job's row lock in an open transaction
        locked = other.scalar(sa.select(Job.id).order_by(Job.id).limit(1).with_for_update(skip_locked=True))
        assert locked == ids[0]
        assert claim_next("me") == ids[1]
    finally:
        other.rollback()
        other.close()
