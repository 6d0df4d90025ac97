"""``kuaiban run`` (what scripts/run starts): gunicorn with several web processes and exactly
one timer worker beside them, on SQLite. The worker fires a due timer once; stopping the server
stops it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.api import Engine
from engine.storage.schema import Event
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.test_gunicorn import free_port

ROOT = Path(__file__).resolve().parent.parent
UNIT = "浮梁县纪委监委"
DUE = "2026-10-07T16:00:01+08:00"


def json_lines(log: Path) -> list[dict[str, Any]]:
    lines = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):  # the line being written right now
                lines.append(json.loads(line))
    return lines


def ready(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_serves_with_gunicorn_and_one_timer_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = Engine(url, clock=FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00")))
    engine.add_user("zhao", ["handler"], unit=UNIT)
    engine.deploy(diagram_files("timers.bpmn"))
    case = engine.start("timers", {"unit": UNIT}, "zhao")
    engine.close()

    port, log = free_port(), tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env.update(KUAIBAN_DATABASE_URL=url, KUAIBAN_NOW=DUE)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "run", "--workers", "2", "--port", str(port),
             "--log-format", "json"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    worker_pid = 0
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            booted = [x for x in json_lines(log) if x.get("message") == "web process ready"]
            if len(booted) == 2 and ready(port):
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"not ready: {log.read_text(encoding='utf-8')}")
        text = log.read_text(encoding="utf-8")
        assert "development server" not in text and "WARNING: This is a development" not in text
        web_pids = {x["pid"] for x in json_lines(log) if x.get("message") == "web process ready"}
        assert len(web_pids) == 2 and proc.pid not in web_pids

        engine = Engine(url, clock=FixedClock(datetime.fromisoformat(DUE)))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(engine.instance(case.id).tasks) < 2:
            time.sleep(0.2)
        assert sorted(t.name for t in engine.instance(case.id).tasks) == ["follow", "work"]
        with engine.transaction() as session:
            fired = session.execute(select(Event.id).where(
                Event.instance_id == case.id, Event.type == "timer")).all()
        engine.close()
        assert len(fired) == 1
        started = [x for x in json_lines(log) if x.get("message") == "timer worker started"]
        assert len(started) == 1, started  # one timer worker for both web processes
        worker_pid = started[0]["timer_worker_pid"]
        assert worker_pid not in web_pids and worker_pid != proc.pid
        firing = {x["pid"] for x in json_lines(log) if x.get("logger") == "kuaiban.worker"
                  and str(x.get("message")).startswith("fired")}
        assert firing == {worker_pid}
        assert alive(worker_pid)
        # a timer worker that dies is started again by the master: still exactly one
        os.kill(worker_pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = [x for x in json_lines(log) if x.get("message") == "timer worker started"]
            if len(started) == 2:
                break
            time.sleep(0.2)
        assert len(started) == 2, log.read_text(encoding="utf-8")
        worker_pid = started[1]["timer_worker_pid"]
        assert alive(worker_pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert worker_pid and not alive(worker_pid)  # the master stopped it on the way out


def test_run_dev_serves_with_werkzeug(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env.update(KUAIBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}", KUAIBAN_NOW=DUE)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "run", "--dev", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not ready(port):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        text = log.read_text(encoding="utf-8")
        assert "development server" in text and "gunicorn" not in text.lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
