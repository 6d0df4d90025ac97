"""Known data for the statistics tests: real shipped procedures walked with a moving clock,
so every figure has an exact expected value. Shared by tests/test_stats.py,
tests/test_api_stats.py, tests/test_ui_stats.py and tests/test_browser_stats.py; the 中介服务
clues have a story of their own (:func:`intermediary_data`).

The story (2026, Asia/Shanghai):
- 05-11 10:00  two legacy cases: L1 招商引资政策不兑现 to 浮梁县, L2 账款支付不到位 to 乐平市.
- 06-01 09:00  L1 is verified, resolved and closed (after 自查摸排 ended on 05-31).
- 09-30 16:00  clue A (举报直通车, 推诿拖延刁难) is registered, proposed and approved to
               浮梁县纪委监委;
               a 即申即享 application (JS-002, 市商务局) and a 12345 complaint come in.
- 09-30 16:10  the complaint is answered at once and rated 非常满意.
- 10-09 09:00  clue A is transferred, late (due 10-08 17:30 after National Day); clue B
               (12345热线, 吃拿卡要) is registered and approved to 乐平市纪委监委.
- 10-09 10:00  the application is approved; 10-10 15:00 paid (due 10-10 17:30, adjusted Saturday).
- 10-12 09:00  now: clue B's transfer (due 10-10 17:30) is overdue and open.
"""

from __future__ import annotations

from engine.api import Engine
from engine.files.attachments import Upload
from engine.time.clock import FixedClock
from tests.process_helpers import at, clue_files, definitions, legacy_files, load_units, task
from tests.test_process_clue_triage import FULIANG, LEPING, approve_disposal, do, register
from tests.test_process_hotline_complaint import COMPLAINT
from tests.test_process_intermediary_clue import ACCEPT, PLAN, RECTIFIED, REPORT
from tests.test_process_intermediary_clue import clue_files as intermediary_files
from tests.test_process_legacy_case import CLUE as CLE

NOW = "2026-10-12T09:00:00+08:00"
SWJ = "市商务局"
ALL_READER = "chu_audit"
SUPERVISORS = {"sun": "case_manager", "zhou": "supervision_office", "feng": "style_group",
               "gaige": "reform_group", "chu": "city_leader"}


def add_people(engine: Engine, password: str | None = None) -> None:
    """``password``: for the supervisors and the handler zhao, who sign in to pages."""
    for name, role in SUPERVISORS.items():
        engine.add_user(name, [role], password=password, display_name=name)
    # a city leader who also audits: reads every case a count takes in, so a count's list of
    # cases or tasks is all of it (a leader alone lists those of the 纪委's procedures)
    engine.add_user(ALL_READER, ["city_leader", "auditor"])
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    engine.add_user("zhao", ["handler"], unit=FULIANG, password=password)
    engine.add_user("qian", ["handler"], unit=LEPING)
    engine.add_user("fuliang", ["responsible_unit"], unit="浮梁县")
    engine.add_user("leping", ["responsible_unit"], unit="乐平市")
    engine.add_user("zhujian", ["sector_regulator"], unit="市住建局")
    engine.add_user("swj", ["policy_dept"], unit=SWJ)
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    engine.add_user("sjj", ["data_bureau"])
    engine.add_user("xu", ["data_bureau"])
    engine.add_user("audit", ["auditor"])


# Legacy cases route by the unit directory, so these figures load the few units they name.
# The county 纪委监委 appear only as 承办部门 beside their county, not as 纪委监委 under it: the
# figures keep one citywide intake and count a county's own cases, as without a directory
# (test_stats.py loads the whole directory where it checks what a directory changes).
ROUTING_UNITS = """id,name,full_name,aliases,kind,parent,tags,fields
jdz,景德镇市,景德镇市,,行政区,,,
jdz.yshj,市营商环境指挥部,景德镇市优化营商环境指挥部,,市直部门,jdz,,
jdz.yshj.gc,市营商环境指挥部改革创新组,景德镇市优化营商环境指挥部改革创新组,,内设机构,jdz.yshj,,
jdz.swj,市商务局,景德镇市商务局,,市直部门,jdz,牵头部门|行业主管部门,商务|招商引资
jdz.gxj,市工信局,景德镇市工业和信息化局,,市直部门,jdz,牵头部门|行业主管部门,工业|账款支付
fl,浮梁县,景德镇市浮梁县,,行政区,jdz,县区,
lp,乐平市,乐平市,,行政区,jdz,县区,
fl.jw,浮梁县纪委监委,浮梁县纪委监委,,内设机构,jdz,承办部门,
lp.jw,乐平市纪委监委,乐平市纪委监委,,内设机构,jdz,承办部门,
"""


