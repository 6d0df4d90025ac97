"""Scenario tests for ``indicator_schedule`` and ``indicator_report`` (plan 4: 营商环境评价指标
专项提升, 三、2 and 二(三)).

Seed: "指挥部改革创新组(市发改委)建立定期调度通报机制,市直指标责任单位和各县(市、区)、园区要在
每月1日前,报送上月工作推进情况及需提请解决事项" and "改革创新组对各项任务定期跟踪、协调推进,
对提升跟踪推进缓慢的地方及部门,及时督促提醒". The 市直指标责任单位 are the 牵头单位 and 责任单位
of the 18 一级指标 in ``processes/indicator_list.dmn`` (a sample, by directory id); the counties'
and zones' monthly reports come from ``ledger_report``. The clock moves; every timer is fired.
"""

from __future__ import annotations

from functools import partial

import pytest
from lxml import etree

from engine.api import Engine
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests import process_helpers
from tests.process_helpers import (
    DMN_NS,
    PROCESSES,
    at,
    check_interchange,
    definitions,
    fire_at,
    timer_dues,
)

DIAGRAM = PROCESSES / "indicator_dispatch.bpmn"
TABLE = PROCESSES / "indicator_list.dmn"
UNITS_FILE = PROCESSES / "units.csv"

inbox = partial(process_helpers.inbox, process="indicator_report")
do = partial(process_helpers.do, process="indicator_report")


def files() -> list:
    return definitions(["indicator_dispatch.bpmn", "indicator_list.dmn"], ["indicator_*.json"])


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))
    engine.deploy(files())
    engine.add_user("fgw", ["responsible_unit"], unit="市发改委")
    engine.add_user("zy", ["responsible_unit"], unit="市中级人民法院")
    engine.add_user("gaige", ["reform_group"])
    return engine


def table_units() -> list[str]:
    """The directory ids the sample table names, lead and responsible, once each."""
    ids: list[str] = []
    for text in etree.parse(str(TABLE)).xpath("//d:outputEntry/d:text/text()",
                                                 namespaces=DMN_NS):
        for part in text.split('directory_unit("')[1:]:
            unit_id = part.split('"')[0]
            if unit_id not in ids:
                ids.append(unit_id)
    return ids


def report_cases(engine: Engine) -> list[InstanceView]:
    views = [engine.instance(i) for i in engine.instance_ids()]
    return [v for v in views if v.process_key == "indicator_report"]


def test_the_table_lists_the_seeds_18_indicators_and_is_marked_a_sample() -> None:
    text = TABLE.read_text(encoding="utf-8")
    names = etree.parse(str(TABLE)).xpath(
        "//d:rule/d:outputEntry[1]/d:text/text()", namespaces=DMN_NS)
    assert len(names) == 18 and len(set(names)) == 18
    for seed_name in ["政府采购", "招标投标", "保护中小投资者", "执行合同", "获得电力", "纳税",
                      "知识产权创造、保护和运用", "包容普惠创新", "政务服务", "市场监管"]:
        assert f'"{seed_name}"' in names
    assert "示例" in text and "附件3" in text
    check_interchange(DIAGRAM, "indicator_schedule", "indicator_report")


def test_every_unit_of_the_table_reports_monthly_and_the_group_issues_a_bulletin(
        city: Engine, clock: FixedClock) -> None:
    # deployed 2026-09-30: the schedule starts on the 25th
    assert fire_at(city, "2026-10-25T00:00:01+08:00").started == 1
    cases = report_cases(city)
    directory = {u.id: u.name for u in city.units()}
    expected = [directory[i] for i in table_units()]
    assert sorted(c.data["report_unit"] for c in cases) == sorted(expected)
    assert len(expected) == len(set(expected)) >= 15
    # 每月1日前: the close of 31 October, a Saturday: the next working day, Monday 2 November
    fgw = next(c for c in cases if c.data["report_unit"] == "市发改委")
    assert (fgw.data["period_label"], fgw.data["due_at"]) == (
        "2026年10月", "2026-11-02T17:30:00+08:00")
    assert "招标投标（牵头）" in fgw.data["unit_indicators"]
    assert "办理建筑许可（责任）" in fgw.data["unit_indicators"]
    (mine,) = inbox(city, "fgw")
    assert (mine.name, mine.role, mine.unit, mine.form_key) == (
        "indicator_report_submit", "responsible_unit", "市发改委", "indicator_report")
    assert [t.unit for t in inbox(city, "zy")] == ["市中级人民法院"]
    assert inbox(city, "gaige") == []

    # 市发改委 reports; 改革创新组 returns it, then accepts it
    do(city, "fgw", "indicator_report_submit", {"indicator_progress": "招标投标：全流程电子化。",
                                                "issues_to_resolve": "需市级协调评标专家库共享。"})
    do(city, "gaige", "indicator_report_review",
       {"accepted": False, "review_comment": "补充获得电力"})
    do(city, "fgw", "indicator_report_submit",
       {"indicator_progress": "招标投标、获得电力均已推进。"})
    done = do(city, "gaige", "indicator_report_review", {"accepted": True})
    assert done.status == "completed" and done.data["late"] is False

    # the court does not report: at the deadline its case is marked late, its task stays open
    court = next(c for c in report_cases(city) if c.data["report_unit"] == "市中级人民法院")
    assert timer_dues(city, court.id, "indicator_report_overdue") == [
        at("2026-11-02T17:30:00+08:00")]
    fire_at(city, "2026-11-02T17:30:01+08:00")
    court = city.instance(court.id)
    assert court.data["late"] is True and court.status != "completed"
    assert [t.unit for t in inbox(city, "zy", overdue=True)] == ["市中级人民法院"]

    # the deadline has passed: the bulletin, due 5 working days later
    (bulletin,) = process_helpers.inbox(city, "gaige", process="indicator_schedule")
    assert (bulletin.name, bulletin.form_key, bulletin.due_at) == (
        "indicator_bulletin", "indicator_bulletin", at("2026-11-09T17:30:00+08:00"))
    schedule = city.complete(bulletin.id, {
        "bulletin": "10月各指标推进情况通报。", "slow_units": "市中级人民法院逾期未报,已督促。"},
        "gaige")
    assert schedule.status == "completed"


def test_every_unit_of_the_table_is_tagged_an_indicator_unit(engine: Engine) -> None:
    """The directory's list 指标责任单位 (form pickers, boards) holds every unit the table names."""
    engine.import_units(UNITS_FILE.read_text(encoding="utf-8"))
    tagged = {u.id for u in engine.units(tag="指标责任单位")}
    assert set(table_units()) <= tagged
