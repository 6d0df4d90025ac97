"""Timers: boundary (interrupting, non-interrupting cycle), intermediate, start events;
firing is idempotent and follows the engine's clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.api import Engine
from engine.org.users import SYSTEM
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def timed(people: Engine) -> Engine:
    people.deploy(diagram_files("timers.bpmn", "scheduled.bpmn"))
    people.add_user("gai", ["reform_group"])
    return people


def names(engine: Engine, instance_id: int) -> list[str]:
    return sorted(t.name for t in engine.instance(instance_id).tasks)


def timer_table(engine: Engine) -> dict[str, datetime]:
    return {t.element_id: t.due_at for t in engine.timers.pending() if t.instance_id}


def test_timers_are_mirrored_with_absolute_due_times(timed: Engine) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    assert names(timed, view.id) == ["work"]
    assert timer_table(timed) == {
        "weekly": at("2026-10-07T16:00:00+08:00"),
        "deadline": at("2026-11-29T16:00:00+08:00"),
    }
    # the task's own due date: close of the 5th working day after 2026-09-30
    assert view.tasks[0].due_at == at("2026-10-13T17:30:00+08:00")


def test_nothing_fires_early_and_firing_twice_changes_nothing(timed: Engine,
                                                              clock: FixedClock) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    clock.set(at("2026-10-07T15:59:59+08:00"))
    assert timed.timers.fire_due().fired == 0
    clock.set(at("2026-10-07T16:00:01+08:00"))
    assert timed.timers.fire_due().fired == 1
    events = len(timed.history(view.id))
    assert timed.timers.fire_due().fired == 0
    with timed.transaction() as session:
        assert timed.runtime.fire_timers(session, view.id, SYSTEM) is False
    assert len(timed.history(view.id)) == events


def test_non_interrupting_cycle_spawns_weekly_follow_ups(timed: Engine,
                                                         clock: FixedClock) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    clock.set(at("2026-10-07T16:00:01+08:00"))
    timed.timers.fire_due()
    follow = timed.inbox.for_user("sun")
    assert [t.name for t in follow] == ["follow"]
    assert follow[0].due_at == at("2026-10-08T17:30:00+08:00")  # 10-07 is a holiday
    clock.set(at("2026-10-14T16:00:01+08:00"))
    timed.timers.fire_due()
    assert names(timed, view.id) == ["follow", "follow", "work"]
    assert timer_table(timed)["weekly"] == at("2026-10-21T16:00:00+08:00")
    # the follow-ups are worked while the main task goes on
    timed.complete(timed.inbox.for_user("sun")[0].id, {}, "sun")
    assert names(timed, view.id) == ["follow", "work"]


def test_interrupting_boundary_timer_cancels_the_task(timed: Engine, clock: FixedClock) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    work = view.tasks[0].id
    clock.set(at("2026-11-29T16:00:01+08:00"))
    timed.timers.fire_due()
    assert "late" in names(timed, view.id)
    assert "work" not in names(timed, view.id)
    assert "weekly" not in timer_table(timed)
    with pytest.raises(Exception, match="cancelled"):
        timed.complete(work, {}, "zhao")


def test_intermediate_timer_waits_for_close_of_next_working_day(timed: Engine,
                                                                clock: FixedClock) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    clock.set(at("2026-10-09T10:00:00+08:00"))  # Friday; Saturday 10-10 is a working day
    timed.complete(view.tasks[0].id, {}, "zhao")
    assert names(timed, view.id) == []
    assert timer_table(timed) == {"wait": at("2026-10-10T17:30:00+08:00")}
    clock.set(at("2026-10-10T17:30:01+08:00"))
    timed.timers.fire_due()
    assert names(timed, view.id) == ["after_wait"]


def test_timer_start_event_starts_one_instance_per_occurrence(timed: Engine,
                                                              clock: FixedClock) -> None:
    schedule = [t for t in timed.timers.pending() if t.instance_id is None]
    assert [(t.process_key, t.due_at) for t in schedule] == [
        ("monthly", at("2026-10-08T09:00:00+08:00"))]
    clock.set(at("2026-10-08T09:00:01+08:00"))
    report = timed.timers.fire_due()
    assert report.started == 1
    tasks = timed.inbox.for_user("gai")
    assert [(t.name, t.due_at) for t in tasks] == [("dispatch", at("2026-10-09T17:30:00+08:00"))]
    nxt = [t.due_at for t in timed.timers.pending() if t.instance_id is None]
    assert nxt == [at("2026-11-08T09:00:00+08:00")]
    assert timed.timers.fire_due().started == 0  # idempotent


def test_manual_start_of_a_timer_started_process_runs_at_once(timed: Engine) -> None:
    view = timed.start("monthly", {}, "gai")
    assert names(timed, view.id) == ["dispatch"]


def test_a_crashed_lease_is_retried_without_firing_twice(timed: Engine,
                                                         clock: FixedClock) -> None:
    view = timed.start("timers", {"unit": UNIT}, "zhao")
    clock.set(at("2026-10-07T16:00:01+08:00"))
    leased = timed.timers._lease(10)  # a worker leased the row, then died
    assert len(leased) == 1
    assert timed.timers.fire_due().leased == 0  # still leased by the dead worker
    clock.advance(timedelta(minutes=2))  # the lease expires
    assert timed.timers.fire_due().fired == 1
    assert [t.name for t in timed.inbox.for_user("sun")] == ["follow"]
    assert sum(e.type == "timer" for e in timed.history(view.id)) == 1


def test_a_late_cycle_start_runs_one_path_not_one_per_missed_period(timed: Engine,
                                                                    clock: FixedClock) -> None:
    clock.set(at("2027-03-01T10:00:00+08:00"))  # five monthly periods after the cycle began
    view = timed.start("monthly", {}, "gai")
    assert names(timed, view.id) == ["dispatch"]
    started = timed.timers.fire_due()  # the schedule row from the deploy, long due
    assert started.started == 1
    assert [t.name for t in timed.inbox.for_user("gai")] == ["dispatch", "dispatch"]
