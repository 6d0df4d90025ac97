"""Timer start events: when the engine starts the next instance of a process by itself.

SpiffWorkflow would run every cycle of a start timer inside one instance; a yearly campaign
needs one instance per year. So the engine owns start schedules: each timer start event has
its own timer row (no instance; ``element_id`` names the start event), due at its next
occurrence; firing it starts an instance from that start event (the "started" event names it,
so replay takes the same path) and schedules its next one.
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)

from engine.errors import ScriptError
from engine.messages import msg
from engine.scripting import expressions


def next_occurrence(part: str, source: str, now: datetime,
                    functions: dict[str, Any]) -> datetime | None:
    """The first occurrence strictly after ``now``, or None when there is none left."""
    try:
        value = expressions.evaluate(source, {}, functions)
        if part == "timeDate":
            due: datetime = TimerEventDefinition.get_datetime(value)
            return due if due > now else None
        cycles, start, _ = TimerEventDefinition.parse_iso_recurring_interval(value)
        period = TimerEventDefinition.parse_iso_duration(value.split("/")[-1])
    except ScriptError:
        raise
    except Exception as exc:  # SpiffWorkflow raises bare Exception for bad ISO text
        raise ScriptError(msg("timer.start_failed", source=source, exc=exc)) from exc
    occurrence, n = start, 0
    while occurrence <= now:
        n += 1
        if 0 <= cycles < n + 1:
            return None
        occurrence = add_period(start, period, n)
    return occurrence


def start_key(element: str, source: str, functions: dict[str, Any]) -> str:
    """The business key a timer start event names its case by (its ``business_key``
    property, an expression whose ``now()`` is the occurrence), e.g. the year."""
    value = expressions.evaluate(source, {}, functions)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise ScriptError(msg("timer.start_key_invalid", element=element, value=value))
    return str(value).strip()


def add_period(start: datetime, period: dict[str, float], times: int) -> datetime:
    """``start`` plus ``times`` ISO periods, months and years by the calendar (1 April stays
    1 April), days and smaller as exact durations."""
    months = int(period.get("years", 0) * 12 + period.get("months", 0)) * times
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, _stdcal.monthrange(year, month + 1)[1])
    moved = start.replace(year=year, month=month + 1, day=day)
    delta = timedelta(
        weeks=period.get("weeks", 0), days=period.get("days", 0), hours=period.get("hours", 0),
        minutes=period.get("minutes", 0), seconds=period.get("seconds", 0),
    )
    return moved + delta * times


def release_start_timers(workflow: BpmnWorkflow, now: datetime) -> None:
    """Make a new instance's timer start events fire once, at once (the engine decided it is
    time). Called before the first engine step, on the predicted start-event tasks, so
    SpiffWorkflow never evaluates the cycle itself (it would catch up on every missed period
    inside this one instance)."""
    past = (now - timedelta(seconds=1)).isoformat()
    for task in list(workflow.tasks.values()):
        if not isinstance(task.task_spec, StartEvent):
            continue
        definition = task.task_spec.event_definition
        if isinstance(definition, CycleTimerEventDefinition):
            task._set_internal_data(event_value={"cycles": 1, "next": past, "duration": 0})
        elif isinstance(definition, TimerEventDefinition):
            task._set_internal_data(event_value=past)
