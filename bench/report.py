"""Targets, the printed table and `bench/out/latest.json`.

Targets (from the issue):
* throughput: every page's requests/s >= 0.25 x /healthz's in the same run;
* scaling: a page's p95 at the largest size <= 1.5 x its p95 at the smallest.
"""
from __future__ import annotations

import json
from pathlib import Path

PAGES = ["case_list", "party_search", "number_search", "case_page"]
BASELINE = "healthz"
THROUGHPUT_TARGET = 0.25
SCALING_TARGET = 1.5


def baseline(first: dict, last: dict) -> dict:
    """/healthz measured before and after the pages: the mean of both runs."""
    mean = {key: round((first[key] + last[key]) / 2, 2) for key in ("rps", "p50_ms", "p95_ms")}
    return {**mean, "requests": first["requests"] + last["requests"],
            "errors": first["errors"] + last["errors"], "runs": [first, last]}


def add_ratios(run: dict) -> None:
    """ratio_to_healthz = page requests/s over the baseline's, in the same run."""
    base = run[BASELINE]["rps"]
    for page in PAGES:
        if page in run:
            run[page]["ratio_to_healthz"] = round(run[page]["rps"] / base, 3) if base else None


def compute_checks(results: dict) -> dict:
    """PASS/FAIL of both targets for every database, size and page."""
    throughput, scaling = [], []
    for database, runs in results.items():
        for size, run in runs.items():
            for page in PAGES:
                ratio = run.get(page, {}).get("ratio_to_healthz")
                throughput.append({"database": database, "cases": int(size), "page": page, "ratio": ratio,
                                   "pass": ratio is not None and ratio >= THROUGHPUT_TARGET})
        sizes = sorted(runs, key=int)
        if len(sizes) < 2:
            continue
        small, large = runs[sizes[0]], runs[sizes[-1]]
        for page in PAGES:
            if page in small and page in large and small[page]["p95_ms"]:
                ratio = round(large[page]["p95_ms"] / small[page]["p95_ms"], 2)
                scaling.append({"database": database, "page": page, "small": int(sizes[0]),
                                "large": int(sizes[-1]), "p95_ratio": ratio,
                                "pass": ratio <= SCALING_TARGET})
    errors = sum(run[page].get("errors", 0) for runs in results.values()
                 for run in runs.values() for page in run)
    return {
        "throughput_target": f"rps >= {THROUGHPUT_TARGET} x healthz rps",
        "scaling_target": f"p95(largest) <= {SCALING_TARGET} x p95(smallest)",
        "throughput": throughput,
        "scaling": scaling,
        "errors": errors,
        "all_pass": all(c["pass"] for c in throughput + scaling) and errors == 0,
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table_rows(results: dict, checks: dict) -> list[list[str]]:
    """One row per database, size and page (the baseline first)."""
    scaling = {(c["database"], c["page"], c["large"]): c for c in checks["scaling"]}
    rows = []
    for database, runs in results.items():
        for size in sorted(runs, key=int):
            run = runs[size]
            for page in [BASELINE, *PAGES]:
                if page not in run:
                    continue
                m = run[page]
                ratio = m.get("ratio_to_healthz")
                ratio_cell = "" if page == BASELINE else f"{ratio:.2f} {_verdict(ratio >= THROUGHPUT_TARGET)}"
                scale = scaling.get((database, page, int(size)))
                scale_cell = f"{scale['p95_ratio']:.2f} {_verdict(scale['pass'])}" if scale else ""
                rows.append([database, size, page, f"{m['rps']:.1f}", f"{m['p50_ms']:.1f}",
                             f"{m['p95_ms']:.1f}", ratio_cell, scale_cell, str(m.get("errors", 0))])
    return rows


def print_table(results: dict, checks: dict) -> None:
    """The results as an aligned text table, then the overall verdict."""
    sizes = sorted({int(size) for runs in results.values() for size in runs})
    scale_head = f"p95 {sizes[-1]}/{sizes[0]}" if len(sizes) > 1 else "p95 scaling"
    head = ["database", "cases", "page", "rps", "p50 ms", "p95 ms",
            f"x healthz (>={THROUGHPUT_TARGET})", f"{scale_head} (<={SCALING_TARGET})", "errors"]
    rows = table_rows(results, checks)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    right = {1, 3, 4, 5, 8}

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print()
    print(line(head))
    print("  ".join("-" * w for w in widths))
    previous = None
    for row in rows:
        if previous and row[:2] != previous[:2]:
            print()
        print(line(row))
        previous = row
    print()
    failed = [c for c in checks["throughput"] + checks["scaling"] if not c["pass"]]
    for c in failed:
        if "ratio" in c:
            print(f"FAIL throughput: {c['database']} {c['cases']} {c['page']}: "
                  f"{c['ratio']} x healthz < {THROUGHPUT_TARGET}")
        else:
            print(f"FAIL scaling: {c['database']} {c['page']}: p95 {c['large']} cases = "
                  f"{c['p95_ratio']} x p95 {c['small']} cases > {SCALING_TARGET}")
    if checks["errors"]:
        print(f"FAIL: {checks['errors']} requests did not answer 200")
    print("ALL TARGETS PASS" if checks["all_pass"] else f"{len(failed)} TARGET(S) FAILED")


def write_json(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
