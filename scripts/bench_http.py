"""The load side of `make bench`: gunicorn servers, logging in over HTTP, and wrk runs that check every answer.

wrk is the load generator because it is C: a Python generator on this 2-core machine would take the CPU the
server needs and measure itself. Every response's status is counted in wrk's Lua hooks, so one redirect to
/login among thousands of requests fails the run instead of passing as a fast page.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlencode

USER_AGENT = "tracker-bench/1"  # Flask-Login's strong session protection binds the session to it
WORKERS = 2
CONNECTIONS = 8
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LUA = Path(__file__).with_name("bench_wrk.lua")


class BenchError(RuntimeError):
    """The benchmark cannot measure what it claims to (a wrong answer, a missing tool): fail loudly."""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise BenchError("wrk is not installed. Install it with:  sudo apt-get install -y wrk  "
                         "(Debian/Ubuntu; macOS: brew install wrk), then run make bench again.")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn with 2 sync workers, the way production runs the app; stopped when the block ends."""

    def __init__(self, target: str, cwd: Path, env: dict[str, str]) -> None:
        self.target, self.cwd, self.env = target, cwd, env
        self.port = free_port()
        self.log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with self.log_path.open("w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [str(gunicorn), "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{self.port}", "--timeout",
                 "120", "--log-level", "warning", self.target],
                cwd=self.cwd, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn {self.target} exited:\n{self.tail()}")
            try:
                request("GET", self.base, "/")
                return
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"gunicorn {self.target} did not answer within {seconds:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "".join(self.log_path.read_text(errors="replace").splitlines(True)[-lines:])

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


def request(method: str, base: str, path: str, headers: dict | None = None, body: str | None = None) -> Reply:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise BenchError("no csrf_token in the form: did the page change?")
    return match.group(1)


@dataclass
class Visitor:
    """A logged-in browser: the session cookie the real /login form gave, and the form's CSRF token."""

    cookie: str = ""
    csrf: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def take_cookie(self, reply: Reply) -> None:
        cookie = reply.headers.get("set-cookie", "")
        if cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
            self.headers["Cookie"] = self.cookie


def log_in(base: str, email: str, password: str) -> Visitor:
    """Log in through the real form (CSRF included), as people do; fail unless it redirects away from /login."""
    visitor = Visitor()
    page = request("GET", base, "/login")
    visitor.take_cookie(page)
    visitor.csrf = csrf_token(page.body)
    form = urlencode({"csrf_token": visitor.csrf, "email": email, "password": password})
    reply = request("POST", base, "/login", {**visitor.headers, "Content-Type": "application/x-www-form-urlencoded"},
                    form)
    if reply.status not in (302, 303) or "/login" in reply.headers.get("location", ""):
        raise BenchError(f"logging in as {email} failed: HTTP {reply.status}")
    visitor.take_cookie(reply)
    return visitor


@dataclass
class Load:
    """What wrk measured for one page."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    codes: dict[str, int]
    errors: dict[str, int]
    login_redirects: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def problems(self, expected: tuple[int, ...]) -> list[str]:
        """Everything that makes the numbers untrustworthy: wrong statuses, redirects to /login, socket errors."""
        found = [f"{n} × HTTP {code}" for code, n in self.codes.items() if int(code) not in expected]
        if self.login_redirects:
            found.append(f"{self.login_redirects} redirects to /login")
        found += [f"{n} {kind} errors" for kind, n in self.errors.items() if n]
        if not self.requests:
            found.append("no request completed")
        return found


def run_wrk(base: str, path: str, seconds: float, *, method: str = "GET", headers: dict | None = None,
            body: str = "") -> Load:
    """wrk with 8 connections for `seconds`; the Lua script sets the request and counts every status."""
    lines = "".join(f"{k}: {v}\n" for k, v in {"User-Agent": USER_AGENT, **(headers or {})}.items())
    env = {**os.environ, "BENCH_WRK_METHOD": method, "BENCH_WRK_BODY": body, "BENCH_WRK_HEADERS": lines}
    command = [require_wrk(), "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds:g}s", "--timeout", "30s",
               "-s", str(_LUA), base + path]
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=seconds + 120)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Load(requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000, codes=data["codes"] or {}, errors=data["errors"],
                login_redirects=data["login_redirects"])
