"""The administrator's calendar table reaches due dates (2027 has no bundled data)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import event

from engine.api import Engine
from engine.time.clock import FixedClock
from engine.views import TaskView
from tests.conftest import diagram_files


def test_2027_without_override_warns_and_uses_mon_fri(engine: Engine,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kuaiban.calendar"):
        assert engine.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 1)
    assert "2027" in caplog.text


def test_override_changes_next_workday_and_task_due_dates(people: Engine,
                                                          clock: FixedClock) -> None:
    people.set_calendar_day(date(2027, 1, 1), False, "元旦")
    assert people.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 4)
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(datetime.fromisoformat("2026-12-31T10:00:00+08:00"))
    view = people.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    approve = people.inbox.for_user("wang")[0]
    people.complete(approve.id, {"approved": True}, "wang")
    handle = people.inbox.for_user("zhao")[0]
    assert handle.due_at == datetime.fromisoformat("2027-01-04T17:30:00+08:00")


def _start(engine: Engine) -> TaskView:
    """A new approval case; its first task is due at the close of the next working day."""
    return engine.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li").tasks[0]


def _set_day_elsewhere(database_url: str, clock: FixedClock, day: date, working: bool) -> None:
    """`kuaiban calendar set` in another process: its own Engine on the same database."""
    other = Engine(database_url, clock=clock)
    try:
        other.set_calendar_day(day, working, "元旦")
    finally:
        other.close()


def test_a_day_set_by_another_process_applies_to_the_next_command(
        people: Engine, database_url: str, clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))  # after close
    new_year = datetime.fromisoformat("2027-01-01T17:30:00+08:00")
    monday = datetime.fromisoformat("2027-01-04T17:30:00+08:00")
    before = _start(people)  # this engine now holds a calendar where 2027-01-01 is a workday
    assert before.due_at == new_year

    _set_day_elsewhere(database_url, clock, date(2027, 1, 1), False)
    after = _start(people)
    assert after.due_at == monday
    # A due date already computed is stored: it stays as it was.
    assert {t.instance_id: t.due_at for t in people.inbox.for_user("li")} == {
        before.instance_id: new_year, after.instance_id: monday}

    _set_day_elsewhere(database_url, clock, date(2027, 1, 1), True)  # and back again
    assert _start(people).due_at == new_year
    assert people.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 1)


def test_an_unchanged_calendar_costs_a_command_one_single_row_read(
        people: Engine, clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    people.set_calendar_day(date(2027, 1, 1), False, "元旦")
    clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))
    _start(people)  # loads the calendar
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(people.db, "before_cursor_execute", record)
    try:
        assert _start(people).due_at == datetime.fromisoformat("2027-01-04T17:30:00+08:00")
    finally:
        event.remove(people.db, "before_cursor_execute", record)
    calendar_reads = [s for s in statements if "calendar" in s]
    assert len(calendar_reads) == 1 and "FROM calendar_version" in calendar_reads[0]
