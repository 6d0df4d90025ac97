"""Scenario tests for ``clue_triage`` (问题线索受理处置), plan 1 三(一)-(六), with a moving clock.

"逐件编号登记,单独建立问题台账,实行专人管理,做到当天呈批处置,经批准后第二天转办到位,一周后跟踪进展。"
Every path of the diagram is walked; due dates are checked against the official calendar
(2026-10-01..07 off for National Day, Saturday 2026-10-10 a working day).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import InvalidData, PermissionDenied
from engine.files.documents import unit_full_name
from engine.queries.inbox import InboxFilter
from engine.queries.startable import task_form
from engine.time.clock import FixedClock
from engine.views import InstanceView, TaskView
from tests import process_helpers
from tests.conftest import seeded, seeded_with
from tests.process_helpers import ROOT, at, clue_files, docx_text, open_tasks, timer_dues

FULIANG = "浮梁县纪委监委"
LEPING = "乐平市纪委监委"
FIRST_OFFICE = "市纪委监委第一监督检查室"

REGISTRATION: dict[str, Any] = {
    "channel": "举报直通车",
    "received_at": "2026-09-30T09:12:00+08:00",
    "anonymous": True,
    "accused_unit": "某县行政审批局",
    "accused_person": "张某(科长)",
    "problem_type": "推诿拖延刁难",
    "summary": "企业办理施工许可被要求补充清单外材料,拖延两个月未办结。",
    "owner": "li",
}

# Tests of procedures 1 and 2 (here, city_escalation's, test_ledger's) look at clue_triage
# tasks unless a call names another process. test_ledger.py imports ``process_files``.
inbox = partial(process_helpers.inbox, process="clue_triage")
task = partial(process_helpers.task, process="clue_triage")
do = partial(process_helpers.do, process="clue_triage")
process_files = clue_files


def add_people(engine: Engine) -> Engine:
    """Everyone procedures 1 and 2 route to, with the units the handler tasks go to."""
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    engine.add_user("zhao", ["handler"], unit=FULIANG)
    engine.add_user("qian", ["handler"], unit=LEPING)
    engine.add_user("wu", ["handler"], unit=FIRST_OFFICE)
    engine.add_user("sun", ["case_manager"])
    engine.add_user("zhou", ["supervision_office"])
    engine.add_user("feng", ["style_group"])
    engine.add_user("chu", ["city_leader"])
    engine.add_user("wei", ["city_investigator"])
    return engine


def clue_world(engine: Engine) -> None:
    """Procedures 1 and 2 deployed and everyone they route to."""
    engine.deploy(clue_files())
    add_people(engine)


WORLD = seeded(clue_world)  # made once per process and backend, copied for each test


@pytest.fixture
def clues(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """The engine of ``clue_world`` (the tests of this module taking it are marked WORLD)."""
    if not seeded_with(request, WORLD):
        clue_world(engine)
    return engine


# -- helpers ---------------------------------------------------------------------------------


def ledger_copy(engine: Engine) -> TaskView:
    """The supervision office's copy of the ledger entry (its own small process)."""
    return task(engine, "zhou", "copy_ledger", process="clue_ledger_copy")


def register(engine: Engine, **changes: Any) -> InstanceView:
    return engine.start("clue_triage", {**REGISTRATION, **changes}, "li")


def approve_disposal(engine: Engine, disposal: str, unit: str | None = FULIANG) -> InstanceView:
    proposal = {"disposal": disposal, "proposal_reason": "反映问题具体,可查性强。"}
    if unit is not None:
        proposal["handler_unit"] = unit
    do(engine, "li", "propose", proposal)
    return do(engine, "wang", "approve", {"approved": True, "approve_comment": "同意。"})


def transferred_case(engine: Engine, clock: FixedClock, when: str = "2026-10-08T10:00:00+08:00"
                     ) -> InstanceView:
    """Registered 2026-09-30 16:00, approved the same day, transferred at ``when``."""
    view = register(engine)
    approve_disposal(engine, "转办")
    clock.set(at(when))
    do(engine, "li", "transfer", {"transfer_note": "请优先核查"})
    return view


def verify(engine: Engine, result: str = "属实", claimed: bool = False,
           user: str = "zhao") -> InstanceView:
    return do(engine, user, "verify", {
        "verify_result": result, "verify_facts": "经核查,反映问题基本属实。",
        "measures": "责令限期办结", "fault_tolerance_claimed": claimed})


def no_instruments(engine: Engine, user: str = "zhao") -> InstanceView:
    return do(engine, user, "outcome", {"instruments": [], "publicize": False,
                                        "outcome_summary": "批评教育,已督促办结。"})


