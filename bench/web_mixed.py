"""Many users on PostgreSQL: gunicorn with several workers serving a mix of inbox reads
(GET /api/v1/tasks, 90 %) and task completions (POST /api/v1/tasks/{id}/complete, 10 %) for a
bounded time, each kind with its throughput and p95, and every error counted (the figure is
only good with 0 errors).

The cases: bench/diagrams/bench_unit_task.bpmn, bulk-started with their task spread over
``UNITS`` units of the unit-scoped handler role, so each handler's inbox holds their own
unit's open cases. Each load thread is one handler and completes only tasks of its own unit,
each task once, so no completion can meet another's (a 409 would be counted as an error).
The load comes from a thread per user (http.client, a new connection per request) in this
process: on two cores it competes with the server, as a real client on the same machine would.
"""

from __future__ import annotations

import http.client
import json
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common, web_load
from engine.api import Engine
from engine.runtime.bulk import BatchRow
from web import tokens

KEY = "bench_unit_task"
UNITS = 20
COMPLETE_SHARE = 0.10
DONE = {"approved": True, "note": "已办理"}


def seed(url: str, cases: int) -> dict[str, list[str]]:
    """The cases, their handlers (one per unit, named after it), and each unit's task ids."""
    engine = Engine(url, clock=common.clock())
    try:
        engine.add_user("clerk", ["intake"])
        for n in range(UNITS):
            engine.add_user(f"handler{n}", ["handler"], unit=f"承办单位{n}")
        engine.deploy(common.files(f"{KEY}.bpmn"))
        rows = [BatchRow(i, {"unit": f"承办单位{i % UNITS}", "summary": f"第{i}件"}, f"web:{i}")
                for i in range(1, cases + 1)]
        report = engine.start_batch(KEY, rows, "clerk")
        assert len(report.started) == cases, report.invalid[:3]
        return {f"handler{n}": [t.id for t in engine.inbox.for_user(f"handler{n}")]
                for n in range(UNITS)}
    finally:
        engine.close()


def _call(port: int, method: str, path: str, token: str, body: Any = None
          ) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        t0 = time.perf_counter()
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0
    finally:
        conn.close()


class Load:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"read": [], "complete": []}
        self.errors: dict[str, int] = {"read": 0, "complete": 0}
        self.statuses: dict[int, int] = {}

    def record(self, kind: str, status: int, took: float) -> None:
        with self.lock:
            if 200 <= status < 300:
                self.latency[kind].append(took * 1000)
            else:
                self.errors[kind] += 1
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def user(self, port: int, token: str, tasks: list[str], until: float, seed_: int
             ) -> Callable[[], None]:
        pick = random.Random(seed_)

        def loop() -> None:
            while time.monotonic() < until:
                call: tuple[str, str, dict[str, Any] | None]
                if tasks and pick.random() < COMPLETE_SHARE:
                    kind, call = "complete", ("POST", f"/api/v1/tasks/{tasks.pop()}/complete",
                                              {"data": DONE})
                else:
                    kind, call = "read", ("GET", web_load.PATH, None)
                try:
                    status, took = _call(port, call[0], call[1], token, call[2])
                except OSError:
                    status, took = 0, 0.0
                self.record(kind, status, took)

        return loop


def run(seconds: int = 20, cases: int = 1000, workers: int = 4) -> dict[str, Any]:
    problem = common.postgres_problem()
    if problem is not None:
        return {"skipped": problem}
    with common.pg_schema() as url, tempfile.TemporaryDirectory() as tmp:
        inboxes = seed(url, cases)
        user_tokens = {name: tokens.issue(web_load.SECRET, name) for name in inboxes}
        log = Path(tmp) / "server.log"
        proc, port, server = web_load.start_server(url, log, workers)
        try:
            web_load.wait_ready(proc, port, user_tokens["handler0"], log)
            for token in user_tokens.values():  # every worker warm
                _call(port, "GET", web_load.PATH, token)
            load = Load()
            until = time.monotonic() + seconds
            threads = [threading.Thread(target=load.user(port, user_tokens[name], tasks,
                                                         until, n))
                       for n, (name, tasks) in enumerate(inboxes.items())]
            t0 = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - t0
        finally:
            web_load.stop_server(proc)
    out: dict[str, Any] = {"server": server, "database": "postgresql", "users": len(inboxes),
                           "cases": cases, "seconds": seconds}
    for kind in ("read", "complete"):
        ms = load.latency[kind] or [0.0]
        out[f"{kind}s_per_s"] = round(len(load.latency[kind]) / elapsed, 1)
        out[f"{kind}_p95_ms"] = round(common.percentile(ms, 95), 1)
        out[f"{kind}_p50_ms"] = round(common.percentile(ms, 50), 1)
    out["complete_share"] = round(len(load.latency["complete"]) / max(
        1, len(load.latency["read"]) + len(load.latency["complete"])), 3)
    out["errors"] = sum(load.errors.values())
    out["error_statuses"] = {str(k): v for k, v in load.statuses.items()}
    return out
