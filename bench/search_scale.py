"""Search at scale: a million cases (``instances``, a finished registration task without a
unit and an open task of one of 200 units each, one search text each) loaded in bulk, then
``engine.search.find`` timed for a city-level reader (who reads every case), for the intake
office (who registered every case: the read rule's set of ids is every case) and for a
unit's handler (the read rule leaves 1 case in 200), with rare words (an
enterprise's name: about 200 cases), a case number, common words (a tenth of the cases) and
two-character Chinese words (below the trigram: the LIKE fallback over the newest cases).

The texts are what engine/runtime/search_text.py writes: case number, procedure name, then
the values of the case data (enterprise, unit, problem type, summary, dates).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import common
from bench.inbox_scale import INSTANCE_COLUMNS, TASK_COLUMNS, _converter, _time_calls
from engine.api import Engine

UNITS = [f"景德镇市第{u:03d}单位" for u in range(200)]
CITIES = ["珠山区", "昌江区", "浮梁县", "乐平市", "高新区", "陶瓷工业园"]
TRADES = ["陶瓷", "瓷业", "窑业", "釉料", "电子", "物流", "机械", "建材", "茶业", "文旅"]
KINDS = ["擅自改变办事程序", "推诿拖延刁难", "吃拿卡要", "中介违规收费", "新官不理旧账"]
PHRASES = ["企业办理施工许可被要求补充清单外材料", "窗口人员推诿扯皮群众多次往返",
           "拖欠工程款两年未支付", "招商引资承诺的补贴至今未兑现", "中介机构收费超过标准",
           "出口信用保险保费补贴申请无人受理", "厂房产权证书迟迟未办理", "环评审批超时限"]
ENTERPRISES = 5_000  # distinct names: a name is in about 1 case in 5,000
PROCESS_NAME = "三步审批"
SEARCH_COLUMNS = ("instance_id", "body")


def enterprise(k: int) -> str:
    return f"景德镇{CITIES[k % len(CITIES)]}{k:04d}号{TRADES[k % len(TRADES)]}有限公司"


def case_no(i: int) -> str:
    return f"BK-2026-{i:07d}"


def rows(instances: int, version_id: int, seed: int = 5
         ) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[Any, ...]]]:
    """(instance, tasks, search text) per case; times in minutes from the bench's NOW."""
    rng = random.Random(seed)
    for i in range(1, instances + 1):
        created = -rng.randrange(0, 400 * 1440)
        unit = UNITS[i % len(UNITS)]
        body = "\n".join((case_no(i), PROCESS_NAME, enterprise(rng.randrange(ENTERPRISES)),
                          unit, KINDS[rng.randrange(len(KINDS))],
                          f"{PHRASES[rng.randrange(len(PHRASES))]},涉及金额"
                          f"{rng.randrange(1, 999)}万元",
                          f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"))
        yield ((i, version_id, "bench_three_step", case_no(i), "running", 1, "{}", "{}",
                "bench", created, created, 1, "0" * 64),
               [(f"00000000-0000-4000-8000-{i:012x}", i, "bench_three_step", case_no(i),
                 "register", "登记", "intake", None, "bench_intake", "completed", None, created,
                 None, created, "bench_intake"),
                (f"00000000-0000-4000-9000-{i:012x}", i, "bench_three_step", case_no(i),
                 "review", "审核", "handler", unit, None, "ready", None, created, None, None,
                 None)],
               (i, body))


def _split(instances: int, version_id: int) -> tuple[list[Any], list[Any], list[Any]]:
    inst: list[Any] = []
    tasks: list[Any] = []
    texts: list[Any] = []
    for a, b, c in rows(instances, version_id):
        inst.append(a)
        tasks.extend(b)
        texts.append(c)
    return inst, tasks, texts


def load_sqlite(path: Path, instances: int, version_id: int) -> float:
    """Bulk inserts, then the FTS5 index built once ('rebuild') instead of row by row."""
    t0 = time.perf_counter()
    inst, tasks, texts = _split(instances, version_id)
    con = sqlite3.connect(path)
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'case_search'").fetchall()
    with con:
        for name, _ in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        con.executemany(f"INSERT INTO instances ({', '.join(INSTANCE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(INSTANCE_COLUMNS))})",
                        _converter(INSTANCE_COLUMNS, True)(iter(inst)))
        con.executemany(f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(TASK_COLUMNS))})",
                        _converter(TASK_COLUMNS, True)(iter(tasks)))
        con.executemany("INSERT INTO case_search (instance_id, body) VALUES (?, ?)", texts)
        con.execute("INSERT INTO case_search_fts(case_search_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            con.execute(sql)
    con.execute("ANALYZE")
    con.close()
    return time.perf_counter() - t0


def load_postgres(url: str, instances: int, version_id: int) -> float:
    """COPY, then the GIN trigram index built once."""
    import psycopg

    t0 = time.perf_counter()
    inst, tasks, texts = _split(instances, version_id)
    schema = common.pg_schema_name(url)
    plain = common.PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as con:
        found = con.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s "
                            "AND indexname = 'ix_case_search_trgm'", (schema,)).fetchone()
        assert found is not None, "the schema lacks its trigram index"
        index = found[0]
        con.execute("DROP INDEX ix_case_search_trgm")
        with con.cursor() as cur:
            for table, columns, data in (("instances", INSTANCE_COLUMNS, inst),
                                         ("tasks", TASK_COLUMNS, tasks),
                                         ("case_search", SEARCH_COLUMNS, texts)):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                    for r in _converter(columns, False)(iter(data)):
                        cp.write_row(r)
            cur.execute("SELECT setval(pg_get_serial_sequence('instances', 'id'), %s)",
                        (instances,))
            cur.execute("SET maintenance_work_mem = '256MB'")
            cur.execute(index)
        con.commit()
        con.autocommit = True
        for table in ("instances", "tasks", "case_search"):
            con.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - t0


