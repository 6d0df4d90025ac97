"""Scenario tests of ``legacy_case`` (one 新官不理旧账 case), with a moving clock.

Plan 2, 一 (six types) and 二(二) of the seed: reform_group registers the clue in the ledger and
transfers it by jurisdiction to the responsible unit, copying the sector regulator (routed by
type through the DMN table ``legacy_routing``); the unit verifies with the parties and proposes
handling: resolve quickly / explain and seek agreement / collective deliberation (集体研究会商),
if needed lifted to city-level coordination. Due 31 December of the campaign year.
"""

from __future__ import annotations

import pytest

from engine.api import Engine
from engine.errors import InvalidData, PermissionDenied
from engine.queries.inbox import InboxFilter
from engine.time.clock import FixedClock
from tests.conftest import seeded
from tests.process_helpers import PROCESSES, at, fire_at, legacy_files, task, tasks

MESSAGE = "legacy_clue_registered"
UNITS_FILE = PROCESSES / "units.csv"
START = at("2026-05-11T10:00:00+08:00")  # the clock's and the world's time
YEAR_END = at("2026-12-31T17:30:00+08:00")
CLUE = {
    "campaign_year": 2026,
    "clue_type": "招商引资政策不兑现",
    "enterprise": "景德镇某陶瓷科技有限公司",
    "respondent": "某工业园区管委会",
    "summary": "2019年招商引资协议承诺的设备投资奖励至今未兑现",
    "amount": 120,
    "sector": "招商引资",  # the case's field: its 行业主管部门 is 市商务局 in the directory
    "source": "公开征集",
}
VERIFY = {"facts": "与企业、管委会核实：协议有效，奖励条件已满足", "experts_involved": False}
RESOLVED = {"resolution": "奖励已拨付到位", "resolved_on": "2026-06-30"}
CLOSE = {"closing_note": "经核实已办结", "enterprise_feedback": "满意"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _world(engine: Engine) -> None:
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))  # the routing comes from it
    engine.deploy(legacy_files())
    engine.add_user("gaige", ["reform_group"])
    engine.add_user("fuliang", ["responsible_unit"], unit="浮梁县")
    engine.add_user("leping", ["responsible_unit"], unit="乐平市")
    regulators = [("shangwu", "市商务局"), ("gongxin", "市工信局"), ("jiaotong", "市交通运输局"),
                  ("fagai", "市发改委"), ("zhujian", "市住建局")]
    for name, unit in regulators:
        engine.add_user(name, ["sector_regulator"], unit=unit)
    leads = [("qt_shangwu", "市商务局"), ("qt_gongxin", "市工信局"),
             ("qt_fayuan", "市中级人民法院"), ("qt_fagai", "市发改委")]
    for name, unit in leads:
        engine.add_user(name, ["lead_department"], unit=unit)


pytestmark = seeded(_world, at=START)  # made once per process and backend, copied for each test


@pytest.fixture
def people(engine: Engine) -> Engine:
    return engine


def open_case(engine: Engine, **changes: object) -> int:
    """A clue handed over the way legacy_campaign hands it over: the message start."""
    (instance_id,) = engine.send_message(MESSAGE, {}, {**CLUE, **changes}, "gaige")
    return instance_id


def register(engine: Engine, case: int, unit: str = "浮梁县") -> None:
    transfer = task(engine, "gaige", "register_transfer", instance_id=case)
    engine.complete(transfer.id, {"unit": unit, "ledger_note": "纳入2026年台账"}, "gaige")


def propose(engine: Engine, case: int, handling: str) -> None:
    verify = task(engine, "fuliang", "verify_propose", instance_id=case)
    engine.complete(verify.id, {**VERIFY, "handling": handling}, "fuliang")


def close(engine: Engine, case: int) -> None:
    closing = task(engine, "gaige", "close_case", instance_id=case)
    assert closing.due_at == YEAR_END
    view = engine.complete(closing.id, CLOSE, "gaige")
    assert view.status == "completed"
    # closing ends the copy to the regulator and the year-end watch as well
    assert tasks(engine, "system", instance_id=case) == []
    assert [t for t in engine.timers.pending() if t.instance_id == case] == []


