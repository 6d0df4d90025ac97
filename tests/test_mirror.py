"""The mirror tables after each command: what a command returns is what a fresh read shows,
and timer rows that did not change are left as they were (written only when they change)."""

from __future__ import annotations

from datetime import datetime

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


def test_the_view_a_command_returns_matches_a_fresh_read(people: Engine) -> None:
    people.deploy(diagram_files("multi.bpmn"))
    started = people.start("multi", {}, "li")
    assert started.tasks == people.instance(started.id).tasks
    first, second = started.tasks
    claimed = people.claim(second.id, "li")
    assert [t.assignee for t in claimed.tasks if t.id == second.id] == ["li"]
    done = people.complete(first.id, {}, "li")
    assert done.tasks == people.instance(started.id).tasks
    assert [(t.id, t.assignee) for t in done.tasks] == [(second.id, "li")]
    assert people.complete(second.id, {}, "li").tasks == []


def test_timer_rows_are_rewritten_only_when_the_timers_change(people: Engine,
                                                              clock: FixedClock) -> None:
    people.deploy(diagram_files("timers.bpmn"))
    view = people.start("timers", {"unit": UNIT}, "zhao")

    def pending() -> dict[str, tuple[int, datetime]]:
        return {t.element_id: (t.id, t.due_at) for t in people.timers.pending()
                if t.instance_id == view.id}

    clock.set(datetime.fromisoformat("2026-10-07T16:00:01+08:00"))
    assert people.timers.fire_due().fired == 1  # the weekly follow-up: its next week is due
    before = pending()
    assert set(before) == {"weekly", "deadline"}
    follow = next(t for t in people.instance(view.id).tasks if t.name == "follow")
    people.complete(follow.id, {}, "sun")  # no timer changes: the same rows stay
    assert pending() == before
    work = next(t for t in people.instance(view.id).tasks if t.name == "work")
    people.complete(work.id, {}, "zhao")  # its boundary timers go, the next-day wait comes
    assert set(pending()) == {"wait"}
