"""A step the case comes back to goes to whoever did it (退回重拟 returns to the 原经办人):
engine/runtime/returns.py."""

from __future__ import annotations

import pytest

from engine.api import Engine
from engine.definitions.files import SourceFile
from engine.errors import ValidationFailed
from tests import process_helpers
from tests.conftest import diagram_files
from tests.process_helpers import clue_files
from tests.test_process_clue_triage import REGISTRATION, add_people, do, inbox, task

PROPOSAL = {"disposal": "予以了结", "proposal_reason": "反映不具体"}
SENT_BACK = {"approved": False, "approve_comment": "有可查性,转办核查。"}
# 提出处置意见's own property: it goes to the clue's 专人 (engine/runtime/named_assignees.py)
PROPOSE = '<camunda:property name="assignee" value="owner" />'


def _with_back_to(value: str) -> list[SourceFile]:
    """The clue procedure with the property ``back_to`` on 提出处置意见."""
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    assert triage.content.count(PROPOSE) == 1
    text = triage.content.replace(PROPOSE, PROPOSE + '<camunda:property name="back_to" '
                                  f'value="{value}" />')
    return [SourceFile(f.name, text) if f is triage else f for f in files]


def _proposed_by_the_case_managers() -> list[SourceFile]:
    """The clue procedure with 提出处置意见 in the lane of 案件监督管理室 (case_manager)."""
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    ref, lane = "<bpmn:flowNodeRef>propose</bpmn:flowNodeRef>", \
        '<bpmn:lane id="Lane_case_manager" name="案件监督管理室">'
    assert triage.content.count(ref) == 1 and lane in triage.content
    text = triage.content.replace(ref, "").replace(lane, lane + ref)
    return [SourceFile(f.name, text) if f is triage else f for f in files]


@pytest.fixture
def clues(engine: Engine) -> Engine:
    engine.deploy(clue_files())
    add_people(engine)
    engine.add_user("liu", ["intake"])  # li's colleague: the pool is theirs too
    return engine


def _proposed_and_sent_back(engine: Engine) -> int:
    view = engine.start("clue_triage", dict(REGISTRATION), "li")
    # at first the 专人's (REGISTRATION names li), not the pool's
    assert [t.name for t in inbox(engine, "li")] == ["propose"] and inbox(engine, "liu") == []
    do(engine, "li", "propose", PROPOSAL)
    do(engine, "wang", "approve", SENT_BACK)
    return view.id


def test_a_proposal_sent_back_by_the_approval_returns_to_the_clerk_who_proposed(
        clues: Engine) -> None:
    case = _proposed_and_sent_back(clues)
    again = task(clues, "li", "propose")
    assert (again.assignee, again.returned_by) == ("li", "wang")
    assert inbox(clues, "liu") == []  # not in the pool
    told = {n.username for user in ("li", "liu")
            for n in clues.notifications.for_user(user) if n.task_id == again.id}
    assert told == {"li"}
    decision = [e for e in clues.history(case) if e.type == "completed"][-1]
    assert decision.payload["back_to"] == {again.id: "li"}  # recorded with the event
    do(clues, "li", "propose", PROPOSAL)  # and li may work it straight away
    approval = task(clues, "wang", "approve")  # the approver who sent it back has it again,
    assert (approval.assignee, approval.returned_by) == ("wang", None)  # not sent back
    assert clues.replay(case).ok  # the assignment is no part of the workflow's state
    assert clues.verify()[1] == []


def test_a_clerk_no_longer_active_leaves_it_to_the_pool(clues: Engine) -> None:
    clues.start("clue_triage", dict(REGISTRATION), "li")
    do(clues, "li", "propose", PROPOSAL)
    clues.accounts.deactivate("li")
    do(clues, "wang", "approve", SENT_BACK)
    again = task(clues, "liu", "propose")
    assert (again.assignee, again.returned_by) == (None, "wang")  # still marked 退回


def test_a_clerk_without_the_role_any_more_leaves_it_to_the_pool(clues: Engine) -> None:
    clues.start("clue_triage", dict(REGISTRATION), "li")
    do(clues, "li", "propose", PROPOSAL)
    clues.add_user("li", ["handler"], unit="浮梁县纪委监委")
    do(clues, "wang", "approve", SENT_BACK)
    again = task(clues, "liu", "propose")
    assert (again.assignee, again.returned_by) == (None, "wang")


