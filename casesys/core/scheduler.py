"""Timed jobs with APScheduler (SPEC §10). In production the scheduler is its
own process (`flask --app wsgi scheduler`); under `make run` it runs inside
the web app, and a file lock lets only one worker process schedule."""
from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Shanghai"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
_lock_file = None  # kept open for the life of the process that holds the lock


def reminders_job(app: Flask) -> None:
    from casesys.adjudication.reminders import run_reminders

    with app.app_context():
        created, sent = run_reminders()
        log.info("reminders: %d new, %d e-mailed", created, sent)


def add_jobs(scheduler, app: Flask) -> None:
    # Hourly: idempotent, and a restarted scheduler catches up within the hour.
    scheduler.add_job(reminders_job, "cron", minute=5, args=[app], id="reminders", replace_existing=True)


def blocking_scheduler(app: Flask):
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS)
    add_jobs(scheduler, app)
    return scheduler


def try_lock(path: Path):
    """An open file holding an exclusive lock, or None if another process has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def start_in_app(app: Flask, retry_seconds: int = 60) -> None:
    """Start a background scheduler in this process if it wins the lock;
    otherwise keep trying, so a new one starts if the holder dies."""
    path = Path(app.instance_path) / "scheduler.lock"

    def attempt() -> None:
        global _lock_file
        handle = try_lock(path)
        if handle is None:
            timer = threading.Timer(retry_seconds, attempt)
            timer.daemon = True
            timer.start()
            return
        _lock_file = handle
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS)
        add_jobs(scheduler, app)
        scheduler.start()
        app.extensions["scheduler"] = scheduler
        log.info("scheduler started in process %d", os.getpid())

    attempt()
