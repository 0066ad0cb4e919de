"""HTML → PDF with WeasyPrint (SPEC §8). Fetches nothing from the network:
only the app's own static files and data: URLs. Refuses to print boxes:
without a CJK font installed it says which package to install."""
from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from casesys.domain.errors import Refused

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"


class DocumentError(Refused):
    """A document cannot be produced; the message says why, in Chinese."""


@functools.cache
def cjk_font_installed(family: str) -> bool:
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return family.lower() in listed.lower()


def require_cjk_font() -> str:
    family = current_app.config.get("PDF_FONT_FAMILY", "Noto Serif CJK SC")
    if not cjk_font_installed(family):
        raise DocumentError(
            f"无法生成PDF：系统未安装中文字体“{family}”。请安装 Debian 软件包 fonts-noto-cjk"
            "（sudo apt-get install fonts-noto-cjk），或在配置中指定已安装的中文字体 PDF_FONT_FAMILY。")
    return family


def static_file_for(url: str) -> Path:
    """The file under casesys/static that a template's file: URL names, else
    ValueError. The path is decoded once, as urllib will open it, and must
    then hold no % (a double-encoded %252F would be one decoding away from a
    slash); realpath folds .. and symlinks before the check."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"文书模板引用了不允许的外部资源：{url}")
    path = unquote(parts.path)
    real = Path(os.path.realpath(path)) if "%" not in path and "\0" not in path else None
    if real is None or not real.is_relative_to(STATIC_ROOT) or not real.is_file():
        raise ValueError(f"文书模板引用了不允许的外部资源：{url}")
    return real


def _fetcher():
    """WeasyPrint's fetcher limited to data: URLs and files under
    casesys/static; anything else stops the rendering with an error."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if urlsplit(url).scheme == "data":
                return super().fetch(url, headers)
            # Opened by the checked path, never by the URL as given.
            return super().fetch(static_file_for(url).as_uri(), headers)

    return StaticOnlyFetcher(allowed_protocols=("data", "file"), fail_on_errors=True, allow_redirects=False)


def html_document(html: str):
    from weasyprint import HTML

    require_cjk_font()
    return HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=_fetcher())


def write_pdf(html: str) -> bytes:
    from weasyprint.urls import FatalURLFetchingError

    try:
        return html_document(html).write_pdf()
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: make it ours
        raise DocumentError(f"文书模板引用了不允许的外部资源：{error}") from None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=3, border=1)
