"""What a supervisor's statistics count, read as the supervisor reads them: 按期办结率 with the
work still open past its due time, a county's clues as its 问题线索台账 lists them, and the
procedures the filter offers each reader."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import PermissionDenied
from engine.queries.stats import (
    Statistics,
    StatsFilter,
    counted_processes,
    figure_cases,
    figure_tasks,
    statistics,
)
from engine.time.clock import FixedClock
from tests.conftest import seeded
from tests.process_helpers import PROCESSES, at, case_task, clue_files, load_units, task
from tests.process_helpers import transferred_clue as transferred
from tests.stats_support import NOW, known_data
from tests.test_process_clue_triage import FULIANG, LEPING

KNOWN = seeded(lambda engine: known_data(engine, engine.clock))  # type: ignore[arg-type]
GXJ = "市工信局"


@pytest.fixture
def known(engine: Engine, clock: FixedClock) -> Engine:
    clock.set(at(NOW))
    return engine


def by_key(stats: Statistics, figure: str) -> dict[str | None, dict[str, Any]]:
    return {r.key: r.values for r in stats.figure(figure).rows}


# -- 按期办结率: open overdue work counts against it ---------------------------------------------


@KNOWN
def test_work_left_open_past_its_due_time_lowers_the_on_time_rate(known: Engine,
                                                                 clock: FixedClock) -> None:
    """市工信局 pays one enterprise of a 免申即享 batch on time and leaves the other's payout
    open past its due time (10-13 17:30). Every finished step was on time, yet the unit is
    not 100 % on time: 1 on time ÷ (1 done + 1 overdue open)."""
    known.add_user("gxj", ["policy_dept"], unit=GXJ)
    batch = known.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    known.complete(task(known, "gxj", "confirm_enterprises", instance_id=batch.id).id, {
        "enterprises": [
            {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000},
            {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 80000}],
        "confirmation_basis": "部门数据比对"}, "gxj")
    clock.set(at("2026-10-13T10:00:00+08:00"))
    first = next(t for t in known.inbox.for_user("gxj")
                 if t.instance_id == batch.id and t.name == "pay_enterprise")
    item = known.task_data(first.id, "gxj")["enterprise"]
    known.complete(first.id, {"enterprise": {
        **item, "paid_amount": item["amount"], "paid_on": "2026-10-13",
        "payment_voucher": "PZ-1", "notice_channel": "短信"}}, "gxj")
    on_time_before = by_key(statistics(known, "chu", StatsFilter()), "on_time_by_unit")[GXJ]
    assert on_time_before == {"done": 1, "on_time": 1, "late": 0, "rate": 100.0,
                              "overdue_open": 0}  # the other payout not yet due
    clock.set(at("2026-10-14T09:00:00+08:00"))
    stats = statistics(known, "chu", StatsFilter())
    assert by_key(stats, "on_time_by_unit")[GXJ] == {
        "done": 1, "on_time": 1, "late": 0, "rate": 50.0, "overdue_open": 1}
    assert by_key(stats, "on_time_by_process")["subsidy_automatic"]["rate"] == 50.0
    assert stats.figure("on_time_by_unit").note == "按期办结率 = 按期办结 ÷（办结 + 超期未办结）"
    # a period counts the open payout by its due day: not in the days before it
    before = StatsFilter(end=date(2026, 10, 12))
    assert GXJ not in by_key(statistics(known, "chu", before), "on_time_by_unit")
    day = StatsFilter(start=date(2026, 10, 13), end=date(2026, 10, 13))
    assert by_key(statistics(known, "chu", day), "on_time_by_unit")[GXJ]["rate"] == 50.0
    # the task is listed to who reads the payout (the reform group), not to the 纪委's leaders,
    # whom the count still tells
    listed = figure_tasks(known, "gaige", StatsFilter(), "on_time_by_unit", GXJ, "overdue_open")
    assert [t.title for t in listed or []] == ["兑付资金并通知企业（景德镇乙机械有限公司）"]
    assert figure_tasks(known, "chu", StatsFilter(), "on_time_by_unit", GXJ, "overdue_open") == []


# -- a county's clues: the figures count what its ledger lists ---------------------------------

CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "浮梁县市场监管局", "problem_type": "推诿拖延刁难", "summary": "拖延"}


@pytest.fixture
def county(engine: Engine) -> Engine:
    """The shipped directory; 浮梁县's intake and approver, the city's, and a case manager of
    each (浮梁县纪委监委's reads the county, the city's the whole city)."""
    load_units(engine)
    engine.deploy(clue_files())
    for name, role, unit in (("intake_fl", "intake", FULIANG), ("approver_fl", "approver",
                                                               FULIANG),
                             ("intake_city", "intake", "市纪委市监委信访室"),
                             ("approver_city", "approver", "市纪委市监委"),
                             ("fl_cm", "case_manager", FULIANG),
                             ("city_cm", "case_manager", "市纪委市监委案件监督管理室")):
        engine.add_user(name, [role], unit=unit)
    return engine


def counted_cases(engine: Engine, user: str, figure: str, flt: StatsFilter) -> list[str]:
    """The case numbers behind every row's 案件数 of a clue figure."""
    stats = statistics(engine, user, flt, figure=figure)
    return sorted(c.business_key or "" for row in stats.figures[0].rows
                  for c in figure_cases(engine, user, flt, figure, row.key, "total"))


