"""What the search box matches: one normalised text per case (SPEC §2)."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from casesys.domain.codes import parse_patent_number


def drop_control_chars(text: str) -> str:
    """NUL and other control characters have no place in a record (and
    PostgreSQL refuses NUL in text); line breaks and tabs stay."""
    return "".join(c for c in text if c in "\n\r\t" or unicodedata.category(c) != "Cc")


def normalize_text(text: str) -> str:
    """Full-width digits/letters to half-width, trimmed (NFKC)."""
    return drop_control_chars(unicodedata.normalize("NFKC", text or "")).strip()


def build_search_text(
    number: str,
    parties: Iterable[tuple[str, str | None]],
    patent_numbers: Iterable[str],
) -> str:
    """Case number, each party's name and code, each patent number in its
    display (ZL…​.7) and compact (…7) forms, separated by ' | '."""
    parts = [number]
    for name, code in parties:
        parts.append(name)
        if code:
            parts.append(code.upper())
    for value in patent_numbers:
        parsed = parse_patent_number(value)
        parts.append(value)
        if parsed is not None:
            parts.append(parsed.compact)
    return " | ".join(p for p in parts if p)
