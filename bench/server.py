"""The app under test: gunicorn as a subprocess, always stopped at the end."""
from __future__ import annotations

import http.client
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from dataset import ROOT, VENV_BIN, app_env

HOST = "127.0.0.1"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    """gunicorn as `make run` starts it (threads > 1 means the gthread worker)."""
    return [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
            "--bind", f"{HOST}:{port}", "wsgi:app"]


def healthz_ok(port: int) -> bool:
    """True if /healthz answers 200 right now."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    """Poll /healthz until it answers, the server dies or the time is up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        if healthz_ok(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT_S} s; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (graceful), then SIGKILL if gunicorn does not exit in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


@contextmanager
def serve(url: str, *, workers: int, threads: int, log_path: Path):
    """Serve the app on `url`'s database; yields the port."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(gunicorn_command(port, workers, threads), cwd=ROOT,
                                   env=app_env(url), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(process, port, log_path)
            yield port
        finally:
            stop(process)
