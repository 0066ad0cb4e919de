"""The worker: claims due jobs, runs their handlers, retries with backoff,
takes over the jobs of workers that died, and (in one process only) runs
the timed jobs.

Claiming. On PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` lets any number of
workers on any number of machines take different jobs; on SQLite one worker
is expected, and the claim is still a guarded UPDATE so a second one cannot
take the same job. A job is due when it is queued and its `run_after` has
passed, or when it is running but its worker's heartbeat is older than
JOB_TIMEOUT_SECONDS (the worker died: kill -9, power, network).

Ownership. Every write the worker makes to a claimed job is guarded by
`locked_by = me AND state = 'running'`: a worker that lost its job (taken
over after a pause, or cancelled by an administrator) rolls the handler's
work back instead of finishing it twice.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import traceback
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from casesys.core import clock
from casesys.core.database import dialect_name
from casesys.domain.jobs import JobMove, JobState, next_state, retry_delay
from casesys.extensions import db
from casesys.jobs import REGISTRY
from casesys.jobs.models import Job

log = logging.getLogger(__name__)


class JobLost(Exception):
    """This worker no longer owns the job (cancelled, or taken over)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _timeout() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("JOB_TIMEOUT_SECONDS", 300)))


def _due_clause(now):
    stale = now - _timeout()
    return sa.or_(
        sa.and_(Job.state == JobState.QUEUED, Job.run_after <= now),
        sa.and_(Job.state == JobState.RUNNING, sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale)),
    )


def _owned(job_id: int, name: str):
    return sa.and_(Job.id == job_id, Job.locked_by == name, Job.state == JobState.RUNNING)


