"""Official-document conventions: dates in Chinese numerals (GB/T 9704)."""
from __future__ import annotations

from datetime import date

DIGITS = "〇一二三四五六七八九"


def _number(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def chinese_date(day: date | None) -> str:
    """2026-11-27 → 二〇二六年十一月二十七日."""
    if day is None:
        return "    年  月  日"
    year = "".join(DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_number(day.month)}月{_number(day.day)}日"
