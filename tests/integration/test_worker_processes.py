"""Real worker processes: a batch print survives a worker killed with
SIGKILL mid-batch (another worker takes it over and finishes it), and two
workers run each timed slot exactly once, the second taking over the
scheduler when the first dies."""
from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from casesys.domain.enums import Role
from casesys.domain.jobs import JobState
from casesys.jobs.models import Job
from tests.conftest import mark_all_tables_dirty
from tests.faketime import child_environment

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.commits,  # the workers are processes of their own
              pytest.mark.long]


def _worker_environment() -> dict[str, str]:
    """Nothing here depends on the date: the workers run on the tests' clock."""
    return child_environment() | {"PYTHONPATH": str(ROOT)}


@pytest.fixture
def workers(app, database_url, tmp_path):
    """Start worker processes on the test database; all are killed at the end."""
    started: list[subprocess.Popen] = []

    def start(name: str, **settings) -> subprocess.Popen:
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "BATCH_DIR": app.config["BATCH_DIR"],
                  "UPLOAD_DIR": app.config["UPLOAD_DIR"], "JOB_TIMEOUT_SECONDS": 2,
                  "SCHEDULER_ELECTION_SECONDS": 1, "TIMED_JOBS": [], "WORKER_NAME": name, **settings}
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (the worker writes it while it lives)
        process = subprocess.Popen([sys.executable, "-m", "tests.worker_main", json.dumps(config)], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, env=_worker_environment())
        process.log_path = tmp_path / f"{name}.log"
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    mark_all_tables_dirty(app)  # their writes went past this process's engine


def _wait_for(predicate, timeout: float, what: str, processes=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    logs = "\n".join(p.log_path.read_text(errors="replace")[-3000:] for p in processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _job(db, job_id: int) -> Job:
    db.session.rollback()  # a fresh snapshot (SQLite WAL, PostgreSQL read committed)
    return db.session.get(Job, job_id, populate_existing=True)


def _blank_pdf() -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.Pdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(out)
    return out.getvalue()


def test_a_batch_whose_worker_is_killed_mid_batch_is_finished_by_another(db, factory, workers):
    from casesys.documents.batches import batch_file, start_batch
    from casesys.documents.models import Document, PrintBatch

    officer, chief = factory.user(Role.OFFICER), factory.user(Role.SUPERVISOR)
    case = factory.case(officer)
    page = _blank_pdf()
    count = 400
    db.session.execute(sa.insert(Document), [
        {"case_id": case.id, "doc_type": "acceptance_notice", "status": "approved", "texts": {},
         "number": f"测试受字〔2026〕{n}号", "verify_code": f"code{n:08d}", "pdf": page, "sha256": "0" * 64,
         "page_count": 1} for n in range(1, count + 1)])
    ids = db.session.scalars(sa.select(Document.id).order_by(Document.id)).all()
    batch = start_batch(ids, actor_id=chief.id)
    db.session.commit()
    batch_id, job_id = batch.id, batch.job_id

    first = workers("w1")
    _wait_for(lambda: _job(db, job_id).progress_done >= 20, 120, "the first worker to be mid-batch", [first])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed = _job(db, job_id)
    done_when_killed = killed.progress_done
    assert killed.state == JobState.RUNNING and killed.locked_by == "w1"
    assert 20 <= done_when_killed < count, "the batch must be unfinished when its worker dies"

    second = workers("w2")
    _wait_for(lambda: _job(db, job_id).state == JobState.DONE, 120, "the second worker to finish", [second])
    job = _job(db, job_id)
    assert job.attempts == 2 and job.locked_by is None
    assert job.result["documents"] == count and job.result["pages"] == count
    assert job.result["resumed"] >= done_when_killed  # parts spooled before the kill were kept
    batch = db.session.get(PrintBatch, batch_id, populate_existing=True)
    assert (batch.status, batch.done) == ("finished", count)
    import pikepdf

    with pikepdf.Pdf.open(batch_file(batch)) as merged:
        assert len(merged.pages) == count


def test_two_workers_run_each_timed_slot_once_and_the_survivor_takes_over(db, workers, backend):
    every_second = [{"id": "reminders", "kind": "reminders.run", "trigger": "interval", "seconds": 1}]
    first = workers("w1", TIMED_JOBS=every_second)
    second = workers("w2", TIMED_JOBS=every_second)

    def timed_jobs():
        db.session.rollback()
        return db.session.scalars(sa.select(Job).where(Job.kind == "reminders.run").order_by(Job.id)).all()

    _wait_for(lambda: len([j for j in timed_jobs() if j.state == JobState.DONE]) >= 4, 120,
              "four timed slots", [first, second])
    jobs = timed_jobs()
    leaders = {j.payload["scheduled_by"] for j in jobs}
    assert len(leaders) == 1, f"two schedulers at once: {leaders}"
    slots = [j.payload["slot"] for j in jobs]
    assert len(slots) == len(set(slots))
    leader = {"w1": first, "w2": second}[leaders.pop()]
    survivor_name = "w2" if leader is first else "w1"
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=30)
    _wait_for(lambda: any(j.payload["scheduled_by"] == survivor_name and j.state == JobState.DONE
                          for j in timed_jobs()), 60, "the survivor to schedule", [first, second])
    jobs = timed_jobs()
    slots = [j.payload["slot"] for j in jobs]
    assert len(slots) == len(set(slots))
    # every slot ran once: one attempt each (a job of the killed worker may still be running)
    assert all(j.attempts == 1 for j in jobs if j.state == JobState.DONE)
