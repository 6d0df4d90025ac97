"""Scenario tests for ``ledger_report`` (台账及工作进展定期报送) and its three schedules.

Seed clauses:
* plan 1 三(四): "各县(市、区)纪委监委、派驻机构应于每月5日前将查处问题台账报至
  市纪委市监委党风政风监督室";
* plans 2 and 4: "各县(市、区)、园区要在每月1日前,报送上月工作推进情况";
* plan 3 四(三): "并于每季首月3日前报送降成本工作总结;各县(市、区)、园区重点报送本地差异化减负情况".

Each schedule (a process with a timer start event) starts one ``ledger_report`` case per
reporting unit through the message ``ledger_report_due``. "X日前" is due at the close of the day
before X, moved to the close of the next working day when that day is off (National Day 2026:
10-01..07 off; Saturday 2026-10-10 a working day). The clock moves; every timer is fired and
what it does is checked.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import pytest
from lxml import etree

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, PermissionDenied
from engine.time.clock import FixedClock
from engine.views import InstanceView, TaskView
from tests import process_helpers
from tests.conftest import seeded
from tests.process_helpers import (
    NS,
    PROCESSES,
    at,
    clue_files,
    definitions,
    drawn,
    fire_at,
    legacy_files,
    timer_dues,
)

DIAGRAM = PROCESSES / "ledger_report.bpmn"
SCHEDULES = ["report_schedule_clue", "report_schedule_cost", "report_schedule_progress"]
KEYS = sorted(["ledger_report", "report_urge", *SCHEDULES])
FULIANG_JW = "浮梁县纪委监委"
LEPING_JW = "乐平市纪委监委"
CLUE_UNITS = ["昌江区纪委监委", "珠山区纪委监委", FULIANG_JW, LEPING_JW,
              "市纪委监委派驻第一纪检监察组", "市纪委监委派驻第二纪检监察组"]
AREA_UNITS = ["昌江区", "珠山区", "浮梁县", "乐平市", "高新区", "昌南新区"]
# 降成本工作总结: 各地各有关部门, so the counties, the zones and the city departments
CITY_DEPARTMENTS = 20  # the units tagged 市直各单位 in processes/units.csv
UNITS_FILE = PROCESSES / "units.csv"
COST_TIMER = ("day_of_month(20, 2 - (int(now()[5:7]) - 1) % 3) "
              "if now() < day_of_month(20, 2 - (int(now()[5:7]) - 1) % 3) "
              "else day_of_month(20, 5 - (int(now()[5:7]) - 1) % 3)")

PROGRESS = {"legacy_progress": "摸排旧账线索2条,已办结1件。", "legacy_ledger_rows": 2,
            "copied_to_regulators": True,
            "indicator_progress": "获得电力指标:用电报装压缩至15个工作日。"}
COST = {"cost_summary": "落实省市降本增效政策18条,为企业减负。",
        "local_relief": "陶瓷企业天然气价格阶段性下调。", "relief_amount": 1260.5}


def report_files() -> list[SourceFile]:
    """The report pool, its three schedules and the reminder pool, with their forms."""
    return definitions(["ledger_report.bpmn"], ["report_*.json"])


def _world(engine: Engine) -> None:
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))  # the lists come from it
    engine.deploy(report_files())
    engine.add_user("fuliang_jw", ["handler"], unit=FULIANG_JW)
    engine.add_user("leping_jw", ["handler"], unit=LEPING_JW)
    engine.add_user("zhou", ["supervision_office"])
    engine.add_user("gaige", ["reform_group"])
    engine.add_user("fuliang", ["responsible_unit"], unit="浮梁县")
    engine.add_user("leping", ["responsible_unit"], unit="乐平市")


WORLD = seeded(_world)  # made once per process and backend, copied for each test


@pytest.fixture
def reports(engine: Engine) -> Engine:
    return engine  # holding what ``_world`` built


# -- helpers ---------------------------------------------------------------------------------

# the tests look at the reports' tasks; reminders are their own process (``urges``)
inbox = partial(process_helpers.inbox, process="ledger_report")
task = partial(process_helpers.task, process="ledger_report")
do = partial(process_helpers.do, process="ledger_report")


def urges(engine: Engine, user: str) -> list[TaskView]:
    """Reminders: each its own ``report_urge`` case under the report's case number."""
    return process_helpers.inbox(engine, user, process="report_urge")


