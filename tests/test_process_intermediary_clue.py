"""Scenario tests for `intermediary_clue` (行政审批中介服务问题线索处置), plan 6 二.

A clue comes in on the 征集表 (an enterprise online, or the 市政数局 工作专班 registering a phone
call or e-mail), the 专班 classifies it and transfers it to the responsible unit, which plans
the rectification with a named leader, person and deadline, rectifies, and the 专班 confirms:
confirmed cases are closed out (销号), others go back with a new deadline. When the deadline
passes unreported, a timer gives the 专班 a 逾期督办 task.

The clock starts on Wednesday 2026-09-30 16:00 and moves through the National Day week:
2026-10-01..07 are off and Saturday 2026-10-10 is an adjusted working day.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, PermissionDenied
from engine.files.attachments import Upload
from engine.queries.inbox import InboxFilter
from engine.queries.startable import startable, task_form
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.conftest import seeded
from tests.process_helpers import (
    PROCESSES,
    at,
    check_interchange,
    decision_rows,
    definitions,
    doc_table,
    docx_text,
    inbox,
    load_units,
    task,
)
from tests.test_ui_support import PASSWORD, as_user, make_app

FL = "浮梁县"
ZJJ = "市住建局"


def clue_files() -> list[SourceFile]:
    """intermediary_clue, the 中介服务事项清单 it looks items up in, and its forms."""
    return definitions(["intermediary_clue.bpmn", "intermediary_catalogue.dmn"],
                       ["intermediary_*.json"])


def clue_world(engine: Engine) -> None:
    """intermediary_clue deployed, its people and the unit directory."""
    engine.deploy(clue_files())
    engine.add_user("qiye", ["enterprise"], unit="景德镇某建材有限公司")
    engine.add_user("zhuanban", ["data_bureau"])
    engine.add_user("zhuanban2", ["data_bureau"])
    engine.add_user("fl", ["responsible_unit"], unit=FL)
    engine.add_user("zjj", ["responsible_unit"], unit=ZJJ)
    engine.add_user("audit", ["auditor"])
    load_units(engine)


WORLD = seeded(clue_world)  # made once per process and backend, copied for each test


@pytest.fixture
def gov(engine: Engine) -> Engine:
    return engine  # holding what ``clue_world`` built


REPORT = {
    "channel": "网上征集", "anonymous": False, "reporter_name": "景德镇某建材有限公司",
    "contact_phone": "13800000000", "region": "浮梁县",
    "intermediary_name": "某工程咨询有限公司", "approval_dept": "浮梁县某审批股",
    "approval_item": "建设项目环境影响评价文件审批", "problem_category": "市场秩序",
    "occurred_on": "2026-09-15", "amount_involved": 30000,
    "problem_description": "窗口工作人员要求必须委托某工程咨询有限公司编制报告",
}
ACCEPT = {"classify_decision": "accept", "problem_category": "市场秩序",
          "responsible_unit": FL, "classify_note": "变相指定中介机构"}
PLAN = {"rectify_task": "纠正变相指定中介机构行为",
        "rectify_measures": "通过网上中介服务超市公开选取",
        "rectify_deadline": "2026-10-20", "responsible_leader": "县政府分管副县长赵某",
        "responsible_person": "县行政审批局钱某", "responsible_phone": "0798-2620000"}
RECTIFIED = {"rectification_summary": "已书面纠正，企业自主选取中介机构",
             "completed_on": "2026-10-16"}
# the 佐证材料 are files (a file field of the form)
EVIDENCE = [Upload("evidence_materials", "企业回访记录.pdf", b"%PDF-1.4\n% visit\n")]


def report(gov: Engine, user: str = "qiye", **changes: Any) -> InstanceView:
    return gov.start("intermediary_clue", {**REPORT, **changes}, user)


# -- definitions -----------------------------------------------------------------------------


def test_files_validate_without_problems(engine: Engine) -> None:
    checked = engine.validate(clue_files())
    assert checked.problems == []
    assert [(p.key, p.start_form_key, p.case_prefix) for p in checked.processes] == [
        ("intermediary_clue", "intermediary_clue_report", "ZJXS")]


def test_diagram_interchange_covers_every_element() -> None:
    check_interchange(PROCESSES / "intermediary_clue.bpmn", "intermediary_clue")


# -- paths -----------------------------------------------------------------------------------


@WORLD
def test_clue_classified_rectified_returned_once_then_closed_out(
        gov: Engine, clock: FixedClock) -> None:
    view = report(gov)
    assert view.business_key == "ZJXS-2026-000001"
    assert view.data["reply_to"] == "景德镇某建材有限公司"
    classify = task(gov, "zhuanban", "classify")
    # 3 working days from Wednesday 09-30: 10-08, 10-09 and the adjusted Saturday 10-10
    assert (classify.role, classify.unit, classify.due_at) == (
        "data_bureau", None, at("2026-10-10T17:30:00+08:00"))
    assert [t.id for t in inbox(gov, "zhuanban2")] == [classify.id]
    assert inbox(gov, "qiye") == [] and inbox(gov, "fl") == []
    with pytest.raises(PermissionDenied):
        gov.complete(classify.id, ACCEPT, "fl")

    clock.set(at("2026-10-08T10:00:00+08:00"))
    gov.complete(classify.id, ACCEPT, "zhuanban")
    plan = task(gov, "fl", "plan")
    # 5 working days from Thursday 10-08: 10-09, 10-10 (Sat), 10-12, 10-13, 10-14
    assert (plan.role, plan.unit, plan.due_at) == (
        "responsible_unit", FL, at("2026-10-14T17:30:00+08:00"))
    assert inbox(gov, "zjj") == [] and inbox(gov, "zhuanban") == []
    entry = gov.instance(view.id).data["ledger_entry"]
    assert (entry["category"], entry["responsible_unit"], entry["status"]) == (
        "市场秩序", FL, "整改中")

    clock.set(at("2026-10-09T15:00:00+08:00"))
    with pytest.raises(InvalidData) as err:  # the named responsible people and deadline
        gov.complete(plan.id, {k: v for k, v in PLAN.items()
                               if k not in ("responsible_person", "rectify_deadline")}, "fl")
    assert set(err.value.field_errors) == {"responsible_person", "rectify_deadline"}
    gov.complete(plan.id, PLAN, "fl")
    rectify = task(gov, "fl", "rectify")
    assert rectify.due_at == at("2026-10-20T17:30:00+08:00")  # the deadline's close
    assert [(t.element_id, t.due_at) for t in gov.timers.pending()] == [
        ("deadline_passed", at("2026-10-20T17:30:00+08:00"))]
    entry = gov.instance(view.id).data["ledger_entry"]
    assert (entry["responsible_leader"], entry["responsible_person"],
            entry["rectify_deadline"]) == ("县政府分管副县长赵某", "县行政审批局钱某", "2026-10-20")

    clock.set(at("2026-10-16T11:00:00+08:00"))
    gov.complete(rectify.id, RECTIFIED, "fl", uploads=EVIDENCE)
    assert gov.timers.pending() == []  # reported in time: no 督办
    confirm = task(gov, "zhuanban", "confirm")
    assert confirm.due_at == at("2026-10-23T17:30:00+08:00")  # 5 working days from Fri 10-16
    assert inbox(gov, "fl") == []

    clock.set(at("2026-10-19T09:00:00+08:00"))
    with pytest.raises(InvalidData) as err:  # returning needs a new deadline
        gov.complete(confirm.id, {"confirm_decision": "return",
                                  "confirm_note": "未提供企业自主选取的证明"}, "zhuanban")
    assert err.value.field_errors == {"redo_deadline": "此项为必填项"}
    gov.complete(confirm.id, {"confirm_decision": "return",
                              "confirm_note": "未提供企业自主选取的证明",
                              "redo_deadline": "2026-10-24"}, "zhuanban")
    again = task(gov, "fl", "rectify")
    assert again.id != rectify.id
    assert (again.assignee, again.returned_by) == ("fl", "zhuanban")  # back to who did it
    # 10-24 is a Saturday off: the deadline falls to Monday 10-26's close
    assert again.due_at == at("2026-10-26T17:30:00+08:00")
    assert [(t.element_id, t.due_at) for t in gov.timers.pending()] == [
        ("deadline_passed", at("2026-10-26T17:30:00+08:00"))]
    data = gov.instance(view.id).data
    assert data["return_count"] == 1 and data["ledger_entry"]["rectify_deadline"] == "2026-10-24"
    assert inbox(gov, "zhuanban") == []

    clock.set(at("2026-10-23T16:00:00+08:00"))
    gov.complete(again.id, {**RECTIFIED, "completed_on": "2026-10-23"}, "fl", uploads=[
        Upload("evidence_materials", "中介服务超市选取记录.pdf", b"%PDF-1.4\n% pick\n")])
    confirm = task(gov, "zhuanban", "confirm")  # back to who confirmed before, not sent back
    assert (confirm.assignee, confirm.returned_by) == ("zhuanban", None)
    assert inbox(gov, "zhuanban2") == []
    assert confirm.due_at == at("2026-10-30T17:30:00+08:00")
    clock.set(at("2026-10-26T10:00:00+08:00"))
    done = gov.complete(confirm.id, {"confirm_decision": "confirm",
                                     "confirm_note": "整改到位，予以销号"}, "zhuanban")
    assert done.status == "completed"
    data = done.data
    assert data["outcome"] == "已整改销号"
    assert data["ledger_entry"]["status"] == "已销号"
    assert data["ledger_entry"]["closed_at"] == "2026-10-26T10:00:00+08:00"
    assert [(r["decision"], r["round"]) for r in data["review_log"]] == [
        ("return", 1), ("confirm", 2)]
    assert data["rectify_on_time"] is True
    assert data["notices"] == [{
        "to": "景德镇某建材有限公司", "type": "整改结果反馈", "at": "2026-10-26T10:00:00+08:00",
        "content": "您反映的某工程咨询有限公司问题已由浮梁县整改到位并销号："
                   "已书面纠正，企业自主选取中介机构"}]
    assert gov.timers.pending() == []
    kinds = [e.type for e in gov.history(view.id)]
    # the plan issues the 整改通知书 (a document event right after it)
    assert kinds == ["started", "completed", "completed", "document"] + ["completed"] * 4
    [notice] = [f for f in gov.dossier.files(view.id) if f.document]
    assert (notice.document, notice.doc_no) == ("zhenggai_zhongjie", "景中介整改〔2026〕1号")
    text = docx_text(gov.dossier.content(notice))
    assert "纠正变相指定中介机构行为" in text and "2026年10月20日" in text and FL in text


@WORLD
def test_missed_deadline_gives_the_task_force_an_overdue_supervision(
        gov: Engine, clock: FixedClock) -> None:
    view = report(gov)
    gov.complete(task(gov, "zhuanban", "classify").id, ACCEPT, "zhuanban")
    gov.complete(task(gov, "fl", "plan").id, {**PLAN, "rectify_deadline": "2026-10-12"}, "fl")
    rectify = task(gov, "fl", "rectify")
    assert rectify.due_at == at("2026-10-12T17:30:00+08:00")

    clock.set(at("2026-10-12T17:29:00+08:00"))
    assert gov.timers.fire_due().fired == 0  # nothing early
    assert not task(gov, "fl", "rectify").overdue
    clock.set(at("2026-10-12T17:31:00+08:00"))
    assert gov.timers.fire_due().fired == 1
    supervise = task(gov, "zhuanban", "supervise")
    # 当天督办, but the office closed at 17:30: close of the next working day
    assert supervise.due_at == at("2026-10-13T17:30:00+08:00")
    assert task(gov, "fl", "rectify").overdue  # the rectification stays open
    assert gov.timers.fire_due().fired == 0  # fired once
    with pytest.raises(InvalidData) as err:
        gov.complete(supervise.id, {"supervise_method": "微信"}, "zhuanban")
    assert set(err.value.field_errors) == {"supervise_method", "supervise_note"}

    clock.set(at("2026-10-13T09:00:00+08:00"))
    gov.complete(supervise.id, {"supervise_method": "书面督办", "supervise_note": "已发督办函"},
                 "zhuanban")
    clock.set(at("2026-10-14T09:00:00+08:00"))
    gov.complete(rectify.id, RECTIFIED, "fl", uploads=EVIDENCE)
    assert gov.instance(view.id).data["rectify_on_time"] is False
    done = gov.complete(task(gov, "zhuanban", "confirm").id,
                        {"confirm_decision": "confirm", "confirm_note": "到位"}, "zhuanban")
    assert done.status == "completed"
    assert done.data["supervise_method"] == "书面督办"


@WORLD
def test_case_waits_for_an_open_supervision_before_it_ends(gov: Engine,
                                                          clock: FixedClock) -> None:
    view = report(gov)
    gov.complete(task(gov, "zhuanban", "classify").id, ACCEPT, "zhuanban")
    gov.complete(task(gov, "fl", "plan").id, {**PLAN, "rectify_deadline": "2026-10-09"}, "fl")
    clock.set(at("2026-10-10T09:00:00+08:00"))
    gov.timers.fire_due()
    gov.complete(task(gov, "fl", "rectify").id, RECTIFIED, "fl", uploads=EVIDENCE)
    view = gov.complete(task(gov, "zhuanban", "confirm").id,
                        {"confirm_decision": "confirm", "confirm_note": "到位"}, "zhuanban")
    assert view.data["outcome"] == "已整改销号"
    assert view.status == "running"  # the 督办 is still open
    assert [t.name for t in view.tasks] == ["supervise"]
    view = gov.complete(task(gov, "zhuanban", "supervise").id,
                        {"supervise_method": "电话督办", "supervise_note": "已电话督办"},
                        "zhuanban")
    assert view.status == "completed"


@WORLD
def test_task_force_registers_an_anonymous_call_and_declines_it(gov: Engine,
                                                                clock: FixedClock) -> None:
    call = {k: v for k, v in REPORT.items() if k not in ("reporter_name", "contact_phone")}
    view = report(gov, "zhuanban", **{**call, "channel": "投诉电话", "anonymous": True})
    assert view.data["reply_to"] == "匿名反映人"
    classify = task(gov, "zhuanban", "classify")
    with pytest.raises(InvalidData) as err:
        gov.complete(classify.id, {"classify_decision": "reject"}, "zhuanban")
    assert err.value.field_errors == {"reply_text": "此项为必填项"}
    clock.set(at("2026-10-08T09:00:00+08:00"))
    reply = "所反映事项属商业合同纠纷，不属于行政审批中介服务问题"
    done = gov.complete(classify.id, {"classify_decision": "reject", "reply_text": reply},
                        "zhuanban")
    assert done.status == "completed" and done.tasks == []
    assert done.data["outcome"] == "不予受理"
    assert done.data["notices"] == [{
        "to": "匿名反映人", "type": "线索处理答复", "at": "2026-10-08T09:00:00+08:00",
        "content": reply}]
    assert "ledger_entry" not in done.data


@WORLD
def test_collection_form_follows_the_seed_and_names_missing_fields(gov: Engine) -> None:
    named = {k: v for k, v in REPORT.items() if k not in ("reporter_name", "contact_phone",
                                                          "problem_description")}
    with pytest.raises(InvalidData) as err:
        gov.start("intermediary_clue", {**named, "problem_category": "服务态度"}, "qiye")
    assert set(err.value.field_errors) == {"reporter_name", "contact_phone",
                                           "problem_description", "problem_category"}
    report(gov)
    classify = task(gov, "zhuanban", "classify")
    with pytest.raises(InvalidData) as err:
        gov.complete(classify.id, {"classify_decision": "accept"}, "zhuanban")
    assert set(err.value.field_errors) == {"problem_category", "responsible_unit"}
    with pytest.raises(InvalidData) as err:  # routing fields only through the form
        gov.complete(classify.id, {**ACCEPT, "unit": ZJJ}, "zhuanban")
    assert err.value.field_errors == {"unit": "表单中没有此字段"}


@pytest.mark.parametrize("user", ["fl", "audit"])
@WORLD
def test_only_enterprises_and_the_task_force_file_clues(gov: Engine, user: str) -> None:
    with pytest.raises(PermissionDenied):
        report(gov, user)
    report(gov, "qiye")
    report(gov, "zhuanban", channel="电子邮箱")
    assert len(gov.inbox.for_user(None, InboxFilter(process="intermediary_clue"))) == 2


# -- the 行政审批中介服务事项清单 -------------------------------------------------------------
# processes/intermediary_catalogue.dmn (示例): the enterprise may name the item on the 征集表,
# the 专班 may change it; a listed item proposes its 审批部门 as the 责任单位.

ITEM_FIELDS = ("item_name", "item_approval", "item_basis", "item_charged", "item_fee",
               "item_days")


def shown(gov: Engine, task_id: str, user: str) -> dict[str, Any]:
    """The values the task's form shows read-only (the item's details), from the case data."""
    form = task_form(gov, task_id, user) or {}
    data = gov.instance(gov.inbox.task(task_id, user).instance_id).data
    return {name: data.get(name) for name, prop in form["properties"].items()
            if prop.get("readOnly")}


@WORLD
def test_a_named_item_proposes_its_department_and_shows_its_details(
        gov: Engine, clock: FixedClock) -> None:
    view = report(gov, intermediary_item="ZJ-001")
    assert view.data["responsible_unit"] == ZJJ  # 施工图审查: the 审批部门 市住建局
    classify = task(gov, "zhuanban", "classify")
    details = shown(gov, classify.id, "zhuanban")
    assert {k: details[k] for k in ("item_name", "item_dept", "item_charged", "item_days")} == {
        "item_name": "建设工程施工图设计文件审查", "item_dept": ZJJ, "item_charged": "不收费",
        "item_days": 15}
    assert details["item_basis"].startswith("《建设工程质量管理条例》第十一条")
    assert "不得向申请人收取" in details["item_fee"]

    clock.set(at("2026-10-08T10:00:00+08:00"))  # the 专班 keeps the proposal
    gov.complete(classify.id, {**ACCEPT, "responsible_unit": ZJJ}, "zhuanban")
    plan = task(gov, "zjj", "plan")
    assert plan.unit == ZJJ and inbox(gov, "fl") == []
    assert shown(gov, plan.id, "zjj") == {k: details[k] for k in ITEM_FIELDS}
    entry = gov.instance(view.id).data["ledger_entry"]
    assert (entry["intermediary_item"], entry["item_name"], entry["responsible_unit"]) == (
        "ZJ-001", "建设工程施工图设计文件审查", ZJJ)


@WORLD
def test_the_task_force_may_change_the_proposed_unit_and_the_item(gov: Engine) -> None:
    view = report(gov, intermediary_item="ZJ-001")
    classify = task(gov, "zhuanban", "classify")
    # the item was the 规划核实测量 of the 自然资源局, carried out by the county
    gov.complete(classify.id, {**ACCEPT, "intermediary_item": "ZJ-004"}, "zhuanban")
    plan = task(gov, "fl", "plan")
    assert plan.unit == FL and inbox(gov, "zjj") == []
    details = shown(gov, plan.id, "fl")
    assert (details["item_name"], details["item_approval"], details["item_charged"]) == (
        "建设工程规划条件核实测量", "建设工程规划条件核实", "收费")
    data = gov.instance(view.id).data
    assert (data["intermediary_item"], data["item_dept"], data["responsible_unit"]) == (
        "ZJ-004", "市自然资源局", FL)


@WORLD
def test_a_changed_item_takes_its_department_when_the_unit_was_the_old_proposal(
        gov: Engine) -> None:
    """The 专班 changes the item and leaves the 责任单位 as the old item's 审批部门 (the
    proposal, untouched): the new item's 审批部门 is the 责任单位, in the case and the 台账."""
    gov.add_user("jtj", ["responsible_unit"], unit="市交通运输局")
    view = report(gov, intermediary_item="ZJ-001")
    classify = task(gov, "zhuanban", "classify")
    gov.complete(classify.id, {**ACCEPT, "intermediary_item": "ZJ-008",
                               "responsible_unit": ZJJ}, "zhuanban")
    data = gov.instance(view.id).data
    assert (data["intermediary_item"], data["item_dept"], data["responsible_unit"]) == (
        "ZJ-008", "市交通运输局", "市交通运输局")
    assert data["ledger_entry"]["responsible_unit"] == "市交通运输局"
    assert task(gov, "jtj", "plan").unit == "市交通运输局" and inbox(gov, "zjj") == []


