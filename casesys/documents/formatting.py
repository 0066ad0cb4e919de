"""How documents write dates and times: one helper for every template.

GB/T 9704-2012 (7.3.5.4): the date is written in Arabic numerals, the year
in full, month and day without a leading zero (2026年12月8日); times likewise
(9时30分).
"""
from __future__ import annotations

from datetime import date, datetime


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
