"""Values read once per request: what both a page and its menu show (the
waiting approvals: the approvals page's sections and the menu's badge) is
asked of the database once. Whatever the request writes forgets them, so a
value is never older than the request's last write."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context

_Value = TypeVar("_Value")
_MEMO = "_request_memo"


def request_memo(key: Hashable, compute: Callable[[], _Value]) -> _Value:
    """`compute()`, once per request and key (outside a request, every time)."""
    if not has_request_context():
        return compute()
    memo = g.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(key: Hashable, value) -> None:
    """What the request has read already, in another statement (e.g. with the user)."""
    if has_request_context():
        g.setdefault(_MEMO, {})[key] = value


# What most pages need and the logged-in user's own statement reads beside the user
# (casesys.auth.services.load_session_user): name -> (its column, bound: user_id;
# the memo key of a user id; the value of what the column gives). Registered by the
# features, at import or init_app, before any request builds that statement.
_READ_WITH_USER: dict[str, tuple[Callable[[], sa.ColumnElement], Callable[[int], Hashable], Callable]] = {}


def read_with_user(name: str, column: Callable[[], sa.ColumnElement], key: Callable[[int], Hashable],
                   value: Callable = lambda raw: raw) -> None:
    """Read `column()` with the logged-in user and remember `value(it)` under `key(user id)`."""
    _READ_WITH_USER[name] = (column, key, value)


def columns_read_with_user() -> list[sa.ColumnElement]:
    return [column().label(name) for name, (column, _, _) in sorted(_READ_WITH_USER.items())]


def remember_read_with_user(user_id: int, row) -> None:
    """Remember what the user's statement read (`row`: its columns by name)."""
    for name, (_, key, value) in _READ_WITH_USER.items():
        remember(key(user_id), value(getattr(row, name)))


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _forget_on_write(session, flush_context) -> None:
    if has_app_context():  # g outlives a request where the app context was pushed before it
        g.pop(_MEMO, None)