@WORLD
def test_the_same_item_keeps_the_unit_the_task_force_chose(gov: Engine) -> None:
    view = report(gov, intermediary_item="ZJ-001")
    gov.complete(task(gov, "zhuanban", "classify").id,
                 {**ACCEPT, "intermediary_item": "ZJ-001", "responsible_unit": FL}, "zhuanban")
    assert gov.instance(view.id).data["responsible_unit"] == FL
    assert task(gov, "fl", "plan").unit == FL


@WORLD
def test_without_an_item_the_task_force_picks_the_responsible_unit(gov: Engine) -> None:
    view = report(gov)  # the enterprise did not know the item
    data = gov.instance(view.id).data
    assert data["intermediary_item"] == "" and data["item_listed"] is False
    # the catch-all row invents nothing: no fee status, no 0-day time limit
    assert {k: data[k] for k in ITEM_FIELDS} == dict.fromkeys(ITEM_FIELDS, "")
    assert "responsible_unit" not in data
    classify = task(gov, "zhuanban", "classify")
    assert shown(gov, classify.id, "zhuanban")["item_name"] == ""
    with pytest.raises(InvalidData) as err:  # nothing proposed: the 专班 must name the unit
        gov.complete(classify.id, {k: v for k, v in ACCEPT.items()
                                   if k != "responsible_unit"}, "zhuanban")
    assert set(err.value.field_errors) == {"responsible_unit"}
    gov.complete(classify.id, ACCEPT, "zhuanban")
    plan = task(gov, "fl", "plan")
    assert shown(gov, plan.id, "fl")["item_days"] == ""
    assert gov.instance(view.id).data["ledger_entry"]["intermediary_item"] == ""


