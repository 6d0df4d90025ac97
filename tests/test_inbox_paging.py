"""Paging the inbox (``Inbox.page``): keyset pages in inbox order (due date, none last, then
received, then id), their boundaries, filters, and the counts over the whole inbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import NotFound
from engine.queries.inbox import InboxFilter, InboxPage
from engine.time.clock import FixedClock
from engine.views import TaskView

# 2026-09-30 16:00 is the fixtures' now; tasks due at these instants (None: no due date)
EARLY = "2026-09-29T17:30:00+08:00"  # overdue
TODAY = "2026-09-30T17:30:00+08:00"
LATER = "2026-10-09T17:30:00+08:00"


def diagram(key: str, lane: str) -> SourceFile:
    """One user task in ``lane``, due at the start data's ``due``, or with no due date."""
    return SourceFile(f"{key}.bpmn", f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_{key}" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_1" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>route</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>dated</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>open</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="f_open" />
    <bpmn:sequenceFlow id="f_dated" sourceRef="route" targetRef="dated">
      <bpmn:conditionExpression>dated == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_open" sourceRef="route" targetRef="open" />
    <bpmn:userTask id="dated" name="有期限" camunda:dueDate="due" />
    <bpmn:userTask id="open" name="无期限" />
    <bpmn:sequenceFlow id="f2" sourceRef="dated" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="open" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
""")


@pytest.fixture
def desk(people: Engine) -> Engine:
    """Two procedures for the intake role (``alpha``, ``beta``) and one for approvers
    (``gamma``); ``both`` holds both roles."""
    people.deploy([diagram("alpha", "受理员"), diagram("beta", "受理员"),
                   diagram("gamma", "approver")])
    people.add_user("both", ["intake", "approver"])
    return people


def open_task(engine: Engine, key: str, due: str | None) -> str:
    data: dict[str, object] = {"dated": due is not None}
    if due is not None:
        data["due"] = due
    (task,) = engine.start(key, data, "system").tasks
    return task.id


def inbox_order(tasks: list[TaskView]) -> list[str]:
    """The order the inbox promises, computed here from the tasks' own fields."""
    ordered = sorted(tasks, key=lambda t: (t.due_at is None, t.due_at or t.created_at,
                                           t.created_at, t.id))
    return [t.id for t in ordered]


def ids(page: InboxPage) -> list[str]:
    return [t.id for t in page.tasks]


def walk(engine: Engine, user: str, flt: InboxFilter | None = None, size: int = 3
         ) -> list[InboxPage]:
    """Every page from the first, following ``has_next``."""
    pages = [engine.inbox.page(user, flt, size=size)]
    while pages[-1].has_next:
        pages.append(engine.inbox.page(user, flt, after=pages[-1].tasks[-1].id, size=size))
    return pages


@pytest.fixture
def ten(desk: Engine, clock: FixedClock) -> list[str]:
    """Ten intake tasks with ties: four due TODAY opened at the same instant (id decides),
    two due TODAY an hour later, one overdue, two without a due date (one at each instant)
    and one due LATER."""
    made = [open_task(desk, "alpha", TODAY) for _ in range(4)]
    made += [open_task(desk, "beta", EARLY), open_task(desk, "alpha", None)]
    clock.advance(timedelta(hours=1))
    made += [open_task(desk, "beta", TODAY) for _ in range(2)]
    made += [open_task(desk, "alpha", None), open_task(desk, "beta", LATER)]
    return made


def test_pages_follow_the_inbox_order_with_ties(desk: Engine, ten: list[str]) -> None:
    everything = desk.inbox.for_user("li")
    expected = inbox_order(everything)
    assert sorted(expected) == sorted(ten)
    pages = walk(desk, "li")
    assert [len(p.tasks) for p in pages] == [3, 3, 3, 1]
    assert [i for p in pages for i in ids(p)] == expected == [t.id for t in everything]
    assert {p.total for p in pages} == {10}
    assert [(p.has_previous, p.has_next) for p in pages] == [
        (False, True), (True, True), (True, True), (True, False)]
    overdue_first = pages[0].tasks[0]
    assert overdue_first.overdue and overdue_first.process_key == "beta"
    assert [t.due_at for t in pages[-1].tasks] == [None]
    # the four TODAY tasks opened at one instant tie on due date and time: the id decides
    same = [t for t in everything if t.due_at == datetime.fromisoformat(TODAY)
            and t.created_at == everything[1].created_at]
    assert len(same) == 4 and [t.id for t in same] == sorted(t.id for t in same)


def test_previous_pages_mirror_the_next_ones(desk: Engine, ten: list[str]) -> None:
    forward = walk(desk, "li")
    back = [forward[-1]]
    while back[-1].has_previous:
        back.append(desk.inbox.page("li", before=back[-1].tasks[0].id, size=3))
    # going back from the short last page fills whole pages: 1 | 3 3 3
    assert [ids(p) for p in back[::-1]] == [
        [i for p in forward for i in ids(p)][:-1][k:k + 3] for k in (0, 3, 6)] + [
        ids(forward[-1])]
    assert (back[-1].has_previous, back[-1].has_next) == (False, True)
    assert back[1].has_next and back[1].total == 10


def test_page_boundaries(desk: Engine, ten: list[str]) -> None:
    order = [t.id for t in desk.inbox.for_user("li")]
    whole = desk.inbox.page("li", size=10)  # exactly one full page
    assert ids(whole) == order and not whole.has_next and not whole.has_previous
    one = desk.inbox.page("li", size=1)
    assert ids(one) == order[:1] and one.has_next
    last = desk.inbox.page("li", after=order[-2], size=5)
    assert ids(last) == order[-1:] and last.has_previous and not last.has_next
    past = desk.inbox.page("li", after=order[-1], size=5)  # after the very last task
    assert past.tasks == [] and past.has_previous and not past.has_next and past.total == 10
    first = desk.inbox.page("li", before=order[3], size=5)  # only three lie before
    assert ids(first) == order[:3] and not first.has_previous and first.has_next
    with pytest.raises(NotFound):
        desk.inbox.page("li", after="no-such-task")
    with pytest.raises(ValueError):
        desk.inbox.page("li", after=order[0], before=order[1])
    with pytest.raises(ValueError):
        desk.inbox.page("li", size=0)


def test_pages_stay_stable_when_tasks_arrive_and_leave(desk: Engine, ten: list[str]) -> None:
    order = [t.id for t in desk.inbox.for_user("li")]
    first = desk.inbox.page("li", size=4)
    # a new overdue task sorts before everything; the cursor's own task is claimed away
    newcomer = open_task(desk, "alpha", EARLY)
    desk.add_user("li2", ["intake"])
    desk.claim(first.tasks[-1].id, "li2")
    rest = desk.inbox.page("li", after=first.tasks[-1].id, size=10)
    assert ids(rest) == order[4:]  # nothing skipped, nothing repeated
    assert rest.total == 10 and rest.has_previous  # +1 new, -1 claimed
    again = desk.inbox.page("li", size=4)  # the newcomer is the second overdue task
    assert ids(again) == [order[0], newcomer, order[1], order[2]]


def test_filters_page_together(desk: Engine, ten: list[str]) -> None:
    gamma = [open_task(desk, "gamma", d) for d in (EARLY, LATER, None)]
    desk.claim(ten[0], "both")  # "both" holds intake and approver: 13 tasks
    cases = [
        (InboxFilter(), 13),
        (InboxFilter(process="alpha"), 6),
        (InboxFilter(process="beta", overdue=False), 3),
        (InboxFilter(overdue=True), 2),
        (InboxFilter(overdue=False), 11),
        (InboxFilter(assignee_me=True), 1),
        (InboxFilter(role="approver"), 3),
        (InboxFilter(role="intake", overdue=False), 9),
        (InboxFilter(overdue=False, due_before=datetime.fromisoformat(LATER)), 6),
        (InboxFilter(process="gamma", role="intake"), 0),
    ]
    for flt, total in cases:
        expected = inbox_order(desk.inbox.for_user("both", flt))
        pages = walk(desk, "both", flt, size=2)
        assert [i for p in pages for i in ids(p)] == expected, flt
        assert {p.total for p in pages} == {total} and len(expected) == total, flt
        assert not pages[0].has_previous and not pages[-1].has_next, flt
    assert ids(desk.inbox.page("both", InboxFilter(role="approver"))) == gamma
    assert ids(desk.inbox.page("both", InboxFilter(assignee_me=True))) == [ten[0]]
    assert desk.inbox.page("li", InboxFilter(role="approver")).total == 0
    assert desk.inbox.page("li").total == 9  # ten[0] is no longer li's to see


def test_unit_scoping_holds_on_every_page(desk: Engine) -> None:
    desk.deploy([diagram("delta", "承办部门")])
    for unit in ("浮梁县纪委监委", "乐平市纪委监委", "浮梁县纪委监委"):
        desk.start("delta", {"dated": True, "due": TODAY, "unit": unit}, "system")
    zhao = walk(desk, "zhao", size=1)
    assert [p.total for p in zhao] == [2, 2]
    assert {t.unit for p in zhao for t in p.tasks} == {"浮梁县纪委监委"}
    assert desk.inbox.page("qian").total == 1


def test_counts_cover_the_whole_inbox(desk: Engine, ten: list[str]) -> None:
    desk.claim(ten[0], "li")
    desk.claim(ten[6], "li")  # due TODAY
    tomorrow = datetime.fromisoformat("2026-10-01T00:00:00+08:00")
    counts = desk.inbox.counts("li", tomorrow)
    assert (counts.total, counts.mine, counts.overdue, counts.due_today) == (10, 2, 1, 6)
    assert counts.processes == ("alpha", "beta")
    assert counts.total == desk.inbox.page("li", size=1).total
    # the same inbox, seen by a user who has claimed nothing of it
    desk.add_user("li2", ["intake"])
    other = desk.inbox.counts("li2", tomorrow)
    assert (other.total, other.mine, other.overdue) == (8, 0, 1)
    empty = desk.inbox.counts("wang", tomorrow)
    assert (empty.total, empty.mine, empty.overdue, empty.due_today, empty.processes) == (
        0, 0, 0, 0, ())