def test_a_diagram_keeps_the_step_in_the_pool_with_back_to_pool(engine: Engine) -> None:
    engine.deploy(_with_back_to("pool"))
    add_people(engine)
    engine.start("clue_triage", dict(REGISTRATION), "li")
    do(engine, "li", "propose", PROPOSAL)
    do(engine, "wang", "approve", SENT_BACK)
    again = task(engine, "li", "propose")
    assert (again.assignee, again.returned_by) == (None, "wang")  # in the pool, marked 退回


def test_deploy_refuses_an_unknown_back_to(engine: Engine) -> None:
    with pytest.raises(ValidationFailed) as refused:
        engine.deploy(_with_back_to("someone"))
    assert any("back_to" in p.message for p in refused.value.problems)
    engine.deploy(_with_back_to("done_by"))  # the default, said


def test_a_send_back_marks_its_task_as_the_loop_back_does(clues: Engine) -> None:
    """退回 and a decision that loops back assign and mark alike: to whoever did the step,
    marked with who sent it back."""
    clues.start("clue_triage", dict(REGISTRATION), "li")
    do(clues, "li", "propose", PROPOSAL)
    approval = task(clues, "wang", "approve")
    clues.ops.send_back(approval.id, "wang", "请补充理由")
    again = process_helpers.task(clues, "li", "propose")
    assert (again.assignee, again.returned_by) == ("li", "wang")


def test_the_items_of_a_sequential_multi_instance_task_stay_in_the_pool(engine: Engine) -> None:
    files = diagram_files("multi.bpmn")
    files[0] = SourceFile(files[0].name, files[0].content.replace(
        "<bpmn:multiInstanceLoopCharacteristics ",
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true" ').replace(
        'units = ["a", "b"]', 'units = ["a", "b", "c"]'))
    engine.deploy(files)
    engine.add_user("li", ["intake"])
    engine.start("multi", {}, "li")
    done = set()
    for _ in range(3):  # each item the same step, done before by li
        [item] = process_helpers.tasks(engine, "li", "each")
        assert item.id not in done and (item.assignee, item.returned_by) == (None, None)
        engine.complete(item.id, {}, "li")
        done.add(item.id)


def test_a_case_moved_to_a_version_whose_lane_has_another_role_leaves_it_to_the_pool(
        clues: Engine) -> None:
    """The clerk who proposed may not work the step in its new lane: the pool has it."""
    case = clues.start("clue_triage", dict(REGISTRATION), "li").id
    do(clues, "li", "propose", PROPOSAL)
    clues.deploy(_proposed_by_the_case_managers())
    moved = clues.migrate_instances("clue_triage", to_version=2)
    assert [(o.instance_id, o.status) for o in moved.outcomes] == [(case, "migrated")]
    do(clues, "wang", "approve", SENT_BACK)
    again = task(clues, "sun", "propose")  # the case managers' pool
    assert (again.assignee, again.returned_by) == (None, "wang")
    assert inbox(clues, "li") == []
    decision = [e for e in clues.history(case) if e.type == "completed"][-1]
    assert "back_to" not in decision.payload  # nobody recorded: replay finds it alike
    assert clues.replay(case).ok
    assert clues.verify()[1] == []


@pytest.fixture
def loop(engine: Engine) -> Engine:
    """每周跟踪循环: 跟踪 loops back to itself through a gateway until the case is closed."""
    engine.deploy(diagram_files("loop.bpmn"))
    engine.add_user("sun", ["case_manager"])
    engine.add_user("ma", ["case_manager"])  # sun's colleague: the pool is theirs too
    return engine


def test_a_step_that_loops_straight_back_to_itself_comes_round_to_whoever_did_it(
        loop: Engine) -> None:
    case = loop.start("loop", {"rounds": 0, "closed": False}, "sun").id
    first = process_helpers.task(loop, "ma", "follow")
    assert first.assignee is None  # the pool's, at first
    loop.complete(first.id, {"note": "已电话回访"}, "sun")
    for _ in range(2):  # the second round, and every one after it
        again = process_helpers.task(loop, "sun", "follow")
        assert (again.assignee, again.returned_by) == ("sun", None)  # came round, not sent back
        assert process_helpers.tasks(loop, "ma", "follow") == []
        decision = [e for e in loop.history(case) if e.type == "completed"][-1]
        assert decision.payload["back_to"] == {again.id: "sun"}  # recorded with the event
        loop.complete(again.id, {}, "sun")
    loop.complete(process_helpers.task(loop, "sun", "follow").id, {"closed": True}, "sun")
    assert loop.instance(case).status == "completed"
    assert loop.replay(case).ok
    assert loop.verify()[1] == []
