"""On SQLite, committed work reaches the database file soon after it is written, checkpointed
by a thread of its own rather than inside a command (engine/storage/checkpoints.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.api import Engine
from engine.storage import checkpoints, db
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

WAIT = 10.0  # seconds: far beyond the checkpoint's delay, on a loaded machine too


@pytest.fixture
def sqlite_engine(tmp_path: Path, clock: FixedClock) -> Iterator[Engine]:
    engine = Engine(f"sqlite:///{tmp_path / 'k.db'}", clock=clock)
    engine.deploy(diagram_files("approval.bpmn"))
    engine.add_user("li", ["intake"])
    yield engine
    engine.close()


def cases_in_database_file(tmp_path: Path) -> list[str]:
    """The summaries of the cases the database file holds without its write-ahead log (what
    a power cut would leave if the log was never synced)."""
    copy = tmp_path / "file-only.db"
    shutil.copyfile(tmp_path / "k.db", copy)
    connection = sqlite3.connect(copy)
    try:
        return [json.loads(row[0])["summary"]
                for row in connection.execute("SELECT data FROM instances")]
    except sqlite3.OperationalError:  # not even the tables reached the file
        return []
    finally:
        connection.close()


def start(engine: Engine, summary: str) -> None:
    engine.start("approval", {"summary": summary, "unit": "浮梁县纪委监委"}, "li")


def test_a_command_reaches_the_database_file_soon_after_it_commits(
        sqlite_engine: Engine, tmp_path: Path) -> None:
    checkpointer = db.checkpointer(sqlite_engine.db)
    assert checkpointer is not None
    start(sqlite_engine, "窗口推诿")
    assert checkpointer.wait_idle(WAIT)
    assert "窗口推诿" in cases_in_database_file(tmp_path)
    start(sqlite_engine, "多次跑腿")
    assert checkpointer.wait_idle(WAIT)
    assert {"窗口推诿", "多次跑腿"} <= set(cases_in_database_file(tmp_path))


def test_commands_leave_checkpoints_to_the_thread_up_to_the_safety_net(
        sqlite_engine: Engine) -> None:
    with sqlite_engine.db.connect() as connection:
        (pages,) = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").one()
    assert pages == checkpoints.SAFETY_NET_PAGES


def test_reads_do_not_wake_the_thread(sqlite_engine: Engine) -> None:
    checkpointer = db.checkpointer(sqlite_engine.db)
    assert checkpointer is not None and checkpointer.wait_idle(WAIT)
    done = checkpointer.checkpoints
    for _ in range(5):
        assert sqlite_engine.inbox.for_user("li") == []
    assert checkpointer.wait_idle(0) and checkpointer.checkpoints == done


def test_the_thread_ends_when_idle_and_comes_back_with_the_next_write(
        sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "IDLE_EXIT_SECONDS", 0.05)
    checkpointer = db.checkpointer(sqlite_engine.db)
    assert checkpointer is not None
    start(sqlite_engine, "窗口推诿")  # a thread that waits with the short idle time
    assert checkpointer.wait_idle(WAIT)
    thread = checkpointer._thread
    assert thread is not None
    thread.join(WAIT)
    assert not thread.is_alive()
    start(sqlite_engine, "多次跑腿")
    assert checkpointer.wait_idle(WAIT)
    assert "多次跑腿" in cases_in_database_file(tmp_path)


def test_closing_the_engine_stops_the_thread(tmp_path: Path, clock: FixedClock) -> None:
    engine = Engine(f"sqlite:///{tmp_path / 'k.db'}", clock=clock)
    engine.add_user("li", ["intake"])
    checkpointer = db.checkpointer(engine.db)
    assert checkpointer is not None
    thread = checkpointer._thread
    assert thread is not None and thread.is_alive()
    engine.close()
    assert not thread.is_alive()
    engine.add_user("wang", ["intake"])  # a disposed engine still works; SQLite checkpoints
    assert checkpointer._thread is None or not checkpointer._thread.is_alive()
