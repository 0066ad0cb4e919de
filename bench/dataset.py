"""The benchmark databases: build them (or reuse them) and pick sample inputs.

Each (database, size) pair has its own database so sizes can be compared and
reused between runs:

* SQLite:      ``bench/out/bench-<N>.db``
* PostgreSQL:  ``casesys_bench_<N>`` on the server of ``--postgres-url``

A database is built with the project's own commands, run as subprocesses
(``flask --app wsgi db upgrade`` then ``flask --app wsgi demo-data --cases N``),
so the benchmark measures exactly what ``make run`` would serve. Databases made
before deadlines existed get them from ``flask --app wsgi calendar recompute``,
which is also what the deadline recompute timing runs (issue 4).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
VENV_BIN = ROOT / ".venv" / "bin"
SECRET_KEY = "bench-secret-bench-secret-bench-secret"
OFFICER_OFFICE = "HB"  # the demo user `officer` works at the provincial office
GENERATE_TIMEOUT_S = 3 * 3600
UPGRADE_TIMEOUT_S = 600
RECOMPUTE_TIMEOUT_S = 3600
TODO_OPEN_CASES = 500  # issue 4: the to-do page of a handler with about 500 open cases
GENERATE_CHUNK = 100_000  # demo cases per `demo-data` run: each commits, memory stays that of 100,000
DEADLINES_MISSING = 0.9  # fewer adjudication cases with deadlines than this share: recompute

# The app's packages (and its top-level `config`) for the samples and bench/documents.py.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Samples:
    """Inputs for the measured pages, taken from the database itself."""

    case_id: int
    case_number: str
    number_query: str  # the case number typed with [] instead of 〔〕
    party_query: str  # a substring of a respondent's name
    party_query_short: str  # two characters of it: the trade word (e.g. "东湖"), as Chinese users search
    many_parties_case_id: int  # the officer's office's case with the most parties
    todo_username: str  # the handler whose open cases are nearest TODO_OPEN_CASES
    todo_open_cases: int  # their open cases as handler

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Dataset:
    """One benchmark database and how it came to be."""

    database: str  # "sqlite" or "postgresql"
    size: int  # the number of cases asked for
    url: str
    cases: int = 0  # the number of cases it really holds
    generated: bool = False
    generation_seconds: float | None = None
    generation_chunks: list[float] = field(default_factory=list)  # seconds of each `demo-data` run
    samples: Samples | None = field(default=None, repr=False)
    totals: dict[str, int] | None = None  # cases found by the list and the searches
    deadlines_filled_seconds: float | None = None  # recompute run because deadlines were missing
    deadline_recompute_seconds: float | None = None  # the timed `calendar recompute` (issue 4)
    deadline_cases: int | None = None  # adjudication cases that have deadlines, after preparing

    def summary(self) -> dict:
        """What the JSON report records about the dataset (no credentials)."""
        return {
            "url": sa.engine.make_url(self.url).render_as_string(hide_password=True),
            "cases": self.cases,
            "generated": self.generated,
            "generation_seconds": self.generation_seconds,
            "generation_chunks": self.generation_chunks,
            "deadlines_filled_seconds": self.deadlines_filled_seconds,
            "deadline_recompute_seconds": self.deadline_recompute_seconds,
            "deadline_cases": self.deadline_cases,
            "samples": self.samples.as_dict() if self.samples else None,
            "totals": self.totals,
        }


def dataset_url(database: str, size: int, postgres_url: str, prefix: str = "casesys_bench") -> str:
    """The DATABASE_URL of the benchmark database of `size` cases (PostgreSQL:
    `<prefix>_<size>`, so that several checkouts on one server keep apart)."""
    if database == "sqlite":
        return f"sqlite:///{OUT_DIR / f'bench-{size}.db'}"
    if database == "postgresql":
        base = sa.engine.make_url(postgres_url)
        return base.set(database=f"{prefix}_{size}").render_as_string(hide_password=False)
    raise ValueError(f"unknown database {database!r}")


def app_env(url: str) -> dict[str, str]:
    """The environment of the app's subprocesses (flask commands, gunicorn)."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, CASESYS_ENV="development")
    return env


