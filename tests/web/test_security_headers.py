"""Issue 11: security headers on every response, only web links as links,
uploaded files served safely under clean names."""
import io
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.domain.enums import Role
from tests.integration.test_mediation import _consented, three_party_case  # noqa: F401 (fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCRIPT_LINK = "javascript:alert(document.domain)//"


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


def _common_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_public_pages_get_the_policy_and_may_be_cached(client, db):
    for url in ("/login", "/public/", "/verify", "/no-such-page"):
        response = client.get(url)
        _common_headers(response)
        policy = _policy(response)
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", url
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP in tests


def test_what_a_logged_in_user_sees_is_never_stored(client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    login_as(officer)
    for url in ("/cases", f"/cases/{case.id}", "/todo", "/no-such-page"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        _common_headers(response)
        assert "Content-Security-Policy" in response.headers
    static = client.get("/static/css/app.css")  # no case data: cached as usual
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    _common_headers(static)


def test_pages_have_no_inline_script_or_style(client, factory, login_as):
    """What the policy forbids is not in the pages either (the browser test
    checks that nothing is refused)."""
    supervisor = factory.user(Role.SUPERVISOR, Role.OFFICER)
    factory.case(supervisor)
    login_as(supervisor)
    for url in ("/cases", "/workload", f"/workload?handler={supervisor.id}", "/mediation/dashboard",
                "/documents/batch", "/dashboard", "/referrals"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url
        assert re.search(r"\s(on\w+|style)=", html) is None, url
        assert "javascript:" not in html, url


def test_hsts_is_sent_once_configured(app, client):
    from config import Config, ProductionConfig

    assert Config.HSTS_MAX_AGE == 0 and ProductionConfig.HSTS_MAX_AGE >= 180 * 24 * 3600
    app.config["HSTS_MAX_AGE"] = 31536000
    try:
        assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        app.config["HSTS_MAX_AGE"] = 0


def test_a_pdf_is_not_sniffed_nor_stored_and_carries_no_page_policy(client, db, decided_case, team, login_as):
    from casesys.documents.services import create_draft

    document = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    db.session.commit()
    login_as(team["officer"])
    response = client.get(f"/documents/{document.id}/pdf")
    assert response.mimetype == "application/pdf"
    _common_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response.headers  # it would only stop the browser's PDF viewer


# --- 1. a stored javascript: link -------------------------------------------------------

def test_a_meeting_link_must_be_a_web_address(client, db, three_party_case, login_as):  # noqa: F811
    case, mediator = three_party_case
    mediation = _consented(case, mediator)
    db.session.commit()
    login_as(mediator)
    when = (clock.now().replace(tzinfo=None) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"/mediations/{mediation.id}/sessions", data={
        "scheduled_at": when, "place": "", "online_link": SCRIPT_LINK}, follow_redirects=True).get_data(as_text=True)
    assert "请填写以 http:// 或 https:// 开头的网址" in page
    assert mediation.sessions == []
    page = client.post(f"/mediations/{mediation.id}/sessions", data={
        "scheduled_at": when, "place": "", "online_link": "https://meeting.example/123"},
        follow_redirects=True).get_data(as_text=True)
    assert 'href="https://meeting.example/123"' in page


def test_a_stored_script_link_is_shown_as_text_not_as_a_link(client, db, three_party_case, login_as):  # noqa: F811
    from casesys.mediation.models import MediationSession

    case, mediator = three_party_case
    mediation = _consented(case, mediator)
    mediation.sessions.append(MediationSession(scheduled_at=datetime(2026, 3, 2, 9, 30), place="",
                                               online_link=SCRIPT_LINK))  # saved before the form checked it
    db.session.commit()
    login_as(mediator)
    page = client.get(f"/cases/{case.id}/mediation").get_data(as_text=True)
    assert "线上会议：javascript:alert(document.domain)//" in page
    assert "href=\"javascript" not in page.replace(" ", "") and "javascript:alert" not in re.sub(
        r'<span[^>]*data-testid="unsafe-link"[^>]*>.*?</span>', "", page)


@pytest.mark.parametrize("address, ok", [(SCRIPT_LINK, False), ("data:text/html,x", False),
                                         ("https://casesys.jxipa.example", True)])
def test_a_partner_instance_address_must_be_a_web_address(client, factory, login_as, address, ok):
    login_as(factory.user(Role.ADMIN))
    response = client.post("/admin/offices/new", data={
        "code": "JX", "name": "江西省知识产权局", "case_prefix": "赣知保", "province": "江西", "level": "province",
        "is_partner": "y", "instance_url": address, "is_active": "y", "entrusted_by_id": "0"})
    assert (response.status_code == 302) is ok
    if not ok:
        assert "请填写以 http:// 或 https:// 开头的网址" in response.get_data(as_text=True)


# --- evidence files and their names (11b) ------------------------------------------------

def test_an_uploaded_name_loses_its_bidi_controls_and_images_open_inline(client, db, factory, login_as):
    from casesys.cases.models import Evidence

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    login_as(officer)
    response = client.post(f"/cases/{case.id}/evidence", data={
        "file": (io.BytesIO(PNG), "现场照片\u202egnp.exe\u2066.png"), "kind": "document",
        "description": "被诉侵权产品照片", "party_id": str(case.parties[0].id)})
    assert response.status_code == 302
    evidence = db.session.scalar(sa.select(Evidence))
    assert evidence.filename == "现场照片gnp.exe.png"
    served = client.get(f"/cases/{case.id}/evidence/{evidence.id}")
    assert served.mimetype == "image/png" and served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "\u202e" not in served.headers["Content-Disposition"]


def test_a_file_that_is_neither_image_nor_pdf_is_a_download(client, db, factory, login_as):
    """A row from before the content check (or a future type): never shown as a page."""
    from casesys.cases.models import Evidence
    from casesys.cases.storage import save_upload

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    stored = save_upload(io.BytesIO(b"<svg onload=alert(1)>"), "图.svg", "image/svg+xml")
    db.session.add(Evidence(case=case, sha256=stored.sha256, filename=stored.filename, content_type="image/svg+xml",
                            size=stored.size, kind="document", description="图"))
    db.session.commit()
    login_as(officer)
    evidence = db.session.scalar(sa.select(Evidence))
    served = client.get(f"/cases/{case.id}/evidence/{evidence.id}")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
