"""On SQLite, reading does not wait for a writer: inboxes, case pages and the board read a
snapshot (WAL) while a command holds the write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.api import Engine
from engine.queries.board import overdue_board
from engine.time.clock import FixedClock
from tests.conftest import diagram_files


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another process's command, holding SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_reads_go_on_while_a_command_holds_the_write_lock(tmp_path: Path,
                                                          clock: FixedClock) -> None:
    path = tmp_path / "k.db"
    engine = Engine(f"sqlite:///{path}", clock=clock)
    try:
        engine.deploy(diagram_files("approval.bpmn"))
        engine.add_user("li", ["intake"])
        engine.add_user("audit", ["auditor"])
        view = engine.start("approval", {"summary": "窗口推诿", "unit": "浮梁县纪委监委"}, "li")
        with write_lock(path):  # before, each of these waited for it (up to 30 s)
            assert [t.id for t in engine.inbox.for_user("li")] == [view.tasks[0].id]
            assert engine.instance(view.id).revision == view.revision
            assert len(engine.history(view.id, "audit")) == 1
            assert [(r.unit, r.open) for r in overdue_board(engine)] == [(None, 1)]
        done = engine.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
        assert done.revision == view.revision + 1
    finally:
        engine.close()
