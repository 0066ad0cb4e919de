"""In-process cost of each page (Flask test client, one request at a time):
`python bench/inprocess.py DATABASE_URL [--runs N]`.

What `make bench` measures under load includes the server and the clients
sharing two cores; this is the cost of the page itself: median, p90 and p95
(issue 12's targets are p95s) of N requests after a warm-up, and the SQL
statements of one request; the median CPU time of the process too.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PASSWORD = "casesys-demo"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--party-query", help="search for this (as `make bench` does: the smallest size's query)")
    parser.add_argument("--page", action="append", help="only this page (repeatable)")
    parser.add_argument("--sql", action="store_true",
                        help="also list the statements of one request with their times, slowest first")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="also profile the runs (cProfile) and print the N functions of most own time")
    args = parser.parse_args(argv)
    os.environ.update(DATABASE_URL=args.url, SECRET_KEY="bench-secret-bench-secret-bench-secret",
                      CASESYS_ENV="development")
    import sqlalchemy as sa
    from dataset import pick_samples

    from casesys import create_app
    from casesys.extensions import db

    samples = pick_samples(args.url, args.party_query)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.url, WTF_CSRF_ENABLED=False)
    counted: list[str] = []
    timed: list[tuple[float, str]] = []

    def before(conn, cursor, statement, *rest):
        counted.append(statement)
        conn.info["began"] = time.perf_counter()

    def after(conn, cursor, statement, *rest):
        timed.append(((time.perf_counter() - conn.info.pop("began")) * 1000, statement))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
    pages = {name: page for name, page in page_list(samples).items() if not args.page or name in args.page}
    clients = {}
    print(f"{'page':<24}{'user':<16}{'median ms':>10}{'p90 ms':>9}{'p95 ms':>9}{'cpu ms':>8}{'stmts':>7}")
    for name, (user, path) in pages.items():
        if user not in clients:
            client = app.test_client()
            if user:
                response = client.post("/login", data={"username": user, "password": PASSWORD})
                assert response.status_code == 302, (user, response.status_code)
            clients[user] = client
        client = clients[user]
        if path == "/dashboard":  # fresh figures, as the worker keeps them (see run.refresh_figures)
            assert client.post("/dashboard/refresh").status_code == 302
        response = client.get(path)
        if response.status_code != 200:
            print(f"{name:<24}{user or '-':<16} answered {response.status_code}")
            continue
        counted.clear()
        timed.clear()
        client.get(path)
        statements = len(counted)
        slowest = sorted(timed, reverse=True)
        times, cpu = [], []
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        for _ in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        if profiler:
            profiler.disable()
        times.sort()
        # CPU time of this process (the app and SQLite, not a PostgreSQL backend):
        # steadier than wall time on a machine others share.
        print(f"{name:<24}{user or '-':<16}{statistics.median(times):10.2f}{times[int(len(times) * 0.9)]:9.2f}"
              f"{times[min(len(times) - 1, int(len(times) * 0.95))]:9.2f}"
              f"{statistics.median(cpu):8.2f}{statements:7d}", flush=True)
        if args.sql:
            for ms, statement in slowest:
                print(f"    {ms:8.2f} ms  {' '.join(statement.split())[:400]}")
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(args.profile)
    return 0


def page_list(samples) -> dict[str, tuple[str | None, str]]:
    from run import page_paths, user_for_page

    return {name: (None if name == "healthz" else user_for_page(name, samples), path)
            for name, path in {"healthz": "/healthz", **page_paths(samples)}.items()}


if __name__ == "__main__":
    sys.exit(main())
