"""python -m bench.page_reads [--views 50] [--postgres]: the SQL statements, transactions begun
and server time of one page view, for a task page, a case page and the inbox of the demo
database (tests/demo_support.py; on PostgreSQL the same demo built in a schema of its own),
opened through Flask's test client signed in as ``intake``, after three views that settle
what a first view records (notices read). CPU: this process's (the server's and the test
client's) per view, steadier than wall time on a busy machine; on PostgreSQL the server's own
work is not in it."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from bench import pgschema
from engine.api import Engine
from engine.time.clock import FixedClock
from tests import demo_support
from tests.process_helpers import FORMS, PROCESSES, at
from web.demo import create_demo_users


@contextmanager
def demo(postgres: bool) -> Iterator[Engine]:
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            engine, _ = demo_support.demo_engine(Path(folder))
            yield engine
            engine.close()
        return
    with pgschema.fresh_schema(pgschema.DEFAULT_URL, "bench_pages_") as url:
        clock = demo_support.demo_clock()
        engine = Engine(url, clock=clock)
        create_demo_users(engine)
        engine.deploy_directory(PROCESSES, FORMS)
        demo_support._clues(engine, clock)
        demo_support._subsidies(engine, clock)
        engine.close()
        engine = Engine(url, clock=FixedClock(at("2026-09-30T15:00:00+08:00")))
        yield engine
        engine.close()


def measure(engine: Engine, views: int) -> None:
    client = demo_support.signed_in(engine, "intake")
    task = engine.inbox.for_user("intake")[0]
    pages = {"task": f"/tasks/{task.id}", "case": f"/instances/{task.instance_id}",
             "inbox": "/"}
    counts = {"statements": 0, "begins": 0}

    def statement(*_args: object) -> None:
        counts["statements"] += 1

    def begin(*_args: object) -> None:
        counts["begins"] += 1

    event.listen(engine.db, "before_cursor_execute", statement)
    event.listen(engine.db, "begin", begin)
    for name, url in pages.items():
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        counts.update(statements=0, begins=0)
        times, cpu = [], time.process_time()
        for _ in range(views):
            start = time.perf_counter()
            assert client.get(url).status_code == 200, url
            times.append(time.perf_counter() - start)
        cpu = time.process_time() - cpu
        print(f"{name:6} statements {counts['statements'] / views:5.1f}  "
              f"transactions {counts['begins'] / views:5.1f}  "
              f"median {statistics.median(times) * 1000:6.1f} ms  "
              f"CPU {cpu / views * 1000:6.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with demo(args.postgres) as engine:
        measure(engine, args.views)


if __name__ == "__main__":
    main()
