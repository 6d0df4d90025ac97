"""Scenario tests for ``city_escalation`` (提级核查), plan 1 三(四), and its effect on
``clue_triage``.

"作风优化组要定期进行分析研判,跟踪督办典型问题,必要时可会同信访、案件监督管理部门商定提级核查的意见,
经市纪委市监委领导批准后,由市纪委市监委直接核查。"
The escalation is started with the clue's case number as business key; approval interrupts the
clue's local handling (message ``escalation_approved``), the city-level result is sent back to
it (message ``escalation_result``). A rejection leaves the clue exactly where it was.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.queries.board import board_tasks, overdue_board
from engine.runtime.bulk.rows import BatchRow
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.process_helpers import at, load_units, open_tasks, timer_dues
from tests.test_process_clue_triage import (
    FULIANG,
    REGISTRATION,
    approve_disposal,
    do,
    inbox,
    no_instruments,
    register,
    task,
    transferred_case,
    verify,
)
from tests.test_process_clue_triage import WORLD as CLUES
from web.app import create_app
from web.ui.auth import session_values

ESC = "city_escalation"


pytestmark = CLUES  # clue_triage's world: made once per process and backend, copied for each test


@pytest.fixture
def clues(engine: Engine) -> Engine:
    return engine  # holding procedures 1 and 2 and their people


def escalate(engine: Engine, case_no: str | None, **data: Any) -> InstanceView:
    return engine.start(ESC, {"esc_reason": "同类问题多次反映,属典型问题。", "esc_typical": True,
                              **data}, "feng", business_key=case_no)


def agree_to_escalate(engine: Engine, case_no: str) -> InstanceView:
    """Style group drafts, intake and case management concur; returns the escalation."""
    view = escalate(engine, case_no)
    assert [(t.name, t.role, t.business_key) for t in view.tasks] == [
        ("draft", "style_group", case_no)]
    do(engine, "feng", "draft", {"esc_opinion": "建议由市纪委市监委直接核查。",
                                 "esc_withdrawn": False}, process=ESC)
    assert open_tasks(engine, view.id) == ["concur_cm", "concur_intake"]
    do(engine, "li", "concur_intake", {"esc_intake_agree": True}, process=ESC)
    do(engine, "sun", "concur_cm", {"esc_cm_agree": True, "esc_cm_comment": "同意"}, process=ESC)
    assert open_tasks(engine, view.id) == ["approve"]
    return view


def case_with_open_follow_up(engine: Engine, clock: FixedClock) -> InstanceView:
    """Transferred 2026-10-08 10:00; the first weekly follow-up fired on 2026-10-15."""
    view = transferred_case(engine, clock, "2026-10-08T10:00:00+08:00")
    clock.set(at("2026-10-15T10:00:30+08:00"))
    assert engine.timers.fire_due().fired == 1
    assert open_tasks(engine, view.id) == ["follow_up", "verify"]
    return view


def test_approved_escalation_interrupts_the_case_and_reports_back(clues: Engine,
                                                                  clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    local = {t.name: t.id for t in clues.instance(case.id).tasks}
    # beside its tasks, the case waits for the next weekly follow-up
    assert [(w.kind, w.name, w.due_at) for w in clues.waiting(case.id)] == [
        ("timer", "一周后 每周跟踪", at("2026-10-22T10:00:00+08:00"))]
    esc = agree_to_escalate(clues, case_no)
    approval = task(clues, "chu", "approve", process=ESC)
    assert (approval.role, approval.business_key) == ("city_leader", case_no)
    clock.advance(timedelta(hours=1))
    clues.complete(approval.id, {"esc_approved": True, "esc_leader_comment": "同意提级"}, "chu")
    # the local handling is interrupted: verification and follow-up are gone, the cycle stops
    interrupted = clues.instance(case.id)
    assert interrupted.status == "running"
    assert interrupted.tasks == []
    assert timer_dues(clues, case.id, "weekly") == []
    assert inbox(clues, "zhao") == [] and inbox(clues, "sun") == []
    clues.add_user("shen", ["auditor"])
    assert {clues.inbox.task(i, "shen").status for i in local.values()} == {"cancelled"}
    assert interrupted.data["escalated"] is True
    assert interrupted.data["escalated_at"] == "2026-10-15T11:00:30+08:00"
    assert interrupted.data["esc_approved"] is True
    assert [e.type for e in clues.history(case.id)][-1] == "message"
    # later weeks bring no follow-up for a case the city now investigates
    clock.set(at("2026-10-22T10:01:00+08:00"))
    assert clues.timers.fire_due().fired == 0
    # the city investigates directly and concludes
    investigation = task(clues, "wei", "investigate", process=ESC)
    assert (investigation.role, investigation.business_key) == ("city_investigator", case_no)
    done = clues.complete(investigation.id, {
        "city_result": "属实", "city_findings": "被反映人故意拖延审批,属实。",
        "city_measures": "给予政务警告处分", "city_instruments": ["监察建议书"],
        "city_publicize": True}, "wei")
    assert done.status == "completed"
    # ... and the case is told the result
    receive = task(clues, "sun", "city_result")
    assert receive.business_key == case_no
    told = clues.instance(case.id)
    assert (told.data["city_result"], told.data["city_publicize"]) == ("属实", True)
    clues.complete(receive.id, {"ledger_note": "市级直接核查,结论属实"}, "sun")
    closed = do(clues, "sun", "close", {"close_summary": "市纪委市监委直接核查办结。"})
    assert closed.status == "completed"
    assert closed.data["escalated"] is True and closed.data["city_result"] == "属实"
    assert "verify_result" not in closed.data  # the local verification never concluded
    assert esc.business_key == case_no
    # auditors can rebuild both cases from their events
    assert clues.verify()[1] == []
    assert clues.replay(case.id).ok and clues.replay(esc.id).ok


def test_rejected_escalation_leaves_the_case_where_it_was(clues: Engine,
                                                         clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    verify(clues, "属实", claimed=True)  # the case is in the middle of a fault-tolerance step
    do(clues, "zhao", "ft_determine", {"ft_situation": "先行先试", "ft_conclusion": "免予责任追究"})
    before = {t.name: t.id for t in clues.instance(case.id).tasks}
    assert sorted(before) == ["follow_up", "ft_approve"]
    revision = clues.instance(case.id).revision
    esc = agree_to_escalate(clues, case_no)
    done = do(clues, "chu", "approve", {"esc_approved": False,
                                        "esc_leader_comment": "由县纪委继续核查"}, process=ESC)
    assert done.status == "completed"
    after = clues.instance(case.id)
    assert {t.name: t.id for t in after.tasks} == before
    assert after.revision == revision  # nothing was delivered to the case
    assert not any(key.startswith("esc_") for key in after.data)
    assert timer_dues(clues, case.id, "weekly") == [at("2026-10-22T10:00:00+08:00")]
    # the case goes on: next week's follow-up still comes, the local handling still finishes
    clock.set(at("2026-10-22T10:00:30+08:00"))
    assert clues.timers.fire_due().fired == 1
    do(clues, "wang", "ft_approve", {"ft_approved": True})
    no_instruments(clues)
    closed = do(clues, "sun", "close", {"close_summary": "县纪委核查办结。"})
    assert closed.status == "completed"
    assert "escalated" not in closed.data
    assert esc.id != case.id


def test_disagreement_goes_back_to_the_draft_and_it_can_be_withdrawn(clues: Engine,
                                                                    clock: FixedClock) -> None:
    case = transferred_case(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    esc = escalate(clues, case_no)
    do(clues, "feng", "draft", {"esc_opinion": "拟提级", "esc_withdrawn": False}, process=ESC)
    do(clues, "li", "concur_intake", {"esc_intake_agree": False,
                                      "esc_intake_comment": "县纪委已在核查"}, process=ESC)
    do(clues, "sun", "concur_cm", {"esc_cm_agree": True}, process=ESC)
    redraft = task(clues, "feng", "draft", process=ESC)
    assert open_tasks(clues, esc.id) == ["draft"]
    assert clues.instance(esc.id).data["esc_intake_comment"] == "县纪委已在核查"
    done = clues.complete(redraft.id, {"esc_opinion": "撤回", "esc_withdrawn": True}, "feng")
    assert done.status == "completed"
    assert open_tasks(clues, case.id) == ["verify"]
    assert task(clues, "zhao", "verify").unit == FULIANG


def test_escalation_needs_the_clue_case_number(clues: Engine, clock: FixedClock) -> None:
    case = transferred_case(clues, clock)
    # only the style group proposes escalation
    with pytest.raises(PermissionDenied):
        clues.start(ESC, {"esc_reason": "x"}, "li", business_key=case.business_key)
    # the case number is the business key, never a form field
    with pytest.raises(InvalidData) as err:
        clues.start(ESC, {"esc_reason": "x", "case_no": case.business_key}, "feng")
    assert set(err.value.field_errors) in ({"_"}, {"case_no"})  # "包含表单中没有的字段"
    # without a case number the start is refused beside the field, before anything runs
    # (its messages would reach every case)
    with pytest.raises(InvalidData) as err:
        escalate(clues, None)
    assert set(err.value.field_errors) == {"esc_case_no"}
    with pytest.raises(InvalidData) as err:
        escalate(clues, None, esc_case_no="浮梁县的案子")
    assert err.value.field_errors == {"esc_case_no": "请填写问题线索的案件编号，如 ZF-2026-000123"}
    # a number of the right shape that names no clue starts nothing either
    with pytest.raises(InvalidData) as err:
        escalate(clues, None, esc_case_no="ZF-2026-999999")
    assert err.value.field_errors == {
        "esc_case_no": "没有编号为“ZF-2026-999999”的问题线索受理处置案件，请核对编号"}
    assert inbox(clues, "feng", process=ESC) == []
    assert open_tasks(clues, case.id) == ["verify"]
    # the clue's number as typed in a hurry (small letters, no hyphens, as search takes
    # it) is tidied, not refused
    assert case.business_key is not None
    typed = f"  {case.business_key.replace('-', '').lower()} "
    assert escalate(clues, None, esc_case_no=typed).business_key == case.business_key


def test_the_start_form_names_the_clue(clues: Engine, clock: FixedClock) -> None:
    """The start page has no business key of its own: the form's 问题线索案件编号 is it."""
    case = transferred_case(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    esc = escalate(clues, None, esc_case_no=case_no)
    assert esc.business_key == case_no
    assert esc.data["esc_linked_case"] == case_no
    assert [t.name for t in esc.tasks] == ["draft"]
    # one escalation per clue, whether named by the form or by the caller
    for again in ({"esc_case_no": case_no}, {}):
        with pytest.raises(InvalidData) as err:
            escalate(clues, None if again else case_no, **again)
        assert err.value.field_errors == {
            "esc_case_no": f"已有以 {case_no} 发起的案件，不能重复发起"}
    with pytest.raises(InvalidData) as err:
        escalate(clues, case_no, esc_case_no="ZF-2026-999999")
    assert set(err.value.field_errors) == {"esc_case_no"}
    assert len(inbox(clues, "feng", process=ESC)) == 1


NOT_YET = ("问题线索受理处置案件“{case_no}”还在「{step}」，暂不能发起提级核查，"
           "待其办到「优先核查 快办快结」后才可以")
PAST = ("问题线索受理处置案件“{case_no}”已过「优先核查 快办快结」（现在「{step}」），"
        "不能再发起提级核查")


def refusal(engine: Engine, case_no: str | None, **data: Any) -> str:
    """The field error of an escalation refused for its clue's number; nothing started."""
    before = len(inbox(engine, "feng", process=ESC))
    with pytest.raises(InvalidData) as err:
        escalate(engine, case_no, **data)
    assert set(err.value.field_errors) == {"esc_case_no"}
    assert len(inbox(engine, "feng", process=ESC)) == before
    return err.value.field_errors["esc_case_no"]


def test_a_clue_is_escalated_only_while_it_is_handled(clues: Engine, clock: FixedClock) -> None:
    """The approval reaches the clue only at the boundary event of 优先核查 快办快结 (from
    转办到位 until the handling ends): before that the escalation is refused beside the
    clue's number, saying where the clue is and when it can be escalated."""
    case = register(clues)
    case_no = case.business_key
    assert case_no is not None
    assert refusal(clues, case_no) == NOT_YET.format(case_no=case_no, step="提出处置意见")
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "可查性强",
                                "handler_unit": FULIANG})
    # named in the form as typed in a hurry, or by the caller: the same answer
    assert refusal(clues, None, esc_case_no=f" {case_no.lower()}") == NOT_YET.format(
        case_no=case_no, step="审批处置意见")
    do(clues, "wang", "approve", {"approved": True, "approve_comment": "同意。"})
    assert refusal(clues, case_no) == NOT_YET.format(case_no=case_no, step="转办到位")
    clock.set(at("2026-10-08T10:00:00+08:00"))
    do(clues, "li", "transfer", {"transfer_note": "请优先核查"})
    agree_to_escalate(clues, case_no)  # now it can be escalated
    # ... and once approved, the escalation reaches the clue; another is refused, the clue is
    # past the stage and waits for the city's result
    do(clues, "chu", "approve", {"esc_approved": True}, process=ESC)
    assert clues.instance(case.id).data["escalated"] is True
    assert refusal(clues, case_no) == PAST.format(case_no=case_no, step="收到市级核查结果")


