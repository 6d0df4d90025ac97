"""The administrator's calendar table reaches due dates (2027 has no bundled data)."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from engine.api import Engine
from engine.clock import FixedClock
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
