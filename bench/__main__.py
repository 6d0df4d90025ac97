"""python -m bench [--quick] [--json FILE] [--only NAMES] [--no-postgres]: print a table; the
last line is one JSON object. Full sizes take a quarter of an hour or more on two cores;
``--quick`` runs every figure at reduced size in under a minute."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    audit_scale,
    bulk_start,
    common,
    inbox_scale,
    loop_cost,
    replay_cost,
    search_scale,
    stats_scale,
    throughput,
    timers,
    web_load,
    web_mixed,
)

FIGURES = ("throughput", "bulk", "inbox", "web", "web_postgres", "loop", "replay", "timers",
           "audit", "stats", "search")
SIZES = {  # figure -> (quick, full)
    "throughput_instances": (30, 1000),
    "throughput_rounds": (2, 5),
    "inbox_tasks": (50_000, 1_000_000),
    "inbox_calls": (200, 1000),
    "web_seconds": (3, 20),
    "loop_iterations": (200, 1000),
    "replay_events": (100, 200),
    "timers": (100, 10_000),
    "bulk_rows": (100, 2000),
    "web_cases": (300, 1000),
    "audit_instances": (300, 10_000),
    "stats_tasks": (50_000, 1_000_000),
    "search_cases": (20_000, 1_000_000),
}


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    out: dict[str, Any] = {
        "nproc": os.cpu_count(), "memory_gib": round(pages / 2**30, 1),
        "python": platform.python_version(), "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version, "postgres": None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if common.postgres_problem() is None:
        from sqlalchemy import create_engine, text

        probe = create_engine(common.PG_URL)
        with probe.connect() as conn:
            out["postgres"] = conn.execute(text("SHOW server_version")).scalar()
        probe.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--json", default="var/bench.json", help="where to write the results")
    parser.add_argument("--only", default=",".join(FIGURES),
                        help=f"comma-separated figures out of {', '.join(FIGURES)}")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    only = {f.strip() for f in args.only.split(",") if f.strip()}
    unknown = only - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}")
    size = {k: v[0] if args.quick else v[1] for k, v in SIZES.items()}
    pg = not args.no_postgres
    started = time.monotonic()
    results: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": machine(),
                               "sizes": size}

    def note(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        inbox_db = Path(tmp) / "inbox.db"
        if "throughput" in only:
            note(f"throughput: {size['throughput_instances']} instances per backend ...")
            results["throughput"] = throughput.run(size["throughput_instances"],
                                                   size["throughput_rounds"], pg)
        if "bulk" in only:
            note(f"bulk: {size['bulk_rows']} rows per round, single starts beside ...")
            results["bulk"] = bulk_start.run(size["bulk_rows"], 3, pg)
        if "inbox" in only or "web" in only:
            note(f"inbox: {size['inbox_tasks']:,} task rows per backend ...")
            results["inbox"] = inbox_scale.run(size["inbox_tasks"], size["inbox_calls"], pg,
                                               keep_sqlite=inbox_db)
        if "web" in only:
            note(f"web: GET /api/v1/tasks, 50 users, {size['web_seconds']} s ...")
            names = [n for n, _, unit in inbox_scale.users(random.Random(3)) if unit]
            random.Random(5).shuffle(names)
            results["web"] = web_load.run(f"sqlite:///{inbox_db}", names, size["web_seconds"])
    if "web_postgres" in only and pg:
        note(f"web_postgres: 90 % inbox reads, 10 % completes, {size['web_seconds']} s ...")
        results["web_postgres"] = web_mixed.run(size["web_seconds"], size["web_cases"])
    if "loop" in only:
        note(f"loop: {size['loop_iterations']} iterations of a weekly follow-up ...")
        results["loop"] = loop_cost.run(iterations=size["loop_iterations"])
    if "replay" in only:
        note(f"replay: a {size['replay_events']}-event instance ...")
        results["replay"] = replay_cost.run(events=size["replay_events"])
    if "timers" in only:
        note(f"timers: {size['timers']:,} due at once ...")
        results["timers"] = timers.run(size["timers"], pg)
    if "audit" in only:
        note(f"audit: verify and replay --all over {size['audit_instances']:,} instances ...")
        results["audit"] = audit_scale.run(size["audit_instances"])
    if "stats" in only:
        note(f"stats: {size['stats_tasks']:,} task rows per backend ...")
        results["stats"] = stats_scale.run(size["stats_tasks"], pg)
    if "search" in only:
        note(f"search: {size['search_cases']:,} cases per backend ...")
        results["search"] = search_scale.run(size["search_cases"], pg)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.monotonic() - started, 1)
    summary = headline(results)
    results["summary"] = summary
    print_table(results)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(summary))
    return 0


def headline(results: dict[str, Any]) -> dict[str, Any]:
    def get(section: str, *path: str) -> Any:
        value: Any = results.get(section)
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    inbox = [v for v in (get("inbox", "sqlite", "inbox_p95_ms"),
                         get("inbox", "postgres", "inbox_p95_ms")) if v is not None]
    boards = [v for v in (get("inbox", "sqlite", "board_p50_ms"),
                          get("inbox", "postgres", "board_p50_ms")) if v is not None]
    return {
        "durable_ratio_sqlite": get("throughput", "durable_ratio_sqlite"),
        "durable_ratio_postgres": get("throughput", "durable_ratio_postgres"),
        "durable_vs_serialized_sqlite": get("throughput", "durable_vs_serialized_sqlite"),
        "durable_vs_serialized_postgres": get("throughput", "durable_vs_serialized_postgres"),
        "floor_vs_serialized_sqlite": get("throughput", "floor_vs_serialized_sqlite"),
        "floor_vs_serialized_postgres": get("throughput", "floor_vs_serialized_postgres"),
        "inbox_p95_ms": max(inbox) if inbox else None,
        "inbox_p95_ms_sqlite": get("inbox", "sqlite", "inbox_p95_ms"),
        "inbox_p95_ms_postgres": get("inbox", "postgres", "inbox_p95_ms"),
        "board_ms": max(boards) if boards else None,
        "loop_cost_ratio": get("loop", "loop_cost_ratio"),
        "replay_ratio": get("replay", "replay_ratio"),
        "timers_per_s": get("timers", "timers_per_s"),
        "timers_two_worker_speedup": get("timers", "two_worker_speedup"),
        "timers_fired_twice": get("timers", "fired_twice"),
        "bulk_vs_single": get("bulk", "sqlite", "bulk_vs_single"),
        "bulk_vs_single_postgres": get("bulk", "postgres", "bulk_vs_single"),
        "verify_events_per_s": get("audit", "verify_events_per_s"),
        "replay_instances_per_s": get("audit", "replay_instances_per_s"),
        "audit_peak_rss_mib": get("audit", "peak_rss_mib"),
        "search_unit_common_ms_sqlite": get("search", "sqlite", "unit_common_p50_ms"),
        "search_unit_common_ms_postgres": get("search", "postgres", "unit_common_p50_ms"),
        "web_requests_per_s": get("web", "requests_per_s"),
        "web_pg_reads_per_s": get("web_postgres", "reads_per_s"),
        "web_pg_read_p95_ms": get("web_postgres", "read_p95_ms"),
        "web_pg_completes_per_s": get("web_postgres", "completes_per_s"),
        "web_pg_complete_p95_ms": get("web_postgres", "complete_p95_ms"),
        "web_pg_errors": get("web_postgres", "errors"),
        "web_p95_ms": get("web", "p95_ms"),
        "stats_month_ms_sqlite": get("stats", "sqlite", "all_figures_one_month_median_ms"),
        "stats_month_ms_postgres": get("stats", "postgres", "all_figures_one_month_median_ms"),
    }


def print_table(results: dict[str, Any]) -> None:
    for section in ("machine", *FIGURES):
        figures = results.get(section)
        if not isinstance(figures, dict):
            continue
        print(f"[{section}]")
        _rows(figures, "  ")


def _rows(figures: dict[str, Any], indent: str) -> None:
    width = max((len(k) for k in figures), default=0)
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _rows(value, indent + "  ")
        elif key.endswith("_plan"):
            print(f"{indent}{key:<{width}}  {value[0]} ... ({len(value)} lines)")
        else:
            print(f"{indent}{key:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