# -- registration, routing and transfer ----------------------------------------------------

# (问题类型, 牵头部门, its user or None when 改革创新组 coordinates): the copy always goes to
# the regulator of the case's own field (the clue's sector), never to the lead department
ROUTES = [
    ("招商引资政策不兑现", "市商务局", "qt_shangwu"),
    ("合作协议不履行", "市营商环境指挥部改革创新组", None),
    ("账款支付不到位", "市工信局", "qt_gongxin"),
    ("法院判决不执行", "市中级人民法院", "qt_fayuan"),
    ("涉政府产权纠纷", "市发改委", "qt_fagai"),
    ("其他", "市营商环境指挥部改革创新组", None),
]
REGULATOR_USERS = {"shangwu", "gongxin", "jiaotong", "fagai", "zhujian"}
LEAD_USERS = {"qt_shangwu", "qt_gongxin", "qt_fayuan", "qt_fagai"}


@pytest.mark.parametrize(("clue_type", "lead", "lead_user"), ROUTES)
def test_each_type_is_routed_by_the_decision_table(
    people: Engine, clue_type: str, lead: str, lead_user: str | None
) -> None:
    case = open_case(people, clue_type=clue_type)
    view = people.instance(case)
    assert view.business_key == "JZ-2026-000001" == view.data["case_no"]
    assert (view.data["lead_department"], view.data["sector_regulator"]) == (lead, "市商务局")
    assert view.data["case_due"] == "2026-12-31T17:30:00+08:00"
    ledger = task(people, "gaige", "register_transfer", instance_id=case)
    # the transfer has its own limit (5 working days), not the year's: 移交是否按期 means it
    assert (ledger.role, ledger.unit, ledger.due_at) == (
        "reform_group", None, at("2026-05-18T17:30:00+08:00"))
    assert tasks(people, "fuliang", instance_id=case) == []
    register(people, case)
    # transferred to the responsible unit, copied to the regulator of the case's field
    verify = task(people, "fuliang", "verify_propose", instance_id=case)
    assert (verify.role, verify.unit, verify.due_at) == ("responsible_unit", "浮梁县", YEAR_END)
    assert tasks(people, "leping", instance_id=case) == []
    copy = task(people, "shangwu", "regulator_guidance", instance_id=case)
    assert (copy.role, copy.unit, copy.due_at) == ("sector_regulator", "市商务局", YEAR_END)
    assert all(tasks(people, u, instance_id=case) == [] for u in REGULATOR_USERS - {"shangwu"})
    with pytest.raises(PermissionDenied):
        people.complete(copy.id, {"guidance": "x"}, "zhujian")
    # the four 牵头部门 each supervise their own type; 改革创新组 coordinates the rest itself
    others = LEAD_USERS - {lead_user} if lead_user else LEAD_USERS
    assert all(tasks(people, u, instance_id=case) == [] for u in others)
    if lead_user:
        supervision = task(people, lead_user, "lead_supervision", instance_id=case)
        assert (supervision.role, supervision.unit, supervision.due_at) == (
            "lead_department", lead, YEAR_END)
        people.complete(supervision.id, {"supervision": "督促责任单位限期整改"}, lead_user)
    # neither the guidance nor the supervision holds the case up
    people.complete(copy.id, {"guidance": "督促责任单位限期兑现"}, "shangwu")
    assert people.instance(case).status == "running"
    assert [t.name for t in tasks(people, "system", instance_id=case)] == ["verify_propose"]