# -- registration ----------------------------------------------------------------------------


@WORLD
def test_the_named_owner_gets_the_proposal_in_their_own_tasks(clues: Engine) -> None:
    """专人管理: the clerk named 专人 proposes the disposal; the step is theirs, not the pool's."""
    register(clues)
    [proposal] = inbox(clues, "li")
    assert (proposal.name, proposal.assignee) == ("propose", "li")
    assert clues.inbox.counts("li").mine == 1
    clues.add_user("li2", ["intake"])
    assert inbox(clues, "li2") == []  # not in the pool for the other clerks


@WORLD
def test_an_owner_who_may_not_propose_leaves_the_proposal_in_the_pool(clues: Engine) -> None:
    """A 专人 of the 案件监督管理室 does not hold the 受理员's step: nobody is given a step
    they may not do, and the intake clerks find it in their pool."""
    register(clues, owner="sun")
    [proposal] = inbox(clues, "li")
    assert proposal.assignee is None
    assert clues.inbox.counts("li").mine == 0
    assert inbox(clues, "sun") == []


@WORLD
def test_registration_numbers_each_clue_and_names_an_owner(clues: Engine,
                                                           clock: FixedClock) -> None:
    first = register(clues)
    second = register(clues, channel="12345热线", anonymous=False, reporter="刘先生")
    assert (first.business_key, second.business_key) == ("ZF-2026-000001", "ZF-2026-000002")
    assert first.data["case_no"] == "ZF-2026-000001"
    assert first.data["owner"] == "li"
    assert first.data["registered_at"] == "2026-09-30T16:00:00+08:00"
    # one sequence a year
    clock.set(at("2027-01-04T09:00:00+08:00"))
    assert register(clues).business_key == "ZF-2027-000001"
    # only intake registers; the registration form is checked field by field
    with pytest.raises(PermissionDenied):
        clues.start("clue_triage", REGISTRATION, "wang")
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", {**REGISTRATION, "channel": "路边听说", "summary": ""}, "li")
    assert set(err.value.field_errors) == {"channel", "summary"}


@WORLD
def test_proposal_and_approval_are_due_the_same_day(clues: Engine, clock: FixedClock) -> None:
    view = register(clues)
    (proposal,) = view.tasks
    assert (proposal.name, proposal.role, proposal.form_key) == (
        "propose", "intake", "clue_propose")
    assert proposal.due_at == at("2026-09-30T17:30:00+08:00")
    with pytest.raises(InvalidData) as err:  # 转办 needs the handler unit
        clues.complete(proposal.id, {"disposal": "转办", "proposal_reason": "x"}, "li")
    assert set(err.value.field_errors) == {"handler_unit"}
    do(clues, "li", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                "proposal_reason": "x"})
    approval = task(clues, "wang", "approve")
    assert approval.due_at == at("2026-09-30T17:30:00+08:00")
    assert approval.role == "approver"


@WORLD
def test_registered_after_close_is_due_the_next_working_day(clues: Engine,
                                                            clock: FixedClock) -> None:
    clock.set(at("2026-09-30T18:05:00+08:00"))
    view = register(clues)
    assert view.tasks[0].due_at == at("2026-10-08T17:30:00+08:00")


# -- approval, send-back, transfer -----------------------------------------------------------


@WORLD
def test_send_back_proposes_again_still_due_the_same_day(clues: Engine,
                                                         clock: FixedClock) -> None:
    """The redone proposal keeps the day the clue arrived; the approval counts from the day
    the redone proposal reaches the approver (after the close: the next working day, here
    after National Day), so it does not arrive overdue."""
    view = register(clues)
    do(clues, "li", "propose", {"disposal": "予以了结", "proposal_reason": "反映不具体"})
    clock.set(at("2026-09-30T17:00:00+08:00"))
    do(clues, "wang", "approve", {"approved": False, "approve_comment": "有可查性,转办核查。"})
    again = task(clues, "li", "propose")
    assert again.due_at == at("2026-09-30T17:30:00+08:00")
    assert not again.overdue
    clock.set(at("2026-09-30T17:45:00+08:00"))  # missed the close: flagged, not dropped
    assert [t.name for t in clues.inbox.for_user("li", InboxFilter(overdue=True))] == ["propose"]
    do(clues, "li", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                "proposal_reason": "转县纪委核查"})
    approval = task(clues, "wang", "approve")
    assert approval.due_at == at("2026-10-08T17:30:00+08:00") and not approval.overdue
    assert clues.inbox.for_user("wang", InboxFilter(overdue=True)) == []
    do(clues, "wang", "approve", {"approved": True})
    transfer = task(clues, "li", "transfer")
    # approved on 2026-09-30 after close: still "the next working day" is 2026-10-08
    assert transfer.due_at == at("2026-10-08T17:30:00+08:00")
    assert clues.instance(view.id).data["disposal"] == "转办"


