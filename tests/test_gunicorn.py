"""Several web processes: gunicorn with two workers (``web.app:from_env()``) on one PostgreSQL
database, as docs/operations.md runs it. Both processes serve the same data and accept each
other's tokens, racing clients spread over both still get exactly one winner per task, and
workers starting together on an empty database migrate it once. (Several ``kuaiban worker``
processes: tests/test_scale_out.py.)"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import gunicorn as gunicorn_package
import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_concurrency import SECRET, Racer, add_racers, check_invariants, start_cases

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-09-30T16:00:00+08:00"
# gunicorn >= 25.1 opens a control socket at one fixed path per user: not for parallel servers
NO_CONTROL = ["--no-control-socket"] if gunicorn_package.version_info >= (25, 1) else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def request(self, method: str, path: str, body: Any = None,
                token: str | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Connection": "close", "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers=headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines the Kuaiban processes wrote (gunicorn's own lines are text)."""
        lines = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):  # the line being written right now
                    lines.append(json.loads(line))
        return lines


def gunicorn(url: str, log: Path, workers: int = 2, secret: str | None = SECRET
             ) -> Served:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env.update(KUAIBAN_DATABASE_URL=url, KUAIBAN_NOW=NOW, KUAIBAN_LOG_FORMAT="json")
    if secret is not None:
        env["KUAIBAN_SECRET_KEY"] = secret
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "--graceful-timeout", "5", *NO_CONTROL, "web.app:from_env()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Served(f"http://127.0.0.1:{port}", port, proc, log)


def wait_ready(served: Served, workers: int, timeout: float = 120) -> None:
    """Until every worker has built its app and one of them answers /readyz with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited: {served.log.read_text()}")
        booted = sum(line.get("message") == "web process ready" for line in served.log_lines())
        try:
            if booted >= workers and served.request("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not become ready: {served.log.read_text()}")


def stop(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several web processes share one PostgreSQL (SQLite: kuaiban run)")
    return database_url


@pytest.fixture
def served(pg_url: str, tmp_path: Path) -> Iterator[tuple[Served, Engine]]:
    engine = Engine(pg_url, clock=FixedClock(datetime.fromisoformat(NOW)))
    add_racers(engine)
    engine.add_user("li", ["intake"], password="pw-li")
    start_cases(engine, 12)
    server = gunicorn(pg_url, tmp_path / "gunicorn.log")
    try:
        wait_ready(server, 2)
        yield server, engine
    finally:
        stop(server)
        engine.close()


def test_two_processes_serve_the_same_data_and_accept_each_others_tokens(
        served: tuple[Served, Engine]) -> None:
    server, engine = served
    status, body = server.request("POST", "/api/v1/auth/token",
                                  {"username": "li", "password": "pw-li"})
    assert status == 200, body
    token = body["token"]
    status, made = server.request("POST", "/api/v1/processes/approval/instances",
                                  {"data": {"summary": "两台机器", "unit": "浮梁县纪委监委"}},
                                  token)
    assert status == 201, made

    def read(_: int) -> tuple[int, Any, Any]:
        status, instance = server.request("GET", f"/api/v1/instances/{made['id']}", None, token)
        inbox_status, inbox = server.request("GET", "/api/v1/tasks", None, token)
        return status + inbox_status, instance, inbox

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(read, range(48)))
    assert {a[0] for a in answers} == {400}  # 200 + 200 everywhere
    assert {(a[1]["revision"], a[1]["business_key"]) for a in answers} == {
        (made["revision"], made["business_key"])}
    expected = sorted(t.id for t in engine.inbox.for_user("li"))
    assert all(sorted(t["id"] for t in a[2]["tasks"]) == expected for a in answers)

    served_by = {line["pid"] for line in server.log_lines()
                 if line.get("logger") == "kuaiban.web.request"}
    assert len(served_by) == 2, served_by  # both processes answered, with the same secret
    assert all(line.get("request_id") and line.get("duration_ms") is not None
               for line in server.log_lines() if line.get("logger") == "kuaiban.web.request")


def test_racing_clients_through_two_processes(served: tuple[Served, Engine]) -> None:
    server, engine = served
    started = time.monotonic()
    report = Racer(server.base, engine, SECRET).run(budget=20)
    print(f"\ngunicorn x2 on PostgreSQL: {report} in {time.monotonic() - started:.1f}s")
    assert report.races > 0, report
    check_invariants(engine)


def test_workers_starting_together_migrate_an_empty_database_once(pg_url: str,
                                                                  tmp_path: Path) -> None:
    server = gunicorn(pg_url, tmp_path / "fresh.log", workers=3)
    try:
        wait_ready(server, 3)
        for _ in range(12):  # every worker booted and is ready
            status, body = server.request("GET", "/readyz")
            assert status == 200 and body["checks"]["migrations"]["ok"], body
        text = server.log.read_text(encoding="utf-8")
        assert "Worker failed to boot" not in text and "Traceback" not in text, text
    finally:
        stop(server)


def test_a_web_process_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    server = gunicorn(f"sqlite:///{tmp_path / 'k.db'}", tmp_path / "nokey.log", workers=1,
                      secret=None)
    try:
        assert server.proc.wait(timeout=60) != 0
    finally:
        stop(server)
    assert "KUAIBAN_SECRET_KEY" in server.log.read_text(encoding="utf-8")
