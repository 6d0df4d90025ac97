"""The timer worker as its own process (`kuaiban worker`) and inside `kuaiban run`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from engine.api import Engine
from engine.runtime.worker import BackgroundWorker
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


def test_kuaiban_worker_process_fires_due_timers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    clock = FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00"))
    engine = Engine(url, clock=clock)
    engine.add_user("zhao", ["handler"], unit=UNIT)
    engine.add_user("sun", ["case_manager"])
    engine.deploy(diagram_files("timers.bpmn"))
    view = engine.start("timers", {"unit": UNIT}, "zhao")
    engine.close()
    env = {**os.environ, "KUAIBAN_DATABASE_URL": url, "KUAIBAN_NOW": "2026-10-07T16:00:01+08:00"}
    done = subprocess.run([sys.executable, "-m", "engine.cli", "worker", "--once"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "fired 1" in done.stderr
    engine = Engine(url, clock=FixedClock(datetime.fromisoformat("2026-10-07T16:00:01+08:00")))
    assert sorted(t.name for t in engine.instance(view.id).tasks) == ["follow", "work"]
    engine.close()


def test_background_worker_fires_when_the_clock_passes(people: Engine, clock: FixedClock) -> None:
    people.deploy(diagram_files("timers.bpmn"))
    view = people.start("timers", {"unit": UNIT}, "zhao")
    worker = BackgroundWorker(people, interval=0.05)
    worker.start()
    try:
        time.sleep(0.2)
        assert [t.name for t in people.instance(view.id).tasks] == ["work"]
        clock.set(datetime.fromisoformat("2026-10-07T16:00:01+08:00"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(people.instance(view.id).tasks) < 2:
            time.sleep(0.05)
    finally:
        worker.stop()
        worker.join(timeout=5)
    assert sorted(t.name for t in people.instance(view.id).tasks) == ["follow", "work"]
