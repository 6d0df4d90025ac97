"""Open tasks' due dates follow the calendar: loading 2027's official schedule moves a due date
counted over its newly official 春节 bridge days, in the case's history, and leaves finished
tasks and due dates set another way alone (engine/runtime/deadlines.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from engine.api import Engine
from engine.audit.bundle import replay_bundle
from engine.definitions.validation import SourceFile
from engine.storage.schema import TASKS
from engine.time.clock import FixedClock
from engine.time.schedule import parse_schedule
from engine.views import TaskView
from tests.conftest import DIAGRAMS, diagram_files

SCHEDULE_2027 = parse_schedule(
    "2027-01-01..2027-01-03 holiday 元旦\n2027-02-05..2027-02-11 holiday 春节\n"
    "2027-02-20 workday 春节调休\n2027-04-05 holiday 清明节\n2027-05-01..2027-05-05 holiday\n"
    "2027-06-09 holiday\n2027-09-15 holiday\n2027-10-01..2027-10-07 holiday 国庆节\n")
# A case filed after close on the eve of 春节: its first step is due at the next working day's
# close, Tuesday 02-09 while only the statutory days are off, Friday 02-12 by the notice.
FILED = datetime.fromisoformat("2027-02-04T18:00:00+08:00")
PROVISIONAL_DUE = datetime.fromisoformat("2027-02-09T17:30:00+08:00")
OFFICIAL_DUE = datetime.fromisoformat("2027-02-12T17:30:00+08:00")


def _file(engine: Engine) -> TaskView:
    return engine.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li").tasks[0]


def _due_dates(engine: Engine) -> dict[int, datetime | None]:
    return {t.instance_id: t.due_at for t in engine.inbox.for_user("li")}


def test_loading_a_year_moves_an_open_due_date_and_records_why(people: Engine,
                                                               clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(FILED)
    task = _file(people)
    assert task.due_at == PROVISIONAL_DUE
    assert people.calendar().is_provisional_year(2027)

    clock.set(datetime.fromisoformat("2027-02-04T19:00:00+08:00"))  # the notice comes late
    change = people.import_calendar_year(SCHEDULE_2027, "国办发明电〔2026〕1号")

    assert [(m.task_id, m.was, m.now) for m in change.moved] == [
        (task.id, PROVISIONAL_DUE, OFFICIAL_DUE)]
    assert date(2027, 2, 9) in change.changed_days and date(2027, 2, 20) in change.changed_days
    assert _due_dates(people) == {task.instance_id: OFFICIAL_DUE}
    assert not people.calendar().is_provisional_year(2027)
    (moved,) = [e for e in people.history(task.instance_id) if e.type == "deadline_moved"]
    assert moved.task_id == task.id and moved.user == "system"
    assert moved.payload == {"from": "2027-02-09T17:30:00+08:00",
                             "to": "2027-02-12T17:30:00+08:00",
                             "cause": "calendar_imported", "year": 2027}
    assert people.verify_all().problems == []
    assert people.replay(task.instance_id).ok
    # the case goes on from the moved due date: a command does not put the old one back
    people.claim(task.id, "li")
    assert _due_dates(people) == {task.instance_id: OFFICIAL_DUE}


def test_loading_the_same_year_again_moves_nothing(people: Engine, clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(FILED)
    task = _file(people)
    people.import_calendar_year(SCHEDULE_2027, "国办发明电〔2026〕1号")
    events = len(people.history(task.instance_id))

    again = people.import_calendar_year(SCHEDULE_2027, "国办发明电〔2026〕1号")

    assert (again.changed_days, again.moved) == ([], [])
    assert len(people.history(task.instance_id)) == events
    assert _due_dates(people) == {task.instance_id: OFFICIAL_DUE}


def test_finished_tasks_and_due_dates_set_otherwise_stay(people: Engine,
                                                         clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(FILED)
    done = _file(people)
    people.complete(done.id, {"proposal": "转办"}, "li")
    (approval,) = people.inbox.for_user("wang")  # open: it follows as any other
    extended = _file(people)
    by_hand = datetime.fromisoformat("2027-02-10T17:30:00+08:00")
    with people.transaction() as session:  # as a supervisor's extension would set it
        session.execute(update(TASKS).where(TASKS.c.id == extended.id).values(due_at=by_hand))
    followed = _file(people)

    change = people.import_calendar_year(SCHEDULE_2027)

    assert {m.task_id for m in change.moved} == {approval.id, followed.id}
    assert _due_dates(people) == {extended.instance_id: by_hand,
                                  followed.instance_id: OFFICIAL_DUE}
    with people.transaction(read_only=True) as session:
        finished = session.execute(select(TASKS.c.status, TASKS.c.due_at)
                                   .where(TASKS.c.id == done.id)).one()
    assert tuple(finished) == ("completed", PROVISIONAL_DUE)
    assert [e.task_id for e in people.history(done.instance_id)
            if e.type == "deadline_moved"] == [approval.id]
    assert not [e for e in people.history(extended.instance_id) if e.type == "deadline_moved"]
    assert people.verify_all().problems == []


def test_a_day_set_moves_the_due_dates_counted_over_it(people: Engine,
                                                       clock: FixedClock) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))  # after close
    task = _file(people)
    assert task.due_at == datetime.fromisoformat("2027-01-04T17:30:00+08:00")

    change = people.set_calendar_day(date(2027, 1, 4), False, "元旦调休")

    assert change.changed_days == [date(2027, 1, 4)]
    assert _due_dates(people) == {
        task.instance_id: datetime.fromisoformat("2027-01-05T17:30:00+08:00")}
    (moved,) = [e for e in people.history(task.instance_id) if e.type == "deadline_moved"]
    assert moved.payload["cause"] == "calendar_day_set" and moved.payload["day"] == "2027-01-04"


def test_a_waiting_timer_follows_and_replay_counts_on_the_calendar_of_its_time(people: Engine,
                                                               clock: FixedClock) -> None:
    # A timer's date counted in working days is part of the case's state: replayed on the
    # loaded schedule instead of the provisional rule it was counted on, it would differ.
    people.deploy(diagram_files("timers.bpmn"))
    clock.set(FILED)
    case = people.start("timers", {}, "zhao")
    (work,) = case.tasks
    people.complete(work.id, {}, "zhao")
    assert [t.due_at for t in people.timers.pending()] == [PROVISIONAL_DUE]

    clock.set(datetime.fromisoformat("2027-02-04T19:00:00+08:00"))  # after the events
    change = people.import_calendar_year(SCHEDULE_2027)
    people.set_calendar_day(date(2027, 3, 1), False, "a later correction")

    # the waiting 次日 timer follows too, by an event replay repeats
    assert [(m.title, m.was, m.now) for m in change.moved_timers] == [
        ("次日", PROVISIONAL_DUE, OFFICIAL_DUE)]
    assert [t.due_at for t in people.timers.pending()] == [OFFICIAL_DUE]
    (moved,) = [e for e in people.history(case.id) if e.type == "timer_moved"]
    assert moved.payload["timers"][0]["to"] == "2027-02-12T17:30:00+08:00"
    assert people.replay(case.id).ok
    assert people.verify_all().problems == []
    assert people.state_at(case.id, 2).status == "running"
    bundle = people.export_bundle(case.id)
    assert len(bundle["calendar_changes"]) == 2
    assert replay_bundle(bundle).ok
    clock.set(datetime.fromisoformat("2027-02-10T09:00:00+08:00"))  # the old date is past
    assert people.timers.fire_due().fired == 0
    clock.set(datetime.fromisoformat("2027-02-12T17:31:00+08:00"))
    assert people.timers.fire_due().fired == 1
    assert [t.name for t in people.instance(case.id).tasks] == ["after_wait"]
    assert people.replay(case.id).ok


def test_each_moved_task_of_one_case_has_its_event(people: Engine, clock: FixedClock) -> None:
    text = (DIAGRAMS / "sendback.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="check_a" name="核实甲" />',
        '<bpmn:userTask id="check_a" name="核实甲" camunda:dueDate="same_day_close()" />').replace(
        '<bpmn:userTask id="check_b" name="核实乙">',
        '<bpmn:userTask id="check_b" name="核实乙" camunda:dueDate="workday_close(1)">')
    people.deploy([SourceFile("sendback.bpmn", text)])
    clock.set(FILED)
    case = people.start("sendback", {"rounds": 0}, "li")
    people.complete(case.tasks[0].id, {}, "li")  # 登记: 核实甲 and 核实乙 open side by side

    change = people.import_calendar_year(SCHEDULE_2027)

    assert sorted((m.title, m.now) for m in change.moved) == [
        ("核实乙", OFFICIAL_DUE), ("核实甲", OFFICIAL_DUE)]
    moved = [e for e in people.history(case.id) if e.type == "deadline_moved"]
    assert {e.task_id for e in moved} == {m.task_id for m in change.moved}
    assert people.instance(case.id).revision == case.revision + 2  # complete, then the change
    assert people.verify_all().problems == []