@WORLD
def test_an_unlisted_item_number_is_refused_beside_the_field(gov: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        report(gov, intermediary_item="ZJ-01")
    assert err.value.field_errors == {"intermediary_item": (
        "“ZJ-01”未列入《行政审批中介服务事项清单》，您是否要找：ZJ-010、ZJ-011、ZJ-012")}
    with pytest.raises(InvalidData) as err:
        report(gov, intermediary_item="环评报告编制")
    assert err.value.field_errors == {
        "intermediary_item": "“环评报告编制”未列入《行政审批中介服务事项清单》，请从清单中选择"}
    report(gov)
    classify = task(gov, "zhuanban", "classify")
    with pytest.raises(InvalidData) as err:
        gov.complete(classify.id, {**ACCEPT, "intermediary_item": "ZJ-999"}, "zhuanban")
    assert set(err.value.field_errors) == {"intermediary_item"}
    with pytest.raises(InvalidData) as err:  # the details are the catalogue's, not typed
        gov.complete(classify.id, {**ACCEPT, "item_name": "自拟事项"}, "zhuanban")
    assert set(err.value.field_errors) == {"item_name"}


@WORLD
def test_the_forms_offer_the_catalogue_as_a_choice(gov: Engine) -> None:
    report(gov)
    [start] = [s for s in startable(gov, "qiye") if s.key == "intermediary_clue"]
    for schema in (start.form,
                   task_form(gov, task(gov, "zhuanban", "classify").id, "zhuanban")):
        offered = gov.catalogue_choices(schema)["intermediary_item"]
        assert len(offered) == 12  # the catch-all row is no choice
        assert offered[0].label == "ZJ-001 建设工程施工图设计文件审查（市住建局）"
        assert offered[3].label == "ZJ-004 建设工程规划条件核实测量（市自然资源局）"


def test_a_catalogue_field_names_a_decision_that_is_deployed(engine: Engine) -> None:
    files = clue_files()
    wrong = [SourceFile(f.name, f.content.replace('"x-catalogue": "intermediary_catalogue"',
                                                  '"x-catalogue": "intermediary_list"'))
             if f.name.endswith("intermediary_clue_report.json") else f for f in files]
    problems = [str(p) for p in engine.validate(wrong).problems]
    assert len(problems) == 1 and problems[0].startswith(
        "forms/intermediary_clue_report.json:")
    assert '"x-catalogue" of "intermediary_item" names decision "intermediary_list", which ' \
           "is neither deployed nor among the files; known: intermediary_catalogue" \
           in problems[0]
    # deployed before, the table need not come again with the forms
    engine.deploy(files)
    forms_only = [f for f in files if f.name.endswith(".json")]
    assert engine.validate(forms_only).problems == []
    [shape] = check_form(json.dumps({"type": "object", "properties": {
        "intermediary_item": {"type": "string", "x-catalogue": ""}}}))
    assert str(shape) == 'line 1: "x-catalogue" of "intermediary_item" must name a decision ' \
        "table (its decision id)"


def test_catalogue_copy_in_docs_matches_the_decision_table() -> None:
    rows = {item: row for item, row in decision_rows(
        PROCESSES / "intermediary_catalogue.dmn").items() if item != "-"}
    listed = {cells[0]: cells[1:] for cells in doc_table("intermediary_clue")
              if re.fullmatch(r"ZJ-\d{3}", cells[0])}
    assert set(listed) == set(rows) and len(rows) == 12
    for item, row in rows.items():
        name, approval, dept, basis, charged, fee, days = listed[item]
        assert (name, approval, dept, basis, charged, fee, int(days)) == (
            row["item_name"], row["item_approval"], row["item_dept"], row["item_basis"],
            row["item_charged"], row["item_fee"], row["item_days"]), item


@WORLD
def test_the_pages_offer_the_item_and_show_its_details(gov: Engine) -> None:
    """The 征集表 page offers the 清单 as a drop-down; a number it does not list is refused
    beside the field; the 专班's page shows the item's details and the proposed 责任单位."""
    gov.add_user("qiye_web", ["enterprise"], password=PASSWORD)
    gov.add_user("zhuanban_web", ["data_bureau"], password=PASSWORD)
    app = make_app(gov)
    enterprise = as_user(app, "qiye_web")
    page = enterprise.get("/start/intermediary_clue").text
    select = page[page.index('name="intermediary_item"'):]
    select = select[:select.index("</select>")]
    assert '<option value="">' in select  # no choice: the enterprise may not know it
    assert re.search(r'<option value="ZJ-004"\s*>ZJ-004 建设工程规划条件核实测量（市自然资源局）<',
                     select)
    assert select.count("<option value=") == 13

    posted = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in REPORT.items()}
    refused = enterprise.post("/start/intermediary_clue",
                              data={**posted, "intermediary_item": "ZJ-01"})
    assert refused.status_code == 422
    assert "“ZJ-01”未列入《行政审批中介服务事项清单》" in refused.text
    started = enterprise.post("/start/intermediary_clue",
                              data={**posted, "intermediary_item": "ZJ-001"})
    assert started.status_code == 302, started.text

    office = as_user(app, "zhuanban_web")
    classify = task(gov, "zhuanban_web", "classify")
    shown_page = office.get(f"/tasks/{classify.id}").text
    for text in ("建设工程施工图设计文件审查", "建筑工程施工许可证核发", "不得向申请人收取",
                 f'value="{ZJJ}"'):
        assert text in shown_page, text


