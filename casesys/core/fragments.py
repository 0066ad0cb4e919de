"""Rendered HTML kept per worker process (issue 12): the case page's content,
the rows of the case list and the to-do.

A fragment is kept under a key made of what it was rendered from — above all
a case's `revision`, which the database raises on every change to the case
or to a row its page or list rows show, and the display epoch, raised on
changes to what every page shows (names, offices, settings, calendars,
rules); triggers of migration 0021pagerev keep both, however a row is
written. A changed key is a new fragment: nothing is ever invalidated by
hand. Only GET requests that wrote nothing use and fill the stores; entries
also expire after FRAGMENT_CACHE_SECONDS.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from cachetools import TTLCache
from flask import current_app, has_request_context, request
from markupsafe import Markup

from casesys.core.database import built_once
from casesys.core.models import DisplayEpoch
from casesys.core.request_memo import read_with_user, request_memo
from casesys.extensions import db

_Value = TypeVar("_Value")
_EPOCH = "display_epoch"
WROTE = "casesys.wrote"  # in the request's environ: it flushed something
#: Each store and the setting of its size (0: not kept).
STORES = {"pages": "CASE_PAGE_CACHE_SIZE", "rows": "LIST_ROW_CACHE_SIZE"}


class FragmentStore:
    """A size- and time-bounded map shared by the threads of one process."""

    def __init__(self, size: int, seconds: float) -> None:
        self._entries: TTLCache = TTLCache(maxsize=size, ttl=seconds)
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value


def fragment_store(name: str) -> FragmentStore | None:
    """This app's store `name`, for a GET request; None when it may not be used."""
    size = current_app.config[STORES[name]]
    if not size or request.method != "GET":
        return None
    stores = current_app.extensions.setdefault("fragments", {})
    if name not in stores:
        stores.setdefault(name, FragmentStore(size, current_app.config["FRAGMENT_CACHE_SECONDS"]))
    return stores[name]


def may_keep() -> bool:
    """Whether what this request rendered may be kept: it saw only committed rows."""
    return not request.environ.get(WROTE) and not (db.session.new or db.session.dirty or db.session.deleted)


def kept_rows(keys: list[Hashable], render_missing: Callable[[list[int]], list[str]]) -> list[Markup]:
    """The rendered rows under `keys`; those not kept are rendered by
    `render_missing(their indexes)`, all at once, and kept."""
    store = fragment_store("rows")
    found = [store.get(key) if store else None for key in keys]
    missing = [index for index, html in enumerate(found) if html is None]
    if missing:
        keep = store is not None and may_keep()
        for index, html in zip(missing, render_missing(missing), strict=True):
            found[index] = html
            if keep:
                store.put(keys[index], html)
    return [Markup(html) for html in found]


def display_epoch() -> int:
    """The display epoch, read once per request until it writes (with the
    logged-in user: `read_with_user` below)."""
    return request_memo(_EPOCH, lambda: db.session.execute(sa.select(epoch_column())).scalar_one())


def kept_for_epoch(key: Hashable, read: Callable[[], _Value]) -> _Value:
    """What `read()` gives from tables that raise the display epoch (settings,
    people, roles, offices, shared cases), kept per epoch: read once per
    process and epoch. The epoch is read first, so what is kept under it is
    never older than it. The value is shared between threads: never change it."""
    store = fragment_store("rows") if has_request_context() else None
    if store is None or not may_keep():  # a request that writes reads what it wrote
        return read()
    full_key = ("epoch", key, display_epoch())
    value = store.get(full_key)
    if value is None:
        value = read()
        store.put(full_key, value)
    return value


@built_once
def epoch_column() -> sa.ScalarSelect:
    """The display epoch as a column, for a statement that reads it beside other things."""
    return sa.select(sa.func.coalesce(sa.func.max(DisplayEpoch.epoch), 0)).scalar_subquery()  # no row yet: 0


# Most pages need it before their rows: read with the logged-in user, not by a statement of its own.
read_with_user("display_epoch", epoch_column, key=lambda user_id: _EPOCH)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _note_write(session, flush_context) -> None:
    if has_request_context():
        request.environ[WROTE] = True