def test_a_transport_payment_case_reaches_its_regulator_and_its_lead(people: Engine) -> None:
    """抄送案件涉及领域的行业主管部门 (the directory's regulator of 交通运输), while 市工信局
    督促整改 账款支付不到位 — two tasks, and the court is nobody's regulator."""
    case = open_case(people, clue_type="账款支付不到位", sector="交通运输")
    view = people.instance(case)
    assert (view.data["lead_department"], view.data["sector_regulator"]) == (
        "市工信局", "市交通运输局")
    register(people, case)
    copy = task(people, "jiaotong", "regulator_guidance", instance_id=case)
    assert (copy.role, copy.unit) == ("sector_regulator", "市交通运输局")
    supervision = task(people, "qt_gongxin", "lead_supervision", instance_id=case)
    assert (supervision.role, supervision.unit) == ("lead_department", "市工信局")
    assert tasks(people, "gongxin", instance_id=case) == []  # the lead's copy is not a copy
    assert all(tasks(people, u, instance_id=case) == []
               for u in REGULATOR_USERS - {"jiaotong"} | LEAD_USERS - {"qt_gongxin"})
    people.complete(supervision.id, {"supervision": "约谈区城投公司，限期支付"}, "qt_gongxin")
    people.complete(copy.id, {"guidance": "督促运输企业款项结算"}, "jiaotong")
    assert people.replay(case).ok


def test_cases_are_numbered_per_year_and_transfer_needs_a_unit(people: Engine) -> None:
    first, second = open_case(people), open_case(people, clue_type="账款支付不到位")
    assert people.instance(first).business_key == "JZ-2026-000001"
    assert people.instance(second).business_key == "JZ-2026-000002"
    transfer = task(people, "gaige", "register_transfer", instance_id=first)
    with pytest.raises(InvalidData) as err:
        people.complete(transfer.id, {"unit": ""}, "gaige")
    assert "unit" in err.value.field_errors
    with pytest.raises(PermissionDenied):
        people.complete(transfer.id, {"unit": "浮梁县"}, "fuliang")


def test_due_date_is_31_december_of_the_campaign_year(people: Engine) -> None:
    # a clue of the 2027 campaign entered early is still due at the end of 2027
    case = open_case(people, campaign_year=2027)
    assert task(people, "gaige", "register_transfer", instance_id=case).due_at == at(
        "2026-05-18T17:30:00+08:00")  # the transfer's own 5 working days
    register(people, case)
    assert task(people, "fuliang", "verify_propose", instance_id=case).due_at == at(
        "2027-12-31T17:30:00+08:00")
    pending = [t for t in people.timers.pending() if t.instance_id == case]
    assert [(t.element_id, t.due_at) for t in pending] == [
        ("overdue_watch", at("2027-12-31T17:30:00+08:00"))]


# -- the three ways of handling ------------------------------------------------------------


def test_clear_and_lawful_claim_is_resolved_quickly(people: Engine, clock: FixedClock) -> None:
    case = open_case(people)
    register(people, case)
    clock.set(at("2026-06-01T09:00:00+08:00"))
    verify = task(people, "fuliang", "verify_propose", instance_id=case)
    with pytest.raises(InvalidData) as err:
        people.complete(verify.id, {**VERIFY, "handling": "拖着"}, "fuliang")
    assert "handling" in err.value.field_errors
    propose(people, case, "resolve")
    resolve = task(people, "fuliang", "resolve_quickly", instance_id=case)
    assert (resolve.title, resolve.due_at) == ("压实工作责任，尽快解决", YEAR_END)
    people.complete(resolve.id, RESOLVED, "fuliang")
    close(people, case)
    data = people.instance(case).data
    assert data["handling"] == "resolve" and data["enterprise_feedback"] == "满意"


def test_unreasonable_claim_is_explained_until_agreed(people: Engine) -> None:
    case = open_case(people)
    register(people, case)
    propose(people, case, "explain")
    explain = task(people, "fuliang", "explain_agree", instance_id=case)
    assert (explain.title, explain.due_at) == ("主动沟通解释，引导达成一致", YEAR_END)
    people.complete(explain.id, {"explanation": "逐条解释政策依据，企业认可",
                                 "agreement_reached": True}, "fuliang")
    close(people, case)


