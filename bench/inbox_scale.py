"""Inboxes at scale: a million task rows (a tenth open) loaded in bulk, then the inbox query
of one user (``engine.inbox.for_user``), a page of a city-level inbox (``engine.inbox.page``)
and the overdue board (``engine.queries.board``) timed.

Data: 50 roles (r00..r44 scoped to a unit, r45..r49 city-level with no unit), 200 units,
10 procedures. Each instance has one open task and nine finished ones. 2,000 unit users hold
one to three unit roles; one in seven open tasks is claimed by a user of its unit. Due dates
spread from ten days ago to twenty days ahead (a tenth have none).
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bench import common
from engine.api import Engine
from engine.queries import board

UNITS = [f"U{u:03d}" for u in range(200)]
UNIT_ROLES = [f"r{r:02d}" for r in range(45)]
CITY_ROLES = [f"r{r:02d}" for r in range(45, 50)]
PROCESSES = [f"p{p:02d}" for p in range(10)]
USERS_PER_UNIT = 10
TASKS_PER_INSTANCE = 10
NOW = common.START

TASK_COLUMNS = ("id", "instance_id", "process_key", "business_key", "element_id", "name",
                "role", "unit", "assignee", "status", "form_key", "created_at", "due_at",
                "completed_at", "completed_by")
INSTANCE_COLUMNS = ("id", "version_id", "process_key", "business_key", "status", "revision",
                    "state", "data", "started_by", "created_at", "updated_at", "event_count",
                    "last_hash")


def user_name(unit: int, k: int) -> str:
    return f"u{unit:03d}_{k}"


def users(rng: random.Random) -> list[tuple[str, list[str], str | None]]:
    out: list[tuple[str, list[str], str | None]] = []
    for u, unit in enumerate(UNITS):
        for k in range(USERS_PER_UNIT):
            out.append((user_name(u, k), sorted(rng.sample(UNIT_ROLES, rng.randint(1, 3))),
                        unit))
    out += [(f"city_{role}", [role], None) for role in CITY_ROLES]
    return out


def rows(instances: int, version_id: int, seed: int = 7
         ) -> tuple[list[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
    """(instance rows, a generator of task rows). Times are minutes from NOW (ints); the
    loaders turn them into each backend's stored form."""
    rng = random.Random(seed)
    inst: list[tuple[Any, ...]] = []
    for i in range(1, instances + 1):
        started = -rng.randrange(10 * 1440, 400 * 1440)
        inst.append((i, version_id, PROCESSES[i % len(PROCESSES)], f"BK-{i:07d}", "running", 10,
                     "{}", "{}", "bench", started, started, 10, "0" * 64))
    names = [[user_name(u, k) for k in range(USERS_PER_UNIT)] for u in range(len(UNITS))]
    day = 1440

    def tasks() -> Iterator[tuple[Any, ...]]:
        trng = random.Random(seed + 1)
        rnd, pick = trng.random, trng.randrange
        n = 0
        for i, _, key, bk, *rest in inst:
            started = rest[5]
            unit_i = pick(len(UNITS))
            unit = UNITS[unit_i]
            who = names[unit_i]
            for k in range(TASKS_PER_INSTANCE - 1):  # finished
                n += 1
                created = started + k * day
                by = who[pick(USERS_PER_UNIT)]
                done = rnd() < 0.9
                yield (f"00000000-0000-4000-8000-{n:012x}", i, key, bk, STEPS[k], NAMES[k],
                       UNIT_ROLES[pick(len(UNIT_ROLES))], unit, by,
                       "completed" if done else "cancelled", None, created, created + 3 * day,
                       created + day, by if done else None)
            n += 1
            city = rnd() < 0.1
            role = CITY_ROLES[pick(len(CITY_ROLES))] if city else UNIT_ROLES[pick(len(UNIT_ROLES))]
            assignee = who[pick(USERS_PER_UNIT)] if not city and rnd() < 1 / 7 else None
            due = None if rnd() < 0.1 else pick(-10 * day, 20 * day)
            yield (f"00000000-0000-4000-8000-{n:012x}", i, key, bk, "open", "办理", role,
                   None if city else unit, assignee, "ready", "bench_review", -pick(9 * day),
                   due, None, None)

    return inst, tasks()


STEPS = [f"step{k}" for k in range(TASKS_PER_INSTANCE)]
NAMES = [f"第{k}步" for k in range(TASKS_PER_INSTANCE)]
TIME_COLUMNS = {"created_at", "due_at", "completed_at", "updated_at"}


class _Times(dict[int, Any]):
    """Minutes from NOW -> the stored value, computed once per distinct minute."""

    def __init__(self, sqlite: bool) -> None:
        super().__init__()
        self._base = NOW.astimezone(UTC)
        self._sqlite = sqlite

    def __missing__(self, minutes: int) -> Any:
        value: Any = self._base + timedelta(minutes=minutes)
        if self._sqlite:  # as engine.storage.schema.UtcDateTime stores it on SQLite
            value = value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        self[minutes] = value
        return value


