"""Running the suite on another day: `faketime '2026-02-14 09:00' make test`.

libfaketime 0.9.10 (Debian's) fakes the monotonic clock as an absolute date,
but Python's timed waits (locks, threading.Event, queue.get with a timeout)
hand that date to sem_clockwait, which it does not intercept: each wait would
last decades. With FAKETIME_DONT_FAKE_MONOTONIC=1 (the Makefile exports it)
those waits are right, but libfaketime then refuses the absolute monotonic
deadline of time.sleep (EINVAL); time.sleep becomes an Event wait here.
Every process the tests start runs without libfaketime, whose waits would
hang or fail there, but the browser; the servers and workers get the faked
offset as the system clock's (child_environment)."""
from __future__ import annotations

import os
import subprocess
import threading
import time

UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "") and "FAKETIME" in os.environ
# libfaketime's own settings, for the browser: it must agree on the date with
# the server, which sets cookies that expire a day later. Chromium waits well
# on the faked monotonic clock (and hangs on the real one under libfaketime), and
# its scripts' timers stall when the faked time is read once (its environment keeps FAKETIME).
BROWSER_FAKETIME_ENV = {key: value for key, value in os.environ.items()
                        if UNDER_FAKETIME and (key == "LD_PRELOAD" or key.startswith("FAKETIME"))
                        and key not in ("FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_CACHE_DURATION")}


# libfaketime's re-reading of the faked date, in seconds: once a run (unfake_children).
ONCE_SECONDS = 1_000_000_000


def adapt_to_faketime() -> str | None:
    """Make this process's sleeps work; a reason to stop when they cannot."""
    if not UNDER_FAKETIME:
        return None
    if os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") != "1":
        return ("Under faketime the tests need FAKETIME_DONT_FAKE_MONOTONIC=1 (`make test` sets it): "
                "otherwise every timed wait lasts decades.")
    if int(os.environ.get("FAKETIME_CACHE_DURATION") or 10) < ONCE_SECONDS:
        return (f"Under faketime the tests need FAKETIME_CACHE_DURATION={ONCE_SECONDS} (`make test` sets it): "
                "libfaketime reads the date again every 10 s, from an environment the tests empty for "
                "the processes they start, and the tests' day would turn into the machine's.")

    def sleep(seconds: float) -> None:
        threading.Event().wait(seconds)

    time.sleep = sleep
    return None


def unfake_children() -> None:
    """This process keeps the library (and the date it read once, as
    FAKETIME_CACHE_DURATION asks); the processes it starts from now on go without it. Not in pytest-xdist's controller: its workers run the
    tests, on the faked day, and do this themselves."""
    for key in [key for key in os.environ if key == "LD_PRELOAD" or key.startswith("FAKETIME")]:
        del os.environ[key]


def child_environment() -> dict[str, str]:
    """The environment for a server or worker the tests start: on the tests'
    clock, through the system clock's offset (CASESYS_CLOCK_OFFSET_SECONDS)."""
    env = dict(os.environ)
    if UNDER_FAKETIME:
        machine_seconds = int(subprocess.check_output(["date", "+%s"], env=env))
        env["CASESYS_CLOCK_OFFSET_SECONDS"] = str(round(time.time() - machine_seconds))
    return env