def report_cases(engine: Engine) -> list[InstanceView]:
    views = [engine.instance(i) for i in engine.instance_ids()]
    return [v for v in views if v.process_key == "ledger_report"]


def case_of(engine: Engine, unit: str, period: str) -> InstanceView:
    (found,) = [v for v in report_cases(engine)
                if v.data["report_unit"] == unit and v.data["period"] == period]
    return found


def start_timers(engine: Engine) -> dict[str, datetime]:
    return {t.process_key: t.due_at for t in engine.timers.pending() if t.instance_id is None}


def issue_clue_reports(engine: Engine) -> None:
    """The clue-ledger schedule fires at 00:00 on 1 October 2026 (a holiday)."""
    report = fire_at(engine, "2026-10-01T00:00:01+08:00")
    assert (report.started, report.failed) == (1, 0)


# -- definitions -----------------------------------------------------------------------------


def test_validate_reports_no_problems(engine: Engine) -> None:
    checked = engine.validate(report_files())
    assert checked.problems == []
    assert sorted(p.key for p in checked.processes) == KEYS
    info = {p.key: p for p in checked.processes}
    assert info["ledger_report"].case_prefix == "BS"
    assert info["ledger_report"].start_messages == {"ledger_report_due"}
    assert info["report_urge"].start_messages == {"ledger_report_overdue"}
    assert {k: info[k].start_timers[f"{k}_start"] for k in SCHEDULES} == {
        "report_schedule_clue": ("timeDate", "day_of_month(1, 1)"),
        "report_schedule_progress": (
            "timeDate", "day_of_month(25) if now() < day_of_month(25) else day_of_month(25, 1)"),
        "report_schedule_cost": ("timeDate", COST_TIMER),
    }


FLOW_NODES = {"startEvent", "endEvent", "boundaryEvent", "intermediateThrowEvent",
              "intermediateCatchEvent", "userTask", "scriptTask", "sendTask", "subProcess",
              "exclusiveGateway", "lane"}


def test_diagram_interchange_covers_every_element() -> None:
    tree = etree.parse(str(DIAGRAM))
    nodes = {e.get("id") for e in tree.iter() if isinstance(e.tag, str)
             and e.tag.startswith("{" + NS["bpmn"]) and etree.QName(e).localname in FLOW_NODES}
    flows = {e.get("id") for e in tree.iterfind(".//bpmn:sequenceFlow", NS)}
    flows |= {m.get("id") for m in tree.iterfind("bpmn:collaboration/bpmn:messageFlow", NS)}
    participants = {p.get("processRef"): p.get("id")
                    for p in tree.iterfind("bpmn:collaboration/bpmn:participant", NS)}
    shapes, edges = drawn(tree)
    assert sorted(participants) == KEYS
    assert nodes | set(participants.values()) <= shapes
    assert flows == set(edges)
    for edge in edges.values():
        assert len(edge.findall("di:waypoint", NS)) >= 2


# -- the schedules ---------------------------------------------------------------------------


@WORLD
def test_each_schedule_starts_one_report_per_unit_at_its_date(reports: Engine,
                                                             clock: FixedClock) -> None:
    # deployed on 2026-09-30 16:00: the next start of each schedule
    assert start_timers(reports) == {
        "report_schedule_clue": at("2026-10-01T00:00:00+08:00"),
        "report_schedule_progress": at("2026-10-25T00:00:00+08:00"),
        "report_schedule_cost": at("2026-12-20T00:00:00+08:00"),
    }
    assert fire_at(reports, "2026-09-30T23:59:59+08:00").started == 0
    issue_clue_reports(reports)
    cases = report_cases(reports)
    assert [c.data["report_unit"] for c in cases] == CLUE_UNITS
    assert [c.business_key for c in cases] == [f"BS-2026-00000{i}" for i in range(1, 7)]
    first = cases[0].data
    assert (first["report_kind"], first["period"], first["period_label"], first["due_at"]) == (
        "clue_ledger", "2026-09", "2026年9月", "2026-10-08T17:30:00+08:00")
    assert first["case_no"] == "BS-2026-000001"
    # each unit sees only its own report; 5日前 = close of the 4th, a holiday: the next working day
    (mine,) = inbox(reports, "fuliang_jw")
    assert (mine.name, mine.role, mine.unit, mine.form_key) == (
        "submit_clue_ledger", "handler", FULIANG_JW, "report_clue_ledger")
    assert mine.due_at == at("2026-10-08T17:30:00+08:00")
    assert [t.unit for t in inbox(reports, "leping_jw")] == [LEPING_JW]
    assert inbox(reports, "fuliang") == [] and inbox(reports, "zhou") == []
    # each case waits for its due date with a timer; the schedule waits for 1 November
    assert timer_dues(reports, mine.instance_id, "overdue") == [at("2026-10-08T17:30:00+08:00")]
    assert start_timers(reports)["report_schedule_clue"] == at("2026-11-01T00:00:00+08:00")
    assert reports.timers.fire_due().started == 0  # firing again changes nothing


