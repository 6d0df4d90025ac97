"""Timers falling due at once: N instances each wait on one timer (bench_timer.bpmn); the
clock moves past it and worker processes fire them all. One worker on SQLite and on
PostgreSQL, two worker processes on PostgreSQL (leases, ``FOR UPDATE SKIP LOCKED``).
Afterwards every instance must have exactly one timer event: none fired twice, none missed.

Seeding: one instance is started through the engine; the others are copies of its rows with
their own ids, task ids and hash chains (what the engine would have stored: task ids are
deterministic per instance id), written in bulk, so seeding 10,000 takes seconds.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import tempfile
import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text

from bench import common
from engine.api import Engine
from engine.audit import chain
from engine.runtime import state
from engine.runtime.spiff_seam import IdSource
from engine.storage.schema import Event, ProcessInstance, ProcessVersion, Timer
from engine.time.clock import FixedClock

DIAGRAM = "bench_timer.bpmn"
KEY = "bench_timer"
FIRE_AT = datetime.fromisoformat("2026-10-09T10:00:00+08:00")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def seed(url: str, n: int) -> None:
    engine = Engine(url, clock=common.clock())
    engine.add_user("clerk", ["case_manager"])
    engine.deploy(common.files(DIAGRAM))
    template = engine.start(KEY, {}, "clerk")
    with engine.transaction() as session:
        row = session.get(ProcessInstance, template.id)
        assert row is not None
        (event,) = chain.events_of(session, row.id)
        (timer,) = session.execute(select(Timer).where(Timer.instance_id == row.id)).scalars()
        first = int(session.execute(select(func.max(ProcessInstance.id))).scalar_one()) + 1
        used = json.loads(row.state)["next_id"]
        instances, events, timers = [], [], []
        for new_id in range(first, first + n - 1):
            # The task ids the engine would have drawn for this instance id (uuid5 of
            # "id:counter"), so the copy is exactly what starting it would have stored.
            ids = dict(zip(_ids(str(row.id), used), _ids(str(new_id), used), strict=True))
            state_text = _swap(row.state, ids)
            copy = Event(instance_id=new_id, seq=1, type=event.type, task_id=event.task_id,
                         payload=json.loads(_swap(json.dumps(event.payload), ids)),
                         user=event.user, at=event.at,
                         state_digest=state.digest(json.loads(state_text)),
                         prev_hash=chain.GENESIS)
            digest = chain.chain_hash(chain.GENESIS, copy)
            instances.append({c: getattr(row, c) for c in _columns(ProcessInstance)}
                             | {"id": new_id, "state": state_text, "last_hash": digest})
            events.append({c: getattr(copy, c) for c in _columns(Event) if c != "id"}
                          | {"hash": digest})
            timers.append({c: getattr(timer, c) for c in _columns(Timer) if c != "id"}
                          | {"instance_id": new_id,
                             "task_id": ids.get(timer.task_id or "", timer.task_id)})
        for table, rows in ((ProcessInstance, instances), (Event, events), (Timer, timers)):
            for i in range(0, len(rows), 1000):
                session.execute(insert(table), rows[i:i + 1000])
        if engine.db.dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('instances', 'id'), "
                                 "(SELECT max(id) FROM instances))"))
    engine.close()


def _ids(seed: str, count: int) -> list[str]:
    source = IdSource(seed)
    return [str(source.next()) for _ in range(count)]


def _swap(text_: str, ids: dict[str, str]) -> str:
    return _UUID.sub(lambda m: ids.get(m.group(0), m.group(0)), text_)


def _columns(table: Any) -> list[str]:
    return [c.key for c in table.__table__.columns]


def _worker(url: str, barrier: Any, results: Any) -> None:
    """One worker process: warm up, wait for the others, fire until nothing is due."""
    engine = Engine(url, clock=FixedClock(FIRE_AT), upgrade=False)
    with engine.transaction() as session:  # parse the diagram and open a connection first
        for version_id in session.execute(select(ProcessVersion.id)).scalars():
            engine.versions.get(session, version_id)
    barrier.wait()
    t0, c0 = time.monotonic(), time.process_time()
    report = engine.timers.fire_due()
    results.put((t0, time.monotonic(), report.fired, report.failed, time.process_time() - c0))
    engine.close()


def fire(url: str, workers: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, barrier, results)) for _ in range(workers)]
    for p in procs:
        p.start()
    done = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(d[1] for d in done) - min(d[0] for d in done)
    fired, failed = sum(d[2] for d in done), sum(d[3] for d in done)
    return {"s": round(elapsed, 2), "per_s": round(fired / elapsed, 1), "fired": fired,
            "failed": failed, "by_worker": [d[2] for d in done],
            # the workers' own CPU (not the database server's): ms per timer fired
            "worker_cpu_ms_per_timer": round(sum(d[4] for d in done) / max(fired, 1) * 1000, 2)}


def check(url: str, n: int) -> dict[str, int]:
    """Timer events per instance: how many instances got none, and how many more than one."""
    engine = Engine(url, upgrade=False)
    with engine.transaction() as session:
        counts = dict(session.execute(
            select(Event.instance_id, func.count()).where(Event.type == "timer")
            .group_by(Event.instance_id)).all())
        pending = session.execute(select(func.count()).select_from(Timer)
                                  .where(Timer.status == "pending")).scalar_one()
        instances = session.execute(select(func.count()).select_from(ProcessInstance)
                                    ).scalar_one()
    engine.close()
    return {"instances": instances, "missed": n - len(counts),
            "fired_twice": sum(1 for c in counts.values() if c > 1),
            "still_pending": pending}


def one_run(url: str, n: int, workers: int) -> dict[str, Any]:
    seed(url, n)
    load = os.getloadavg()[0]
    out = fire(url, workers)
    out.update(check(url, n))
    out["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]  # before, after
    return out


def run(timers: int = 10_000, postgres: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"timers": timers}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite_1_worker"] = one_run(f"sqlite:///{tmp}/timers.db", timers, 1)
    problem = common.postgres_problem() if postgres else "not asked for"
    if problem is None:
        with common.pg_schema() as url:
            out["postgres_1_worker"] = one_run(url, timers, 1)
        with common.pg_schema() as url:
            out["postgres_2_workers"] = one_run(url, timers, 2)
        out["two_worker_speedup"] = round(out["postgres_2_workers"]["per_s"]
                                          / out["postgres_1_worker"]["per_s"], 2)
        out["timers_per_s"] = out["postgres_2_workers"]["per_s"]
    else:
        out["postgres_skipped"] = problem
        out["two_worker_speedup"] = None
        out["timers_per_s"] = out["sqlite_1_worker"]["per_s"]
    runs = [v for v in out.values() if isinstance(v, dict)]
    out["fired_twice"] = sum(r["fired_twice"] for r in runs)
    out["missed"] = sum(r["missed"] for r in runs)
    return out
