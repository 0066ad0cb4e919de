"""Fixtures shared by the test tiers.

Database tests run on SQLite always and on PostgreSQL too when
TEST_DATABASE_URL is set: the `app` fixture is parametrized by backend, and
each backend's schema is built by the real migrations. Every test starts from
empty tables (but the seeded reference rows). On PostgreSQL a test runs in a
transaction rolled back at its end (tests/transactions.py), unless it is
marked `commits`; the tables a committed write reached (on SQLite, those the
previous test wrote to) are emptied before the next test.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from tests.factories import Factory
from tests.faketime import UNDER_FAKETIME, adapt_to_faketime, unfake_children
from tests.transactions import join_sessions_to_tests, joined_connection, rolled_back, rolls_back

pytest_plugins = ["tests.fixtures.documents"]

# No time limit per example: speed is measured by `make bench`, never in a
# unit test, and a loaded CI machine would make a deadline flaky.
settings.register_profile("casesys", deadline=None)
settings.load_profile("casesys")

_FAKETIME_PROBLEM = adapt_to_faketime()


def pytest_configure(config):
    if _FAKETIME_PROBLEM:
        pytest.exit(_FAKETIME_PROBLEM, returncode=2)
    if UNDER_FAKETIME and not config.getoption("numprocesses", None):  # this process runs the tests
        unfake_children()
    config.addinivalue_line("markers", "commits: the test's writes are committed, for other connections, threads or "
                                       "processes to see (not rolled back on PostgreSQL; emptied after it)")
    config.addinivalue_line("markers", "long: tests of many seconds (one long run, or waiting for processes): "
                                       "started first by parallel workers")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In a parallel worker (pytest-xdist), each database's long tests first,
    once pytest has put the tests of each database together: the other
    worker runs the rest meanwhile, and both finish at about the same time."""
    if not hasattr(config, "workerinput"):
        return
    blocks: dict = {}
    for item in items:
        blocks.setdefault(_backend_of(item), len(blocks))
    items.sort(key=lambda item: (blocks[_backend_of(item)], item.get_closest_marker("long") is None))


def _backend_of(item):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend") if callspec else None


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
TEST_PASSWORD = "correct-horse-1"


def _postgres_test_url() -> str:
    """A database of our own beside the one TEST_DATABASE_URL names."""
    base = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"casesys_test_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(sa.engine.make_url(os.environ["TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = _postgres_test_url()
    yield url
    _drop_postgres(url)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from casesys import create_app

    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
        BATCH_DIR=str(tmp_path_factory.mktemp("batches")),
        PDF_CACHE_DIR=str(tmp_path_factory.mktemp("pdf-cache")),
        EXPORT_DIR=str(tmp_path_factory.mktemp("exports")),
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        from casesys.extensions import db

        sa.event.listen(db.engine, "before_cursor_execute", _track_writes)
        join_sessions_to_tests(db)
        mark_all_tables_dirty(app)  # the first test starts from the seed only
    yield app
    if _shared_now:
        _end_shared_rows()
    with app.app_context():
        from casesys.extensions import db

        db.engine.dispose()


