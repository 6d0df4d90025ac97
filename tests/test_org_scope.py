"""Each 纪委监委 runs its own intake, approval and case management (engine/org/scope.py): two
counties work side by side on the shipped clue_triage and never see each other's clues, in
the inbox, on the case, in the ledger, on the board, through the API or in notices; the
city sees its own clues, and its supervisors read the whole city."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Engine
from engine.errors import CaseHidden, InvalidData, NotFound, PermissionDenied
from engine.notify.recipients import task_recipients
from engine.org import scope
from engine.queries.board import overdue_board
from tests.process_helpers import PROCESSES, clue_files, definitions
from tests.test_api_helpers import make_api

FULIANG, LEPING, CITY = "浮梁县纪委监委", "乐平市纪委监委", "市纪委市监委"
CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
    "summary": "企业办理施工许可被要求补充清单外材料。", "owner": "cm_fl",
}


@pytest.fixture
def city(engine: Engine) -> Engine:
    """The directory, the clue procedures, and the same three roles in two counties and at
    the city (the city's in its offices: 信访室 and 案件监督管理室 act for 市纪委市监委)."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    for place, unit in (("fl", FULIANG), ("lp", LEPING)):
        engine.add_user(f"intake_{place}", ["intake"], unit=unit)
        engine.add_user(f"approver_{place}", ["approver"], unit=unit)
        engine.add_user(f"cm_{place}", ["case_manager"], unit=unit)
    engine.add_user("intake_city", ["intake"], unit="市纪委信访室")  # an alias of the office
    engine.add_user("approver_city", ["approver"], unit=CITY)
    engine.add_user("cm_city", ["case_manager"], unit="市纪委市监委案件监督管理室")
    engine.add_user("handler_lp", ["handler"], unit=LEPING)
    engine.add_user("audit_fl", ["auditor"], unit="浮梁县")
    engine.add_user("audit_city", ["auditor"], unit=CITY)
    return engine


def _task(engine: Engine, instance_id: int, name: str) -> str:
    [task] = [t for t in engine.instance(instance_id).tasks if t.name == name]
    return task.id


def test_a_county_clue_is_that_county_s_business(city: Engine) -> None:
    case = city.start("clue_triage", CLUE, "intake_fl")
    assert case.data["jurisdiction"] == FULIANG
    propose = _task(city, case.id, "propose")
    assert [t.unit for t in city.instance(case.id).tasks] == [FULIANG]

    # the other county's intake: not in the inbox, cannot claim, cannot read the case
    assert city.inbox.for_user("intake_lp") == []
    with pytest.raises(NotFound):
        city.claim(propose, "intake_lp")
    with pytest.raises(CaseHidden):
        city.instance(case.id, "intake_lp")
    # the city's intake does not get a county's clue either
    assert city.inbox.for_user("intake_city") == []
    assert [t.id for t in city.inbox.for_user("intake_fl")] == [propose]

    city.complete(propose, {"disposal": "转办", "proposal_reason": "可查性强",
                            "handler_unit": "乐平市纪委"}, "intake_fl")  # an alias
    approve = _task(city, case.id, "approve")
    assert city.inbox.for_user("approver_lp") == []
    with pytest.raises(NotFound):
        city.complete(approve, {"approved": True}, "approver_lp")
    with pytest.raises(PermissionDenied):
        city.complete(approve, {"approved": True}, "approver_city")  # reads, may not act
    city.complete(approve, {"approved": True}, "approver_fl")
    assert city.instance(case.id).data["handler_unit"] == LEPING  # stored by its name

    # supervisors read within their reach: the county's and the city's, not the other's
    city.instance(case.id, "cm_fl")
    city.instance(case.id, "cm_city")
    city.instance(case.id, "audit_fl")
    with pytest.raises(CaseHidden):
        city.instance(case.id, "cm_lp")
    # the handler unit it went to reads it through its task, and so do that county's
    # supervisors: the case has reached their jurisdiction
    city.complete(_task(city, case.id, "transfer"), {"transfer_note": "请核查"}, "intake_fl")
    city.instance(case.id, "handler_lp")
    city.instance(case.id, "cm_lp")


def test_the_city_works_its_own_clues_in_its_offices(city: Engine) -> None:
    case = city.start("clue_triage", {**CLUE, "owner": "cm_city"}, "intake_city")
    assert case.data["jurisdiction"] == CITY  # the body the 信访室 works in
    propose = _task(city, case.id, "propose")
    assert [t.id for t in city.inbox.for_user("intake_city")] == [propose]
    assert city.inbox.for_user("intake_fl") == []
    city.complete(propose, {"disposal": "直接核查", "proposal_reason": "线索具体",
                            "handler_unit": "市纪委市监委监督检查室"}, "intake_city")
    approve = _task(city, case.id, "approve")
    assert [t.id for t in city.inbox.for_user("approver_city")] == [approve]
    assert city.inbox.for_user("approver_fl") == []
    with pytest.raises(CaseHidden):
        city.instance(case.id, "audit_fl")  # a county auditor does not read the city's


def test_ledgers_boards_notices_and_the_api_keep_the_counties_apart(city: Engine) -> None:
    fl = city.start("clue_triage", CLUE, "intake_fl")
    lp = city.start("clue_triage", {**CLUE, "summary": "乐平的线索", "owner": "cm_lp"},
                    "intake_lp")

    def ledger_ids(user: str) -> list[int]:
        return city.ledger("clue", user).instance_ids

    assert ledger_ids("cm_fl") == [fl.id]
    assert ledger_ids("cm_lp") == [lp.id]
    assert ledger_ids("cm_city") == [fl.id, lp.id]
    assert city.ledger("clue", "cm_fl").to_csv().decode().count("乐平的线索") == 0

    county = city.user("audit_fl")
    assert {r.unit for r in overdue_board(city, reach=county.reach)} == {FULIANG}
    rows = overdue_board(city)
    assert {(r.unit, r.area) for r in rows} == {(FULIANG, "浮梁县"), (LEPING, "乐平市")}

    with city.transaction(read_only=True) as session:
        assert task_recipients(session, _task(city, fl.id, "propose")) == ["intake_fl"]

    api = make_api(city)
    assert api.get(f"/instances/{fl.id}", "intake_lp").status_code == 404
    assert api.get(f"/instances/{fl.id}", "intake_fl").status_code == 200
    listed = api.get("/tasks", "intake_lp").get_json()["tasks"]
    assert [t["instance_id"] for t in listed] == [lp.id]


def test_a_user_of_a_unit_outside_the_directory_is_refused(city: Engine) -> None:
    with pytest.raises(InvalidData) as refused:
        city.add_user("typo", ["intake"], unit="乐平纪委监委")
    assert "乐平市纪委监委" in refused.value.field_errors["unit"]


def test_a_ledger_lists_exactly_the_cases_its_reader_may_open(city: Engine) -> None:
    """The city's intake keeps the ledger of the clue it registered, after transferring it to
    a county; that county's intake and approver, who may not open the case, see no row."""
    case = city.start("clue_triage", {**CLUE, "owner": "intake_city"}, "intake_city")
    city.complete(_task(city, case.id, "propose"),
                  {"disposal": "转办", "proposal_reason": "可查", "handler_unit": FULIANG},
                  "intake_city")
    city.complete(_task(city, case.id, "approve"), {"approved": True}, "approver_city")
    city.complete(_task(city, case.id, "transfer"), {"transfer_note": "请核查"}, "intake_city")

    def rows(user: str) -> list[int]:
        return city.ledger("clue", user).instance_ids

    assert rows("intake_city") == [case.id] and rows("approver_city") == [case.id]
    for county_user in ("intake_fl", "approver_fl", "intake_lp"):
        with pytest.raises(CaseHidden):
            city.instance(case.id, county_user)
        assert rows(county_user) == []
    assert rows("cm_city") == [case.id]


def test_every_case_has_a_jurisdiction_so_its_intake_is_never_city_wide(city: Engine) -> None:
    """Started by a user without a unit or by the system: the city's 纪委监委; started by a
    case's message: the one it names, else the sending case's."""
    city.add_user("intake_nowhere", ["intake"])
    case = city.start("clue_triage", {**CLUE, "owner": "intake_nowhere"}, "intake_nowhere")
    assert case.data["jurisdiction"] == CITY
    propose = _task(city, case.id, "propose")
    assert [t.unit for t in city.instance(case.id).tasks] == [CITY]
    assert city.inbox.for_user("intake_fl") == [] and city.inbox.for_user("intake_lp") == []
    assert [t.id for t in city.inbox.for_user("intake_city")] == [propose]
    with pytest.raises(NotFound):
        city.claim(propose, "intake_fl")

    fl = city.start("clue_triage", CLUE, "intake_fl")
    city.complete(_task(city, fl.id, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": LEPING}, "intake_fl")
    city.complete(_task(city, fl.id, "approve"), {"approved": True}, "approver_fl")
    city.complete(_task(city, fl.id, "transfer"), {"transfer_note": "请核查"}, "intake_fl")
    [copy] = [i for i in city.instance_ids() if city.instance(i).process_key == "clue_ledger_copy"]
    assert city.instance(copy).data["jurisdiction"] == FULIANG  # the sending case's
    assert city.replay(case.id).ok and city.replay(copy).ok

    with city.transaction(read_only=True) as session:
        nobody = city.user("intake_nowhere")
        assert scope.jurisdiction_for(session, nobody) == CITY
        assert scope.jurisdiction_for(session, nobody, "乐平市纪委") == LEPING  # by an alias
        with pytest.raises(InvalidData) as refused:
            scope.jurisdiction_for(session, nobody, "乐平纪委监委")
    assert LEPING in refused.value.field_errors["jurisdiction"]


def test_a_procedure_started_without_a_unit_is_its_own_unit_s(city: Engine) -> None:
    """A 12345 complaint taken by a seat without a unit is 市政数局's (the procedure's
    owner_unit), not the city 纪委's; the clue it sends is a discipline case, so the 纪委监委
    of 市政数局's area, the city's, takes it."""
    city.deploy(definitions(["hotline_complaint.bpmn"], ["hotline_*.json"]))
    city.add_user("seat", ["data_bureau"])
    complaint = city.start("hotline_complaint", {
        "channel": "12345热线电话", "enterprise": "景德镇某陶瓷文化有限公司",
        "contact_person": "刘女士", "contact_phone": "0798-8888888",
        "summary": "某科长对企业办事吃拿卡要。"}, "seat")
    assert complaint.data["jurisdiction"] == "市政数局"
    city.complete(_task(city, complaint.id, "classify"),
                  {"category": "作风问题", "urgency": "一般", "involved_unit": "某局"}, "seat")
    [clue] = [v for v in map(city.instance, city.instance_ids())
              if v.process_key == "clue_triage"]
    assert clue.data["jurisdiction"] == CITY
    with city.transaction(read_only=True) as session:
        seat = city.user("seat")
        assert scope.jurisdiction_for(session, seat, discipline=False) == "景德镇市"
        assert scope.jurisdiction_for(session, seat, discipline=False,
                                      owner="改革创新组") == "市营商环境指挥部"
        assert scope.jurisdiction_for(session, seat, "市政数局") == CITY
