"""Pages only read. On SQLite a transaction that may write takes the database's one write
lock (``BEGIN IMMEDIATE``), so a page view that opened one waited behind every command and
made every command wait behind it. A GET may write only what viewing itself records: notices
read on opening them, and the log of confidential fields shown."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from engine import SourceFile
from engine.api import Engine
from tests.conftest import DIAGRAMS
from tests.demo_support import demo_engine, signed_in
from tests.test_ui_crawl import crawl

ENGINE = str(Path(__file__).resolve().parent.parent / "engine")
STORAGE = ENGINE + "/storage/"
# what a page view may record, by the engine function writing it
VIEWING_WRITES = {"mark_task_read", "mark_read", "record"}


@pytest.fixture
def writers(tmp_path: Path) -> Iterator[tuple[Engine, list[str]]]:
    """The demo, and the engine function behind each write transaction begun."""
    engine, _ = demo_engine(tmp_path)
    begun: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            frames = [f for f in traceback.extract_stack()
                      if f.filename.startswith(ENGINE) and not f.filename.startswith(STORAGE)]
            begun.append(frames[-1].name if frames else "?")

    event.listen(engine.db, "before_cursor_execute", before)
    yield engine, begun
    engine.close()


@pytest.mark.parametrize("username", ["intake", "enterprise", "auditor",
                                      "designer", "data_bureau"])
def test_pages_take_no_write_lock_beyond_what_viewing_records(
        writers: tuple[Engine, list[str]], username: str) -> None:
    engine, begun = writers
    client = signed_in(engine, username)
    begun.clear()
    assert crawl(client) == {}
    assert set(begun) <= VIEWING_WRITES, sorted(set(begun) - VIEWING_WRITES)


def test_opening_a_task_writes_only_when_a_notice_about_it_waits(
        writers: tuple[Engine, list[str]]) -> None:
    engine, begun = writers
    client = signed_in(engine, "intake")
    task = engine.inbox.for_user("intake")[0]
    assert engine.notifications.mark_task_read(task.id, "intake") >= 0  # whatever waited: read
    begun.clear()
    assert client.get(f"/tasks/{task.id}").status_code == 200
    assert begun == []


def test_checking_a_draft_diagram_takes_no_write_lock(writers: tuple[Engine, list[str]]) -> None:
    """The modeler checks the draft as the designer edits it: against what is deployed, by
    reading."""
    engine, begun = writers
    files = [SourceFile("approval.bpmn", (DIAGRAMS / "approval.bpmn").read_text("utf-8"))]
    begun.clear()
    assert engine.validate(files).problems and engine.lint(files)  # its forms are missing
    assert begun == []
