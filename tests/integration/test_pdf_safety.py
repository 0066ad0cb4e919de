"""Issue 11: the PDF renderer reads nothing outside casesys/static (8)."""
import pytest

from casesys.documents import rendering
from casesys.documents.rendering import STATIC_ROOT, DocumentError, static_file_for, write_pdf

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
