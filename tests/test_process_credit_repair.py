"""Scenario tests for `credit_repair` (企业信用修复), plan 3 二(五):
"优化企业信用修复,5个工作日之内依法依规重塑企业信用".

An enterprise applies online (or the window on its behalf); the kind of record decides the
department that repairs it (processes/credit_repair_routing.dmn); that department reviews,
decides and, when it agrees, repairs the record; the enterprise is told either way. Review,
decision and repair are all due at the close of the 5th working day after the application.

The clock starts on Wednesday 2026-09-30 16:00 and moves through the National Day week:
2026-10-01..07 are off and Saturday 2026-10-10 is an adjusted working day.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.queries.board import instances
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.conftest import seeded
from tests.process_helpers import (
    FORMS,
    PROCESSES,
    at,
    check_interchange,
    commitment_files,
    decision_rows,
    definitions,
    doc_table,
    inbox,
    load_units,
    task,
)

SCJ = "市市场监管局"
FGW = "市发改委"
ZJJ = "市住建局"
ROUTING = PROCESSES / "credit_repair_routing.dmn"  # record type -> department


def repair_files() -> list[SourceFile]:
    """credit_repair with its routing table and forms."""
    return definitions(["credit_repair.bpmn", "credit_repair_routing.dmn"], ["credit_*.json"])


def _world(engine: Engine) -> None:
    engine.deploy(repair_files())
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    engine.add_user("chuangkou", ["window"])  # 惠企政策兑现专窗: not this procedure's window
    engine.add_user("xinyong", ["credit_window"])  # 信用修复窗口 of the credit department
    engine.add_user("scj", ["responsible_unit"], unit=SCJ)
    engine.add_user("scj2", ["responsible_unit"], unit=SCJ)
    engine.add_user("fgw", ["responsible_unit"], unit=FGW)
    engine.add_user("zjj", ["responsible_unit"], unit=ZJJ)
    engine.add_user("sjj", ["data_bureau"])
    load_units(engine)


WORLD = seeded(_world)  # made once per process and backend, copied for each test


@pytest.fixture
def gov(engine: Engine) -> Engine:
    return engine  # holding what ``_world`` built


APPLY = {
    "channel": "一网", "enterprise_name": "景德镇某陶瓷有限公司",
    "credit_code": "91360200MA35B0001M",
    "contact_person": "王经理", "contact_phone": "0798-8888888", "record_type": "经营异常名录",
    "record_no": "景市监异〔2026〕12号", "record_summary": "未按期公示2025年度报告",
    "corrective_actions": "已于2026年9月补报并公示年度报告", "commitment_accepted": True,
    "commitment_signer": "张三（法定代表人）",
}
REVIEW = {"obligations_fulfilled": True, "materials_complete": True,
          "review_findings": "年度报告已补报公示，符合移出条件", "reviewer": "李四"}
EXECUTE = {"repair_doc_no": "景市监移〔2026〕5号", "executed_on": "2026-10-10",
           "platforms": ["国家企业信用信息公示系统"], "notice_channel": "短信"}


def apply(gov: Engine, user: str = "qiye", **changes: Any) -> InstanceView:
    return gov.start("credit_repair", {**APPLY, **changes}, user)


# -- definitions -----------------------------------------------------------------------------


def test_files_validate_without_problems(engine: Engine) -> None:
    checked = engine.validate(repair_files())
    assert checked.problems == []
    assert [(p.key, p.start_form_key, p.case_prefix) for p in checked.processes] == [
        ("credit_repair", "credit_repair_apply", "XYXF")]


def test_diagram_interchange_covers_every_element() -> None:
    check_interchange(PROCESSES / "credit_repair.bpmn", "credit_repair")


def test_routing_copy_in_docs_matches_the_decision_table() -> None:
    rows = decision_rows(ROUTING)
    kinds = json.loads((FORMS / "credit_repair_apply.json").read_text(encoding="utf-8"))[
        "properties"]["record_type"]["enum"]
    assert set(rows) - {"-"} == set(kinds) - {"其他失信信息"}  # the last one takes the fallback
    listed = {cells[0]: cells[1:] for cells in doc_table("credit_repair")
              if len(cells) == 4 and cells[1].startswith("市")}
    assert set(listed) == set(kinds)
    for kind in kinds:
        row = rows.get(kind, rows["-"])
        assert listed[kind] == [row["repair_dept"], row["repair_action"], row["repair_guidance"]]


# -- paths -----------------------------------------------------------------------------------


@WORLD
def test_enterprise_applies_and_is_repaired_within_five_working_days(
        gov: Engine, clock: FixedClock) -> None:
    view = apply(gov)
    assert view.business_key == "XYXF-2026-000001"
    # 5 working days from Wednesday 09-30: 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    assert view.data["repair_due"] == "2026-10-13T17:30:00+08:00"
    assert (view.data["repair_dept"], view.data["repair_action"]) == (
        SCJ, "移出经营异常名录，在国家企业信用信息公示系统同步更新")
    review = task(gov, "scj", "review")
    assert (review.role, review.unit, review.due_at) == (
        "responsible_unit", SCJ, at("2026-10-13T17:30:00+08:00"))
    assert [t.id for t in inbox(gov, "scj2")] == [review.id]
    assert inbox(gov, "fgw") == [] and inbox(gov, "zjj") == [] and inbox(gov, "qiye") == []
    with pytest.raises(PermissionDenied):
        gov.complete(review.id, REVIEW, "fgw")

    clock.set(at("2026-10-08T10:00:00+08:00"))
    gov.complete(review.id, REVIEW, "scj")
    decide = task(gov, "scj", "decide")
    assert decide.due_at == at("2026-10-13T17:30:00+08:00")  # the same 5 working days
    clock.set(at("2026-10-09T16:00:00+08:00"))
    gov.complete(decide.id, {"decision": "approve", "decision_opinion": "同意移出"}, "scj2")
    execute = task(gov, "scj", "execute")
    assert execute.due_at == at("2026-10-13T17:30:00+08:00")
    with pytest.raises(InvalidData) as err:
        gov.complete(execute.id, {**EXECUTE, "platforms": []}, "scj")
    assert err.value.field_errors == {"platforms": "此项为必填项"}

    clock.set(at("2026-10-10T10:00:00+08:00"))  # the adjusted working Saturday
    done = gov.complete(execute.id, EXECUTE, "scj")
    assert done.status == "completed" and done.tasks == []
    data = done.data
    assert (data["outcome"], data["on_time"]) == ("已修复", True)
    assert data["repair_record"] == {
        "case_no": "XYXF-2026-000001", "enterprise_name": "景德镇某陶瓷有限公司",
        "credit_code": "91360200MA35B0001M", "record_type": "经营异常名录",
        "record_no": "景市监异〔2026〕12号", "repair_dept": SCJ,
        "repair_action": "移出经营异常名录，在国家企业信用信息公示系统同步更新",
        "repair_doc_no": "景市监移〔2026〕5号", "platforms": ["国家企业信用信息公示系统"],
        "applied_at": "2026-09-30T16:00:00+08:00", "repair_due": "2026-10-13T17:30:00+08:00",
        "repaired_at": "2026-10-10T10:00:00+08:00", "on_time": True}
    assert data["notices"] == [{
        "to": "景德镇某陶瓷有限公司", "type": "信用修复结果告知", "at": "2026-10-10T10:00:00+08:00",
        "channel": "短信",
        "content": "贵企业经营异常名录（景市监异〔2026〕12号）已完成信用修复：移出经营异常名录，"
                   "在国家企业信用信息公示系统同步更新（景市监移〔2026〕5号）"}]
    assert gov.timers.pending() == []
    assert gov.instance(view.id, user="qiye").status == "completed"  # the applicant follows it


@WORLD
def test_window_application_refused_late_with_reason_and_basis(
        gov: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-09T11:00:00+08:00"))  # Friday before the adjusted working Saturday
    apply(gov, "xinyong", channel="一窗", record_type="行政处罚信息",
                 record_no="景市环罚〔2026〕3号")
    review = task(gov, "fgw", "review")
    # 5 working days from Friday 10-09: 10-10 (Sat), 10-12, 10-13, 10-14, 10-15
    assert (review.unit, review.due_at) == (FGW, at("2026-10-15T17:30:00+08:00"))
    assert inbox(gov, "xinyong") == [] and inbox(gov, "scj") == []
    gov.complete(review.id, {**REVIEW, "obligations_fulfilled": False,
                             "review_findings": "罚款尚未缴清"}, "fgw")
    decide = task(gov, "fgw", "decide")
    with pytest.raises(InvalidData) as err:
        gov.complete(decide.id, {"decision": "reject"}, "fgw")
    assert err.value.field_errors == {"reject_reason": "此项为必填项",
                                      "reject_basis": "此项为必填项"}
    clock.set(at("2026-10-16T09:00:00+08:00"))  # a day past the 5 working days
    assert task(gov, "fgw", "decide").overdue
    done = gov.complete(decide.id, {
        "decision": "reject", "reject_reason": "罚款尚未缴清",
        "reject_basis": "履行行政处罚决定规定的义务后可再次申请"}, "fgw")
    assert done.status == "completed" and done.tasks == []
    data = done.data
    assert (data["outcome"], data["on_time"], data["channel"]) == ("不予修复", False, "一窗")
    assert data["notices"] == [{
        "to": "景德镇某陶瓷有限公司", "type": "不予修复告知", "at": "2026-10-16T09:00:00+08:00",
        "reason": "罚款尚未缴清", "basis": "履行行政处罚决定规定的义务后可再次申请"}]
    assert "repair_record" not in data


@WORLD
def test_late_repair_is_flagged_and_recorded(gov: Engine, clock: FixedClock) -> None:
    view = apply(gov, record_type="建筑市场不良行为记录", record_no="景建不良〔2026〕2号")
    clock.set(at("2026-10-13T16:00:00+08:00"))
    gov.complete(task(gov, "zjj", "review").id, REVIEW, "zjj")
    gov.complete(task(gov, "zjj", "decide").id, {"decision": "approve"}, "zjj")
    clock.set(at("2026-10-14T09:00:00+08:00"))
    execute = task(gov, "zjj", "execute")
    assert execute.overdue and execute.due_at == at("2026-10-13T17:30:00+08:00")
    done = gov.complete(execute.id, {**EXECUTE, "platforms": ["全国建筑市场监管公共服务平台"]},
                        "zjj")
    assert done.data["on_time"] is False
    assert done.data["repair_record"]["repaired_at"] == "2026-10-14T09:00:00+08:00"
    assert view.id == done.id


@pytest.mark.parametrize(("record_type", "dept"), [
    ("行政处罚信息", FGW), ("经营异常名录", SCJ), ("严重违法失信名单", SCJ),
    ("建筑市场不良行为记录", ZJJ), ("虚假承诺黑名单", FGW), ("其他失信信息", FGW)])
@WORLD
def test_the_kind_of_record_decides_who_repairs_it(gov: Engine, record_type: str,
                                                   dept: str) -> None:
    view = apply(gov, record_type=record_type)
    assert [(t.name, t.unit) for t in view.tasks] == [("review", dept)]
    rows = decision_rows(ROUTING)
    assert view.data["repair_action"] == rows.get(record_type, rows["-"])["repair_action"]


@WORLD
def test_only_enterprises_and_the_window_apply(gov: Engine) -> None:
    # the window is the credit department's 信用修复窗口; the 惠企政策兑现专窗 takes subsidy
    # applications only (plan 7 二(三)2), so it cannot file a credit repair
    for user in ("scj", "sjj", "chuangkou"):
        with pytest.raises(PermissionDenied):
            apply(gov, user)
    with pytest.raises(InvalidData) as err:
        apply(gov, commitment_accepted=False, credit_code="X", record_type="其他")
    assert set(err.value.field_errors) == {"commitment_accepted", "credit_code", "record_type"}


# -- the 虚假承诺黑名单 of commitment_check, repaired here ------------------------------------


def current_blacklist(engine: Engine) -> dict[str, dict[str, Any]]:
    """The 虚假承诺黑名单 as docs/processes.md tells other flows to read
    it: entries of completed commitment_check cases, minus those a completed credit_repair
    case repaired (matched by credit code and the record number naming the check case)."""
    listed: dict[tuple[str, str], dict[str, Any]] = {}
    for case in instances(engine, process="commitment_check", status="completed", limit=10_000):
        data = engine.instance(case.id).data
        if data.get("blacklisted") is True:
            entry = data["blacklist_entry"]
            listed[(entry["credit_code"], entry["case_no"])] = entry
    for case in instances(engine, process="credit_repair", status="completed", limit=10_000):
        data = engine.instance(case.id).data
        if data["record_type"] == "虚假承诺黑名单" and data["outcome"] == "已修复":
            listed.pop((data["credit_code"], data["record_no"]), None)
    return {code: entry for (code, _), entry in listed.items()}


@WORLD
def test_a_blacklisted_enterprise_is_repaired_and_leaves_the_blacklist(
        gov: Engine, clock: FixedClock) -> None:
    gov.deploy(commitment_files())
    check = gov.start("commitment_check", {
        "item_id": "XK-001", "permit_no": "景市监食承〔2026〕9号", "granted_on": "2026-09-30",
        "enterprise_name": "景德镇某陶瓷有限公司", "credit_code": "91360200MA35B0001M",
        "business_address": "珠山区某路1号", "commitment_summary": "经营场所符合食品安全要求",
        "commitment_signed_on": "2026-09-30"}, "scj")
    gov.complete(task(gov, "scj", "online_check").id, {
        "online_platforms": ["信用信息共享平台"], "online_result": "false",
        "online_findings": "经营场所为住宅"}, "scj")
    gov.complete(task(gov, "scj", "revoke").id, {
        "revocation_no": "景市监撤〔2026〕2号", "revoked_on": "2026-09-30",
        "revocation_reason": "经营场所不符合承诺", "statement_right_notified": True,
        "statement_summary": "未提出"}, "scj")
    gov.complete(task(gov, "fgw", "credit_listing").id, {
        "credit_record_no": "XYJL-2026-0001", "listed_on": "2026-09-30",
        "publicity_channels": ["市公共信用信息平台"], "joint_punishment_pushed": True}, "fgw")
    case_no = gov.instance(check.id).data["case_no"]
    assert set(current_blacklist(gov)) == {"91360200MA35B0001M"}

    clock.set(at("2026-10-12T09:00:00+08:00"))
    repair = apply(gov, record_type="虚假承诺黑名单", record_no=case_no,
                   record_summary="食品经营许可不实承诺", corrective_actions="已迁入合规经营场所")
    review = task(gov, "fgw", "review")
    assert review.due_at == at("2026-10-19T17:30:00+08:00")  # Monday 10-12 + 5: Monday 10-19
    # the reviewer reads the listing the record number names
    entry = current_blacklist(gov)["91360200MA35B0001M"]
    assert (entry["case_no"], entry["item_name"]) == (case_no, "食品经营许可（告知承诺）")
    gov.complete(review.id, REVIEW, "fgw")
    gov.complete(task(gov, "fgw", "decide").id, {"decision": "approve"}, "fgw")
    done = gov.complete(task(gov, "fgw", "execute").id,
                        {**EXECUTE, "platforms": ["市公共信用信息平台"]}, "fgw")
    assert done.data["outcome"] == "已修复"
    assert done.data["repair_action"] == "移出虚假承诺黑名单，信用记录标注已修复"
    assert current_blacklist(gov) == {}
    # the check case itself keeps its history: a flow cannot change another case's data
    assert gov.instance(check.id).data["blacklisted"] is True
    assert repair.id == done.id


@WORLD
def test_the_enterprise_follows_what_the_credit_window_filed_for_it(gov: Engine) -> None:
    """Filed by the window with the enterprise's 统一社会信用代码: the enterprise linked to that
    code reads the case, finds it by search and under 我的申请; another enterprise does not."""
    gov.add_user("qiye", ["enterprise"], credit_code="91360200ma35b0001m ")  # as typed
    gov.add_user("qiye2", ["enterprise"], credit_code="91360200MA35B0002Q")
    filed = gov.start("credit_repair", {**APPLY, "channel": "一窗"}, "xinyong").id
    assert gov.user("qiye").credit_code == "91360200MA35B0001M"
    assert gov.instance(filed, "qiye").data["contact_phone"] == "0798-8888888"
    assert [a.case.instance_id for a in gov.worklists.applications("qiye")] == [filed]
    assert [h.instance_id for h in gov.search.find("XYXF", "qiye").hits] == [filed]
    assert gov.worklists.applications("qiye2") == []
    assert gov.search.find("XYXF", "qiye2").hits == []
    with pytest.raises((NotFound, PermissionDenied)):
        gov.instance(filed, "qiye2")


@WORLD
def test_an_enterprise_applies_only_under_its_own_code(gov: Engine) -> None:
    """An enterprise with a registered 统一社会信用代码 applies for itself: another company's
    code is refused beside the field, its own is taken; the
    credit window still files for any enterprise."""
    gov.add_user("qiye2", ["enterprise"], credit_code="91360200MA35B0002Q")
    with pytest.raises(InvalidData) as refused:
        apply(gov, "qiye2")  # APPLY carries 91360200MA35B0001M
    assert set(refused.value.field_errors) == {"credit_code"}
    assert "91360200MA35B0002Q" in refused.value.field_errors["credit_code"]
    assert gov.instance_ids() == []
    own = apply(gov, "qiye2", credit_code="91360200MA35B0002Q")
    assert own.data["credit_code"] == "91360200MA35B0002Q"
    # an enterprise account without a code, and the window: any enterprise's code
    assert apply(gov, "qiye").data["credit_code"] == "91360200MA35B0001M"
    filed = gov.start("credit_repair", {**APPLY, "channel": "一窗"}, "xinyong")
    assert filed.data["credit_code"] == "91360200MA35B0001M"
