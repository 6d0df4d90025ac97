"""Operations (docs/operations.md): health and readiness probes, structured logs, the schema
upgrade command, and backups restored into a fresh database."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from engine import logs
from engine.api import Engine
from engine.errors import Conflict
from engine.time.clock import FixedClock
from engine.time.schedule import Schedule
from tests.conftest import PG_URL, diagram_files
from web import tokens
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-09-30T16:00:00+08:00"
UNIT = "浮梁县纪委监委"


def client_for(engine: Engine) -> FlaskClient:
    return create_app(engine, secret_key="ops-test", testing=True).test_client()


def cli(url: str, *args: str, now: str = NOW, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    environ.update(KUAIBAN_DATABASE_URL=url, KUAIBAN_NOW=now, **env)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Kuaiban's logs as JSON lines into a buffer; the logging set-up is restored after."""
    root, own = logging.getLogger(), logging.getLogger("kuaiban")
    saved = (root.handlers[:], root.level, own.level, logging.getLogger("werkzeug").level)
    buffer = io.StringIO()
    logs.configure("json", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        own.setLevel(saved[2])
        logging.getLogger("werkzeug").setLevel(saved[3])


def lines(buffer: io.StringIO, logger: str | None = None) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in buffer.getvalue().splitlines()]
    return [f for f in found if logger is None or f["logger"] == logger]


# -- health and readiness ------------------------------------------------------------------------

def test_healthz_answers_without_a_token_or_a_database() -> None:
    down = Engine("postgresql+psycopg://kb:s3cret-pw@127.0.0.1:1/nowhere", upgrade=False)
    response = client_for(down).get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(engine: Engine) -> None:
    response = client_for(engine).get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["warnings"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "migrations": True, "calendar": True}
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]
    assert body["checks"]["calendar"] == {"ok": True, "year": 2026, "known": True,
                                          "next_year_known": False}  # 2027: not yet in force
    assert engine.url.split("?")[0].split("/")[-1] not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://kb:s3cret-pw@127.0.0.1:1/kuaiban",
    "sqlite:////nonexistent-dir/s3cret-pw/kuaiban.db",
])
def test_readyz_says_not_ready_when_the_database_is_unreachable_and_reveals_nothing(
        url: str) -> None:
    response = client_for(Engine(url, upgrade=False)).get("/readyz")
    text_ = response.get_data(as_text=True)
    assert response.status_code == 503, text_
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == {"ok": False, "error": "database unreachable"}
    for secret in ("s3cret-pw", "127.0.0.1", "kb:", "nonexistent-dir", "Traceback"):
        assert secret not in text_


def test_readyz_and_migrate_when_the_schema_is_behind(database_url: str) -> None:
    bare = Engine(database_url, upgrade=False)  # nothing created yet
    try:
        response = client_for(bare).get("/readyz")
        body = response.get_json()
        assert response.status_code == 503, body
        assert body["checks"]["migrations"]["ok"] is False
        assert body["checks"]["migrations"]["current"] == []
        assert any("kuaiban migrate" in w for w in body["warnings"])

        checked = cli(database_url, "migrate", "--check")
        assert checked.returncode == 1 and "schema at -" in checked.stdout, checked
        upgraded = cli(database_url, "migrate")
        assert upgraded.returncode == 0, upgraded.stderr
        assert "schema upgraded from - to" in upgraded.stdout
        assert client_for(bare).get("/readyz").status_code == 200
    finally:
        bare.close()


def test_readyz_warns_when_the_calendar_lacks_the_current_year(database_url: str) -> None:
    clock = FixedClock(datetime.fromisoformat("2031-03-02T09:00:00+08:00"))
    engine = Engine(database_url, clock=clock)
    try:
        response = client_for(engine).get("/readyz")
        body = response.get_json()
        assert response.status_code == 200, body  # a warning, not a reason to stop serving
        assert body["status"] == "ready"
        assert body["checks"]["calendar"] == {"ok": True, "year": 2031, "known": False,
                                              "next_year_known": False}
        assert len(body["warnings"]) == 1 and "2031" in body["warnings"][0]
        assert "kuaiban calendar import" in body["warnings"][0]

        engine.set_calendar_day(date(2031, 1, 2), False, "a day alone is no schedule")
        assert len(client_for(engine).get("/readyz").get_json()["warnings"]) == 1
        engine.import_calendar_year(Schedule(2031, {date(2031, 1, 1): False}, {}))
        body = client_for(engine).get("/readyz").get_json()
        assert body["warnings"] == [] and body["checks"]["calendar"]["known"] is True

        clock.set(datetime.fromisoformat("2031-12-01T09:00:00+08:00"))  # 2032 is due now
        body = client_for(engine).get("/readyz").get_json()
        assert response.status_code == 200 and len(body["warnings"]) == 1, body
        assert "2032" in body["warnings"][0]
    finally:
        engine.close()