@WORLD
def test_a_proposal_redone_with_another_disposal_drops_the_unit_it_no_longer_names(
        clues: Engine) -> None:
    """转办 to 浮梁, sent back, redone as 予以了结: the clue no longer names a 承办部门 (the
    redone form hides it), though the first round's answer was in the task's data; the
    history says what was dropped, and replay drops it too (the fixture replays)."""
    view = register(clues)
    do(clues, "li", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                "proposal_reason": "转县纪委核查"})
    do(clues, "wang", "approve", {"approved": False, "approve_comment": "反映不具体，了结。"})
    assert clues.instance(view.id).data["handler_unit"] == FULIANG
    do(clues, "li", "propose", {"disposal": "予以了结", "proposal_reason": "反映不具体"})
    data = clues.instance(view.id).data
    assert data["disposal"] == "予以了结" and "handler_unit" not in data
    redone = [e for e in clues.history(view.id) if e.type == "completed"][-1]
    assert redone.payload["dropped"] == ["handler_unit"]
    # a redone 转办 that names its unit again drops nothing
    do(clues, "wang", "approve", {"approved": False, "approve_comment": "有可查性。"})
    do(clues, "li", "propose", {"disposal": "转办", "handler_unit": LEPING,
                                "proposal_reason": "转乐平"})
    again = [e for e in clues.history(view.id) if e.type == "completed"][-1]
    assert "dropped" not in again.payload
    assert clues.instance(view.id).data["handler_unit"] == LEPING


@WORLD
def test_a_redone_proposal_corrects_the_registration(clues: Engine) -> None:
    """Sent back, the proposal offers the registration's facts too, at the case's values: what
    the clerk corrects is recorded with the proposal (what was left as it was is not); the
    first proposal offers none of them, and the engine's own fields stay the engine's."""
    view = register(clues)
    first = task(clues, "li", "propose")
    offered = task_form(clues, first.id, "li") or {}
    assert "summary" not in offered["properties"]
    with pytest.raises(InvalidData) as early:
        clues.complete(first.id, {"disposal": "予以了结", "proposal_reason": "反映不具体",
                                  "summary": "改"}, "li")
    assert early.value.field_errors == {"summary": "此项仅在本环节重新办理时填写"}
    do(clues, "li", "propose", {"disposal": "予以了结", "proposal_reason": "反映不具体"})
    do(clues, "wang", "approve", {"approved": False, "approve_comment": "被反映单位登记有误"})
    again = task(clues, "li", "propose")
    offered = task_form(clues, again.id, "li") or {}
    assert {"summary", "accused_unit", "problem_type"} <= set(offered["properties"])
    assert not {"case_no", "jurisdiction", "owner"} & set(offered["properties"])
    for owned in ({"case_no": "ZF-2026-999999"}, {"jurisdiction": LEPING}):
        with pytest.raises(InvalidData):
            clues.complete(again.id, {"disposal": "转办", "handler_unit": FULIANG,
                                      "proposal_reason": "转县纪委核查", **owned}, "li")
    with pytest.raises(InvalidData) as blank:
        clues.complete(again.id, {"disposal": "转办", "handler_unit": FULIANG,
                                  "proposal_reason": "转县纪委核查", "accused_unit": ""}, "li")
    assert set(blank.value.field_errors) == {"accused_unit"}
    do(clues, "li", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                "proposal_reason": "转县纪委核查",
                                "accused_unit": "浮梁县行政审批局",
                                "summary": REGISTRATION["summary"],
                                "problem_type": REGISTRATION["problem_type"]})
    redone = clues.history(view.id)[-1]
    assert (redone.type, redone.payload["data"]) == ("completed", {
        "disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "转县纪委核查",
        "accused_unit": "浮梁县行政审批局"})
    data = clues.instance(view.id).data
    assert data["accused_unit"] == "浮梁县行政审批局"
    assert (data["case_no"], data.get("jurisdiction")) == (view.data["case_no"],
                                                           view.data.get("jurisdiction"))


