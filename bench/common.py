"""Shared helpers: the bench diagrams, a frozen clock, a fresh PostgreSQL schema per figure
(bench/pgschema.py, shared with the tests)."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from bench import pgschema
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock

HERE = Path(__file__).parent
DIAGRAMS = HERE / "diagrams"
START = datetime.fromisoformat("2026-09-30T16:00:00+08:00")
PG_URL = os.environ.get("KUAIBAN_BENCH_POSTGRES_URL", pgschema.DEFAULT_URL)


def clock(at: datetime = START) -> FixedClock:
    return FixedClock(at)


def files(*names: str) -> list[SourceFile]:
    """Bench diagrams by name, plus every bench form."""
    out = [SourceFile(n, (DIAGRAMS / n).read_text(encoding="utf-8")) for n in names]
    out += [SourceFile(p.name, p.read_text(encoding="utf-8"))
            for p in sorted((DIAGRAMS / "forms").glob("*.json"))]
    return out


def postgres_problem() -> str | None:
    """None when the benchmark's PostgreSQL server answers, else why not."""
    return pgschema.unreachable(PG_URL)


def pg_schema() -> AbstractContextManager[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    return pgschema.fresh_schema(PG_URL, "bench_")


pg_schema_name = pgschema.schema_name


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
