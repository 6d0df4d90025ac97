"""A throwaway PostgreSQL schema per test or benchmark figure, on a shared server.

Used by tests/conftest.py as well as by the benchmarks, so it needs nothing but SQLAlchemy:
each caller decides what an unreachable server means (a skipped or failed test, a null figure).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

_problems: dict[str, str | None] = {}


def unreachable(url: str) -> str | None:
    """None when the server at ``url`` answers, else why not (asked once per URL)."""
    if url not in _problems:
        try:
            probe = create_engine(url)
            with probe.connect() as conn:
                conn.execute(text("select 1"))
            probe.dispose()
            _problems[url] = None
        except Exception as exc:  # any failure to connect means "no server here"
            _problems[url] = f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}"
    return _problems[url]


@contextmanager
def fresh_schema(url: str, prefix: str) -> Iterator[str]:
    """``url`` with its search_path set to a new, empty schema, dropped on exit."""
    schema = prefix + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in url else "?"
        try:
            yield f"{url}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.connect() as conn:
                _drop(conn, schema)
    finally:
        admin.dispose()


def schema_name(url: str) -> str:
    """The schema of a URL made by ``fresh_schema``."""
    return url.rsplit("%3D", 1)[1]


def _drop(conn: Connection, schema: str) -> None:
    # A failed test or figure may leave a session holding locks in its schema: do not wait
    # for it forever; end sessions idle in a transaction, then drop.
    conn.execute(text("SET lock_timeout = '15s'"))
    try:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    except Exception:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "datname = current_database() AND pid <> pg_backend_pid() AND "
            "state LIKE 'idle in transaction%' AND now() - state_change > "
            "interval '10 seconds'"))
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
