"""Due-date reminders: once per task and kind, from the configured local time of each
working day, on the official calendar (weekends, 调休 Saturdays, the National Day week)."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlalchemy import select

from engine.api import Engine
from engine.storage.schema import ReminderRound
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


@pytest.fixture
def due(people: Engine, clock: FixedClock) -> Engine:
    people.deploy(diagram_files("reminders.bpmn"))
    return people


def case(engine: Engine, due_at: str) -> str:
    """A new case whose one task (for 浮梁's handlers: zhao) is due at ``due_at``; its number."""
    view = engine.start("reminders", {"unit": FULIANG, "due": due_at + "+08:00"}, "zhao")
    assert view.business_key is not None
    return view.business_key


def reminded(engine: Engine, since: int = 0) -> dict[str, list[str]]:
    """The reminders zhao got after notification ``since``: kind -> case numbers."""
    out: dict[str, list[str]] = {}
    for n in engine.notifications.for_user("zhao", limit=500):
        if n.kind in ("overdue", "due_today", "due_tomorrow") and n.id > since:
            out.setdefault(n.kind, []).append(n.business_key or "")
    return {kind: sorted(cases) for kind, cases in out.items()}


def last_id(engine: Engine) -> int:
    found = engine.notifications.for_user("zhao", limit=1)
    return found[0].id if found else 0


def test_a_week_of_reminders(due: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-15T08:00:00"))  # Thursday
    late = case(due, "2026-10-14T17:30:00")  # Wednesday: overdue
    thursday = case(due, "2026-10-15T17:30:00")
    midnight = case(due, "2026-10-16T00:00:00")  # 00:00 Friday: the end of Thursday
    friday = case(due, "2026-10-16T17:30:00")
    saturday = case(due, "2026-10-17T12:00:00")  # a day off before Monday
    monday = case(due, "2026-10-19T17:30:00")
    case(due, "2026-10-20T17:30:00")  # Tuesday: not this week's business

    clock.set(at("2026-10-15T08:59:59"))
    assert due.notifications.remind() == 0  # not before 09:00
    clock.set(at("2026-10-15T09:00:00"))
    mark = last_id(due)
    assert due.notifications.remind() == 4
    assert reminded(due, mark) == {"overdue": [late], "due_today": sorted([thursday, midnight]),
                                   "due_tomorrow": [friday]}
    [tomorrow] = [n for n in due.notifications.for_user("zhao") if n.kind == "due_tomorrow"]
    assert "将于 10月16日 17:30 到期" in tomorrow.text_in("zh")
    clock.set(at("2026-10-15T09:00:05"))
    mark = last_id(due)
    assert due.notifications.remind() == 0  # once per task and kind
    clock.set(at("2026-10-15T10:00:00"))
    new = case(due, "2026-10-15T17:30:00")  # arrives after the round: its notice says it all
    assert due.notifications.remind() == 0 and reminded(due, mark) == {}

    clock.set(at("2026-10-16T09:00:00"))  # Friday: the next working day is Monday
    mark = last_id(due)
    due.notifications.remind()
    assert reminded(due, mark) == {"overdue": sorted([thursday, midnight, new]),
                                   "due_today": [friday],
                                   "due_tomorrow": sorted([saturday, monday])}
    clock.set(at("2026-10-17T09:00:00"))  # Saturday: no round
    assert due.notifications.remind() == 0
    clock.set(at("2026-10-19T09:30:00"))  # Monday
    mark = last_id(due)
    due.notifications.remind()
    assert reminded(due, mark)["due_today"] == [monday]
    assert sorted(reminded(due, mark)["overdue"]) == sorted([friday, saturday])
    # every task has had each of its reminders once
    counts: dict[tuple[str, str], int] = {}
    for n in due.notifications.for_user("zhao", limit=500):
        counts[(n.kind, n.business_key or "")] = counts.get((n.kind, n.business_key or ""), 0) + 1
    assert set(counts.values()) == {1}


def test_before_a_holiday_tomorrow_is_the_next_working_day(due: Engine,
                                                           clock: FixedClock) -> None:
    clock.set(at("2026-09-29T16:00:00"))
    in_the_holiday = case(due, "2026-10-03T12:00:00")
    first_day_back = case(due, "2026-10-08T17:30:00")
    case(due, "2026-10-09T17:30:00")
    clock.set(at("2026-09-30T09:00:00"))  # the last working day before National Day
    due.notifications.remind()
    assert reminded(due) == {"due_tomorrow": sorted([in_the_holiday, first_day_back])}
    clock.set(at("2026-10-05T09:00:00"))  # a holiday: no round
    assert due.notifications.remind() == 0
    clock.set(at("2026-10-08T09:00:00"))
    due.notifications.remind()
    assert reminded(due)["due_today"] == [first_day_back]


def test_the_round_begins_at_the_configured_time_and_is_recorded_when_over(
        due: Engine, clock: FixedClock) -> None:
    due.notifications.settings = type(due.notifications.settings)(reminder_time=time(8, 30))
    clock.set(at("2026-10-15T08:00:00"))
    case(due, "2026-10-15T17:30:00")
    clock.set(at("2026-10-15T08:30:00"))
    assert due.notifications.remind() == 1
    with due.transaction() as session:  # not over yet: commands of 08:29 may still commit
        assert session.execute(select(ReminderRound)).scalars().all() == []
    clock.set(at("2026-10-15T08:40:00"))
    assert due.notifications.remind() == 0
    with due.transaction() as session:
        [done] = session.execute(select(ReminderRound)).scalars().all()
    assert done.day.isoformat() == "2026-10-15"


def test_completed_and_reassigned_tasks(due: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-15T08:00:00"))
    done = case(due, "2026-10-15T17:30:00")
    claimed = case(due, "2026-10-15T17:30:00")
    due.add_user("zhou", ["handler"], unit=FULIANG)
    tasks = {t.business_key: t for t in due.inbox.for_user("zhao")}
    due.complete(tasks[done].id, {}, "zhao")
    due.claim(tasks[claimed].id, "zhou")
    clock.set(at("2026-10-15T09:00:00"))
    assert due.notifications.remind() == 1
    assert reminded(due) == {}  # zhao: the completed task is gone, the other is zhou's
    assert [n.business_key for n in due.notifications.for_user("zhou")
            if n.kind == "due_today"] == [claimed]
