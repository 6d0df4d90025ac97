"""A notice that asks its reader to act on a task stops counting as unread once the task is
not theirs any more: completed, cancelled, claimed by someone else, transferred or handed on
(it is marked read then). Copies and decisions stay as the reader left them; a notice read
before keeps the time it was read (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"


@pytest.fixture
def told(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, display_name="周敏")
    people.add_user("xu", ["intake"])  # starts cases, so that li is told of their first step
    return people


def unread(engine: Engine, user: str) -> list[tuple[str, str | None]]:
    """(kind, task name) of the user's unread notices, oldest first."""
    return [(n.kind, n.title) for n in reversed(engine.notifications.for_user(user, unread=True))]


def start(engine: Engine, by: str = "xu") -> int:
    return engine.start("approval", {"summary": "x", "unit": FULIANG}, by).id


def open_task(engine: Engine, instance_id: int) -> str:
    [task] = engine.instance(instance_id).tasks
    return task.id


def test_a_completed_task_no_longer_counts(told: Engine, clock: FixedClock) -> None:
    case = start(told)
    assert unread(told, "li") == [("task_arrived", "提出处置意见")]
    assert told.notifications.unread_count("li") == 1
    clock.advance(timedelta(minutes=5))
    told.complete(open_task(told, case), {"proposal": "转办"}, "li")
    assert told.notifications.unread_count("li") == 0
    [done] = told.notifications.for_user("li")
    assert done.read_at == clock.now()  # settled by the completing command
    # the next step's people: told, and still unread
    assert unread(told, "wang") == unread(told, "chen") == [("task_arrived", "审批")]


def test_claiming_takes_the_task_out_of_the_others_count(told: Engine) -> None:
    case = start(told)
    told.complete(open_task(told, case), {"proposal": "转办"}, "li")
    approve = open_task(told, case)
    told.claim(approve, "wang")
    assert unread(told, "chen") == []  # wang has it now
    assert unread(told, "wang") == [("task_arrived", "审批")]
    told.unclaim(approve, "wang")  # back in the pool: the inbox shows it again, not the bell
    assert unread(told, "chen") == [] and told.notifications.unread_count("wang") == 1
    told.claim(approve, "wang")
    told.complete(approve, {"approved": True}, "wang")
    assert told.notifications.unread_count("wang") == 0


def test_transferred_away_and_handed_on(told: Engine) -> None:
    case = start(told)
    told.complete(open_task(told, case), {"proposal": "转办"}, "li")
    told.claim(open_task(told, case), "wang")
    told.complete(open_task(told, case), {"approved": True}, "wang")
    handle = open_task(told, case)
    assert unread(told, "zhao") == unread(told, "zhou") == [("task_arrived", "核查")]
    told.claim(handle, "zhou")
    told.ops.transfer(handle, "zhou", "请赵处办理", to_user="zhao")
    assert unread(told, "zhou") == []  # it left zhou
    # zhao: the arrival was settled when zhou claimed it; the transfer is new
    assert unread(told, "zhao") == [("transferred", "核查")]
    told.ops.delegate(handle, "zhao", "zhou", "请协助核查")
    # zhao delegated it and gets it back to confirm: their notices still stand
    assert unread(told, "zhao") == [("transferred", "核查")]
    assert unread(told, "zhou") == [("delegated", "核查")]
    told.complete(handle, {"result": "属实"}, "zhou")  # the delegate's part: back to zhao
    assert unread(told, "zhou") == []
    assert unread(told, "zhao") == [("transferred", "核查"), ("delegated", "核查")]
    told.complete(handle, {"result": "属实"}, "zhao")
    assert unread(told, "zhao") == []


def test_reminders_and_urges_of_a_finished_task_and_a_terminated_case(told: Engine) -> None:
    case = start(told, "li")  # li's own: not told of its first step, told of the urge
    propose = open_task(told, case)
    told.ops.urge(propose, "sun", "今日内办结")
    told.ops.cc(case, "li", to_user="wang")
    assert unread(told, "li") == [("urged", "提出处置意见")]
    told.ops.terminate(case, "sun", "重复举报")
    # the case ended: nothing left to act on; what became of it is news, unread
    assert unread(told, "li") == [("decided", "测试审批")]
    # and it says the case was terminated and why, not that an application was decided
    [ended] = [n for n in told.notifications.for_user("li") if n.kind == "decided"]
    key = told.instance(case).business_key
    assert ended.text_in("zh") == f"“测试审批”（{key}）已终止办理：重复举报。"
    assert ended.text_in("en") == f'"测试审批" ({key}) has been terminated: 重复举报.'
    assert unread(told, "wang") == [("cc", "测试审批")]  # a copy is read by its reader


def test_a_notice_read_before_keeps_its_time(told: Engine, clock: FixedClock) -> None:
    case = start(told)
    [note] = told.notifications.for_user("li")
    read = told.notifications.mark_read(note.id, "li")
    clock.advance(timedelta(hours=1))
    told.complete(open_task(told, case), {"proposal": "转办"}, "li")
    assert told.notifications.for_user("li")[0].read_at == read.read_at
