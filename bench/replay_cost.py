"""Replay time as a ratio of the original execution time, for a 200-event instance."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock

DIAGRAMS = Path(__file__).parent.parent / "tests" / "diagrams"
FILES = [DIAGRAMS / "loop.bpmn", DIAGRAMS / "forms" / "test_follow.json"]


def run(events: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00"))
        engine = Engine(f"sqlite:///{tmp}/bench.db", clock=clock)
        engine.add_user("sun", ["case_manager"])
        engine.deploy([SourceFile(p.name, p.read_text(encoding="utf-8")) for p in FILES])
        t0 = time.perf_counter()
        view = engine.start("loop", {"rounds": 0, "closed": False}, "sun")
        for _ in range(events - 1):
            (task,) = engine.instance(view.id).tasks
            engine.complete(task.id, {}, "sun")
        original = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = engine.replay(view.id)
        replayed = time.perf_counter() - t0
        engine.close()
    assert result.ok and result.events == events, result
    return {
        "events": events,
        "original_s": round(original, 3),
        "replay_s": round(replayed, 3),
        "replay_ratio": round(replayed / original, 3),
    }
