"""Issue 11: what may become a link, and what a file name may hold."""
import pytest

from casesys.domain.untrusted import clean_filename, is_web_url, safe_url


@pytest.mark.parametrize("text", [
    "https://meeting.example/123", "http://10.0.0.5:8080/room?id=7#top", "HTTPS://casesys.jxipa.example",
    "https://会议.example/房间",
])
def test_web_links_are_links(text):
    assert is_web_url(text) and safe_url(text) == text


@pytest.mark.parametrize("text", [
    "javascript:alert(document.domain)//", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "//evil.example/x", "/relative/path", "https:javascript:alert(1)", "https:///no-host", "https://[::1",
    "https://a.example/\u202e", "file:///etc/passwd", "ftp://files.example/", "meeting.example/123", "", None,
])
def test_everything_else_is_not(text):
    assert not is_web_url(text) and safe_url(text) == ""


@pytest.mark.parametrize("name, cleaned", [
    ("合同\u202efdp.exe", "合同fdp.exe"),  # reads 「合同exe.pdf」 with the override
    ("\u2066证据\u2069\u200e\u200f\u202a\u202b\u202c\u202d\u2067\u2068.pdf", "证据.pdf"),
    ("C:\\Users\\张三\\Desktop\\发票.pdf", "发票.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a\x00b\x1f.png", "ab.png"),
    ("\u202e", "file"), (None, "file"), ("", "file"),
    ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
])
def test_file_names_lose_bidi_controls_paths_and_controls(name, cleaned):
    assert clean_filename(name) == cleaned
