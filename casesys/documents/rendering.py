"""HTML → PDF with WeasyPrint (SPEC §8). Fetches nothing from the network:
only the app's own static files and data: URLs. Refuses to print boxes:
without a CJK font installed it says which package to install."""
from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

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


class RenderBusy(ServiceUnavailable):
    """Every PDF slot of this worker stayed taken (issue 11): 503 with Retry-After."""

    description = "系统繁忙，请稍后再试。"


@functools.cache
def render_slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


def _render(html: str) -> bytes:
    """WeasyPrint, at most PDF_MAX_CONCURRENT_RENDERS at once in this worker:
    a render takes a core for up to seconds, and the worker's other threads
    still answer pages while some wait."""
    from weasyprint.urls import FatalURLFetchingError

    config = current_app.config
    slots = render_slots(int(config["PDF_MAX_CONCURRENT_RENDERS"]))
    if not slots.acquire(timeout=float(config["PDF_RENDER_WAIT_SECONDS"])):
        raise RenderBusy(retry_after=int(config["PDF_RETRY_AFTER_SECONDS"]))
    try:
        return html_document(html).write_pdf()
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: make it ours
        raise DocumentError(f"文书模板引用了不允许的外部资源：{error}") from None
    finally:
        slots.release()


def write_pdf(html: str, *, cached: bool = True) -> bytes:
    """The PDF of `html`; the same HTML again (a preview opened twice, a
    published ruling) comes from the cache without rendering."""
    if not cached:
        return _render(html)
    key = preview_key(html)
    data = cache_get(key)
    if data is None:
        data = _render(html)
        cache_put(key, data)
    return data


# --- the preview cache ---------------------------------------------------------------
# Files under instance/ (PDF_CACHE_DIR), not an in-process LRU: gunicorn's
# workers share them, so a preview asked again of another worker is not
# rendered again; bounded by PDF_CACHE_MAX_MB, least recently used out first.

def preview_key(html: str) -> str:
    """The rendered HTML holds the template, the texts and the font; the
    WeasyPrint version decides the bytes made of them."""
    from weasyprint import __version__

    return sha256_of(f"weasyprint {__version__}\n{html}".encode())


def _cache_dir() -> Path:
    return Path(current_app.config["PDF_CACHE_DIR"])


def cache_get(key: str) -> bytes | None:
    path = _cache_dir() / f"{key}.pdf"
    try:
        data = path.read_bytes()
        os.utime(path)  # recently used
    except OSError:
        return None
    return data if data.startswith(b"%PDF") else None


def cache_put(key: str, data: bytes) -> None:
    folder = _cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, folder / f"{key}.pdf")
        _trim(folder, int(current_app.config["PDF_CACHE_MAX_MB"]) * 1024 * 1024)
    except OSError:  # a full or read-only disk costs a render next time, nothing else
        current_app.logger.warning("PDF cache not written", exc_info=True)


def _trim(folder: Path, max_bytes: int) -> None:
    entries = []
    for path in folder.glob("*.pdf"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # trimmed by another worker meanwhile
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=3, border=1)
