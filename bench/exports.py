"""Time and peak memory of exporting the whole case list (SPEC §10, §11).

    .venv/bin/python bench/exports.py --database sqlite:///bench/out/bench-100000.db --format xlsx
    .venv/bin/python bench/exports.py --database postgresql+psycopg://postgres@127.0.0.1:5432/casesys_bench_100000 --format csv

Logs in as the province-wide demo `supervisor`, GETs /cases?format=<fmt> (every
case, the list's default order) through the app in this process, reads the
streamed body chunk by chunk and reports rows, bytes, seconds and the peak
resident memory of the process before and after (ru_maxrss) — run each
format in its own process so the peaks do not mix.
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
    args = parser.parse_args()

    from casesys import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.database, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert client.post("/login", data={"username": "supervisor", "password": "casesys-demo"}).status_code == 302
    client.get("/healthz")
    before = peak_mib()
    started = time.perf_counter()
    joiner = "&" if "?" in args.path else "?"
    response = client.get(f"{args.path}{joiner}format={args.format}", buffered=False)
    first_byte = time.perf_counter() - started
    size, chunks = 0, 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    seconds = time.perf_counter() - started
    response.close()
    result = {"format": args.format, "status": response.status_code, "bytes": size, "chunks": chunks,
              "seconds": round(seconds, 1), "first_byte_seconds": round(first_byte, 1),
              "peak_rss_mib_before": round(before, 1), "peak_rss_mib_after": round(peak_mib(), 1)}
    print(json.dumps(result))
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
