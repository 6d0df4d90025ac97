"""Scenario tests for ``hotline_complaint`` (12345营商环境投诉 接诉即办), with a moving clock.

Seed: plan 5 item 13 "设立市级营商环境投诉接听专席,直接受理全市企业反映营商环境方面的诉求,
对所有市场主体特别是中小微企业实行分级分类有效沟通,实现“接诉即办”", and plan 1 三(一)
"12345热线要及时受理举报,分门别类梳理后转送作风优化组". Dispatch is due the same day (当天);
the reply to the enterprise within 5 working days (一般, the seed's "5个工作日之内") or
1 working day (紧急, "1个工作日内"), counted on the official calendar (2026-10-01..07 off,
Saturday 2026-10-10 a working day).
Every path is walked; the reply timer is fired and what it does is checked. A complaint about
an official becomes a ``clue_triage`` case by a message: the clue is numbered in clue_triage's
own sequence (ZF-…) and the engine answers the complaint with that number.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, PermissionDenied
from engine.queries.confidential import MASK
from engine.time.clock import FixedClock
from engine.views import InstanceView, TaskView
from tests import process_helpers
from tests.conftest import seeded
from tests.process_helpers import (
    PROCESSES,
    at,
    check_interchange,
    clue_files,
    definitions,
    open_tasks,
    timer_dues,
)
from web.app import create_app
from web.ui.auth import session_values

FULIANG = "浮梁县"
MARKET = "市市场监管局"

COMPLAINT: dict[str, Any] = {
    "channel": "12345热线电话",
    "enterprise": "景德镇某陶瓷文化有限公司",
    "enterprise_size": "小型",
    "contact_person": "刘女士",
    "contact_phone": "0798-8888888",
    "involved_unit": "某县行政审批局",
    "summary": "办理食品经营许可,窗口要求提供清单外的材料,两次往返未办成。",
}
HANDLED = {"handling_result": "已约谈窗口负责人,当场办结许可。", "reply_method": "电话",
           "reply_content": "许可已办结,对多次往返致歉。", "resolved": True}


def hotline_files() -> list[SourceFile]:
    """The complaint and reminder pools and their forms."""
    return definitions(["hotline_complaint.bpmn"], ["hotline_*.json"])


def _world(engine: Engine) -> None:
    engine.deploy(hotline_files())
    engine.add_user("xu", ["data_bureau"])  # 12345热线营商环境投诉专席 (市政数局)
    engine.add_user("fuliang", ["responsible_unit"], unit=FULIANG)
    engine.add_user("scj", ["responsible_unit"], unit=MARKET)
    engine.add_user("li", ["intake"])
    engine.add_user("feng", ["style_group"])
    engine.add_user("wang", ["approver"])


WORLD = seeded(_world)  # made once per process and backend, copied for each test


@pytest.fixture
def hotline(engine: Engine) -> Engine:
    return engine  # holding what ``_world`` built


# -- helpers ---------------------------------------------------------------------------------

# the tests look at the complaint's tasks; reminders are their own process (``urges``)
inbox = partial(process_helpers.inbox, process="hotline_complaint")
task = partial(process_helpers.task, process="hotline_complaint")
do = partial(process_helpers.do, process="hotline_complaint")


def take(engine: Engine, **changes: Any) -> InstanceView:
    return engine.start("hotline_complaint", {**COMPLAINT, **changes}, "xu")


def dispatch(engine: Engine, unit: str = FULIANG, urgency: str = "一般") -> InstanceView:
    return do(engine, "xu", "classify", {"category": "转办责任单位", "urgency": urgency,
                                         "handling_unit": unit})


def urges(engine: Engine, user: str) -> list[TaskView]:
    """Reminders: each its own ``hotline_urge`` case under the complaint's number."""
    return process_helpers.inbox(engine, user, process="hotline_urge")


# -- definitions -----------------------------------------------------------------------------


