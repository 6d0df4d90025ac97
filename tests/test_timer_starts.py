"""A process with several timer start events: each is scheduled on its own (its own row in
the timer table, named by the start event's id), each occurrence starts a case that takes
that start event's path, and a new version reschedules them all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import delete, select

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData
from engine.storage.schema import Timer
from engine.time.clock import FixedClock
from tests.conftest import DIAGRAMS, diagram_files

DIAGRAM = DIAGRAMS / "two_schedules.bpmn"
QUARTERLY_TIMER = "<bpmn:timeCycle>'R/2026-07-03T09:00:00+08:00/P3M'</bpmn:timeCycle>"
QUARTERLY_START = f"""<bpmn:startEvent id="start_quarterly" name="每季首月3日">
      <bpmn:timerEventDefinition id="td_quarterly">
        {QUARTERLY_TIMER}
      </bpmn:timerEventDefinition>
    </bpmn:startEvent>"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def variant(*replacements: tuple[str, str]) -> list[SourceFile]:
    text = DIAGRAM.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return [SourceFile(DIAGRAM.name, text)]


@pytest.fixture
def scheduled(people: Engine) -> Engine:
    """two_schedules deployed on 2026-09-30 16:00: 月报 on the 1st of each month (a
    ``timeDate`` from the calendar), 季度核查 on the 3rd of each quarter's first month (a
    ``timeCycle``)."""
    people.add_user("gai", ["reform_group"])
    people.deploy(diagram_files("two_schedules.bpmn"))
    return people


def schedules(engine: Engine) -> dict[str, datetime]:
    rows = [t for t in engine.timers.pending() if t.instance_id is None]
    out = {t.element_id: t.due_at for t in rows}
    assert len(out) == len(rows), "two rows for one start event"
    assert {t.process_key for t in rows} <= {"two_schedules"}
    return out


def cases(engine: Engine) -> list[tuple[str, datetime | None]]:
    """(open task's element id, its due date) of every case, in the order they started."""
    out = []
    for instance_id in sorted(engine.instance_ids()):
        (task,) = engine.instance(instance_id).tasks
        out.append((task.name, task.due_at))
    return out


def fire_at(engine: Engine, clock: FixedClock, when: str) -> int:
    clock.set(at(when))
    report = engine.timers.fire_due()
    assert report.failed == 0
    return report.started


def test_validation_and_the_version_know_every_timer_start_event(scheduled: Engine) -> None:
    checked = scheduled.validate(diagram_files("two_schedules.bpmn"))
    assert checked.problems == []
    expected = {"start_monthly": ("timeDate", "day_of_month(1, 1)"),
                "start_quarterly": ("timeCycle", "'R/2026-07-03T09:00:00+08:00/P3M'")}
    (info,) = checked.processes
    assert info.start_timers == expected
    with scheduled.transaction() as session:
        assert scheduled.versions.latest(session, "two_schedules").start_timers == expected


def test_each_schedule_fires_on_its_own_dates_and_starts_its_own_path(
        scheduled: Engine, clock: FixedClock) -> None:
    assert schedules(scheduled) == {"start_monthly": at("2026-10-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-03T09:00:00+08:00")}
    assert fire_at(scheduled, clock, "2026-09-30T23:59:59+08:00") == 0
    # 1 October, National Day: the monthly report, due at the close of the 5th working day
    # (1-7 October are off, Saturday 10 October is worked)
    assert fire_at(scheduled, clock, "2026-10-01T00:00:01+08:00") == 1
    assert cases(scheduled) == [("monthly_report", at("2026-10-13T17:30:00+08:00"))]
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-03T09:00:00+08:00")}
    assert fire_at(scheduled, clock, "2026-10-03T08:59:59+08:00") == 0
    # 3 October, still the holiday: the quarterly check, due the 3rd working day, Saturday 10-10
    assert fire_at(scheduled, clock, "2026-10-03T09:00:01+08:00") == 1
    assert cases(scheduled)[1:] == [("quarterly_check", at("2026-10-10T17:30:00+08:00"))]
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2027-01-03T09:00:00+08:00")}
    # Sunday 1 November: the next monthly report; the quarterly schedule waits for January
    assert fire_at(scheduled, clock, "2026-11-01T00:00:01+08:00") == 1
    assert cases(scheduled)[2:] == [("monthly_report", at("2026-11-06T17:30:00+08:00"))]
    assert schedules(scheduled) == {"start_monthly": at("2026-12-01T00:00:00+08:00"),
                                    "start_quarterly": at("2027-01-03T09:00:00+08:00")}
    assert fire_at(scheduled, clock, "2026-11-01T00:00:02+08:00") == 0
    # each case went from the start event that fired, not the other; the "started" event
    # records which one (replay takes the same path), the case data does not keep it
    started = [scheduled.history(i)[0].payload for i in sorted(scheduled.instance_ids())]
    assert [(p["start_event"], p["passed"], p["steps"]) for p in started] == [
        ("start_monthly", ["start_monthly"], [["start_monthly", "monthly_report"]]),
        ("start_quarterly", ["start_quarterly"], [["start_quarterly", "quarterly_check"]]),
        ("start_monthly", ["start_monthly"], [["start_monthly", "monthly_report"]]),
    ]