# -- structured logs -----------------------------------------------------------------------------

def test_json_formatter_keeps_extra_fields_and_exceptions_on_one_line() -> None:
    formatter = logs.JsonFormatter()
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        record = logging.getLogger("kuaiban.x").makeRecord(
            "kuaiban.x", logging.ERROR, __file__, 1, "failed %s", ("once",), sys.exc_info(),
            extra={"request_id": "r1", "status": 500})
    line = formatter.format(record)
    assert "\n" not in line
    out = json.loads(line)
    assert out["message"] == "failed once" and out["level"] == "ERROR"
    assert out["logger"] == "kuaiban.x" and out["pid"] == os.getpid()
    assert out["request_id"] == "r1" and out["status"] == 500
    assert "ValueError: bad" in out["exc"]
    stamp = datetime.fromisoformat(out["time"])
    assert stamp.utcoffset() is not None
    assert abs(stamp.timestamp() - record.created) < 0.01  # wall time, not the engine clock


def test_log_format_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown log format"):
        logs.configure("xml")


def test_each_request_is_logged_with_request_id_user_and_duration(
        people: Engine, json_logs: io.StringIO) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    client = client_for(people)
    auth = {"Authorization": f"Bearer {tokens.issue('ops-test', 'li')}"}
    started = client.post("/api/v1/processes/approval/instances", headers=auth,
                          json={"data": {"summary": "日志", "unit": UNIT}})
    assert started.status_code == 201
    given = client.get("/api/v1/tasks?process=do-not-log-me", headers={
        **auth, "X-Request-ID": "lb-7f3a.1"})
    hostile = client.get("/api/v1/tasks", headers={"X-Request-ID": "x\u2028" + "y" * 80})
    client.get("/healthz")

    logged = lines(json_logs, "kuaiban.web.request")
    assert [(r["method"], r["path"], r["status"], r["user"]) for r in logged] == [
        ("POST", "/api/v1/processes/approval/instances", 201, "li"),
        ("GET", "/api/v1/tasks", 200, "li"),
        ("GET", "/api/v1/tasks", 401, None),
    ]  # the probe is logged at DEBUG only
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in logged)
    assert given.headers["X-Request-ID"] == "lb-7f3a.1" == logged[1]["request_id"]
    assert logged[2]["request_id"] == hostile.headers["X-Request-ID"]
    assert len(logged[2]["request_id"]) == 32 and "y" not in logged[2]["request_id"]
    assert "do-not-log-me" not in json_logs.getvalue()
    assert "Bearer" not in json_logs.getvalue()


def test_worker_logs_json_lines(database_url: str, clock: FixedClock) -> None:
    engine = Engine(database_url, clock=clock)
    engine.add_user("zhao", ["handler"], unit=UNIT)
    engine.deploy(diagram_files("timers.bpmn"))
    engine.start("timers", {"unit": UNIT}, "zhao")
    engine.close()
    done = cli(database_url, "worker", "--once", now="2026-10-07T16:00:01+08:00",
               KUAIBAN_LOG_FORMAT="json")  # or --log-format json (kuaiban run below)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    assert records[0]["message"] == "worker started" and "worker_id" in records[0]
    assert any(r.get("fired") == 1 for r in records), records
    assert cli(database_url, "worker", "--once", "--log-format", "xml").returncode == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_kuaiban_run_serves_probes_and_logs_json(tmp_path: Path) -> None:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    environ.update(KUAIBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", KUAIBAN_NOW=NOW)
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "run", "--port", str(port), "--log-format", "json"],
        cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    assert json.loads(r.read())["status"] == "ready"
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/tasks", timeout=5)
        assert denied.value.code == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    records = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    assert any(r["logger"] == "kuaiban.cli" and r.get("process_key") for r in records)
    assert any(r["logger"] == "kuaiban.web.request" and r["path"] == "/api/v1/tasks"
               and r["status"] == 401 for r in records), records


# -- backups ------------------------------------------------------------------------------------

def running_cases(engine: Engine) -> None:
    """Cases at every stage: open, claimed, completed, and waiting on timers."""
    for name, roles, unit in [("li", ["intake"], None), ("wang", ["approver"], None),
                              ("zhao", ["handler"], UNIT)]:
        engine.add_user(name, roles, unit=unit, password=f"pw-{name}")
    engine.deploy(diagram_files("approval.bpmn"))
    engine.deploy(diagram_files("timers.bpmn"))
    for i in range(6):
        view = engine.start("approval", {"summary": f"备份 {i}", "unit": UNIT}, "li")
        if i % 3 == 0:
            continue
        engine.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
        approve = engine.instance(view.id).tasks[0]
        engine.claim(approve.id, "wang")
        if i % 3 == 2:
            engine.complete(approve.id, {"approved": True}, "wang")
    for _ in range(2):
        engine.start("timers", {"unit": UNIT}, "zhao")
    engine.set_calendar_day(date(2027, 2, 7), True, "调休")