def ensure_postgres_database(url: str, admin_url: str) -> None:
    """Create the database of `url` (connecting to `admin_url`) if it is missing."""
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                print(f"  creating PostgreSQL database {name}")
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def count_cases(url: str) -> int:
    """Rows in `cases`; 0 when the database or the table does not exist yet."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("cases"):
                return 0
            return conn.scalar(sa.text("SELECT count(*) FROM cases")) or 0
    finally:
        engine.dispose()


def deadline_coverage(url: str) -> tuple[int, int]:
    """(adjudication cases, those of them with stored deadlines)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cases = conn.scalar(sa.text("SELECT count(*) FROM cases WHERE case_type = 'adjudication'")) or 0
            with_deadlines = conn.scalar(sa.text(
                "SELECT count(DISTINCT d.case_id) FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
                " WHERE c.case_type = 'adjudication'")) or 0
    finally:
        engine.dispose()
    return cases, with_deadlines


def recompute_deadlines(url: str) -> float:
    """`flask --app wsgi calendar recompute` (all adjudication cases); its wall time in seconds."""
    started = time.perf_counter()
    run_flask(url, "calendar", "recompute", timeout=RECOMPUTE_TIMEOUT_S, quiet=True)
    return round(time.perf_counter() - started, 1)


def ensure_deadlines(dataset: Dataset) -> None:
    """Compute the deadlines of a database made before they existed (the
    to-do page would otherwise be empty)."""
    cases, with_deadlines = deadline_coverage(dataset.url)
    if with_deadlines >= DEADLINES_MISSING * cases:
        return
    print(f"  computing missing deadlines ({with_deadlines} of {cases} adjudication cases have them) ...",
          flush=True)
    dataset.deadlines_filled_seconds = recompute_deadlines(dataset.url)


def time_recompute(dataset: Dataset) -> None:
    """Issue 4: the time to recompute the deadlines of every case, as after
    entering a new year's calendar. Run before gunicorn starts, so nothing competes."""
    print("  timing `flask --app wsgi calendar recompute` ...", end="", flush=True)
    dataset.deadline_recompute_seconds = recompute_deadlines(dataset.url)
    print(f" {dataset.deadline_recompute_seconds} s")


def run_flask(url: str, *args: str, timeout: float, quiet: bool = False) -> None:
    """Run `flask --app wsgi <args>` against `url`; raise if it fails.

    `quiet` keeps the command's output unless it fails.
    """
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=ROOT, env=app_env(url), timeout=timeout,
                          capture_output=quiet, text=True)
    if done.returncode:
        if quiet:
            print(done.stdout + done.stderr)
        raise RuntimeError(f"`flask --app wsgi {' '.join(args)}` failed (exit {done.returncode})")


def settle_postgres(url: str) -> None:
    """VACUUM ANALYZE: the state autovacuum leaves a bulk-loaded database in.

    Without it, the planner of a freshly loaded database has no statistics and
    the first minutes of a real deployment are not what the benchmark is about.
    """
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def prepare(dataset: Dataset, postgres_url: str, party_query: str | None = None, *,
            time_deadlines: bool = False) -> Dataset:
    """Migrate the database, fill it up to `dataset.size` cases if needed,
    compute missing deadlines, time the deadline recompute (`time_deadlines`)
    and pick the samples (`party_query` given: search for that instead)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if dataset.database == "postgresql":
        ensure_postgres_database(dataset.url, postgres_url)
    run_flask(dataset.url, "db", "upgrade", timeout=UPGRADE_TIMEOUT_S, quiet=True)
    existing = count_cases(dataset.url)
    if existing >= dataset.size:
        print(f"  reusing {existing} cases")
    else:
        missing = dataset.size - existing
        print(f"  generating {missing} demo cases (has {existing}) ...", flush=True)
        started = time.perf_counter()
        # In runs of GENERATE_CHUNK cases, each committed: an interrupted
        # million keeps what it made, and a run's memory does not grow with the total.
        while missing > 0:
            chunk = min(missing, GENERATE_CHUNK)
            chunk_started = time.perf_counter()
            run_flask(dataset.url, "demo-data", "--cases", str(chunk), timeout=GENERATE_TIMEOUT_S, quiet=True)
            missing -= chunk
            dataset.generation_chunks.append(round(time.perf_counter() - chunk_started, 1))
            print(f"    {chunk} cases in {dataset.generation_chunks[-1]} s, {missing} to go", flush=True)
        dataset.generated = True
        dataset.generation_seconds = round(time.perf_counter() - started, 1)
        print(f"  generated in {dataset.generation_seconds} s")
    ensure_deadlines(dataset)
    if time_deadlines:
        time_recompute(dataset)
    if dataset.database == "postgresql":  # after the recompute: it rewrites case_deadlines
        settle_postgres(dataset.url)
    dataset.cases = count_cases(dataset.url)
    dataset.deadline_cases = deadline_coverage(dataset.url)[1]
    dataset.samples = pick_samples(dataset.url, party_query)
    return dataset


SAMPLE_QUERY = sa.text("""
    SELECT c.id, c.number, p.name
    FROM cases c
    JOIN offices o ON o.id = c.office_id
    JOIN parties p ON p.case_id = c.id
    WHERE o.code = :office AND p.role = 'respondent' AND p.kind = 'organisation'
    ORDER BY c.id, p.position
    LIMIT 1
