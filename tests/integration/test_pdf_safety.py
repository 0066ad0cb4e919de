"""Issue 11: the PDF renderer reads nothing outside casesys/static (8), and a
preview cannot be made to tie up the server (9): texts have a ceiling, the
same preview is rendered once, renders at once are bounded."""
import pytest

from casesys.core.settings import set_setting
from casesys.documents import rendering
from casesys.documents.rendering import STATIC_ROOT, DocumentError, static_file_for, write_pdf
from casesys.documents.services import create_draft

STATIC = STATIC_ROOT.as_uri() + "/"
UP = "..%2F" * 12


@pytest.mark.parametrize("url", [
    STATIC + UP + "etc%2Fpasswd",  # encoded slashes
    STATIC + "..%2f" * 12 + "etc%2fpasswd",
    STATIC + "%2E%2E%2F" * 12 + "etc%2Fpasswd",  # encoded dots too
    STATIC + "..%252F" * 12 + "etc%252Fpasswd",  # double-encoded
    STATIC + "css%2F..%2F..%2F..%2Fdocuments%2Frendering.py",  # out of static, still in the app
    "file:///etc/passwd",
    STATIC.replace("file:///", "file://evil.example/") + "css/app.css",  # another host
    "http://127.0.0.1:5000/static/css/app.css", "https://example.com/x.png",
    STATIC + "css/no-such-file.css",
])
def test_the_fetcher_refuses_anything_outside_static(app, url):
    with pytest.raises(ValueError, match="不允许的外部资源"):
        rendering._fetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls(app):
    css = rendering._fetcher().fetch(STATIC + "css/app.css")
    assert b"casesys" in css.read()
    assert static_file_for(STATIC + "css/../css/app.css") == STATIC_ROOT / "css" / "app.css"
    assert rendering._fetcher().fetch("data:text/plain,ok").read() == b"ok"


@pytest.mark.parametrize("src", [UP + "etc%2Fpasswd", "..%252F" * 12 + "etc%252Fpasswd", "../" * 12 + "etc/passwd"])
def test_a_template_cannot_reach_etc_passwd(app, src):
    with pytest.raises(DocumentError, match="不允许的外部资源"):
        write_pdf(f'<html lang="zh-CN"><head><link rel="stylesheet" href="{src}"></head><body>测试</body></html>')


# --- 9. texts have a ceiling by document type ------------------------------------------------

def _save(client, document, **texts):
    return client.post(f"/documents/{document.id}", data={"version": document.version, **texts})


def test_a_section_longer_than_its_type_allows_is_refused_at_the_field(client, db, decided_case, team, login_as):
    notice = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    ruling = create_draft(decided_case, "ruling", actor=team["officer"])
    db.session.commit()
    login_as(team["officer"])
    page = _save(client, notice, body="受" * 3001).get_data(as_text=True)
    assert "不能超过 3000 字" in page
    db.session.refresh(notice)
    assert len(notice.texts["body"]) < 3000
    assert _save(client, notice, body="受\r\n" * 1500).status_code == 302  # a line break counts once
    assert _save(client, ruling, facts="查" * 8000).status_code == 302  # rulings run longer
    assert "不能超过 8000 字" in _save(client, ruling, facts="查" * 8001).get_data(as_text=True)
    set_setting("document_text_max_chars", 100, actor_id=None)  # the administrator's value counts
    db.session.commit()
    db.session.refresh(notice)
    assert "不能超过 100 字" in _save(client, notice, body="受" * 101).get_data(as_text=True)


def test_the_long_texts_of_a_case_have_a_ceiling_too(client, db, factory, login_as):
    from casesys.domain.enums import Role

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    login_as(officer)
    page = client.post(f"/cases/{case.id}/edit", data={"title": case.title, "requests": "请" * 8001,
                                                       "version": case.version}).get_data(as_text=True)
    assert "不能超过 8000 字" in page


# --- 9. the same preview is rendered once; renders at once are bounded -------------------------

@pytest.fixture
def renders(app, monkeypatch, tmp_path):
    """The HTML of each WeasyPrint render, with a cache of this test's own
    (the tests' cache is shared: the same HTML in an earlier test would hit)."""
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(tmp_path))
    made = []
    real = rendering._render

    def counted(html):
        data = real(html)
        made.append(html)
        return data

    monkeypatch.setattr(rendering, "_render", counted)
    return made


def test_a_second_preview_of_the_same_text_comes_from_the_cache(client, db, decided_case, team, login_as, renders):
    from casesys.documents.services import update_texts

    document = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    db.session.commit()
    login_as(team["officer"])
    first = client.get(f"/documents/{document.id}/pdf")
    second = client.get(f"/documents/{document.id}/pdf")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert len(renders) == 1
    update_texts(document, {"body": "经审查，决定立案受理。"}, expected_version=document.version, actor=team["officer"])
    db.session.commit()
    changed = client.get(f"/documents/{document.id}/pdf")
    assert len(renders) == 2 and changed.data != first.data


def test_the_cache_stays_within_its_size(app, tmp_path, monkeypatch):
    import os

    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "PDF_CACHE_MAX_MB", 1)
    for n in range(4):  # 1.6 MB, written one after another
        (tmp_path / f"{n:064x}.pdf").write_bytes(b"%PDF" + bytes(400 * 1024))
        os.utime(tmp_path / f"{n:064x}.pdf", (1000 + n, 1000 + n))
    assert rendering.cache_get(f"{0:064x}").startswith(b"%PDF")  # read again: recently used
    rendering.cache_put(f"{4:064x}", b"%PDF" + bytes(400 * 1024))
    kept = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert kept == [f"{n:064x}.pdf" for n in (0, 4)]  # the least recently used went, down to 1 MB


def test_when_every_render_slot_is_taken_the_preview_says_busy(app, client, db, decided_case, team, login_as,
                                                               renders):
    document = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    db.session.commit()
    login_as(team["officer"])
    app.config.update(PDF_MAX_CONCURRENT_RENDERS=1, PDF_RENDER_WAIT_SECONDS=0.2)
    slots = rendering.render_slots(1)
    try:
        assert slots.acquire(timeout=5)  # another request is rendering
        try:
            busy = client.get(f"/documents/{document.id}/pdf")
        finally:
            slots.release()
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
        assert "系统繁忙，请稍后再试" in busy.get_data(as_text=True) and renders == []
        assert client.get(f"/documents/{document.id}/pdf").status_code == 200 and len(renders) == 1
    finally:
        app.config.update(PDF_MAX_CONCURRENT_RENDERS=2, PDF_RENDER_WAIT_SECONDS=5)
