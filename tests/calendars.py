"""Calendars the tests build: the built-in published schedules up to a given
year, so that the years after it are unpublished by construction (SPEC §9),
whatever years the data file gains later."""
from __future__ import annotations

from casesys.domain.calendar import Schedule, WorkCalendar

LAST_KNOWN = 2026


def calendar_up_to(last_year: int = LAST_KNOWN) -> WorkCalendar:
    built = Schedule.builtin()
    rows = [(d, False, built.names.get(d, "")) for d in built.off_days]
    rows += [(d, True, built.names.get(d, "")) for d in built.extra_working_days]
    return WorkCalendar(Schedule.from_rows(rows, [y for y in built.known_years if y <= last_year]))
