"""Statistics for supervisors: exact figures over known data (tests/stats_support.py), the
period, unit and procedure filters, the cases behind each count, who may see what, and the
.xlsx export."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from engine.api import Engine
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.queries.stats import (
    Statistics,
    StatsFilter,
    figure_cases,
    figure_payouts,
    figure_tasks,
    statistics,
)
from engine.queries.stats.scope import sections_for
from engine.time.clock import FixedClock
from tests.conftest import seeded
from tests.process_helpers import PROCESSES, at, do, task
from tests.stats_support import (
    ALL_READER,
    APPLICATION,
    INTERMEDIARY_NOW,
    NOW,
    PAYOUT,
    ROUTING_UNITS,
    add_people,
    deploy,
    intermediary_data,
    known_data,
)

NO_UNIT = "（未分单位）"


# Each world is built once per process and backend and copied for each test; the test's
# clock is then set to where the building left it.
KNOWN = seeded(lambda engine: known_data(engine, engine.clock))  # type: ignore[arg-type]
INTERMEDIARY = seeded(
    lambda engine: intermediary_data(engine, engine.clock))  # type: ignore[arg-type]


@pytest.fixture
def known(engine: Engine, clock: FixedClock) -> Engine:
    clock.set(at(NOW))
    return engine


def rows(stats: Statistics, figure: str) -> dict[str | None, dict[str, Any]]:
    return {r.key: r.values for r in stats.figure(figure).rows}


def case_numbers(engine: Engine, figure: str, key: str | None, measure: str,
                 flt: StatsFilter | None = None) -> list[str | None]:
    found = figure_cases(engine, ALL_READER, flt or StatsFilter(), figure, key, measure)
    return sorted(c.business_key for c in found)


@KNOWN
def test_on_time_rate_by_procedure_and_unit(known: Engine) -> None:
    stats = statistics(known, "chu", StatsFilter())
    by_process = rows(stats, "on_time_by_process")
    # clue A: propose, approve on time, transfer late; clue B: propose, approve on time and
    # its transfer (due 10-10 17:30, an adjusted Saturday) open and overdue at 10-12 09:00:
    # 4 on time of 5 done and 1 overdue open
    assert by_process["clue_triage"] == {"done": 5, "on_time": 4, "late": 1, "rate": 66.7,
                                         "overdue_open": 1}
    assert by_process["subsidy_instant"] == {"done": 2, "on_time": 2, "late": 0,
                                             "rate": 100.0, "overdue_open": 0}
    assert by_process["legacy_case"]["done"] == 5
    assert by_process["hotline_complaint"]["done"] == 2
    by_unit = rows(stats, "on_time_by_unit")
    assert by_unit[None] == {"done": 10, "on_time": 9, "late": 1, "rate": 81.8,
                             "overdue_open": 1}
    assert by_unit["市商务局"]["done"] == 2 and by_unit["浮梁县"]["done"] == 2
    assert stats.figure("on_time_by_unit").rows[0].label == NO_UNIT  # most overdue first


def batch_of_two(engine: Engine) -> Any:
    """A 免申即享 batch of 市工信局 confirmed now: two payouts due at the next working day's
    close, both at 市工信局, in one case."""
    engine.add_user("gxj", ["policy_dept"], unit="市工信局")
    batch = engine.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    engine.complete(task(engine, "gxj", "confirm_enterprises", instance_id=batch.id).id, {
        "enterprises": [
            {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000},
            {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 80000}],
        "confirmation_basis": "部门数据比对"}, "gxj")
    return batch


@KNOWN
def test_a_count_of_tasks_lists_the_tasks_it_counts(known: Engine, clock: FixedClock) -> None:
    """按期办结率 counts tasks, a unit's steps: a case with two overdue steps at a unit is 2
    超期未办结 there, and the count lists those two tasks (of one case), not the case once."""
    batch = batch_of_two(known)  # due 10-13 17:30
    clock.set(at("2026-10-14T09:00:00+08:00"))
    stats = statistics(known, "chu", StatsFilter())
    assert rows(stats, "on_time_by_unit")["市工信局"]["overdue_open"] == 2
    assert rows(stats, "on_time_by_process")["subsidy_automatic"]["overdue_open"] == 2
    listed = figure_tasks(known, ALL_READER, StatsFilter(), "on_time_by_unit", "市工信局",
                          "overdue_open")
    assert listed is not None
    assert sorted((t.business_key, t.title, t.unit, t.completed_at) for t in listed) == [
        (batch.business_key, "兑付资金并通知企业（景德镇乙机械有限公司）", "市工信局", None),
        (batch.business_key, "兑付资金并通知企业（景德镇甲陶瓷有限公司）", "市工信局", None)]
    assert {t.due_at for t in listed} == {at("2026-10-13T17:30:00+08:00")}
    subject = known.instance(batch.id).subject  # the batch's policy (its case's 事由)
    assert subject and {t.subject for t in listed} == {subject}
    assert [c.subject for c in figure_cases(known, ALL_READER, StatsFilter(), "on_time_by_unit",
                                            "市工信局", "overdue_open")] == [subject]
    assert case_numbers(known, "on_time_by_unit", "市工信局", "overdue_open") == [
        batch.business_key]
    # every count of both figures lists as many tasks as it counts, finished ones last first
    for figure in ("on_time_by_unit", "on_time_by_process"):
        for row in stats.figure(figure).rows:
            for measure in ("done", "on_time", "late", "overdue_open"):
                found = figure_tasks(known, ALL_READER, StatsFilter(), figure, row.key, measure)
                assert found is not None and len(found) == row.values[measure], (
                    figure, row.key, measure)
    done = figure_tasks(known, ALL_READER, StatsFilter(), "on_time_by_process", "clue_triage",
                        "done")
    assert done is not None and [t.completed_at for t in done] == sorted(
        (t.completed_at for t in done), reverse=True)
    # a figure that counts cases or payouts lists no tasks
    assert figure_tasks(known, ALL_READER, StatsFilter(), "clues_by_source", "12345热线",
                        "total") is None
    assert figure_tasks(known, ALL_READER, StatsFilter(), "subsidy_payouts", "subsidy_instant",
                        "paid") is None
    with pytest.raises(PermissionDenied):
        figure_tasks(known, "sjj", StatsFilter(), "on_time_by_unit", "市工信局", "done")


@KNOWN
def test_cases_by_type_and_source(known: Engine) -> None:
    stats = statistics(known, "chu", StatsFilter())
    assert rows(stats, "clues_by_source") == {
        "举报直通车": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0},
        "12345热线": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    assert set(rows(stats, "clues_by_type")) == {"推诿拖延刁难", "吃拿卡要"}
    assert rows(stats, "legacy_by_type") == {
        "招商引资政策不兑现": {"total": 1, "closed": 1, "open": 0, "ended": 0, "rate": 100.0},
        "账款支付不到位": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}


@KNOWN
def test_a_terminated_clue_is_counted_as_ended(known: Engine) -> None:
    """案件数 = 已办结 + 办理中 + 已终止: a clue ended by 终止 is in none of the first two."""
    [hotline] = case_numbers(known, "clues_by_source", "12345热线", "open")
    [case_id] = [i for i in known.instance_ids()
                 if known.instance(i).business_key == hotline]
    known.ops.terminate(case_id, "sun", "重复登记，终止办理")
    assert rows(statistics(known, "chu", StatsFilter()), "clues_by_source")["12345热线"] == {
        "total": 1, "closed": 0, "open": 0, "ended": 1, "rate": 0.0}
    assert case_numbers(known, "clues_by_source", "12345热线", "ended") == [hotline]
    assert case_numbers(known, "clues_by_source", "12345热线", "open") == []


@KNOWN
def test_legacy_resolution_rate_by_stage(known: Engine) -> None:
    stats = statistics(known, "chu", StatsFilter())
    stages = stats.figure("legacy_by_stage").rows
    assert [r.label for r in stages] == ["自查摸排", "核实处理", "督促跟进", "总结提升"]
    # L1 was closed on 06-01, the day after 自查摸排 ended
    assert [(r.values["registered"], r.values["resolved"], r.values["rate"])
            for r in stages] == [(2, 0, 0.0), (2, 1, 50.0), (2, 1, 50.0), (2, 1, 50.0)]
    before = statistics(known, "chu", StatsFilter(start=date(2025, 1, 1)))
    assert [r.values["registered"] for r in before.figure("legacy_by_stage").rows] == [0] * 4


@KNOWN
def test_a_clue_registered_after_its_campaign_year_counts_in_its_campaign(
        known: Engine, clock: FixedClock) -> None:
    """A 2026 clue handed over in January 2027 (a campaign started in December registers its
    clues into the next year) is the 2026 campaign's: counted in its 总结提升 with its
    resolution to date, and not in the 2027 campaign."""
    clock.set(at("2027-01-12T09:00:00+08:00"))
    late = _late_legacy_case(known, 2026)
    campaign_2026 = StatsFilter(start=date(2026, 1, 1))
    stages = statistics(known, "chu", campaign_2026).figure("legacy_by_stage").rows
    assert [(r.values["registered"], r.values["resolved"]) for r in stages] == [
        (2, 0), (2, 1), (2, 1), (3, 1)]
    clock.set(at("2027-01-20T09:00:00+08:00"))
    _close_late(known, late)
    stages = statistics(known, "chu", campaign_2026).figure("legacy_by_stage").rows
    assert [(r.values["registered"], r.values["resolved"], r.values["rate"])
            for r in stages][-1] == (3, 2, 66.7)
    late_no = known.instance(late).business_key
    assert late_no in case_numbers(known, "legacy_by_stage", "summary", "registered",
                                   campaign_2026)
    assert late_no in case_numbers(known, "legacy_by_stage", "summary", "resolved",
                                   campaign_2026)
    assert late_no not in case_numbers(known, "legacy_by_stage", "follow_up", "registered",
                                       campaign_2026)
    # the 2027 campaign, this year's, has none of it
    this_year = statistics(known, "chu", StatsFilter()).figure("legacy_by_stage").rows
    assert [r.values["registered"] for r in this_year] == [0] * 4
    assert case_numbers(known, "legacy_by_stage", "summary", "registered") == []


def _late_legacy_case(engine: Engine, year: int) -> int:
    (case,) = engine.send_message("legacy_clue_registered", {}, {
        "campaign_year": year, "clue_type": "账款支付不到位", "enterprise": "景德镇某建筑公司",
        "respondent": "某区城投公司", "summary": "工程款拖欠三年", "amount": 86,
        "sector": "招商引资", "source": "县区园区报送"}, "gaige")
    engine.complete(task(engine, "gaige", "register_transfer", instance_id=case).id,
                    {"unit": "浮梁县", "ledger_note": "补登记入2026年台账"}, "gaige")
    return int(case)


def _close_late(engine: Engine, case: int) -> None:
    engine.complete(task(engine, "fuliang", "verify_propose", instance_id=case).id,
                    {"facts": "已核实", "experts_involved": False, "handling": "resolve"},
                    "fuliang")
    engine.complete(task(engine, "fuliang", "resolve_quickly", instance_id=case).id,
                    {"resolution": "工程款已支付", "resolved_on": "2027-01-19"}, "fuliang")
    engine.complete(task(engine, "gaige", "close_case", instance_id=case).id,
                    {"closing_note": "经核实已办结", "enterprise_feedback": "满意"}, "gaige")


@KNOWN
def test_subsidy_payouts_and_hotline_satisfaction(known: Engine) -> None:
    stats = statistics(known, "chu", StatsFilter())
    # applied 09-30, paid 10-10: 3 working days (10-08, 10-09 and Saturday 10-10, a working
    # day after National Day), 10 calendar days; within 1 working day of approval
    assert rows(stats, "subsidy_payouts") == {"subsidy_instant": {
        "paid": 1, "on_time": 1, "amount": 36000.0, "avg_days": 3.0}}
    assert stats.figure("subsidy_payouts").columns[-1].title == "平均兑付用时（工作日）"
    assert rows(stats, "hotline_satisfaction") == {None: {"rated": 1, "satisfied": 1,
                                                          "rate": 100.0}}
    assert rows(stats, "hotline_by_rating")["非常满意"]["total"] == 1


def test_the_average_payout_time_counts_working_days_on_the_engine_s_calendar(
        engine: Engine, clock: FixedClock) -> None:
    """Working days as the engine's calendar has them, its administrator's days included:
    two applications of Monday 10-12, paid on Wednesday 10-14 and Friday 10-16, took 2 and
    4 working days; with Tuesday 10-13 a day off, 1 and 3."""
    deploy(engine)
    add_people(engine)
    engine.import_units(ROUTING_UNITS)
    engine.set_calendar_day(date(2026, 10, 13), False, "停电停工")
    clock.set(at("2026-10-12T09:00:00+08:00"))
    cases = [engine.start("subsidy_instant", APPLICATION, "qiye").id for _ in range(2)]
    for case in cases:
        engine.complete(task(engine, "swj", "approve", instance_id=case).id,
                        {"decision": "approve", "approved_amount": 36000}, "swj")
    for case, day in zip(cases, ("2026-10-14", "2026-10-16"), strict=True):
        clock.set(at(f"{day}T10:00:00+08:00"))
        engine.complete(task(engine, "swj", "pay", instance_id=case).id, PAYOUT, "swj")
    paid = rows(statistics(engine, "chu", StatsFilter()), "subsidy_payouts")
    assert paid["subsidy_instant"]["avg_days"] == 2.0  # (1 + 3) / 2; 3.0 in calendar days
    # a period of the second payout alone: its start day, before the period, still counts
    alone = statistics(engine, "chu", StatsFilter(start=date(2026, 10, 15)))
    assert rows(alone, "subsidy_payouts")["subsidy_instant"]["avg_days"] == 3.0


@KNOWN
def test_the_data_bureau_follows_the_payouts_reported_to_it_and_the_12345_complaints(
        known: Engine) -> None:
    """The 市政数局 receives every payout's result report and takes the 12345 complaints:
    it reads those figures (and the 中介 clues it runs), not the clue timeliness."""
    bureau = statistics(known, "sjj", StatsFilter())
    assert bureau.sections == ("intermediary", "subsidy", "hotline")
    assert rows(bureau, "subsidy_payouts") == rows(statistics(known, "chu", StatsFilter()),
                                                   "subsidy_payouts")
    assert rows(bureau, "hotline_satisfaction")[None]["satisfied"] == 1
    [paid] = figure_cases(known, "sjj", StatsFilter(), "subsidy_payouts", "subsidy_instant",
                          "paid")
    assert paid.process_key == "subsidy_instant"
    for hidden in ("on_time_by_unit", "clues_by_type", "legacy_by_type"):
        with pytest.raises(PermissionDenied):
            statistics(known, "sjj", StatsFilter(), figure=hidden)


@KNOWN
def test_period_filter(known: Engine) -> None:
    october = statistics(known, "chu", StatsFilter(start=date(2026, 10, 1),
                                                   end=date(2026, 10, 31)))
    # finished in October: clue A's transfer (late), clue B's proposal and approval, the
    # subsidy's approval and payout
    assert rows(october, "on_time_by_process")["clue_triage"] == {
        "done": 3, "on_time": 2, "late": 1, "rate": 50.0, "overdue_open": 1}
    assert set(rows(october, "on_time_by_process")) == {"clue_triage", "subsidy_instant"}
    assert rows(october, "clues_by_source") == {
        "12345热线": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    september = statistics(known, "chu", StatsFilter(end=date(2026, 9, 30)))
    assert rows(september, "subsidy_payouts") == {}
    # no complaint rated before 2026: no row, so the page says 期间内没有数据
    earlier = statistics(known, "chu", StatsFilter(end=date(2025, 12, 31)))
    assert rows(earlier, "hotline_satisfaction") == {}
    assert rows(september, "on_time_by_process")["clue_triage"]["overdue_open"] == 0
    with pytest.raises(InvalidData):
        StatsFilter(start=date(2026, 10, 2), end=date(2026, 10, 1))


@KNOWN
def test_unit_and_procedure_filters(known: Engine) -> None:
    fuliang = statistics(known, "chu", StatsFilter(unit="浮梁县"))
    assert set(rows(fuliang, "on_time_by_unit")) == {"浮梁县"}
    assert set(rows(fuliang, "legacy_by_type")) == {"招商引资政策不兑现"}
    assert [r.values["registered"] for r in fuliang.figure("legacy_by_stage").rows] == [1] * 4
    assert rows(fuliang, "clues_by_source") == {}
    # clue B is proposed to 乐平市纪委监委 but still at the intake office: not theirs yet
    leping = StatsFilter(unit="乐平市纪委监委")
    assert rows(statistics(known, "chu", leping), "clues_by_source") == {}
    do(known, "li", "transfer", {"transfer_note": "请核查"}, process="clue_triage")
    assert set(rows(statistics(known, "chu", leping), "clues_by_source")) == {"12345热线"}
    clues = statistics(known, "chu", StatsFilter(process="clue_triage"))
    assert set(rows(clues, "on_time_by_process")) == {"clue_triage"}
    assert rows(clues, "legacy_by_type") == {} and rows(clues, "subsidy_payouts") == {}
    assert [r.values["registered"] for r in clues.figure("legacy_by_stage").rows] == [0] * 4


@KNOWN
def test_every_count_names_its_cases(known: Engine) -> None:
    clue_a, clue_b = "ZF-2026-000001", "ZF-2026-000002"
    assert case_numbers(known, "on_time_by_process", "clue_triage", "late") == [clue_a]
    assert case_numbers(known, "on_time_by_process", "clue_triage", "overdue_open") == [clue_b]
    assert case_numbers(known, "on_time_by_process", "clue_triage", "done") == [clue_a, clue_b]
    assert case_numbers(known, "on_time_by_unit", None, "overdue_open") == [clue_b]
    assert case_numbers(known, "clues_by_source", "12345热线", "total") == [clue_b]
    october = StatsFilter(start=date(2026, 10, 1))
    assert case_numbers(known, "clues_by_type", "推诿拖延刁难", "total", october) == []
    [resolved] = figure_cases(known, ALL_READER, StatsFilter(), "legacy_by_stage", "verification",
                              "resolved")
    assert resolved.process_key == "legacy_case" and resolved.status == "completed"
    assert figure_cases(known, ALL_READER, StatsFilter(), "legacy_by_stage", "self_inspection",
                        "resolved") == []
    assert len(figure_cases(known, ALL_READER, StatsFilter(), "legacy_by_type", "账款支付不到位",
                            "open")) == 1
    [paid] = figure_cases(known, ALL_READER, StatsFilter(), "subsidy_payouts", "subsidy_instant",
                          "paid")
    assert paid.business_key == "JSJX-2026-000001"
    assert len(figure_cases(known, ALL_READER, StatsFilter(), "hotline_satisfaction", None,
                            "satisfied")) == 1
    with pytest.raises(NotFound):
        figure_cases(known, ALL_READER, StatsFilter(), "nope", None, "total")


@KNOWN
def test_each_supervising_role_sees_its_sections(known: Engine) -> None:
    assert sections_for(["case_manager"]) == ("timeliness", "clues", "intermediary")
    assert sections_for(["supervision_office"]) == ("timeliness", "clues", "intermediary",
                                                    "hotline")
    assert sections_for(["reform_group"]) == ("timeliness", "intermediary", "legacy", "subsidy")
    assert sections_for(["city_leader"]) == ("timeliness", "clues", "intermediary", "legacy",
                                             "subsidy", "hotline")
    reform = statistics(known, "gaige", StatsFilter())
    assert [f.key for f in reform.figures] == [
        "on_time_by_unit", "on_time_by_process", "intermediary_by_item",
        "intermediary_by_category", "intermediary_by_unit", "intermediary_on_time_by_unit",
        "legacy_by_type", "legacy_by_stage", "subsidy_payouts"]
    assert statistics(known, "sun", StatsFilter(), "clues").sections == ("clues",)
    one = statistics(known, "chu", StatsFilter(), figure="subsidy_payouts")
    assert [f.key for f in one.figures] == ["subsidy_payouts"]
    with pytest.raises(PermissionDenied):
        statistics(known, "sun", StatsFilter(), figure="legacy_by_stage")
    with pytest.raises(PermissionDenied):
        statistics(known, "sun", StatsFilter(), "legacy")
    with pytest.raises(PermissionDenied):
        figure_cases(known, "sun", StatsFilter(), "legacy_by_type", "账款支付不到位", "open")
    for outsider in ("zhao", "li", "swj", "audit", "qiye"):
        with pytest.raises(PermissionDenied):
            statistics(known, outsider, StatsFilter())
        with pytest.raises(PermissionDenied):
            figure_cases(known, outsider, StatsFilter(), "on_time_by_unit", None, "done")


@KNOWN
def test_xlsx_holds_the_figures_as_numbers_and_a_real_date(known: Engine) -> None:
    stats = statistics(known, "chu", StatsFilter(start=date(2026, 1, 1), unit="=1+1"))
    data = stats.to_xlsx()
    book = load_workbook(io.BytesIO(data))
    about = book["统计说明"]
    assert about["B1"].value == datetime(2026, 10, 12, 9, 0)
    assert about["B2"].value == datetime(2026, 1, 1) and about["B2"].is_date
    assert about["B4"].value == "=1+1" and about["B4"].data_type == "s"
    sheet = book["各流程按期办结率"]
    assert [c.value for c in sheet[1]] == ["分组", "办结", "按期办结", "超期办结",
                                           "按期办结率（%）", "超期未办结"]
    assert book.sheetnames[1:] == [f.title for f in stats.figures]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any("<f>" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("xl/worksheets/"))
    every = statistics(known, "chu", StatsFilter())
    values = {r[0]: r[1:] for r in book["各流程按期办结率"].iter_rows(min_row=2,
                                                                    values_only=True)}
    assert values == {}  # the unit filter "=1+1" matches nothing
    sheet = load_workbook(io.BytesIO(every.to_xlsx()))["各流程按期办结率"]
    clue = next(r for r in sheet.iter_rows(min_row=2, values_only=True)
                if r[0] == "问题线索受理处置")
    assert clue[1:] == (5, 4, 1, 66.7, 1)


@KNOWN
def test_a_unit_filter_covers_the_unit_s_subtree_in_the_directory(known: Engine) -> None:
    fuliang = StatsFilter(unit="浮梁县")
    assert rows(statistics(known, "chu", fuliang), "clues_by_source") == {}
    known.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    # 浮梁县纪委监委 (clue A's handler unit) is below 浮梁县; 乐平市纪委监委 is not
    stats = statistics(known, "chu", fuliang)
    assert rows(stats, "clues_by_source") == {
        "举报直通车": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    assert set(rows(stats, "legacy_by_type")) == {"招商引资政策不兑现"}
    assert case_numbers(known, "clues_by_source", "举报直通车", "total", fuliang) == [
        "ZF-2026-000001"]
    by_name = statistics(known, "chu", StatsFilter(unit="浮梁"))  # a short name finds it too
    assert rows(by_name, "clues_by_source") == rows(stats, "clues_by_source")


@KNOWN
def test_a_county_s_supervisors_count_their_county(known: Engine) -> None:
    known.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    known.add_user("fl_cm", ["case_manager"], unit="浮梁县纪委监委")
    mine = statistics(known, "fl_cm", StatsFilter())
    assert mine.filter.unit == "浮梁县"
    assert rows(mine, "clues_by_source") == {
        "举报直通车": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    assert case_numbers(known, "clues_by_source", "12345热线", "total") == ["ZF-2026-000002"]
    assert figure_cases(known, "fl_cm", StatsFilter(), "clues_by_source", "12345热线",
                        "total") == []
    with pytest.raises(PermissionDenied):
        statistics(known, "fl_cm", StatsFilter(unit="乐平市"))
    with pytest.raises(PermissionDenied):
        figure_cases(known, "fl_cm", StatsFilter(unit="乐平市纪委监委"), "clues_by_source",
                     "12345热线", "total")
    # a name the directory does not know is a typo to them, not a unit beyond their area
    for typo in ("浮粱县", "浮梁县某局"):
        with pytest.raises(InvalidData) as said:
            statistics(known, "fl_cm", StatsFilter(unit=typo))
        assert said.value.said.render("zh") == f"单位名录中没有“{typo}”"
    # the city's supervisors keep the whole city
    assert set(rows(statistics(known, "sun", StatsFilter()), "clues_by_source")) == {
        "举报直通车", "12345热线"}


# -- 中介服务 clues (tests/stats_support.py, intermediary_data) ---------------------------------

ZJXS = "ZJXS-2026-00000"


@pytest.fixture
def intermediary(engine: Engine, clock: FixedClock) -> Engine:
    clock.set(at(INTERMEDIARY_NOW))
    return engine


@INTERMEDIARY
def test_intermediary_clues_by_item_category_and_unit(intermediary: Engine) -> None:
    stats = statistics(intermediary, "chu", StatsFilter(), "intermediary")
    assert [f.key for f in stats.figures] == [
        "intermediary_by_item", "intermediary_by_category", "intermediary_by_unit",
        "intermediary_on_time_by_unit"]
    closed = {"total": 1, "declined": 0, "closed": 1, "open": 0, "overdue": 0, "rate": 100.0}
    declined = {"total": 1, "declined": 1, "closed": 0, "open": 0, "overdue": 0, "rate": None}
    late = {"total": 1, "declined": 0, "closed": 0, "open": 1, "overdue": 1, "rate": 0.0}
    assert rows(stats, "intermediary_by_item") == {"ZJ-001": closed, "ZJ-004": declined,
                                                   None: late}
    # labelled by the item's name as the cases show it; the clue without an item last
    assert [r.label for r in stats.figure("intermediary_by_item").rows] == [
        "ZJ-001 建设工程施工图设计文件审查", "ZJ-004 建设工程规划条件核实测量", "（未填写）"]
    # the categories in the form's order; 销号率 leaves the declined clue out
    assert [(r.key, r.values) for r in stats.figure("intermediary_by_category").rows] == [
        ("市场秩序", closed),
        ("中介收费", {"total": 2, "declined": 1, "closed": 0, "open": 1, "overdue": 1,
                  "rate": 0.0})]
    # the declined clue keeps the unit its item proposed
    assert rows(stats, "intermediary_by_unit") == {"市住建局": closed, "市自然资源局": declined,
                                                   "浮梁县": late}


@INTERMEDIARY
def test_intermediary_on_time_rate_by_unit(intermediary: Engine) -> None:
    stats = statistics(intermediary, "chu", StatsFilter())
    figure = stats.figure("intermediary_on_time_by_unit")
    assert figure.section == "intermediary"
    # the 专班's three classifications and one confirmation (no unit), 市住建局's plan on
    # time and its rectification late, 浮梁县's plan on time and its rectification overdue
    assert rows(stats, "intermediary_on_time_by_unit") == {
        None: {"done": 4, "on_time": 4, "late": 0, "rate": 100.0, "overdue_open": 0},
        "市住建局": {"done": 2, "on_time": 1, "late": 1, "rate": 50.0, "overdue_open": 0},
        "浮梁县": {"done": 1, "on_time": 1, "late": 0, "rate": 50.0, "overdue_open": 1}}
    assert rows(stats, "on_time_by_process")["intermediary_clue"]["done"] == 7
    # read alone, or taken out of every procedure's counts the timeliness section read
    alone = statistics(intermediary, "chu", StatsFilter(), figure="intermediary_on_time_by_unit")
    assert alone.figures == [figure]
    other = statistics(intermediary, "chu", StatsFilter(process="clue_triage"), "intermediary")
    assert all(f.rows == [] for f in other.figures)
    same = statistics(intermediary, "chu", StatsFilter(process="intermediary_clue"),
                      "intermediary")
    assert [f.rows for f in same.figures] == [
        f.rows for f in statistics(intermediary, "chu", StatsFilter(), "intermediary").figures]
    assert figure_cases(intermediary, ALL_READER, StatsFilter(process="clue_triage"),
                        "intermediary_on_time_by_unit", "市住建局", "late") == []


@INTERMEDIARY
def test_every_intermediary_count_names_its_cases(intermediary: Engine) -> None:
    def numbers(figure: str, key: str | None, measure: str,
                flt: StatsFilter | None = None) -> list[str | None]:
        return case_numbers(intermediary, figure, key, measure, flt)

    assert numbers("intermediary_by_item", None, "overdue") == [ZJXS + "2"]
    assert numbers("intermediary_by_item", "ZJ-001", "closed") == [ZJXS + "1"]
    assert numbers("intermediary_by_category", "中介收费", "total") == [ZJXS + "2", ZJXS + "3"]
    assert numbers("intermediary_by_category", "中介收费", "declined") == [ZJXS + "3"]
    assert numbers("intermediary_by_category", "中介收费", "open") == [ZJXS + "2"]
    assert numbers("intermediary_by_unit", "市住建局", "closed") == [ZJXS + "1"]
    assert numbers("intermediary_on_time_by_unit", "市住建局", "late") == [ZJXS + "1"]
    assert numbers("intermediary_on_time_by_unit", "浮梁县", "overdue_open") == [ZJXS + "2"]
    assert numbers("intermediary_on_time_by_unit", None, "done") == [
        ZJXS + "1", ZJXS + "2", ZJXS + "3"]
    october = StatsFilter(start=date(2026, 10, 1))  # registered on 09-30
    assert numbers("intermediary_by_category", "中介收费", "total", october) == []
    assert rows(statistics(intermediary, "chu", october), "intermediary_by_unit") == {}
    assert rows(statistics(intermediary, "chu", october),
                "intermediary_on_time_by_unit")["市住建局"]["done"] == 2


@INTERMEDIARY
def test_a_clue_with_two_overdue_steps_is_one_overdue_clue(intermediary: Engine,
                                                          clock: FixedClock) -> None:
    """The clue figures count clues: clue 2, its rectification overdue at 浮梁县 and the
    逾期督办 it started overdue at the 专班, is one 超期未办结 clue, listed once; the
    procedure's 按期办结率 counts the two steps, each under its unit, and lists each."""
    assert intermediary.timers.fire_due().fired == 1  # 整改逾期: the 专班's 逾期督办
    clock.set(at("2026-10-23T09:00:00+08:00"))  # the 督办 was due 10-22 17:30
    stats = statistics(intermediary, "chu", StatsFilter(), "intermediary")
    assert rows(stats, "intermediary_by_unit")["浮梁县"]["overdue"] == 1
    assert rows(stats, "intermediary_by_item")[None]["overdue"] == 1
    assert case_numbers(intermediary, "intermediary_by_unit", "浮梁县", "overdue") == [
        ZJXS + "2"]
    on_time = rows(stats, "intermediary_on_time_by_unit")
    assert (on_time["浮梁县"]["overdue_open"], on_time[None]["overdue_open"]) == (1, 1)
    for unit, step in (("浮梁县", "落实整改，报送整改情况"), (None, "逾期督办")):
        listed = figure_tasks(intermediary, ALL_READER, StatsFilter(),
                              "intermediary_on_time_by_unit", unit, "overdue_open")
        assert [(t.business_key, t.title) for t in listed or []] == [(ZJXS + "2", step)]


