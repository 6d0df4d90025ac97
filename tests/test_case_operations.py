"""Task and case operations in the engine: send back (through a parallel gateway and a
sub-process), withdraw, terminate, transfer, delegate, co-signers, urge, copies, comments.
The engine fixture replays every case afterwards: each operation must rebuild exactly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import (
    CaseHidden,
    Conflict,
    Engine,
    EngineError,
    InvalidData,
    PermissionDenied,
    SourceFile,
    overdue_board,
)
from engine.storage import migrate
from engine.views import InstanceView
from tests.conftest import diagram_files

ROOT = Path(__file__).resolve().parent.parent
CODE = "91360200MA35B0001M"


@contextmanager
def says(kind: type[EngineError], chinese: str) -> Iterator[None]:
    """The refusal, which says ``chinese`` in Chinese (its .message is English)."""
    with pytest.raises(kind) as caught:
        yield
    assert chinese in caught.value.said.render("zh")


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


def test_a_designer_forbids_send_back_on_a_step(cases: Engine) -> None:
    case = through_split(cases)
    cases.complete(open_task(cases, case.id, "check_a"), {}, "li")
    cases.complete(open_task(cases, case.id, "check_b"), {}, "wang")
    assert elements(cases, case.id) == ["review"]
    cases.complete(open_task(cases, case.id, "review"), {}, "wang")
    sign = open_task(cases, case.id, "sign")
    with says(Conflict, "不允许退回"):
        cases.ops.send_back(sign, "chen", "不同意")
    assert cases.ops.send_back_steps(sign, "chen") == []
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
    with says(Conflict, "没有可退回"):
        cases.ops.send_back(draft, "li", "退回")
    with pytest.raises(InvalidData):
        cases.ops.send_back(draft, "li", "  ")
    cases.complete(draft, {}, "li")
    check_b = open_task(cases, case.id, "check_b")
    with says(InvalidData, "可退回到：登记"):
        cases.ops.send_back(check_b, "wang", "退回", to_element="check_a")
    with pytest.raises(PermissionDenied):
        cases.ops.send_back(check_b, "li", "退回")


def test_withdraw_while_the_next_steps_are_untouched(cases: Engine) -> None:
    case = cases.start("sendback", {"rounds": 0}, "li")
    draft = open_task(cases, case.id, "draft")
    cases.complete(draft, {}, "li")
    with says(PermissionDenied, "本人"):
        cases.ops.withdraw(draft, "wang")
    view = cases.ops.withdraw(draft, "li")
    assert [(t.name, t.assignee) for t in view.tasks] == [("draft", "li")]
    assert view.tasks[0].id != draft  # a new round of the step
    with says(PermissionDenied, "已办结"):
        cases.ops.withdraw(view.tasks[0].id, "li")  # open: nothing to withdraw
    again = view.tasks[0].id
    cases.complete(again, {}, "li")
    cases.claim(open_task(cases, case.id, "check_b"), "wang")
    with says(Conflict, "已被认领"):
        cases.ops.withdraw(again, "li")
    cases.complete(open_task(cases, case.id, "check_b"), {}, "wang")
    with says(Conflict, "已经办理"):
        cases.ops.withdraw(again, "li")
    assert [e.type for e in cases.history(case.id)].count("withdrawn") == 1


def test_terminate_closes_tasks(cases: Engine) -> None:
    case = through_split(cases)
    with pytest.raises(PermissionDenied):
        cases.ops.terminate(case.id, "li", "不再办理")
    view = cases.ops.terminate(case.id, "sun", "重复登记，终止办理")
    assert view.status == "cancelled" and view.tasks == []
    with says(Conflict, "已终止"):
        cases.ops.terminate(case.id, "sun", "再次终止")
    assert cases.history(case.id)[-1].payload["reason"] == "重复登记，终止办理"
    last = cases.history(case.id)[-1].seq
    assert cases.state_at(case.id, last).status == "cancelled"
    assert cases.state_at(case.id, last - 1).status == "running"


def test_transfer_to_a_user_and_to_a_unit(cases: Engine) -> None:
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    with says(InvalidData, "没有此任务的角色"):
        cases.ops.transfer(check_b, "wang", "请李办理", to_user="li")
    with says(InvalidData, "原因"):
        cases.ops.transfer(check_b, "wang", "", to_user="chen")
    view = cases.ops.transfer(check_b, "wang", "出差，请陈办理", to_user="chen")
    assert {t.name: t.assignee for t in view.tasks}["check_b"] == "chen"
    with says(Conflict, "已由 chen 办理"):
        cases.ops.transfer(check_b, "wang", "再转", to_user="wang")
    with says(InvalidData, "没有此任务角色的用户"):
        cases.ops.transfer(check_b, "chen", "转单位", to_unit="不存在的单位")
    cases.complete(check_b, {}, "chen")
    assert cases.history(case.id)[-2].type == "transferred"


def test_delegate_comes_back_to_confirm(cases: Engine) -> None:
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    cases.ops.delegate(check_b, "wang", "zhao", "请协助核实")
    assert cases.inbox.task(check_b, "zhao").assignee == "zhao"
    cases.complete(check_b, {}, "zhao")  # the delegate's part
    task = cases.inbox.task(check_b, "wang")
    assert (task.assignee, task.owner, task.status) == ("wang", None, "ready")
    cases.complete(check_b, {}, "wang")
    kinds = [e.type for e in cases.history(case.id)]
    assert kinds[-3:] == ["delegated", "resolved", "completed"]


def test_co_signers_sign_in_turn_before_the_step_completes(cases: Engine) -> None:
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    cases.ops.add_signer(check_b, "wang", "chen")
    cases.ops.add_signer(check_b, "wang", "sun")
    with says(InvalidData, "已在会签人中"):
        cases.ops.add_signer(check_b, "wang", "sun")
    with pytest.raises(Conflict):
        cases.complete(check_b, {}, "wang")  # not before the co-signers
    task = cases.inbox.task(check_b, "chen")
    assert (task.assignee, task.owner, task.signers) == ("chen", "wang", ("sun",))
    cases.complete(check_b, {}, "chen")
    cases.complete(check_b, {}, "sun")
    cases.complete(check_b, {}, "wang")
    assert [e.type for e in cases.history(case.id)][-3:] == ["signed", "signed", "completed"]


def test_urge_by_supervisors_only(cases: Engine) -> None:
    case = through_split(cases)
    check_a = open_task(cases, case.id, "check_a")
    with pytest.raises(PermissionDenied):
        cases.ops.urge(check_a, "li")
    cases.ops.urge(check_a, "sun", "请抓紧")
    cases.ops.urge(check_a, "sun")
    assert cases.inbox.task(check_a, "li").urged_count == 2
    # one task, urged twice; the board counts the tasks with no unit by role
    assert {(r.role, r.process_key, r.open, r.urged) for r in overdue_board(cases)} == {
        ("intake", "sendback", 1, 1), ("approver", "sendback", 1, 0)}
    urged = [n for n in cases.notifications.for_user("li") if n.kind == "urged"]
    assert urged and "请抓紧" in urged[-1].text_in("zh")


def test_copies_and_comments(cases: Engine) -> None:
    """A copy goes to the unit's users who could take part (the procedure's 受理员 and
    分管领导): not to 浮梁's handler zhao, whose role works no step of it."""
    case = cases.start("sendback", {"rounds": 0}, "li")  # at 登记: no approver reads it yet
    cases.add_user("fan", ["approver"], unit="浮梁县纪委监委")
    with pytest.raises(PermissionDenied):
        cases.instance(case.id, "fan")
    assert cases.ops.cc(case.id, "li", to_unit="浮梁县纪委监委") == ["fan"]
    cases.instance(case.id, "fan")  # a copy lets them read it
    mine = cases.ops.copies("fan")
    assert [(c.instance_id, c.read_at) for c in mine] == [(case.id, None)]
    assert cases.ops.mark_read(case.id, "fan") == 1
    assert cases.ops.copies("fan", unread_only=True) == []
    cases.ops.comment(case.id, "fan", "已阅，无意见")
    with pytest.raises(InvalidData):
        cases.ops.comment(case.id, "fan", "   ")
    assert cases.history(case.id)[-1].payload == {"text": "已阅，无意见"}
    assert cases.ops.copies("zhao") == []