@WORLD
def test_due_dates_over_a_quarter_follow_the_calendar(reports: Engine, clock: FixedClock) -> None:
    """Every start of the three schedules from October to December 2026, in order."""
    seen: list[tuple[str, str, str, str]] = []
    known: set[int] = set()
    for when in ["2026-10-01", "2026-10-25", "2026-11-01", "2026-11-25", "2026-12-01",
                 "2026-12-20", "2026-12-25"]:
        assert fire_at(reports, f"{when}T00:00:01+08:00").started == 1
        new = [c for c in report_cases(reports) if c.id not in known]
        known |= {c.id for c in new}
        assert len({(c.data["period"], c.data["due_at"]) for c in new}) == 1
        data = new[0].data
        assert len(new) == 6 + (CITY_DEPARTMENTS if data["report_kind"] == "cost" else 0)
        seen.append((when, data["report_kind"], data["period"], data["due_at"]))
    assert seen == [
        # 5日前: the 4th is a National Day holiday, so the next working day
        ("2026-10-01", "clue_ledger", "2026-09", "2026-10-08T17:30:00+08:00"),
        # 1日前: Saturday 31 October is off, so Monday 2 November
        ("2026-10-25", "progress", "2026-10", "2026-11-02T17:30:00+08:00"),
        ("2026-11-01", "clue_ledger", "2026-10", "2026-11-04T17:30:00+08:00"),
        ("2026-11-25", "progress", "2026-11", "2026-11-30T17:30:00+08:00"),
        ("2026-12-01", "clue_ledger", "2026-11", "2026-12-04T17:30:00+08:00"),
        # 每季首月3日前 for Q4: 2 January 2027 is a Saturday (2027 has no bundled holiday data
        # yet: its weekends and statutory holidays are off, with a warning)
        ("2026-12-20", "cost", "2026-Q4", "2027-01-04T17:30:00+08:00"),
        ("2026-12-25", "progress", "2026-12", "2026-12-31T17:30:00+08:00"),
    ]
    assert case_of(reports, "浮梁县", "2026-Q4").data["period_label"] == "2026年第四季度"
    assert start_timers(reports) == {
        "report_schedule_clue": at("2027-01-01T00:00:00+08:00"),
        "report_schedule_progress": at("2027-01-25T00:00:00+08:00"),
        "report_schedule_cost": at("2027-03-20T00:00:00+08:00"),
    }


@WORLD
def test_a_schedule_started_by_hand_issues_the_current_period_at_once(
        reports: Engine, clock: FixedClock) -> None:
    with pytest.raises(PermissionDenied):  # the clue schedule belongs to the supervision office
        reports.start("report_schedule_clue", {}, "gaige")
    with pytest.raises(PermissionDenied):
        reports.start("report_schedule_cost", {}, "fuliang")
    clock.set(at("2026-10-09T10:00:00+08:00"))  # in the quarter's first month: last quarter
    done = reports.start("report_schedule_cost", {}, "gaige")
    assert done.status == "completed"
    cost = case_of(reports, "浮梁县", "2026-Q3")
    # 每季首月3日前: the 2nd is a holiday; the first working day after it is 2026-10-08
    assert cost.data["due_at"] == "2026-10-08T17:30:00+08:00"
    assert cost.data["period_label"] == "2026年第三季度"
    (mine,) = inbox(reports, "fuliang")
    assert (mine.name, mine.form_key, mine.overdue) == ("submit_cost", "report_cost", True)
    # the automatic schedule is unchanged
    assert start_timers(reports)["report_schedule_cost"] == at("2026-12-20T00:00:00+08:00")