def test_a_county_s_clue_figures_count_the_clues_its_ledger_lists(county: Engine) -> None:
    """One rule for a county's clues, the one its supervisors read cases by: registered in
    the county, or with a step at one of its units. A clue registered and not yet proposed
    (no 承办部门), and one the county transferred to 乐平市纪委监委, are the county's and
    counted; a city clue transferred to 浮梁县纪委监委 is counted once it is transferred, not
    while only proposed to it."""
    pending = county.start("clue_triage", {**CLUE, "owner": "intake_fl"}, "intake_fl").id
    away = transferred(county, {**CLUE, "channel": "12345热线", "problem_type": "吃拿卡要"},
                       "fl", LEPING)
    inbound = transferred(county, {**CLUE, "channel": "来信来访"}, "city", FULIANG)
    proposed = county.start("clue_triage", {**CLUE, "owner": "intake_city"}, "intake_city").id
    county.complete(case_task(county, proposed, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": FULIANG}, "intake_city")
    county.complete(case_task(county, proposed, "approve"), {"approved": True}, "approver_city")
    number = {i: county.instance(i).business_key for i in (pending, away, inbound, proposed)}

    listed = sorted(row[0] for row in county.ledger("clue", user="fl_cm").rows)
    assert listed == sorted(number[i] for i in (pending, away, inbound))
    mine = statistics(county, "fl_cm", StatsFilter())
    assert by_key(mine, "clues_by_source") == {
        "举报直通车": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0},
        "12345热线": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0},
        "来信来访": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    for figure in ("clues_by_type", "clues_by_source"):
        assert counted_cases(county, "fl_cm", figure, StatsFilter()) == listed, figure
    # the city's case managers, choosing 浮梁县, count the same clues
    fuliang = StatsFilter(unit="浮梁县")
    assert counted_cases(county, "city_cm", "clues_by_type", fuliang) == listed
    # the proposed clue reaches the county when it is transferred, and counts there then
    county.complete(case_task(county, proposed, "transfer"), {"transfer_note": "请核查"},
                    "intake_city")
    assert len(county.ledger("clue", user="fl_cm").rows) == 4
    assert counted_cases(county, "fl_cm", "clues_by_type", StatsFilter()) == sorted(
        number.values())


# -- the procedures a reader filters by ---------------------------------------------------------


@KNOWN
def test_each_reader_is_offered_the_procedures_its_figures_count(known: Engine) -> None:
    every = sorted(p.key for p in known.processes())
    assert counted_processes(known, "chu") == every  # the city's leaders: each one
    assert counted_processes(known, "sun") == every  # the city's case managers
    # the 市政数局 reads no 按期办结率: the payouts and the 12345 complaints it follows
    assert counted_processes(known, "sjj") == [
        "hotline_complaint", "subsidy_automatic", "subsidy_commitment", "subsidy_instant"]
    known.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    known.add_user("fl_cm", ["case_manager"], unit=FULIANG)
    # 浮梁县's case managers: the procedures with a step at a unit of the county (clue A's
    # verification at 浮梁县纪委监委, legacy case L1 at 浮梁县), not the city's subsidies
    assert counted_processes(known, "fl_cm") == ["clue_triage", "legacy_case"]
    for outsider in ("zhao", "audit", "qiye"):
        with pytest.raises(PermissionDenied):
            counted_processes(known, outsider)