def _converter(columns: tuple[str, ...], sqlite: bool
               ) -> Callable[[Iterator[tuple[Any, ...]]], Iterator[tuple[Any, ...]]]:
    times = _Times(sqlite)
    at = [i for i, c in enumerate(columns) if c in TIME_COLUMNS]

    def convert(source: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for row in source:
            out = list(row)
            for i in at:
                if out[i] is not None:
                    out[i] = times[out[i]]
            yield tuple(out)

    return convert


# -- loading ---------------------------------------------------------------------------------

Rows = tuple[list[tuple[Any, ...]], Iterator[tuple[Any, ...]]]


def load_sqlite(path: Path, instances: int, version_id: int, data: Rows | None = None
                ) -> float:
    """``data``: other (instance rows, task rows) than this figure's (bench/stats_scale.py)."""
    t0 = time.perf_counter()
    inst, tasks = data or rows(instances, version_id)
    con = sqlite3.connect(path)
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                          "AND tbl_name = 'tasks' AND sql IS NOT NULL").fetchall()
    with con:
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        con.executemany(f"INSERT INTO instances ({', '.join(INSTANCE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(INSTANCE_COLUMNS))})",
                        _converter(INSTANCE_COLUMNS, True)(iter(inst)))
        con.executemany(f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(TASK_COLUMNS))})",
                        _converter(TASK_COLUMNS, True)(tasks))
        for _, sql in indexes:
            con.execute(sql)
        con.executemany(
            "INSERT INTO users (username, display_name, password_hash, roles, unit, active) "
            "VALUES (?, ?, '!', ?, ?, 1)",
            [(n, n, json.dumps(r), u) for n, r, u in users(random.Random(3))])
    con.close()
    return time.perf_counter() - t0


def load_postgres(url: str, instances: int, version_id: int, vacuum_wait: float = 30,
                  data: Rows | None = None) -> float:
    import psycopg

    t0 = time.perf_counter()
    inst, tasks = data or rows(instances, version_id)
    schema = common.pg_schema_name(url)
    plain = common.PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as con:
        indexes = con.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND tablename = 'tasks' AND indexname <> 'tasks_pkey'", (schema,)).fetchall()
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        with con.cursor() as cur:
            with cur.copy(f"COPY instances ({', '.join(INSTANCE_COLUMNS)}) FROM STDIN") as cp:
                for r in _converter(INSTANCE_COLUMNS, False)(iter(inst)):
                    cp.write_row(r)
            with cur.copy(f"COPY tasks ({', '.join(TASK_COLUMNS)}) FROM STDIN") as cp:
                for r in _converter(TASK_COLUMNS, False)(tasks):
                    cp.write_row(r)
            cur.execute("SELECT setval(pg_get_serial_sequence('instances', 'id'), %s)",
                        (instances,))
            for _, sql in indexes:
                cur.execute(sql)
            cur.executemany(
                "INSERT INTO users (username, display_name, password_hash, roles, unit, active) "
                "VALUES (%s, %s, '!', %s, %s, true)",
                [(n, n, json.dumps(r), u) for n, r, u in users(random.Random(3))])
        con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE instances")
        # What autovacuum does after a bulk load. VACUUM can only mark a page all-visible
        # (which index-only scans need) once no open transaction predates the load, and on a
        # shared server one may: retry for a while, and record how far it got.
        deadline = time.monotonic() + vacuum_wait
        while True:
            con.execute("VACUUM ANALYZE tasks")
            if _all_visible(con) >= 0.95 or time.monotonic() > deadline:
                break
            time.sleep(1)
    return time.perf_counter() - t0


def _all_visible(con: Any) -> float:
    pages, visible = con.execute("SELECT relpages, relallvisible FROM pg_class "
                                 "WHERE oid = 'tasks'::regclass").fetchone()
    return float(visible / pages) if pages else 1.0


# -- timing ----------------------------------------------------------------------------------