def test_schedules_due_together_start_one_case_each(scheduled: Engine,
                                                    clock: FixedClock) -> None:
    # the worker was down over the holiday: both occurrences are due when it comes back
    assert fire_at(scheduled, clock, "2026-10-08T09:00:00+08:00") == 2
    assert cases(scheduled) == [("monthly_report", at("2026-10-14T17:30:00+08:00")),
                                ("quarterly_check", at("2026-10-12T17:30:00+08:00"))]
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2027-01-03T09:00:00+08:00")}


def test_a_case_started_by_hand_runs_one_path_or_the_one_named(scheduled: Engine) -> None:
    view = scheduled.start("two_schedules", {}, "gai")
    assert len(view.tasks) == 1  # one of the two, not both
    for start_event, path in [("start_monthly", "monthly_report"),
                              ("start_quarterly", "quarterly_check")]:
        view = scheduled.start("two_schedules", {}, "gai", start_event=start_event)
        assert [t.name for t in view.tasks] == [path]
    with pytest.raises(InvalidData):
        scheduled.start("two_schedules", {}, "gai", start_event="monthly_report")
    assert schedules(scheduled) == {"start_monthly": at("2026-10-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-03T09:00:00+08:00")}


def test_a_new_version_reschedules_every_start_event_once(scheduled: Engine,
                                                          clock: FixedClock) -> None:
    with scheduled.transaction() as session:  # a duplicate left by a race between two writers
        (row,) = session.execute(
            select(Timer).where(Timer.element_id == "start_quarterly")).scalars()
        session.add(Timer(instance_id=None, process_key="two_schedules", task_id=None,
                          element_id="start_quarterly", due_at=row.due_at, status="pending",
                          lease_until=None, leased_by=None, fired_at=None))
    assert len(scheduled.timers.pending()) == 3
    # version 2: the quarterly check moves to the 5th
    (done,) = scheduled.deploy(variant((QUARTERLY_TIMER,
                                        QUARTERLY_TIMER.replace("-07-03T", "-07-05T"))))
    assert done.version == 2
    assert schedules(scheduled) == {"start_monthly": at("2026-10-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-05T09:00:00+08:00")}
    # version 3: a third schedule, on the 20th of each month
    third = ('<bpmn:startEvent id="start_quarterly"',
             '<bpmn:startEvent id="start_mid" name="每月20日"><bpmn:timerEventDefinition>'
             "<bpmn:timeDate>day_of_month(20) if now() &lt; day_of_month(20) "
             "else day_of_month(20, 1)</bpmn:timeDate></bpmn:timerEventDefinition>"
             '</bpmn:startEvent><bpmn:sequenceFlow id="f_mid" sourceRef="start_mid" '
             'targetRef="monthly_report" /><bpmn:startEvent id="start_quarterly"')
    lane = ("<bpmn:flowNodeRef>start_quarterly</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>start_quarterly</bpmn:flowNodeRef>"
            "<bpmn:flowNodeRef>start_mid</bpmn:flowNodeRef>")
    assert scheduled.deploy(variant(third, lane))[0].version == 3
    assert schedules(scheduled) == {"start_monthly": at("2026-10-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-03T09:00:00+08:00"),
                                    "start_mid": at("2026-10-20T00:00:00+08:00")}
    assert fire_at(scheduled, clock, "2026-10-20T00:00:01+08:00") == 3
    assert [name for name, _ in cases(scheduled)] == [
        "monthly_report", "quarterly_check", "monthly_report"]
    assert scheduled.history(max(scheduled.instance_ids()))[0].payload["steps"] == [
        ["start_mid", "monthly_report"]]
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2027-01-03T09:00:00+08:00"),
                                    "start_mid": at("2026-11-20T00:00:00+08:00")}


