"""Shared helpers: the bench diagrams, a frozen clock, a fresh PostgreSQL schema per figure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from engine.clock import FixedClock
from engine.validation import SourceFile

HERE = Path(__file__).parent
DIAGRAMS = HERE / "diagrams"
START = datetime.fromisoformat("2026-09-30T16:00:00+08:00")
PG_URL = os.environ.get(
    "KUAIBAN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def clock(at: datetime = START) -> FixedClock:
    return FixedClock(at)


def files(*names: str) -> list[SourceFile]:
    """Bench diagrams by name, plus every bench form."""
    out = [SourceFile(n, (DIAGRAMS / n).read_text(encoding="utf-8")) for n in names]
    out += [SourceFile(p.name, p.read_text(encoding="utf-8"))
            for p in sorted((DIAGRAMS / "forms").glob("*.json"))]
    return out


_pg: dict[str, str | None] = {}


def postgres_problem() -> str | None:
    """None when the benchmark's PostgreSQL server answers, else why not."""
    if "problem" not in _pg:
        try:
            probe = create_engine(PG_URL)
            with probe.connect() as conn:
                conn.execute(text("select 1"))
            probe.dispose()
            _pg["problem"] = None
        except Exception as exc:  # any failure to connect means "no server here"
            _pg["problem"] = f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"
    return _pg["problem"]


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards (like tests/conftest)."""
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def pg_schema_name(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