def test_validate_reports_no_problems(engine: Engine) -> None:
    checked = engine.validate(hotline_files())
    assert checked.problems == []
    info = {p.key: p for p in checked.processes}
    assert sorted(info) == ["hotline_complaint", "hotline_urge"]
    assert (info["hotline_complaint"].case_prefix, info["hotline_complaint"].start_form_key) == (
        "RX", "hotline_take")
    assert info["hotline_urge"].start_messages == {"hotline_reply_overdue"}
    assert info["hotline_complaint"].start_messages == set()


def test_diagram_interchange_covers_every_element() -> None:
    check_interchange(PROCESSES / "hotline_complaint.bpmn", "hotline_complaint", "hotline_urge")


# -- taking the complaint --------------------------------------------------------------------


@WORLD
def test_the_hotline_seat_takes_and_numbers_each_complaint(hotline: Engine,
                                                          clock: FixedClock) -> None:
    first = take(hotline)
    second = take(hotline, channel="网上留言", enterprise="乐平某物流有限公司")
    assert (first.business_key, second.business_key) == ("RX-2026-000001", "RX-2026-000002")
    assert first.data["case_no"] == "RX-2026-000001"
    assert first.data["received_at"] == "2026-09-30T16:00:00+08:00"
    (classify,) = first.tasks
    assert (classify.name, classify.role, classify.form_key) == (
        "classify", "data_bureau", "hotline_classify")
    assert classify.due_at == at("2026-09-30T17:30:00+08:00")  # 接诉即办: dispatched the same day
    for user in ("li", "fuliang"):  # only the seat (市政数局) takes complaints
        with pytest.raises(PermissionDenied):
            hotline.start("hotline_complaint", COMPLAINT, user)
    with pytest.raises(InvalidData) as err:
        take(hotline, contact_phone="请回电", summary="")
    assert set(err.value.field_errors) == {"contact_phone", "summary"}
    with pytest.raises(InvalidData) as err:  # a dispatch names the unit, an answer its content
        hotline.complete(classify.id, {"category": "转办责任单位", "urgency": "一般"}, "xu")
    assert set(err.value.field_errors) == {"handling_unit"}
    with pytest.raises(InvalidData) as err:
        hotline.complete(classify.id, {"category": "直接答复", "urgency": "一般"}, "xu")
    assert set(err.value.field_errors) == {"answer"}


@WORLD
def test_taken_after_close_is_dispatched_the_next_working_day(hotline: Engine,
                                                              clock: FixedClock) -> None:
    clock.set(at("2026-09-30T18:05:00+08:00"))
    view = take(hotline)
    assert view.tasks[0].due_at == at("2026-10-08T17:30:00+08:00")
    clock.set(at("2026-10-08T09:00:00+08:00"))
    dispatch(hotline)
    # five working days counted from the day it came in: 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    assert task(hotline, "fuliang", "handle").due_at == at("2026-10-13T17:30:00+08:00")


# -- the three categories --------------------------------------------------------------------


@WORLD
def test_answered_at_once_then_rated(hotline: Engine, clock: FixedClock) -> None:
    view = take(hotline, summary="咨询小微企业房租减免政策的申报条件。")
    clock.set(at("2026-09-30T16:10:00+08:00"))
    do(hotline, "xu", "classify", {"category": "直接答复", "urgency": "一般",
                                   "answer": "依据知识库答复:符合条件的小微企业可在一网通办申报。"})
    assert open_tasks(hotline, view.id) == ["revisit"]
    revisit = task(hotline, "xu", "revisit")
    assert (revisit.form_key, revisit.due_at) == ("hotline_rating", at("2026-10-08T17:30:00+08:00"))
    assert timer_dues(hotline, view.id, "reply_overdue") == []
    # no one has rated yet: the case holds no 差评核实 decision to show on the page
    assert "reopen" not in hotline.instance(view.id).data
    done = hotline.complete(revisit.id, {"rating": "非常满意"}, "xu")
    assert done.status == "completed"
    assert done.data["replied_at"] == "2026-09-30T16:10:00+08:00"
    assert done.data["reply_late"] is False
    assert done.data["reply_due"] == "2026-10-13T17:30:00+08:00"
    assert (done.data["rating"], done.data["reopen"], done.data["reopen_count"]) == (
        "非常满意", False, 0)
    assert done.data["closed_at"] == "2026-09-30T16:10:00+08:00"


