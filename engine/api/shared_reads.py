"""One read transaction for a whole unit of reading, such as a page view: under
:meth:`Engine.reading`, every read-only transaction of that engine in the same context (a
thread, a request: a ContextVar, so none share) goes through one session, begun at the first
read and closed when the context ends, instead of each beginning its own and reading the
change counters again.

A write in the context ends the shared read before it begins and after it ends, so that the
reads after it see it (a SQLite read transaction keeps its snapshot until it ends). Ending it
closes the session: the ORM objects it loaded keep what they loaded, detached, as those of a
finished read transaction do. A read that fails with anything but an engine refusal ends it
too, as the database may have aborted the transaction (PostgreSQL does after any error).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.errors import EngineError

_CURRENT: ContextVar[tuple[SharedRead, ...]] = ContextVar("kuaiban_shared_reads", default=())


class SharedRead:
    """One engine's shared read session in one context, begun at its first read."""

    def __init__(self, owner: object, open_session: Callable[[], Session]) -> None:
        self.owner = owner
        self._open = open_session
        # a copied context (a thread started with it) must not use this thread's session
        self._thread = threading.get_ident()
        self._session: Session | None = None
        self._reads = 0  # reads in progress on the session (a read may call another)
        self._stale = False  # end it once the reads in progress are done
        # what the unit of reading remembers across its transactions (the confidential
        # fields it has logged as shown, engine/queries/confidential.py)
        self.notes: dict[str, object] = {}

    @staticmethod
    def of(owner: object) -> SharedRead | None:
        """``owner``'s shared read in this context, if it reads under one."""
        for shared in _CURRENT.get():
            if shared.owner is owner and shared._thread == threading.get_ident():
                return shared
        return None

    @contextmanager
    def read(self) -> Iterator[Session]:
        if self._session is None:
            self._session = self._open()
            self._session.begin()
        self._reads += 1
        try:
            yield self._session
        except BaseException as exc:
            if not _refusal(exc):
                self.end()
            raise
        finally:
            self._reads -= 1
            if self._stale and not self._reads:
                self.end()

    def end(self) -> None:
        """Roll the read back and close its session (the next read begins anew); while a read
        is in progress (a write inside a read), once it is done, as its own transaction would."""
        if self._reads:
            self._stale = True
            return
        session, self._session, self._stale = self._session, None, False
        if session is not None:
            session.close()


@contextmanager
def sharing(owner: object, open_session: Callable[[], Session]) -> Iterator[None]:
    """``owner``'s read-only transactions share one session until the context ends (an
    enclosing one of the same owner goes on: it ends it)."""
    if SharedRead.of(owner) is not None:
        yield
        return
    shared = SharedRead(owner, open_session)
    token = _CURRENT.set((*_CURRENT.get(), shared))
    try:
        yield
    finally:
        _CURRENT.reset(token)
        shared.end()


def _refusal(exc: BaseException) -> bool:
    """An engine refusal raised in Python (not found, not permitted) leaves the transaction
    as it was; one raised while handling a database error does not."""
    seen: BaseException | None = exc
    if not isinstance(exc, EngineError):
        return False
    while seen is not None:
        if isinstance(seen, SQLAlchemyError):
            return False
        seen = seen.__cause__ or seen.__context__
    return True
