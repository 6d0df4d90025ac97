"""Open tasks' due dates follow the working-day calendar when it changes.

A task's due date is its diagram's ``dueDate`` expression, evaluated on the task's data with
the clock at the task's arrival (``tasks.created_at``: the command's time, which the mirror
also used as the expression's ``now``). When an administrator loads a year's official
schedule or sets a day, every open task whose due date was computed over the changed days is
evaluated again in the same way, under the calendar before and after the change:

* it moves when its stored due date is what the calendar before gave and the calendar after
  gives another: each move writes the new due date and one ``deadline_moved`` event in the
  case's history (from, to, why), which changes no workflow (replay skips it, ``kuaiban
  verify`` chains it);
* a due date the calendar before did not give (set another way, or computed under a calendar
  changed before the due dates followed it) is left as it is, and so are finished tasks;
* a due date a case's data holds (``case_due`` computed by a script step and named by the
  task's expression) is part of the case's record and is not re-evaluated here.

A running case's waiting ``timeDate`` timers follow by the same rule, counted from the instant
each began to wait; a timer's date is workflow state, so they move by a command of their own
(``timer_moved``, which replay repeats: engine/runtime/transitions.py).

Running it again changes nothing: the calendar before and after are then the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import EngineError
from engine.org import directory, users
from engine.org.lists import UnitLists
from engine.runtime import handover, mirror, state
from engine.runtime.locking import locked_instance
from engine.scripting import expressions
from engine.storage.schema import TASK_REMINDERS, TASKS, ProcessInstance, Task, Timer
from engine.time.calendar import TZ, WorkCalendar, deadline_functions
from engine.time.clock import parse_instant
from engine.views import MovedDeadline

if TYPE_CHECKING:
    from engine.runtime.commands import Runtime

EVENT = "deadline_moved"  # an open task's due date (no workflow change)
EVENT_TIMERS = "timer_moved"  # waiting timers' dates (a workflow event: runtime/transitions.py)
# A deadline counted backwards (``earlier_workday_close``) ends at most this many days before
# the day its scan crossed: open tasks due earlier cannot have been counted over a changed day.
SCAN_BACK_DAYS = 31

Evaluate = Callable[[str, dict[str, Any]], Any]
Progress = Callable[[int, int], None]  # (cases checked, cases to check)


def as_of(calendar: WorkCalendar, created: datetime,
          lists: Mapping[str, Callable[..., Any]]) -> Evaluate:
    """Evaluate due-date and unit expressions as when the task was created, with the
    directory's lists (``lists``)."""
    functions = {**deadline_functions(calendar, lambda: created), **lists}

    def evaluate(source: str, names: dict[str, Any]) -> Any:
        return expressions.evaluate(source, names, functions)

    return evaluate


def changed_days(before: WorkCalendar, after: WorkCalendar, days: Sequence[date]) -> list[date]:
    """The days among ``days`` whose working or not the change turned."""
    return [d for d in days if before.is_workday(d) != after.is_workday(d)]


def year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@dataclass
class Followed:
    """What a calendar change moved: open tasks' due dates and waiting timers."""

    tasks: list[MovedDeadline] = field(default_factory=list)
    timers: list[MovedDeadline] = field(default_factory=list)


def follow(session: Session, runtime: Runtime, before: WorkCalendar, after: WorkCalendar,
           changed: Sequence[date], cause: dict[str, Any], now: datetime,
           progress: Progress | None = None) -> Followed:
    """Move the open tasks' due dates and the waiting timers counted over ``changed`` days from
    ``before`` to ``after`` (in the caller's transaction); ``cause`` goes into each event."""
    followed = Followed()
    if not changed:
        return followed
    since = datetime.combine(min(changed) - timedelta(days=SCAN_BACK_DAYS), time(0), tzinfo=TZ)
    tasks = session.execute(
        select(Task.instance_id, Task.id)
        .where(Task.status == "ready", Task.due_at.is_not(None), Task.due_at >= since)).all()
    timed = session.execute(select(Timer.instance_id).where(
        Timer.status == "pending", Timer.instance_id.is_not(None), Timer.due_at >= since)).all()
    by_case: dict[int, list[str]] = {int(r.instance_id): [] for r in timed}
    for row in tasks:
        by_case.setdefault(row.instance_id, []).append(row.id)
    lists = UnitLists(directory.load(session)).functions()  # as the mirror evaluates them
    for checked, instance_id in enumerate(sorted(by_case), start=1):
        _follow_case(session, runtime, instance_id, by_case[instance_id], (before, after),
                     lists, cause, now, followed)
        if progress is not None:
            progress(checked, len(by_case))
    return followed


