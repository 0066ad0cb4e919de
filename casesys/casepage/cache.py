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

Each form's CSRF token is put back per request. The store: casesys.core.fragments.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app, g
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from casesys.cases.models import Case
from casesys.cases.services import cases_by_codes, credit_codes
from casesys.core import clock
from casesys.core.fragments import fragment_store, may_keep
from casesys.credit.services import coded_respondents, findings_against

CSRF_PLACEHOLDER = "\x00csrf\x00"  # never in a page: requests with NUL are refused (core.inputs)


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


def case_page_content(case: Case, epoch: int | None, render: Callable[[dict, dict], str]) -> Markup:
    """The page's content: `render(seen_elsewhere, repeat)`, or the kept HTML
    of the same state. `epoch`: read before the case was (names joined to it
    are then at least that new); None: not to be kept (it shows a form's errors)."""
    today = clock.today()
    store = fragment_store("pages") if epoch is not None else None
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
    if may_keep():
        token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        store.put(key, Entry(others, answers, html.replace(token, CSRF_PLACEHOLDER) if token else html))
    return Markup(html)


def _viewer() -> tuple:
    """What the page's offers depend on, of the person viewing it."""
    return (current_user.id, current_user.office_id, current_user.province_wide,
            tuple(sorted(role.value for role in current_user.roles)))
