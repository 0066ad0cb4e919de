"""Issue 6: the PDF documents — a 10-page ruling, and a batch print of 100.

Run once per `make bench` (not per database), on SQLite, in a temporary
directory: a copy of `bench/out/bench-1000.db` (`db upgrade`d), or, when that
is missing, a fresh database of 200 demo cases. The benchmark databases
themselves are never changed.

1. **Ruling.** A ruling (行政裁决书) of a decided case, drafted by `officer`,
   its "facts" and "reasons" lengthened until the PDF has 10 pages, then
   submitted and approved by `supervisor` as in the app. On the HTML the app
   renders for it (`pdf/ruling.html` with the approved document's context),
   after one warm-up, `--runs` timings each, alternating:
   (a) `rendering.write_pdf(html)` — the whole PDF, what approval does;
   (b) `rendering.html_document(html).render()` — WeasyPrint's layout alone.
   Target: median(a) / median(b) <= 3.
2. **Batch.** `--batch` rulings with the same long texts on other decided
   cases: drafted, submitted, then approved (rendered and frozen — timed),
   committed; then the batch print `batches.start_batch(ids)` and the
   worker's run of its job (parts spooled, merged by qpdf into a file)
   runs in a fresh Python process, so its memory is its own:
   wall time and the growth of its peak RSS (`VmHWM`; `ru_maxrss` too, which
   Linux makes start at the parent's size); a second fresh process measures
   the Python-side peak with `tracemalloc` (slower, so its time is kept apart).

Standalone: `.venv/bin/python bench/documents.py [--runs 7] [--batch 100]`.
`documents.py merge …` is the child process of step 2 (internal).
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from dataset import OUT_DIR, ROOT, SECRET_KEY, UPGRADE_TIMEOUT_S, run_flask

TARGET_PAGES = 10
RATIO_TARGET = 3.0
SOURCE_DB = OUT_DIR / "bench-1000.db"
FRESH_DEMO_CASES = 200
DRAFTER, APPROVER = "officer", "supervisor"  # demo users: the approver must not be the drafter
MERGE_TIMEOUT_S = 1800
SIZING_START = 8  # paragraphs in each of "facts" and "reasons" for the first try
MIB = 1024 * 1024

# The long texts: realistic sentences of a patent infringement ruling, varied
# so that the font subset is that of a real document, not of one sentence.
SENTENCES = (
    "经查，被请求人在其经营场所及网络店铺中销售的被控侵权产品，与涉案专利产品属于相同种类的产品。",
    "请求人提交的公证书显示，公证人员在被请求人的门店购买了被控侵权产品，并对购买过程进行了拍照和封存。",
    "经当庭拆封比对，被控侵权产品的技术特征与涉案专利权利要求1记载的全部技术特征相同。",
    "被请求人主张其产品系从合法渠道购进，但未能提交进货发票、供货合同等证据予以证明。",
    "被请求人提出的现有技术抗辩，所依据的对比文件公开日晚于涉案专利申请日，不能作为现有技术。",
    "涉案专利的年费已按期缴纳，专利权处于有效状态，请求人有权就侵犯其专利权的行为提出处理请求。",
    "根据《中华人民共和国专利法》第六十四条的规定，发明或者实用新型专利权的保护范围以其权利要求的内容为准。",
    "说明书及附图可以用于解释权利要求的内容，本案中对“连接部”的理解应当结合说明书第三段的记载。",
    "被请求人关于其产品缺少“弹性卡扣”这一技术特征的意见，与当庭比对的结果不符，本机关不予采纳。",
    "口头审理中，双方当事人对公证书的真实性均无异议，对被控侵权产品的来源亦予以确认。",
    "综合全案证据，本机关认定被请求人未经专利权人许可，以生产经营为目的销售了侵犯涉案专利权的产品。",
    "被请求人的行为构成专利侵权，应当承担立即停止侵权行为的责任，并销毁库存的侵权产品。",
)


# --- the database and the app ------------------------------------------------------------

def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included), by the backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def document_database(workdir: Path) -> tuple[str, str]:
    """A migrated SQLite database of its own in `workdir`: (url, where it came from)."""
    path = workdir / "documents.db"
    url = f"sqlite:///{path}"
    if SOURCE_DB.exists():
        copy_sqlite(SOURCE_DB, path)
        origin = f"temporary copy of {SOURCE_DB.relative_to(ROOT)}"
    else:
        origin = f"temporary database of {FRESH_DEMO_CASES} demo cases"
    run_flask(url, "db", "upgrade", timeout=UPGRADE_TIMEOUT_S, quiet=True)
    if not SOURCE_DB.exists():
        run_flask(url, "demo-data", "--cases", str(FRESH_DEMO_CASES), timeout=UPGRADE_TIMEOUT_S, quiet=True)
    return url, origin


def make_app(url: str):
    """The app on `url`, configured as `make run` (development)."""
    from casesys import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET_KEY)


def demo_user(username: str):
    import sqlalchemy as sa

    from casesys.auth.models import User
    from casesys.extensions import db

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise RuntimeError(f"no demo user {username!r} in the documents database")
    return user


def decided_cases(count: int) -> list:
    """Up to `count` cases with a decision: a ruling can be drafted for them."""
    import sqlalchemy as sa

    from casesys.cases.models import Case
    from casesys.extensions import db

    cases = db.session.scalars(sa.select(Case).where(Case.decision_outcome.is_not(None), Case.decision_outcome != "")
                               .order_by(Case.id).limit(count)).all()
    if not cases:
        raise RuntimeError("no decided case in the documents database: no ruling to draft")
    return cases


# --- the 10-page ruling ------------------------------------------------------------------

def long_paragraphs(count: int, offset: int) -> str:
    """`count` paragraphs of four sentences each, one per line."""
    n = len(SENTENCES)
    return "\n".join("".join(SENTENCES[(offset + i + k) % n] for k in range(4)) for i in range(count))


def long_texts(document, paragraphs: int) -> dict:
    """The document's texts with `paragraphs` paragraphs of facts and of reasons."""
    return {**document.texts, "facts": long_paragraphs(paragraphs, 0), "reasons": long_paragraphs(paragraphs, 5)}