def test_no_agreement_goes_to_collective_deliberation(people: Engine) -> None:
    case = open_case(people)
    register(people, case)
    propose(people, case, "explain")
    explain = task(people, "fuliang", "explain_agree", instance_id=case)
    people.complete(explain.id, {"explanation": "企业坚持原诉求", "agreement_reached": False},
                    "fuliang")
    deliberate = task(people, "fuliang", "deliberate", instance_id=case)
    assert deliberate.title == "集体研究会商"
    people.complete(deliberate.id, {"meeting_date": "2026-07-02", "deliberation": "按协议兑现一半",
                                    "needs_city_coordination": False}, "fuliang")
    implement = task(people, "fuliang", "implement_resolution", instance_id=case)
    assert implement.due_at == YEAR_END
    people.complete(implement.id, RESOLVED, "fuliang")
    close(people, case)


def test_major_case_is_deliberated_and_resolved_locally(people: Engine) -> None:
    case = open_case(people, amount=5000)
    register(people, case)
    propose(people, case, "deliberate")
    # the ledger (screen, CSV and Excel) names the choice by its title, not its code
    ledger = people.ledger("legacy")
    [cell] = {row[ledger.headers.index("处理意见")] for row in ledger.rows}
    assert cell.endswith("集体研究会商") and b"deliberate" not in ledger.to_csv()
    deliberate = task(people, "fuliang", "deliberate", instance_id=case)
    people.complete(deliberate.id, {"meeting_date": "2026-07-02", "deliberation": "分期支付",
                                    "needs_city_coordination": False}, "fuliang")
    assert tasks(people, "gaige", "city_coordination", instance_id=case) == []
    people.complete(task(people, "fuliang", "implement_resolution", instance_id=case).id, RESOLVED,
                    "fuliang")
    close(people, case)


def test_major_case_is_lifted_to_city_level_coordination(people: Engine) -> None:
    case = open_case(people, clue_type="涉政府产权纠纷", amount=8000)
    register(people, case)
    propose(people, case, "deliberate")
    deliberate = task(people, "fuliang", "deliberate", instance_id=case)
    people.complete(deliberate.id, {"meeting_date": "2026-07-02", "deliberation": "涉及多部门",
                                    "needs_city_coordination": True}, "fuliang")
    assert tasks(people, "fuliang", instance_id=case) == []
    coordinate = task(people, "gaige", "city_coordination", instance_id=case)
    assert (coordinate.role, coordinate.due_at) == ("reform_group", YEAR_END)
    with pytest.raises(PermissionDenied):
        people.complete(coordinate.id, {}, "fuliang")
    people.complete(coordinate.id, {"coordination_opinion": "市级专题协调：由市发改委牵头补偿",
                                    "coordinated_on": "2026-08-15"}, "gaige")
    implement = task(people, "fuliang", "implement_resolution", instance_id=case)
    people.complete(implement.id, RESOLVED, "fuliang")
    close(people, case)
    data = people.instance(case).data
    assert data["coordination_opinion"].startswith("市级专题协调")
    assert people.replay(case).ok


# -- overdue -------------------------------------------------------------------------------


def test_case_not_closed_within_the_year_is_overdue_and_supervised(people: Engine) -> None:
    case = open_case(people)
    register(people, case)
    fire_at(people, "2026-12-31T17:29:00+08:00")  # the year closes with the office
    assert not task(people, "fuliang", "verify_propose", instance_id=case).overdue
    assert tasks(people, "gaige", "overdue_supervision", instance_id=case) == []
    fire_at(people, "2026-12-31T17:30:01+08:00")
    late = task(people, "fuliang", "verify_propose", instance_id=case)
    assert late.overdue
    assert [t.id for t in people.inbox.for_user("fuliang", InboxFilter(overdue=True))] == [late.id]
    supervise = task(people, "gaige", "overdue_supervision", instance_id=case)
    assert supervise.title == "逾期未办结：督办，考核扣分或移交纪检监察机关"
    people.complete(supervise.id, {"measures": "约谈责任单位", "deduct_points": True,
                                   "refer_to_discipline": False}, "gaige")
    # the case carries on after the year end and is closed late
    propose(people, case, "resolve")
    people.complete(task(people, "fuliang", "resolve_quickly", instance_id=case).id, RESOLVED,
                    "fuliang")
    close(people, case)
    # the supervision decision is on the record (the history), branch data is not merged
    recorded = [e.payload for e in people.history(case) if e.type == "completed"
                and e.payload["element_id"] == "overdue_supervision"]
    assert recorded[0]["data"]["deduct_points"] is True
    assert people.replay(case).ok


