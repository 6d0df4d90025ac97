"""Several worker processes on one PostgreSQL: each due timer fires exactly once, and a worker
killed with SIGKILL in the middle of a batch loses nothing and fires nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine.api import Engine
from engine.storage.schema import Event
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"
DUE = "2026-10-07T16:00:01+08:00"


@pytest.fixture
def many_due(database_url: str) -> tuple[Engine, list[int], str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share work through PostgreSQL (SQLite has one writer)")
    engine = Engine(database_url, clock=FixedClock(datetime.fromisoformat(
        "2026-09-30T16:00:00+08:00")))
    engine.add_user("zhao", ["handler"], unit=UNIT)
    engine.deploy(diagram_files("timers.bpmn"))
    ids = [engine.start("timers", {"unit": UNIT}, "zhao").id for _ in range(60)]
    return engine, ids, database_url


def worker(url: str, now: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KUAIBAN_DATABASE_URL": url, "KUAIBAN_NOW": now}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "worker", "--once"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def timer_events(engine: Engine) -> dict[int, int]:
    with engine.transaction() as session:
        rows = session.execute(select(Event.instance_id, func.count()).where(
            Event.type == "timer").group_by(Event.instance_id)).all()
        return {instance_id: count for instance_id, count in rows}


def test_two_workers_fire_each_timer_exactly_once(many_due: tuple[Engine, list[int], str]
                                                  ) -> None:
    engine, ids, url = many_due
    procs = [worker(url, DUE), worker(url, DUE)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    fired = timer_events(engine)
    assert fired == dict.fromkeys(ids, 1)
    shares = [err for _, err in outputs]
    assert all("fired" in s for s in shares)  # both took part
    assert engine.verify() == (len(ids), [])
    engine.close()


def test_a_worker_killed_mid_batch_loses_nothing(many_due: tuple[Engine, list[int], str]
                                                 ) -> None:
    engine, ids, url = many_due
    victim = worker(url, DUE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(timer_events(engine)) < 10:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    done_before = len(timer_events(engine))
    assert 0 < done_before < len(ids), "the kill did not land mid-batch"
    # a second worker after the dead one's lease has expired finishes the rest
    rescue = worker(url, "2026-10-07T16:05:00+08:00")
    _, err = rescue.communicate(timeout=300)
    assert rescue.returncode == 0, err
    assert timer_events(engine) == dict.fromkeys(ids, 1)
    follow_ups = engine.inbox.for_user("system")
    assert sum(t.name == "follow" for t in follow_ups) == len(ids)
    engine.close()