def test_a_deploy_while_a_start_fires_leaves_one_row_per_start_event(
        scheduled: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-01T00:00:01+08:00"))
    ((timer_id, _, key),) = scheduled.timers._lease(10)  # the monthly start is due
    fired, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run(work: Callable[[], object]) -> threading.Thread:
        def guarded() -> None:
            try:
                work()
            except BaseException as exc:  # reported by the assertion below
                failures.append(exc)
        thread = threading.Thread(target=guarded)
        thread.start()
        return thread

    def fire() -> None:
        with scheduled.transaction() as session:
            assert scheduled.timers._start_scheduled(session, timer_id, key)
            fired.set()
            go.wait(10)  # not committed yet while the deploy comes

    firing = run(fire)
    assert fired.wait(10)
    deploying = run(lambda: scheduled.deploy(
        variant((QUARTERLY_TIMER, QUARTERLY_TIMER.replace("-07-03T", "-07-05T")))))
    time.sleep(0.5)  # the deploy reaches the schedule and waits for the start to commit
    go.set()
    firing.join(10)
    deploying.join(60)
    assert failures == []
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-05T09:00:00+08:00")}
    assert [name for name, _ in cases(scheduled)] == ["monthly_report"]


def test_a_deploy_after_an_occurrence_loses_no_start(scheduled: Engine,
                                                     clock: FixedClock) -> None:
    # the monthly schedule was due at 00:00; the worker has not run when version 2 comes
    clock.set(at("2026-10-01T10:00:00+08:00"))
    scheduled.deploy(variant(('name="月报"', 'name="月度报告"')))
    assert schedules(scheduled)["start_monthly"] == at("2026-10-01T00:00:00+08:00")
    assert fire_at(scheduled, clock, "2026-10-01T10:00:01+08:00") == 1
    (case,) = scheduled.instance_ids()
    view = scheduled.instance(case)
    assert (view.version, [t.title for t in view.tasks]) == (2, ["月度报告"])
    assert schedules(scheduled)["start_monthly"] == at("2026-11-01T00:00:00+08:00")


def test_a_start_event_the_new_version_drops_is_no_longer_scheduled(scheduled: Engine,
                                                                    clock: FixedClock) -> None:
    # version 2: the quarterly check is started by hand only (a none start event)
    scheduled.deploy(variant((QUARTERLY_START,
                              '<bpmn:startEvent id="start_quarterly" name="季度核查" />')))
    assert schedules(scheduled) == {"start_monthly": at("2026-10-01T00:00:00+08:00")}
    # the none start event comes first in the diagram and would run at once: the case the
    # monthly schedule starts still goes from the monthly start event
    assert fire_at(scheduled, clock, "2026-10-03T09:00:01+08:00") == 1
    assert [name for name, _ in cases(scheduled)] == ["monthly_report"]


def test_a_row_from_before_start_events_had_their_own_still_fires(scheduled: Engine,
                                                                  clock: FixedClock) -> None:
    # before, a process had one row, named "start", scheduled for its last timer start event
    with scheduled.transaction() as session:
        session.execute(delete(Timer).where(Timer.element_id == "start_quarterly"))
        (row,) = session.execute(select(Timer)).scalars()
        row.element_id = "start"
    assert fire_at(scheduled, clock, "2026-10-01T00:00:01+08:00") == 1
    assert cases(scheduled) == [("monthly_report", at("2026-10-13T17:30:00+08:00"))]
    (case,) = scheduled.instance_ids()
    assert scheduled.history(case)[0].payload["start_event"] == "start_monthly"
    # from then on, each start event has its own row
    assert schedules(scheduled) == {"start_monthly": at("2026-11-01T00:00:00+08:00"),
                                    "start_quarterly": at("2026-10-03T09:00:00+08:00")}


def test_a_timer_start_event_id_must_fit_the_timer_table(engine: Engine) -> None:
    text = DIAGRAM.read_text(encoding="utf-8").replace("start_quarterly", "s" * 129)
    problems = engine.validate([SourceFile(DIAGRAM.name, text)]).problems
    assert [(p.element, p.message) for p in problems] == [
        ("s" * 40, "timer start event id longer than 128 characters")]


def test_a_timer_start_may_name_its_case_where_the_process_numbers_none(engine: Engine
                                                                        ) -> None:
    named = ('<bpmn:startEvent id="start_quarterly" name="每季首月3日">',
             '<bpmn:startEvent id="start_quarterly" name="每季首月3日"><bpmn:extensionElements>'
             '<camunda:properties><camunda:property name="business_key" value="{key}" />'
             '</camunda:properties></bpmn:extensionElements>')

    def problems(key: str, *more: tuple[str, str]) -> list[tuple[str | None, str]]:
        files = variant((named[0], named[1].format(key=key)), *more)
        return [(p.element, p.message) for p in engine.validate(files).problems]

    checked = engine.validate(variant((named[0], named[1].format(key="now()[0:7]"))))
    assert checked.problems == []
    (process,) = checked.processes
    assert process.start_keys == {"start_quarterly": "now()[0:7]"}
    assert [m for _, m in problems("now()[")] != []
    numbered = ('<bpmn:process id="two_schedules" name="月报和季度核查" isExecutable="true">',
                '<bpmn:process id="two_schedules" name="月报和季度核查" isExecutable="true">'
                '<bpmn:extensionElements><camunda:properties>'
                '<camunda:property name="case_prefix" value="YB" /></camunda:properties>'
                '</bpmn:extensionElements>')
    assert problems("now()[0:7]", numbered) == [
        ("start_quarterly", "a timer start may name its case (business_key) only in a process "
                            "that does not number its cases (case_prefix)")]