def test_observers_read_a_case_but_do_not_add_to_it(cases: Engine) -> None:
    """An auditor reads every case; it neither comments on one (it would change the record it
    checks) nor copies it (which would let someone else read it). A designer reads no case. A
    supervisor (case manager) reading through their role may; an auditor who also takes part
    in the case through a task role may too."""
    case = through_split(cases)
    cases.add_user("design", ["designer"])
    cases.add_user("li_audit", ["auditor", "intake"])
    cases.instance(case.id, "audit")  # it reads it
    assert not cases.ops.takes_part(case.id, "audit")
    with says(PermissionDenied, "审计人员只查阅案件"):
        cases.ops.comment(case.id, "audit", "看过")
    with says(PermissionDenied, "不发表意见，也不抄送"):
        cases.ops.cc(case.id, "audit", to_user="qian")
    with pytest.raises(CaseHidden):  # a designer works on diagrams, not cases
        cases.instance(case.id, "design")
    with pytest.raises(CaseHidden):
        cases.ops.comment(case.id, "design", "看过")
    with pytest.raises(PermissionDenied):
        cases.instance(case.id, "qian")  # the refused copy let nobody in
    assert [e.type for e in cases.history(case.id)].count("commented") == 0
    assert cases.ops.takes_part(case.id, "sun") and cases.ops.takes_part(case.id, "li_audit")
    cases.ops.comment(case.id, "sun", "请加快办理")
    cases.ops.comment(case.id, "li_audit", "已核对")
    assert not cases.ops.takes_part(case.id, "qian")