@pytest.fixture
def fresh_target(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database
    (the backup of one schema recreates that schema there)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'kuaiban.db'}"
        return
    name = "r_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], env=environ,
                          capture_output=True, text=True, timeout=300)


def snapshot(url: str) -> dict[str, Any]:
    """What the office sees: every inbox, the timers, the cases, the calendar."""
    engine = Engine(url, clock=FixedClock(datetime.fromisoformat(NOW)))
    try:
        return {
            "inboxes": {u: [t.as_json() for t in engine.inbox.for_user(u)]
                        for u in ("li", "wang", "zhao")},
            "timers": [t.as_json() for t in engine.timers.pending()],
            "cases": [engine.instance(i).as_json() for i in engine.instance_ids()],
            "history": [[e.as_json() for e in engine.history(i)] for i in engine.instance_ids()],
            "calendar": engine.calendar().next_workday(date(2027, 2, 6)),
        }
    finally:
        engine.close()


def test_backup_restores_running_cases_into_a_fresh_database(
        engine: Engine, database_url: str, fresh_target: str, tmp_path: Path) -> None:
    running_cases(engine)
    backup = tmp_path / "kuaiban.backup"
    made = script("backup", "--url", database_url, str(backup))
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))

    restored = script("restore", "--url", fresh_target, str(backup))
    assert restored.returncode == 0, restored.stderr
    verify = cli(fresh_target, "verify")
    assert verify.returncode == 0 and "8 instance(s) checked, 0 broken" in verify.stderr, verify
    replay = cli(fresh_target, "replay", "--all")
    assert replay.returncode == 0 and "8 instance(s) replayed, 0 diverged" in replay.stdout
    before = snapshot(database_url)
    assert before["inboxes"]["li"] and before["inboxes"]["wang"] and before["timers"]
    assert before["calendar"] == date(2027, 2, 7)
    assert snapshot(fresh_target) == before
    inbox = cli(fresh_target, "tasks", "--as", "wang", "--json")
    assert json.loads(inbox.stdout) == before["inboxes"]["wang"]

    # the restored copy lives on by itself: work there does not reach the original
    copy = Engine(fresh_target, clock=engine.clock)
    try:
        task = copy.inbox.for_user("wang")[0]
        copy.complete(task.id, {"approved": True}, "wang")
        assert copy.authenticate("li", "pw-li") is not None
    finally:
        copy.close()
    assert any(t.id == task.id for t in engine.inbox.for_user("wang"))

    again = script("restore", "--url", fresh_target, str(backup))  # never over live data
    assert again.returncode == 1 and "restore:" in again.stderr


def test_backup_while_cases_are_being_worked_is_consistent(
        engine: Engine, database_url: str, fresh_target: str, tmp_path: Path) -> None:
    running_cases(engine)
    stop = threading.Event()
    commands = 0

    def work() -> None:  # a busy office: claim and give back, fire timers, start cases
        nonlocal commands
        while not stop.is_set():
            for task in engine.inbox.for_user("wang"):
                try:
                    if task.assignee:
                        engine.unclaim(task.id, "wang")
                    else:
                        engine.claim(task.id, "wang")
                    commands += 1
                except Conflict:
                    pass
            engine.start("approval", {"summary": "在办", "unit": UNIT}, "li")
            commands += 1

    writer = threading.Thread(target=work)
    writer.start()
    try:
        time.sleep(0.3)
        made = script("backup", "--url", database_url, str(tmp_path / "online.backup"))
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert made.returncode == 0, made.stderr
    assert commands > 0
    assert script("restore", "--url", fresh_target,
                  str(tmp_path / "online.backup")).returncode == 0
    verify = cli(fresh_target, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    replay = cli(fresh_target, "replay", "--all")
    assert replay.returncode == 0, replay.stdout


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    done = script("restore", "--url", f"sqlite:///{tmp_path / 'x.db'}", str(junk))
    assert done.returncode == 1 and "not a Kuaiban backup" in done.stderr
    missing = script("backup", "--url", f"sqlite:///{tmp_path / 'absent.db'}",
                     str(tmp_path / "b"))
    assert missing.returncode == 1 and "no SQLite database" in missing.stderr
