"""Who reads a case (engine/queries/visibility.py) and what of it (engine/queries/
confidential.py), on the shipped procedures: a 12345 complaint about an official that became
the 纪委's clue ZF-2026-000001, and an enterprise's subsidy application.

Only a part in a case or its procedure opens it: the 纪委's offices read the clue and not the
enterprises' applications, the reform group its campaigns and the subsidy payouts but not the
clue, a designer no case; auditors every case. The bank account is seen by the applicant and
the department that decides and pays; the contact the same on the case and on a task; an
applicant gets neither the staff's working fields nor time travel."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.lane_roles import procedures_with_lanes
from engine.errors import CaseHidden, PermissionDenied
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.process_helpers import at, clue_files, definitions, load_units, task
from tests.test_process_hotline_complaint import COMPLAINT
from tests.test_process_subsidies import application

SWJ = "市商务局"
CODE = "91360200MA35B0001M"
SUPERVISORS = ("case_manager", "style_group", "supervision_office", "city_leader",
               "reform_group")


@pytest.fixture
def city(engine: Engine) -> Engine:
    """The directory, the clue, 12345 and subsidy procedures, and one user per role met."""
    load_units(engine)
    engine.deploy([*clue_files(),
                   *definitions(["hotline_complaint.bpmn", "subsidy_instant.bpmn",
                                 "policy_catalogue.dmn"],
                                ["hotline_*.json", "subsidy_instant_*.json", "subsidy_payout.json",
                                 "subsidy_report_receipt.json", "subsidy_supplement.json"])])
    for role in (*SUPERVISORS, "auditor", "designer", "data_bureau", "intake"):
        engine.add_user(role, [role])
    engine.add_user("policy_sw", ["policy_dept"], unit=SWJ)
    engine.add_user("qiye", ["enterprise"], credit_code=CODE)
    return engine


def reads(engine: Engine, instance_id: int, user: str) -> bool:
    try:
        engine.instance(instance_id, user)
    except CaseHidden:
        return False
    return True


def hotline_clue(engine: Engine, clock: FixedClock) -> InstanceView:
    """A complaint about an official, passed on to the 纪委 as a clue (ZF-2026-000001)."""
    complaint = engine.start("hotline_complaint", {**COMPLAINT, "summary": "某科长吃拿卡要。",
                                                   "involved_person": "张某(科长)"}, "data_bureau")
    clock.set(at("2026-09-30T16:20:00+08:00"))
    engine.complete(task(engine, "data_bureau", "classify").id,
                    {"category": "作风问题", "urgency": "一般", "involved_unit": "某县行政审批局",
                     "classify_note": "转送作风优化组"},
                    "data_bureau")
    [clue] = [v for v in map(engine.instance, engine.instance_ids())
              if v.process_key == "clue_triage" and v.data["source_case_no"]
              == engine.instance(complaint.id).business_key]
    return clue


def test_the_clue_is_read_by_the_discipline_offices_not_the_reform_group_nor_a_designer(
        city: Engine, clock: FixedClock) -> None:
    clue = hotline_clue(city, clock)
    assert clue.business_key == "ZF-2026-000001"
    readers = {u for u in (*SUPERVISORS, "auditor", "designer", "policy_sw", "qiye")
               if reads(city, clue.id, u)}
    assert readers == {"case_manager", "style_group", "supervision_office", "city_leader",
                       "auditor"}
    # lists follow the page: search, files
    assert clue.id in [h.instance_id for h in city.search.find("ZF-2026-000001", "auditor").hits]
    for user in ("reform_group", "designer"):
        assert city.search.find("ZF-2026-000001", user).hits == []
        with pytest.raises(CaseHidden):
            city.dossier.files(clue.id, user)
        with pytest.raises(PermissionDenied):
            city.dossier.attach(clue.id, [], user)


def applied_and_paid(engine: Engine, clock: FixedClock) -> tuple[int, str]:
    """An application approved for 36,000 and paid 30,000 (confirmed as partial): its id and
    the 市政数局's task to record the result."""
    case = engine.start("subsidy_instant", application("JS-002", credit_code=CODE), "qiye")
    clock.set(at("2026-10-09T10:00:00+08:00"))
    engine.complete(task(engine, "policy_sw", "approve").id,
                    {"decision": "approve", "approved_amount": 36000}, "policy_sw")
    engine.complete(task(engine, "policy_sw", "pay").id,
                    {"paid_amount": 30000, "paid_on": "2026-10-09", "payment_voucher": "SW-1",
                     "notice_channel": "短信", "partial_payment_confirmed": True}, "policy_sw")
    return case.id, task(engine, "data_bureau", "record_result").id


SECRET = ("contact_person", "contact_phone", "bank_account")


def shown(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in SECRET}


def test_an_application_is_read_by_those_with_a_part_in_subsidies_only(
        city: Engine, clock: FixedClock) -> None:
    case = city.start("subsidy_instant", application("JS-002", credit_code=CODE), "qiye")
    readers = {u for u in (*SUPERVISORS, "auditor", "designer", "data_bureau", "policy_sw",
                           "qiye", "intake") if reads(city, case.id, u)}
    assert readers == {"reform_group", "auditor", "data_bureau", "policy_sw", "qiye"}
    for user in ("case_manager", "supervision_office", "city_leader"):
        assert city.search.find(case.business_key or "", user).hits == []


def test_the_bank_account_and_contact_read_alike_on_the_case_and_the_task(
        city: Engine, clock: FixedClock) -> None:
    case_id, record = applied_and_paid(city, clock)
    clear = {"contact_person": "王经理", "contact_phone": "0798-8888888",
             "bank_account": "中国银行景德镇分行 1234567890"}
    masked = dict.fromkeys(SECRET, "***")
    for user in ("qiye", "policy_sw", "auditor"):
        assert shown(city.instance(case_id, user).data) == clear
    for user in ("data_bureau", "reform_group"):
        assert shown(city.instance(case_id, user).data) == masked
    # the 市政数局's step records the result: it needs neither, on its task as on the case
    assert shown(city.task_data(record, "data_bureau")) == masked


def test_an_applicant_gets_neither_the_staffs_working_fields_nor_time_travel(
        city: Engine, clock: FixedClock) -> None:
    case_id, _ = applied_and_paid(city, clock)
    assert city.instance(case_id, "policy_sw").data["partial_payment_confirmed"] is True
    mine = city.instance(case_id, "qiye").data
    assert "partial_payment_confirmed" not in mine and mine["paid_amount"] == 30000
    assert all("partial_payment_confirmed" not in ((e.payload or {}).get("data") or {})
               for e in city.history(case_id, "qiye"))
    with pytest.raises(PermissionDenied):
        city.state_at(case_id, 1, "qiye")
    assert city.state_at(case_id, 1, "policy_sw").data["bank_account"] != "***"


def test_a_procedure_s_lanes_say_whose_part_it_is(city: Engine) -> None:
    with city.transaction(read_only=True) as session:
        assert procedures_with_lanes(session, ["city_leader"]) == {"city_escalation"}
        assert procedures_with_lanes(session, ["data_bureau"]) == {
            "hotline_complaint", "hotline_urge", "subsidy_instant"}
        assert procedures_with_lanes(session, ["reform_group", "designer"]) == set()