def _follow_case(session: Session, runtime: Runtime, instance_id: int, task_ids: list[str],
                 calendars: tuple[WorkCalendar, WorkCalendar],
                 lists: Mapping[str, Callable[..., Any]], cause: dict[str, Any],
                 now: datetime, followed: Followed) -> None:
    row = locked_instance(session, instance_id, None)  # one command at a time per case
    if row.status != "running":
        return
    version = runtime.versions.get(session, row.version_id)
    workflow, ids = state.load(json.loads(row.state), version.spec, version.subprocess_specs,
                               str(row.id))
    tasks = session.execute(select(Task).where(Task.id.in_(task_ids), Task.status == "ready")
                            .order_by(Task.created_at, Task.id)).scalars().all()
    moved = [m for t in tasks if (m := _task_move(workflow, row, t, calendars, lists))]
    timers = _timer_moves(workflow, row, calendars, lists)
    if timers:  # the workflow changes: a command of its own, which replay repeats
        payload = {"timers": [{k: v for k, v in m.as_json().items()
                               if k in ("task_id", "title", "from", "to")} for m in timers],
                   **cause}
        runtime._run(session, row, version, workflow, ids, now, EVENT_TIMERS, payload,
                     users.SYSTEM)
    for found in moved:
        _move(session, row, found, cause, now)
    followed.tasks += moved
    followed.timers += timers


def _task_move(workflow: BpmnWorkflow, row: ProcessInstance, task_row: Task,
               calendars: tuple[WorkCalendar, WorkCalendar],
               lists: Mapping[str, Callable[..., Any]]) -> MovedDeadline | None:
    """The open task's new due date, if the change moves it."""
    spiff = _in_tree(workflow, task_row.id)
    if spiff is None or task_row.due_at is None:
        return None
    source = (getattr(spiff.task_spec, "extensions", None) or {}).get("dueDate")
    if not source:
        return None
    was, will = (_due(source, spiff.data, calendar, task_row.created_at, lists)
                 for calendar in calendars)
    if was != task_row.due_at or will is None or will == was:
        return None  # not the rule's under the calendar before: set otherwise, left alone
    return MovedDeadline(row.id, row.business_key, task_row.id, task_row.name, task_row.due_at,
                         will)


def _timer_moves(workflow: BpmnWorkflow, row: ProcessInstance,
                 calendars: tuple[WorkCalendar, WorkCalendar],
                 lists: Mapping[str, Callable[..., Any]]) -> list[MovedDeadline]:
    """The waiting date timers (``timeDate``) whose expression counts otherwise now, from the
    instant the timer began to wait (its task's last change, on the engine's clock)."""
    found = []
    for task, due in mirror.waiting_timers(workflow):
        definition = task.task_spec.event_definition
        if type(definition) is not TimeDateEventDefinition:
            continue  # durations and cycles count calendar time, not working days
        began = datetime.fromtimestamp(task.last_state_change, UTC)
        was, will = (_due(definition.expression, task.data, calendar, began, lists)
                     for calendar in calendars)
        if was is None or was != due or will is None or will == was:
            continue
        found.append(MovedDeadline(row.id, row.business_key, str(task.id),
                                   task.task_spec.bpmn_name or task.task_spec.bpmn_id or "",
                                   due, will))
    return found


def _in_tree(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:  # not in the tree (the next command's mirror cancels such rows)
        return None


def _due(source: str, data: dict[str, Any], calendar: WorkCalendar, created: datetime,
         lists: Mapping[str, Callable[..., Any]]) -> datetime | None:
    """The due date ``source`` gives under ``calendar``; None where it fails (the task keeps
    what it has)."""
    try:
        return parse_instant(str(as_of(calendar, created, lists)(source, data)))
    except EngineError:
        return None


def _move(session: Session, row: ProcessInstance, found: MovedDeadline,
          cause: dict[str, Any], now: datetime) -> None:
    session.execute(update(TASKS).where(TASKS.c.id == found.task_id).values(due_at=found.now))
    # its due-date reminders were for the old day: the new one is reminded afresh
    session.execute(delete(TASK_REMINDERS).where(TASK_REMINDERS.c.task_id == found.task_id))
    payload = {"from": found.was.astimezone(TZ).isoformat(),
               "to": found.now.astimezone(TZ).isoformat(), **cause}
    handover.record(session, row, EVENT, now, payload, users.SYSTEM, found.task_id)