@WORLD
def test_ordinary_complaint_is_replied_within_five_working_days(hotline: Engine,
                                                                clock: FixedClock) -> None:
    view = take(hotline)
    dispatch(hotline)
    handle = task(hotline, "fuliang", "handle")
    assert (handle.role, handle.unit, handle.form_key) == (
        "responsible_unit", FULIANG, "hotline_handle")
    # 5个工作日之内 from 2026-09-30: 10-08, 10-09, 10-10 (adjusted Saturday), 10-12, 10-13
    assert handle.due_at == at("2026-10-13T17:30:00+08:00")
    assert inbox(hotline, "scj") == []  # another unit sees nothing
    assert timer_dues(hotline, view.id, "reply_overdue") == [at("2026-10-13T17:30:00+08:00")]
    with pytest.raises(PermissionDenied):
        hotline.complete(handle.id, HANDLED, "scj")
    with pytest.raises(InvalidData):  # the unit cannot re-route the case with its form
        hotline.complete(handle.id, {**HANDLED, "handling_unit": MARKET}, "fuliang")
    clock.set(at("2026-10-12T15:00:00+08:00"))
    hotline.complete(handle.id, HANDLED, "fuliang")
    assert timer_dues(hotline, view.id, "reply_overdue") == []  # replied in time: the timer is gone
    revisit = task(hotline, "xu", "revisit")
    assert revisit.due_at == at("2026-10-13T17:30:00+08:00")
    done = hotline.complete(revisit.id, {"rating": "满意", "rating_comment": "办理及时"}, "xu")
    assert done.status == "completed"
    assert (done.data["reply_late"], done.data["resolved"], done.data["rating"]) == (
        False, True, "满意")
    assert done.data["handling_unit"] == FULIANG
    assert hotline.timers.fire_due().fired == 0


