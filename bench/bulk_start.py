"""Bulk start: cases/s of ``Engine.start_batch`` (one case per row, chunked transactions)
against single starts (``Engine.start``, one committed transaction each) of the same process
and data, in the same run: bench/diagrams/bench_three_step.bpmn, the case stopping at its
first user task. Nothing on the way there reads the case's data, so the bulk start writes
its cases from the version's start template (engine/runtime/start_template.py); a version
whose start runs a script or a gateway first starts each case the ordinary way (its rate is
in docs/performance.md).

Taken in rounds (single starts, then a batch of as many rows, per backend); the ratio is the
median of the rounds' ratios, so a load that comes and goes on a shared machine touches both
sides of a round alike.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench import common, throughput
from engine.api import Engine
from engine.runtime.batch_rows import BatchRow

ROW = {"channel": "窗口"}


def rates(engine: Engine, rows: int, rounds: int) -> tuple[list[float], list[float]]:
    """(single starts/s, bulk starts/s) per round."""
    clerk = engine.add_user("clerk", ["intake", "approver", "case_manager"])
    engine.deploy(common.files(throughput.DIAGRAM))
    for n in range(throughput.WARMUP):
        engine.start(throughput.KEY, ROW, clerk)
        engine.start_batch(throughput.KEY, [BatchRow(1, ROW, f"warm:{n}")], clerk)
    single, bulk = [], []
    for r in range(rounds):
        t0 = time.perf_counter()
        for _ in range(rows):
            engine.start(throughput.KEY, ROW, clerk)
        single.append(rows / (time.perf_counter() - t0))
        batch = [BatchRow(n, ROW, f"round{r}:{n}") for n in range(1, rows + 1)]
        t0 = time.perf_counter()
        report = engine.start_batch(throughput.KEY, batch, clerk)
        bulk.append(rows / (time.perf_counter() - t0))
        assert len(report.started) == rows, report.invalid[:3]
    return single, bulk


def run(rows: int = 2000, rounds: int = 3, postgres: bool = True) -> dict[str, Any]:
    problem = common.postgres_problem() if postgres else "not asked for"
    out: dict[str, Any] = {"rows_per_round": rows, "rounds": rounds}
    with throughput.engines(problem is None) as by_backend:
        for name, engine in by_backend.items():
            single, bulk = rates(engine, rows, rounds)
            out[name] = {
                "single_per_s": round(statistics.median(single), 1),
                "bulk_per_s": round(statistics.median(bulk), 1),
                "bulk_vs_single": round(statistics.median(
                    b / s for b, s in zip(bulk, single, strict=True)), 2),
            }
    if problem is not None:
        out["postgres_skipped"] = problem
    return out