@WORLD
def test_a_redone_proposal_is_approved_the_working_day_it_arrives(
        clues: Engine, clock: FixedClock) -> None:
    """Sent back twice around the adjusted working day: a proposal redone during a working
    day is approved that day; one redone after Friday's close, on Saturday 2026-10-10 (调休,
    a working day); one redone on Sunday 10-11, on Monday 10-12."""
    clock.set(at("2026-10-09T09:00:00+08:00"))  # Friday
    register(clues)
    sent_back = {"approved": False, "approve_comment": "请补充核查方向。"}
    proposal = {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "转县纪委核查"}
    do(clues, "li", "propose", proposal)
    assert task(clues, "wang", "approve").due_at == at("2026-10-09T17:30:00+08:00")
    clock.set(at("2026-10-09T11:00:00+08:00"))
    do(clues, "wang", "approve", sent_back)
    clock.set(at("2026-10-09T15:00:00+08:00"))
    do(clues, "li", "propose", proposal)
    assert task(clues, "wang", "approve").due_at == at("2026-10-09T17:30:00+08:00")
    clock.set(at("2026-10-09T17:20:00+08:00"))
    do(clues, "wang", "approve", sent_back)
    clock.set(at("2026-10-09T18:10:00+08:00"))  # the proposal is late, not the approval
    assert task(clues, "li", "propose").overdue
    do(clues, "li", "propose", proposal)
    approval = task(clues, "wang", "approve")
    assert approval.due_at == at("2026-10-10T17:30:00+08:00") and not approval.overdue
    clock.set(at("2026-10-11T10:00:00+08:00"))  # Sunday, a day off
    do(clues, "wang", "approve", sent_back)
    do(clues, "li", "propose", proposal)
    assert task(clues, "wang", "approve").due_at == at("2026-10-12T17:30:00+08:00")


@WORLD
def test_transfer_over_national_day_is_due_2026_10_08(clues: Engine, clock: FixedClock) -> None:
    view = register(clues)
    approve_disposal(clues, "转办")
    transfer = task(clues, "li", "transfer")
    assert (transfer.role, transfer.form_key) == ("intake", "clue_transfer")
    assert transfer.due_at == at("2026-10-08T17:30:00+08:00")
    clock.set(at("2026-10-08T17:31:00+08:00"))
    late = clues.inbox.for_user("li", InboxFilter(overdue=True))
    assert [(t.name, t.business_key) for t in late] == [("transfer", view.business_key)]
    clues.complete(transfer.id, {"transfer_note": "请优先核查"}, "li")
    # the handler unit verifies ...
    assert open_tasks(clues, view.id) == ["verify"]
    handle = task(clues, "zhao", "verify")
    # 核查时限 10 working days from the transfer (after close on 10-08): 10-09 .. 10-21
    assert (handle.role, handle.unit, handle.due_at) == (
        "handler", FULIANG, at("2026-10-21T17:30:00+08:00"))
    assert clues.instance(view.id).data["verify_due"] == "2026-10-21T17:30:00+08:00"
    assert inbox(clues, "qian") == []  # another county sees nothing
    # ... and the ledger entry is copied to the supervision office under the same case number
    copy = ledger_copy(clues)
    assert (copy.role, copy.business_key) == ("supervision_office", view.business_key)
    entry = clues.instance(copy.instance_id).data
    assert (entry["case_no"], entry["accused_unit"], entry["handler_unit"]) == (
        view.business_key, "某县行政审批局", FULIANG)
    assert clues.instance(view.id).data["transferred_at"] == "2026-10-08T17:31:00+08:00"
    # forms accept only their own fields: nobody re-routes a case or moves a deadline with them
    with pytest.raises(InvalidData):
        verify_data = {"verify_result": "不属实", "verify_facts": "x",
                       "fault_tolerance_claimed": False, "handler_unit": LEPING}
        clues.complete(handle.id, verify_data, "zhao")
    assert task(clues, "zhao", "verify").id == handle.id
    # first follow-up one week after the transfer
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-15T17:31:00+08:00")]