# Tables written since the last cleanup, seen by watching the statements the
# engine sends. Emptying only those (DELETE, not TRUNCATE: no new files per
# table on PostgreSQL) instead of every table costs a few milliseconds a test.
# A rolled-back test's writes need no emptying, only its sequences reset.
_WRITE = re.compile(r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_dirty: set[str] = set()
_inserted: set[str] = set()


def _track_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    match = _WRITE.match(statement)
    if match:
        if match.group(1)[0] in "iI":
            _inserted.add(match.group(2))
        if not rolls_back(conn):
            _dirty.add(match.group(2))


def mark_all_tables_dirty(app) -> None:
    """For tests whose writes this process cannot see (worker processes)."""
    from casesys.extensions import db

    _dirty.update(t.name for t in db.metadata.sorted_tables)


def _with_dependents(tables, dirty: set[str]) -> set[str]:
    """A table to empty takes the tables referring to it along."""
    result = set(dirty)
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table.name not in result and any(fk.column.table.name in result for fk in table.foreign_keys):
                result.add(table.name)
                changed = True
    return result


def _empty_tables(app) -> None:
    from casesys.adjudication.calendars import forget_calendar
    from casesys.adjudication.seed import reference_rows
    from casesys.extensions import db

    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        dirty = _with_dependents(tables, _dirty)
        resets = _sequence_resets(tables, dirty | _inserted) if db.engine.dialect.name == "postgresql" else None
        shared = joined_connection(app)  # a module's rows, in a transaction its tests nest in
        if dirty or (resets is not None and shared is None):
            with db.engine.begin() as conn:
                for table in reversed(tables):
                    if table.name in dirty:
                        conn.execute(table.delete())
                # What the migrations seed, every test starts with too.
                for name, rows in reference_rows().items():
                    if name in dirty:
                        conn.execute(db.metadata.tables[name].insert(), rows)
                if resets is not None and shared is None:
                    conn.execute(resets)
        if resets is not None and shared is not None:
            shared.execute(resets)
        _dirty.clear()
        _inserted.clear()
        forget_calendar()


def _sequence_resets(tables, names: set[str]):
    """Ids from 1 again, as on SQLite (a rollback leaves a sequence where it
    got to), or after the rows the module's tests share."""
    resets = [f"setval(pg_get_serial_sequence('{t.name}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {t.name}), "
              "false)" for t in tables if t.name in names and "id" in t.c and t.c.id.primary_key]
    return sa.text("SELECT " + ", ".join(resets)) if resets else None


def _fresh_globals(sender, **extra) -> None:
    """The test's app context is reused by each test-client request (Flask
    pushes none of its own then), so `g` would carry the logged-in user and
    caches from one request into the next. Real requests start clean."""
    from flask import g

    for key in list(vars(g)):
        delattr(g, key)


@pytest.fixture
def app(_app, request):
    """The app for one test, with empty tables (but the shared rows it asks
    for) and an app context."""
    from flask import request_started

    from casesys.extensions import db

    request_started.connect(_fresh_globals, _app)
    rolls_back = _app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") \
        and request.node.get_closest_marker("commits") is None
    wanted = next((write for name in request.fixturenames
                   if (write := _SHARED.get((request.module.__name__, name)))), None)
    if _shared_now and (_shared_now["write"] is not wanted or not rolls_back):
        _end_shared_rows()
    _empty_tables(_app)
    # Rolled back or emptied, a case's revisions repeat from test to test: nothing kept may outlive its test.
    _app.extensions.pop("fragments", None)
    if wanted and rolls_back and not _shared_now:
        _begin_shared_rows(_app, wanted)
    with _app.app_context():
        if rolls_back:
            with _connection(joined_connection(_app)) as connection, rolled_back(_app, connection):
                yield _app
                _assert_kept(db, connection)
            return
        if wanted:
            _shared_values[wanted] = wanted(db)
        yield _app
        _assert_kept(db)


def _assert_kept(db, connection=None) -> None:
    """Every test that stores deadlines also checks each case's next deadline
    was kept, whose to-do each case is on and the deadlines on each to-do
(`todo_cases`, `todo_deadlines`, kept by triggers);
    every test that changes cases, deadlines or mediations also
    checks the counts kept of them (the workload's, the mediators'
    dashboard's): in its own transaction, what it did not commit too (once
    flushed), and after it (on `connection`, that of a rolled-back test)."""
    from casesys.adjudication.next_deadline import stale_next_deadlines
    from casesys.desk.worklists import stale_todo_cases, stale_todo_deadlines

    if db.session.is_active and not _unflushed(db.session):
        _assert_tallies_kept(db.session.connection())
    db.session.remove()
    with _connection(connection) as conn:
        assert stale_next_deadlines(conn) == [], "cases.next_due_on not kept where deadlines were stored"
        assert stale_todo_cases(conn) == [], "todo_cases differs from whose to-do each case is on"
        assert stale_todo_deadlines(conn) == [], "todo_deadlines differs from the deadlines on each to-do"
        _assert_tallies_kept(conn)


@contextmanager
def _connection(shared):
    """`shared` if given (the shared rows' or the test's), else a connection of one's own."""
    from casesys.extensions import db

    if shared is not None:
        yield shared
        return
    with db.engine.connect() as connection:
        yield connection


def _unflushed(session) -> bool:
    return bool(session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty))


def _assert_tallies_kept(connection) -> None:
    from casesys.core.tallies import registered_tallies, stale

    for tally in registered_tallies():
        assert stale(connection, tally) == [], f"the {tally.name} counts not kept where their rows changed"


# Rows that the tests of a module share: the function writing them, by module
# and fixture name; what each wrote; those written once and still there.
_SHARED: dict[tuple[str, str], Callable] = {}
_shared_values: dict[Callable, object] = {}
_shared_now: dict = {}


def shared_rows(write: Callable):
    """A fixture, named after `write(db)`, of the rows it writes, for the
    tests of its module that ask for it to start with; its value is what
    `write` returns (plain values, such as ids: no ORM objects). On
    PostgreSQL the rows are written once for the tests that ask for them one
    after the other, in a transaction each test's own nests in, and rolled
    back before the next test that does not; on SQLite before each test."""
    _SHARED[(write.__module__, write.__name__)] = write

    @pytest.fixture(name=write.__name__)
    def rows(app):
        return _shared_values[write]

    rows.__doc__ = write.__doc__
    return rows


def _begin_shared_rows(app, write: Callable) -> None:
    from casesys.extensions import db

    stack = ExitStack()
    with app.app_context():
        connection = stack.enter_context(db.engine.connect())
        stack.enter_context(rolled_back(app, connection))
        _shared_values[write] = write(db)
        db.session.remove()
    _shared_now.update(write=write, stack=stack, tables=[t.name for t in db.metadata.sorted_tables])


def _end_shared_rows() -> None:
    _shared_now.pop("stack").close()
    _inserted.update(_shared_now.pop("tables"))  # ids from 1 again
    _shared_now.clear()


@pytest.fixture
def db(app):
    from casesys.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(db) -> Factory:
    return Factory(db, password=TEST_PASSWORD)


@pytest.fixture
def login_as(client):
    def login(user, password: str = TEST_PASSWORD, follow=False):
        response = client.post("/login", data={"username": user.username, "password": password},
                               follow_redirects=follow)
        return response

    return login


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def unpublished_after_2026(db):
    """The database calendar with the built-in schedules up to 2026 only: the
    years after it are unpublished by construction (SPEC §9), whatever years
    the data file gains later."""
    from datetime import date

    from casesys.adjudication.calendars import forget_calendar
    from casesys.adjudication.models import CalendarDay, CalendarYear

    db.session.execute(sa.delete(CalendarDay).where(CalendarDay.day >= date(2027, 1, 1)))
    db.session.execute(sa.delete(CalendarYear).where(CalendarYear.year >= 2027))
    db.session.commit()
    forget_calendar()
    return 2027
