"""Hostile input never makes a 500 (issue 11, finding 10).

As each role (and anonymous), on each database: find the pages, links and
forms the user reaches in a small demo province (tests/site_map.py), from
every page without arguments and one case in each state. Then
- every route with an integer argument (GET and POST, linked or not) with
  ids past the INTEGER column, past BIGINT, the largest INTEGER and 0;
- every query parameter of a link or a filter form with hostile values;
- every form: posted as the page filled it, twice (a repeated post must not
  break a unique constraint); with each value of ROTATION in every field at
  once (validation reads them all); then with hostile values (huge numbers,
  2**63, '1e30', NUL, bidi controls, 20,000 characters, dates 0001-01-01 and
  9999-12-31, `javascript:` URLs, SQL and HTML, nothing) in one to three of
  its fields and the page's values in the others, drawn by hypothesis with a
  seed per form — the same requests every run.
The test configuration turns CSRF off, so posts need no token. Any 5xx
fails the test, listing the requests and the exception behind each; the
counts are printed (pytest -s).
"""
from __future__ import annotations

import functools
import io
import logging
import time
import traceback
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as day_time
from urllib.parse import quote, quote_plus, urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from casesys.core import clock
from tests.site_map import Form, explore, match

ROLES = ["officer", "mediator", "supervisor", "anonymous", "admin"]  # the administrator last: they edit users
DEMO_PASSWORD = "casesys-demo"
FORMS_PER_ENDPOINT = 4
HOSTILE_POSTS_PER_FORM = 2
BIG = 2**63
HOSTILE_IDS = [str(2**31), str(BIG), str(2**31 - 1), "0"]
HOSTILE = [
    "", " ", "0", "-1", "-0", str(2**31), str(BIG), str(BIG - 1), str(-BIG - 1), "9" * 27, "1e30", "-1e30",
    "1e-30", "NaN", "Infinity", "0x10", "１２３", "²", "٣", "12.345", "1,000,000,000,000",
    "\x00", "a\x00b", "\u202etxt.exe", "\u200f\u202d\u2066x\u2069", "\ufeff", "\ud7ff\ue000",
    "x" * 20000, "中" * 20000,
    "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "10000-01-01", "-2026-01-01",
    "0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T99:99",
    "javascript:alert(document.domain)//", "data:text/html,<script>alert(1)</script>", "https://例子.测试/",
    "' OR 1=1 --", "'; DROP TABLE cases; --", "%' AND 1=0 UNION SELECT NULL --", "\\", "%", "_",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{7*7}}", "%s%n%x",
    "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "party:" + str(BIG), "mediator:-1", "party:²",
]
HOSTILE_VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers(-(2**70), 2**70).map(str))
# Every field of every form gets each of these once: a number past every
# column (and past Decimal's precision), odd digits, dates at both ends (shaped
# for date and date-time inputs), a long text, markup with controls. No NUL: it
# would have the whole post refused at the door (hypothesis sends NULs).
ROTATION = ["9" * 27, "²", "early", "late", "中" * 20000, "javascript:alert(1)//\u202e<script>' OR 1=1 --{{7*7}}"]
DATES = {"early": {"date": "0001-01-01", "datetime-local": "0001-01-01T00:00"},
         "late": {"date": "9999-12-31", "datetime-local": "9999-12-31T23:59"}}
# Query parameters get the short ones that matter in an address.
HOSTILE_QUERY = ["", "-1", str(2**31), str(BIG), "9" * 27, "1e30", "²", "１２３", "0001-01-01", "9999-12-31",
                 "0", "99999", "\x00", "\u202e", "' OR 1=1 --", "<script>"]