# -- plan 1: the clue ledger, from live data -------------------------------------------------


def register_clue(engine: Engine, unit: str) -> InstanceView:
    view = engine.start("clue_triage", {
        "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "施工许可拖延两个月未办结。", "owner": "li"}, "li")
    engine.complete(view.tasks[0].id, {"disposal": "转办", "handler_unit": unit,
                                       "proposal_reason": "转县纪委核查"}, "li")
    (approval,) = process_helpers.inbox(engine, "wang", process="clue_triage")
    engine.complete(approval.id, {"approved": True}, "wang")
    # transferred the next day: from then on the clue is the unit's, in its ledger too
    (transfer,) = process_helpers.inbox(engine, "li", process="clue_triage")
    engine.complete(transfer.id, {"transfer_note": "请核查"}, "li")
    return view


@WORLD
def test_clue_ledger_on_time_with_the_ledger_built_from_live_data(reports: Engine,
                                                                 clock: FixedClock) -> None:
    reports.deploy(clue_files())
    reports.add_user("li", ["intake"], unit="市纪委信访室")  # the city's office
    reports.add_user("wang", ["approver"], unit="市纪委市监委")
    for unit in (FULIANG_JW, FULIANG_JW, LEPING_JW):
        register_clue(reports, unit)
    issue_clue_reports(reports)
    clock.set(at("2026-10-08T10:00:00+08:00"))
    # the unit exports its own September ledger (kuaiban ledger clue --unit ... --month 2026-09)
    ledger = reports.ledger("clue", user="fuliang_jw", month=date(2026, 9, 1))
    assert [row[0] for row in ledger.rows] == ["ZF-2026-000001", "ZF-2026-000002"]
    assert reports.ledger("clue", unit=FULIANG_JW, month=date(2026, 10, 1)).rows == []
    submit = task(reports, "fuliang_jw", "submit_clue_ledger")
    with pytest.raises(InvalidData) as err:  # the unit must confirm it checked the ledger
        reports.complete(submit.id, {"ledger_rows": 2, "ledger_checked": False}, "fuliang_jw")
    assert set(err.value.field_errors) == {"ledger_checked"}
    with pytest.raises(PermissionDenied):
        reports.complete(submit.id, {"ledger_rows": 2, "ledger_checked": True}, "leping_jw")
    reports.complete(submit.id, {"ledger_rows": len(ledger.rows), "cases_closed": 0,
                                 "ledger_checked": True}, "fuliang_jw")
    review = task(reports, "zhou", "review_clue_ledger")
    assert (review.role, review.business_key) == ("supervision_office", submit.business_key)
    assert review.due_at == at("2026-10-09T17:30:00+08:00")  # 次日: the next working day
    # submitted in time: no reminder
    assert timer_dues(reports, submit.instance_id, "overdue") == []
    assert inbox(reports, "gaige") == []
    done = reports.complete(review.id, {"accepted": True}, "zhou")
    assert done.status == "completed"
    assert (done.data["ledger_rows"], done.data["late"]) == (2, False)
    assert "overdue" not in done.data  # the overdue timer never fired
    assert done.data["submitted_at"] == "2026-10-08T10:00:00+08:00"
    assert done.data["accepted_at"] == "2026-10-08T10:00:00+08:00"
    assert done.data["returns"] == 0


@WORLD
def test_missed_date_marks_overdue_and_reminds_once(reports: Engine, clock: FixedClock) -> None:
    issue_clue_reports(reports)
    mine = task(reports, "fuliang_jw", "submit_clue_ledger")
    assert fire_at(reports, "2026-10-08T17:29:59+08:00").fired == 0
    assert not task(reports, "fuliang_jw", "submit_clue_ledger").overdue
    # the due date passes: the task is overdue in the unit's inbox and each unit that has not
    # reported gets a reminder from the supervision office, due the next working day
    assert fire_at(reports, "2026-10-08T17:30:01+08:00").fired == 6
    late = inbox(reports, "fuliang_jw", overdue=True)
    assert [(t.id, t.due_at) for t in late] == [(mine.id, at("2026-10-08T17:30:00+08:00"))]
    reminders = urges(reports, "zhou")
    assert sorted(reports.instance(t.instance_id).data["report_unit"] for t in reminders) == sorted(
        CLUE_UNITS)
    assert {(t.name, t.form_key, t.due_at) for t in reminders} == {
        ("urge_clue_ledger", "report_urge", at("2026-10-09T17:30:00+08:00"))}
    assert urges(reports, "gaige") == [] and inbox(reports, "zhou") == []
    case = reports.instance(mine.instance_id)
    assert (case.data["overdue"], case.data["overdue_at"]) == (True, "2026-10-08T17:30:01+08:00")
    assert timer_dues(reports, mine.instance_id, "overdue") == []
    assert fire_at(reports, "2026-10-12T09:00:00+08:00").fired == 0  # once only
    # the office urges; the unit reports late; the report is still received
    urge = next(t for t in reminders if t.business_key == mine.business_key)
    with pytest.raises(InvalidData):
        reports.complete(urge.id, {"urge_method": "托人带话"}, "zhou")
    reports.complete(urge.id, {"urge_method": "电话催报", "urge_note": "承诺今日报送"}, "zhou")
    reports.complete(mine.id, {"ledger_rows": 0, "ledger_checked": True,
                               "report_note": "本月无新增线索"}, "fuliang_jw")
    done = do(reports, "zhou", "review_clue_ledger", {"accepted": True})
    assert done.status == "completed"
    assert (done.data["late"], done.data["overdue"]) == (True, True)
    assert done.data["submitted_at"] == "2026-10-12T09:00:00+08:00"
    assert reports.instance(urge.instance_id).status == "completed"
    assert reports.replay(mine.instance_id).ok


@WORLD
def test_a_reminder_is_its_own_case_and_may_be_done_after_the_report(
        reports: Engine, clock: FixedClock) -> None:
    issue_clue_reports(reports)
    mine = task(reports, "leping_jw", "submit_clue_ledger")
    fire_at(reports, "2026-10-08T18:00:00+08:00")
    (urge,) = [t for t in urges(reports, "zhou") if t.business_key == mine.business_key]
    reminder = reports.instance(urge.instance_id)
    assert (reminder.process_key, reminder.status) == ("report_urge", "running")
    assert (reminder.data["report_unit"], reminder.data["period_label"]) == (LEPING_JW, "2026年9月")
    clock.set(at("2026-10-09T09:00:00+08:00"))
    reports.complete(mine.id, {"ledger_rows": 1, "ledger_checked": True}, "leping_jw")
    done = do(reports, "zhou", "review_clue_ledger", {"accepted": True})
    assert done.status == "completed"  # the report does not wait for the reminder
    clock.set(at("2026-10-09T16:00:00+08:00"))
    finished = reports.complete(urge.id, {"urge_method": "电话催报",
                                          "urge_note": "已于10月9日报送"}, "zhou")
    assert (finished.status, finished.business_key) == ("completed", mine.business_key)
    # ... and doing it later changes nothing in the report's record
    report = reports.instance(mine.instance_id).data
    assert (report["late"], report["overdue"], report["overdue_at"]) == (
        True, True, "2026-10-08T18:00:00+08:00")
    assert "urge_method" not in report


# -- plans 2 and 4: progress before the 1st; returned and resubmitted ------------------------


@WORLD
def test_returned_report_is_resubmitted_by_the_original_date(reports: Engine,
                                                             clock: FixedClock) -> None:
    # the worker was down all month: 1 October's clue ledgers start too, once
    assert fire_at(reports, "2026-10-25T00:00:01+08:00").started == 2
    assert start_timers(reports)["report_schedule_clue"] == at("2026-11-01T00:00:00+08:00")
    # ... already past their date (2026-10-08): each is overdue at once and its reminder to
    # the supervision office goes out with it
    assert [t.name for t in urges(reports, "zhou")] == ["urge_clue_ledger"] * 6
    assert [t.name for t in inbox(reports, "fuliang_jw", overdue=True)] == ["submit_clue_ledger"]
    submit = task(reports, "fuliang", "submit_progress")
    case = reports.instance(submit.instance_id)
    assert (case.data["report_kind"], case.data["period_label"]) == ("progress", "2026年10月")
    # 1日前 = 31 October, a Saturday: due at the close of Monday 2 November
    assert submit.due_at == at("2026-11-02T17:30:00+08:00")
    assert [t.unit for t in inbox(reports, "leping")] == ["乐平市"]
    assert [t.name for t in inbox(reports, "fuliang_jw")] == ["submit_clue_ledger"]
    clock.set(at("2026-10-27T10:00:00+08:00"))
    with pytest.raises(InvalidData) as err:  # plan 2: copied to the sector regulators
        reports.complete(submit.id, {**PROGRESS, "copied_to_regulators": False}, "fuliang")
    assert set(err.value.field_errors) == {"copied_to_regulators"}
    # the form shows unit and period read-only; a client may not send them
    with pytest.raises(InvalidData) as err:
        reports.complete(submit.id, {**PROGRESS, "unit": "乐平市", "period_label": "2026年1月"},
                         "fuliang")
    assert err.value.field_errors == {"unit": "此字段只读", "period_label": "此字段只读"}
    reports.complete(submit.id, dict(PROGRESS), "fuliang")
    review = task(reports, "gaige", "review_report")
    assert (review.role, review.form_key) == ("reform_group", "report_review")
    assert review.due_at == at("2026-10-28T17:30:00+08:00")
    with pytest.raises(InvalidData) as err:  # a return says what to correct
        reports.complete(review.id, {"accepted": False}, "gaige")
    assert set(err.value.field_errors) == {"review_comment"}
    clock.set(at("2026-10-28T09:00:00+08:00"))
    reports.complete(review.id, {"accepted": False,
                                 "review_comment": "补充指标数据来源"}, "gaige")
    again = task(reports, "fuliang", "submit_progress")
    assert again.id != submit.id
    assert (again.unit, again.due_at, again.overdue) == (
        "浮梁县", at("2026-11-02T17:30:00+08:00"), False)
    assert [(t.name, t.unit) for t in inbox(reports, "leping")] == [("submit_progress", "乐平市")]
    assert timer_dues(reports, submit.instance_id, "overdue") == [at("2026-11-02T17:30:00+08:00")]
    data = reports.instance(submit.instance_id).data
    assert (data["unit"], data["period_label"], data["returns"]) == ("浮梁县", "2026年10月", 1)
    assert data["reentered_late"] is False
    clock.set(at("2026-10-29T15:00:00+08:00"))
    reports.complete(again.id, {**PROGRESS, "issues_to_resolve": "用电报装涉及跨部门协调"},
                     "fuliang")
    done = do(reports, "gaige", "review_report", {"accepted": True, "review_comment": "已签收"})
    assert done.status == "completed"
    assert (done.data["late"], done.data["returns"]) == (False, 1)
    assert done.data["return_comments"] == ["补充指标数据来源"]
    assert done.data["review_comment"] == "已签收"
    assert "overdue" not in done.data
    assert done.data["submitted_at"] == "2026-10-29T15:00:00+08:00"
    assert timer_dues(reports, submit.instance_id, "overdue") == []
    assert fire_at(reports, "2026-11-02T17:31:00+08:00").fired == 5  # the others only
    assert inbox(reports, "fuliang") == []
    assert [t.name for t in inbox(reports, "leping", overdue=True)] == ["submit_progress"]


# -- plan 3: quarterly cost summary, returned after the date ---------------------------------


@WORLD
def test_cost_summary_returned_after_the_date_stays_overdue_without_a_second_reminder(
        reports: Engine, clock: FixedClock) -> None:
    reports.start("report_schedule_cost", {}, "gaige")  # 2026-09-30: the third quarter
    submit = task(reports, "fuliang", "submit_cost")
    assert submit.due_at == at("2026-10-08T17:30:00+08:00")
    assert reports.instance(submit.instance_id).data["period"] == "2026-Q3"
    every_unit = 6 + CITY_DEPARTMENTS
    assert fire_at(reports, "2026-10-08T17:30:30+08:00").fired == every_unit
    mine = [t for t in urges(reports, "gaige") if t.business_key == submit.business_key]
    assert [(t.name, t.due_at) for t in mine] == [("urge_report", at("2026-10-09T17:30:00+08:00"))]
    assert [t.name for t in urges(reports, "gaige")] == ["urge_report"] * every_unit
    reports.complete(mine[0].id, {"urge_method": "书面通知"}, "gaige")
    # reported on Friday 9 October; the review is due on Saturday 10 October, a working day
    clock.set(at("2026-10-09T11:00:00+08:00"))
    reports.complete(submit.id, COST, "fuliang")
    review = task(reports, "gaige", "review_report")
    assert review.due_at == at("2026-10-10T17:30:00+08:00")
    clock.set(at("2026-10-10T10:00:00+08:00"))
    reports.complete(review.id, {"accepted": False, "review_comment": "差异化减负情况不具体"},
                     "gaige")
    again = task(reports, "fuliang", "submit_cost")
    # still due by the original date, so overdue at once
    assert (again.due_at, again.overdue) == (at("2026-10-08T17:30:00+08:00"), True)
    assert reports.instance(submit.instance_id).data["reentered_late"] is True
    # the timer of the new round is already past: it fires at once, through 本轮首次到期? to
    # 退回时已逾期 不再催报, and reminds nobody a second time
    assert timer_dues(reports, submit.instance_id, "overdue") == []
    assert [t for t in urges(reports, "gaige") if t.business_key == submit.business_key] == []
    assert [t for t in inbox(reports, "gaige") if t.instance_id == submit.instance_id] == []
    returned = reports.history(submit.instance_id)[-1]
    assert returned.type == "completed"
    assert {"mark_returned", "overdue", "end_known"} <= set(returned.payload["passed"])
    assert "throw_overdue" not in returned.payload["passed"]
    clock.set(at("2026-10-12T09:30:00+08:00"))
    reports.complete(again.id, {**COST, "local_relief": "陶瓷企业天然气价格下调0.2元/立方米。"},
                     "fuliang")
    review = task(reports, "gaige", "review_report")
    assert review.due_at == at("2026-10-13T17:30:00+08:00")
    done = reports.complete(review.id, {"accepted": True}, "gaige")
    assert done.status == "completed"
    assert (done.data["late"], done.data["overdue"], done.data["returns"]) == (True, True, 1)
    assert (done.data["return_comments"], done.data["review_comment"]) == (
        ["差异化减负情况不具体"], "")
    assert done.data["relief_amount"] == 1260.5
    timers = [e for e in reports.history(submit.instance_id) if e.type == "timer"]
    assert len(timers) == 1 and "throw_overdue" in timers[0].payload["passed"]
    reminders = [v for v in (reports.instance(i) for i in reports.instance_ids())
                 if v.process_key == "report_urge" and v.business_key == submit.business_key]
    assert [v.status for v in reminders] == ["completed"]


# -- one progress report per unit and month, with the campaign running --------------------


def test_one_progress_report_per_unit_and_month_while_the_campaign_runs(
        engine: Engine, clock: FixedClock) -> None:
    """Both the 新官不理旧账 campaign (三、2) and the indicator plan ask each 县(市、区) and 园区
    for 上月工作推进情况 每月1日前; ledger_report's monthly schedule carries both in one report
    (form report_progress), so July to November, while the campaign dispatches monthly, each
    unit gets exactly one report a month, due on the month's last day (moved to the next
    working day when that is a day off)."""
    clock.set(at("2026-06-30T10:00:00+08:00"))
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))
    engine.deploy(report_files() + legacy_files())
    engine.add_user("gaige", ["reform_group"])
    campaign = engine.start("legacy_campaign", {"campaign_year": 2026, "start_confirmed": True},
                            "gaige")
    for month in ("07", "08", "09", "10", "11"):
        fire_at(engine, f"2026-{month}-25T00:00:01+08:00")
        fire_at(engine, f"2026-{month}-28T00:00:01+08:00")  # the campaign's cycle drifts
    fire_at(engine, "2026-12-02T00:00:01+08:00")
    progress = [t for t in process_helpers.inbox(engine, None)
                if t.title.startswith("报送上月工作推进情况")]
    months = sorted((str(t.unit), engine.instance(t.instance_id).data["period"], t.due_at)
                    for t in progress)
    last_days = {"07": "2026-07-31", "08": "2026-08-31", "09": "2026-09-30",
                 "10": "2026-11-02", "11": "2026-11-30"}  # 31 Oct, 1 Nov: a weekend
    assert months == sorted((unit, f"2026-{m}", at(f"{day}T17:30:00+08:00"))
                            for unit in AREA_UNITS for m, day in last_days.items())
    assert {t.process_key for t in progress} == {"ledger_report"}
    assert len(process_helpers.tasks(engine, "gaige", "monthly_dispatch")) == 5
    assert engine.replay(campaign.id).ok
