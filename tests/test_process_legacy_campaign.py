"""Scenario tests of ``legacy_campaign`` (新官不理旧账 annual four-stage cycle), moving clock.

Plan 2, 二 of the seed: (一) 自查摸排 April-May, (二) 核实处理 April-August, (三) 督促跟进
July-November (monthly dispatch, units report before the 1st), (四) 总结提升 December. One
instance per year: the engine starts one every 1 March; a manual start begins the current year
at once. Registered clues become ``legacy_case`` instances through the message
``legacy_clue_registered``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from engine.api import Engine
from engine.errors import InvalidData, PermissionDenied
from engine.queries.inbox import InboxFilter
from engine.storage.schema import Timer
from engine.time.calendar import TZ as BEIJING
from engine.time.clock import FixedClock
from engine.views import TaskView
from tests import process_helpers
from tests.conftest import seeded
from tests.process_helpers import PROCESSES, at, fire_at, legacy_files, timers_of
from web.demo import DEMO_USERS, create_demo_users

UNITS = ["昌江区", "珠山区", "浮梁县", "乐平市", "高新区", "昌南新区"]
# 各部门自查摸排: the self-inspection reaches the city departments too (市直各单位)
CITY_DEPARTMENTS = ["市发改委", "市工信局", "市商务局", "市财政局", "市政数局", "市市场监管局",
                    "市司法局", "市人社局", "市交通运输局", "市住建局", "市自然资源局", "市文旅局",
                    "市农业农村局",
                    "市林业局", "市科技局", "市税务局", "市政府金融办", "市卫健委", "市国资委",
                    "市委编办"]
CLUE = {
    "clue_type": "招商引资政策不兑现",
    "enterprise": "景德镇某陶瓷科技有限公司",
    "respondent": "某工业园区管委会",
    "summary": "2019年招商引资协议承诺的设备投资奖励至今未兑现",
    "amount": 120,
    "sector": "市商务局",
    "source": "公开征集",
}


# the manual start names the year and confirms what starting does
START = {"campaign_year": 2026, "start_confirmed": True}
MARCH = at("2026-03-02T10:00:00+08:00")  # the clock's and the world's time


@pytest.fixture
def clock() -> FixedClock:
    """Early March 2026: the campaign year lies ahead (overrides conftest's 2026-09-30)."""
    return FixedClock(MARCH)


def _world(engine: Engine) -> None:
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(legacy_files())
    engine.add_user("gaige", ["reform_group"])
    engine.add_user("fuliang", ["responsible_unit"], unit="浮梁县")
    engine.add_user("leping", ["responsible_unit"], unit="乐平市")
    engine.add_user("shangwu", ["sector_regulator"], unit="市商务局")
    engine.add_user("audit", ["auditor"])


WORLD = seeded(_world, at=MARCH)  # made once per process and backend, copied for each test


@pytest.fixture
def people(engine: Engine) -> Engine:
    return engine  # holding what ``_world`` built


# the tests look at the campaign's tasks unless a call names legacy_case
tasks = partial(process_helpers.tasks, process="legacy_campaign")
task = partial(process_helpers.task, process="legacy_campaign")


def due(open_task: TaskView) -> datetime:
    """A task's due time, which every stage task has."""
    assert open_task.due_at is not None, open_task.name
    return open_task.due_at


def complete_all(engine: Engine, name: str, data: dict[str, Any], instance_id: int) -> int:
    """Finish every open ``name`` of the campaign, whichever unit holds it."""
    done = 0
    for t in process_helpers.tasks(engine, "system", name, instance_id=instance_id):
        engine.complete(t.id, data, "system")
        done += 1
    return done


NOTICE = {"notice_title": "2026年景德镇市关于征集“新官不理旧账”问题线索的公告",
          "published_on": "2026-04-02", "channels": ["景德镇市人民政府网", "新闻媒体"]}
INSPECTION = {"clues_found": 2, "self_check_summary": "内部查找和公开征集，发现两条线索"}
DISPATCH = {"dispatch_notes": "通报各地进展", "slow_units": ["乐平市"], "reminders_sent": True}


# -- definitions ---------------------------------------------------------------------------


def test_definitions_validate_without_problems(engine: Engine) -> None:
    checked = engine.validate(legacy_files())
    assert checked.problems == []
    assert {p.key for p in checked.processes} == {"legacy_campaign", "legacy_case"}
    campaign = next(p for p in checked.processes if p.key == "legacy_campaign")
    assert campaign.start_timers == {
        "start_yearly": ("timeCycle", "'R/2026-03-01T09:00:00+08:00/P1Y'")}
    # the yearly start names its case by the year, as the start form's 行动年度 does
    assert campaign.start_keys == {"start_yearly": "now()[0:4]"}
    case = next(p for p in checked.processes if p.key == "legacy_case")
    assert case.start_messages == {"legacy_clue_registered"}
    assert case.case_prefix == "JZ"


# -- one instance per year -----------------------------------------------------------------


@WORLD
def test_engine_starts_one_campaign_each_first_of_march(people: Engine) -> None:
    # deployed on 2026-03-02: the 2026 occurrence has passed, the next is 1 March 2027
    assert timers_of(people, None) == {"start_yearly": [at("2027-03-01T09:00:00+08:00")]}
    fire_at(people, "2027-03-01T08:59:00+08:00")
    assert timers_of(people, None) == {"start_yearly": [at("2027-03-01T09:00:00+08:00")]}
    fire_at(people, "2027-03-01T09:00:01+08:00")
    assert timers_of(people, None) == {"start_yearly": [at("2028-03-01T09:00:00+08:00")]}
    started = [t.instance_id for t in people.timers.pending() if t.instance_id is not None]
    (first,) = set(started)
    view = people.instance(first)
    assert view.status == "running" and view.tasks == []
    assert view.data["campaign_year"] == 2027
    assert view.data["campaign_title"] == "2027年景德镇市“新官不理旧账”问题专项治理行动"
    # the instance waits for its own stage dates; its start timer is not left behind
    assert timers_of(people, first) == {
        "stage1_opens": [at("2027-04-01T00:00:00+08:00")],
        "stage2_opens": [at("2027-04-01T00:00:00+08:00")],
        "stage3_opens": [at("2027-07-01T00:00:00+08:00")],
        "stage4_opens": [at("2027-12-01T00:00:00+08:00")],
    }
    fire_at(people, "2028-03-01T09:00:01+08:00")
    ids = {t.instance_id for t in people.timers.pending() if t.instance_id is not None} - {first}
    (second,) = ids
    assert people.instance(second).data["campaign_year"] == 2028
    assert timers_of(people, second)["stage1_opens"] == [at("2028-04-01T00:00:00+08:00")]
    assert people.instance(first).data["campaign_year"] == 2027
    assert timers_of(people, None) == {"start_yearly": [at("2029-03-01T09:00:00+08:00")]}


@WORLD
def test_manual_start_begins_the_current_year_at_once(people: Engine) -> None:
    with pytest.raises(PermissionDenied):
        people.start("legacy_campaign", START, "fuliang")
    view = people.start("legacy_campaign", START, "gaige")
    assert view.status == "running" and view.business_key == "2026"
    # the number alone says little
    assert people.instance(view.id).subject == "2026年度新官不理旧账专项行动"
    data = view.data
    assert data["campaign_year"] == 2026
    assert (data["stage1_open"], data["stage1_close"]) == (
        "2026-04-01T00:00:00+08:00", "2026-06-01T00:00:00+08:00")
    assert (data["stage2_open"], data["stage2_close"]) == (
        "2026-04-01T00:00:00+08:00", "2026-09-01T00:00:00+08:00")
    assert (data["stage3_open"], data["stage3_close"]) == (
        "2026-07-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00")
    assert data["stage4_open"] == "2026-12-01T00:00:00+08:00"
    assert data["year_close"] == "2026-12-31T17:30:00+08:00"
    assert data["monthly_cycle"] == "R5/2026-07-25T09:00:00+08:00/P1M"
    assert sorted(timers_of(people, view.id)) == [
        "stage1_opens", "stage2_opens", "stage3_opens", "stage4_opens"]
    # the yearly schedule is untouched by a manual start
    assert timers_of(people, None) == {"start_yearly": [at("2027-03-01T09:00:00+08:00")]}


@WORLD
def test_the_manual_start_names_the_year_and_is_confirmed(people: Engine) -> None:
    for data, field in (({}, "campaign_year"), ({"campaign_year": 2026}, "start_confirmed"),
                        ({**START, "start_confirmed": False}, "start_confirmed"),
                        ({**START, "campaign_year": 2025}, "campaign_year"),
                        ({**START, "campaign_year": 2027}, "campaign_year")):
        with pytest.raises(InvalidData) as err:
            people.start("legacy_campaign", data, "gaige")
        assert field in err.value.field_errors
    with pytest.raises(InvalidData) as err:
        people.start("legacy_campaign", {**START, "campaign_year": 2025}, "gaige")
    assert err.value.field_errors == {"campaign_year": "行动年度须为今年（2026）"}
    assert tasks(people, "gaige") == []
    people.start("legacy_campaign", START, "gaige")
    # a second campaign for the same year is refused beside the year, nothing is sent
    with pytest.raises(InvalidData) as err:
        people.start("legacy_campaign", START, "gaige")
    assert err.value.field_errors == {"campaign_year": "已有以 2026 发起的案件，不能重复发起"}


def campaigns(engine: Engine) -> dict[str, int]:
    """Every campaign by its business key (the year)."""
    views = [engine.instance(i) for i in engine.instance_ids()]
    return {str(v.business_key): v.id for v in views if v.process_key == "legacy_campaign"}


@WORLD
def test_no_manual_start_in_a_year_the_engine_started(people: Engine) -> None:
    report = fire_at(people, "2027-03-01T09:00:01+08:00")
    assert (report.started, report.skipped, report.failed) == (1, 0, 0)
    (automatic,) = campaigns(people).values()
    view = people.instance(automatic)
    assert view.business_key == "2027" and view.data["campaign_year"] == 2027
    # later that year the reform group tries to start it by hand: refused beside the year
    with pytest.raises(InvalidData) as err:
        people.start("legacy_campaign", {**START, "campaign_year": 2027}, "gaige")
    assert err.value.field_errors == {"campaign_year": "已有以 2027 发起的案件，不能重复发起"}
    assert campaigns(people) == {"2027": automatic}
    assert people.replay(automatic).ok


@WORLD
def test_the_yearly_start_skips_a_year_started_by_hand(people: Engine,
                                                       clock: FixedClock) -> None:
    clock.set(at("2027-02-10T10:00:00+08:00"))
    manual = people.start("legacy_campaign", {**START, "campaign_year": 2027}, "gaige")
    assert manual.business_key == "2027"
    # 1 March: this year's campaign runs already; the occurrence is recorded as skipped
    report = fire_at(people, "2027-03-01T09:00:01+08:00")
    assert (report.started, report.skipped, report.failed) == (0, 1, 0)
    assert campaigns(people) == {"2027": manual.id}
    assert timers_of(people, None) == {"start_yearly": [at("2028-03-01T09:00:00+08:00")]}
    with people.transaction() as session:
        rows = session.execute(select(Timer.due_at, Timer.status).where(
            Timer.process_key == "legacy_campaign", Timer.instance_id.is_(None),
            Timer.status != "pending")).all()
    assert [tuple(r) for r in rows] == [(at("2027-03-01T09:00:00+08:00"), "skipped")]
    assert fire_at(people, "2027-03-01T09:05:00+08:00").leased == 0  # not fired again
    # the next year, nobody started it: the engine does
    report = fire_at(people, "2028-03-01T09:00:01+08:00")
    assert (report.started, report.skipped, report.failed) == (1, 0, 0)
    assert set(campaigns(people)) == {"2027", "2028"}
    assert people.instance(campaigns(people)["2028"]).data["campaign_year"] == 2028
    for instance_id in campaigns(people).values():
        assert people.replay(instance_id).ok


@WORLD
def test_late_manual_start_gives_past_stages_ten_working_days(people: Engine,
                                                            clock: FixedClock) -> None:
    clock.set(at("2026-09-30T16:00:00+08:00"))
    view = people.start("legacy_campaign", START, "gaige")
    # stages 1 and 2 lie in the past: stage 1's work is due 10 working days from the start
    # (10-01..07 off, Saturday 10-10 a working day), not overdue; so is stage 2's clue
    # registration, which closes then and not at once (else no clue could be registered)
    notice = task(people, "gaige", "publish_notice")
    assert notice.due_at == at("2026-10-20T17:30:00+08:00") and not notice.overdue
    inspection = task(people, "fuliang", "self_inspection")
    assert inspection.due_at == notice.due_at and not inspection.overdue
    register = task(people, "gaige", "register_clue")
    assert register.due_at == notice.due_at
    assert timers_of(people, view.id)["stage2_closes"] == [notice.due_at]
    people.complete(register.id, CLUE, "gaige")
    assert timers_of(people, view.id)["stage2_closes"] == [notice.due_at]  # not pushed back
    supervise = task(people, "gaige", "supervise")
    assert supervise.due_at == at("2026-12-01T00:00:00+08:00") and not supervise.overdue
    # only the remaining months are dispatched: 1 November and 1 December
    assert view.data["monthly_cycle"] == "R2/2026-10-25T09:00:00+08:00/P1M"
    cycle = "monthly_dispatch_cycle"
    assert timers_of(people, view.id)[cycle] == [at("2026-10-25T09:00:00+08:00")]
    fire_at(people, "2026-10-25T09:00:01+08:00")
    assert timers_of(people, view.id)[cycle] == [at("2026-11-25T09:00:00+08:00")]
    fire_at(people, "2026-11-25T09:00:01+08:00")
    assert cycle not in timers_of(people, view.id)
    fire_at(people, "2026-12-01T00:00:01+08:00")
    dues = sorted(due(t) for t in tasks(people, "gaige", "monthly_dispatch"))
    assert dues == [at("2026-12-01T00:00:00+08:00"), at("2027-01-01T00:00:00+08:00")]
    # the units' monthly progress reports are ledger_report's, not the campaign's
    assert tasks(people, "fuliang") == [task(people, "fuliang", "self_inspection")]


# -- the four stages -----------------------------------------------------------------------


@WORLD
def test_stages_open_and_close_on_their_dates(people: Engine) -> None:
    view = people.start("legacy_campaign", START, "gaige")
    fire_at(people, "2026-03-31T23:59:00+08:00")
    assert tasks(people, "gaige") == [] and tasks(people, "fuliang") == []

    # (一) 自查摸排 and (二) 核实处理 open on 1 April
    fire_at(people, "2026-04-01T00:00:01+08:00")
    notice = task(people, "gaige", "publish_notice")
    assert notice.title == "发布“新官不理旧账”问题线索征集公告"
    assert notice.due_at == at("2026-06-01T00:00:00+08:00")
    register = task(people, "gaige", "register_clue")
    assert register.due_at == at("2026-09-01T00:00:00+08:00")
    mine = task(people, "fuliang", "self_inspection")
    assert (mine.unit, mine.role, mine.due_at) == ("浮梁县", "responsible_unit",
                                                    at("2026-06-01T00:00:00+08:00"))
    every_unit = [str(t.unit) for t in tasks(people, "system", "self_inspection")]
    assert sorted(every_unit) == sorted(UNITS + CITY_DEPARTMENTS)
    with pytest.raises(PermissionDenied):
        people.complete(mine.id, INSPECTION, "leping")
    with pytest.raises(InvalidData):
        people.complete(mine.id, {"clues_found": -1}, "fuliang")
    people.complete(notice.id, NOTICE, "gaige")
    people.complete(task(people, "leping", "self_inspection").id, INSPECTION, "leping")
    assert timers_of(people, view.id)["stage1_closes"] == [at("2026-06-01T00:00:00+08:00")]

    # (一) closes at the end of May; a unit that has not reported is overdue and still asked
    fire_at(people, "2026-06-01T00:00:01+08:00")
    assert "stage1_closes" not in timers_of(people, view.id)
    late = task(people, "fuliang", "self_inspection")
    assert late.overdue
    assert [t.name for t in people.inbox.for_user("fuliang", InboxFilter(overdue=True))] == [
        "self_inspection"]
    for t in tasks(people, "system", "self_inspection"):
        people.complete(t.id, INSPECTION, "system")

    # (三) 督促跟进 opens on 1 July
    fire_at(people, "2026-07-01T00:00:01+08:00")
    supervise = task(people, "gaige", "supervise")
    assert supervise.due_at == at("2026-12-01T00:00:00+08:00")
    pending = timers_of(people, view.id)
    assert pending["stage3_closes"] == [at("2026-12-01T00:00:00+08:00")]
    assert pending["monthly_dispatch_cycle"] == [at("2026-07-25T09:00:00+08:00")]

    # (二) closes at the end of August: the standing registration task is withdrawn
    fire_at(people, "2026-09-01T00:00:01+08:00")
    assert tasks(people, "gaige", "register_clue") == []
    assert "stage2_closes" not in timers_of(people, view.id)

    # (三) closes at the end of November, (四) 总结提升 opens on 1 December
    fire_at(people, "2026-11-30T23:00:00+08:00")
    assert tasks(people, "gaige", "year_summary") == []
    fire_at(people, "2026-12-01T00:00:01+08:00")
    assert "stage3_closes" not in timers_of(people, view.id)
    assert task(people, "gaige", "supervise").overdue  # stage work not done is flagged
    summary = task(people, "gaige", "year_summary")
    assert summary.title == "全面总结专项治理行动、完善长效机制"
    assert summary.due_at == at("2026-12-31T17:30:00+08:00")
    assert timers_of(people, view.id)["stage4_closes"] == [at("2026-12-31T17:30:00+08:00")]
    people.complete(task(people, "gaige", "supervise").id,
                    {"dispatch_summary": "按月调度，督促两地", "major_cases": ["JZ-2026-000001"]},
                    "gaige")
    people.complete(summary.id, {"summary": "全年总结", "cases_total": 3, "cases_closed": 3,
                                 "improvements": "建立政务失信责任追溯机制"}, "gaige")
    complete_all(people, "monthly_dispatch", DISPATCH, view.id)
    assert people.instance(view.id).status == "running"  # the year is not over yet

    # the year ends on 31 December: the campaign of 2026 is complete
    fire_at(people, "2027-01-01T00:00:01+08:00")
    complete_all(people, "monthly_dispatch", DISPATCH, view.id)  # December's (Nov) dispatch
    final = people.instance(view.id)
    assert final.status == "completed"
    assert timers_of(people, view.id) == {}
    kinds = [e.type for e in people.history(view.id)]
    assert kinds[0] == "started" and "timer" in kinds
    assert people.replay(view.id).ok  # auditors can rebuild the whole year from its history


@WORLD
def test_monthly_dispatch_on_the_first_and_no_second_progress_report(people: Engine) -> None:
    """改革创新组建立每月调度: a dispatch on the 1st of each month from August to December.
    The units' 报送上月工作推进情况 comes from ledger_report alone (one per unit and month, see
    tests/test_process_ledger_report.py): the campaign asks the units for nothing monthly."""
    view = people.start("legacy_campaign", START, "gaige")
    fire_at(people, "2026-07-01T00:00:01+08:00")
    # SpiffWorkflow turns P1M into a fixed 31 days (July's length) once, so the cycle falls
    # on 25 Jul, 25 Aug, 25 Sep, 26 Oct, 26 Nov: always a few days before the 1st.
    fired = []
    expected_due = ["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"]
    for month, due in enumerate(expected_due):
        (when,) = timers_of(people, view.id)["monthly_dispatch_cycle"]
        fire_at(people, when + timedelta(seconds=1))
        fired.append(when)
        # reform_group dispatches on the 1st, due before the next 1st
        dispatch_at = timers_of(people, view.id)["dispatch_day"]
        assert at(due + "T00:00:00+08:00") in dispatch_at
        fire_at(people, due + "T00:00:01+08:00")
        dispatch = max(tasks(people, "gaige", "monthly_dispatch"), key=lambda t: t.created_at)
        next_month = expected_due[month + 1] if month + 1 < len(expected_due) else "2027-01-01"
        assert dispatch.due_at == at(next_month + "T00:00:00+08:00")
        assert [t.name for t in tasks(people, "system")
                if t.role == "responsible_unit" and t.name != "self_inspection"] == []
    assert [w.astimezone(BEIJING).date().isoformat() for w in fired] == [
        "2026-07-25", "2026-08-25", "2026-09-25", "2026-10-26", "2026-11-26"]
    # five dispatches (July to November's reports), then the cycle is spent
    assert "monthly_dispatch_cycle" not in timers_of(people, view.id)
    assert len(tasks(people, "gaige", "monthly_dispatch")) == 5
    assert people.replay(view.id).ok


# -- clues become legacy_case instances ----------------------------------------------------


@WORLD
def test_registered_clues_start_legacy_cases(people: Engine, clock: FixedClock) -> None:
    view = people.start("legacy_campaign", START, "gaige")
    fire_at(people, "2026-04-01T00:00:01+08:00")
    register = task(people, "gaige", "register_clue")
    with pytest.raises(InvalidData) as err:
        people.complete(register.id, {**CLUE, "clue_type": "不存在的类型"}, "gaige")
    assert "clue_type" in err.value.field_errors
    clock.set(at("2026-04-10T10:00:00+08:00"))
    people.complete(register.id, CLUE, "gaige")
    case_task = task(people, "gaige", "register_transfer", process="legacy_case")
    assert case_task.business_key == "JZ-2026-000001"
    assert case_task.due_at == at("2026-04-17T17:30:00+08:00")  # 移交: 5 working days
    case = people.instance(case_task.instance_id)
    assert case.process_key == "legacy_case"
    # the campaign and its cases are the 改革创新组's (its owner_unit), not a 纪委's
    assert case.data["jurisdiction"] == people.instance(view.id).data["jurisdiction"] \
        == "市营商环境指挥部"
    assert case.data["case_no"] == "JZ-2026-000001"
    assert case.data["campaign_year"] == 2026
    assert case.data["clue_type"] == "招商引资政策不兑现"
    assert (case.data["lead_department"], case.data["sector_regulator"]) == ("市商务局", "市商务局")
    # the registration task is offered again for the next clue
    again = task(people, "gaige", "register_clue")
    assert again.id != register.id
    assert people.instance(view.id).data["clue_count"] == 1
    people.complete(again.id, {**CLUE, "clue_type": "账款支付不到位", "sector": "市工信局"},
                    "gaige")
    numbers = sorted(str(t.business_key) for t in tasks(people, "gaige", process="legacy_case"))
    assert numbers == ["JZ-2026-000001", "JZ-2026-000002"]
    assert people.instance(view.id).data["clue_count"] == 2


def test_a_demo_user_receives_the_self_inspection(engine: Engine) -> None:
    """The demo has a user in a unit the campaign sends its self-inspection to."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(legacy_files())
    create_demo_users(engine)
    engine.start("legacy_campaign", START, "reform_group")
    fire_at(engine, "2026-04-01T00:00:01+08:00")
    receivers = [name for name, _, roles, _ in DEMO_USERS if "responsible_unit" in roles
                 and process_helpers.tasks(engine, name, "self_inspection",
                                           process="legacy_campaign")]
    assert receivers == ["unit_fl", "unit_lp", "credit_fgw"]  # 市发改委 is a 市直 unit


def test_each_demo_regulator_works_a_department_of_the_directory(engine: Engine) -> None:
    """A legacy case copies the 行业主管部门 of its field, a unit of the directory: a demo
    regulator without one saw no copy (its 督促指导 reached nobody)."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    regulators = {u.name for u in engine.units(tag="行业主管部门")}
    demo = [unit for _, _, roles, unit in DEMO_USERS if "sector_regulator" in roles]
    assert demo and all(unit in regulators for unit in demo)


def test_each_demo_responsible_unit_is_one_the_procedures_address(engine: Engine) -> None:
    """A legacy case is moved to a 县区, 园区 or 市直 unit (its 责任单位 field's list): a demo
    责任单位 of another unit (浮梁县人民政府, where no procedure sends work) had an empty
    inbox whatever was moved to its county."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    addressed = {u.name for u in engine.unit_directory().tagged("县区", "园区", "市直各单位")}
    units = {name: unit for name, _, roles, unit in DEMO_USERS if "responsible_unit" in roles}
    assert units and {n: u for n, u in units.items() if u not in addressed} == {}