def test_a_shelved_clue_is_not_yet_handled(clues: Engine, clock: FixedClock) -> None:
    """暂存待查 can still lead to the handling (重新呈批): not yet, rather than no more."""
    case = register(clues)
    assert case.business_key is not None
    approve_disposal(clues, "暂存待查", unit=None)
    assert open_tasks(clues, case.id) == ["shelved"]
    assert refusal(clues, case.business_key) == NOT_YET.format(
        case_no=case.business_key, step="暂存待查线索复查")


def test_a_clue_past_its_handling_or_ended_is_not_escalated(clues: Engine,
                                                           clock: FixedClock) -> None:
    case = transferred_case(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    verify(clues, "不属实")
    no_instruments(clues)
    assert open_tasks(clues, case.id) == ["close"]
    assert refusal(clues, case_no) == PAST.format(case_no=case_no, step="审核办结 台账销号")
    do(clues, "sun", "close", {"close_summary": "核查不属实，予以了结。"})
    assert refusal(clues, case_no) == \
        f"问题线索受理处置案件“{case_no}”已办结，不能再发起提级核查"
    ended = register(clues)
    clues.ops.terminate(ended.id, "sun", "重复登记，终止办理")
    assert refusal(clues, ended.business_key) == \
        f"问题线索受理处置案件“{ended.business_key}”已终止，不能再发起提级核查"


def test_an_escalation_of_a_clue_closed_meanwhile_cannot_be_approved(clues: Engine,
                                                                   clock: FixedClock) -> None:
    """The clue's handling ended while its escalation was being agreed: approving it would
    interrupt nothing and start a city-level investigation of a closed case, so the approval
    is refused saying why, and 不予批准 ends the escalation."""
    case = transferred_case(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    esc = agree_to_escalate(clues, case_no)
    verify(clues, "不属实")
    no_instruments(clues)
    do(clues, "sun", "close", {"close_summary": "核查不属实，予以了结。"})
    approval = task(clues, "chu", "approve", process=ESC)
    with pytest.raises(InvalidData) as err:
        clues.complete(approval.id, {"esc_approved": True}, "chu")
    assert err.value.field_errors["_"] == err.value.said.render("zh") == (
        f"问题线索受理处置案件“{case_no}”已办结，不能再继续提级核查：这一办理结果无法生效，"
        "请改选其他办理结果")
    assert err.value.said.render("en") == (
        f'问题线索受理处置 case "{case_no}" is closed: you can no longer go on with the 提级核查 '
        "about it; this decision cannot take effect, choose another")
    # the approval page says so above the form, the choice kept
    app = create_app(clues, secret_key="escalation", testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    page = app.test_client()
    with page.session_transaction() as session:
        session.update(session_values(clues.user("chu")))
    shown = page.post(f"/tasks/{approval.id}", data={"esc_approved": "true"})
    assert shown.status_code == 422
    assert f"问题线索受理处置案件“{case_no}”已办结，不能再继续提级核查" in shown.text
    assert "他人已先行办理" not in shown.text
    # nothing happened: the approval waits, no investigation, the clue stays closed
    assert open_tasks(clues, esc.id) == ["approve"]
    assert inbox(clues, "wei", process=ESC) == []
    assert clues.instance(case.id).status == "completed"
    assert "escalated" not in clues.instance(case.id).data
    rejected = clues.complete(approval.id, {"esc_approved": False}, "chu")
    assert rejected.status == "completed"


def test_an_escalation_of_a_clue_past_its_handling_cannot_be_approved(clues: Engine,
                                                                     clock: FixedClock) -> None:
    """At 审核办结 台账销号 the clue no longer listens for the approval either."""
    case = transferred_case(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    agree_to_escalate(clues, case_no)
    verify(clues, "不属实")
    no_instruments(clues)
    approval = task(clues, "chu", "approve", process=ESC)
    with pytest.raises(InvalidData) as err:
        clues.complete(approval.id, {"esc_approved": True}, "chu")
    assert err.value.said.render("zh").startswith(PAST.format(
        case_no=case_no, step="审核办结 台账销号").replace("发起", "继续"))
    assert open_tasks(clues, case.id) == ["close"]


def test_the_refusal_in_english(clues: Engine, clock: FixedClock) -> None:
    case = register(clues)
    with pytest.raises(InvalidData) as err:
        escalate(clues, case.business_key)
    assert err.value.field_errors_in("en") == {"esc_case_no": (
        f'问题线索受理处置 case "{case.business_key}" is still at "提出处置意见": you can start '
        'a 提级核查 about it only once it has reached "优先核查 快办快结"')}


def test_a_bulk_start_refuses_the_rows_of_clues_not_handled(clues: Engine,
                                                            clock: FixedClock) -> None:
    handled = transferred_case(clues, clock)
    early = register(clues)
    rows = [BatchRow(1, {"esc_case_no": early.business_key, "esc_reason": "典型问题"}),
            BatchRow(2, {"esc_case_no": handled.business_key, "esc_reason": "典型问题"})]
    report = clues.start_batch(ESC, rows, "feng")
    assert report.stopped and report.started == []  # found while starting the first row
    report = clues.start_batch(ESC, rows, "feng", skip_invalid=True)
    assert [s.business_key for s in report.started] == [handled.business_key]
    [problem] = report.invalid
    assert problem.line == 1
    assert problem.field_said["esc_case_no"].render("zh") == NOT_YET.format(
        case_no=early.business_key, step="提出处置意见")


def test_an_operator_can_deliver_both_messages_by_hand(clues: Engine, clock: FixedClock) -> None:
    """What ``kuaiban message NAME --correlation '{"business_key": ...}'`` does, e.g. when the
    city-level decision and result were made outside Kuaiban."""
    case = transferred_case(clues, clock)
    case_no = case.business_key
    clues.send_message("escalation_approved", {"business_key": case_no},
                       {"esc_approved": True, "esc_leader_comment": "线下批准"}, "system")
    assert open_tasks(clues, case.id) == []
    assert timer_dues(clues, case.id, "weekly") == []
    clues.send_message("escalation_result", {"business_key": case_no},
                       {"city_result": "不属实", "city_findings": "查无实据"}, "system")
    assert open_tasks(clues, case.id) == ["city_result"]
    assert clues.instance(case.id).data["city_result"] == "不属实"
    with pytest.raises(NotFound):  # nothing waits for a second result
        clues.send_message("escalation_result", {"business_key": case_no}, {}, "system")


def test_the_escalation_and_its_clue_reach_each_other(clues: Engine, clock: FixedClock) -> None:
    """The leader approving an escalation reaches the clue it is about (its steps, its subject)
    from the escalation, and the clue's readers reach the escalation; each is listed only to a
    user who may read it."""
    case = case_with_open_follow_up(clues, clock)
    case_no = case.business_key
    assert case_no is not None
    esc = agree_to_escalate(clues, case_no)
    found = {r.process_key: r for r in clues.related(esc.id, "chu")}
    clue = found["clue_triage"]
    assert (clue.id, clue.business_key, clue.status) == (case.id, case_no, "running")
    assert clue.process_name == "问题线索受理处置"
    assert set(clue.steps) == {"优先核查", "跟踪进展"}
    assert clue.subject == "某县行政审批局：推诿拖延刁难"
    assert esc.id not in [r.id for r in clues.related(esc.id, "chu")]
    assert esc.id in [r.id for r in clues.related(case.id, "sun")]
    # the county handler reads the clue, not the city's escalation of it
    assert esc.id not in [r.id for r in clues.related(case.id, "zhao")]
    with pytest.raises(NotFound):
        clues.related(esc.id, "zhao")


def test_the_leader_s_task_page_links_the_clue(clues: Engine, clock: FixedClock) -> None:
    from web.app import create_app
    from web.ui.auth import session_values

    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    agree_to_escalate(clues, case.business_key)
    approval = task(clues, "chu", "approve", process=ESC)
    client = create_app(clues, secret_key="escalation", testing=True).test_client()
    with client.session_transaction() as session:
        session.update(session_values(clues.user("chu")))
    page = client.get(f"/tasks/{approval.id}").text
    # the clue shows in brief above the form (web/ui/briefs.py), not again as related
    named = page[page.index('id="case-ref-esc_case_no"'):]
    named = named[:named.index("</section>")]
    assert f'href="/instances/{case.id}">{case.business_key}</a>' in named
    assert "某县行政审批局" in named and "优先核查" in named
    assert f'<a href="/instances/{case.id}">问题线索受理处置' not in page


def test_the_case_history_names_the_timer_that_fired(clues: Engine, clock: FixedClock) -> None:
    """定时触发 says which timer: the weekly follow-up's, as the diagram names it."""
    from web.app import create_app
    from web.ui.auth import session_values

    case = case_with_open_follow_up(clues, clock)
    client = create_app(clues, secret_key="timeline", testing=True).test_client()
    with client.session_transaction() as session:
        session.update(session_values(clues.user("sun")))
    page = client.get(f"/instances/{case.id}").text
    assert "<strong>定时触发</strong> · 一周后 每周跟踪" in page


def test_an_escalated_county_clue_stays_the_county_s(clues: Engine, clock: FixedClock) -> None:
    """The city's approval reaches the clue by message; the message carries the escalation's
    data, whose jurisdiction is the city's. The clue keeps its own: its county's intake,
    approver and case manager still read it, and its next tasks stay in the county."""
    load_units(clues)
    clues.add_user("li_fl", ["intake"], unit=FULIANG)
    clues.add_user("wang_fl", ["approver"], unit=FULIANG)
    clues.add_user("sun_fl", ["case_manager"], unit=FULIANG)
    clock.set(at("2026-09-30T16:00:00+08:00"))
    case = clues.start("clue_triage", {**REGISTRATION, "owner": "li_fl"}, "li_fl")
    assert case.data["jurisdiction"] == FULIANG
    do(clues, "li_fl", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                   "proposal_reason": "反映问题具体,可查性强。"})
    do(clues, "wang_fl", "approve", {"approved": True, "approve_comment": "同意。"})
    do(clues, "li_fl", "transfer", {"transfer_note": "请优先核查"})
    assert case.business_key is not None
    city = "市纪委市监委"
    clues.add_user("li_c", ["intake"], unit=city)
    clues.add_user("sun_c", ["case_manager"], unit=city)
    esc = escalate(clues, case.business_key)
    assert clues.instance(esc.id).data["jurisdiction"] == city  # the city's own case
    do(clues, "feng", "draft", {"esc_opinion": "建议由市纪委市监委直接核查。",
                                "esc_withdrawn": False}, process=ESC)
    do(clues, "li_c", "concur_intake", {"esc_intake_agree": True}, process=ESC)
    do(clues, "sun_c", "concur_cm", {"esc_cm_agree": True, "esc_cm_comment": "同意"},
       process=ESC)
    approval = task(clues, "chu", "approve", process=ESC)
    clues.complete(approval.id, {"esc_approved": True, "esc_leader_comment": "同意提级"}, "chu")
    escalated = clues.instance(case.id, "sun_fl")
    assert escalated.data["escalated"] is True
    assert (escalated.data["jurisdiction"], escalated.business_key) == (
        FULIANG, case.business_key)
    # no task of its own now: the case says what it waits for, on its page too
    assert escalated.tasks == []
    assert [(w.kind, w.name) for w in clues.waiting(case.id, "sun_fl")] == [
        ("message", "收到市级核查结果")]
    from web.app import create_app
    from web.ui.auth import session_values
    client = create_app(clues, secret_key="escalation", testing=True).test_client()
    with client.session_transaction() as session:
        session.update(session_values(clues.user("sun_fl")))
    page = client.get(f"/instances/{case.id}").text
    assert "等待：收到市级核查结果" in page and "没有待办任务" not in page
    investigation = task(clues, "wei", "investigate", process=ESC)
    clues.complete(investigation.id, {
        "city_result": "属实", "city_findings": "被反映人故意拖延审批,属实。",
        "city_measures": "给予政务警告处分", "city_instruments": [], "city_publicize": False},
        "wei")
    receive = task(clues, "sun_fl", "city_result")  # the county's case manager, not the city's
    assert receive.business_key == case.business_key
    assert clues.replay(case.id).ok


def test_the_board_names_the_roles_of_the_city_level_steps(clues: Engine,
                                                          clock: FixedClock) -> None:
    """Steps with no unit (the style group's, the city leader's, the supervision office's
    copies) are counted on the board by role, not lumped together as （未分单位）."""
    first = transferred_case(clues, clock)
    second = transferred_case(clues, clock, "2026-10-08T11:00:00+08:00")
    assert first.business_key is not None and second.business_key is not None
    agree_to_escalate(clues, first.business_key)
    escalate(clues, second.business_key)
    rows = {(r.role, r.process_key): r.open for r in overdue_board(clues) if r.unit is None}
    assert rows == {("city_leader", ESC): 1, ("style_group", ESC): 1,
                    ("supervision_office", "clue_ledger_copy"): 2}
    [approval] = board_tasks(clues, None, ESC, "open", role="city_leader")
    assert (approval.name, approval.business_key) == ("approve", first.business_key)
    assert len(board_tasks(clues, None, ESC, "open")) == 2

