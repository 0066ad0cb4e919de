"""How documents write dates and times: one helper for every template.

GB/T 9704-2012 (7.3.5.4): the date is written in Arabic numerals, the year
in full, month and day without a leading zero (2026年12月8日); times likewise
(9时30分).
"""
from __future__ import annotations

from datetime import date, datetime

DIGITS = "〇一二三四五六七八九"


def _number(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def chinese_number(n: int) -> str:
    """0–999 in Chinese numerals as periods are written: 15 → 十五, 60 → 六十, 120 → 一百二十."""
    if n < 100:
        return _number(n)
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return DIGITS[hundreds] + "百"
    return DIGITS[hundreds] + "百" + ("零" + DIGITS[rest] if rest < 10 else ("一" if rest < 20 else "") + _number(rest))


def doc_date(day: date | None) -> str:
    """2026-12-08 → 2026年12月8日; no date → blanks to fill in by hand."""
    if day is None:
        return "    年  月  日"
    return f"{day.year}年{day.month}月{day.day}日"


def doc_datetime(moment: datetime | None) -> str:
    """2026-12-08 09:30 → 2026年12月8日9时30分 (a full hour: 2026年12月8日14时)."""
    if moment is None:
        return ""
    return doc_date(moment.date()) + f"{moment.hour}时" + (f"{moment.minute}分" if moment.minute else "")


#: The name the document services have used for the date helper.
chinese_date = doc_date