@WORLD
def test_approved_on_friday_before_adjusted_saturday(clues: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-09T10:00:00+08:00"))  # Friday; Saturday 2026-10-10 is a working day
    view = register(clues)
    assert view.tasks[0].due_at == at("2026-10-09T17:30:00+08:00")
    approve_disposal(clues, "转办")
    assert task(clues, "li", "transfer").due_at == at("2026-10-10T17:30:00+08:00")
    clock.set(at("2026-10-10T09:00:00+08:00"))
    do(clues, "li", "transfer")
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-17T09:00:00+08:00")]


# -- the four disposals ----------------------------------------------------------------------


@WORLD
def test_transfer_path_end_to_end(clues: Engine, clock: FixedClock) -> None:
    view = transferred_case(clues, clock)
    # the transfer issues the 交办函: numbered by the engine, addressed to the handler unit
    [letter] = [f for f in clues.dossier.files(view.id, "zhao") if f.document]
    assert (letter.document, letter.doc_no) == ("jiaoban_han", "景纪交〔2026〕1号")
    text = docx_text(clues.dossier.content(letter))
    assert all(part in text for part in (view.business_key or "-", "景纪交〔2026〕1号",
                                         unit_full_name(FULIANG), "二〇二六年十月八日"))
    clock.set(at("2026-10-12T15:00:00+08:00"))
    verify(clues, "部分属实")
    no_instruments(clues)
    close = task(clues, "sun", "close")
    assert close.role == "case_manager"
    # handling done: no follow-up timer is left
    assert timer_dues(clues, view.id, "weekly") == []
    done = clues.complete(close.id, {"close_summary": "部分属实,已批评教育。"}, "sun")
    assert done.status == "completed"
    assert done.data["verify_result"] == "部分属实"
    assert done.data["closed_at"] == "2026-10-12T15:00:00+08:00"
    assert "escalated" not in done.data
    # the supervision office signs its copy in its own time
    signed = clues.complete(ledger_copy(clues).id, {"copy_note": "已登记"}, "zhou")
    assert (signed.process_key, signed.status) == ("clue_ledger_copy", "completed")
    assert clues.verify() == (2, [])


@WORLD
def test_direct_verification_skips_the_transfer_step(clues: Engine, clock: FixedClock) -> None:
    view = register(clues)
    approve_disposal(clues, "直接核查", FIRST_OFFICE)
    assert open_tasks(clues, view.id) == ["verify"]
    assert ledger_copy(clues).business_key == view.business_key
    handle = task(clues, "wu", "verify")
    assert handle.unit == FIRST_OFFICE
    # 直接核查: 10 working days from the approval (10-01..07 off)
    assert handle.due_at == at("2026-10-20T17:30:00+08:00")
    assert inbox(clues, "zhao") == []
    assert clues.instance(view.id).data["transferred_at"] == "2026-09-30T16:00:00+08:00"
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-07T16:00:00+08:00")]
    verify(clues, "不属实", user="wu")
    no_instruments(clues, user="wu")
    done = do(clues, "sun", "close", {"close_summary": "经核查不属实,予以澄清。"})
    assert done.status == "completed"


@WORLD
def test_shelved_clue_waits_and_is_proposed_again_the_day_it_is_reopened(
        clues: Engine, clock: FixedClock) -> None:
    view = register(clues)
    approve_disposal(clues, "暂存待查", None)
    shelved = task(clues, "li", "shelved")
    assert shelved.due_at is None
    assert open_tasks(clues, view.id) == ["shelved"]
    assert timer_dues(clues, view.id, "weekly") == []
    clock.set(at("2026-10-20T10:00:00+08:00"))
    clues.complete(shelved.id, {"reopen_reason": "举报人补充了材料"}, "li")
    again = task(clues, "li", "propose")
    assert again.due_at == at("2026-10-20T17:30:00+08:00")
    approve_disposal(clues, "予以了结", None)
    done = do(clues, "sun", "close", {"close_summary": "补充材料不足以立查,予以了结。"})
    assert done.status == "completed"
    assert done.data["reopened_at"] == "2026-10-20T10:00:00+08:00"


@WORLD
def test_concluded_clue_goes_straight_to_closing(clues: Engine, clock: FixedClock) -> None:
    view = register(clues)
    approve_disposal(clues, "予以了结", None)
    assert open_tasks(clues, view.id) == ["close"]
    assert clues.inbox.for_user("zhou") == []  # nothing transferred, nothing copied
    assert timer_dues(clues, view.id, "weekly") == []
    done = do(clues, "sun", "close", {"close_summary": "反映问题已解决,予以了结。"})
    assert done.status == "completed"
    assert "transferred_at" not in done.data


# -- handling: fault tolerance, outcomes, rectification ----------------------------------------


@WORLD
def test_fault_tolerance_with_its_own_approval_and_send_back(clues: Engine,
                                                            clock: FixedClock) -> None:
    view = transferred_case(clues, clock)
    verify(clues, "属实", claimed=True)
    determine = task(clues, "zhao", "ft_determine")
    assert (determine.role, determine.unit) == ("handler", FULIANG)
    clues.complete(determine.id, {"ft_situation": "为推进项目先行容缺受理,程序有瑕疵。",
                                  "ft_conclusion": "免予责任追究"}, "zhao")
    do(clues, "wang", "ft_approve", {"ft_approved": False, "ft_comment": "依据不充分"})
    do(clues, "zhao", "ft_determine", {"ft_situation": "同上,补充会议纪要。",
                                       "ft_conclusion": "减轻处理", "ft_basis": "实施意见第五条",
                                       "ft_rectification": "责成补正程序"})
    do(clues, "wang", "ft_approve", {"ft_approved": True})
    assert open_tasks(clues, view.id) == ["outcome"]
    no_instruments(clues)
    done = do(clues, "sun", "close", {"close_summary": "容错减轻处理。"})
    assert done.data["ft_conclusion"] == "减轻处理"
    assert done.data["ft_approved"] is True


@WORLD
def test_outcome_instruments_are_tracked_until_rectified(clues: Engine, clock: FixedClock) -> None:
    transferred_case(clues, clock)
    verify(clues)
    with pytest.raises(InvalidData) as err:  # a letter needs whom and by when
        do(clues, "zhao", "outcome", {"instruments": ["监察建议书"], "publicize": True,
                                      "outcome_summary": "x"})
    assert set(err.value.field_errors) == {"rectify_unit", "rectify_due"}
    # a deadline not after today (2026-10-08) is refused beside the field, nothing runs
    for past in ("2020-01-01", "2026-10-01", "2026-10-08"):
        with pytest.raises(InvalidData) as err:
            do(clues, "zhao", "outcome", {"instruments": ["提醒函"], "publicize": False,
                                          "rectify_unit": "某县行政审批局", "rectify_due": past,
                                          "outcome_summary": "x"})
        assert err.value.field_errors == {"rectify_due": "整改期限须晚于今天（2026-10-08）"}
    assert [t.name for t in clues.inbox.for_user("zhao")] == ["outcome"]
    do(clues, "zhao", "outcome", {
        "instruments": ["监察建议书", "提醒函"], "publicize": True,
        "rectify_unit": "某县行政审批局", "rectify_due": "2026-11-01",
        "outcome_summary": "制发监察建议书,通报曝光。"})
    rectify = task(clues, "zhao", "rectify")
    # the deadline falls on Sunday 2026-11-01: due at the close of Monday 2026-11-02
    assert rectify.due_at == at("2026-11-02T17:30:00+08:00")
    clock.set(at("2026-11-03T09:00:00+08:00"))
    assert rectify.id in [t.id for t in clues.inbox.for_user("zhao", InboxFilter(overdue=True))]
    clues.complete(rectify.id, {"rectified": False, "rectify_progress": "制度修订中"}, "zhao")
    again = task(clues, "zhao", "rectify")
    assert again.id != rectify.id and again.due_at == rectify.due_at
    clues.complete(again.id, {"rectified": True, "rectify_progress": "已修订审批清单"}, "zhao")
    done = do(clues, "sun", "close", {"close_summary": "整改到位。"})
    assert done.data["publicize"] is True
    assert done.data["instruments"] == ["监察建议书", "提醒函"]
    assert done.data["rectified"] is True
    assert done.status == "completed"


# -- weekly follow-up --------------------------------------------------------------------------


@WORLD
def test_case_manager_follows_up_a_week_after_transfer_then_weekly(clues: Engine,
                                                                   clock: FixedClock) -> None:
    view = transferred_case(clues, clock, "2026-10-08T10:00:00+08:00")
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-15T10:00:00+08:00")]
    clock.set(at("2026-10-15T09:59:00+08:00"))
    assert clues.timers.fire_due().fired == 0
    assert inbox(clues, "sun") == []
    clock.set(at("2026-10-15T10:00:30+08:00"))
    assert clues.timers.fire_due().fired == 1
    first = task(clues, "sun", "follow_up")
    assert (first.role, first.due_at) == ("case_manager", at("2026-10-15T17:30:00+08:00"))
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-22T10:00:00+08:00")]
    # the handler keeps working while the follow-up is open
    assert task(clues, "zhao", "verify").unit == FULIANG
    # the first follow-up is left undone for three weeks: it stays the one open follow-up,
    # overdue, and the weeks coming round add no second one (single_open)
    for week in ("10-22", "10-29", "11-05"):
        clock.set(at(f"2026-{week}T10:00:30+08:00"))
        assert clues.timers.fire_due().fired == 1
        assert [(t.id, t.overdue) for t in inbox(clues, "sun") if t.name == "follow_up"] == [
            (first.id, True)]
    assert timer_dues(clues, view.id, "weekly") == [at("2026-11-12T10:00:00+08:00")]
    assert [t.id for t in clues.inbox.for_user("sun", InboxFilter(overdue=True))] == [first.id]
    assert [n.task_id for n in clues.notifications.for_user("sun")
            if n.kind == "task_arrived"] == [first.id]  # no notice of a follow-up not opened
    timers = [e for e in clues.history(view.id) if e.type == "timer"]
    assert [e.payload.get("kept_open") for e in timers] == [None, *[["follow_up"]] * 3]
    clock.set(at("2026-11-06T09:00:00+08:00"))
    clues.complete(first.id, {"progress": "承办部门已约谈被反映人"}, "sun")
    assert [t.name for t in inbox(clues, "sun")] == []
    # the next week opens the next one
    clock.set(at("2026-11-12T10:00:30+08:00"))
    assert clues.timers.fire_due().fired == 1
    second = task(clues, "sun", "follow_up")
    assert (second.id != first.id, second.due_at) == (True, at("2026-11-12T17:30:00+08:00"))
    # handling ends: the open follow-up and the cycle stop with it
    verify(clues)
    no_instruments(clues)
    assert [t.name for t in inbox(clues, "sun")] == ["close"]
    assert timer_dues(clues, view.id, "weekly") == []
    assert clues.timers.fire_due().fired == 0
    assert clues.replay(view.id).ok


@WORLD
def test_a_follow_up_that_urged_the_handler_urges_its_open_task(clues: Engine,
                                                               clock: FixedClock) -> None:
    """已督促承办部门 ticked: the handling unit's open task is urged (催办) as by the operation,
    its note the progress reported; left unticked, nobody is urged."""
    view = transferred_case(clues, clock, "2026-10-08T10:00:00+08:00")
    clock.set(at("2026-10-15T10:00:30+08:00"))
    clues.timers.fire_due()
    held = task(clues, "zhao", "verify")
    clock.set(at("2026-10-15T15:00:00+08:00"))
    done = clues.complete(task(clues, "sun", "follow_up").id,
                          {"progress": "承办部门尚未约谈被反映人", "urged": True}, "sun")
    assert done.urged == {"urged": [held.id]}
    pressed = task(clues, "zhao", "verify")  # the inbox's 已催办 pill reads these
    assert (pressed.urged_count, pressed.urged_at) == (1, at("2026-10-15T15:00:00+08:00"))
    [urged] = [e for e in clues.history(view.id) if e.type == "urged"]
    assert (urged.task_id, urged.user, urged.payload["note"]) == (
        held.id, "sun", "跟踪进展：承办部门尚未约谈被反映人")  # the task page's 催办说明
    [notice] = [n for n in clues.notifications.for_user("zhao") if n.kind == "urged"]
    assert notice.task_id == held.id and "承办部门尚未约谈被反映人" in notice.text_in("zh")
    # the next week's follow-up, left unticked, urges nobody
    clock.set(at("2026-10-22T10:00:30+08:00"))
    clues.timers.fire_due()
    quiet = clues.complete(task(clues, "sun", "follow_up").id, {"progress": "正在核查"}, "sun")
    assert quiet.urged == {}
    assert task(clues, "zhao", "verify").urged_count == 1
    assert clues.replay(view.id).ok


@WORLD
def test_a_follow_up_urging_with_nothing_open_at_the_handler_says_so(
        clues: Engine, clock: FixedClock) -> None:
    """While 分管领导 decides on fault tolerance the handling unit holds no task: the ticked
    box urges nobody (the leader's task is not the handler's) and the completion says so."""
    view = transferred_case(clues, clock, "2026-10-08T10:00:00+08:00")
    verify(clues, "属实", claimed=True)
    do(clues, "zhao", "ft_determine", {"ft_situation": "为推进项目先行容缺受理,程序有瑕疵。",
                                       "ft_conclusion": "免予责任追究"})
    clock.set(at("2026-10-15T10:00:30+08:00"))
    clues.timers.fire_due()
    done = clues.complete(task(clues, "sun", "follow_up").id,
                          {"progress": "待分管领导审批容错认定", "urged": True}, "sun")
    assert done.urged == {"urged": []}
    assert task(clues, "wang", "ft_approve").urged_count == 0
    assert "urged" not in [e.type for e in clues.history(view.id)]
    assert clues.replay(view.id).ok


@WORLD
def test_wrong_unit_is_sent_back_to_the_proposal_transferred_and_urged(
        clues: Engine, clock: FixedClock) -> None:
    """The handler unit finds the clue is not its own: 浮梁 sends it back to the intake
    office's proposal (退回), which proposes 乐平; there zhao's colleague is away, so 乐平's
    handler passes it on (转办) — and the case management office urges it (催办)."""
    view = transferred_case(clues, clock, "2026-10-08T10:00:00+08:00")
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-15T10:00:00+08:00")]
    verify_task = task(clues, "zhao", "verify")
    steps = [s.element_id for s in clues.ops.send_back_steps(verify_task.id, "zhao")]
    assert steps[0] == "transfer" and "propose" in steps
    clock.set(at("2026-10-09T09:00:00+08:00"))
    back = clues.ops.send_back(verify_task.id, "zhao", "被反映单位属乐平市管辖，不属本单位",
                               to_element="propose")
    assert [(t.name, t.assignee) for t in back.tasks] == [("propose", "li")]
    # the handling and its weekly follow-up stop with the send back
    assert timer_dues(clues, view.id, "weekly") == []
    sent_back = [n for n in clues.notifications.for_user("li") if n.kind == "sent_back"]
    assert "不属本单位" in sent_back[0].text_in("zh")
    approve_disposal(clues, "转办", unit=LEPING)
    do(clues, "li", "transfer", {"transfer_note": "请乐平优先核查"})
    assert timer_dues(clues, view.id, "weekly") == [at("2026-10-16T09:00:00+08:00")]
    leping = task(clues, "qian", "verify")
    assert leping.unit == LEPING
    clues.add_user("yan", ["handler"], unit=LEPING)
    clues.ops.transfer(leping.id, "qian", "本人回避，请严同志核查", to_user="yan")
    assert clues.inbox.task(leping.id, "yan").assignee == "yan"
    with pytest.raises(PermissionDenied):
        clues.ops.urge(leping.id, "li", "请抓紧")
    clues.ops.urge(leping.id, "sun", "请本周内核查完毕")
    assert clues.inbox.task(leping.id, "yan").urged_count == 1
    verify(clues, user="yan")
    no_instruments(clues, user="yan")
    kinds = [e.type for e in clues.history(view.id)]
    assert {"sent_back", "transferred", "urged"} <= set(kinds)
    assert clues.replay(view.id).ok


def test_validate_reports_no_problems(engine: Engine) -> None:
    checked = engine.validate(clue_files())
    assert checked.problems == []
    assert sorted(p.key for p in checked.processes) == [
        "city_escalation", "clue_ledger_copy", "clue_triage"]
    info = {p.key: p for p in checked.processes}
    assert info["clue_triage"].case_prefix == "ZF"
    assert info["clue_triage"].start_form_key == "clue_register"
    assert info["city_escalation"].start_form_key == "escalation_start"


def test_kuaiban_validate_command_accepts_both_diagrams(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    monkeypatch.setenv("KUAIBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(ROOT)
    # both diagrams, then their forms, named from the project root
    result = CliRunner().invoke(main, ["validate", *(f.name for f in clue_files())])
    assert result.exit_code == 0, result.output
    *warnings, last = result.output.strip().splitlines()  # lint warnings do not fail it
    assert last.startswith("ok: 3 process(es) valid")
    assert all(": warning: " in line for line in warnings)


@WORLD
def test_the_verification_deadline_holds_for_the_outcome(clues: Engine,
                                                       clock: FixedClock) -> None:
    """优先核查 and 结果运用 share the 核查时限 (the ledger's 期限 columns)."""
    view = register(clues)
    approve_disposal(clues, "转办")
    clock.set(at("2026-10-12T09:00:00+08:00"))
    do(clues, "li", "transfer", {})
    # 10 working days from Monday 10-12: 10-13 .. 10-26
    assert task(clues, "zhao", "verify").due_at == at("2026-10-26T17:30:00+08:00")
    verify(clues)
    outcome = task(clues, "zhao", "outcome")
    assert outcome.due_at == at("2026-10-26T17:30:00+08:00") and not outcome.overdue
    assert clues.instance(view.id).data["verify_due"] == "2026-10-26T17:30:00+08:00"



@WORLD
def test_an_approval_of_a_proposal_submitted_again_knows_its_round(
        clues: Engine, clock: FixedClock) -> None:
    """退回重拟 twice: the approver's third 审批 is round 3 and its round before the second;
    the first of each step, and another case's, are nobody's second round."""
    case = register(clues).id
    other = register(clues).id
    proposal = {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "转县纪委核查"}
    proposals, approvals = [], []
    for n in range(3):
        clock.set(at(f"2026-10-09T1{n}:00:00+08:00"))
        proposals.append(task(clues, "li", "propose", instance_id=case).id)
        clues.complete(proposals[-1], proposal, "li")
        approvals.append(task(clues, "wang", "approve", instance_id=case).id)
        if n < 2:
            clues.complete(approvals[-1], {"approved": False,
                                           "approve_comment": "请补充核查方向。"}, "wang")
    untouched = task(clues, "li", "propose", instance_id=other).id
    rounds = clues.inbox.rounds([*approvals, *proposals, untouched])
    assert [(rounds[t].number, rounds[t].previous) for t in approvals[1:]] == [
        (2, approvals[0]), (3, approvals[1])]
    assert [rounds[t].number for t in proposals[1:]] == [2, 3]
    assert not {approvals[0], proposals[0], untouched} & rounds.keys()
    assert clues.inbox.rounds([]) == {}