# Path arguments that are words (a step, a document kind, a verification code, a slug, a hash).
HOSTILE_WORDS = ["nope", "\x00", "²", "x" * 300, "' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "\u202e", "%"]
# Bodies for the machine-to-machine exchange (JSON, signed): broken, deep, NUL in the codes, out-of-range times.
HOSTILE_BODIES = [b"", b"{", b"[]", b"null", b"[" * 100000, "{\"id\": \"\u0000\"}".encode(),
                  b'{"id": "1", "sender": "\\u0000", "receiver": "\\u0000", "type": "x", "body": {},'
                  b' "timestamp": "2026-01-01T00:00:00Z"}',
                  b'{"id": "1", "sender": "HN", "receiver": "HB", "type": "referral.sent", "body": {},'
                  b' "timestamp": "9999-12-31T23:59:59Z"}', "中".encode() * 20000]
SKIPPED_ENDPOINTS = {"auth.logout", "static"}  # the session must last
# Not fetched while exploring: they render a PDF or a spreadsheet and nothing else.
DOWNLOADS = {"documents.pdf", "documents.publication", "documents.service_receipt", "documents.batch_pdf",
             "public.ruling_pdf", "oversight.monthly_report"}


@dataclass
class Probe:
    """What one role's run sent and what went wrong."""
    app: object
    client: object
    role: str
    requests: int = 0
    examples: int = 0
    endpoints: set[str] = field(default_factory=set)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (request, cause)

    def send(self, method: str, url: str, data=None, *, multipart: bool = False):
        self.requests += 1
        matched = match(self.app, url, method)
        if matched:
            self.endpoints.add(matched[0].endpoint)
        body, content_type = data, "multipart/form-data" if multipart else None
        if not multipart and data and all(isinstance(value, str) for value in data.values()):
            body, content_type = _urlencoded(data), "application/x-www-form-urlencoded"
        response = self.client.open(url, method=method, data=body, content_type=content_type)
        self.check(response, f"{method} {url[:200]}", data)
        return response

    def check(self, response, request: str, data=None) -> None:
        if response.status_code >= 500:
            shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v)
                     for k, v in data.items()} if isinstance(data, dict) else (data or b"")[:40]
            self.failures.append((f"{self.role}: {request} {shown or ''} → {response.status_code}",
                                  _last_error[-1] if _last_error else "no exception logged"))
        _last_error.clear()

    def get(self, url: str):
        return self.send("GET", url)


_last_error: list[str] = []


def _urlencoded(data: dict[str, str]) -> bytes:
    """The body the test client would make of `data` (werkzeug's urlencode),
    each text quoted once a run: the 20,000-character values go hundreds of times."""
    return "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in data.items()).encode("ascii")


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text, safe="!$'()*,/:;?@")


class _ErrorCause(logging.Handler):
    """The exception behind a 500, as casesys/core/errors.py logs it, with
    the line of casesys that raised it."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            frames = [f for f in traceback.extract_tb(record.exc_info[2]) if "/casesys/" in f.filename]
            where = f"{frames[-1].filename.split('/casesys/')[-1]}:{frames[-1].lineno}" if frames else "?"
            message = (str(record.exc_info[1]).splitlines() or [""])[0][:120]  # not the SQL after it
            _last_error.append(f"{record.exc_info[0].__name__}: {message} at {where}")


def demo_province(db) -> list[str]:
    """200 demo cases in every state (with mediations, sessions, agreements)
    and the demo referrals; half the cases move to the demo users' office (the
    others are another office's: not found for them). Drafts, a job, and a
    session of each open mediation waiting for its record. Returns the pages
    to start from: one case of each type and state, and every referral."""
    from casesys.adjudication.workload import WORKLOAD
    from casesys.auth.models import User
    from casesys.cases.models import Case
    from casesys.core.tallies import kept
    from casesys.demo.data import generate_cases
    from casesys.demo.referrals import generate_referrals
    from casesys.documents.services import create_draft
    from casesys.documents.types import DOC_TYPES
    from casesys.domain.mediation import MediationStatus
    from casesys.jobs import enqueue
    from casesys.mediation.counts import MEDIATION_COUNTS
    from casesys.mediation.models import Mediation, MediationSession
    from casesys.referrals.models import Referral

    generate_cases(200, seed=11)
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    moved, connection = Case.id % 2 == 0, db.session.connection()
    # A statement past the session keeps the counts of what it changes itself.
    with kept(WORKLOAD, connection, sa.select(Case.id).where(moved)), \
            kept(MEDIATION_COUNTS, connection, sa.select(Mediation.id).where(Mediation.case_id % 2 == 0)):
        db.session.execute(sa.update(Case).where(moved).values(office_id=officer.office_id))
    db.session.commit()
    generate_referrals()
    cases = db.session.scalars(sa.select(Case).where(Case.office_id == officer.office_id).order_by(Case.id)).all()
    one_per_state = list({(c.case_type, c.state): c for c in reversed(cases)}.values())
    for case in one_per_state[:8]:
        key = next((key for key, kind in DOC_TYPES.items() if kind.ready(case) is None), None)
        if key:
            create_draft(case, key, actor=officer)
    today_at_nine = datetime.combine(clock.today(), day_time(9))
    for mediation in db.session.scalars(sa.select(Mediation).where(Mediation.status == MediationStatus.MEDIATING)):
        mediation.sessions.append(MediationSession(scheduled_at=today_at_nine, place="调解室"))
    enqueue("reminders.run", {}, requested_by=officer.id)
    db.session.commit()
    starts = [page.format(c.id) for c in one_per_state
              for page in ("/cases/{}", "/cases/{}/mediation", "/cases/{}/documents")]
    return starts + [f"/referrals/{r}" for r in db.session.scalars(sa.select(Referral.id).order_by(Referral.id))]


def _login(client, role: str) -> None:
    if role != "anonymous":
        response = client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{role} cannot log in"


def _entry_pages(app) -> list[str]:
    """Every page without arguments (the menu and more)."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in SKIPPED_ENDPOINTS)


