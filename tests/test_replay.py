"""Replay, time travel and offline bundles."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import update

from engine.api import Engine
from engine.audit.bundle import replay_bundle, seal
from engine.storage.schema import Event
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


@pytest.fixture
def approved(people: Engine) -> tuple[Engine, int]:
    people.deploy(diagram_files("approval.bpmn", "timers.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.complete(people.inbox.for_user("wang")[0].id, {"approved": False}, "wang")
    people.complete(people.inbox.for_user("li")[0].id, {"proposal": "转办"}, "li")
    people.claim(people.inbox.for_user("wang")[0].id, "wang")
    people.complete(people.inbox.for_user("wang")[0].id, {"approved": True}, "wang")
    return people, view.id


def test_replay_agrees_with_history(approved: tuple[Engine, int]) -> None:
    engine, instance_id = approved
    result = engine.replay(instance_id)
    assert result.as_json() == {"ok": True, "events": 6, "diverged_at": None, "message": ""}


def test_time_travel_shows_the_case_after_each_event(approved: tuple[Engine, int]) -> None:
    engine, instance_id = approved
    first = engine.state_at(instance_id, 1)
    assert [t["name"] for t in first.open_tasks] == ["propose"]
    assert "proposal" not in first.data
    third = engine.state_at(instance_id, 3)  # sent back by the approver
    assert [t["name"] for t in third.open_tasks] == ["propose"]
    assert third.data["approved"] is False
    last = engine.state_at(instance_id, 6)
    assert [t["name"] for t in last.open_tasks] == ["handle"]
    assert last.data["status"] == "transferred"
    # the task ids are the ones the inbox showed at the time
    handle = engine.inbox.for_user("zhao")[0]
    assert last.open_tasks[0]["id"] == handle.id


@pytest.mark.tampers
def test_a_calendar_changed_after_the_timer_was_scheduled_replays(people: Engine,
                                                                   clock: FixedClock) -> None:
    """The working-day calendar changed after the timer was scheduled: the timer follows it
    (an event of its own) and replay counts each event on the calendar in force when it
    happened, so the history still agrees with itself (it diverged before the calendar's
    changes were kept)."""
    people.deploy(diagram_files("timers.bpmn"))
    view = people.start("timers", {"unit": UNIT}, "zhao")
    clock.set(datetime.fromisoformat("2026-10-09T10:00:00+08:00"))
    people.complete(view.tasks[0].id, {}, "zhao")  # the wait timer: close of 2026-10-10
    assert people.replay(view.id).ok
    people.set_calendar_day(date(2026, 10, 10), False, "changed afterwards")
    assert [e.type for e in people.history(view.id)][-1] == "timer_moved"
    result = people.replay(view.id)
    assert result.ok, result.message


@pytest.mark.tampers
def test_an_edited_completion_is_caught_by_replay(approved: tuple[Engine, int]) -> None:
    engine, instance_id = approved
    with engine.transaction() as session:
        session.execute(update(Event).where(Event.instance_id == instance_id, Event.seq == 3)
                        .values(payload={"task_id": engine.history(instance_id)[2].task_id,
                                         "element_id": "approve", "data": {"approved": True}}))
    result = engine.replay(instance_id)
    assert not result.ok and result.diverged_at == 3


def test_bundle_replays_without_a_database(approved: tuple[Engine, int]) -> None:
    engine, instance_id = approved
    data = json.loads(json.dumps(engine.export_bundle(instance_id)))
    engine.close()  # nothing below touches a database
    assert replay_bundle(data).ok
    assert set(data["version"]["files"]) >= {"approval.bpmn", "test_propose.json"}


def test_tampered_bundles_are_refused(approved: tuple[Engine, int]) -> None:
    engine, instance_id = approved
    original = json.loads(json.dumps(engine.export_bundle(instance_id)))
    edited = json.loads(json.dumps(original))
    edited["events"][2]["user"] = "chen"
    result = replay_bundle(edited)
    assert not result.ok and "digest" in result.message
    resealed = seal(edited)  # a forger who recomputes the outer digest still breaks the chain
    result = replay_bundle(resealed)
    assert not result.ok and result.diverged_at == 3 and "chain" in result.message
    with pytest.raises(Exception, match="bundle"):
        replay_bundle({"format": "something else"})


def _recorded(people: Engine) -> int:
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.complete(people.inbox.for_user("wang")[0].id, {"approved": True}, "wang")
    return view.id


def test_cases_recorded_under_the_earlier_pruning_still_replay(
        people: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Since a case may be sent back, each step's state keeps the last user task (pruning 2).
    Cases recorded before that kept less and their events say nothing ("pruning" missing
    means 1): replay prunes each event as it was pruned, or every old case would diverge."""
    from engine.runtime import state

    monkeypatch.setattr(state, "PRUNING", 1)
    old = _recorded(people)
    monkeypatch.undo()

    def record_pruning(value: int | None) -> None:
        with people.transaction() as session:
            for event in session.query(Event).filter(Event.instance_id == old):
                payload = {k: v for k, v in event.payload.items() if k != "pruning"}
                if value is not None:
                    payload["pruning"] = value
                session.execute(update(Event).where(Event.id == event.id)
                                .values(payload=payload))

    record_pruning(None)  # as the events of an earlier release were written
    assert people.replay(old).ok
    record_pruning(2)  # pruned the new way, the same history gives other states
    assert not people.replay(old).ok
    record_pruning(None)
    assert people.replay(_recorded(people)).ok  # a case recorded now
