"""The load client: login, single requests and a closed-loop load of N clients.

Standard library only. Each client is a thread with its own keep-alive
`http.client.HTTPConnection`, sending the next request as soon as the last
answer is read (closed loop: the offered load is what the server can take).
"""
from __future__ import annotations

import http.client
import math
import re
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from server import HOST

REQUEST_TIMEOUT_S = 30
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE_ATTR = re.compile(r'value="([^"]*)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


class Session:
    """A tiny browser: one connection, the cookies it was given."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)


def csrf_token(html: str) -> str:
    """The value of the form's hidden `csrf_token` input."""
    tag = CSRF_INPUT.search(html)
    value = VALUE_ATTR.search(tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError("no csrf_token input on the login page")
    return value.group(1)


def login(port: int, username: str, password: str) -> Session:
    """Log in through the real form (GET, then POST with the CSRF token).

    Only ever one attempt with the right password: failures count towards the
    login throttle, and five of them lock the demo account for 15 minutes.
    """
    session = Session(port)
    page = session.get("/login")
    if page.status != 200:
        raise RuntimeError(f"GET /login answered {page.status}")
    form = urlencode({"csrf_token": csrf_token(page.body), "username": username, "password": password})
    answer = session.request("POST", "/login", body=form,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    if answer.status != 302 or "/login" in (answer.headers.get("Location") or ""):
        raise RuntimeError(f"login as {username} failed (HTTP {answer.status})")
    return session


@dataclass
class Measurement:
    """What one page did under load during the measured window."""

    requests: int  # 200 answers completed inside the window
    errors: int  # other answers and failed requests inside the window
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    @classmethod
    def pooled(cls, windows: list[Measurement]) -> Measurement:
        """Several windows of one page as one measurement: every request of each, over their seconds."""
        return cls(requests=sum(w.requests for w in windows), errors=sum(w.errors for w in windows),
                   seconds=sum(w.seconds for w in windows),
                   latencies_ms=[ms for w in windows for ms in w.latencies_ms])

    def as_dict(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p95_ms": round(self.percentile(0.95), 2),
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
        }


class Client(threading.Thread):
    """One closed-loop client: request, read, record, repeat until `stop_at`."""

    def __init__(self, port: int, path: str, cookie: str, start: threading.Barrier,
                 window: tuple[float, float]):
        super().__init__(daemon=True)
        self.port, self.path, self.start_barrier = port, path, start
        self.headers = {"Cookie": cookie} if cookie else {}
        self.window_start, self.window_end = window
        self.latencies_ms: list[float] = []
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        self.start_barrier.wait(timeout=REQUEST_TIMEOUT_S)
        try:
            while time.perf_counter() < self.window_end:
                began = time.perf_counter()
                status = self.one_request(conn)
                done = time.perf_counter()
                if not self.window_start <= done <= self.window_end:
                    continue  # warm-up, or finished after the window closed
                if status == 200:
                    self.latencies_ms.append((done - began) * 1000)
                else:
                    self.errors += 1
        finally:
            conn.close()

    def one_request(self, conn: http.client.HTTPConnection) -> int | None:
        """The status of one GET; None if the connection failed (it reopens)."""
        try:
            conn.request("GET", self.path, headers=self.headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            conn.close()  # the next request opens a fresh connection
            return None


def run_load(port: int, path: str, *, cookie: str, clients: int, seconds: float,
             warmup: float) -> Measurement:
    """`clients` concurrent clients on `path`: `warmup` s unmeasured, then `seconds` s."""
    barrier = threading.Barrier(clients + 1)
    began = time.perf_counter()  # the warm-up absorbs the threads' start
    window = (began + warmup, began + warmup + seconds)
    threads = [Client(port, path, cookie, barrier, window) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=REQUEST_TIMEOUT_S)
    for thread in threads:
        thread.join(timeout=warmup + seconds + 2 * REQUEST_TIMEOUT_S)
    latencies = [ms for thread in threads for ms in thread.latencies_ms]
    errors = sum(thread.errors for thread in threads)
    return Measurement(requests=len(latencies), errors=errors, seconds=seconds, latencies_ms=latencies)