def test_copies_go_to_staff_only(cases: Engine) -> None:
    """A copy lets its receiver read the whole case: an enterprise account is neither offered
    nor accepted, alone or among a unit's users, and cannot read the case afterwards."""
    case = through_split(cases)
    cases.add_user("qiye", ["enterprise"], display_name="某某公司", credit_code=CODE)
    cases.add_user("qiye_fl", ["enterprise", "intake"], unit="浮梁县纪委监委")
    cases.add_user("fan", ["approver"], unit="浮梁县纪委监委")
    offered = [p.username for p in cases.ops.copy_people(case.id, "li")]
    assert "qiye" not in offered and "qiye_fl" not in offered and "wang" in offered
    with says(InvalidData, "某某公司是企业账号：抄送只发给工作人员"):
        cases.ops.cc(case.id, "li", to_user="qiye")
    with pytest.raises(PermissionDenied):
        cases.instance(case.id, "qiye")
    assert cases.ops.cc(case.id, "li", to_unit="浮梁县纪委监委") == ["fan"]
    assert cases.ops.copies("qiye_fl") == []


def test_send_back_property_is_validated(people: Engine) -> None:
    assert people.validate(diagram_files("sendback.bpmn")).problems == []
    files = diagram_files("sendback.bpmn")
    files[0] = SourceFile(files[0].name, files[0].content.replace(
        'name="sendBack" value="draft"', 'name="sendBack" value="draft, nowhere"'))
    problems = people.validate(files).problems
    assert [p.element for p in problems] == ["check_b"]
    assert "sendBack names nowhere" in problems[0].message


def test_co_signers_sign_at_once(cases: Engine) -> None:
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    cases.ops.add_signer(check_b, "wang", "chen", parallel=True)
    cases.ops.add_signer(check_b, "wang", "zhao", "请一并会签", parallel=True)
    with says(Conflict, "正在并行会签"):
        cases.ops.add_signer(check_b, "wang", "sun")  # one way or the other
    # both see it in their inboxes at once; the holder keeps it
    assert [t.id for t in cases.inbox.for_user("zhao") if t.id == check_b] == [check_b]
    assert check_b in [t.id for t in cases.inbox.for_user("chen")]
    assert cases.inbox.task(check_b, "wang").signers == ("chen", "zhao")
    with says(Conflict, "还有加签人未签署：chen、zhao（浮梁县纪委监委）"):
        cases.complete(check_b, {}, "wang")
    with pytest.raises(PermissionDenied):
        cases.complete(check_b, {}, "qian")  # no part in it
    cases.complete(check_b, {}, "zhao")  # in any order
    assert check_b not in [t.id for t in cases.inbox.for_user("zhao")]
    cases.complete(check_b, {}, "chen")
    task = cases.inbox.task(check_b, "wang")
    assert (task.assignee, task.owner, task.signers) == ("wang", None, ())
    cases.complete(check_b, {}, "wang")
    assert [e.type for e in cases.history(case.id)][-3:] == ["signed", "signed", "completed"]


