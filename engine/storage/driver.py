"""The writes every command makes (its event, the instance, its task rows and notices, the
search text) and the reads it starts with (its instance's lock, its open tasks), run by the
database driver itself: compiled once per dialect and column set, their values converted by
the columns' own types, errors raised as SQLAlchemy raises them. SQLAlchemy's execution
layer around a statement costs several times the driver's own call (docs/performance.md).
Statement listeners (``before_cursor_execute``) still see them.

Inside :func:`batched`, the writes are held and sent together when it ends: on PostgreSQL in
one pipeline (one round trip instead of one per statement), in the order they were made, in
the same transaction. What a write's caller must know of its outcome (rows touched) comes to
its ``check`` then.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import UpdateBase

_Compiled = tuple[str, tuple[str, ...] | None, dict[str, Callable[[Any], Any]]]
Rows = Mapping[str, Any] | Sequence[Mapping[str, Any]]
Check = Callable[[int], None]  # called with the rows the write touched
_BATCH = "kuaiban_write_batch"  # session.info: the writes held by batched()


class Write:
    """An INSERT or UPDATE whose values are all named parameters."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[tuple[Dialect, tuple[str, ...]], _Compiled] = {}
        self._lock = threading.Lock()

    def run(self, session: Session, rows: Rows, check: Check | None = None) -> None:
        """Execute for one row of parameters (or many, as one executemany) now, or when the
        batch ends inside :func:`batched`; then ``check`` with the rows touched."""
        batch: list[Mapping[str, Any]] = [rows] if isinstance(rows, Mapping) else list(rows)
        if not batch:
            return
        held: list[_Held] | None = session.info.get(_BATCH)
        if held is not None:
            held.append((self, batch, check))
            return
        conn = session.connection()
        cursor = _dbapi(conn).cursor()
        try:
            self._send(conn, cursor, batch)
            count = int(cursor.rowcount)
        finally:
            cursor.close()
        if check is not None:
            check(count)

    def _send(self, conn: Connection, cursor: Any, batch: list[Mapping[str, Any]]) -> None:
        sql, order, processors = self._compile(conn.dialect, tuple(batch[0]))
        args = [_args(row, order, processors) for row in batch]
        many = len(args) > 1  # the drivers' executemany costs more for one row
        params: Any = args if many else args[0]
        if conn.dispatch.before_cursor_execute:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, params, None, many)
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
        except conn.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(sql, params, error,
                                          conn.dialect.loaded_dbapi.Error) from error
        if conn.dispatch.after_cursor_execute:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, params, None, many)

    def _compile(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get((dialect, keys))
        if found is not None:
            return found
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=list(keys))
        order, processors = _parameters(compiled, dialect)
        made = (str(compiled.string), order, processors)
        with self._lock:
            self._compiled[(dialect, keys)] = made
        return made


def _parameters(compiled: Any, dialect: Dialect
                ) -> tuple[tuple[str, ...] | None, dict[str, Callable[[Any], Any]]]:
    """A compiled statement's parameter order (for a positional paramstyle) and the type
    conversion of each parameter that has one."""
    processors: dict[str, Callable[[Any], Any]] = {}
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return (tuple(compiled.positiontup) if compiled.positional else None), processors


_Held = tuple[Write, list[Mapping[str, Any]], Check | None]


class ReadRow(tuple[Any, ...]):
    """A row of a :class:`Read`: a named tuple (``row.id``), and ``row._mapping`` as
    SQLAlchemy's rows have it."""

    __slots__ = ()
    _fields: tuple[str, ...]  # the named tuple's

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any: ...  # the columns, by name


def row_class(names: Sequence[str]) -> type[ReadRow]:
    # made per statement; a name that is no identifier (an unlabelled expression) is renamed
    base: Any = namedtuple("ReadRowBase", list(names), rename=True)  # type: ignore[misc]
    return type("Row", (ReadRow, base), {"__slots__": ()})


# (SQL, parameter order, bind processors, default parameters, result processors, row class)
_CompiledRead = tuple[str, tuple[str, ...] | None, dict[str, Callable[[Any], Any]],
                      dict[str, Any], list[Callable[[Any], Any] | None], type[ReadRow]]


class Read:
    """A SELECT whose parameters are all named, run on the driver's cursor: its rows come
    back as :class:`ReadRow`, each value converted by its column's type as SQLAlchemy's
    result would convert it."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[Dialect, _CompiledRead] = {}
        self._lock = threading.Lock()

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[ReadRow]:
        make: Callable[[Any], ReadRow] = self.row_class(session)._make  # type: ignore[attr-defined]
        return [make(self.converted(session, values)) for values in self.fetch(session, params)]

    def fetch(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows as the driver returns them, unconverted (see :meth:`converted`)."""
        return fetch_in_turn(session, [(self, params)])[0]

    def _sql(self, conn: Connection, params: Mapping[str, Any]) -> tuple[str, Any]:
        sql, order, processors, defaults, _, _ = self._compile(conn.dialect)
        return sql, _args({**defaults, **params}, order, processors)

    def converted(self, session: Session, values: Sequence[Any], start: int = 0,
                  stop: int | None = None) -> list[Any]:
        """The values of the columns ``start:stop`` of a fetched row, converted by their
        columns' types."""
        results = self._compile(session.get_bind().dialect)[4][start:stop]
        return [v if f is None else f(v) for f, v in zip(results, values[start:stop],
                                                         strict=True)]

    def row_class(self, session: Session) -> type[ReadRow]:
        return self._compile(session.get_bind().dialect)[5]

    def _compile(self, dialect: Dialect) -> _CompiledRead:
        found = self._compiled.get(dialect)
        if found is not None:
            return found
        compiled: Any = self.statement.compile(dialect=dialect)
        order, processors = _parameters(compiled, dialect)
        defaults = {name: value for name, value in compiled.params.items()
                    if value is not None}
        columns = self.statement.selected_columns
        results: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in columns]
        made = (str(compiled.string), order, processors, defaults, results,
                row_class([str(column.key) for column in columns]))
        with self._lock:
            self._compiled[dialect] = made
        return made


