"""CPU time per durable instance, for comparing two versions on a busy machine:
``PYTHONPATH=<checkout> python <this checkout>/bench/command_cpu.py [chunks] [per chunk]``.

Runs the durable-throughput process (bench/throughput.py, of the checkout on PYTHONPATH) on
SQLite and on PostgreSQL: 20 warm-up instances, then ``chunks`` chunks of ``per chunk``
instances, and prints one JSON object with the thread's CPU time per instance (the least and
the 25th percentile of the chunks) and the least wall time. Two versions started at the same
moment share the machine's load, so their CPU times compare where throughput figures, which
move with the load, do not.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from typing import Any

from bench import common, throughput
from engine.api import Engine


def run(chunks: int = 10, per_chunk: int = 30) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite:///{tmp}/cpu.db"}
        with ExitStack() as stack:
            if common.postgres_problem() is None:
                urls["postgres"] = stack.enter_context(common.pg_schema())
            for backend, url in urls.items():
                engine = Engine(url, clock=common.clock())
                run_one = throughput.durable_runner(engine)
                for _ in range(throughput.WARMUP * 2):
                    run_one()
                cpu, wall = [], []
                for _ in range(chunks):
                    c0, t0 = time.thread_time(), time.perf_counter()
                    for _ in range(per_chunk):
                        run_one()
                    cpu.append((time.thread_time() - c0) * 1000 / per_chunk)
                    wall.append((time.perf_counter() - t0) * 1000 / per_chunk)
                engine.close()
                cpu.sort()
                out[backend] = {"cpu_ms_min": round(cpu[0], 2),
                                "cpu_ms_p25": round(cpu[len(cpu) // 4], 2),
                                "wall_ms_min": round(min(wall), 2)}
    out["load"] = round(os.getloadavg()[0], 2)
    return out


if __name__ == "__main__":
    print(json.dumps(run(*(int(a) for a in sys.argv[1:3]))))
