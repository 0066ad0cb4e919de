"""Timed jobs (SPEC §10) with APScheduler, run by exactly one process.

Every worker tries to become the scheduler; the one that holds the lock
runs APScheduler, whose only work is to enqueue a job per timed slot
(`reminders@2026-11-30T01:05`), which any worker then runs. The lock is a
PostgreSQL advisory lock held by a connection of the leader, so it spans
machines and is released when the leader dies; on SQLite (one machine) it
is a file lock beside the database. The slot's unique key makes even two
leaders at once (a lost connection not yet noticed) enqueue a slot once.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from casesys.core import clock
from casesys.extensions import db

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Shanghai"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
# pg_try_advisory_lock key: "casesys" in ASCII, one lock per database.
ADVISORY_KEY = int.from_bytes(b"casesys", "big")


def try_lock(path: Path):
    """An open file holding an exclusive lock, or None if another process has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115  (held open: it is the lock)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


class AdvisoryLock:
    """A session-level PostgreSQL advisory lock on a connection of its own."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection

    @classmethod
    def acquire(cls) -> AdvisoryLock | None:
        connection = db.engine.connect()
        got = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(ADVISORY_KEY)))
        connection.commit()
        if got:
            return cls(connection)
        connection.close()
        return None

    def alive(self) -> bool:
        try:
            self.connection.execute(sa.text("SELECT 1"))
            self.connection.commit()
            return True
        except sa.exc.DBAPIError:
            return False

    def release(self) -> None:
        try:
            self.connection.scalar(sa.select(sa.func.pg_advisory_unlock(ADVISORY_KEY)))
            self.connection.commit()
        except sa.exc.DBAPIError:
            pass
        finally:
            self.connection.invalidate()  # never back to the pool holding anything


class FileLock:
    def __init__(self, handle):
        self.handle = handle

    @classmethod
    def acquire(cls, path: Path) -> FileLock | None:
        handle = try_lock(path)
        return cls(handle) if handle is not None else None

    def alive(self) -> bool:
        return not self.handle.closed

    def release(self) -> None:
        self.handle.close()


def acquire_scheduler_lock(app: Flask):
    """The lock that makes this process the scheduler, or None."""
    if db.engine.dialect.name == "postgresql":
        return AdvisoryLock.acquire()
    database = db.engine.url.database
    path = Path(f"{database}.scheduler.lock") if database and database != ":memory:" else \
        Path(app.instance_path) / "scheduler.lock"
    return FileLock.acquire(path)


def fire(app: Flask, timed_id: str, kind: str, by: str, per_second: bool = False) -> None:
    """A timed slot: enqueue its job once (the slot is its unique key)."""
    from casesys.jobs import enqueue

    with app.app_context():
        slot = clock.utcnow().replace(microsecond=0)
        if not per_second:
            slot = slot.replace(second=0)
        try:
            job = enqueue(kind, {"timed": timed_id, "slot": slot.isoformat(), "scheduled_by": by},
                          unique_key=f"{timed_id}@{slot.isoformat()}")
            db.session.commit()
            if job is not None:
                log.info("timed job %s enqueued for %s", timed_id, slot)
        except Exception:
            db.session.rollback()
            log.exception("timed job %s could not be enqueued", timed_id)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, name: str, *, blocking: bool = False):
    """APScheduler with the timed jobs of app.config['TIMED_JOBS']."""
    if blocking:
        from apscheduler.schedulers.blocking import BlockingScheduler as Scheduler
    else:
        from apscheduler.schedulers.background import BackgroundScheduler as Scheduler

    scheduler = Scheduler(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS)
    for timed in app.config["TIMED_JOBS"]:
        spec = dict(timed)
        timed_id, kind, trigger = spec.pop("id"), spec.pop("kind"), spec.pop("trigger")
        per_second = trigger == "interval" and "seconds" in spec
        scheduler.add_job(fire, trigger, args=[app, timed_id, kind, name, per_second], id=timed_id,
                          replace_existing=True, **spec)
    return scheduler


class Leadership:
    """Held by the worker loop: become the scheduler when the lock is free,
    stop scheduling if the lock is lost."""

    def __init__(self, app: Flask, name: str):
        self.app, self.name = app, name
        self.lock = None
        self.scheduler = None

    @property
    def leading(self) -> bool:
        return self.lock is not None

    def keep_or_try(self) -> bool:
        if self.lock is not None and not self.lock.alive():
            log.warning("scheduler lock lost by %s", self.name)
            self.release()
        if self.lock is None:
            try:
                self.lock = acquire_scheduler_lock(self.app)
            except sa.exc.DBAPIError:
                log.exception("scheduler election failed")
                self.lock = None
            if self.lock is not None:
                self.scheduler = build_scheduler(self.app, self.name)
                self.scheduler.start()
                log.info("%s runs the timed jobs", self.name)
        return self.leading

    def release(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