@INTERMEDIARY
def test_who_sees_the_intermediary_section(intermediary: Engine) -> None:
    assert sections_for(["data_bureau"]) == ("intermediary", "subsidy", "hotline")
    for role in ("case_manager", "style_group", "supervision_office", "reform_group",
                 "city_leader"):
        assert "intermediary" in sections_for([role]), role
    assert sections_for(["auditor"]) == ()
    bureau = statistics(intermediary, "zhuanban", StatsFilter())
    assert bureau.sections == ("intermediary", "subsidy", "hotline")
    assert rows(bureau, "intermediary_by_unit")["浮梁县"]["overdue"] == 1
    assert len(figure_cases(intermediary, "zhuanban", StatsFilter(), "intermediary_by_unit",
                            "浮梁县", "overdue")) == 1
    with pytest.raises(PermissionDenied):
        statistics(intermediary, "zhuanban", StatsFilter(), "timeliness")
    with pytest.raises(PermissionDenied):
        figure_cases(intermediary, "zhuanban", StatsFilter(), "on_time_by_unit", None, "done")
    for outsider in ("audit", "fl", "qiye"):
        with pytest.raises(PermissionDenied):
            statistics(intermediary, outsider, StatsFilter(), "intermediary")


@INTERMEDIARY
def test_a_county_counts_its_own_intermediary_clues(intermediary: Engine) -> None:
    # a county's 政数局 and its 纪委监委's case managers: the clues of the county's units
    for user in ("fl_sjj", "fl_cm"):
        mine = statistics(intermediary, user, StatsFilter(), "intermediary")
        assert mine.filter.unit == "浮梁县"
        assert set(rows(mine, "intermediary_by_unit")) == {"浮梁县"}
        assert set(rows(mine, "intermediary_on_time_by_unit")) == {"浮梁县"}
        assert figure_cases(intermediary, user, StatsFilter(), "intermediary_by_unit",
                            "市住建局", "total") == []
        with pytest.raises(PermissionDenied):
            statistics(intermediary, user, StatsFilter(unit="市住建局"), "intermediary")
    city = statistics(intermediary, "sun", StatsFilter(unit="市住建局"), "intermediary")
    assert set(rows(city, "intermediary_by_item")) == {"ZJ-001"}