def claim_next(name: str, kinds: set[str] | None = None) -> int | None:
    """Take one due job and commit the claim; its id, or None."""
    now = clock.utcnow()
    query = sa.select(Job.id).where(_due_clause(now)).order_by(Job.run_after, Job.id).limit(1)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    if dialect_name() == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _ in range(5):
        job_id = db.session.scalar(query)
        if job_id is None:
            db.session.rollback()
            return None
        # The guard repeats the due test: on SQLite two workers may have read
        # the same id, and only one UPDATE matches.
        claimed = db.session.execute(
            sa.update(Job).where(Job.id == job_id, _due_clause(now))
            .values(state=next_state(JobState.RUNNING, JobMove.CLAIM), locked_by=name, heartbeat_at=now,
                    attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            return job_id
    return None


class Progress:
    """`progress(done, total)` for a handler: records progress and the
    heartbeat, and commits the work done so far with it (a checkpoint: the
    handler must be able to resume from there). Raises JobLost if the job
    was cancelled or taken over meanwhile."""

    def __init__(self, job_id: int, name: str):
        self.job_id, self.name = job_id, name

    def __call__(self, done: int, total: int | None = None) -> None:
        values = {"progress_done": done, "heartbeat_at": clock.utcnow()}
        if total is not None:
            values["progress_total"] = total
        updated = db.session.execute(
            sa.update(Job).where(_owned(self.job_id, self.name)).values(**values)
            .execution_options(synchronize_session=False)).rowcount
        if not updated:
            db.session.rollback()
            raise JobLost(self.job_id)
        db.session.commit()


def _error_text(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return "".join(lines).strip()[-2000:]


def _fail(job_id: int, name: str, error_text: str, *, give_up: bool = False) -> None:
    """Retry later with backoff, or give up after max_attempts."""
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None or job.locked_by != name or job.state != JobState.RUNNING:
        db.session.rollback()
        return
    config = current_app.config
    if give_up or job.attempts >= job.max_attempts:
        values = {"state": next_state(job.state, JobMove.GIVE_UP), "finished_at": clock.utcnow()}
    else:
        delay = retry_delay(job.attempts, base_seconds=int(config.get("JOB_BACKOFF_SECONDS", 30)),
                            cap_seconds=int(config.get("JOB_BACKOFF_CAP_SECONDS", 3600)))
        values = {"state": next_state(job.state, JobMove.RETRY_LATER), "run_after": clock.utcnow() + delay}
    db.session.execute(sa.update(Job).where(_owned(job_id, name))
                       .values(last_error=error_text, locked_by=None, **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def run_job(job_id: int, name: str) -> None:
    """Run a claimed job's handler and record the outcome."""
    job = db.session.get(Job, job_id, populate_existing=True)
    if job.attempts > job.max_attempts:  # its worker died during the last attempt
        _fail(job_id, name, job.last_error or "执行任务的进程中断，已达最大尝试次数。")
        return
    registered = REGISTRY.get(job.kind)
    if registered is None:
        _fail(job_id, name, f"未知的任务类型：{job.kind}", give_up=True)  # waiting brings no handler
        return
    started = time.monotonic()
    log.info("job %s (%s) attempt %d/%d by %s", job_id, job.kind, job.attempts, job.max_attempts, name)
    try:
        result = registered.fn(job, Progress(job_id, name))
        finished = db.session.execute(
            sa.update(Job).where(_owned(job_id, name))
            .values(state=next_state(JobState.RUNNING, JobMove.FINISH), result=result, locked_by=None,
                    finished_at=clock.utcnow(), heartbeat_at=clock.utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if not finished:
            raise JobLost(job_id)
        db.session.commit()
        log.info("job %s done in %.1f s", job_id, time.monotonic() - started)
    except JobLost:
        db.session.rollback()
        log.warning("job %s: no longer ours (cancelled or taken over); its work is rolled back", job_id)
    except Exception as error:  # the job's failure is data: kept in last_error, retried
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        _fail(job_id, name, _error_text(error))


def run_due_jobs(*, name: str | None = None, kinds: set[str] | None = None, limit: int | None = None) -> int:
    """Run every due job now, one after another (tests, CLI); how many ran."""
    name = name or worker_name()
    count = 0
    while limit is None or count < limit:
        job_id = claim_next(name, kinds)
        if job_id is None:
            break
        run_job(job_id, name)
        count += 1
    return count


# --- the long-running worker ----------------------------------------------------------

class Heartbeat:
    """Beats for the jobs this worker holds while a handler runs (a handler may
    spend minutes in one step). The beats come from a small child process on its
    own connection, not a thread; it ends with the worker, even one killed with
    SIGKILL (it watches its parent), so a dead worker's jobs stop beating."""

    def __init__(self, app: Flask, name: str, every: float):
        self.app, self.name, self.every = app, name, every
        context = multiprocessing.get_context("fork")
        self.stop = context.Event()
        self.process = context.Process(target=self._run, args=(os.getpid(),), name="job-heartbeat", daemon=True)

    def start(self) -> None:
        self.process.start()

    def _run(self, parent: int) -> None:
        with self.app.app_context():
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
            while not self.stop.wait(self.every) and os.getppid() == parent:
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.update(Job.__table__)
                                     .where(Job.__table__.c.locked_by == self.name,
                                            Job.__table__.c.state == JobState.RUNNING.value)
                                     .values(heartbeat_at=clock.utcnow()))
                except Exception:  # a missed beat is retried at the next one
                    log.exception("heartbeat failed")


class Worker:
    def __init__(self, app: Flask, *, name: str | None = None, poll_seconds: float = 1.0,
                 with_scheduler: bool = True):
        self.app = app
        self.name = name or worker_name()
        self.poll_seconds = poll_seconds
        self.with_scheduler = with_scheduler
        self.stopping = threading.Event()
        self.leader = None

    def request_stop(self, *_args) -> None:
        if self.stopping.is_set():  # a second signal: leave now
            raise SystemExit(1)
        self.stopping.set()

    def run(self) -> None:
        from casesys.jobs.scheduler import Leadership

        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        timeout = int(self.app.config.get("JOB_TIMEOUT_SECONDS", 300))
        heartbeat = Heartbeat(self.app, self.name, every=max(1.0, timeout / 5))
        heartbeat.start()
        next_election = 0.0
        log.info("worker %s started", self.name)
        try:
            with self.app.app_context():
                if self.with_scheduler:
                    self.leader = Leadership(self.app, self.name)
                while not self.stopping.is_set():
                    if self.leader is not None and time.monotonic() >= next_election:
                        self.leader.keep_or_try()
                        next_election = time.monotonic() + float(self.app.config.get("SCHEDULER_ELECTION_SECONDS", 15))
                    try:
                        ran = run_due_jobs(name=self.name, limit=1)
                    except Exception:  # the database went away: wait and try again
                        log.exception("worker %s: claiming failed", self.name)
                        db.session.rollback()
                        ran = 0
                    finally:
                        db.session.remove()
                    if not ran:
                        self.stopping.wait(self.poll_seconds)
        finally:
            heartbeat.stop.set()
            heartbeat.process.join(timeout=5)
            if self.leader is not None:
                self.leader.release()
            log.info("worker %s stopped", self.name)
