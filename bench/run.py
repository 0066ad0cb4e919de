"""`make bench`: requests/s and latency of the case pages at 1,000 and 100,000
cases, the deadline recompute, and the PDF documents.

For every database (SQLite, PostgreSQL) and size, this script builds or reuses
a demo database, times `flask --app wsgi calendar recompute` (largest size
only), serves the app with gunicorn, logs in as the demo `officer` (and, for
the to-do page, as the handler with open cases nearest 500) and runs 8
concurrent clients against each page in turn, in three rounds (`--rounds`;
a page's figures are over its windows of every round):

    healthz             /healthz (no login, one SELECT 1)        the baseline
    case_list           /cases                                   default filters
    party_search        /cases?q=<4 characters of a company>     substring search (same at every size)
    party_search_short  /cases?q=<2 of those 4: the trade word>  two-character search (same at every size)
    number_search       /cases?q=<case number with [] brackets>  exact-number search
    case_page           /cases/<id>
    case_page_many_parties  /cases/<id of the case with the most parties>
    todo                /todo                                    as the handler with ~500 open cases
    approvals           /approvals                               as `supervisor` (province-wide)
    workload            /workload                                as `supervisor`
    mediation_dashboard /mediation/dashboard                     as `supervisor`
    dashboard           /dashboard                               as `supervisor` (figures cached)
    healthz             again after the last round: the baseline is over all its windows

Then, once, the documents (bench/documents.py): a 10-page ruling's PDF against
WeasyPrint's layout alone, and a batch print of 100 approved documents.

Results go to bench/out/latest.json and a table on stdout. A missed target is
reported (FAIL) but does not change the exit code: this is a measurement.
See bench/README.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from dataset import OUT_DIR, Dataset, Samples, dataset_url, prepare
from loadgen import Measurement, Session, csrf_token, login, run_load
from report import BASELINE, add_ratios, compute_checks, print_report, write_json
from server import serve

USERNAME, PASSWORD = "officer", "casesys-demo"  # every demo user has this password
TODO_PAGE = "todo"  # measured as Samples.todo_username, the other pages as USERNAME
DASHBOARD_PAGE, SUPERVISOR = "dashboard", "supervisor"  # province-wide figures, the last 12 months (cached)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# 「共 1,234 件」, or 「超过 1,000 件」 past the list's count cap (CASE_LIST_COUNT_UP_TO)
TOTAL = re.compile(r"(?:共|超过)\s*([\d,]+)\s*件")
TODO_TOTAL = re.compile(r"(\d+)\s*项未完成期限")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000",
                        help="numbers of demo cases, comma-separated (default: %(default)s)")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="sqlite and/or postgresql, comma-separated (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="measured seconds per page (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times every page is measured, interleaved with the others; its figures are "
                             "over all its windows (default: %(default)s)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="unmeasured seconds before each page (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=8,
                        help="concurrent clients (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=4,
                        help="gunicorn threads per worker; 1 = sync worker (default: %(default)s)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="an existing PostgreSQL database to connect to for CREATE DATABASE "
                             "(env BENCH_POSTGRES_URL; default: %(default)s)")
    parser.add_argument("--postgres-prefix", default="casesys_bench",
                        help="PostgreSQL benchmark databases are <prefix>_<cases> (default: %(default)s)")
    parser.add_argument("--output", default=str(OUT_DIR / "latest.json"), help="JSON report (default: %(default)s)")
    parser.add_argument("--skip-recompute", action="store_true",
                        help="do not time the deadline recompute at the largest size (minutes at 1,000,000 cases)")
    documents = parser.add_mutually_exclusive_group()
    documents.add_argument("--skip-documents", action="store_true",
                           help="leave out the documents (10-page ruling, batch print)")
    documents.add_argument("--only-documents", action="store_true",
                           help="measure the documents only, no database or server")
    parser.add_argument("--document-runs", type=int, default=7,
                        help="timed renderings of the 10-page ruling, after one warm-up (default: %(default)s)")
    parser.add_argument("--batch-documents", type=int, default=100,
                        help="documents approved and merged into one batch print (default: %(default)s)")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - {"sqlite", "postgresql"}
    if unknown or not args.sizes or min(args.sizes) < 1:
        parser.error(f"bad --databases or --sizes ({', '.join(sorted(unknown)) or args.sizes})")
    if args.document_runs < 1 or args.batch_documents < 1 or args.rounds < 1:
        parser.error("--document-runs, --batch-documents and --rounds must be at least 1")
    return args


# As the province-wide demo `supervisor`:
SUPERVISOR_PAGES = ("approvals", "workload", "mediation_dashboard", DASHBOARD_PAGE)


def page_paths(samples: Samples) -> dict[str, str]:
    """The measured pages, by name, in the order they are measured."""
    return {
        "case_list": "/cases",
        "party_search": "/cases?q=" + quote(samples.party_query),
        "party_search_short": "/cases?q=" + quote(samples.party_query_short),
        "number_search": "/cases?q=" + quote(samples.number_query),
        "case_page": f"/cases/{samples.case_id}",
        "case_page_many_parties": f"/cases/{samples.many_parties_case_id}",
        TODO_PAGE: "/todo",
        "approvals": "/approvals",
        "workload": "/workload",
        "mediation_dashboard": "/mediation/dashboard",
        DASHBOARD_PAGE: "/dashboard",
    }


def user_for_page(page: str, samples: Samples) -> str:
    if page == TODO_PAGE:
        return samples.todo_username
    return SUPERVISOR if page in SUPERVISOR_PAGES else USERNAME


def log_in_users(port: int, samples: Samples) -> dict[str, Session]:
    """A session per page (and the baseline), each page as its user (the
    to-do page as the to-do user, the supervisor's pages as `supervisor`, the
    others as `officer`). One login per user (failed logins count towards the throttle)."""
    sessions: dict[str, Session] = {}
    for page in [BASELINE, *page_paths(samples)]:
        user = USERNAME if page == BASELINE else user_for_page(page, samples)
        if user not in sessions:
            sessions[user] = login(port, user, PASSWORD)
    return {page: sessions[USERNAME if page == BASELINE else user_for_page(page, samples)]
            for page in [BASELINE, *page_paths(samples)]}


def verify_pages(sessions: dict[str, Session], paths: dict[str, str], samples: Samples) -> dict[str, int]:
    """Every page answers 200 with what it should show; returns the list
    totals (cases found; open deadlines on the to-do page).

    A benchmark of error pages or empty results would be worthless.
    """
    totals = {}
    for name, path in {BASELINE: "/healthz", **paths}.items():
        page = sessions[name].get(path)
        if page.status != 200:
            raise RuntimeError(f"{name}: GET {path} answered {page.status}")
        if name in ("number_search", "case_page") and samples.case_number not in page.body:
            raise RuntimeError(f"{name}: GET {path} does not show case {samples.case_number}")
        if name in ("case_list", "party_search", "party_search_short", "number_search", TODO_PAGE):
            match = (TODO_TOTAL if name == TODO_PAGE else TOTAL).search(page.body)
            totals[name] = int(match.group(1).replace(",", "")) if match else -1
            if totals[name] < 1:
                what = f"no open deadlines of {samples.todo_username}" if name == TODO_PAGE else "no cases"
                raise RuntimeError(f"{name}: GET {path} found {what}")
    return totals


def refresh_figures(session: Session) -> None:
    """The dashboard's figures computed now (its 「刷新」 button). In service the
    worker keeps them fresh; the benchmark runs none, so without this a database
    older than DASHBOARD_MAX_AGE_SECONDS would measure a page that asks on each
    view for a refresh that never comes."""
    page = session.get("/dashboard")
    answer = session.request("POST", "/dashboard/refresh", body=urlencode({"csrf_token": csrf_token(page.body)}),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    if answer.status != 302:
        raise RuntimeError(f"POST /dashboard/refresh answered {answer.status}")


def measure(port: int, path: str, cookie: str, args: argparse.Namespace, label: str) -> Measurement:
    """One window of one page under load; prints a progress line."""
    print(f"    {label:<24}", end="", flush=True)
    window = run_load(port, path, cookie=cookie, clients=args.clients, seconds=args.seconds, warmup=args.warmup)
    result = window.as_dict()
    errors = f", {result['errors']} ERRORS" if result["errors"] else ""
    print(f"{result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms{errors}")
    return window


def measure_dataset(dataset: Dataset, args: argparse.Namespace) -> dict:
    """Serve the dataset and measure, `args.rounds` times, the baseline, the pages, the
    baseline again: a page's figures are over its windows of every round, so that a
    slower minute of the machine falls on every page rather than on one size's."""
    paths = page_paths(dataset.samples)
    log_path = OUT_DIR / f"gunicorn-{dataset.database}-{dataset.size}.log"
    windows: dict[str, list[Measurement]] = {BASELINE: [], **{page: [] for page in paths}}
    with serve(dataset.url, workers=args.workers, threads=args.threads, log_path=log_path) as port:
        try:
            sessions = log_in_users(port, dataset.samples)
            refresh_figures(sessions[DASHBOARD_PAGE])
            dataset.totals = verify_pages(sessions, paths, dataset.samples)
        except RuntimeError as error:
            raise RuntimeError(f"{error} (server log: {log_path})") from error
        cookies = {page: session.cookie_header() for page, session in sessions.items()}
        for round_number in range(1, args.rounds + 1):
            print(f"  round {round_number} of {args.rounds}")
            windows[BASELINE].append(measure(port, "/healthz", "", args, BASELINE))
            for page, path in paths.items():
                windows[page].append(measure(port, path, cookies[page], args, page))
        windows[BASELINE].append(measure(port, "/healthz", "", args, BASELINE))
    run = {page: {**Measurement.pooled(measured).as_dict(), "rounds": [w.as_dict() for w in measured]}
           for page, measured in windows.items()}
    add_ratios(run)
    return {BASELINE: run.pop(BASELINE), **run}


