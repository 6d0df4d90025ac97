"""Database connections: SQLite by default (a file under ./var), PostgreSQL through psycopg 3."""

from __future__ import annotations

import functools
import os
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError

from engine.storage import checkpoints, driver

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
        if engine.url.database not in (None, "", ":memory:"):
            _checkpoint_on_a_thread(engine, checkpoints.Checkpointer(engine.url.database))
        return engine
    engine = create_engine(url)
    # A pooled connection idle for a while may have been closed by the server (a restart, an
    # idle timeout): ping it before use, as pool_pre_ping would, but not one used moments ago
    # (every command's checkout would pay a round trip for it).
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", functools.partial(_ping_if_idle, engine.dialect))
    return engine


PING_AFTER_IDLE_SECONDS = 5.0
_IDLE_SINCE = "kuaiban_idle_since"  # connection record info: monotonic time of its check-in


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()  # how long a connection idled, not a date


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as exc:  # the pool drops it and connects anew
        raise DisconnectionError(f"stale pooled connection: {exc}") from exc


_WROTE = "kuaiban_wrote"  # connection record info: a write transaction began on it


def _checkpoint_on_a_thread(engine: SqlEngine, checkpointer: checkpoints.Checkpointer) -> None:
    """Checkpoints after a write transaction ends (the connection's check-in follows its
    commit), on the checkpointer's thread; stopped when the engine is disposed."""
    event.listen(engine, "connect", lambda dbapi_connection, _record:
                 checkpoints.set_safety_net(dbapi_connection))

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_WROTE, False):
            checkpointer.wrote()

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "engine_disposed", lambda _engine: checkpointer.close())
    _CHECKPOINTERS[engine] = checkpointer


_CHECKPOINTERS: weakref.WeakKeyDictionary[SqlEngine, checkpoints.Checkpointer] = (
    weakref.WeakKeyDictionary())


def checkpointer(engine: SqlEngine) -> checkpoints.Checkpointer | None:
    """The thread that checkpoints a SQLite file's log (None for PostgreSQL or memory)."""
    return _CHECKPOINTERS.get(engine)


def _begin_sqlite(conn: Any) -> None:
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    if not read_only:
        conn.info[_WROTE] = True
    # on the driver's cursor: SQLAlchemy's execution layer cost more than the statement
    driver.execute_plain(conn, "BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun explicitly (above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
