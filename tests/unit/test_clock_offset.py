"""The system clock can run on another day for a whole process
(CASESYS_CLOCK_OFFSET_SECONDS): how child servers and workers follow the
tests' faked day."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

from casesys.core import clock


def _today_in_a_process(offset_seconds: int) -> date:
    out = subprocess.check_output(
        [sys.executable, "-c", "from casesys.core import clock; print(clock.today().isoformat())"],
        env={"CASESYS_CLOCK_OFFSET_SECONDS": str(offset_seconds), "PATH": "/usr/bin:/bin"}, text=True)
    return date.fromisoformat(out.strip())


def test_a_process_started_with_an_offset_lives_that_many_days_away():
    assert _today_in_a_process(-40 * 86400) == clock.today() - timedelta(days=40)
    assert _today_in_a_process(0) == clock.today()
