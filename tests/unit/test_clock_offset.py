"""The system clock can run on another day for a whole process
(CASESYS_CLOCK_OFFSET_SECONDS): how child servers and workers follow the
tests' faked day."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta


def _today_in_a_process(offset_seconds: int) -> date:
    out = subprocess.check_output(
        [sys.executable, "-c", "from casesys.core import clock; print(clock.today().isoformat())"],
        env={"CASESYS_CLOCK_OFFSET_SECONDS": str(offset_seconds), "PATH": "/usr/bin:/bin"}, text=True)
    return date.fromisoformat(out.strip())


def test_a_process_started_with_an_offset_lives_that_many_days_away():
    # Both children on the machine's clock (no libfaketime: its environment is not passed).
    assert _today_in_a_process(-40 * 86400) == _today_in_a_process(0) - timedelta(days=40)