@INTERMEDIARY
def test_xlsx_holds_the_intermediary_figures(intermediary: Engine) -> None:
    stats = statistics(intermediary, "zhuanban", StatsFilter(), "intermediary")
    book = load_workbook(io.BytesIO(stats.to_xlsx()))
    assert book.sheetnames == ["统计说明", "中介服务问题线索按中介服务事项",
                               "中介服务问题线索按问题类别", "中介服务问题线索按责任单位",
                               "中介服务问题线索各单位按期办结率"]
    sheet = book["中介服务问题线索按问题类别"]
    assert [c.value for c in sheet[1]] == ["分组", "线索数", "不予受理", "已销号", "办理中",
                                           "超期未办结", "销号率（%）"]
    assert [r for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("市场秩序", 1, 0, 1, 0, 0, 100.0), ("中介收费", 2, 1, 0, 1, 1, 0.0)]


@KNOWN
def test_a_batch_counts_and_sums_each_enterprise_as_it_is_paid(known: Engine) -> None:
    """免申即享: one enterprise of two paid counts one payout of its 实际兑付金额 at once, not
    the batch's total once every enterprise is paid and the batch reported."""
    batch = batch_of_two(known)
    first = next(t for t in known.inbox.for_user("gxj")
                 if t.instance_id == batch.id and t.name == "pay_enterprise")
    item = known.task_data(first.id, "gxj")["enterprise"]
    known.complete(first.id, {"enterprise": {
        **item, "paid_amount": item["amount"], "paid_on": "2026-10-12",
        "payment_voucher": "PZ-1", "notice_channel": "短信"}}, "gxj")
    figure = statistics(known, "sjj", StatsFilter()).figure("subsidy_payouts")
    paid = {r.key: r.values for r in figure.rows}["subsidy_automatic"]
    assert (paid["paid"], paid["amount"]) == (1, item["amount"])
    assert rows(statistics(known, "sjj", StatsFilter()), "subsidy_payouts")[
        "subsidy_instant"]["amount"] == 36000.0  # one payout each: as before
    assert "实际兑付金额之和" in figure.note


