"""What an administrator does to a job: retry a failed or cancelled one,
cancel a queued or running one. Flush, never commit."""
from __future__ import annotations

import logging

from casesys.core import clock
from casesys.domain.jobs import JobMove, next_state
from casesys.extensions import db
from casesys.jobs.models import Job

log = logging.getLogger(__name__)


def retry_job(job: Job, *, actor) -> None:
    """Queue again now, with a fresh count of attempts."""
    job.state = next_state(job.state, JobMove.RETRY)
    job.attempts, job.run_after, job.finished_at, job.locked_by = 0, clock.utcnow(), None, None
    job.progress_done = 0
    db.session.flush()
    log.info("job %s retried by %s", job.id, actor.username)


def cancel_job(job: Job, *, actor) -> None:
    """A running job's worker notices at its next progress call or at the
    end, and rolls its work back."""
    job.state = next_state(job.state, JobMove.CANCEL)
    job.finished_at, job.locked_by = clock.utcnow(), None
    job.last_error = (job.last_error + "\n" if job.last_error else "") + f"由 {actor.full_name or actor.username} 取消"
    db.session.flush()
    log.info("job %s cancelled by %s", job.id, actor.username)
