"""The administrator's calendar table reaches due dates (2027 has no bundled data: until its
schedule is loaded, its weekends and statutory holidays are off)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import event

from engine.api import Engine
from engine.time.clock import FixedClock
from engine.time.schedule import parse_schedule
from engine.views import TaskView
from tests.conftest import diagram_files


def test_2027_without_schedule_warns_and_keeps_the_statutory_holidays(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kuaiban.calendar"):
        assert engine.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 4)  # 元旦
    assert "2027" in caplog.text
    assert engine.calendar().is_provisional_year(2027)


def test_a_loaded_schedule_replaces_the_provisional_rule(people: Engine, clock: FixedClock
                                                         ) -> None:
    people.set_calendar_day(date(2027, 3, 1), False, "a day corrected before")
    assert people.calendar().is_provisional_year(2027)
    schedule = parse_schedule("2027-01-01..2027-01-03 holiday 元旦\n"
                              "2027-02-05..2027-02-11 holiday 春节\n"
                              "2027-02-20 workday 春节调休\n"
                              "2027-04-05 holiday 清明节\n2027-05-01..2027-05-02 holiday\n"
                              "2027-06-09 holiday\n2027-09-15 holiday\n"
                              "2027-10-01..2027-10-07 holiday 国庆节\n")
    people.import_calendar_year(schedule, "国办发明电〔2026〕1号")
    calendar = people.calendar()
    assert calendar.is_known_year(2027) and not calendar.is_provisional_year(2027)
    assert calendar.next_workday(date(2027, 2, 4)) == date(2027, 2, 12)  # the bridge days
    assert calendar.is_workday(date(2027, 2, 20))  # 调休
    assert calendar.is_workday(date(2027, 3, 1))  # the year's earlier entries are replaced
    deadline = calendar.workday_close(datetime.fromisoformat("2027-02-04T10:00:00+08:00"), 1)
    assert deadline == datetime.fromisoformat("2027-02-12T17:30:00+08:00")


def test_override_changes_next_workday_and_task_due_dates(people: Engine,
                                                          clock: FixedClock) -> None:
    assert people.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 4)
    people.set_calendar_day(date(2027, 1, 4), False, "元旦调休")
    assert people.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 5)
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(datetime.fromisoformat("2026-12-31T10:00:00+08:00"))
    view = people.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    approve = people.inbox.for_user("wang")[0]
    people.complete(approve.id, {"approved": True}, "wang")
    handle = people.inbox.for_user("zhao")[0]
    assert handle.due_at == datetime.fromisoformat("2027-01-05T17:30:00+08:00")


def _start(engine: Engine) -> TaskView:
    """A new approval case; its first task is due at the close of the next working day."""
    return engine.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li").tasks[0]


def _set_day_elsewhere(database_url: str, clock: FixedClock, day: date, working: bool) -> None:
    """`kuaiban calendar set` in another process: its own Engine on the same database."""
    other = Engine(database_url, clock=clock)
    try:
        other.set_calendar_day(day, working, "元旦调休")
    finally:
        other.close()


def test_a_day_set_by_another_process_applies_to_the_next_command(
        people: Engine, database_url: str, clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))  # after close
    monday = datetime.fromisoformat("2027-01-04T17:30:00+08:00")
    tuesday = datetime.fromisoformat("2027-01-05T17:30:00+08:00")
    before = _start(people)  # this engine now holds a calendar where 2027-01-04 is a workday
    assert before.due_at == monday

    _set_day_elsewhere(database_url, clock, date(2027, 1, 4), False)
    after = _start(people)
    assert after.due_at == tuesday
    # A due date already computed follows the change (engine/runtime/deadlines.py).
    assert {t.instance_id: t.due_at for t in people.inbox.for_user("li")} == {
        before.instance_id: tuesday, after.instance_id: tuesday}

    _set_day_elsewhere(database_url, clock, date(2027, 1, 4), True)  # and back again
    assert _start(people).due_at == monday
    assert {t.due_at for t in people.inbox.for_user("li")} == {monday}
    assert people.calendar().next_workday(date(2026, 12, 31)) == date(2027, 1, 4)


def test_an_unchanged_calendar_costs_a_command_one_single_row_read(
        people: Engine, clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    people.set_calendar_day(date(2027, 1, 4), False, "元旦调休")
    clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))
    _start(people)  # loads the calendar
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(people.db, "before_cursor_execute", record)
    try:
        assert _start(people).due_at == datetime.fromisoformat("2027-01-05T17:30:00+08:00")
    finally:
        event.remove(people.db, "before_cursor_execute", record)
    calendar_reads = [s for s in statements if "calendar" in s]
    assert len(calendar_reads) == 1 and "FROM calendar_version" in calendar_reads[0]