def _time_calls(calls: list[Any]) -> list[float]:
    out = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _plan(engine: Engine, call: Callable[[], Any], marker: str) -> list[str]:
    """The database's plan for the statement ``call`` sends that contains ``marker``, with
    the parameters the engine bound (PostgreSQL: EXPLAIN ANALYZE, so it shows heap fetches)."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
             executemany: bool) -> None:
        if marker in statement:
            seen.append((statement, params))

    event.listen(engine.db, "before_cursor_execute", grab)
    try:
        call()
    finally:
        event.remove(engine.db, "before_cursor_execute", grab)
    statement, params = seen[-1]
    sqlite = engine.db.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    with engine.db.connect() as conn:
        result = conn.exec_driver_sql(prefix + statement, params)
        return [str(r[-1]) if sqlite else str(r[0]) for r in result]


def measure(engine: Engine, calls: int, seed: int = 11) -> dict[str, Any]:
    rng = random.Random(seed)
    names = [n for n, _, unit in users(random.Random(3)) if unit is not None]
    for name in rng.sample(names, 20):  # warm-up: connection pool, statement caches
        engine.inbox.for_user(name)
    sample = [rng.choice(names) for _ in range(calls)]
    sizes: list[int] = []
    times = _time_calls([lambda n=n: sizes.append(len(engine.inbox.for_user(n)))
                         for n in sample])
    city = _time_calls([lambda r=r: engine.inbox.for_user(f"city_{r}") for r in CITY_ROLES * 4])
    city_rows = len(engine.inbox.for_user(f"city_{CITY_ROLES[0]}"))
    paged = _paged_city_inbox(engine)
    board.overdue_board(engine)
    board_times = _time_calls([lambda: board.overdue_board(engine) for _ in range(10)])
    unit_board = _time_calls([lambda u=u: board.overdue_board(engine, u, all_units=False)
                              for u in UNITS[:10]])
    return {
        "inbox_calls": calls,
        "inbox_rows_mean": round(sum(sizes) / len(sizes), 1),
        "inbox_p50_ms": round(common.percentile(times, 50), 2),
        "inbox_p95_ms": round(common.percentile(times, 95), 2),
        "inbox_max_ms": round(max(times), 2),
        "city_inbox_rows": city_rows,
        "city_inbox_p95_ms": round(common.percentile(city, 95), 2),
        **paged,
        "board_groups": len(board.overdue_board(engine)),
        "board_p50_ms": round(common.percentile(board_times, 50), 2),
        "board_max_ms": round(max(board_times), 2),
        "unit_board_p95_ms": round(common.percentile(unit_board, 95), 2),
        "inbox_plan": _plan(engine, lambda: engine.inbox.for_user(sample[0]), "FROM tasks"),
        "board_plan": _plan(engine, lambda: board.overdue_board(engine), "GROUP BY"),
    }


def _paged_city_inbox(engine: Engine) -> dict[str, Any]:
    """What the web inbox asks for a city-level user: one page of 50 (the first, or the one
    after the middle task: keyset paging) with the filter's total, and the header's counts."""
    names = [f"city_{r}" for r in CITY_ROLES]
    middle = {}
    for name in names:
        tasks = engine.inbox.for_user(name)
        middle[name] = tasks[len(tasks) // 2].id
    first = _time_calls([lambda n=n: engine.inbox.page(n) for n in names * 4])
    later = _time_calls([lambda n=n: engine.inbox.page(n, after=middle[n]) for n in names * 4])
    _, today_ends = board.day_bounds(NOW)
    counts = _time_calls([lambda n=n: engine.inbox.counts(n, today_ends) for n in names * 4])
    return {
        "city_page_p95_ms": round(common.percentile(first, 95), 2),
        "city_later_page_p95_ms": round(common.percentile(later, 95), 2),
        "city_counts_p95_ms": round(common.percentile(counts, 95), 2),
        "city_page_plan": _plan(engine, lambda: engine.inbox.page(names[0],
                                                                  after=middle[names[0]]),
                                "LIMIT"),
    }


def _setup(url: str) -> tuple[Engine, int]:
    engine = Engine(url, clock=common.clock())
    engine.deploy(common.files("bench_three_step.bpmn"))
    with engine.db.connect() as conn:
        version_id = conn.execute(text("SELECT max(id) FROM process_versions")).scalar_one()
    return engine, int(version_id)


def run(tasks: int = 1_000_000, calls: int = 1000, postgres: bool = True,
        keep_sqlite: Path | None = None) -> dict[str, Any]:
    """``keep_sqlite``: leave the loaded SQLite database there (the web figure serves it)."""
    instances = tasks // TASKS_PER_INSTANCE
    out: dict[str, Any] = {"tasks": instances * TASKS_PER_INSTANCE, "open_tasks": instances,
                           "roles": len(UNIT_ROLES) + len(CITY_ROLES), "units": len(UNITS)}
    with tempfile.TemporaryDirectory() as tmp:
        path = keep_sqlite or Path(tmp) / "inbox.db"
        engine, version_id = _setup(f"sqlite:///{path}")
        load = load_sqlite(path, instances, version_id)
        engine.db.dispose()
        out["sqlite"] = {"load_s": round(load, 1), **measure(engine, calls)}
        engine.close()
    problem = common.postgres_problem() if postgres else "not asked for"
    if problem is None:
        with common.pg_schema() as url:
            engine, version_id = _setup(url)
            load = load_postgres(url, instances, version_id, 30 if tasks >= 500_000 else 3)
            with engine.db.connect() as conn:
                visible = _all_visible(conn.connection.driver_connection)
            out["postgres"] = {"load_s": round(load, 1),
                               "all_visible_pages_pct": round(100 * visible, 1),
                               **measure(engine, calls)}
            engine.close()
    else:
        out["postgres"] = None
        out["postgres_skipped"] = problem
    return out
