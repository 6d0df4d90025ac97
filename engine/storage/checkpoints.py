"""SQLite's WAL checkpoints on a thread of their own.

In WAL mode with ``synchronous=NORMAL`` a commit appends to the write-ahead log without
waiting for the disk; the log is synced, and its pages copied into the database file, at a
checkpoint. Left to SQLite, a checkpoint runs inside whichever commit finds 1,000 pages in the
log: that command waits for the syncs (in the durable-throughput bench one commit in twenty
took 2–20 ms instead of 0.15 ms), and on a quiet system the log may wait hours for its sync,
so a power cut could take back that much committed work. Here a thread checkpoints shortly
after writes instead (passively: it never blocks a reader or a writer), which bounds that
window to about :data:`DELAY_SECONDS` and keeps the syncs out of the commands. SQLite's own
checkpointing stays as a safety net at :data:`SAFETY_NET_PAGES`, should the thread fall
behind.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

DELAY_SECONDS = 0.2  # after a write, so that a burst of writes shares one checkpoint
IDLE_EXIT_SECONDS = 30.0  # the thread ends after this long without writes (and comes back)
SAFETY_NET_PAGES = 10_000  # SQLite checkpoints in the commit itself past this (40 MiB)
BUSY_TIMEOUT_SECONDS = 30


class Checkpointer:
    """Checkpoints one SQLite file's log after writes. Its thread runs while there are
    writes (a forked worker starts its own) and stops at :meth:`close`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while no write awaits its checkpoint
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.checkpoints = 0  # done so far

    def wrote(self) -> None:
        """A write transaction ended: checkpoint soon."""
        if self._stop.is_set():
            return
        self._idle.clear()
        self._wake.set()
        if self._thread is None or self._pid != os.getpid():
            self._start()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every write told of so far is checkpointed within ``timeout`` seconds."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop the thread after a last checkpoint."""
        with self._lock:
            self._stop.set()
            thread = self._thread if self._pid == os.getpid() else None
        self._wake.set()
        if thread is not None:
            thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._stop.is_set() or (self._thread is not None and self._pid == os.getpid()):
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                     isolation_level=None, check_same_thread=False)
        try:
            while True:
                if not self._wake.wait(IDLE_EXIT_SECONDS):
                    with self._lock:
                        if not self._wake.is_set():  # no write came: end, a write restarts it
                            self._thread = None
                            return
                self._stop.wait(DELAY_SECONDS)
                self._wake.clear()
                self._checkpoint(connection)
                if self._stop.is_set():
                    return
                if not self._wake.is_set():
                    self._idle.set()
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error:  # the file went away, or stays locked: the safety net holds
            pass


def set_safety_net(dbapi_connection: Any) -> None:
    """A command's connection leaves checkpoints to the thread, up to the safety net."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
