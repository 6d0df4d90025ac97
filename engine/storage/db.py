"""Database connections: SQLite by default (a file under ./var), PostgreSQL through psycopg 3."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, event

DEFAULT_SQLITE = "var/kuaiban.db"
# Execution option of read-only transactions (Engine.transaction(read_only=True)).
READ_ONLY = "kuaiban_read_only"


def database_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    url = env.get("KUAIBAN_DATABASE_URL", "").strip()
    if not url:
        path = Path.cwd() / DEFAULT_SQLITE
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def connect(url: str) -> SqlEngine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite opens a transaction only at its first write, so a command's reads would not
        # share its snapshot, and a read transaction that later writes loses to any concurrent
        # writer at once. SQLite has one writer anyway: take the write lock up front
        # (waiting up to the busy timeout), so commands run one after another. Read-only
        # transactions begin deferred: in WAL mode they read a snapshot beside the writer.
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _begin_sqlite(conn: Any) -> None:
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun explicitly (above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
