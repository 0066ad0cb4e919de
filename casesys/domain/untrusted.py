"""Text from users or partners that ends up as a link or a file name:
only web links become links, and file names lose what could disguise them."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})

# Bidirectional controls (LRM, RLM, ALM, LRE…RLO, LRI…PDI): a right-to-left
# override turns 「合同‮fdp.exe」 into what reads as 「合同exe.pdf」.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FILENAME_MAX = 200


def is_web_url(text: str | None) -> bool:
    """An absolute http(s) address with a host: never javascript:, data:,
    a relative or scheme-relative path, nor one hiding spaces or controls
    (browsers drop tabs and line breaks inside a URL, so `java\\tscript:` runs)."""
    if not text or any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)


def strip_bidi_controls(text: str) -> str:
    return "".join(c for c in text if c not in BIDI_CONTROLS)


def clean_filename(name: str | None, default: str = "file") -> str:
    """The last part of a (possibly Windows) path, without control or bidi
    characters, at most FILENAME_MAX characters with its ending kept."""
    text = strip_bidi_controls(name or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Cc")
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return text[-FILENAME_MAX:] or default


def safe_url(text: str | None) -> str:
    """The template filter `safe_url`: the address if it is a web link, else
    "" (the page then shows it as text, not as a link)."""
    return text if text and is_web_url(text) else ""