def test_done_lists_every_task_acted_on_with_what_was_done(cases: Engine) -> None:
    """已办 holds a send-back, a transfer and a delegation beside the steps completed; the task
    a send-back ended records who sent it back."""
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    cases.ops.transfer(check_b, "wang", "出差，请陈办理", to_user="chen")
    cases.ops.delegate(check_b, "chen", "wang", "请协助核实")
    cases.complete(check_b, {}, "wang")
    cases.ops.send_back(check_b, "chen", "材料不全")
    assert cases.inbox.task(check_b, "chen").status == "cancelled"
    assert cases.inbox.task(check_b, "chen").completed_by == "chen"
    assert [(t.task.id, t.action) for t in cases.worklists.done("chen").tasks] == [
        (check_b, "sent_back"), (check_b, "delegated")]
    assert [(t.task.id, t.action) for t in cases.worklists.done("wang").tasks] == [
        (check_b, "resolved"), (check_b, "transferred")]
    assert [(t.task.name, t.action) for t in cases.worklists.done("li").tasks] == [
        ("draft", "completed")]
    [sent_back, _] = cases.worklists.done("chen").as_json()["tasks"]
    assert sent_back["action"] == "sent_back" and sent_back["acted_at"]


def test_transfer_and_copy_to_a_unit_name_it_from_the_directory(cases: Engine) -> None:
    """Units are never typed: a unit given by any of its names is stored by the directory's
    name; an unknown one is refused with the directory's 'did you mean'."""
    case = through_split(cases)  # its steps have no unit: the directory is loaded after
    check_b = open_task(cases, case.id, "check_b")
    cases.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    cases.add_user("fl_leader", ["approver"], unit="浮梁县纪委监委")
    assert [u.name for u in cases.ops.handover_units(check_b)] == ["浮梁县纪委监委"]
    with says(InvalidData, "单位名录中没有“浮梁纪检”，您是否要找"):
        cases.ops.transfer(check_b, "wang", "转县里", to_unit="浮梁纪检")
    view = cases.ops.transfer(check_b, "wang", "转县里", to_unit="浮梁县纪委")
    assert {t.name: t.unit for t in view.tasks}["check_b"] == "浮梁县纪委监委"
    with says(InvalidData, "单位名录中没有“乐平纪检”"):
        cases.ops.cc(case.id, "li", to_unit="乐平纪检")
    # the city's case reaches the county its step went to
    assert [u.name for u in cases.ops.copy_units(case.id, "li")] == ["浮梁县纪委监委"]
    assert cases.ops.cc(case.id, "li", to_unit="浮梁县纪委") == ["fl_leader"]


def test_the_migration_names_who_sent_back_the_tasks_of_old_cases(cases: Engine) -> None:
    """A task a send-back ended before its row recorded who acted is given the sender from
    the case's history (and 已办 lists the send-back either way: it reads the history)."""
    case = through_split(cases)
    check_b = open_task(cases, case.id, "check_b")
    cases.ops.send_back(check_b, "wang", "材料不全")
    with cases.db.begin() as conn:  # as rows were written before
        conn.execute(text("UPDATE tasks SET completed_by = NULL WHERE status = 'cancelled'"))
    assert [t.action for t in cases.worklists.done("wang").tasks] == ["sent_back"]
    migrate.downgrade(cases.db, "e9a2c4f6b8d1")
    migrate.upgrade(cases.db)
    closed = {t.task.id: t.task.completed_by for t in cases.worklists.done("wang").tasks}
    assert closed == {check_b: "wang"}
    assert cases.inbox.task(open_task(cases, case.id, "draft"), "li").completed_by is None
