"""A test on PostgreSQL runs in one transaction, rolled back at its end.

The test's connection begins a transaction; every `db.session` of the test
app (the test's own, each request's, each CLI command's) joins it through a
SAVEPOINT, so the application's commits and rollbacks behave as always
(a commit releases the savepoint: later statements see the rows) and
nothing outlives the test. Undoing a test this way costs a ROLLBACK instead
of a DELETE per table written.

Another connection does not see the test's rows: a test whose writes must
be seen by other threads, processes or sessions of its own is marked
`commits` and gets committed rows, emptied before the next test (see
tests/conftest.py). A session asked for from another thread during a
rolled-back test is refused, so a test that needs the mark says so.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app

# The test app → the connection its sessions join, while a test runs rolled back.
_joined: dict[object, sa.Connection] = {}


def join_sessions_to_tests(db) -> None:
    """Make `db.session` join the running test's transaction when there is one
    (for the test's app only: the exchange tests' instances have their own)."""
    from flask_sqlalchemy.session import Session, _app_ctx_id

    if getattr(db.session, "joins_tests", False):
        return

    class JoinedSession(Session):
        def get_bind(self, *args, **kwargs):
            return self.bind  # the test's connection (Flask-SQLAlchemy would choose the engine)

    plain = db.session.session_factory
    joined = sa.orm.sessionmaker(class_=JoinedSession, db=db, query_cls=db.Query,
                                 join_transaction_mode="create_savepoint")

    def session():
        connection = _joined.get(current_app._get_current_object())
        if connection is None:
            return plain()
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("a thread of a rolled-back test sees none of its rows: mark the test `commits`")
        return joined(bind=connection)

    db.session = sa.orm.scoped_session(session, scopefunc=_app_ctx_id)
    db.session.joins_tests = True


def joined_connection(app) -> sa.Connection | None:
    return _joined.get(app)


@contextmanager
def rolled_back(app, connection: sa.Connection) -> Iterator[sa.Connection]:
    """The app's sessions join a transaction on `connection`, rolled back at the end."""
    transaction = connection.begin_nested() if connection.in_transaction() else connection.begin()
    outer = _joined.get(app)
    _joined[app] = connection
    try:
        yield connection
    finally:
        if outer is None:
            del _joined[app]
        if transaction.is_active:
            transaction.rollback()


def rolls_back(connection: sa.Connection) -> bool:
    """Whether what `connection` writes is undone at the end of the test."""
    return any(connection is joined for joined in _joined.values())
