"""Durable background jobs (the interface: /work/notes/JOBS_CONTRACT.md).

    from casesys.jobs import enqueue, job_handler

    @job_handler("documents.print_batch", max_attempts=5)
    def print_batch(job, progress): ...

    enqueue("documents.print_batch", {"batch_id": batch.id}, requested_by=user.id)

`enqueue` adds the row and flushes; the caller's unit of work commits it with
the change that asks for it. `flask --app wsgi worker` runs the jobs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint

bp = Blueprint("jobs", __name__)

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Registered:
    kind: str
    fn: Handler
    max_attempts: int
    label: str
    download: str = ""  # the endpoint (taking job_id) that serves the file a finished job made


REGISTRY: dict[str, Registered] = {}


def job_handler(kind: str, *, max_attempts: int = 8, label: str = "",
                download: str = "") -> Callable[[Handler], Handler]:
    """Register `fn(job, progress) -> JSON-able | None` as the handler of `kind`;
    `label` names the job on its pages (the kind if empty); `download` is the
    endpoint from which the user takes the file the job made, once done."""

    def register(fn: Handler) -> Handler:
        known = REGISTRY.get(kind)
        if known is not None and known.fn is not fn and known.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"job kind {kind!r} has two handlers: {known.fn} and {fn}")
        REGISTRY[kind] = Registered(kind, fn, max_attempts, label or kind, download)
        return fn

    return register


def kind_label(kind: str) -> str:
    registered = REGISTRY.get(kind)
    return registered.label if registered else kind


def enqueue(kind: str, payload: dict, *, requested_by: int | None = None, run_after: datetime | None = None,
            unique_key: str | None = None, max_attempts: int | None = None):
    """Add a job to the session and flush (no commit). With `unique_key`, a
    second enqueue under the same key returns None and adds nothing: a read
    finds it first, as pages ask again while the job waits (a stale dashboard
    asks on every view), and the unique constraint settles a race."""
    import sqlalchemy as sa

    from casesys.core import clock
    from casesys.core.database import insert_once
    from casesys.extensions import db
    from casesys.jobs.models import Job

    if kind not in REGISTRY:
        raise KeyError(f"no handler for job kind {kind!r}")
    values = {
        "kind": kind, "payload": payload, "requested_by_id": requested_by,
        "run_after": run_after or clock.utcnow(), "created_at": clock.utcnow(),
        "max_attempts": max_attempts or REGISTRY[kind].max_attempts, "unique_key": unique_key,
    }
    if unique_key is not None:
        if db.session.scalar(sa.select(Job.id).where(Job.unique_key == unique_key)) is not None:
            return None
        new_id = insert_once(Job.__table__, values)
        return db.session.get(Job, new_id) if new_id is not None else None
    job = Job(**values)
    db.session.add(job)
    db.session.flush()
    return job


def init_app(app) -> None:
    from casesys.auth.permissions import can_manage_system
    from casesys.core.registry import MenuEntry, menu
    from casesys.jobs import views  # noqa: F401  (the routes)

    menu.add(MenuEntry("admin", 80, "后台任务", "jobs.admin_index", can_manage_system, active=None))
