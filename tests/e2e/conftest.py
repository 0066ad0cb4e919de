"""Browser tests: the real app served over HTTP, driven by Debian's chromium.

Every test in this folder is marked `e2e`. They run on SQLite only (the
PostgreSQL parameter of `backend` is skipped before any database is made),
with CSRF protection switched on so the real forms and tokens are exercised.

Set E2E_SHOTS=1 to save screenshots under /tmp/e2e-shots/.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.faketime import BROWSER_FAKETIME_ENV

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=zh-CN",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
SHOTS_DIR = Path("/tmp/e2e-shots")
HERE = Path(__file__).resolve().parent

NO_CHROMIUM = f"{CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium)"
SQLITE_ONLY = "browser tests run on SQLite only, to keep the suite fast"


def pytest_collection_modifyitems(config, items):
    """Mark this folder's tests `e2e`; skip them without chromium, and skip
    their PostgreSQL parameter before its fixtures (a whole database) are built."""
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if not os.path.exists(CHROMIUM):
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend", "sqlite") != "sqlite":
            item.add_marker(pytest.mark.skip(reason=SQLITE_ONLY))


@pytest.fixture
def live_server(backend, app):
    """The app served on a free local port by a threaded werkzeug server; yields its base URL."""
    from werkzeug.serving import make_server

    if backend != "sqlite":  # also guarded at collection; kept for direct use
        pytest.skip(SQLITE_ONLY)
    csrf_before = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.config["WTF_CSRF_ENABLED"] = csrf_before


@pytest.fixture(scope="session")
def e2e_browser():
    """One headless chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                         env={**os.environ, **BROWSER_FAKETIME_ENV})
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


# Chromium logs a refused script or style to the console ("Refused to … because
# it violates the following Content Security Policy directive"); the event
# also names what was refused. Installed before any page script runs.
CSP_REPORTER = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("securitypolicyviolation: " + e.violatedDirective + " blocked " + (e.blockedURI || "?")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});"""


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "securitypolicyviolation" in text


def _new_context(browser, base_url: str, violations: list[str]):
    """A context whose pages report every Content Security Policy violation into `violations`."""
    context = browser.new_context(locale="zh-CN", base_url=base_url,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(CSP_REPORTER)
    context.on("console", lambda message: violations.append(f"{message.page.url if message.page else ''}: "
                                                            f"{message.text}")
               if is_csp_violation(message.text) else None)
    return context


def _no_csp_violations(violations: list[str]) -> None:
    if violations:
        found = list(dict.fromkeys(violations))
        violations.clear()  # reported once, also when two fixtures check
        pytest.fail("Content Security Policy violations:\n" + "\n".join(found))


@pytest.fixture
def csp_violations() -> list[str]:
    """What the pages of this test's browser contexts refused under the CSP (checked after the test)."""
    return []


@pytest.fixture
def browser_page(e2e_browser, live_server, csp_violations):
    """A fresh browser context (no cookies) per test, relative URLs resolved against the live server.
    The test fails if any of its pages breaks the Content Security Policy."""
    context = _new_context(e2e_browser, live_server, csp_violations)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
    _no_csp_violations(csp_violations)


@pytest.fixture
def new_page(e2e_browser, live_server, csp_violations):
    """`new_page()` opens one more fresh browser context (a second user at
    another desk, with cookies of its own) and returns its page; all are
    closed after the test, which fails if any of them broke the CSP."""
    contexts = []

    def open_page():
        context = _new_context(e2e_browser, live_server, csp_violations)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    _no_csp_violations(csp_violations)


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` saves a full-page PNG when E2E_SHOTS=1, else does nothing."""
    enabled = os.environ.get("E2E_SHOTS") == "1"
    if enabled:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        if enabled:
            page.screenshot(path=str(SHOTS_DIR / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def job_worker(app):
    """Background jobs run as the worker would, beside the live server (a
    thread of the test process: the worker's loop without its scheduler)."""
    from casesys.extensions import db
    from casesys.jobs.worker import run_due_jobs

    stop = threading.Event()

    def loop():
        with app.app_context():
            while not stop.is_set():
                try:
                    ran = run_due_jobs(name="e2e-worker")
                finally:
                    db.session.remove()
                if not ran:
                    time.sleep(0.2)  # not stop.wait(0.2): under faketime a timed wait never ends

    thread = threading.Thread(target=loop, name="e2e-job-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