def measure(engine: Engine, instances: int, rounds: int = 5) -> dict[str, Any]:
    rng = random.Random(13)
    queries = {
        "rare": [enterprise(rng.randrange(ENTERPRISES)) for _ in range(rounds)],
        "case_no": [case_no(rng.randrange(1, instances + 1)) for _ in range(rounds)],
        "common": ["拖欠工程款", "环评审批超时限", "推诿扯皮", "中介机构收费", "厂房产权"][:rounds],
        "two_chars": ["环评", "厂房", "拖欠", "补贴", "扯皮"][:rounds],
    }
    out: dict[str, Any] = {}
    for reader in ("bench_city", "bench_intake", "bench_unit"):
        engine.search.find("景德镇", reader)  # warm-up
        for kind, words in queries.items():
            hits: list[int] = []
            times = _time_calls([lambda w=w, r=reader, h=hits: h.append(
                len(engine.search.find(w, r).hits)) for w in words])
            out[f"{reader[6:]}_{kind}_p50_ms"] = round(common.percentile(times, 50), 1)
            out[f"{reader[6:]}_{kind}_max_ms"] = round(max(times), 1)
            out[f"{reader[6:]}_{kind}_hits_mean"] = round(sum(hits) / len(hits), 1)
    return out


def _setup(url: str) -> tuple[Engine, int]:
    engine = Engine(url, clock=common.clock())
    engine.deploy(common.files("bench_three_step.bpmn"))
    engine.add_user("bench_city", ["case_manager"], password="!")
    engine.add_user("bench_intake", ["intake"], password="!")
    engine.add_user("bench_unit", ["handler"], unit=UNITS[7], password="!")
    with engine.db.connect() as conn:
        version_id = conn.execute(text("SELECT max(id) FROM process_versions")).scalar_one()
    return engine, int(version_id)


def run(cases: int = 1_000_000, postgres: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": cases, "units": len(UNITS), "enterprises": ENTERPRISES}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.db"
        engine, version_id = _setup(f"sqlite:///{path}")
        engine.db.dispose()
        load = load_sqlite(path, cases, version_id)
        out["sqlite"] = {"load_s": round(load, 1), **measure(engine, cases)}
        engine.close()
    problem = common.postgres_problem() if postgres else "not asked for"
    if problem is None:
        with common.pg_schema() as url:
            engine, version_id = _setup(url)
            engine.db.dispose()
            load = load_postgres(url, cases, version_id)
            out["postgres"] = {"load_s": round(load, 1), **measure(engine, cases)}
            engine.close()
    else:
        out["postgres"] = {"skipped": problem}
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