@WORLD
def test_urgent_complaint_overdue_is_urged_then_reopened_after_a_bad_rating(
        hotline: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-09T10:00:00+08:00"))  # Friday
    view = take(hotline, summary="项目竣工验收被无故拖延,影响明日投产。")
    dispatch(hotline, urgency="紧急")
    handle = task(hotline, "fuliang", "handle")
    # 1个工作日内: the next working day is Saturday 2026-10-10, an adjusted working day
    assert handle.due_at == at("2026-10-10T17:30:00+08:00")
    clock.set(at("2026-10-10T17:29:00+08:00"))
    assert hotline.timers.fire_due().fired == 0
    assert urges(hotline, "xu") == []
    # the limit passes: the task is overdue in the unit's inbox and the seat must urge the unit
    clock.set(at("2026-10-10T17:31:00+08:00"))
    assert hotline.timers.fire_due().fired == 1
    assert [t.id for t in inbox(hotline, "fuliang", overdue=True)] == [handle.id]
    (urge,) = urges(hotline, "xu")
    assert (urge.name, urge.form_key) == ("urge", "hotline_urge")
    assert urge.business_key == view.business_key
    assert urge.due_at == at("2026-10-12T17:30:00+08:00")  # fired after close on Saturday
    reminder = hotline.instance(urge.instance_id)
    assert (reminder.data["handling_unit"], reminder.data["reply_due"]) == (
        FULIANG, "2026-10-10T17:30:00+08:00")
    assert timer_dues(hotline, view.id, "reply_overdue") == []
    assert inbox(hotline, "xu") == []  # the complaint itself waits for the unit
    hotline.complete(urge.id, {"urge_note": "已电话督促浮梁县当日答复"}, "xu")
    clock.set(at("2026-10-12T09:00:00+08:00"))
    hotline.complete(handle.id, {**HANDLED, "resolved": False,
                                 "reply_content": "验收需补充消防资料,已告知。"}, "fuliang")
    assert hotline.instance(view.id).data["reply_late"] is True
    # 差评: a bad rating needs a decision and a reason
    revisit = task(hotline, "xu", "revisit")
    with pytest.raises(InvalidData) as err:
        hotline.complete(revisit.id, {"rating": "不满意"}, "xu")
    assert set(err.value.field_errors) == {"reopen", "rating_comment"}
    clock.set(at("2026-10-13T10:00:00+08:00"))
    hotline.complete(revisit.id, {"rating": "不满意", "reopen": True,
                                  "rating_comment": "消防资料应由市场监管部门协调"}, "xu")
    # reopened: dispatched again the same day, to another unit, with a new limit
    again = task(hotline, "xu", "classify")
    assert again.due_at == at("2026-10-13T17:30:00+08:00")
    assert hotline.instance(view.id).data["reopen_count"] == 1
    assert hotline.instance(view.id).data["reopen"] is None  # the next rating decides anew
    dispatch(hotline, unit=MARKET)
    second = task(hotline, "scj", "handle")
    assert second.due_at == at("2026-10-20T17:30:00+08:00")  # 5 working days from 10-13
    assert inbox(hotline, "fuliang") == []
    assert timer_dues(hotline, view.id, "reply_overdue") == [at("2026-10-20T17:30:00+08:00")]
    clock.set(at("2026-10-16T11:00:00+08:00"))
    hotline.complete(second.id, HANDLED, "scj")
    done = do(hotline, "xu", "revisit", {"rating": "满意"})
    assert done.status == "completed"
    assert (done.data["handling_unit"], done.data["reply_late"], done.data["rating"]) == (
        MARKET, False, "满意")
    assert done.data["reopen"] is False
    # the bad rating that reopened it is kept; the comment field belongs to the last rating
    assert done.data["bad_ratings"] == [{"rating": "不满意", "at": "2026-10-13T10:00:00+08:00",
                                         "comment": "消防资料应由市场监管部门协调"}]
    assert done.data["rating_comment"] == ""
    assert hotline.replay(view.id).ok


@WORLD
def test_bad_rating_without_reopening_is_recorded_and_closed(hotline: Engine,
                                                             clock: FixedClock) -> None:
    take(hotline)
    dispatch(hotline)
    do(hotline, "fuliang", "handle", {**HANDLED, "resolved": False,
                                      "reply_content": "诉求超出法定职权,已解释。"})
    done = do(hotline, "xu", "revisit", {"rating": "非常不满意", "reopen": False,
                                         "rating_comment": "已依法依规办理,诉求无法律依据"})
    assert done.status == "completed"
    assert (done.data["rating"], done.data["reopen"], done.data["reopen_count"]) == (
        "非常不满意", False, 0)


def about_an_official(engine: Engine, urgency: str = "一般") -> InstanceView:
    return do(engine, "xu", "classify", {"category": "作风问题", "urgency": urgency,
                                         "involved_unit": "某县行政审批局",
                                         "classify_note": "反映公职人员吃拿卡要,转送作风优化组"})


def clue_of(engine: Engine, complaint: InstanceView) -> InstanceView:
    """The clue_triage case a complaint's message started."""
    (found,) = [v for v in map(engine.instance, engine.instance_ids())
                if v.process_key == "clue_triage"
                and v.data.get("source_case_no") == complaint.business_key]
    return found


CLUE_REGISTRATION = {"accused_unit": "某县行政审批局", "accused_person": "张某(科长)",
                     "problem_type": "吃拿卡要", "owner": "li"}


@WORLD
def test_complaint_about_officials_becomes_a_clue_case_with_its_own_number(
        hotline: Engine, clock: FixedClock) -> None:
    hotline.deploy(clue_files())
    view = take(hotline, summary="某科长对企业办事吃拿卡要。", involved_person="张某(科长)")
    clock.set(at("2026-09-30T16:20:00+08:00"))
    with pytest.raises(InvalidData) as unnamed:  # a clue names whom it is about
        hotline.complete(task(hotline, "xu", "classify").id,
                         {"category": "作风问题", "urgency": "一般"}, "xu")
    assert set(unnamed.value.field_errors) == {"involved_unit"}
    classified = about_an_official(hotline)
    # 转送作风优化组 is a message: it starts a clue_triage case numbered in clue_triage's own
    # sequence, and the engine answers the complaint with that number at once
    clue = clue_of(hotline, view)
    assert clue.business_key == clue.data["case_no"] == "ZF-2026-000001"
    assert (classified.data["clue_case_no"], classified.data["transferred_at"]) == (
        "ZF-2026-000001", "2026-09-30T16:20:00+08:00")
    assert classified.business_key == classified.data["case_no"] == "RX-2026-000001"
    assert [e.type for e in hotline.history(view.id)] == ["started", "completed", "message"]
    assert hotline.history(view.id)[-1].payload["name"] == "hotline_clue_started"
    started = hotline.history(clue.id)[0]
    assert (started.payload["message"], started.payload["business_key"]) == (
        "hotline_clue", "ZF-2026-000001")
    # the clue keeps the complaint's number and its facts; the source is the hotline
    assert clue.data["source_case_no"] == "RX-2026-000001"
    assert (clue.data["channel"], clue.data["received_at"], clue.data["anonymous"]) == (
        "12345热线", "2026-09-30T16:20:00+08:00", False)
    assert (clue.data["reporter"], clue.data["reporter_contact"], clue.data["summary"]) == (
        "刘女士", "0798-8888888", "某科长对企业办事吃拿卡要。")
    # the seat names the unit complained of: the clue's 事由 reads it from its arrival, and
    # the 作风优化组 who registers the clue sees the reporter it is told is recorded
    assert clue.subject == "某县行政审批局"
    assert [t.subject for t in hotline.inbox.for_user("feng")] == ["某县行政审批局"]
    shown = hotline.instance(clue.id, "feng").data
    assert (shown["contact_person"], shown["contact_phone"]) == ("刘女士", "0798-8888888")
    # "12345热线要及时受理举报,分门别类梳理后转送作风优化组": the 作风优化组, not the intake,
    # completes the registration the same day: who is accused, which type of problem, who
    # keeps the ledger entry (专人管理); then the intake proposes the disposal as for any clue
    assert process_helpers.tasks(hotline, "li", process="clue_triage") == []
    register = process_helpers.task(hotline, "feng", "register_hotline", process="clue_triage")
    assert (register.form_key, register.business_key, register.due_at, register.role) == (
        "clue_register_hotline", "ZF-2026-000001", at("2026-09-30T17:30:00+08:00"),
        "style_group")
    assert inbox(hotline, "li") == []  # nothing of the complaint's own is the intake's now
    clock.set(at("2026-09-30T16:40:00+08:00"))
    triage = hotline.complete(register.id, CLUE_REGISTRATION, "feng")
    assert [(t.name, t.due_at) for t in triage.tasks] == [
        ("propose", at("2026-09-30T17:30:00+08:00"))]  # 当天呈批处置
    assert triage.data["registered_at"] == "2026-09-30T16:40:00+08:00"
    (row,) = hotline.ledger("clue").rows
    assert row[0] == "ZF-2026-000001" and "吃拿卡要" in row and "某县行政审批局" in row
    # meanwhile the seat tells the enterprise it was transferred, within the reply limit
    reply = task(hotline, "xu", "reply_transfer")
    assert (reply.form_key, reply.due_at) == ("hotline_transfer_reply",
                                              at("2026-10-13T17:30:00+08:00"))
    told = hotline.task_data(reply.id, "xu")["reply_content"]
    assert "转送作风优化组" in told and "ZF-2026-000001" in told
    assert inbox(hotline, "fuliang") == []
    assert timer_dues(hotline, view.id, "reply_overdue") == []
    clock.set(at("2026-10-08T09:30:00+08:00"))
    hotline.complete(reply.id, {"reply_method": "电话", "reply_content": told}, "xu")
    revisit = task(hotline, "xu", "revisit")
    assert revisit.due_at == at("2026-10-09T17:30:00+08:00")
    done = hotline.complete(revisit.id, {"rating": "基本满意"}, "xu")
    assert done.status == "completed"
    assert (done.data["category"], done.data["reply_late"], done.data["clue_case_no"]) == (
        "作风问题", False, "ZF-2026-000001")
    assert done.data["reply_content"] == told
    # the clue runs on in clue_triage; the complaint's end changes nothing there
    assert open_tasks(hotline, clue.id) == ["propose"]
    assert hotline.instance(clue.id).data["source_case_no"] == "RX-2026-000001"
    for instance_id in (view.id, clue.id):
        assert hotline.replay(instance_id).ok


@WORLD
def test_the_style_group_handling_a_hotline_clue_sees_its_reporter(
        hotline: Engine, clock: FixedClock) -> None:
    """The 作风优化组 registers the clue the hotline sent it and answers for it: it sees the
    clue's 举报人 and contact in clear, as the intake does for the clues it registers; the
    approver and the case manager still get them masked, and reads in clear are logged."""
    hotline.deploy(clue_files())
    hotline.add_user("sun", ["case_manager"])
    hotline.add_user("audit", ["auditor"])
    view = take(hotline)
    about_an_official(hotline)
    clue = clue_of(hotline, view)
    secret = ("刘女士", "0798-8888888")

    def reporter(user: str) -> tuple[str, str]:
        data = hotline.instance(clue.id, user).data
        return data["reporter"], data["reporter_contact"]

    assert reporter("feng") == secret  # registering it
    do(hotline, "feng", "register_hotline", CLUE_REGISTRATION, process="clue_triage")
    assert reporter("feng") == secret  # and after: the clue is the group's to answer for
    assert reporter("li") == secret
    assert reporter("audit") == secret
    do(hotline, "li", "propose", {"disposal": "予以了结", "proposal_reason": "已另案处理"},
       process="clue_triage")
    assert reporter("wang") == (MASK, MASK)
    assert reporter("sun") == (MASK, MASK)
    assert [r.user for r in hotline.confidential_reads(clue.id, "audit")][:2] == [
        "feng", "feng"]
    app = create_app(hotline, secret_key="hotline", testing=True)
    for user, shown in (("feng", True), ("wang", False)):
        page = app.test_client()
        with page.session_transaction() as session:
            session.update(session_values(hotline.user(user)))
        text = page.get(f"/instances/{clue.id}").text
        assert ("刘女士" in text) is shown and (MASK in text) is not shown, user
    # a clue the intake registered stays the intake's: the group reads its reporter masked
    own = hotline.start("clue_triage", {
        "channel": "举报直通车", "received_at": "2026-09-30T15:00:00+08:00", "anonymous": False,
        "reporter": "张举报", "reporter_contact": "13800001234", "accused_unit": "某区住建局",
        "problem_type": "推诿拖延刁难", "summary": "拖延验收。", "owner": "li"}, "li")
    assert hotline.instance(own.id, "feng").data["reporter"] == MASK


@WORLD
def test_clue_numbers_follow_clue_triages_sequence(hotline: Engine, clock: FixedClock) -> None:
    """Clues registered by hand and clues from the hotline share one sequence; each complaint
    learns its own clue's number."""
    hotline.deploy(clue_files())
    first = take(hotline)
    about_an_official(hotline)
    by_hand = hotline.start("clue_triage", {
        "channel": "举报直通车", "received_at": "2026-09-30T15:00:00+08:00", "anonymous": True,
        "accused_unit": "某区住建局", "problem_type": "推诿拖延刁难", "summary": "拖延验收。",
        "owner": "li"}, "li")
    second = take(hotline, enterprise="乐平某物流有限公司")
    about_an_official(hotline)
    assert (first.business_key, second.business_key) == ("RX-2026-000001", "RX-2026-000002")
    assert by_hand.business_key == "ZF-2026-000002"
    assert [hotline.instance(v.id).data["clue_case_no"] for v in (first, second)] == [
        "ZF-2026-000001", "ZF-2026-000003"]
    assert [clue_of(hotline, v).business_key for v in (first, second)] == [
        "ZF-2026-000001", "ZF-2026-000003"]
    assert "source_case_no" not in hotline.instance(by_hand.id).data


@WORLD
def test_urgent_complaint_about_an_official_answered_late(hotline: Engine,
                                                          clock: FixedClock) -> None:
    hotline.deploy(clue_files())
    clock.set(at("2026-10-09T10:00:00+08:00"))  # Friday
    view = take(hotline)
    about_an_official(hotline, urgency="紧急")
    reply = task(hotline, "xu", "reply_transfer")
    assert reply.due_at == at("2026-10-10T17:30:00+08:00")  # 1个工作日内: Saturday, a working day
    clock.set(at("2026-10-12T09:00:00+08:00"))
    assert [t.id for t in inbox(hotline, "xu", overdue=True)] == [reply.id]
    do(hotline, "xu", "reply_transfer", {"reply_method": "书面",
                                         "reply_content": "已转送作风优化组依规处理。"})
    done = do(hotline, "xu", "revisit", {"rating": "满意"})
    assert (done.status, done.data["reply_late"]) == ("completed", True)
    assert done.data["clue_case_no"] == clue_of(hotline, view).business_key


@WORLD
def test_without_clue_triage_the_complaint_waits_for_the_number(hotline: Engine,
                                                                clock: FixedClock) -> None:
    """The message finds no process to start (clue_triage not deployed): the complaint waits
    at 收到线索编号, and an operator may give the number by hand."""
    view = take(hotline)
    waiting = about_an_official(hotline)
    assert waiting.status == "running" and waiting.tasks == []
    assert "clue_case_no" not in waiting.data
    with pytest.raises(PermissionDenied):  # the waiting event is in the seat's lane
        hotline.send_message("hotline_clue_started", {"business_key": view.business_key},
                             {"started_case_no": "ZF-2026-000042"}, "li")
    hotline.send_message("hotline_clue_started", {"business_key": view.business_key},
                         {"started_case_no": "ZF-2026-000042"}, "xu")
    reply = task(hotline, "xu", "reply_transfer")
    assert hotline.instance(view.id).data["clue_case_no"] == "ZF-2026-000042"
    assert "ZF-2026-000042" in hotline.task_data(reply.id, "xu")["reply_content"]


@WORLD
def test_the_reminder_is_its_own_case_and_may_be_done_after_the_complaint_closes(
        hotline: Engine, clock: FixedClock) -> None:
    view = take(hotline)
    dispatch(hotline)
    clock.set(at("2026-10-13T17:30:30+08:00"))  # 5 working days have passed
    assert hotline.timers.fire_due().fired == 1
    (urge,) = urges(hotline, "xu")
    assert urge.due_at == at("2026-10-14T17:30:00+08:00")
    clock.set(at("2026-10-14T09:00:00+08:00"))
    do(hotline, "fuliang", "handle", HANDLED)
    done = do(hotline, "xu", "revisit", {"rating": "基本满意"})
    assert done.status == "completed"  # the complaint does not wait for the reminder
    assert done.data["reply_late"] is True
    finished = hotline.complete(urge.id, {"urge_note": "单位已于10月14日答复"}, "xu")
    assert (finished.status, finished.business_key) == ("completed", view.business_key)
    after = hotline.instance(view.id).data
    assert (after["reply_late"], after["rating"]) == (True, "基本满意")
    assert "urge_note" not in after
