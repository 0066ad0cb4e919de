"""Case and document numbers (SPEC §2, §8): formatting only; the running
number itself comes from an atomic database sequence."""
from __future__ import annotations

import string

PLACEHOLDERS = {"prefix", "type_word", "year", "seq"}


def format_number(fmt: str, *, prefix: str, type_word: str, year: int, seq: int) -> str:
    return fmt.format(prefix=prefix, type_word=type_word, year=year, seq=seq)


def check_number_format(fmt: str) -> str | None:
    """None if `fmt` is usable, else a Chinese message."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError:
        return "格式中的花括号不成对"
    unknown = fields - PLACEHOLDERS
    if unknown:
        return "未知占位符：" + "、".join(sorted(unknown))
    if not {"year", "seq"} <= fields:
        return "格式必须包含 {year} 和 {seq}，否则案号会重复"
    return None