def _int_args(rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]


def _with_hostile_ids(app, method: str, url: str) -> set[tuple[str, str]]:
    """`url` with each of its integer path arguments in turn set to each of HOSTILE_IDS."""
    rule, args = match(app, url, method)
    adapter = app.url_map.bind("localhost")
    return {(method, adapter.build(rule.endpoint, {**args, name: int(value)}, method=method))
            for name in _int_args(rule) for value in HOSTILE_IDS}


def _routes_not_linked(app, reached: set[str]) -> set[tuple[str, str]]:
    """Routes with integer arguments that no page linked to: built with id
    1 and the first allowed value of any other argument."""
    adapter = app.url_map.bind("localhost")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in reached | SKIPPED_ENDPOINTS or not _int_args(rule):
            continue
        values = {name: 1 if isinstance(conv, IntegerConverter) else sorted(getattr(conv, "items", None) or ["x"])[0]
                  for name, conv in rule._converters.items()}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, adapter.build(rule.endpoint, values, method=method)))
    return routes


def _with_hostile_words(app) -> set[tuple[str, str]]:
    """Every route with a word in its path, that word hostile (ids 1)."""
    adapter = app.url_map.bind("localhost")
    routes = set()
    for rule in app.url_map.iter_rules():
        words = [name for name in rule._converters if name not in _int_args(rule)]
        if rule.endpoint in SKIPPED_ENDPOINTS or not words or any(
                getattr(rule._converters[name], "items", None) for name in words):
            continue  # an any(...) argument matches only its own words
        for value in HOSTILE_WORDS:
            values = {name: 1 for name in _int_args(rule)} | {name: quote(value, safe="") for name in words}
            path = adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
            routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def _form_data(form: Form, hostile: dict[str, str]) -> dict:
    """The page's own values, and the hostile ones where given."""
    data: dict = {}
    for name, item in form.fields.items():
        if name in hostile:
            data[name] = hostile[name]
        elif item.kind == "file":
            data[name] = (io.BytesIO(b"%PDF-1.4\n%fuzz\n"), "fuzz.pdf", "application/pdf")
        elif item.kind == "select":
            data[name] = next((v for v in item.values if v), "")
        else:
            data[name] = item.values[0] if item.values else ""
    return data


def _rotated(form: Form, turn: int) -> dict[str, str]:
    """Every field hostile at once, each with another value of ROTATION."""
    values = {name: ROTATION[(index + turn) % len(ROTATION)] for index, name in enumerate(sorted(form.fields))}
    return {name: DATES[value].get(form.fields[name].kind, DATES[value]["date"]) if value in DATES else value
            for name, value in values.items()}


def _post_hostile(probe: Probe, form: Form) -> None:
    """HOSTILE_POSTS_PER_FORM posts of `form` with hostile values in one to
    three fields. Each form has a seed of its own, the same in every run, so
    forms alike get different values."""
    names = sorted(form.fields)

    @seed(zlib.crc32(f"{probe.role} {form.method} {form.action}".encode()))
    @settings(max_examples=HOSTILE_POSTS_PER_FORM, derandomize=True, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(chosen=st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), data=st.data())
    def post(chosen, data):
        probe.examples += 1
        hostile = {name: data.draw(HOSTILE_VALUE, label=name) for name in chosen}
        probe.send(form.method, form.action, _form_data(form, hostile), multipart=form.multipart)

    post()


