"""Scenario tests for the dated self-inspections of plans 6 and 8: ``intermediary_campaign``
(行政审批中介服务, every April), ``commitment_campaign`` (告知承诺制) and the per-unit case
``self_inspection`` they start.

Seed, plan 6: 自查自纠期 "至2022年4月30日", 集中整治规范期 "至2022年5月30日" (整改, 销号管理),
reports "市直各单位……于2022年6月15日前" and "各县(市、区)政府……于2022年6月20日前报送至市政数局",
and "每年4月份……开展一次常态化自查自纠" by 市直各单位 and 各县(市、区)政府. Plan 8: 自查 "4月底前",
整改 (销账管理) "5月底前", 报告 (加盖本部门公章, 报送市政数局) "6月底前", by 市直有关部门.

A deadline falling on a day off moves to the next working day (民法典 第二百零三条): in 2026,
30 May is a Saturday (due Monday 1 June) and 19 June is 端午 (due Monday 22 June). A designer
may instead keep a deadline on the working day before (``earlier_workday_close``).
"""

from __future__ import annotations

from functools import partial

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests import process_helpers
from tests.process_helpers import PROCESSES, at, check_interchange, definitions, fire_at

DIAGRAM = PROCESSES / "self_inspection.bpmn"
UNITS_FILE = PROCESSES / "units.csv"
CITY_DEPARTMENTS = 20  # the units tagged 市直各单位 in processes/units.csv
COUNTIES = ["昌江区", "珠山区", "浮梁县", "乐平市"]

inbox = partial(process_helpers.inbox, process="self_inspection")
do = partial(process_helpers.do, process="self_inspection")


def files() -> list[SourceFile]:
    return definitions(["self_inspection.bpmn"],
                       ["self_inspection_*.json", "commitment_campaign_start.json"])


@pytest.fixture
def city(engine: Engine, clock: FixedClock) -> Engine:
    clock.set(at("2026-03-20T10:00:00+08:00"))  # before this year's April
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))
    engine.add_user("fgw", ["responsible_unit"], unit="市发改委")
    engine.add_user("fuliang", ["responsible_unit"], unit="浮梁县")
    engine.add_user("zsj", ["data_bureau"])
    return engine


def cases(engine: Engine) -> list[InstanceView]:
    views = [engine.instance(i) for i in engine.instance_ids()]
    return [v for v in views if v.process_key == "self_inspection"]


def of(engine: Engine, unit: str) -> InstanceView:
    (found,) = [c for c in cases(engine) if c.data["inspect_unit"] == unit]
    return found


def test_the_diagram_draws_every_element() -> None:
    check_interchange(DIAGRAM, "intermediary_campaign", "commitment_campaign", "self_inspection")


def test_every_april_each_city_department_and_county_self_inspects_on_the_seeds_dates(
        city: Engine) -> None:
    city.deploy(files())
    assert process_helpers.timer_dues(city, None, "intermediary_campaign_start") == [
        at("2026-04-01T00:00:00+08:00")]
    assert fire_at(city, "2026-04-01T00:00:01+08:00").started == 1
    found = cases(city)
    assert len(found) == CITY_DEPARTMENTS + len(COUNTIES)
    assert [c.data["inspect_unit"] for c in found][-4:] == COUNTIES
    fgw, fuliang = of(city, "市发改委").data, of(city, "浮梁县").data
    # 4月30日 a Thursday; 5月30日 a Saturday: Monday 1 June; 市直 6月15日前 = close of the 14th,
    # a Sunday: the 15th; 县区 6月20日前 = close of the 19th, 端午: Monday 22 June
    assert (fgw["self_check_due"], fgw["rectify_due"], fgw["report_due"]) == (
        "2026-04-30T17:30:00+08:00", "2026-06-01T17:30:00+08:00", "2026-06-15T17:30:00+08:00")
    assert fuliang["report_due"] == "2026-06-22T17:30:00+08:00"
    (check,) = inbox(city, "fgw")
    assert (check.name, check.role, check.unit, check.due_at) == (
        "self_inspection_check", "responsible_unit", "市发改委", at("2026-04-30T17:30:00+08:00"))
    assert [t.unit for t in inbox(city, "fuliang")] == ["浮梁县"]
    assert inbox(city, "zsj") == []

    # 市发改委 inspects, rectifies and reports; 市政数局 sends the report back once
    do(city, "fgw", "self_inspection_check", {
        "inspection_summary": "对照四个方面全面排查。", "problem_count": 1,
        "problem_list": "1.某审批事项指定评估机构。"})
    do(city, "fgw", "self_inspection_rectify", {
        "rectify_ledger": "取消指定,改由中介服务超市选取;5月20日前完成,责任人张三。",
        "all_closed": True})
    (report,) = inbox(city, "fgw")
    assert (report.name, report.due_at) == ("self_inspection_report",
                                            at("2026-06-15T17:30:00+08:00"))
    do(city, "fgw", "self_inspection_report", {"report_text": "规范治理工作报告。", "sealed": True})
    do(city, "zsj", "self_inspection_receive", {"accepted": False, "review_comment": "补长效机制"})
    do(city, "fgw", "self_inspection_report", {
        "report_text": "规范治理工作报告。", "mechanism": "每年4月常态化自查。", "sealed": True})
    assert do(city, "zsj", "self_inspection_receive", {"accepted": True}).status == "completed"

    # 浮梁县 has not inspected by the end of April: its task is overdue, the case still open
    fire_at(city, "2026-05-06T09:00:00+08:00")
    assert [t.name for t in inbox(city, "fuliang", overdue=True)] == ["self_inspection_check"]
    # next April again
    assert process_helpers.timer_dues(city, None, "intermediary_campaign_start") == [
        at("2027-04-01T00:00:00+08:00")]


def test_the_commitment_campaign_runs_its_three_dated_steps_for_the_city_departments(
        city: Engine) -> None:
    city.deploy(files())
    city.start("commitment_campaign", {"campaign_year": 2026}, "zsj")
    found = cases(city)
    assert len(found) == CITY_DEPARTMENTS
    assert not {c.data["inspect_unit"] for c in found} & set(COUNTIES)
    fgw = of(city, "市发改委").data
    # 4月底前; 5月底前: 31 May a Sunday, due Monday 1 June; 6月底前
    assert (fgw["self_check_due"], fgw["rectify_due"], fgw["report_due"]) == (
        "2026-04-30T17:30:00+08:00", "2026-06-01T17:30:00+08:00", "2026-06-30T17:30:00+08:00")
    assert fgw["campaign_title"] == "2026年告知承诺制改革自查自纠和整改"


def test_a_designer_may_keep_a_deadline_on_the_working_day_before(city: Engine) -> None:
    earlier = [SourceFile(f.name, f.content.replace(
        'rectify_due = same_day_close(start=f"{campaign_year}-05-30',
        'rectify_due = earlier_workday_close(start=f"{campaign_year}-05-30'))
        for f in files()]
    assert earlier != files()
    city.deploy(earlier)
    fire_at(city, "2026-04-01T00:00:01+08:00")
    # 30 May 2026 is a Saturday: on or before it is Friday 29 May
    assert of(city, "市发改委").data["rectify_due"] == "2026-05-29T17:30:00+08:00"
