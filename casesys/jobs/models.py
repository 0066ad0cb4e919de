"""The jobs table: the database is the queue (STYLE: Oban, Solid Queue,
procrastinate). A job is committed with the change that asks for it and
executed by `flask --app wsgi worker`."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.core import clock
from casesys.core.types import enum_column
from casesys.domain.jobs import FINAL_STATES, JobState
from casesys.extensions import db


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # what a worker asks for: due queued jobs, and running ones to check heartbeats
        sa.Index("ix_jobs_state_run_after", "state", "run_after"),
        sa.Index("ix_jobs_requested_by_id", "requested_by_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state"), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    run_after: Mapped[datetime] = mapped_column(default=clock.utcnow)
    locked_by: Mapped[str | None] = mapped_column(sa.String(120))
    heartbeat_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    result: Mapped[dict | list | None] = mapped_column(sa.JSON)
    # A job enqueued twice under one key exists once (timed jobs: name@slot).
    unique_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    finished_at: Mapped[datetime | None]

    requested_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def state_label(self) -> str:
        return JobState.label_of(self.state)

    @property
    def kind_label(self) -> str:
        from casesys.jobs import kind_label

        return kind_label(self.kind)

    @property
    def download_endpoint(self) -> str:
        """Where the file this job makes is downloaded ('' if it makes none)."""
        from casesys.jobs import REGISTRY

        registered = REGISTRY.get(self.kind)
        return registered.download if registered else ""

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": str(self.state), "state_label": self.state_label,
                "attempts": self.attempts, "max_attempts": self.max_attempts,
                "done": self.progress_done, "total": self.progress_total, "percent": self.percent,
                "last_error": self.last_error, "result": self.result, "finished": self.finished}