def ruling_html(document) -> str:
    """The HTML exactly as the app renders an approved ruling."""
    from flask import render_template

    from casesys.documents.services import _context

    return render_template("pdf/ruling.html", **_context(document, draft=False))


def pages_with(document, paragraphs: int) -> int:
    """Pages of the ruling with `paragraphs` paragraphs of facts and of reasons."""
    from casesys.documents.rendering import page_count, write_pdf

    document.texts = long_texts(document, paragraphs)
    return page_count(write_pdf(ruling_html(document)))


def size_ruling(document, pages: int = TARGET_PAGES) -> int:
    """The number of paragraphs (each of facts and reasons) that gives
    `pages` pages, or the nearest to it; leaves the document with them."""
    first = pages_with(document, SIZING_START)
    n = max(1, round(SIZING_START * pages / first))
    tried = {SIZING_START: first, n: pages_with(document, n)}
    step = 1 if tried[n] < pages else -1
    while tried[n] != pages and n + step >= 1:
        tried[n + step] = pages_with(document, n + step)
        if (tried[n + step] - pages) * step >= 0:  # reached or passed the target
            n = min((n, n + step), key=lambda m: (abs(tried[m] - pages), -tried[m]))
            break
        n += step
    document.texts = long_texts(document, n)
    return n