# -- optional fields left out ----------------------------------------------------------------

def required_only(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without every field the form does not require outright."""
    return {k: v for k, v in data.items() if k in schema.get("required", [])}


@WORLD
def test_every_optional_field_left_out_the_case_runs_to_its_end(
        gov: Engine, clock: FixedClock) -> None:
    """Start and task forms with only what they require (the 涉及的行政审批事项, 所在县区, 中介
    服务事项, 分类说明 ... left out): each script finds what it reads, the case closes out."""
    [start] = [s for s in startable(gov, "qiye") if s.key == "intermediary_clue"]
    filed = {**required_only(start.form, REPORT),
             "reporter_name": REPORT["reporter_name"], "contact_phone": REPORT["contact_phone"]}
    assert "approval_item" not in filed and "intermediary_item" not in filed
    view = gov.start("intermediary_clue", filed, "qiye")
    assert view.data["approval_item"] == ""  # the form's default: scripts may read it
    classify = task(gov, "zhuanban", "classify")
    schema = task_form(gov, classify.id, "zhuanban") or {}
    decided = {**required_only(schema, ACCEPT), "problem_category": "市场秩序",
               "responsible_unit": FL}
    assert set(decided) == {"classify_decision", "problem_category", "responsible_unit"}
    clock.set(at("2026-10-08T10:00:00+08:00"))
    gov.complete(classify.id, decided, "zhuanban")
    entry = gov.instance(view.id).data["ledger_entry"]
    assert (entry["approval_item"], entry["intermediary_item"], entry["item_name"],
            entry["responsible_unit"]) == ("", "", "", FL)
    plan = task(gov, "fl", "plan")
    gov.complete(plan.id, required_only(task_form(gov, plan.id, "fl") or {}, PLAN), "fl")
    rectify = task(gov, "fl", "rectify")
    gov.complete(rectify.id, required_only(task_form(gov, rectify.id, "fl") or {}, RECTIFIED),
                 "fl", uploads=EVIDENCE)
    done = gov.complete(task(gov, "zhuanban", "confirm").id,
                        {"confirm_decision": "confirm", "confirm_note": "到位"}, "zhuanban")
    assert done.status == "completed" and done.data["outcome"] == "已整改销号"


@WORLD
def test_an_anonymous_clue_without_optional_fields_is_declined(gov: Engine) -> None:
    [start] = [s for s in startable(gov, "zhuanban") if s.key == "intermediary_clue"]
    call = {**required_only(start.form, REPORT), "channel": "投诉电话", "anonymous": True}
    view = gov.start("intermediary_clue", call, "zhuanban")
    done = gov.complete(task(gov, "zhuanban", "classify").id,
                        {"classify_decision": "reject", "reply_text": "不属于中介服务问题"},
                        "zhuanban")
    assert done.status == "completed" and done.data["notices"][0]["to"] == "匿名反映人"
    assert gov.instance(view.id).data["approval_item"] == ""


@WORLD
def test_the_web_forms_with_every_optional_field_empty_run_the_case(gov: Engine) -> None:
    """As a browser posts them: optional boxes empty, the item not chosen, no radio ticked."""
    gov.add_user("qiye_web", ["enterprise"], password=PASSWORD)
    gov.add_user("zhuanban_web", ["data_bureau"], password=PASSWORD)
    app = make_app(gov)
    enterprise = as_user(app, "qiye_web")
    posted = {"anonymous": "false", "reporter_name": "景德镇某建材有限公司",
              "contact_phone": "13800000000", "region": "",
              "intermediary_name": "某工程咨询有限公司",
              "approval_dept": "浮梁县某审批股", "approval_item": "", "intermediary_item": "",
              "problem_category": "市场秩序", "occurred_on": "", "amount_involved": "",
              "problem_description": "窗口要求委托指定中介", "request": ""}
    page = enterprise.get("/start/intermediary_clue").text
    channel = page[page.index('name="channel"'):]
    channel = channel[:channel.index("</select>")]
    # the enterprise files online: no office channel (投诉电话, 来信来访 ...) to pick from
    assert "网上征集" in channel and "投诉电话" not in channel and "来信来访" not in channel
    assert "种子文件" not in page  # no internal note in the form's description
    started = enterprise.post("/start/intermediary_clue", data={**posted, "channel": "投诉电话"})
    assert started.status_code == 302, started.text
    [case] = gov.inbox.for_user(None, InboxFilter(process="intermediary_clue"))
    assert gov.instance(case.instance_id).data["channel"] == "网上征集"
    office = as_user(app, "zhuanban_web")
    page = office.get("/start/intermediary_clue").text  # the office registers calls, letters
    assert "投诉电话" in page and "来信来访" in page
    classify = task(gov, "zhuanban_web", "classify")
    office.post(f"/tasks/{classify.id}/claim")
    shown_page = office.get(f"/tasks/{classify.id}").text
    for name in (*ITEM_FIELDS, "item_dept"):  # no item: no empty boxes, no 0-day limit
        assert re.search(rf'data-field="{name}"\s*hidden>', shown_page), name
    assert "js/catalogue.js" in shown_page and "data-catalogue=" in shown_page
    done = office.post(f"/tasks/{classify.id}", data={
        "classify_decision": "accept", "problem_category": "市场秩序", "intermediary_item": "",
        "responsible_unit": FL, "classify_note": "", "reply_text": ""})
    assert done.status_code == 302, done.text
    assert task(gov, "fl", "plan").unit == FL


def case_rows(page: str) -> dict[str, str]:
    """The 案件数据 of a case page: label -> value."""
    pairs = re.findall(r"<dt>([^<]*)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return {label.strip(): re.sub(r"<[^>]+>", "", value).strip() for label, value in pairs}


@WORLD
def test_the_enterprise_reads_what_it_filed_and_no_proposal_as_a_decision(
        gov: Engine) -> None:
    """Right after filing: its own 问题类别 as filed (not the office's 核定 title), its name and
    phone in clear, no 责任单位 the system only proposed; once the office decided, the
    decision shows."""
    gov.add_user("qiye_web", ["enterprise"], password=PASSWORD)
    gov.add_user("zhuanban_web", ["data_bureau"], password=PASSWORD)
    app = make_app(gov)
    view = report(gov, "qiye_web", intermediary_item="ZJ-001")
    assert view.data["responsible_unit"] == ZJJ  # proposed, for the office to decide
    enterprise = as_user(app, "qiye_web")
    page = enterprise.get(f"/instances/{view.id}").text
    rows = case_rows(page)
    assert rows["问题类别"].startswith("一、2") and "问题类别（核定）" not in rows
    assert rows["反映人（单位）"] == "景德镇某建材有限公司" and rows["联系电话"] == "13800000000"
    assert "责任单位" not in rows and "***" not in page and "举报人" not in page
    assert rows["中介服务事项名称"] == "建设工程施工图设计文件审查"  # the item it named

    gov.complete(task(gov, "zhuanban", "classify").id,
                 {**ACCEPT, "problem_category": "中介收费", "responsible_unit": ZJJ}, "zhuanban")
    rows = case_rows(enterprise.get(f"/instances/{view.id}").text)
    assert rows["问题类别（核定）"].startswith("一、3") and rows["责任单位"] == ZJJ
    # the office still sees what the case holds under the office's titles
    office = as_user(app, "zhuanban_web")
    rows = case_rows(office.get(f"/instances/{view.id}").text)
    assert rows["责任单位"] == ZJJ and "报送单位" not in rows


@WORLD
def test_the_office_reads_the_responsible_unit_not_a_report_unit(gov: Engine) -> None:
    gov.add_user("fl_web", ["responsible_unit"], unit=FL, password=PASSWORD)
    view = report(gov, intermediary_item="ZJ-004")
    gov.complete(task(gov, "zhuanban", "classify").id, ACCEPT, "zhuanban")
    page = as_user(make_app(gov), "fl_web").get(f"/instances/{view.id}").text
    rows = case_rows(page)
    assert rows["责任单位"] == FL and "报送单位" not in rows and "举报人" not in rows


@WORLD
def test_a_refused_classify_form_shows_the_details_of_the_item_picked(gov: Engine) -> None:
    """Sent back with an error, the page shows the item picked with its details (not the old
    item's, not empty boxes)."""
    gov.add_user("zhuanban_web", ["data_bureau"], password=PASSWORD)
    report(gov, intermediary_item="ZJ-001")
    office = as_user(make_app(gov), "zhuanban_web")
    classify = task(gov, "zhuanban_web", "classify")
    office.post(f"/tasks/{classify.id}/claim")
    for picked, name in (("ZJ-001", "建设工程施工图设计文件审查"),
                         ("ZJ-008", "涉路工程安全技术评价")):
        refused = office.post(f"/tasks/{classify.id}", data={
            "classify_decision": "accept", "intermediary_item": picked, "responsible_unit": ZJJ})
        assert refused.status_code == 422
        box = re.search(r'data-field="item_name"[^>]*>.*?value="([^"]*)"', refused.text, re.S)
        assert box is not None and box.group(1) == name, picked


@WORLD
def test_work_sent_back_says_so_and_the_next_check_starts_afresh(gov: Engine) -> None:
    """整改未到位，退回重新整改: the responsible unit's new 整改 task opens with 退回重新办理 (who
    checked, the 核验结论, 核验意见 and new 时限); the 专班's next 核验 finds no decision, note
    or deadline of the last round filled in."""
    gov.add_user("fl_web", ["responsible_unit"], unit=FL, password=PASSWORD)
    gov.add_user("zhuanban_web", ["data_bureau"], password=PASSWORD)
    app = make_app(gov)
    report(gov)
    gov.complete(task(gov, "zhuanban", "classify").id, ACCEPT, "zhuanban")
    gov.complete(task(gov, "fl", "plan").id, PLAN, "fl")
    first = task(gov, "fl", "rectify")
    unit = as_user(app, "fl_web")
    assert 'id="decided-back"' not in unit.get(f"/tasks/{first.id}").text
    gov.complete(first.id, RECTIFIED, "fl", uploads=EVIDENCE)
    gov.complete(task(gov, "zhuanban", "confirm").id, {
        "confirm_decision": "return", "confirm_note": "未提供企业自主选取的证明",
        "redo_deadline": "2026-10-24"}, "zhuanban_web")
    again = task(gov, "fl", "rectify")
    page = unit.get(f"/tasks/{again.id}").text
    banner = page.split('id="decided-back"', 1)[1].split("</div>", 1)[0]
    assert "<strong>退回重新办理：</strong>核验整改情况（销号或退回）" in banner
    assert '<span class="label">核验结论：</span>整改未到位，退回重新整改' in banner
    assert '<span class="label">核验意见：</span>未提供企业自主选取的证明' in banner
    assert '<span class="label">重新整改完成时限：</span>2026-10-24' in banner
    gov.complete(again.id, RECTIFIED, "fl", uploads=EVIDENCE)
    confirm = task(gov, "zhuanban_web", "confirm")
    office = as_user(app, "zhuanban_web")
    office.post(f"/tasks/{confirm.id}/claim")
    form = office.get(f"/tasks/{confirm.id}").text.split('class="schema-form"', 1)[1]
    decision = form.split('data-field="confirm_decision"', 1)[1].split('data-field=', 1)[0]
    assert " checked" not in decision and " selected" not in decision, decision
    note = form.split('name="confirm_note"', 1)[1].split("</textarea>", 1)[0]
    assert note.endswith(">") and "未提供" not in note, note
    assert not re.search(r'name="redo_deadline"[^>]*value="2026', form)
    assert "未提供企业自主选取的证明" in office.get(f"/tasks/{confirm.id}").text  # with the case
