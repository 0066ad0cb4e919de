"""Time and peak memory of exporting the whole case list (SPEC §10, §11).

    .venv/bin/python bench/exports.py --database sqlite:///bench/out/bench-100000.db --format xlsx
    .venv/bin/python bench/exports.py --database postgresql+psycopg://postgres@127.0.0.1:5432/casesys_bench_100000 --format csv

Logs in as the province-wide demo `supervisor`, GETs /cases?format=<fmt> (every
case, the list's default order) through the app in this process, reads the
streamed body chunk by chunk and reports rows, bytes, seconds and the peak
resident memory of the process before and after (ru_maxrss) — run each
format in its own process so the peaks do not mix.

An XLSX above the setting `export_job_rows` is answered with a redirect to
its job: the script then runs the job here as the worker would (timed: its
seconds and the peak memory are the job's) and downloads the file from the
job's page. `--threshold N` sets the setting first (a large N measures the
XLSX written within the request, as before jobs).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--path", default="/cases", help="the page exported (default: %(default)s)")
    parser.add_argument("--threshold", type=int, help="set the setting export_job_rows to this first")
    args = parser.parse_args()

    from casesys import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.database, WTF_CSRF_ENABLED=False)
    if args.threshold is not None:
        with app.test_request_context():
            from casesys.core.settings import set_setting
            from casesys.extensions import db

            set_setting("export_job_rows", args.threshold, actor_id=None)
            db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"username": "supervisor", "password": "casesys-demo"}).status_code == 302
    client.get("/healthz")
    before = peak_mib()
    started = time.perf_counter()
    joiner = "&" if "?" in args.path else "?"
    response = client.get(f"{args.path}{joiner}format={args.format}", buffered=False)
    job = {}
    if response.status_code == 302 and "/jobs/" in response.location:
        from casesys.jobs.worker import run_due_jobs

        job_id = int(response.location.rstrip("/").split("/")[-1])
        job["request_seconds"] = round(time.perf_counter() - started, 2)
        with app.app_context():
            job_started = time.perf_counter()
            ran = run_due_jobs(name="bench-exports")
            job["job_seconds"] = round(time.perf_counter() - job_started, 1)
            from casesys.extensions import db
            from casesys.jobs.models import Job

            state = db.session.get(Job, job_id)
            job.update(job_id=job_id, jobs_run=ran, job_state=str(state.state), job_result=state.result)
        response = client.get(f"/exports/{job_id}", buffered=False)
    first_byte = time.perf_counter() - started
    size, chunks = 0, 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    seconds = time.perf_counter() - started
    response.close()
    result = {"format": args.format, "status": response.status_code, "bytes": size, "chunks": chunks,
              "seconds": round(seconds, 1), "first_byte_seconds": round(first_byte, 1),
              "peak_rss_mib_before": round(before, 1), "peak_rss_mib_after": round(peak_mib(), 1), **job}
    print(json.dumps(result))
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
