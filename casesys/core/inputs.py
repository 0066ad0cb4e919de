"""Bounds on what a request may carry, checked once for every route.

Ids: every `<int:…>` in a route and every id in a query parameter lies
within an INTEGER column (PostgreSQL refuses a larger number even in a
WHERE, with an error, not "not found"). Dates and years lie within
1985–2100: the patent law took effect in 1985, and 2100 is far beyond any
time limit while staying far inside what date arithmetic can hold. NUL is
refused in every value a request carries (PostgreSQL refuses it in text).
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1
YEAR_MIN, YEAR_MAX = 1985, 2100
DATE_MIN, DATE_MAX = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)
DATE_RANGE_MESSAGE = f"日期应在{YEAR_MIN}年至{YEAR_MAX}年之间"
NUL_MESSAGE = "提交的内容含有无效字符（NUL），请检查后重新提交。"


class IdConverter(IntegerConverter):
    """`<int:…>` of every route: an id a database row can have; a larger
    number matches no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def db_int(value) -> int:
    """A whole number 0 … ID_MAX, else ValueError: the `type` of id and page
    query parameters (`request.args.get("office_id", type=db_int)` gives
    None for anything else) and the `coerce` of id selects in forms."""
    number = int(str(value).strip())
    if not 0 <= number <= ID_MAX:
        raise ValueError(f"{number} is outside 0…{ID_MAX}")
    return number


def in_date_range(day: date | datetime | None) -> bool:
    if isinstance(day, datetime):
        day = day.date()
    return day is None or DATE_MIN <= day <= DATE_MAX


def iso_date(value) -> date:
    """`type` of a date query parameter: YYYY-MM-DD within 1985–2100, else ValueError."""
    day = date.fromisoformat(str(value).strip())
    if not in_date_range(day):
        raise ValueError(DATE_RANGE_MESSAGE)
    return day


def calendar_year(value) -> int:
    """`type` of a year query parameter: 1985–2100, else ValueError."""
    number = int(str(value).strip())
    if not YEAR_MIN <= number <= YEAR_MAX:
        raise ValueError(DATE_RANGE_MESSAGE)
    return number


def parsed_or_none(kind):
    """`kind` (one of the types above) giving None instead of ValueError."""
    def parse(value):
        try:
            return kind(value)
        except (TypeError, ValueError):
            return None

    return parse


optional_id = parsed_or_none(db_int)  # the `coerce` of a select whose empty choice means "all"


def ids(values) -> list[int]:
    """The ids among posted values (checkboxes of rows): the others are dropped."""
    return [number for number in map(optional_id, values) if number is not None]


def carries_nul(value) -> bool:
    """A NUL in a text, or in any text (key or value) of lists and dicts such
    as a parsed JSON document; without recursion, however deep it is nested."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            pending += item
    return False


def refuse_nul() -> None:
    """A NUL anywhere in the path, the query or a posted form (names, values,
    file names) is a 400, before any view reads it (and long before the
    database would). JSON bodies are the reader's to check (the exchange)."""
    values = [list((request.view_args or {}).values()), list(request.args.items(multi=True))]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [list(request.form.items(multi=True)),
                   [(name, upload.filename) for name, upload in request.files.items(multi=True)]]
    if carries_nul(values):
        abort(400, NUL_MESSAGE)


def install(app: Flask) -> None:
    """Before any blueprint adds its routes: they are compiled with the
    converters of the moment."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)
