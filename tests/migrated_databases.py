"""Databases already at the current revision, for tests whose engine would migrate an empty one
(the ``engine`` fixture): running every migration costs a test some tenths of a second on
SQLite and on PostgreSQL alike, most of it the server's or the disk's.

SQLite: one migrated file per process, copied for each test. PostgreSQL (schemas cannot be
copied): one migrated schema per process, emptied for each test (every row deleted, every
sequence restarted) with the rows the migrations insert put back, so that it is what a fresh
migration leaves, ids starting at 1. A schema that its last test left at another revision or
with other tables, or that cannot be emptied at once (a lock still held), is dropped and a new
one made.

Seeded databases (tests marked ``seeded``, tests/conftest.py): what a module's tests all start
from (users, deployed procedures: scrypt hashes and deploys cost a test a second or more) is
made once per process by its build function. SQLite: a migrated file built on, copied per
test. PostgreSQL: the built rows of every table and the sequences, taken once by ``COPY``
(exact for every type), put back into the emptied schema for each test.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bench import pgschema
from engine.storage import db, migrate


@functools.cache
def _sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kuaiban-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "migrated.db"
    sql = db.connect(f"sqlite:///{path}")
    migrate.upgrade(sql)
    sql.dispose()  # the last connection closed: the write-ahead log is in the file
    return path


def copy_sqlite(path: Path) -> None:
    """A migrated SQLite database at ``path``."""
    shutil.copyfile(_sqlite_template(), path)


Build = Callable[[str], None]  # fills the migrated database at a URL (and closes what it opened)


@functools.cache
def _seeded_sqlite_template(build: Build) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kuaiban-seeded-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "seeded.db"
    copy_sqlite(path)
    build(f"sqlite:///{path}")
    return path


def copy_seeded_sqlite(path: Path, build: Build) -> None:
    """At ``path``, a migrated SQLite database with what ``build`` writes into it."""
    shutil.copyfile(_seeded_sqlite_template(build), path)


@dataclass
class _Schema:
    url: str
    sql: SqlEngine
    head: str
    tables: list[str]  # every table, sorted
    seeds: dict[str, list[dict[str, Any]]]  # the rows the migrations insert, by table
    dropping: ExitStack  # drops the schema

    def close(self) -> None:
        self.sql.dispose()
        self.dropping.close()


_schemas: dict[str, _Schema] = {}


def _revision(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _tables(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = "
                                  "current_schema() ORDER BY tablename")).scalars())


def _quoted(name: str) -> str:
    return '"' + name + '"'


def _new_schema(server_url: str) -> _Schema:
    with ExitStack() as dropping:
        url = dropping.enter_context(pgschema.fresh_schema(server_url, "t_"))
        sql = create_engine(url, poolclass=NullPool)
        migrate.upgrade(sql)
        with sql.connect() as conn:
            [head] = _revision(conn)
            tables = _tables(conn)
            seeds = {name: [dict(row) for row in
                            conn.execute(text(f"SELECT * FROM {_quoted(name)}")).mappings()]
                     for name in tables if name != "alembic_version"}
        return _Schema(url, sql, head, tables, {k: v for k, v in seeds.items() if v},
                       dropping.pop_all())


def _clear(conn: Connection, tables: list[str]) -> None:
    """Empty ``tables`` and put every sequence back at its start, as ``TRUNCATE ... RESTART
    IDENTITY`` would: deleting the few rows a test wrote takes milliseconds where truncating
    some thirty tables (new files for each) takes half a second. Foreign keys are checked for
    none of the tables (left so for the rest of the transaction)."""
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    for name in tables:
        conn.execute(text(f"DELETE FROM {_quoted(name)}"))
    conn.execute(text("SELECT setval(quote_ident(sequencename)::regclass, start_value, false) "
                      "FROM pg_sequences WHERE schemaname = current_schema()"))


def _emptied(schema: _Schema) -> bool:
    """Whether the schema is as a fresh migration leaves it (emptied here)."""
    try:
        with schema.sql.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '5s'"))
            if _revision(conn) != [schema.head] or _tables(conn) != schema.tables:
                return False
            _clear(conn, [name for name in schema.tables if name != "alembic_version"])
            for name, rows in schema.seeds.items():
                columns = list(rows[0])
                conn.execute(text(f'INSERT INTO "{name}" ({", ".join(map(_quoted, columns))}) '
                                  f'VALUES ({", ".join(f":{c}" for c in columns)})'), rows)
        return True
    except SQLAlchemyError:
        return False


@dataclass(frozen=True)
class _Snapshot:
    tables: dict[str, bytes]  # COPY data of every table that has rows
    sequences: dict[str, tuple[int, bool]]  # last_value, is_called


# (server URL, build) -> what the build left in a schema of that server
_snapshots: dict[tuple[str, Build], _Snapshot] = {}


def _sequences(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = "
                                  "current_schema() ORDER BY sequencename")).scalars())


def _take(schema: _Schema) -> _Snapshot:
    with schema.sql.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        tables = {}
        for name in schema.tables:
            data = bytearray()
            with cursor.copy(f"COPY {_quoted(name)} TO STDOUT") as copy:
                for chunk in copy:
                    data += chunk
            if data:
                tables[name] = bytes(data)
        sequences = {name: tuple(conn.execute(text(
            f"SELECT last_value, is_called FROM {_quoted(name)}")).one())
            for name in _sequences(conn)}
        conn.rollback()
    return _Snapshot(tables, sequences)


def _restored(schema: _Schema, snapshot: _Snapshot) -> bool:
    """Whether the schema now holds exactly the snapshot's rows and sequences."""
    try:
        with schema.sql.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '5s'"))
            if _revision(conn) != [schema.head] or _tables(conn) != schema.tables:
                return False
            _clear(conn, schema.tables)  # and the rows go back table by table, unchecked
            cursor = conn.connection.driver_connection.cursor()
            for name, data in snapshot.tables.items():
                with cursor.copy(f"COPY {_quoted(name)} FROM STDIN") as copy:
                    copy.write(data)
            for name, (value, called) in snapshot.sequences.items():
                conn.execute(text("SELECT setval(:name, :value, :called)"),
                             {"name": _quoted(name), "value": value, "called": called})
        return True
    except SQLAlchemyError:
        return False


def seeded_schema(server_url: str, build: Build) -> str:
    """The URL of a migrated schema holding what ``build`` writes into an empty one."""
    schema = _schemas.get(server_url)
    snapshot = _snapshots.get((server_url, build))
    if schema is not None and snapshot is not None and _restored(schema, snapshot):
        return schema.url
    url = emptied_schema(server_url)
    build(url)
    _snapshots[server_url, build] = _take(_schemas[server_url])
    return url


def emptied_schema(server_url: str) -> str:
    """The URL of a migrated, empty schema on the server at ``server_url``."""
    schema = _schemas.get(server_url)
    if schema is not None and not _emptied(schema):
        schema.close()
        schema = None
    if schema is None:
        schema = _schemas[server_url] = _new_schema(server_url)
        atexit.register(schema.close)
    return schema.url
