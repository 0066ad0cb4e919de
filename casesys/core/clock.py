"""One clock for the whole system.

Every "today" is Beijing's date (the process runs in Asia/Shanghai) and every
stored timestamp is naive UTC. Code asks this module instead of calling
`date.today()` or `datetime.utcnow()` itself, so tests can set the day and run
the same on any date (`with clock.frozen(date(2026, 2, 14)): ...`).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from casesys.core.timefmt import BEIJING

# CASESYS_CLOCK_OFFSET_SECONDS runs the system as if on another day (a
# rehearsal, or the servers and workers a test run under faketime starts).
_offset: timedelta = timedelta(seconds=float(os.environ.get("CASESYS_CLOCK_OFFSET_SECONDS", "0")))


def utcnow() -> datetime:
    """Now as naive UTC, the form timestamps are stored in."""
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def now() -> datetime:
    """Now in Beijing, timezone-aware."""
    return utcnow().replace(tzinfo=UTC).astimezone(BEIJING)


def today() -> date:
    """Today's date in Beijing: the day every statutory period counts from."""
    return now().date()


@contextmanager
def frozen(day: date, hour: int = 9) -> Iterator[None]:
    """Move the clock so that it is `day` at `hour`:00 in Beijing (tests)."""
    global _offset
    saved = _offset
    target = datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING).astimezone(UTC)
    _offset = target.replace(tzinfo=None) - datetime.now(UTC).replace(tzinfo=None)
    try:
        yield
    finally:
        _offset = saved
