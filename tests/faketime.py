"""Running the suite on another day: `faketime '2026-02-14 09:00' make test`.

libfaketime 0.9.10 (Debian's) fakes the monotonic clock as an absolute date,
but Python's timed waits (locks, threading.Event, queue.get with a timeout)
hand that date to sem_clockwait, which it does not intercept: each wait would
last decades. With FAKETIME_DONT_FAKE_MONOTONIC=1 (the Makefile exports it)
those waits are right, but libfaketime then refuses the absolute monotonic
deadline of time.sleep (EINVAL); time.sleep becomes an Event wait here.
Servers and workers the tests start run without libfaketime (see
tests.instances.child_environment)."""
from __future__ import annotations

import os
import threading
import time


def under_faketime() -> bool:
    return "faketime" in os.environ.get("LD_PRELOAD", "") and "FAKETIME" in os.environ


def adapt_to_faketime() -> str | None:
    """Make this process's sleeps work; a reason to stop when they cannot."""
    if not under_faketime():
        return None
    if os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") != "1":
        return ("Under faketime the tests need FAKETIME_DONT_FAKE_MONOTONIC=1 (`make test` sets it): "
                "otherwise every timed wait lasts decades.")

    def sleep(seconds: float) -> None:
        threading.Event().wait(seconds)

    time.sleep = sleep
    return None
