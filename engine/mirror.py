"""After every command: mirror an instance's user tasks, timers and message subscriptions
into plain indexed tables, so inboxes, the worker and message delivery never deserialize
workflows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.clock import parse_instant
from engine.errors import InvalidData, ScriptError
from engine.roles import role_for_lane
from engine.schema import MessageSubscription, ProcessInstance, Task, Timer

Evaluate = Callable[[str, dict[str, Any]], Any]
UNIT_MAX = 128  # tasks.unit


def all_tasks(workflow: BpmnWorkflow) -> Iterator[SpiffTask]:
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def ready_user_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    ready = [t for t in all_tasks(workflow) if t.state == TaskState.READY and t.task_spec.manual]
    return sorted(ready, key=lambda t: str(t.id))


def visible_data(previous: dict[str, Any], moved: list[SpiffTask],
                 workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's data after a command: what it was, updated with the data of every task the
    command moved (in creation order), so a finished branch's results stay visible; at the
    end, the workflow's end data on top."""
    data = dict(previous)
    for task in moved:
        data.update(task.data)
    if workflow.is_completed():
        data.update(workflow.data)
    data.pop("data_objects", None)
    return json.loads(json.dumps(data, default=str))


def sync_tasks(session: Session, row: ProcessInstance, workflow: BpmnWorkflow, now: datetime,
               evaluate: Evaluate, completed: tuple[str, str] | None = None) -> None:
    """``completed`` is (task id, user) of the task this command completed, if any."""
    ready = {str(t.id): t for t in ready_user_tasks(workflow)}
    open_rows = session.execute(
        select(Task).where(Task.instance_id == row.id, Task.status == "ready")
    ).scalars()
    for task_row in open_rows:
        if task_row.id in ready:
            del ready[task_row.id]
            continue
        task_row.completed_at = now
        if completed is not None and completed[0] == task_row.id:
            task_row.status, task_row.completed_by = "completed", completed[1]
        else:
            task_row.status = "cancelled"
    for task_id, task in ready.items():
        session.add(_new_row(row, task_id, task, now, evaluate))


def _new_row(row: ProcessInstance, task_id: str, task: SpiffTask, now: datetime,
             evaluate: Evaluate) -> Task:
    spec = task.task_spec
    ext: dict[str, str] = getattr(spec, "extensions", None) or {}
    role = role_for_lane(spec.lane)
    unit = _unit(ext, role.unit_scoped if role else False, task, evaluate)
    due_source = ext.get("dueDate")
    due_at = None
    if due_source:
        value = _run(evaluate, due_source, task, "due date")
        try:
            due_at = parse_instant(str(value))
        except Exception as exc:
            raise ScriptError(f"{spec.bpmn_id}: due date {due_source!r} gave {value!r}") from exc
    form = getattr(spec, "form", None)
    return Task(
        id=task_id, instance_id=row.id, process_key=row.process_key,
        business_key=row.business_key, element_id=spec.bpmn_id or spec.name,
        name=spec.bpmn_name or spec.bpmn_id or spec.name, role=role.id if role else None,
        unit=unit, assignee=None, status="ready",
        form_key=ext.get("formKey") or (form.key if form is not None else None),
        created_at=now, due_at=due_at, completed_at=None, completed_by=None,
    )


def _unit(ext: dict[str, str], scoped: bool, task: SpiffTask, evaluate: Evaluate) -> str | None:
    if "unit" in ext:
        value = _run(evaluate, ext["unit"], task, "unit")
    elif scoped:
        value = task.data.get("unit")
    else:
        return None
    if not value:
        return None
    if len(str(value)) > UNIT_MAX:
        raise InvalidData({"unit": f"单位名称最多 {UNIT_MAX} 个字符"}, "unit name too long")
    return str(value)


def _run(evaluate: Evaluate, source: str, task: SpiffTask, what: str) -> Any:
    try:
        return evaluate(source, task.data)
    except ScriptError as exc:
        raise ScriptError(f"{task.task_spec.bpmn_id}: {what}: {exc.message}") from exc


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[SpiffTask, datetime]]:
    out = []
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        if not task.has_state(TaskState.WAITING | TaskState.READY):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(definition, CycleTimerEventDefinition):
            if not isinstance(value, dict) or value.get("cycles") == 0:
                continue
            value = value["next"]
        if value is None:
            continue
        out.append((task, TimerEventDefinition.get_datetime(value)))
    return out


def sync_timers(session: Session, row: ProcessInstance, workflow: BpmnWorkflow) -> None:
    session.execute(delete(Timer).where(Timer.instance_id == row.id, Timer.status == "pending"))
    for task, due_at in waiting_timers(workflow):
        session.add(Timer(
            instance_id=row.id, process_key=row.process_key, task_id=str(task.id),
            element_id=task.task_spec.bpmn_id or task.task_spec.name, due_at=due_at,
            status="pending", lease_until=None, leased_by=None, fired_at=None,
        ))


def sync_subscriptions(session: Session, row: ProcessInstance, workflow: BpmnWorkflow) -> None:
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
    names = set()
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and not task.has_state(
            TaskState.FINISHED_MASK
        ):
            names.add(definition.name)
    for name in sorted(names):
        session.add(MessageSubscription(
            instance_id=row.id, message_name=name, business_key=row.business_key
        ))