def deploy(engine: Engine) -> None:
    engine.deploy([*clue_files(), *legacy_files(),
                   *definitions(["subsidy_*.bpmn", "policy_catalogue.dmn"],
                                ["subsidy_*.json", "commitment_check_credit.json"]),
                   *definitions(["hotline_complaint.bpmn"], ["hotline_*.json"])])


def _legacy_case(engine: Engine, clue_type: str, unit: str) -> int:
    (case,) = engine.send_message("legacy_clue_registered", {},
                                  {**CLE, "clue_type": clue_type}, "gaige")
    transfer = task(engine, "gaige", "register_transfer", instance_id=case)
    engine.complete(transfer.id, {"unit": unit, "ledger_note": "纳入2026年台账"}, "gaige")
    return int(case)


def _close_legacy(engine: Engine, case: int) -> None:
    verify = task(engine, "fuliang", "verify_propose", instance_id=case)
    engine.complete(verify.id, {"facts": "已核实", "experts_involved": False,
                                "handling": "resolve"}, "fuliang")
    resolve = task(engine, "fuliang", "resolve_quickly", instance_id=case)
    engine.complete(resolve.id, {"resolution": "奖励已拨付到位", "resolved_on": "2026-06-01"},
                    "fuliang")
    closing = task(engine, "gaige", "close_case", instance_id=case)
    engine.complete(closing.id, {"closing_note": "经核实已办结", "enterprise_feedback": "满意"},
                    "gaige")


APPLICATION = {
    "policy_id": "JS-002", "channel": "一网", "enterprise_name": "景德镇某陶瓷有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "王经理",
    "contact_phone": "0798-8888888", "bank_account": "中国银行景德镇分行 1234567890",
    "requested_amount": 36000, "application_summary": "2026年投保出口信用保险，实缴保费12万元"}
PAYOUT = {"paid_amount": 36000, "paid_on": "2026-10-10", "payment_voucher": "SW-2026-0042",
          "notice_channel": "短信"}


def known_data(engine: Engine, clock: FixedClock, password: str | None = None) -> Engine:
    deploy(engine)
    add_people(engine, password)
    engine.import_units(ROUTING_UNITS)
    clock.set(at("2026-05-11T10:00:00+08:00"))
    first = _legacy_case(engine, "招商引资政策不兑现", "浮梁县")
    _legacy_case(engine, "账款支付不到位", "乐平市")
    clock.set(at("2026-06-01T09:00:00+08:00"))
    _close_legacy(engine, first)

    clock.set(at("2026-09-30T16:00:00+08:00"))
    register(engine, channel="举报直通车", problem_type="推诿拖延刁难")
    approve_disposal(engine, "转办", FULIANG)
    subsidy = engine.start("subsidy_instant", APPLICATION, "qiye").id
    complaint = engine.start("hotline_complaint", COMPLAINT, "xu").id
    clock.set(at("2026-09-30T16:10:00+08:00"))
    classify = task(engine, "xu", "classify", instance_id=complaint)
    engine.complete(classify.id, {"category": "直接答复", "urgency": "一般",
                                  "answer": "依据知识库答复。"}, "xu")
    revisit = task(engine, "xu", "revisit", instance_id=complaint)
    engine.complete(revisit.id, {"rating": "非常满意"}, "xu")

    clock.set(at("2026-10-09T09:00:00+08:00"))
    do(engine, "li", "transfer", {"transfer_note": "请优先核查"})
    register(engine, channel="12345热线", problem_type="吃拿卡要")
    approve_disposal(engine, "转办", LEPING)
    clock.set(at("2026-10-09T10:00:00+08:00"))
    approve = task(engine, "swj", "approve", instance_id=subsidy)
    engine.complete(approve.id, {"decision": "approve", "approved_amount": 36000}, "swj")
    clock.set(at("2026-10-10T15:00:00+08:00"))
    engine.complete(task(engine, "swj", "pay", instance_id=subsidy).id, PAYOUT, "swj")
    clock.set(at(NOW))
    return engine