def machine(load_at_start: float) -> dict:
    """The machine, and its load average: other work on it skews the numbers."""
    return {"cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "loadavg_1min": {"start": load_at_start, "end": round(os.getloadavg()[0], 2)}}


def config(args: argparse.Namespace) -> dict:
    return {
        "sizes": args.sizes, "databases": args.databases, "clients": args.clients,
        "seconds_per_page": args.seconds, "warmup_seconds": args.warmup, "rounds": args.rounds,
        "server": {"command": f"gunicorn --workers {args.workers} --threads {args.threads} wsgi:app",
                   "worker_class": "gthread" if args.threads > 1 else "sync",
                   "workers": args.workers, "threads": args.threads},
        "user": USERNAME,
        "todo_user": "the handler whose open cases (OPEN_STATES) are nearest 500, at each size; "
                     "see datasets.<db>.<N>.samples.todo_username",
        "deadline_recompute": "flask --app wsgi calendar recompute, wall time, largest size only, "
                              "before the server starts",
        "documents": "skipped" if args.skip_documents else {"runs": args.document_runs,
                                                             "batch_documents": args.batch_documents},
        "baseline": "healthz over its windows: before the pages of every round and after the last, same server",
        "pooling": "every page measured once in each round, the pages in turn; its figures are over all its windows",
        "postgresql": "VACUUM (ANALYZE) after loading, as autovacuum would",
        "party_search": "the same query at every size: picked from the smallest database",
    }


def build_report(args, started: datetime, load_at_start: float, results: dict, datasets: dict,
                 failures: dict, documents: dict | None = None) -> dict:
    return {
        "generated_at": started.isoformat(timespec="seconds"),
        "machine": machine(load_at_start),
        "config": config(args),
        "datasets": datasets,
        "results": results,
        "documents": documents,
        "failures": failures,
        "checks": compute_checks(results, datasets, documents),
    }


def measure_databases(args: argparse.Namespace, write) -> tuple[dict, dict, dict]:
    """Every database and size: prepare, time the recompute (largest size),
    measure the pages. `write(results, datasets, failures)` saves progress."""
    results: dict[str, dict] = {}
    datasets: dict[str, dict] = {}
    failures: dict[str, str] = {}
    for database in args.databases:
        party_query = None  # the smallest size's, searched for at every size
        for size in args.sizes:
            print(f"== {database}, {size} cases", flush=True)
            dataset = Dataset(database, size, dataset_url(database, size, args.postgres_url, args.postgres_prefix))
            try:
                prepare(dataset, args.postgres_url, party_query, time_deadlines=size == args.sizes[-1] and not args.skip_recompute)
                party_query = party_query or dataset.samples.party_query
                print(f"  to-do page as {dataset.samples.todo_username} "
                      f"({dataset.samples.todo_open_cases} open cases)")
                began = time.perf_counter()
                run = measure_dataset(dataset, args)
                print(f"  measured in {time.perf_counter() - began:.0f} s")
            except Exception as error:  # one broken database must not hide the others
                print(f"  FAILED: {error}", file=sys.stderr)
                failures[f"{database}/{size}"] = str(error)
                continue
            finally:
                datasets.setdefault(database, {})[str(size)] = dataset.summary()
            results.setdefault(database, {})[str(size)] = run
            write(results, datasets, failures)  # an interrupted run keeps what it measured
    return results, datasets, failures


def measure_documents_once(args: argparse.Namespace, failures: dict) -> dict | None:
    """The documents (bench/documents.py), once; None (and a failure) if they could not be measured."""
    from documents import measure_documents

    print("== documents", flush=True)
    try:
        return measure_documents(runs=args.document_runs, batch_size=args.batch_documents)
    except Exception as error:  # the web results are still worth writing
        print(f"  FAILED: {error}", file=sys.stderr)
        failures["documents"] = str(error)
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    load_at_start = round(os.getloadavg()[0], 2)
    if load_at_start > 1.0:
        print(f"note: load average {load_at_start} before the start; other work on this machine "
              "will skew the numbers")

    def write(results, datasets, failures, documents=None) -> dict:
        report = build_report(args, started, load_at_start, results, datasets, failures, documents)
        write_json(Path(args.output), report)
        return report

    results, datasets, failures = ({}, {}, {}) if args.only_documents else measure_databases(args, write)
    documents = None if args.skip_documents else measure_documents_once(args, failures)
    report = write(results, datasets, failures, documents)
    print_report(report)
    print(f"\nwritten {args.output}")
    if failures:
        print(f"{len(failures)} part(s) could not be measured: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
