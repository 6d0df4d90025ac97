"""The one seam between SpiffWorkflow and the engine's notion of time and identity.

SpiffWorkflow reads the wall clock (timers, task state-change stamps), draws random task
ids and stops iterating the task tree at depth 1000. Replay needs the same clock and the
same ids again, and weekly loops run for years, so while a command runs:

* "now" inside SpiffWorkflow is the command's Clock;
* task ids come from a per-instance counter (uuid5 over the instance id), so replaying the
  same commands rebuilds the same ids;
* the task iterator has no depth limit (the default makes ``is_completed()`` and the end
  join see nothing below depth 1000, so long loops would "complete" falsely).

Everything is installed once, at import, and scoped through a context variable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

import SpiffWorkflow.task as spiff_task
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.util import task as spiff_bpmn_task_util
from SpiffWorkflow.util import task as spiff_task_util

from engine.time.clock import Clock, SystemClock

# Diagrams write timer dates without an offset in Beijing time, whatever the server's zone.
BEIJING = timezone(timedelta(hours=8))
_NAMESPACE = uuid.UUID("6f1c2a7e-4b8d-4f0e-9a51-6b7c0e2d9f13")


@dataclass
class IdSource:
    """Deterministic task ids for one instance: uuid5(namespace, "instance:counter")."""

    seed: str
    counter: int = 0

    def next(self) -> uuid.UUID:
        self.counter += 1
        return uuid.uuid5(_NAMESPACE, f"{self.seed}:{self.counter}")


_clock: ContextVar[Clock | None] = ContextVar("kuaiban_clock", default=None)
_system_clock = SystemClock()
_ids: ContextVar[IdSource | None] = ContextVar("kuaiban_ids", default=None)


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockDatetime:
        v = (_clock.get() or _system_clock).now().astimezone(tz or BEIJING)
        return cls(
            v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond,
            tzinfo=v.tzinfo if tz is not None else None,
        )


class _ClockTime:
    """Stands in for the ``time`` module inside SpiffWorkflow.task."""

    @staticmethod
    def time() -> float:
        return (_clock.get() or _system_clock).now().timestamp()


def _next_id() -> uuid.UUID:
    source = _ids.get()
    return source.next() if source is not None else uuid.uuid4()


def _without_depth_limit(init: Any) -> None:
    """Replace the ``max_depth=1000`` default of a task iterator's constructor."""
    names = init.__code__.co_varnames[: init.__code__.co_argcount]
    defaults = list(init.__defaults__)
    defaults[names.index("max_depth") - (len(names) - len(defaults))] = 10**9
    init.__defaults__ = tuple(defaults)


def _install() -> None:
    spiff_timer.datetime = _ClockDatetime
    spiff_timer.LOCALTZ = BEIJING
    spiff_task.time = _ClockTime
    spiff_task.uuid4 = _next_id
    _without_depth_limit(spiff_task_util.TaskIterator.__init__)
    _without_depth_limit(spiff_bpmn_task_util.BpmnTaskIterator.__init__)


_install()


@contextmanager
def running(clock: Clock, ids: IdSource | None) -> Iterator[None]:
    """Run SpiffWorkflow code with this clock and id source."""
    clock_token = _clock.set(clock)
    ids_token = _ids.set(ids)
    try:
        yield
    finally:
        _clock.reset(clock_token)
        _ids.reset(ids_token)