# -- the 中介服务 clues (intermediary_clue), a story of their own --------------------------------

INTERMEDIARY_NOW = "2026-10-22T09:00:00+08:00"
ZJJ, ZRZYJ, FL = "市住建局", "市自然资源局", "浮梁县"


def intermediary_data(engine: Engine, clock: FixedClock, password: str | None = None) -> Engine:
    """Three 中介服务 clues over the shipped unit directory, counted at 10-22 09:00:

    - 09-30 16:00  ZJXS-2026-000001 (online, ZJ-001 施工图审查, 市场秩序): proposed to 市住建局;
                   ZJXS-2026-000002 (the 专班 logs a call, no item, 中介收费);
                   ZJXS-2026-000003 (online, ZJ-004 规划核实测量, 中介收费): proposed to
                   市自然资源局.
    - 10-08 10:00  the 专班 transfers 1 to 市住建局 and 2 to 浮梁县, declines 3 (不予受理).
    - 10-09 15:00  both units plan: 1 to be rectified by 10-12, 2 by 10-20.
    - 10-13 09:00  市住建局 reports 1, late (due 10-12 17:30); 10:00 the 专班 closes it out.
    - 10-22 09:00  now: 浮梁县's rectification of 2 (due 10-20 17:30) is open and overdue.
    """
    engine.deploy(intermediary_files())
    for name, role in SUPERVISORS.items():
        engine.add_user(name, [role], password=password, display_name=name)
    engine.add_user(ALL_READER, ["city_leader", "auditor"])
    engine.add_user("zhuanban", ["data_bureau"], password=password, display_name="zhuanban")
    engine.add_user("fl_sjj", ["data_bureau"], unit="浮梁县政数局")
    engine.add_user("fl_cm", ["case_manager"], unit="浮梁县纪委监委")
    engine.add_user("qiye", ["enterprise"], unit="景德镇某建材有限公司")
    engine.add_user("fl", ["responsible_unit"], unit=FL)
    engine.add_user("zjj", ["responsible_unit"], unit=ZJJ)
    engine.add_user("audit", ["auditor"])
    load_units(engine)  # after the enterprise: its unit is no directory's

    clock.set(at("2026-09-30T16:00:00+08:00"))
    first = engine.start("intermediary_clue", {**REPORT, "intermediary_item": "ZJ-001"},
                         "qiye").id
    call = {k: v for k, v in REPORT.items() if k not in ("reporter_name", "contact_phone")}
    second = engine.start("intermediary_clue", {**call, "channel": "投诉电话", "anonymous": True,
                                                "problem_category": "中介收费"}, "zhuanban").id
    third = engine.start("intermediary_clue", {**REPORT, "intermediary_item": "ZJ-004",
                                               "problem_category": "中介收费"}, "qiye").id

    clock.set(at("2026-10-08T10:00:00+08:00"))
    for case, data in ((first, {**ACCEPT, "responsible_unit": ZJJ}),
                       (second, {**ACCEPT, "problem_category": "中介收费"}),
                       (third, {"classify_decision": "reject",
                                "reply_text": "不属于行政审批中介服务问题"})):
        engine.complete(task(engine, "zhuanban", "classify", instance_id=case).id, data,
                        "zhuanban")
    clock.set(at("2026-10-09T15:00:00+08:00"))
    engine.complete(task(engine, "zjj", "plan", instance_id=first).id,
                    {**PLAN, "rectify_deadline": "2026-10-12"}, "zjj")
    engine.complete(task(engine, "fl", "plan", instance_id=second).id,
                    {**PLAN, "rectify_deadline": "2026-10-20"}, "fl")
    clock.set(at("2026-10-13T09:00:00+08:00"))
    engine.complete(task(engine, "zjj", "rectify", instance_id=first).id, RECTIFIED, "zjj",
                    uploads=[Upload("evidence_materials", "整改记录.pdf", b"%PDF-1.4\n% ok\n")])
    clock.set(at("2026-10-13T10:00:00+08:00"))
    engine.complete(task(engine, "zhuanban", "confirm", instance_id=first).id,
                    {"confirm_decision": "confirm", "confirm_note": "整改到位，予以销号"},
                    "zhuanban")
    clock.set(at(INTERMEDIARY_NOW))
    return engine
