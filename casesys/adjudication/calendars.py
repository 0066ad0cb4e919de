"""The working-day calendar from the database (SPEC §9), cached per process
and reloaded when a year's schedule changes."""
from __future__ import annotations

import threading
import time
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CalendarDay, CalendarYear
from casesys.domain.calendar import Schedule, WorkCalendar
from casesys.domain.holiday_data import SCHEDULES
from casesys.extensions import db

_lock = threading.Lock()
_cache: dict[str, object] = {"stamp": None, "calendar": None, "checked": 0.0}
CHECK_EVERY_SECONDS = 30  # other worker processes pick up a new year within this


def _stamp():
    return db.session.execute(
        sa.select(sa.func.count(CalendarYear.year), sa.func.max(CalendarYear.entered_at))
    ).one()


def current_calendar() -> WorkCalendar:
    now = time.monotonic()
    with _lock:
        if _cache["calendar"] is not None and now - _cache["checked"] < CHECK_EVERY_SECONDS:
            return _cache["calendar"]
    stamp = tuple(_stamp())
    with _lock:
        if _cache["calendar"] is None or _cache["stamp"] != stamp:
            _cache["calendar"] = _load()
            _cache["stamp"] = stamp
        _cache["checked"] = now
        return _cache["calendar"]


def forget_calendar() -> None:
    with _lock:
        _cache.update(stamp=None, calendar=None, checked=0.0)


def _load() -> WorkCalendar:
    years = db.session.scalars(sa.select(CalendarYear.year)).all()
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.is_working, CalendarDay.name)).all()
    return WorkCalendar(Schedule.from_rows([tuple(r) for r in rows], years))


def enter_year(year: int, *, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]],
               source: str, actor_id: int | None) -> None:
    """Replace a year's schedule: days off (holidays, with their name) and
    make-up working days. Deadlines are recomputed by the caller."""
    for day, _ in holidays + workdays:
        if day.year != year:
            raise ValueError(f"{day.isoformat()} 不在 {year} 年内")
    db.session.execute(sa.delete(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
    db.session.add_all([CalendarDay(day=d, is_working=False, name=n) for d, n in holidays])
    db.session.add_all([CalendarDay(day=d, is_working=True, name=n) for d, n in workdays])
    entry = db.session.get(CalendarYear, year)
    if entry is None:
        db.session.add(CalendarYear(year=year, source=source, entered_by_id=actor_id))
    else:
        entry.source, entry.entered_by_id = source, actor_id
        entry.entered_at = sa.func.now()
    db.session.flush()
    forget_calendar()


def seed_builtin_schedules() -> int:
    """Load the published schedules shipped with the code (2004 onwards);
    years already entered are left as they are."""
    entered = set(db.session.scalars(sa.select(CalendarYear.year)))
    count = 0
    for year, schedule in SCHEDULES.items():
        if year in entered:
            continue
        enter_year(year, holidays=[(date.fromisoformat(d), n) for d, n in schedule["holidays"]],
                   workdays=[(date.fromisoformat(d), n) for d, n in schedule["workdays"]],
                   source="国务院办公厅公布的放假安排（内置数据）", actor_id=None)
        count += 1
    return count
