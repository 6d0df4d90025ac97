"""A command writes only what it changes: closing a task updates its notices only when one of
them is still unread and deletes drafts only when it has one (engine/runtime/task_traces.py),
so a completion nobody was told of and nobody drafted costs neither statement, while the
notices and drafts that are there still go (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from engine.api import Engine
from engine.storage.schema import TaskDraft
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"
SETTLE = "UPDATE notifications"
DROP_DRAFTS = "DELETE task_drafts"


@pytest.fixture
def eng(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    return people


def with_xu(engine: Engine) -> Engine:
    """xu starts cases, so that li is told of their first step (and li's tell xu)."""
    engine.add_user("xu", ["intake"])
    return engine


@contextmanager
def writes(engine: Engine) -> Iterator[Counter[str]]:
    """The statements that write, by verb and table ("UPDATE notifications")."""
    seen: Counter[str] = Counter()

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        words = statement.split()
        verb = words[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            seen[f"{verb} {words[1] if verb == 'UPDATE' else words[2]}"] += 1

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.db, "before_cursor_execute", record)


def start(engine: Engine, by: str) -> tuple[int, str]:
    view = engine.start("approval", {"summary": "x", "unit": FULIANG}, by)
    [task] = view.tasks
    return view.id, task.id


def drafts(engine: Engine) -> list[str]:
    with engine.transaction() as session:
        return list(session.scalars(select(TaskDraft.username)))


def completed(engine: Engine, task_id: str, by: str) -> Counter[str]:
    with writes(engine) as seen:
        engine.complete(task_id, {"proposal": "转办"}, by)
    return seen


def test_a_task_nobody_was_told_of_or_drafted_is_completed_without_them(eng: Engine) -> None:
    _, task = start(eng, "li")  # li's own case, and li the only one of the role: none told
    assert eng.notifications.unread_count("li") == 0
    seen = completed(eng, task, "li")
    assert seen[SETTLE] == seen[DROP_DRAFTS] == 0
    # the task's row, the instance, its event, the next task and its people's notices
    assert seen["UPDATE tasks"] == seen["UPDATE instances"] == seen["INSERT events"] == 1
    assert seen["INSERT tasks"] == 1 and seen["INSERT notifications"] == 1


def test_an_unread_notice_and_a_draft_still_go_with_their_task(eng: Engine) -> None:
    with_xu(eng)
    _, task = start(eng, "xu")
    assert eng.notifications.unread_count("li") == 1
    eng.drafts.save(task, {"comment": "转办"}, "li")
    assert drafts(eng) == ["li"]
    seen = completed(eng, task, "li")
    assert seen[SETTLE] == seen[DROP_DRAFTS] == 1
    assert eng.notifications.unread_count("li") == 0 and drafts(eng) == []


@pytest.mark.parametrize("leave", [
    pytest.param(lambda e, t: e.notifications.mark_read(
        e.notifications.for_user("li")[0].id, "li"), id="notice read"),
    pytest.param(lambda e, t: None, id="notice unread"),
])
def test_each_is_cleared_only_where_it_is(eng: Engine,
                                          leave: Callable[[Engine, str], Any]) -> None:
    with_xu(eng)
    _, task = start(eng, "xu")
    leave(eng, task)
    unread = eng.notifications.unread_count("li")
    seen = completed(eng, task, "li")
    assert (seen[SETTLE], seen[DROP_DRAFTS]) == (unread, 0)
    assert eng.notifications.unread_count("li") == 0


def test_a_terminated_case_settles_and_drops_what_its_open_task_left(eng: Engine) -> None:
    case, _ = start(eng, "li")  # nothing left by its task
    with writes(eng) as seen:
        eng.ops.terminate(case, "sun", "重复举报")
    assert seen[SETTLE] == seen[DROP_DRAFTS] == 0
    case, task = start(with_xu(eng), "xu")
    eng.drafts.save(task, {"comment": "转办"}, "li")
    with writes(eng) as seen:
        eng.ops.terminate(case, "sun", "重复举报")
    assert seen[SETTLE] == seen[DROP_DRAFTS] == 1
    assert drafts(eng) == []
    # what became of li's own case is news; the other's step is nothing to act on any more
    assert [n.kind for n in eng.notifications.for_user("li", unread=True)] == ["decided"]