@contextmanager
def batched(session: Session, grouped: bool = False) -> Iterator[None]:
    """Hold the writes made inside and send them together at the end (see the module's
    text). Nested: the outermost sends. Nothing inside may read what it wrote.
    ``grouped`` (many cases' writes, as a bulk start makes them): each statement's rows are
    sent as one executemany, the statements in the order they were first made (a case's
    row before the rows that refer to it); a write whose caller checks its outcome is sent
    alone, in its place among its statement's rows."""
    if _BATCH in session.info:
        yield
        return
    held: list[_Held] = []
    session.info[_BATCH] = held
    try:
        yield
    finally:
        del session.info[_BATCH]
    _send_all(session, _grouped(held) if grouped else held)


def _grouped(held: list[_Held]) -> list[_Held]:
    by_write: dict[tuple[Write, tuple[str, ...]], list[_Held]] = {}
    for write, batch, check in held:
        runs = by_write.setdefault((write, tuple(batch[0])), [])
        if check is None and runs and runs[-1][2] is None:
            runs[-1][1].extend(batch)
        else:
            runs.append((write, list(batch), check))
    return [run for runs in by_write.values() for run in runs]


def send_held(session: Session) -> None:
    """Send the writes held so far (inside :func:`batched`), before reading what they wrote."""
    held: list[_Held] | None = session.info.get(_BATCH)
    if held:
        pending = held[:]
        held.clear()
        _send_all(session, pending)


def _send_all(session: Session, held: list[_Held]) -> None:
    if not held:
        return
    conn = session.connection()
    dbapi = _dbapi(conn)
    pipelined = conn.dialect.name == "postgresql" and len(held) > 1
    cursors: list[Any] = []
    try:
        if pipelined:
            try:
                with dbapi.pipeline():
                    for write, batch, _ in held:
                        cursors.append(dbapi.cursor())
                        write._send(conn, cursors[-1], batch)
            except conn.dialect.loaded_dbapi.Error as error:  # raised when the results came
                raise exc.DBAPIError.instance("(pipelined writes)", None, error,
                                              conn.dialect.loaded_dbapi.Error) from error
        else:
            for write, batch, _ in held:
                cursors.append(dbapi.cursor())
                write._send(conn, cursors[-1], batch)
        counts = [int(cursor.rowcount) for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    for (_, _, check), count in zip(held, counts, strict=True):
        if check is not None:
            check(count)


def fetch_in_turn(session: Session, reads: Sequence[tuple[Read, Mapping[str, Any]]]
                  ) -> list[list[tuple[Any, ...]]]:
    """The rows of each read (unconverted), run one after the other in the transaction. On
    PostgreSQL they are sent together in one pipeline (one round trip); each statement still
    starts when the one before it has finished, and under READ COMMITTED it reads what was
    committed by then (a read after a lock sees what the lock's previous holder committed)."""
    conn = session.connection()
    dbapi = _dbapi(conn)
    error_class = conn.dialect.loaded_dbapi.Error
    statements = [read._sql(conn, params) for read, params in reads]
    cursors = [dbapi.cursor() for _ in statements]
    pipelined = conn.dialect.name == "postgresql" and len(statements) > 1
    try:
        try:
            with dbapi.pipeline() if pipelined else nullcontext():
                for cursor, (sql, args) in zip(cursors, statements, strict=True):
                    if conn.dispatch.before_cursor_execute:
                        conn.dispatch.before_cursor_execute(conn, cursor, sql, args, None, False)
                    cursor.execute(sql, args)
                    if conn.dispatch.after_cursor_execute:
                        conn.dispatch.after_cursor_execute(conn, cursor, sql, args, None, False)
            fetched = [cursor.fetchall() for cursor in cursors]
        except error_class as error:
            sql, args = statements[0] if len(statements) == 1 else ("(pipelined reads)", None)
            raise exc.DBAPIError.instance(sql, args, error, error_class) from error
    finally:
        for cursor in cursors:
            cursor.close()
    return fetched


def execute_plain(conn: Connection, sql: str) -> None:
    """Run a statement without parameters or results (SQLite's ``BEGIN IMMEDIATE``) on the
    driver's cursor: listeners see it, errors are SQLAlchemy's."""
    cursor = _dbapi(conn).cursor()
    try:
        if conn.dispatch.before_cursor_execute:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, (), None, False)
        try:
            cursor.execute(sql)
        except conn.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(sql, (), error,
                                          conn.dialect.loaded_dbapi.Error) from error
        if conn.dispatch.after_cursor_execute:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, (), None, False)
    finally:
        cursor.close()


def _dbapi(conn: Connection) -> Any:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None  # a connection in a transaction
    return dbapi


def _args(row: Mapping[str, Any], order: tuple[str, ...] | None,
          processors: dict[str, Callable[[Any], Any]]) -> Any:
    if order is None:
        return {k: (processors[k](v) if k in processors else v) for k, v in row.items()}
    return [processors[k](row[k]) if k in processors else row[k] for k in order]
