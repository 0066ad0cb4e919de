"""The case page's content, rendered once for each state of the case (issue 12).

Rendering the page's panels costs more than everything else a view does; most
views find the case as the last one left it. The rendered HTML is kept per
worker process, keyed by what it was made from:

- the case's `revision`, which the database raises on every change to the
  case or to a row its page shows (triggers: migration 0021pagerev), however
  it was written — a form, a bulk statement, the worker, SQL by hand;
- the display epoch, raised on changes to what every page shows (names,
  offices, settings, calendars, rules);
- the viewer (the page offers what their roles allow) and the day (time
  left to deadlines, what is overdue);
- what the page shows of *other* cases (the same organisation elsewhere,
  repeat infringements), which no revision of this case follows: asked again
  on every view, and the kept page is used only if the answers are the same.

Each form's CSRF token is put back per request. Only GET requests that wrote
nothing use and fill the cache; entries also expire after a while.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from cachetools import TTLCache
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from casesys.cases.models import Case
from casesys.cases.services import cases_by_codes, credit_codes
from casesys.core import clock
from casesys.core.database import built_once
from casesys.core.models import DisplayEpoch
from casesys.credit.services import coded_respondents, findings_against
from casesys.extensions import db

CSRF_PLACEHOLDER = "\x00csrf\x00"  # never in a page: requests with NUL are refused (core.inputs)
WROTE = "casesys.wrote"  # in the request's environ: it flushed something


@dataclass(frozen=True)
class OtherCases:
    """The questions the page asks about other cases, from this case's parties."""

    credit_codes: tuple[str, ...]
    respondents: tuple

    @classmethod
    def of(cls, case: Case) -> OtherCases:
        return cls(credit_codes(case), coded_respondents(case))

    def ask(self, case_id: int, today: date) -> tuple[dict, dict]:
        """(the same organisations' other cases, repeat infringements found elsewhere)."""
        return cases_by_codes(self.credit_codes, case_id), findings_against(self.respondents, case_id, today=today)


@dataclass(frozen=True)
class Entry:
    others: OtherCases
    answers: tuple[dict, dict]
    html: str


class PageStore:
    """A size- and time-bounded map shared by the threads of one process."""

    def __init__(self, size: int, seconds: float) -> None:
        self._entries: TTLCache = TTLCache(maxsize=size, ttl=seconds)
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_store() -> PageStore | None:
    """This app's store; None when the cache is off (CASE_PAGE_CACHE_SIZE = 0)."""
    size = current_app.config["CASE_PAGE_CACHE_SIZE"]
    if not size:
        return None
    store = current_app.extensions.get("case_page_cache")
    if store is None:
        store = current_app.extensions.setdefault(
            "case_page_cache", PageStore(size, current_app.config["CASE_PAGE_CACHE_SECONDS"]))
    return store


def display_epoch() -> int:
    return db.session.execute(_epoch_statement()).scalar_one()


@built_once
def _epoch_statement() -> sa.Select:
    return sa.select(sa.func.coalesce(sa.func.max(DisplayEpoch.epoch), 0))  # no row yet: 0


def case_page_content(case: Case, epoch: int, render: Callable[[dict, dict], str], *,
                      cacheable: bool = True) -> Markup:
    """The page's content: `render(seen_elsewhere, repeat)`, or the kept HTML
    of the same state. `epoch`: read before the case was (names joined to it
    are then at least that new)."""
    today = clock.today()
    store = page_store() if cacheable and request.method == "GET" else None
    if store is None:
        return Markup(render(*OtherCases.of(case).ask(case.id, today)))
    key = (case.id, case.created_at, case.revision, epoch, today, _viewer())
    entry = store.get(key)
    if entry is not None:
        answers = entry.others.ask(case.id, today)
        if answers == entry.answers:
            return Markup(entry.html.replace(CSRF_PLACEHOLDER, generate_csrf()))
        others = entry.others  # the same parties (same revision): only the other cases changed
    else:
        others = OtherCases.of(case)
        answers = others.ask(case.id, today)
    html = render(*answers)
    if not request.environ.get(WROTE) and not (db.session.new or db.session.dirty or db.session.deleted):
        token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        store.put(key, Entry(others, answers, html.replace(token, CSRF_PLACEHOLDER) if token else html))
    return Markup(html)


def _viewer() -> tuple:
    """What the page's offers depend on, of the person viewing it."""
    return (current_user.id, current_user.office_id, current_user.province_wide,
            tuple(sorted(role.value for role in current_user.roles)))


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _note_write(session, flush_context) -> None:
    if has_request_context():
        request.environ[WROTE] = True