def test_closing_withdraws_open_overdue_supervision(people: Engine) -> None:
    case = open_case(people)
    register(people, case)
    propose(people, case, "resolve")
    fire_at(people, "2027-01-04T09:00:00+08:00")
    assert task(people, "gaige", "overdue_supervision", instance_id=case)
    people.complete(task(people, "fuliang", "resolve_quickly", instance_id=case).id, RESOLVED,
                    "fuliang")
    close(people, case)


# -- everyday operations ---------------------------------------------------------------------

def test_wrong_jurisdiction_is_sent_back_then_urged_transferred_and_returned(
        people: Engine, clock: FixedClock) -> None:
    """浮梁县 finds the problem lies in 乐平市 and sends it back (退回) to the reform group's
    registration, through the split that copied the regulator; the reform group transfers it
    to 乐平市 and urges it (催办); 乐平市's handler passes it to a colleague (转办); at closing
    the reform group sends the resolution back for its evidence."""
    case = open_case(people)
    register(people, case)
    copy = task(people, "shangwu", "regulator_guidance", instance_id=case)
    verify = task(people, "fuliang", "verify_propose", instance_id=case)
    assert [s.element_id for s in people.ops.send_back_steps(verify.id, "fuliang")] == [
        "register_transfer"]
    clock.set(at("2026-05-12T09:00:00+08:00"))
    back = people.ops.send_back(verify.id, "fuliang", "问题发生在乐平市，不属本县事权")
    assert [(t.name, t.assignee) for t in back.tasks] == [("register_transfer", "gaige")]
    # the copy to the regulator and the year-end watch went back with the split
    assert tasks(people, "shangwu", instance_id=case) == []
    assert [t for t in people.timers.pending() if t.instance_id == case] == []
    assert people.instance(copy.instance_id).status == "running"
    register(people, case, unit="乐平市")
    assert task(people, "shangwu", "regulator_guidance", instance_id=case)
    verify = task(people, "leping", "verify_propose", instance_id=case)
    with pytest.raises(PermissionDenied):
        people.ops.urge(verify.id, "shangwu", "请尽快")  # a regulator does not urge
    people.ops.urge(verify.id, "gaige", "请于月底前核实")
    people.add_user("leping2", ["responsible_unit"], unit="乐平市")
    people.ops.transfer(verify.id, "leping", "由分管同志办理", to_user="leping2")
    people.complete(verify.id, {**VERIFY, "handling": "resolve"}, "leping2")
    resolve = task(people, "leping", "resolve_quickly", instance_id=case)
    people.complete(resolve.id, RESOLVED, "leping")
    closing = task(people, "gaige", "close_case", instance_id=case)
    again = people.ops.send_back(closing.id, "gaige", "请补充奖励拨付凭证")
    assert [t.name for t in again.tasks
            if t.name not in ("regulator_guidance", "lead_supervision")] == ["resolve_quickly"]
    people.complete(task(people, "leping", "resolve_quickly", instance_id=case).id, RESOLVED,
                    "leping")
    people.complete(task(people, "shangwu", "regulator_guidance", instance_id=case).id,
                    {"guidance": "已督促园区管委会拨付"}, "shangwu")
    close(people, case)
    kinds = [e.type for e in people.history(case)]
    assert kinds.count("sent_back") == 2 and {"urged", "transferred"} <= set(kinds)
    assert people.replay(case).ok