def timed(function: Callable[[], object]) -> float:
    """Seconds one call takes (after a garbage collection, so it is not billed for others' garbage)."""
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def alternate_timings(functions: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Each function once unmeasured (warm-up), then `runs` times, taking turns
    so that a slow moment of the machine hits them alike."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            times[name].append(round(timed(function), 4))
    return times


def approve(document, drafter, approver) -> None:
    """Submit (as the drafter) and approve (as the approver): numbered, rendered, frozen."""
    from casesys.documents.services import approve_document, submit

    submit(document, actor=drafter)
    approve_document(document, actor=approver)


def measure_ruling(case, drafter, approver, runs: int) -> tuple[dict, int]:
    """A ruling sized to 10 pages and approved; full PDF vs layout alone on its
    HTML. Returns the figures and the paragraphs used."""
    from casesys.documents.rendering import html_document, page_count, write_pdf
    from casesys.documents.services import create_draft
    from casesys.extensions import db

    document = create_draft(case, "ruling", actor=drafter)
    paragraphs = size_ruling(document)
    approve(document, drafter, approver)
    db.session.commit()
    html = ruling_html(document)
    pdf = write_pdf(html)
    print(f"  ruling of case {case.number}: {page_count(pdf)} pages "
          f"({paragraphs} paragraphs of facts and of reasons); timing {runs} runs ...", flush=True)
    times = alternate_timings({"write_pdf": lambda: write_pdf(html),
                               "render": lambda: html_document(html).render()}, runs)
    full, layout = statistics.median(times["write_pdf"]), statistics.median(times["render"])
    ratio = round(full / layout, 2)
    print(f"  write_pdf {full:.3f} s, render() {layout:.3f} s (medians): ratio {ratio}", flush=True)
    return {
        "case_number": case.number, "document_id": document.id, "pages": page_count(pdf),
        "frozen_pages": document.page_count, "paragraphs": paragraphs, "html_chars": len(html),
        "pdf_bytes": len(pdf), "runs": runs,
        "write_pdf_median_s": round(full, 4), "render_median_s": round(layout, 4),
        "write_pdf_runs_s": times["write_pdf"], "render_runs_s": times["render"],
        "ratio": ratio, "target": f"<= {RATIO_TARGET:g}", "pass": ratio <= RATIO_TARGET,
    }, paragraphs


# --- the batch of documents --------------------------------------------------------------

def approve_batch(cases: list, paragraphs: int, count: int, drafter, approver) -> tuple[list[int], dict]:
    """`count` long rulings on `cases` (in turn): drafted and submitted, then
    approved — that part timed, commit included. Returns their ids and figures."""
    from casesys.documents.services import create_draft
    from casesys.extensions import db

    documents = []
    for number in range(count):
        document = create_draft(cases[number % len(cases)], "ruling", actor=drafter)
        document.texts = long_texts(document, paragraphs)
        documents.append(document)
    db.session.commit()
    print(f"  approving {count} rulings (render and freeze) ...", end="", flush=True)
    started = time.perf_counter()
    for document in documents:
        approve(document, drafter, approver)
    db.session.commit()
    seconds = time.perf_counter() - started
    pages = sum(document.page_count for document in documents)
    print(f" {seconds:.1f} s, {pages} pages", flush=True)
    return [document.id for document in documents], {
        "documents": count, "distinct_cases": min(count, len(cases)), "pages": pages,
        "frozen_mib": round(sum(len(document.pdf) for document in documents) / MIB, 2),
        "approve_seconds": round(seconds, 2), "approve_per_document_s": round(seconds / count, 3),
    }


def merge_in_child(url: str, ids: list[int], actor_id: int, *, trace: bool) -> dict:
    """The batch print in a fresh Python process (`documents.py merge`); its figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "merge", "--url", url,
               "--actor-id", str(actor_id), "--ids", ",".join(map(str, ids))] + (["--trace"] if trace else [])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=MERGE_TIMEOUT_S, check=False)
    if done.returncode:
        raise RuntimeError(f"batch merge failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_merge(url: str, ids: list[int], actor_id: int) -> dict:
    """Time and RSS of the merge untraced; the Python peak in a traced run."""
    print(f"  merging {len(ids)} documents into one batch PDF ...", end="", flush=True)
    plain = merge_in_child(url, ids, actor_id, trace=False)
    traced = merge_in_child(url, ids, actor_id, trace=True)
    print(f" {plain['seconds']:.2f} s, {plain['merged_pages']} pages, peak RSS +{plain['rss_delta_mib']:.1f} MiB, "
          f"tracemalloc peak {traced['tracemalloc_peak_mib']:.1f} MiB", flush=True)
    return {
        "merge_seconds": plain["seconds"], "merged_pages": plain["merged_pages"],
        "merged_mib": plain["merged_mib"], "rss_before_mib": plain["rss_before_mib"],
        "rss_peak_mib": plain["rss_peak_mib"], "rss_delta_mib": plain["rss_delta_mib"],
        "rss": "VmHWM of the merge process (its own peak resident set), before and after the merge",
        "ru_maxrss_before_mib": plain["ru_maxrss_before_mib"], "ru_maxrss_after_mib": plain["ru_maxrss_after_mib"],
        "ru_maxrss_delta_mib": plain["ru_maxrss_delta_mib"],
        "ru_maxrss": "getrusage(RUSAGE_SELF) of the merge process; Linux carries the parent's resident "
                     "set over fork and exec, so it starts at the benchmark process's size and its delta "
                     "only shows growth beyond that",
        "tracemalloc_peak_mib": traced["tracemalloc_peak_mib"],
        "merge_seconds_traced": traced["seconds"],
        "timed": "start_batch(ids) + the worker's run of its job: spooled parts merged to a file, in a fresh process",
    }


def max_rss_mib() -> float:
    """ru_maxrss of this process (Linux: KiB). It carries over, through fork
    and exec, the parent's resident set at the fork: in the merge child it
    starts at the size of the benchmark process that started it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mib() -> float:
    """This process's own peak resident set so far (VmHWM; ru_maxrss where there is no /proc)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return max_rss_mib()


def merge_child(url: str, ids: list[int], actor_id: int, trace: bool) -> dict:
    """In the child: build the batch print inline and measure it."""
    import pikepdf  # noqa: F401  imported before: the merge alone is measured
    import sqlalchemy as sa

    from casesys.documents.batches import batch_file, start_batch
    from casesys.documents.models import PrintBatch
    from casesys.documents.rendering import page_count
    from casesys.extensions import db
    from casesys.jobs.worker import run_due_jobs

    app = make_app(url)
    with app.app_context():
        db.session.execute(sa.select(PrintBatch.id).limit(1)).all()  # connect before measuring
        rss_before, maxrss_before = peak_rss_mib(), max_rss_mib()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        batch_id = start_batch(ids, actor_id=actor_id).id
        db.session.commit()
        run_due_jobs(kinds={"documents.print_batch"})  # what the worker does
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        rss_peak, maxrss_after = peak_rss_mib(), max_rss_mib()
        db.session.expire_all()
        batch = db.session.get(PrintBatch, batch_id)
        if batch.status != "finished":
            raise RuntimeError(f"batch {batch_id} {batch.status}: {batch.error}")
        merged = batch_file(batch).read_bytes()
        return {"seconds": round(seconds, 3), "merged_pages": page_count(merged),
                "merged_mib": round(len(merged) / MIB, 2), "rss_before_mib": round(rss_before, 1),
                "rss_peak_mib": round(rss_peak, 1), "rss_delta_mib": round(rss_peak - rss_before, 1),
                "ru_maxrss_before_mib": round(maxrss_before, 1), "ru_maxrss_after_mib": round(maxrss_after, 1),
                "ru_maxrss_delta_mib": round(maxrss_after - maxrss_before, 1),
                "tracemalloc_peak_mib": round(traced_peak / MIB, 1) if trace else None}


# --- the whole measurement ---------------------------------------------------------------

def harfbuzz_subset() -> dict:
    """Is libharfbuzz-subset0 (fast font subsetting for WeasyPrint) installed?"""
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}|${Version}", "libharfbuzz-subset0"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return {"package": "libharfbuzz-subset0", "installed": False, "version": None, "note": "no dpkg-query"}
    status, _, version = done.stdout.partition("|")
    installed = done.returncode == 0 and status.endswith(" installed")
    return {"package": "libharfbuzz-subset0", "installed": installed, "version": version if installed else None}


def versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("weasyprint", "pypdf", "pydyf")}


def measure_documents(runs: int = 7, batch_size: int = 100) -> dict:
    """The ruling and the batch (see the module's docstring); the figures for latest.json."""
    from casesys.extensions import db

    with tempfile.TemporaryDirectory(prefix="casesys-bench-documents-") as workdir:
        url, origin = document_database(Path(workdir))
        print(f"  database: {origin}", flush=True)
        app = make_app(url)
        with app.test_request_context():
            drafter, approver = demo_user(DRAFTER), demo_user(APPROVER)
            cases = decided_cases(batch_size + 1)
            ruling, paragraphs = measure_ruling(cases[0], drafter, approver, runs)
            ids, batch = approve_batch(cases[1:] or cases, paragraphs, batch_size, drafter, approver)
            drafter_id = drafter.id
            db.session.remove()
            db.engine.dispose()  # nothing holds the database while the child merges
        batch.update(measure_merge(url, ids, drafter_id))
    return {"database": origin, "drafter": DRAFTER, "approver": APPROVER,
            **versions(), "font": app.config["PDF_FONT_FAMILY"], "harfbuzz_subset": harfbuzz_subset(),
            "ruling": ruling, "batch": batch}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    merge = sub.add_parser("merge", help="internal: the batch merge, in a fresh process; prints JSON")
    merge.add_argument("--url", required=True)
    merge.add_argument("--ids", required=True, help="document ids, comma-separated")
    merge.add_argument("--actor-id", type=int, required=True)
    merge.add_argument("--trace", action="store_true", help="measure the Python peak with tracemalloc")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of the ruling (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=100, help="documents in the batch (default: %(default)s)")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "merge":
        print(json.dumps(merge_child(args.url, [int(i) for i in args.ids.split(",")], args.actor_id, args.trace)))
        return 0
    from report import print_documents

    documents = measure_documents(runs=args.runs, batch_size=args.batch)
    print_documents(documents)
    if args.output:
        Path(args.output).write_text(json.dumps(documents, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