@KNOWN
def test_a_payout_count_lists_its_payouts_one_per_enterprise(known: Engine) -> None:
    """兑付笔数 lists the payouts it counts (a batch's enterprises one by one, each with its
    case, enterprise, amount and date), not the cases: three payouts of two cases, three
    rows."""
    known.add_user("gxj", ["policy_dept"], unit="市工信局")
    batch = known.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    listed = [
        {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000},
        {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 80000},
        {"name": "景德镇丙新材料有限公司", "credit_code": "91360200MA35A00034", "amount": 5000}]
    known.complete(task(known, "gxj", "confirm_enterprises", instance_id=batch.id).id,
                   {"enterprises": listed, "confirmation_basis": "部门数据比对"}, "gxj")
    payouts = [t for t in known.inbox.for_user("gxj")
               if t.instance_id == batch.id and t.name == "pay_enterprise"]
    for day, enterprise in (("2026-10-11", listed[2]), ("2026-10-12", listed[0])):
        own = next(t for t in payouts if t.title.endswith(f"（{enterprise['name']}）"))
        known.complete(own.id, {"enterprise": {  # the payment alone: the facts are the task's
            "paid_amount": enterprise["amount"] - 0.5, "paid_on": day,
            "payment_voucher": f"PZ-{day}", "notice_channel": "短信"}}, "gxj")
    figure = statistics(known, "sjj", StatsFilter()).figure("subsidy_payouts")
    counted = {r.key: r.values["paid"] for r in figure.rows}
    assert counted == {"subsidy_automatic": 2, "subsidy_instant": 1}
    assert len(figure_cases(known, "sjj", StatsFilter(), "subsidy_payouts",
                            "subsidy_automatic", "paid")) == 1  # one case behind two payouts
    found = figure_payouts(known, "sjj", StatsFilter(), "subsidy_payouts",
                           "subsidy_automatic", "paid")
    assert found is not None and len(found) == counted["subsidy_automatic"]
    assert [(p.business_key, p.enterprise, p.credit_code, p.paid, p.paid_on) for p in found] == [
        (batch.business_key, "景德镇甲陶瓷有限公司", "91360200MA35A0001X", 119999.5,
         "2026-10-12"),
        (batch.business_key, "景德镇丙新材料有限公司", "91360200MA35A00034", 4999.5,
         "2026-10-11")]
    instant = figure_payouts(known, "sjj", StatsFilter(), "subsidy_payouts",
                             "subsidy_instant", "paid")
    assert [(p.process_key, p.enterprise, p.paid, p.paid_on) for p in instant or []] == [
        ("subsidy_instant", "景德镇某陶瓷有限公司", 36000, "2026-10-10")]
    on_time = figure_payouts(known, "sjj", StatsFilter(), "subsidy_payouts",
                             "subsidy_automatic", "on_time")
    assert on_time is not None and len(on_time) == {
        r.key: r.values["on_time"] for r in figure.rows}["subsidy_automatic"]
    # a figure that counts cases lists cases
    assert figure_payouts(known, "chu", StatsFilter(), "on_time_by_process", "clue_triage",
                          "done") is None
    with pytest.raises(PermissionDenied):
        figure_payouts(known, "gxj", StatsFilter(), "subsidy_payouts", "subsidy_automatic",
                       "paid")



