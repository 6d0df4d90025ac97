"""Where a durable command's time goes: ``python -m bench.profile [--instances N]``.

Runs the durable-throughput process (bench/throughput.py) on SQLite and on PostgreSQL and
prints (1) SQL statements, cursor time and commit time per instance, counted with SQLAlchemy
events and no profiler attached, and (2) inclusive time of the engine's main steps under
cProfile, as a share of the whole. cProfile slows Python more than it slows the database, so
(1) is the better guide to the database's share, (2) to the split within Python.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import pstats
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bench import common, throughput
from engine.api import Engine

STEPS = [  # (label, file suffix, function)
    ("Engine.start / Engine.complete (everything)", "engine/api/commands.py", "complete"),
    ("  runtime._run: one command's work", "engine/runtime/commands.py", "_run"),
    ("    transitions.advance: SpiffWorkflow + prune + dump + digest",
     "engine/runtime/transitions.py", "advance"),
    ("      SpiffWorkflow do_engine_steps", "bpmn/workflow.py", "do_engine_steps"),
    ("      state.dump (serialize)", "engine/runtime/state.py", "dump"),
    ("      state.digest (canonical JSON + sha256)", "engine/runtime/state.py", "digest"),
    ("      mirror.visible_data", "engine/runtime/mirror.py", "visible_data"),
    ("    mirror.sync_tasks", "engine/runtime/mirror.py", "sync_tasks"),
    ("      expressions.evaluate (due dates)", "engine/scripting/expressions.py", "evaluate"),
    ("    mirror.sync_timers", "engine/runtime/mirror.py", "sync_timers"),
    ("    mirror.sync_subscriptions", "engine/runtime/mirror.py", "sync_subscriptions"),
    ("    audit.append", "engine/audit/chain.py", "append"),
    ("    search_text.write", "engine/runtime/search_text.py", "write"),
    ("    locking.save (the instance's UPDATE)", "engine/runtime/locking.py", "save"),
    ("  locking.open_task (lock, open tasks)", "engine/runtime/locking.py", "open_task"),
    ("  locking.insert_instance (start)", "engine/runtime/locking.py", "insert_instance"),
    ("  runtime._load", "engine/runtime/commands.py", "_load"),
    ("  notify.tasks_arrived", "engine/notify/emit.py", "tasks_arrived"),
    ("  forms.validate_submission", "engine/definitions/forms.py", "validate_submission"),
    ("  Engine._instance_view (the returned view)", "engine/api/core.py", "_instance_view"),
    ("  DB-API commit (driver + server)", "", "commit'"),
    ("SQLAlchemy Session.execute (all queries)", "orm/session.py", "execute"),
    ("SQLAlchemy Session.flush (all flushes)", "orm/session.py", "flush"),
    ("DB-API cursor.execute (driver + server)", "", "execute'"),
]


@contextmanager
def sql_counter(engine: Engine) -> Iterator[dict[str, Any]]:
    stats: dict[str, Any] = {"statements": collections.Counter(), "cursor_s": 0.0,
                             "commit_s": 0.0, "commits": 0}

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()
        stats["statements"][" ".join(statement.split()[:3])] += 1

    def after(conn: Any, *args: Any) -> None:
        stats["cursor_s"] += time.perf_counter() - conn.info["bench_t0"]

    dialect = engine.db.dialect
    do_commit = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        t0 = time.perf_counter()
        do_commit(dbapi_connection)
        stats["commit_s"] += time.perf_counter() - t0
        stats["commits"] += 1

    event.listen(engine.db, "before_cursor_execute", before)
    event.listen(engine.db, "after_cursor_execute", after)
    dialect.do_commit = timed_commit  # type: ignore[method-assign]  # timing only
    try:
        yield stats
    finally:
        event.remove(engine.db, "before_cursor_execute", before)
        event.remove(engine.db, "after_cursor_execute", after)
        dialect.do_commit = do_commit  # type: ignore[method-assign]


def profile(engine: Engine, instances: int) -> dict[str, Any]:
    run_one = throughput.durable_runner(engine)
    for _ in range(throughput.WARMUP):
        run_one()
    with sql_counter(engine) as sql:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(instances):
            run_one()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    per = 1000 / instances
    out: dict[str, Any] = {
        "ms_per_instance": round(wall * per, 2),
        "cpu_ms_per_instance": round(cpu * per, 2),
        "sql_statements_per_instance": round(sum(sql["statements"].values()) / instances, 1),
        "sql_cursor_ms_per_instance": round(sql["cursor_s"] * per, 2),
        "commit_ms_per_instance": round(sql["commit_s"] * per, 2),
        "statements": {k: round(v / instances, 2)
                       for k, v in sql["statements"].most_common()},
    }
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(instances):
        run_one()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(ct for (f, _, name), (_, _, _, ct, _) in stats.items()
                if f.endswith("bench/throughput.py") and name == "run_one")
    shares = {}
    for label, suffix, name in STEPS:
        ct = 0.0
        for (f, _, fn), (_, _, _, cum, _) in stats.items():
            if name.endswith("'"):  # the driver's own method: sqlite3 (C) or psycopg
                method = name[:-1]
                if fn.startswith(f"<method '{method}' of 'sqlite3.") or (
                        "psycopg/" in f and fn == method
                        and f.endswith(("cursor.py", "connection.py"))):
                    ct += cum
                continue
            if f.endswith(suffix) and fn == name:
                ct += cum
        if label.startswith("Engine.start"):
            ct += sum(cum for (f, _, fn), (_, _, _, cum, _) in stats.items()
                      if f.endswith("engine/api/commands.py") and fn == "start")
        shares[label] = round(100 * ct / total, 1) if total else None
    out["profile_share_pct"] = shares
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--instances", type=int, default=200)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(f"sqlite:///{tmp}/profile.db", clock=common.clock())
        results["sqlite"] = profile(engine, args.instances)
        engine.close()
    if common.postgres_problem() is None:
        with common.pg_schema() as url:
            engine = Engine(url, clock=common.clock())
            results["postgres"] = profile(engine, args.instances)
            engine.close()
    for backend, figures in results.items():
        print(f"[{backend}]")
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"  {key}:")
                for k, v in value.items():
                    print(f"    {v:>7}  {k}")
            else:
                print(f"  {key:<32} {value}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
