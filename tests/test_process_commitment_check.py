"""Scenario tests for `commitment_check` (告知承诺制事后核查), plan 8 二(五)7-9.

After a department grants a permit (or certifies a matter) on the applicant's written
commitment, it checks the commitment online, on site (pushed to the 互联网+监管 platform) or by
asking another agency to help (协查). A true commitment goes into the applicant's 诚信档案; a
false one revokes the decision, and the credit department (市发改委) records it and puts the
applicant on the 虚假承诺黑名单: the case ends with ``blacklisted: True`` and a
``blacklist_entry``, which is what other flows consult (see ``blacklist`` below).

The clock starts on Wednesday 2026-09-30 16:00 and moves through the National Day week:
2026-10-01..07 are off and Saturday 2026-10-10 is an adjusted working day.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import InvalidData, PermissionDenied
from engine.queries.board import instances
from engine.queries.inbox import InboxFilter
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.conftest import seeded
from tests.process_helpers import (
    PROCESSES,
    at,
    check_interchange,
    commitment_files,
    decision_rows,
    doc_table,
    inbox,
    load_units,
    task,
)

SCJ = "市市场监管局"  # ZM-001, XK-001
ZJJ = "市住建局"  # XK-002
WJW = "市卫健委"  # XK-003
ZRJ = "市自然资源局"  # asked for help (协查)
FGW = "市发改委"  # credit department


def _world(engine: Engine) -> None:
    engine.deploy(commitment_files())
    engine.add_user("scj", ["responsible_unit"], unit=SCJ)
    engine.add_user("scj2", ["responsible_unit"], unit=SCJ)
    engine.add_user("zjj", ["responsible_unit"], unit=ZJJ)
    engine.add_user("wjw", ["responsible_unit"], unit=WJW)
    engine.add_user("zrj", ["responsible_unit"], unit=ZRJ)
    engine.add_user("fgw", ["responsible_unit"], unit=FGW)
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    engine.add_user("sjj", ["data_bureau"])
    engine.add_user("audit", ["auditor"])
    load_units(engine)


WORLD = seeded(_world)  # made once per process and backend, copied for each test


@pytest.fixture
def gov(engine: Engine) -> Engine:
    return engine  # holding what ``_world`` built


START = {
    "item_id": "ZM-001", "permit_no": "景市监住承〔2026〕1号", "granted_on": "2026-09-30",
    "enterprise_name": "景德镇某陶瓷有限公司", "credit_code": "91360200MA35B0001M",
    "legal_representative": "张三", "contact_phone": "0798-8888888",
    "business_address": "珠山区某路1号",
    "commitment_summary": "本企业对珠山区某路1号房屋享有合法使用权",
    "commitment_signed_on": "2026-09-30", "waived_materials": ["住所（经营场所）使用证明"],
}
ONLINE_OK = {"online_platforms": ["数据共享交换平台"], "online_result": "consistent",
             "online_findings": "不动产登记共享数据与承诺一致"}
UNVERIFIABLE = {"online_platforms": ["一体化在线政务服务平台", "信用信息共享平台"],
                "online_result": "unverifiable", "online_findings": "相关数据尚未共享"}
ONSITE = {"inspected_on": "2026-10-12", "inspectors": "李四、王五", "site_address": "珠山区某路1号",
          "supervision_record_no": "HLWJG-2026-0012"}
REVOKE = {"revocation_no": "景市监撤〔2026〕1号", "revoked_on": "2026-10-22",
          "revocation_reason": "承诺已取得的房屋使用权不存在", "statement_right_notified": True,
          "statement_summary": "未提出"}
CREDIT = {"credit_record_no": "XYJL-2026-0007", "listed_on": "2026-10-23",
          "publicity_channels": ["信用中国（江西景德镇）网站", "市公共信用信息平台"],
          "joint_punishment_pushed": True}


def start(gov: Engine, user: str = "scj", **changes: Any) -> InstanceView:
    return gov.start("commitment_check", {**START, **changes}, user)


def blacklist(engine: Engine) -> dict[str, dict[str, Any]]:
    """How another flow (or a caseworker) consults the 虚假承诺黑名单 today: the completed
    commitment_check cases whose data says ``blacklisted``, keyed by credit code. This is the
    query docs/processes.md describes."""
    found: dict[str, dict[str, Any]] = {}
    for case in instances(engine, process="commitment_check", status="completed", limit=10_000):
        data = engine.instance(case.id).data
        if data.get("blacklisted") is True:
            found[data["blacklist_entry"]["credit_code"]] = data["blacklist_entry"]
    return found


# -- definitions -----------------------------------------------------------------------------


def test_files_validate_without_problems(engine: Engine) -> None:
    checked = engine.validate(commitment_files())
    assert checked.problems == []
    assert [(p.key, p.start_form_key, p.case_prefix) for p in checked.processes] == [
        ("commitment_check", "commitment_check_start", "CNHC")]


def test_diagram_interchange_covers_every_element() -> None:
    check_interchange(PROCESSES / "commitment_check.bpmn", "commitment_check")


def test_catalogue_copy_in_docs_matches_the_decision_table() -> None:
    rows = {item_id: row for item_id, row in decision_rows(
        PROCESSES / "commitment_check_catalogue.dmn").items() if item_id != "-"}
    listed = {cells[0]: cells[1:] for cells in doc_table("commitment_check")
              if re.fullmatch(r"[A-Z]{2}-\d{3}", cells[0])}
    assert set(listed) == set(rows)
    for item_id, row in rows.items():
        name, kind, dept, days, credit, basis = listed[item_id]
        assert (name, kind, dept, int(days), credit, basis) == (
            row["item_name"], row["item_kind"], row["owning_dept"], row["check_days"],
            row["credit_dept"], row["item_basis"]), item_id


# -- paths -----------------------------------------------------------------------------------


@WORLD
def test_online_check_confirms_the_commitment_and_records_it_in_the_credit_file(
        gov: Engine, clock: FixedClock) -> None:
    view = start(gov)
    assert view.business_key == "CNHC-2026-000001"
    data = view.data
    assert (data["item_name"], data["item_kind"], data["owning_dept"], data["check_days"]) == (
        "企业住所（经营场所）使用证明", "证明事项", SCJ, 20)
    # 20 working days from the decision on Wed 09-30: the holiday week does not count,
    # Saturday 10-10 does -> Tuesday 11-03
    assert data["check_due"] == "2026-11-03T17:30:00+08:00"
    assert data["blacklisted"] is False
    online = task(gov, "scj", "online_check")
    assert (online.role, online.unit, online.due_at) == (
        "responsible_unit", SCJ, at("2026-11-03T17:30:00+08:00"))
    assert [t.id for t in inbox(gov, "scj2")] == [online.id]  # the whole department sees it
    assert inbox(gov, "zjj") == [] and inbox(gov, "fgw") == []
    with pytest.raises(PermissionDenied):
        gov.complete(online.id, ONLINE_OK, "zjj")

    clock.set(at("2026-10-12T10:00:00+08:00"))
    done = gov.complete(online.id, ONLINE_OK, "scj2")
    assert done.status == "completed" and done.tasks == []
    data = done.data
    assert data["outcome"] == "承诺属实，核查通过"
    assert data["blacklisted"] is False and data["blacklist_entry"] is None
    assert data["check_on_time"] is True
    assert data["credit_record"] == {
        "record": "申请人诚信档案", "type": "守信：承诺属实",
        "enterprise_name": "景德镇某陶瓷有限公司", "credit_code": "91360200MA35B0001M",
        "item_id": "ZM-001", "item_name": "企业住所（经营场所）使用证明",
        "permit_no": "景市监住承〔2026〕1号", "check_method": "在线核查",
        "checked_at": "2026-10-12T10:00:00+08:00", "case_no": "CNHC-2026-000001"}
    assert [c["method"] for c in data["check_log"]] == ["在线核查"]
    assert gov.timers.pending() == []  # deadlines are due dates, not timers
    assert [e.type for e in gov.history(view.id)] == ["started", "completed"]
    assert blacklist(gov) == {}


@WORLD
def test_assistance_finds_a_false_commitment_permit_revoked_and_blacklisted(
        gov: Engine, clock: FixedClock) -> None:
    view = start(gov, "zjj", item_id="XK-002", permit_no="景建资承〔2026〕8号",
                 commitment_summary="本企业注册人员和技术负责人符合资质标准")
    online = task(gov, "zjj", "online_check")
    # XK-002: 30 working days from 09-30 -> Tuesday 11-17
    assert (online.unit, online.due_at) == (ZJJ, at("2026-11-17T17:30:00+08:00"))

    clock.set(at("2026-10-09T09:00:00+08:00"))
    with pytest.raises(InvalidData) as err:  # unverifiable online: say how to go on
        gov.complete(online.id, UNVERIFIABLE, "zjj")
    assert err.value.field_errors == {"next_method": "此项为必填项"}
    with pytest.raises(InvalidData) as err:  # assistance: from whom, about what
        gov.complete(online.id, {**UNVERIFIABLE, "next_method": "assist"}, "zjj")
    assert set(err.value.field_errors) == {"assist_unit", "assist_request"}
    gov.complete(online.id, {**UNVERIFIABLE, "next_method": "assist", "assist_unit": ZRJ,
                             "assist_request": "请核实注册人员社保缴纳单位"}, "zjj")

    assist = task(gov, "zrj", "assist_check")  # the task belongs to the agency asked
    assert (assist.role, assist.unit, assist.due_at) == (
        "responsible_unit", ZRJ, at("2026-11-17T17:30:00+08:00"))
    assert inbox(gov, "zjj") == []  # the asking department waits for the answer
    with pytest.raises(PermissionDenied):
        gov.complete(assist.id, {}, "zjj")

    clock.set(at("2026-10-20T15:00:00+08:00"))
    gov.complete(assist.id, {"assist_result": "false", "assist_reply_no": "景自然协〔2026〕3号",
                             "assist_findings": "两名注册人员社保由外地企业缴纳"}, "zrj")
    revoke = task(gov, "zjj", "revoke")
    assert revoke.due_at is None  # the seed sets no time for revocation
    assert inbox(gov, "zrj") == [] and inbox(gov, "fgw") == []
    with pytest.raises(InvalidData) as err:
        gov.complete(revoke.id, {**REVOKE, "statement_right_notified": False}, "zjj")
    assert set(err.value.field_errors) == {"statement_right_notified"}

    clock.set(at("2026-10-22T10:00:00+08:00"))  # Thursday
    gov.complete(revoke.id, REVOKE, "zjj")
    listing = task(gov, "fgw", "credit_listing")
    # 7 working days after Thursday 10-22 -> Monday 11-02
    assert (listing.unit, listing.due_at) == (FGW, at("2026-11-02T17:30:00+08:00"))
    assert inbox(gov, "zjj") == []
    data = gov.instance(view.id).data
    assert data["blacklisted"] is False  # not yet: listed by the credit department
    assert data["notices"][-1] == {"to": "景德镇某陶瓷有限公司", "type": "撤销决定告知",
                                   "at": "2026-10-22T10:00:00+08:00",
                                   "decision_no": "景市监撤〔2026〕1号",
                                   "reason": "承诺已取得的房屋使用权不存在"}

    clock.set(at("2026-10-23T09:00:00+08:00"))
    done = gov.complete(listing.id, CREDIT, "fgw")
    assert done.status == "completed"
    data = done.data
    assert data["blacklisted"] is True
    assert data["blacklist_entry"] == {
        "list": "虚假承诺黑名单", "enterprise_name": "景德镇某陶瓷有限公司",
        "credit_code": "91360200MA35B0001M", "item_id": "XK-002",
        "item_name": "建筑业企业资质（告知承诺）", "permit_no": "景建资承〔2026〕8号",
        "revocation_no": "景市监撤〔2026〕1号", "revoked_on": "2026-10-22",
        "credit_record_no": "XYJL-2026-0007", "listed_on": "2026-10-23", "listed_by": FGW,
        "listed_at": "2026-10-23T09:00:00+08:00", "case_no": "CNHC-2026-000001"}
    assert data["credit_record"]["type"] == "失信：虚假承诺"
    assert data["false_commitment"] == {"method": "协助核查",
                                        "findings": "两名注册人员社保由外地企业缴纳",
                                        "found_at": "2026-10-20T15:00:00+08:00"}
    assert data["check_on_time"] is True
    assert [(c["method"], c["result"]) for c in data["check_log"]] == [
        ("在线核查", "unverifiable"), ("协助核查", "false")]
    assert [n["type"] for n in data["notices"]] == ["撤销决定告知", "列入虚假承诺黑名单告知"]
    assert data["outcome"] == "虚假承诺：已撤销决定，记入信用记录并列入虚假承诺黑名单"
    assert blacklist(gov) == {"91360200MA35B0001M": data["blacklist_entry"]}
    assert gov.instance(view.id, user="zrj").status == "completed"  # took part: may read


@pytest.mark.parametrize(("result", "outcome", "blacklisted"), [
    ("consistent", "承诺属实，核查通过", False),
    ("false", "虚假承诺：已撤销决定，记入信用记录并列入虚假承诺黑名单", True),
])
@WORLD
def test_on_site_check_after_push_to_the_supervision_platform(
        gov: Engine, clock: FixedClock, result: str, outcome: str, blacklisted: bool) -> None:
    clock.set(at("2026-10-09T11:00:00+08:00"))  # Friday before the adjusted working Saturday
    view = start(gov, "wjw", item_id="XK-003", granted_on="2026-10-09")
    online = task(gov, "wjw", "online_check")
    # XK-003: 15 working days from Friday 10-09, Saturday 10-10 the first -> Thursday 10-29
    assert online.due_at == at("2026-10-29T17:30:00+08:00")
    gov.complete(online.id, {**UNVERIFIABLE, "next_method": "onsite"}, "wjw")
    onsite = task(gov, "wjw", "onsite_check")
    assert (onsite.unit, onsite.due_at) == (WJW, at("2026-10-29T17:30:00+08:00"))
    push = gov.instance(view.id).data["notices"][-1]
    assert push["type"] == "承诺情况推送"
    assert push["to"] == "“互联网+监管”平台（一线监管人员）"
    assert push["content"] == (
        "景德镇某陶瓷有限公司（91360200MA35B0001M）就“公共场所卫生许可（告知承诺）”"
        "（决定文号 景市监住承〔2026〕1号）承诺：本企业对珠山区某路1号房屋享有合法使用权")
    with pytest.raises(InvalidData) as err:
        gov.complete(onsite.id, {"onsite_result": "unverifiable"}, "wjw")
    assert set(err.value.field_errors) == {"onsite_result", "onsite_findings", "inspected_on",
                                           "inspectors", "site_address"}

    clock.set(at("2026-10-10T10:00:00+08:00"))
    view = gov.complete(onsite.id, {**ONSITE, "onsite_result": result,
                                    "onsite_findings": "现场情况"}, "wjw")
    if blacklisted:
        gov.complete(task(gov, "wjw", "revoke").id, REVOKE, "wjw")
        listing = task(gov, "fgw", "credit_listing")
        # revoked Saturday 10-10 (a working day): 7 working days -> Tuesday 10-20
        assert listing.due_at == at("2026-10-20T17:30:00+08:00")
        view = gov.complete(listing.id, CREDIT, "fgw")
    assert view.status == "completed"
    assert view.data["outcome"] == outcome
    assert view.data["blacklisted"] is blacklisted
    assert [c["method"] for c in view.data["check_log"]] == ["在线核查", "现场核查"]
    assert set(blacklist(gov)) == ({"91360200MA35B0001M"} if blacklisted else set())


@pytest.mark.parametrize("assist_result", ["consistent", "unverifiable"])
@WORLD
def test_assistance_answer_closes_the_case_or_sends_it_on_site(
        gov: Engine, clock: FixedClock, assist_result: str) -> None:
    view = start(gov)
    gov.complete(task(gov, "scj", "online_check").id,
                 {**UNVERIFIABLE, "next_method": "assist", "assist_unit": ZRJ,
                  "assist_request": "请核实房屋权属"}, "scj")
    clock.set(at("2026-10-08T10:00:00+08:00"))
    view = gov.complete(task(gov, "zrj", "assist_check").id,
                        {"assist_result": assist_result, "assist_reply_no": "复函1号",
                         "assist_findings": "见复函"}, "zrj")
    if assist_result == "consistent":
        assert view.status == "completed"
        assert view.data["credit_record"]["check_method"] == "协助核查"
        assert view.data["blacklisted"] is False
        return
    onsite = task(gov, "scj", "onsite_check")  # back to the department, on site
    assert onsite.due_at == at("2026-11-03T17:30:00+08:00")
    assert inbox(gov, "zrj") == []
    clock.set(at("2026-11-04T09:00:00+08:00"))  # a day late
    assert task(gov, "scj", "onsite_check").overdue
    view = gov.complete(onsite.id, {**ONSITE, "onsite_result": "consistent",
                                    "onsite_findings": "房屋由企业实际使用"}, "scj")
    assert view.status == "completed"
    assert view.data["check_on_time"] is False
    assert [c["method"] for c in view.data["check_log"]] == ["在线核查", "协助核查", "现场核查"]


@WORLD
def test_online_false_commitment_goes_straight_to_revocation(gov: Engine,
                                                             clock: FixedClock) -> None:
    view = start(gov, item_id="XK-001")
    gov.complete(task(gov, "scj", "online_check").id,
                 {**ONLINE_OK, "online_result": "false", "online_findings": "无该房屋登记信息"},
                 "scj")
    assert [t.name for t in inbox(gov, "scj")] == ["revoke"]
    assert gov.instance(view.id).data["false_commitment"]["method"] == "在线核查"


@WORLD
def test_check_time_counts_from_the_decision_date(gov: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-08T09:00:00+08:00"))  # registered a working day after the decision
    start(gov, granted_on="2026-09-30")
    assert task(gov, "scj", "online_check").due_at == at("2026-11-03T17:30:00+08:00")


@WORLD
def test_unlisted_item_is_not_checked(gov: Engine) -> None:
    view = start(gov, item_id="ZZ-999")
    assert view.status == "completed" and view.tasks == []
    assert (view.data["outcome"], view.data["outcome_reason"]) == (
        "不予核查", "事项编号 ZZ-999 未列入告知承诺事项清单")
    assert view.data["blacklisted"] is False


@WORLD
def test_only_departments_start_checks_and_the_form_is_enforced(gov: Engine) -> None:
    for user in ("qiye", "sjj", "audit"):
        with pytest.raises(PermissionDenied):
            start(gov, user)
    with pytest.raises(InvalidData) as err:
        gov.start("commitment_check", {**START, "credit_code": "123", "granted_on": "30/09/2026",
                                       "item_id": "xk-1"}, "scj")
    assert set(err.value.field_errors) == {"credit_code", "granted_on", "item_id"}
    bad = dict(START)
    del bad["commitment_summary"]
    with pytest.raises(InvalidData) as err:
        gov.start("commitment_check", bad, "scj")
    assert err.value.field_errors == {"commitment_summary": "此项为必填项"}


@WORLD
def test_blacklist_query_sees_only_finished_listings(gov: Engine, clock: FixedClock) -> None:
    kept = start(gov, enterprise_name="甲公司", credit_code="91360200MA35A0001X")
    false = start(gov, enterprise_name="乙公司", credit_code="91360200MA35A00021")
    pending = start(gov, enterprise_name="丙公司", credit_code="91360200MA35A00034")
    tasks = {t.instance_id: t for t in inbox(gov, "scj")}
    gov.complete(tasks[kept.id].id, ONLINE_OK, "scj")
    for case in (false, pending):
        gov.complete(tasks[case.id].id, {**ONLINE_OK, "online_result": "false",
                                         "online_findings": "不实"}, "scj")
    for revoke in [t for t in inbox(gov, "scj") if t.name == "revoke"]:
        gov.complete(revoke.id, REVOKE, "scj")
    listing = {t.instance_id: t for t in inbox(gov, "fgw")}
    gov.complete(listing[false.id].id, CREDIT, "fgw")
    assert set(blacklist(gov)) == {"91360200MA35A00021"}  # 丙 is revoked but not yet listed
    assert blacklist(gov)["91360200MA35A00021"]["enterprise_name"] == "乙公司"
    assert gov.inbox.for_user(None, InboxFilter(instance_id=pending.id))[0].name == (
        "credit_listing")


@WORLD
def test_the_task_page_names_the_role_as_the_lane_does(gov: Engine) -> None:
    """市发改委 holds the role 责任单位 and works the listing as the 信用主管部门 its lane names
    (as the diagram and the demo's user say), not as 责任单位; the check stays 责任单位."""
    from tests.test_hostile_input import page_client
    from web.app import create_app

    app = create_app(gov, secret_key="lanes", testing=True)
    view = start(gov, item_id="XK-001")
    check = task(gov, "scj", "online_check")
    assert "办理角色：责任单位（市市场监管局）" in page_client(app, "scj").get(
        f"/tasks/{check.id}").text
    gov.complete(check.id, {**ONLINE_OK, "online_result": "false",
                            "online_findings": "无该房屋登记信息"}, "scj")
    gov.complete(task(gov, "scj", "revoke").id, REVOKE, "scj")
    listing = task(gov, "fgw", "credit_listing")
    assert listing.instance_id == view.id
    page = page_client(app, "fgw").get(f"/tasks/{listing.id}").text
    assert "办理角色：信用主管部门（市发改委）" in page and "办理角色：责任单位" not in page
