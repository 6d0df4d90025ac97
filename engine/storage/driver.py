"""The writes every command makes (its event, the instance, its task rows, the search text),
run by the database driver itself: compiled once per dialect and column set, their values
converted by the columns' own types, errors raised as SQLAlchemy raises them. SQLAlchemy's
execution layer around a statement costs several times the driver's own call
(docs/performance.md); the statements, their order and the transaction are unchanged, and
statement listeners (``before_cursor_execute``) still see them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

_Compiled = tuple[str, tuple[str, ...] | None, dict[str, Callable[[Any], Any]]]


class Write:
    """An INSERT or UPDATE whose values are all named parameters."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[tuple[Dialect, tuple[str, ...]], _Compiled] = {}
        self._lock = threading.Lock()

    def run(self, session: Session, rows: Mapping[str, Any] | Sequence[Mapping[str, Any]]
            ) -> int:
        """Execute for one row of parameters (or many, as one executemany); the rowcount."""
        batch: list[Mapping[str, Any]] = [rows] if isinstance(rows, Mapping) else list(rows)
        if not batch:
            return 0
        many = len(batch) > 1  # the drivers' executemany costs more for one row
        conn = session.connection()
        sql, order, processors = self._compile(conn.dialect, tuple(batch[0]))
        args = [_args(row, order, processors) for row in batch]
        params: Any = args if many else args[0]
        dbapi_conn = conn.connection.dbapi_connection
        assert dbapi_conn is not None  # a connection in a transaction
        cursor = dbapi_conn.cursor()
        try:
            _announce(conn, cursor, sql, params, many)
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            _announce_done(conn, cursor, sql, params, many)
            return int(cursor.rowcount)
        except conn.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(sql, params, error,
                                          conn.dialect.loaded_dbapi.Error) from error
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get((dialect, keys))
        if found is not None:
            return found
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=list(keys))
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        order = tuple(compiled.positiontup) if compiled.positional else None
        made = (str(compiled.string), order, processors)
        with self._lock:
            self._compiled[(dialect, keys)] = made
        return made


def _args(row: Mapping[str, Any], order: tuple[str, ...] | None,
          processors: dict[str, Callable[[Any], Any]]) -> Any:
    values = {k: (processors[k](v) if k in processors else v) for k, v in row.items()}
    return values if order is None else tuple(values[k] for k in order)


def _announce(conn: Connection, cursor: Any, sql: str, params: Any, many: bool) -> None:
    if conn.dispatch.before_cursor_execute:
        conn.dispatch.before_cursor_execute(conn, cursor, sql, params, None, many)


def _announce_done(conn: Connection, cursor: Any, sql: str, params: Any, many: bool) -> None:
    if conn.dispatch.after_cursor_execute:
        conn.dispatch.after_cursor_execute(conn, cursor, sql, params, None, many)