def _some_of_each(forms: list[Form]) -> list[Form]:
    """At most FORMS_PER_ENDPOINT forms of each endpoint (a case page offers
    twenty documents to draft, each a form of its own), spread over those found."""
    by_endpoint: dict[str, list[Form]] = {}
    for form in forms:
        by_endpoint.setdefault(form.endpoint, []).append(form)
    kept = []
    for group in by_endpoint.values():
        kept += group[::max(1, len(group) // FORMS_PER_ENDPOINT)][:FORMS_PER_ENDPOINT]
    return kept


def _fuzz_as(app, db, role: str, starts: list[str], swept: set[tuple[str, str]]) -> Probe:
    probe = Probe(app, app.test_client(), role)
    _login(probe.client, role)
    own_id = db.session.scalar(sa.text("SELECT id FROM users WHERE username = :name"), {"name": role})
    site = explore(app, probe.get, _entry_pages(app) + starts, skip=lambda endpoint, url: endpoint in DOWNLOADS)
    forms = _some_of_each([f for f in site.forms.values() if f.endpoint not in SKIPPED_ENDPOINTS
                           and f.action.split("?")[0] != f"/admin/users/{own_id}/edit"])

    # Ids in paths: every route with one, linked from a page or not.
    targets = {("GET", url) for url in site.pages} | {(f.method, f.action) for f in forms}
    targets |= _routes_not_linked(app, {match(app, url, method)[0].endpoint for method, url in targets})
    for method, url in sorted(set().union(*(_with_hostile_ids(app, method, url) for method, url in targets))):
        probe.send(method, url)
    for method, url in sorted(_with_hostile_words(app)):
        probe.send(method, url)
    if role == "anonymous":  # the exchange has no session: one role is enough
        for body in HOSTILE_BODIES:
            probe.requests += 1
            response = probe.client.post("/exchange/referrals", data=body, content_type="application/json",
                                         headers={"X-Casesys-Signature": "\x7f" * 10, "X-Casesys-Sent-At": "9999"})
            probe.check(response, "POST /exchange/referrals", body)
        probe.endpoints.add("exchange.receive")

    # Query parameters of links and filter forms, each swept by the first role to see it.
    for endpoint, names in sorted(site.query_names.items()):
        path = next((url.split("?")[0] for url, e in site.pages.items() if e == endpoint), None)
        names = names | {n for f in forms if f.endpoint == endpoint and f.method == "GET" for n in f.fields}
        for name in sorted(names - {"format"} if path else ()):
            if (endpoint, name) not in swept:
                swept.add((endpoint, name))
                for value in HOSTILE_QUERY:
                    probe.get(f"{path}?{urlencode({name: value})}")

    # Forms: as filled (twice for a POST), every field rotated, then hypothesis.
    for form in forms:
        for _ in range(2 if form.method == "POST" else 1):
            probe.send(form.method, form.action, _form_data(form, {}), multipart=form.multipart)
    for form in forms:
        for turn in range(len(ROTATION) if form.fields else 0):
            probe.send(form.method, form.action, _form_data(form, _rotated(form, turn)), multipart=form.multipart)
    for form in forms:
        if form.fields:
            _post_hostile(probe, form)
    return probe


@pytest.mark.long
def test_no_hostile_input_makes_a_server_error(app, db, backend):
    starts = demo_province(db)
    started = time.monotonic()
    cause, disabled = _ErrorCause(), app.logger.disabled
    app.logger.addHandler(cause)
    app.logger.disabled = False  # alembic's fileConfig, run for the other database's app, disables it
    try:
        swept: set[tuple[str, str]] = set()
        probes = [_fuzz_as(app, db, role, starts, swept) for role in ROLES]
    finally:
        app.logger.removeHandler(cause)
        app.logger.disabled = disabled
    seconds = time.monotonic() - started
    routes = {rule.endpoint for rule in app.url_map.iter_rules()} - SKIPPED_ENDPOINTS
    for probe in probes:
        print(f"fuzz {backend} {probe.role}: {len(probe.endpoints)} of {len(routes)} routes, "
              f"{probe.examples} hypothesis examples, {probe.requests} requests, {len(probe.failures)} 5xx")
    print(f"fuzz {backend}: {sum(len(p.endpoints) for p in probes)} routes × roles, "
          f"{sum(p.examples for p in probes)} hypothesis examples, {sum(p.requests for p in probes)} requests "
          f"in {seconds:.0f} s; no role reached {sorted(routes - set().union(*(p.endpoints for p in probes)))}")
    failures = [f for p in probes for f in p.failures]
    causes = sorted({cause for _, cause in failures})
    examples = [next(f"{request} ({cause})" for request, c in failures if c == cause) for cause in causes]
    assert not failures, (f"{len(failures)} server errors, {len(causes)} causes:\n" + "\n".join(causes)
                          + "\n\nOne request of each:\n" + "\n".join(examples))
    assert all(len(p.endpoints) > len(routes) // 2 for p in probes), "the exploration found too little to fuzz"
