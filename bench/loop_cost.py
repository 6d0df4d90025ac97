"""Per-command cost of a long-lived loop: iteration ~10 against iteration ~N (weekly follow-ups
for twenty years is ~1,000 iterations). The ratio should stay near 1 (goal: at most 1.5)."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import storage
from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock

DIAGRAMS = Path(__file__).parent.parent / "tests" / "diagrams"
FILES = [DIAGRAMS / "loop.bpmn", DIAGRAMS / "forms" / "test_follow.json"]
WINDOW = 20  # commands timed around each mark


def run(url: str | None = None, iterations: int = 1000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(url or f"sqlite:///{tmp}/bench.db",
                        clock=FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00")))
        engine.add_user("sun", ["case_manager"])
        engine.deploy([SourceFile(p.name, p.read_text(encoding="utf-8")) for p in FILES])
        view = engine.start("loop", {"rounds": 0, "closed": False}, "sun")
        timings: list[float] = []
        sizes: dict[int, dict[str, Any]] = {}
        for i in range(iterations):
            (task,) = engine.inbox.for_user("sun")
            t0 = time.perf_counter()
            engine.complete(task.id, {}, "sun")
            timings.append(time.perf_counter() - t0)
            if i + 1 in (10, iterations):
                with engine.transaction() as session:
                    sizes[i + 1] = storage.of_instance(session, view.id)
        engine.close()
    early = statistics.median(timings[10:10 + WINDOW])
    late = statistics.median(timings[-WINDOW:])
    return {
        "iterations": iterations,
        "ms_per_command_at_10": round(early * 1000, 3),
        f"ms_per_command_at_{iterations}": round(late * 1000, 3),
        "loop_cost_ratio": round(late / early, 3),
        "state_bytes_at_10": sizes[10]["state_bytes"],
        f"state_bytes_at_{iterations}": sizes[iterations]["state_bytes"],
        # everything the instance keeps: its row, its event log, its task rows
        "stored_bytes_at_10": sizes[10]["total_bytes"],
        f"stored_bytes_at_{iterations}": sizes[iterations]["total_bytes"],
        f"event_log_bytes_per_command_at_{iterations}": round(
            sizes[iterations]["event_bytes"] / sizes[iterations]["events"]),
    }
