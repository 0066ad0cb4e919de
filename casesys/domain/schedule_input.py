"""Reading a year's holiday schedule as typed by an administrator (SPEC §9):
one line per day or range, `2027-01-01 元旦` or `2027-02-06~2027-02-14 春节`."""
from __future__ import annotations

import re
from datetime import date, timedelta

LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*[~～至-]{1}\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$")


def _day(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def parse_schedule_lines(text: str, year: int, default_name: str) -> tuple[list[tuple[date, str]], list[str]]:
    """The days listed, and a Chinese message per line that could not be read."""
    days: list[tuple[date, str]] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        try:
            if not match:
                raise ValueError
            first = _day(match.group(1))
            last = _day(match.group(2)) if match.group(2) else first
        except ValueError:
            errors.append(f"第{number}行无法识别：{line}（格式如 2027-01-01 元旦）")
            continue
        if last < first or (last - first).days > 31:
            errors.append(f"第{number}行的日期范围无效：{line}")
            continue
        if first.year != year or last.year != year:
            errors.append(f"第{number}行的日期不在 {year} 年内：{line}")
            continue
        name = match.group(3).strip() or default_name
        days += [(first + timedelta(days=i), name) for i in range((last - first).days + 1)]
    return days, errors
