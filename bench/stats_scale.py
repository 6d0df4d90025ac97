"""Supervisors' statistics at scale: a million task rows over 100,000 cases loaded in bulk
(bench/inbox_scale.py's loaders), then ``engine.queries.stats.statistics`` timed for the
city leader (every section, thirteen figures): the whole history, one month, one unit.

Data: cases of the procedures the statistics read (clue_triage 30 %, hotline_complaint 20 %,
subsidy_instant 20 %, legacy_case 10 %, intermediary_clue 10 %) and of one other, with the
data fields the figures group by; each case has nine finished tasks (one in ten cancelled,
one in five finished late) and one open (due from ten days ago to twenty days ahead), in 200
units; half the cases are closed. Cases started up to 400 days before the bench's now.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import common, inbox_scale
from bench.inbox_scale import UNITS, _all_visible, _plan, _setup, _time_calls
from engine.api import Engine
from engine.queries.stats import SPECS, StatsFilter, statistics
from engine.time.calendar import TZ

DAY = 1440
TASKS_PER_CASE = 10
KINDS = (["clue_triage"] * 3 + ["hotline_complaint"] * 2 + ["subsidy_instant"] * 2
         + ["legacy_case"] + ["intermediary_clue", "p00"])
PAY_STEP = {"subsidy_instant": "pay", "legacy_case": "close_case"}
TYPES = ("擅自改变办事程序", "推诿拖延刁难", "吃拿卡要", "中介违规收费", "新官不理旧账",
         "官商勾结", "其他")
CHANNELS = ("举报直通车", "12345热线", "来信来访", "明察暗访", "巡察", "派驻机构", "部门移送")
LEGACY_TYPES = ("招商引资政策不兑现", "合作协议不履行", "账款支付不到位", "法院判决不执行",
                "涉政府产权纠纷", "其他")
RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
ITEMS = ("", *(f"ZJ-{n:03d}" for n in range(1, 13)))  # "": no item chosen
CATEGORIES = ("脱钩改制", "市场秩序", "中介收费", "要素公开", "其他")


def _data(key: str, unit: str, closed: bool, rng: random.Random) -> dict[str, Any]:
    if key == "clue_triage":
        return {"problem_type": rng.choice(TYPES), "channel": rng.choice(CHANNELS),
                "handler_unit": unit}
    if key == "legacy_case":
        return {"clue_type": rng.choice(LEGACY_TYPES), "unit": unit}
    if key == "hotline_complaint":
        return {"rating": rng.choice(RATINGS), "handling_unit": unit} if closed else {}
    if key == "intermediary_clue":
        item = rng.choice(ITEMS)
        outcome = ({"outcome": "不予受理" if rng.random() < 0.2 else "已整改销号"}
                   if closed else {})
        return {"intermediary_item": item, "item_name": f"事项{item}" if item else "",
                "problem_category": rng.choice(CATEGORIES), "responsible_unit": unit,
                **outcome}
    if key == "subsidy_instant" and closed:
        return {"report": {"result": "已兑付", "paid_amount": rng.randrange(1, 500) * 1000}}
    return {}


def rows(cases: int, version_id: int, seed: int = 17) -> inbox_scale.Rows:
    rng = random.Random(seed)
    inst: list[tuple[Any, ...]] = []
    plan: list[tuple[int, str, str, bool, int]] = []
    for i in range(1, cases + 1):
        key, unit = KINDS[i % len(KINDS)], rng.choice(UNITS)
        started, closed = -rng.randrange(10 * DAY, 400 * DAY), rng.random() < 0.5
        inst.append((i, version_id, key, f"BK-{i:07d}", "completed" if closed else "running",
                     10, "{}", json.dumps(_data(key, unit, closed, rng), ensure_ascii=False),
                     "bench", started, started, 10, "0" * 64))
        plan.append((i, key, unit, closed, started))

    def tasks() -> Iterator[tuple[Any, ...]]:
        trng = random.Random(seed + 1)
        n = 0
        for i, key, unit, closed, started in plan:
            for k in range(TASKS_PER_CASE - 1):
                n += 1
                created = started + k * DAY // 2
                late = trng.random() < 0.2
                status = "cancelled" if trng.random() < 0.1 else "completed"
                step = PAY_STEP.get(key, f"step{k}") if k == TASKS_PER_CASE - 2 and closed \
                    else f"step{k}"
                yield (f"00000000-0000-4000-8000-{n:012x}", i, key, f"BK-{i:07d}", step,
                       f"第{k}步", "r00", unit if k % 2 else None, "u", status, None, created,
                       created + DAY, created + (2 * DAY if late else DAY // 2), "u")
            n += 1
            yield (f"00000000-0000-4000-8000-{n:012x}", i, key, f"BK-{i:07d}", "open", "办理",
                   "r00", unit, None, "ready", None, -trng.randrange(9 * DAY),
                   trng.randrange(-10 * DAY, 20 * DAY), None, None)

    return inst, tasks()


def measure(engine: Engine, calls: int = 5) -> dict[str, Any]:
    engine.add_user("leader", ["city_leader"])
    today = common.START.astimezone(TZ).date()
    month = StatsFilter(start=today.replace(day=1) - timedelta(days=31),
                        end=today.replace(day=1) - timedelta(days=1))
    unit = StatsFilter(unit=UNITS[7])
    statistics(engine, "leader", StatsFilter())  # warm-up: pool, statement caches
    whole = _time_calls([lambda: statistics(engine, "leader", StatsFilter())] * calls)
    one_month = _time_calls([lambda: statistics(engine, "leader", month)] * calls)
    one_unit = _time_calls([lambda: statistics(engine, "leader", unit)] * calls)
    per_figure = {}
    for key in SPECS:
        per_figure[key] = round(common.percentile(_time_calls(
            [lambda k=key: statistics(engine, "leader", StatsFilter(), figure=k)] * 3), 50), 1)
    stats = statistics(engine, "leader", StatsFilter())
    done = sum(int(r.values["done"] or 0) for r in stats.figure("on_time_by_process").rows)
    return {
        "finished_tasks_counted": done,
        "all_figures_whole_period_median_ms": round(common.percentile(whole, 50), 1),
        "all_figures_whole_period_max_ms": round(max(whole), 1),
        "all_figures_one_month_median_ms": round(common.percentile(one_month, 50), 1),
        "all_figures_one_unit_median_ms": round(common.percentile(one_unit, 50), 1),
        "each_figure_whole_period_median_ms": per_figure,
        "timeliness_plan": _plan(engine, lambda: statistics(engine, "leader", month,
                                                            "timeliness"), "GROUP BY"),
        "xlsx_ms": round(_time_calls([stats.to_xlsx])[0], 1),
    }


def run(tasks: int = 1_000_000, postgres: bool = True, sqlite: bool = True) -> dict[str, Any]:
    cases = tasks // TASKS_PER_CASE
    out: dict[str, Any] = {"tasks": cases * TASKS_PER_CASE, "cases": cases}
    if sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "stats.db"
            engine, version_id = _setup(f"sqlite:///{path}")
            load = inbox_scale.load_sqlite(path, cases, version_id, rows(cases, version_id))
            engine.db.dispose()
            out["sqlite"] = {"load_s": round(load, 1), **measure(engine)}
            engine.close()
    return {**out, **_postgres(tasks, cases, postgres)}


def _postgres(tasks: int, cases: int, postgres: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problem = common.postgres_problem() if postgres else "not asked for"
    if problem is None:
        with common.pg_schema() as url:
            engine, version_id = _setup(url)
            load = inbox_scale.load_postgres(url, cases, version_id,
                                             30 if tasks >= 500_000 else 3,
                                             rows(cases, version_id))
            with engine.db.connect() as conn:
                visible = _all_visible(conn.connection.driver_connection)
            out["postgres"] = {"load_s": round(load, 1),
                               "all_visible_pages_pct": round(100 * visible, 1),
                               **measure(engine)}
            engine.close()
    else:
        out["postgres"] = None
        out["postgres_skipped"] = problem
    return out


if __name__ == "__main__":
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run(size, postgres="--no-postgres" not in sys.argv,
                         sqlite="--no-sqlite" not in sys.argv), indent=2, ensure_ascii=False))
