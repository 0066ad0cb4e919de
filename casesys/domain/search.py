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
    *,
    agents: Iterable[tuple[str, str]] = (),
    patent_titles: Iterable[str] = (),
) -> str:
    """Case number, each party's name and code, each patent number in its
    display (ZL…​.7) and compact (…7) forms, each agent's name and firm,
    each patent's title (the case title is not: it keeps a party's old name
    after a rename), separated by ' | '."""
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
    for name, firm in agents:
        parts.extend((name, firm))
    parts.extend(dict.fromkeys(patent_titles))
    return " | ".join(p for p in parts if p)


# --- the pair index (SPEC §2, §11: fast at 100,000 cases) ---------------------
# Chinese has no spaces between words, so the search box matches any
# substring. Like Lucene's CJK analyzer, the index holds every pair of
# adjacent characters, in order: a query of two or more characters is the
# phrase of its pairs (SQLite FTS5) or the set of them (PostgreSQL GIN), and
# the exact substring is checked where the pairs alone cannot decide.
#
# The stored stream is made for SQLite's `ascii` tokenizer: it splits at
# ASCII spaces and punctuation and folds ASCII case only — as LIKE does —
# so ASCII punctuation inside a pair is written as a private-use character,
# and a lone GAP token between segments keeps a phrase from spanning them.

GAP = "\ue0ff"
_PUNCTUATION_BASE = 0xE000  # ASCII punctuation c is stored as chr(0xE000 + ord(c))


def _indexable(char: str) -> bool:
    """Letters, marks, digits, punctuation, symbols; never spaces, control,
    format or private-use characters (they end a segment)."""
    return unicodedata.category(char)[0] in "LMNPS"


def _key(char: str) -> str:
    if not char.isascii():
        return char
    return char.lower() if char.isalnum() else chr(_PUNCTUATION_BASE + ord(char))


def _segments(text: str) -> list[str]:
    """Runs of indexable characters, keyed."""
    runs, current = [], []
    for char in text:
        if _indexable(char):
            current.append(_key(char))
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def _pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def search_grams(search_text: str) -> str:
    """What the index stores for a case: each segment's pairs in order, GAP between segments."""
    return f" {GAP} ".join(" ".join(_pairs(run)) for run in _segments(search_text) if len(run) > 1)


def query_phrases(text: str) -> list[list[str]]:
    """The pairs of each segment of two or more characters of a query."""
    return [_pairs(run) for run in _segments(text) if len(run) > 1]


def phrases_decide(text: str) -> bool:
    """Whether matching the phrases alone is the substring match (LIKE, ASCII
    case-insensitive): one segment, the whole query, nothing folded but ASCII."""
    return len(text) > 1 and all(_indexable(c) and (c.isascii() or c.lower() == c == c.upper()) for c in text)


def folds_beyond_ascii(text: str) -> bool:
    """A query with a cased non-ASCII letter: PostgreSQL's ILIKE folds it, the pairs do not."""
    return any(not c.isascii() and (c.lower() != c or c.upper() != c) for c in text)