def payout_figure(engine: Engine, key: str) -> dict[str, Any] | None:
    return rows(statistics(engine, "sjj", StatsFilter()), "subsidy_payouts").get(key)


def paid_payouts(engine: Engine, key: str) -> list[tuple[str | None, float | None, str | None]]:
    """The payouts 兑付笔数 lists: enterprise, amount paid and day."""
    found = figure_payouts(engine, "sjj", StatsFilter(), "subsidy_payouts", key, "paid")
    return [(p.enterprise, p.paid, p.paid_on) for p in found or []]


@KNOWN
def test_a_payout_withdrawn_and_made_again_counts_once_as_made_again(
        known: Engine, clock: FixedClock) -> None:
    """即申即享: the payout of 10-10 withdrawn (撤回) by who made it no longer counts while it
    is to be made again; made again, it counts once, as made the second time: its amount,
    its day, whether on time."""
    [paid] = figure_payouts(known, "sjj", StatsFilter(), "subsidy_payouts", "subsidy_instant",
                            "paid") or []
    known.ops.withdraw(paid.task_id, "swj")
    assert rows(statistics(known, "sjj", StatsFilter()), "subsidy_payouts") == {}
    clock.set(at("2026-10-12T10:00:00+08:00"))
    known.complete(task(known, "swj", "pay", instance_id=paid.instance_id).id,
                   {**PAYOUT, "paid_amount": 35000, "paid_on": "2026-10-12",
                    "partial_payment_confirmed": True}, "swj")
    stats = statistics(known, "sjj", StatsFilter())
    # due 10-10 17:30 (1 working day after approval): late now; 09-30 to 10-12: 4 working days
    assert rows(stats, "subsidy_payouts") == {"subsidy_instant": {
        "paid": 1, "on_time": 0, "amount": 35000.0, "avg_days": 4.0}}
    assert paid_payouts(known, "subsidy_instant") == [("景德镇某陶瓷有限公司", 35000, "2026-10-12")]
    assert [c.id for c in figure_cases(known, "sjj", StatsFilter(), "subsidy_payouts",
                                       "subsidy_instant", "paid")] == [paid.instance_id]
    october_10 = StatsFilter(start=date(2026, 10, 10), end=date(2026, 10, 10))
    assert rows(statistics(known, "sjj", october_10), "subsidy_payouts") == {}


