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

Running it again changes nothing: the calendar before and after are then the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.definitions.registry import VersionCache
from engine.errors import EngineError
from engine.org import directory, users
from engine.org.lists import UnitLists
from engine.runtime import handover, state
from engine.runtime.locking import locked_instance
from engine.scripting import expressions
from engine.storage.schema import TASK_REMINDERS, TASKS, ProcessInstance, Task
from engine.time.calendar import TZ, WorkCalendar, deadline_functions
from engine.time.clock import parse_instant
from engine.views import MovedDeadline

EVENT = "deadline_moved"
# A deadline counted backwards (``earlier_workday_close``) ends at most this many days before
# the day its scan crossed: open tasks due earlier cannot have been counted over a changed day.
SCAN_BACK_DAYS = 31

Evaluate = Callable[[str, dict[str, Any]], Any]
Progress = Callable[[int, int], None]  # (tasks checked, tasks to check)


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


def follow(session: Session, versions: VersionCache, before: WorkCalendar,
           after: WorkCalendar, changed: Sequence[date], cause: dict[str, Any], now: datetime,
           progress: Progress | None = None) -> list[MovedDeadline]:
    """Move the open tasks' due dates counted over ``changed`` days from ``before`` to
    ``after`` (in the caller's transaction); ``cause`` goes into each event (what changed)."""
    if not changed:
        return []
    since = datetime.combine(min(changed) - timedelta(days=SCAN_BACK_DAYS), time(0), tzinfo=TZ)
    rows = session.execute(
        select(Task.instance_id, Task.id)
        .where(Task.status == "ready", Task.due_at.is_not(None), Task.due_at >= since)
        .order_by(Task.instance_id, Task.id)).all()
    lists = UnitLists(directory.load(session)).functions()  # as the mirror evaluates them
    moved: list[MovedDeadline] = []
    checked = 0
    for instance_id, group in groupby(rows, key=lambda r: r.instance_id):
        task_ids = [r.id for r in group]
        moved += _follow_case(session, versions, instance_id, task_ids, (before, after),
                              lists, cause, now)
        checked += len(task_ids)
        if progress is not None:
            progress(checked, len(rows))
    return moved


def _follow_case(session: Session, versions: VersionCache, instance_id: int,
                 task_ids: list[str], calendars: tuple[WorkCalendar, WorkCalendar],
                 lists: Mapping[str, Callable[..., Any]], cause: dict[str, Any],
                 now: datetime) -> list[MovedDeadline]:
    row = locked_instance(session, instance_id, None)  # one command at a time per case
    version = versions.get(session, row.version_id)
    workflow, _ = state.load(json.loads(row.state), version.spec, version.subprocess_specs,
                             str(row.id))
    tasks = session.execute(select(Task).where(Task.id.in_(task_ids), Task.status == "ready")
                            .order_by(Task.created_at, Task.id)).scalars().all()
    moved = []
    for task_row in tasks:
        spiff = _in_tree(workflow, task_row.id)
        if spiff is None or task_row.due_at is None:
            continue
        source = (getattr(spiff.task_spec, "extensions", None) or {}).get("dueDate")
        if not source:
            continue
        was, will = (_due(source, spiff.data, calendar, task_row.created_at, lists)
                     for calendar in calendars)
        if was != task_row.due_at or will is None or will == was:
            continue  # not the rule's under the calendar before: set otherwise, left alone
        moved.append(MovedDeadline(row.id, row.business_key, task_row.id, task_row.name,
                                   task_row.due_at, will))
    for found in moved:
        _move(session, row, found, cause, now)
    return moved


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


def _move(session: Session, row: ProcessInstance, found: MovedDeadline, cause: dict[str, Any],
          now: datetime) -> None:
    session.execute(update(TASKS).where(TASKS.c.id == found.task_id).values(due_at=found.now))
    # its due-date reminders were for the old day: the new one is reminded afresh
    session.execute(delete(TASK_REMINDERS).where(TASK_REMINDERS.c.task_id == found.task_id))
    payload = {"from": found.was.astimezone(TZ).isoformat(),
               "to": found.now.astimezone(TZ).isoformat(), **cause}
    handover.record(session, row, EVENT, now, payload, users.SYSTEM, found.task_id)
