"""A step the case comes back to goes to whoever did it: work sent back returns to the
原经办人 (退回重拟 in an approval loops the case back to the proposal, which opens for the clerk
who proposed it, not in the pool).

A new user task of an element this case completed before goes to the user who completed it
last, when that user is still active and may still work it (its role and unit as
engine/org/scope.py says) and the task's role is the one it had then; otherwise, and for a
multi-instance or loop task's items, it goes to the pool. A diagram keeps a step in the pool
with the camunda property ``back_to`` = ``pool``.

The answer depends on the users table of the moment: the command records it with its event
(``back_to``: task id -> user), as it records the directory's answers (engine/org/lists.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.org import directory, scope, users
from engine.org.roles import role_for_lane
from engine.runtime import mirror
from engine.storage import driver
from engine.storage.schema import EVENTS, TASKS, ProcessInstance

PROPERTY = "back_to"  # the camunda property of a user task
VALUES = ("done_by", "pool")  # done_by (the default): to whoever did it; pool: to the pool
RECORD = "back_to"  # the event payload's key: task id -> the user it went back to


def element_of(task: SpiffTask) -> str:
    return str(task.task_spec.bpmn_id or task.task_spec.name)


def _counted(task: SpiffTask) -> bool:
    """Not an item of a multi-instance or loop task: those come round by design."""
    parent = task.parent
    return parent is None or not isinstance(parent.task_spec, LoopTask)


def _kept_in_pool(task: SpiffTask) -> bool:
    ext: dict[str, str] = getattr(task.task_spec, "extensions", None) or {}
    return ext.get(PROPERTY, "done_by") == "pool"


# Run on the driver, by instance alone (the elements filtered here): they run after most
# commands, where SQLAlchemy's execution of a statement with an IN list cost more than the
# database's work.
_COMPLETED = driver.Read(
    select(TASKS.c.id, TASKS.c.element_id, TASKS.c.completed_by, TASKS.c.role)
    .where(TASKS.c.instance_id == bindparam("instance_id"), TASKS.c.status == "completed"))
_COMPLETIONS = driver.Read(
    select(EVENTS.c.task_id, EVENTS.c.seq)
    .where(EVENTS.c.instance_id == bindparam("instance_id"), EVENTS.c.type == "completed",
           EVENTS.c.task_id.is_not(None))
    .order_by(EVENTS.c.seq))


@dataclass(frozen=True)
class Returns:
    """What a command's new tasks of steps done before get: ``assigned``, task id -> the
    user it goes back to; ``sent_back``, the tasks that a later step's completion sent back
    (marked 退回 in the inbox, like a send back's), not those a step before them reached
    again (a revised proposal's approval comes round afresh)."""

    assigned: dict[str, str] = field(default_factory=dict)
    sent_back: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Done:
    """A completion of a step: the task row's columns :func:`assignees` reads."""

    element_id: str
    completed_by: str | None
    role: str | None


def assignees(session: Session, row: ProcessInstance, workflow: BpmnWorkflow,
              known_open: Collection[str], taken: Collection[str], acted: str | None,
              now: datetime, evaluate: Callable[[str, dict[str, Any]], Any],
              completing: Done | None = None) -> Returns:
    """For the new user tasks (not in ``known_open``) of steps this case completed before,
    whose element is not ``taken`` (a send back or a withdrawal chose); ``acted``: the
    element of the task the command acts on, if it acts on one; ``completing``: that task
    when the command completes it, done before its new tasks are (a step that loops straight
    back to itself comes round to whoever did it, whose row is not written yet)."""
    new = [t for t in mirror.ready_user_tasks(workflow)
           if str(t.id) not in known_open and element_of(t) not in taken and _counted(t)]
    if not new:
        return Returns()
    elements = {element_of(t) for t in new} | ({acted} if acted else set())
    done = [d for d in _COMPLETED.rows(session, {"instance_id": row.id})
            if d.element_id in elements]
    if not done and completing is None:  # no step done before: the usual case, one query
        return Returns()
    element = {d.id: d for d in done}
    first: dict[str, int] = {}  # the event that first completed the element
    last: dict[str, Any] = {}
    completions = _COMPLETIONS.rows(session, {"instance_id": row.id}) if done else ()
    for task_id, seq in completions:
        if task_id not in element:
            continue
        first.setdefault(element[task_id].element_id, seq)
        last[element[task_id].element_id] = element[task_id]
    if completing is not None:  # this command's event, after every one before
        first.setdefault(completing.element_id, row.event_count + 1)
        last[completing.element_id] = completing
    acted_first = first.get(acted or "", row.event_count + 1) if acted else None
    out = Returns(sent_back=frozenset(
        str(t.id) for t in new if element_of(t) in first and acted_first is not None
        and first[element_of(t)] < acted_first))
    units: directory.Directory | None = None
    for task in new:
        before = last.get(element_of(task))
        if before is None or _kept_in_pool(task) or not before.completed_by \
                or before.completed_by == users.SYSTEM.username:
            continue
        role = role_for_lane(task.task_spec.lane)
        if (role.id if role else None) != before.role:
            continue  # its lane is another role now: whoever did it is not whom it asks
        if units is None:
            units = directory.load(session)
        unit = mirror.task_values(row, str(task.id), task, now, evaluate, units)["unit"]
        try:
            user = users.get(session, before.completed_by)
        except NotFound:  # gone or deactivated
            continue
        if scope.acts_on(user, before.role, unit):
            out.assigned[str(task.id)] = user.username
    return out