@KNOWN
def test_a_batch_sent_back_and_paid_again_counts_each_enterprise_once(
        known: Engine, clock: FixedClock) -> None:
    """免申即享: both enterprises paid, then the 市政数局 sends the batch back (退回) to be
    confirmed and paid again; each enterprise counts once, as paid the last time."""
    batch = batch_of_two(known)

    def pay_all(amounts: dict[str, int], day: str) -> None:
        for own in [t for t in known.inbox.for_user("gxj")
                    if t.instance_id == batch.id and t.name == "pay_enterprise"]:
            name = own.title[own.title.index("（") + 1:-1]
            known.complete(own.id, {"enterprise": {
                "paid_amount": amounts[name], "paid_on": day, "payment_voucher": f"PZ-{day}",
                "notice_channel": "短信"}}, "gxj")

    jia, yi = "景德镇甲陶瓷有限公司", "景德镇乙机械有限公司"
    pay_all({jia: 120000, yi: 80000}, "2026-10-12")
    assert payout_figure(known, "subsidy_automatic") == {
        "paid": 2, "on_time": 2, "amount": 200000.0, "avg_days": 0.0}
    clock.set(at("2026-10-13T09:00:00+08:00"))
    known.ops.send_back(task(known, "sjj", "record_result", instance_id=batch.id).id, "sjj",
                        "乙机械兑付金额有误")
    known.complete(task(known, "gxj", "confirm_enterprises", instance_id=batch.id).id, {
        "enterprises": [
            {"name": jia, "credit_code": "91360200MA35A0001X", "amount": 120000},
            {"name": yi, "credit_code": "91360200MA35A00021", "amount": 60000}],
        "confirmation_basis": "部门数据比对"}, "gxj")
    assert payout_figure(known, "subsidy_automatic") is None  # both to be paid again
    clock.set(at("2026-10-14T10:00:00+08:00"))
    pay_all({jia: 120000, yi: 60000}, "2026-10-14")
    # due 10-14 17:30, one working day after the second confirmation; 10-12 to 10-14: 2
    assert payout_figure(known, "subsidy_automatic") == {
        "paid": 2, "on_time": 2, "amount": 180000.0, "avg_days": 2.0}
    assert sorted(paid_payouts(known, "subsidy_automatic")) == [
        (yi, 60000, "2026-10-14"), (jia, 120000, "2026-10-14")]