""")


MANY_PARTIES_QUERY = sa.text("""
    SELECT c.id
    FROM cases c
    JOIN offices o ON o.id = c.office_id
    JOIN parties p ON p.case_id = c.id
    WHERE o.code = :office
    GROUP BY c.id
    ORDER BY count(*) DESC, c.id
    LIMIT 1
""")


# The most common first four characters (city and trade word) of the office's
# company respondents: a search that the bigger databases, made by the same
# generator in other batches, also answer.
COMMON_PREFIX_QUERY = sa.text("""
    SELECT substr(p.name, 1, 4) AS prefix, count(*) AS n
    FROM parties p
    JOIN cases c ON c.id = p.case_id
    JOIN offices o ON o.id = c.office_id
    WHERE o.code = :office AND p.role = 'respondent' AND p.kind = 'organisation'
    GROUP BY substr(p.name, 1, 4)
    ORDER BY count(*) DESC, substr(p.name, 1, 4)
    LIMIT 1
""")


HANDLER_LOAD_QUERY = sa.text("""
    SELECT u.id, u.username, count(*) AS open_cases
    FROM cases c
    JOIN users u ON u.id = c.handler_id
    WHERE c.state IN :open_states AND u.active
    GROUP BY u.id, u.username
    HAVING count(c.next_due_on) > 0
""").bindparams(sa.bindparam("open_states", expanding=True))


def pick_todo_user(conn: sa.Connection) -> tuple[str, int]:
    """The handler (username, open cases) whose number of open cases as
    handler is nearest TODO_OPEN_CASES; the lowest id among equals; only a
    handler with an open deadline (a mediator's own mediation cases may have
    none: at 1,000,000 cases the least loaded handler was such a mediator).
    Open = OPEN_STATES of casesys/domain/enums.py. Demo users all have the
    password `casesys-demo`."""
    from casesys.domain.enums import OPEN_STATES

    rows = conn.execute(HANDLER_LOAD_QUERY, {"open_states": [s.value for s in OPEN_STATES]}).all()
    if not rows:
        raise RuntimeError("no handler has an open case: no to-do page to measure")
    nearest = min(rows, key=lambda r: (abs(r.open_cases - TODO_OPEN_CASES), r.id))
    return nearest.username, nearest.open_cases


def pick_samples(url: str, party_query: str | None = None) -> Samples:
    """The first case of the officer's office that has a company as respondent:
    its page, its number (with [] brackets) and, unless `party_query` is
    given, the most common first four characters of the office's company
    respondents (city and trade word, e.g. "武汉光谷") and the last two of
    those (the trade word, the short search); the office's case with the most parties; and the user
    whose to-do page is measured."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(SAMPLE_QUERY, {"office": OFFICER_OFFICE}).first()
            common = conn.execute(COMMON_PREFIX_QUERY, {"office": OFFICER_OFFICE}).scalar()
            many_parties = conn.execute(MANY_PARTIES_QUERY, {"office": OFFICER_OFFICE}).scalar()
            todo_username, todo_open_cases = pick_todo_user(conn)
    finally:
        engine.dispose()
    if row is None:
        raise RuntimeError(f"no case of office {OFFICER_OFFICE} with a company as respondent in {url}")
    case_id, number, _ = row
    number_query = number.replace("〔", "[").replace("〕", "]")
    party_query = party_query or common
    return Samples(case_id=case_id, case_number=number, number_query=number_query,
                   party_query=party_query, party_query_short=party_query[2:4],
                   many_parties_case_id=many_parties,
                   todo_username=todo_username, todo_open_cases=todo_open_cases)
