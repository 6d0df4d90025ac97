"""After every command: mirror an instance's user tasks, timers and message subscriptions
into plain indexed tables, so inboxes, the worker and message delivery never deserialize
workflows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.errors import InvalidData, ScriptError
from engine.messages import msg
from engine.notify import emit, settle
from engine.org import directory, scope
from engine.org.roles import role_for_lane
from engine.runtime import case_credit_codes, drafts, task_traces
from engine.storage import driver
from engine.storage.schema import SUBSCRIPTIONS, TASKS, TIMERS, ProcessInstance
from engine.time.clock import parse_instant

Evaluate = Callable[[str, dict[str, Any]], Any]
UNIT_MAX = 128  # tasks.unit
NAME_MAX = 255  # tasks.name
ITEM_LABEL_MAX = 60  # characters of a multi-instance task's item after its title
# the fields of a multi-instance item (a mapping) that name it, in order of preference
ITEM_NAME_FIELDS = ("name", "title", "label", "名称")
_OPEN_TASKS = "kuaiban_open_tasks"  # session.info key: instance id -> open task rows
# camunda property assignee = applicant: the task goes to whoever filed the case (the
# enterprise online, the window clerk for one it filed): a 补正 asked of the applicant
APPLICANT = "applicant"
_ASSIGN_NEXT = "kuaiban_assign_next"  # session.info key: element id -> assignee of new tasks
_NONE: Mapping[str, str] = {}


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


# The statements every command runs, built once: building one costs more than running it.
_OPEN_ROWS = driver.Read(select(TASKS, *task_traces.COLUMNS).where(
    TASKS.c.instance_id == bindparam("instance_id"), TASKS.c.status == "ready"))
_CLOSE = driver.Write(update(TASKS).where(TASKS.c.id == bindparam("b_id"))
                      .values(status=bindparam("status"), completed_by=bindparam("by"),
                              completed_at=bindparam("at")))
_INSERT = driver.Write(insert(TASKS))


def open_rows(session: Session, instance_id: int) -> list[driver.ReadRow]:
    """The instance's open task rows, each with its traces (engine/runtime/task_traces.py)."""
    return _OPEN_ROWS.rows(session, {"instance_id": instance_id})


def sync_tasks(session: Session, row: ProcessInstance, workflow: BpmnWorkflow, now: datetime,
               evaluate: Evaluate, acted: tuple[str, str] | None = None,
               kind: str = "completed",
               known_open: list[driver.ReadRow] | None = None,
               returned: Mapping[str, str] = _NONE, sent_back: Collection[str] = (),
               by: str | None = None) -> None:
    """``acted`` is (task id, user) of the task this command acted on, if any, and ``kind``
    the command's event: the task's row records who completed it, or who ended it otherwise
    (a send-back cancels it), so the row says who acted as the case history does;
    ``known_open`` the instance's open task rows if the command has read them (as
    :func:`open_rows` reads them); ``returned`` the new tasks that go back to whoever did
    their step before (engine/runtime/returns.py) or to the person the diagram names
    (engine/runtime/named_assignees.py), task id -> user; ``sent_back`` the new
    tasks a later step's completion sent back, which record ``returned_by`` ``by`` (the
    command's user) as a send back's new task does; ``by`` is not told of the new tasks,
    which they caused.

    Plain table statements, not ORM objects: this runs on every command and the ORM's unit
    of work cost more than the database (docs/performance.md). The open tasks written are
    remembered for the command's returned view (:func:`open_tasks`)."""
    ready = {str(t.id): t for t in ready_user_tasks(workflow)}
    kept, closed, ended = [], [], []
    for found in open_rows(session, row.id) if known_open is None else known_open:
        if ready.pop(found.id, None) is not None:
            kept.append(dict(found._mapping))
            continue
        ended.append(found)
        if acted is not None and acted[0] == found.id:
            closed.append({"b_id": found.id, "by": acted[1], "at": now,
                           "status": "completed" if kind == "completed" else "cancelled"})
        else:
            closed.append({"b_id": found.id, "status": "cancelled", "by": None, "at": now})
    if closed:
        _CLOSE.run(session, closed)
        # their notices settled, their drafts deleted: where the rows say there are any
        settle.tasks_closed(session, [t.id for t in ended if t.has_unread_notice], now)
        drafts.tasks_closed(session, [t.id for t in ended if t.has_draft])
    units = directory.load(session)
    new = [task_values(row, task_id, task, now, evaluate, units)
           for task_id, task in ready.items()]
    chosen = session.info.pop(_ASSIGN_NEXT, {})
    for values in new:
        values["assignee"] = (chosen.get(values["element_id"]) or returned.get(values["id"])
                              or values["assignee"])
        if kind == "sent_back" or values["id"] in sent_back:
            values["returned_by"] = by
    if new:
        _INSERT.run(session, new)
        emit.tasks_arrived(session, row, new, now, by)
    opened = sorted(kept + new, key=lambda t: (t["created_at"], t.get("item_index") or 0,
                                               t["id"]))
    session.info.setdefault(_OPEN_TASKS, {})[row.id] = opened


def assign_next(session: Session, element_id: str, username: str) -> None:
    """The next command's new task of ``element_id`` goes straight to ``username`` (a step
    sent back to whoever did it, a withdrawn step to whoever withdrew it)."""
    session.info.setdefault(_ASSIGN_NEXT, {})[element_id] = username


def chosen_elements(session: Session) -> frozenset[str]:
    """The elements whose next new task :func:`assign_next` chose an assignee for."""
    return frozenset(session.info.get(_ASSIGN_NEXT, {}))


def open_tasks(session: Session, instance_id: int) -> list[dict[str, Any]] | None:
    """The open task rows this transaction's last command on the instance left, if any."""
    return session.info.get(_OPEN_TASKS, {}).get(instance_id)


def task_moved(session: Session, task_id: str, now: datetime) -> None:
    """The open task changed hands (claimed, transferred, delegated, co-signed): the notices
    of those it leaves are settled, their drafts deleted."""
    settle.task_moved(session, task_id, now)
    drafts.task_moved(session, task_id)


def forget_open_tasks(session: Session, instance_id: int) -> None:
    session.info.get(_OPEN_TASKS, {}).pop(instance_id, None)


def task_values(row: ProcessInstance, task_id: str, task: SpiffTask, now: datetime,
                evaluate: Evaluate, units: directory.Directory | None = None
                ) -> dict[str, Any]:
    """The task table's row for a ready user task; ``units``: the directory its unit must
    be in (an empty one checks nothing)."""
    spec = task.task_spec
    ext: dict[str, str] = getattr(spec, "extensions", None) or {}
    role = role_for_lane(spec.lane)
    unit = _unit(ext, role.id if role else None, task, evaluate, units)
    due_source = ext.get("dueDate")
    due_at = None
    if due_source:
        value = run_expression(evaluate, due_source, task, "due date")
        try:
            due_at = parse_instant(str(value))
        except Exception as exc:
            raise ScriptError(msg("task.bad_due_date", bpmn_id=spec.bpmn_id, due_source=due_source,
                                  value=value)) from exc
    form = getattr(spec, "form", None)
    return {
        "id": task_id, "instance_id": row.id, "process_key": row.process_key,
        "business_key": row.business_key, "element_id": spec.bpmn_id or spec.name,
        "name": titled(spec.bpmn_name or spec.bpmn_id or spec.name, item_label(task, evaluate)),
        "role": role.id if role else None,
        "unit": unit, "assignee": row.started_by if ext.get("assignee") == APPLICANT else None,
        "status": "ready",
        "form_key": ext.get("formKey") or (form.key if form is not None else None),
        "created_at": now, "due_at": due_at, "completed_at": None, "completed_by": None,
        "owner": None, "signers": None, "urged_count": 0, "urged_at": None,
        "returned_by": None, "item_index": item_index(task), "credit_code": item_code(task),
    }


def item_index(task: SpiffTask) -> int | None:
    """A multi-instance child's place in the collection it was made from (a list's index, a
    mapping's key in the mapping's order), else its place among its siblings; None for any
    other task."""
    parent = task.parent
    spec = parent.task_spec if parent is not None else None
    if not isinstance(spec, MultiInstanceTask):
        return None
    key = task.internal_data.get("key_or_index")
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    collection = spec.data_input.get(parent) if spec.data_input is not None \
        and spec.data_input.exists(parent) else None
    if key is not None and isinstance(collection, Mapping) and key in collection:
        return list(collection).index(key)
    siblings = [c.id for c in parent.children if c.task_spec is task.task_spec]
    return siblings.index(task.id) if task.id in siblings else None


def own_item(task: SpiffTask) -> dict[str, Any]:
    """A multi-instance child's own item, under its element variable (``{"enterprise": {…}}``);
    empty for any other task."""
    parent = task.parent
    spec = parent.task_spec if parent is not None else None
    if not isinstance(spec, MultiInstanceTask) or spec.input_item is None:
        return {}
    name = spec.input_item.bpmn_id
    return {name: task.data[name]} if name in task.data else {}


def item_code(task: SpiffTask) -> str | None:
    """The 统一社会信用代码 a multi-instance child's item names (its ``credit_code``, as a case's
    own is read: engine/runtime/case_credit_codes.py), else None."""
    item = next(iter(own_item(task).values()), None)
    return case_credit_codes.code_of(item) if isinstance(item, Mapping) else None


def item_variables(spec: Any, subprocess_specs: Mapping[str, Any] | None = None
                   ) -> frozenset[str]:
    """The element variables of a process's multi-instance tasks (its subprocesses' too)."""
    specs = [spec, *(subprocess_specs or {}).values()]
    return frozenset(t.input_item.bpmn_id for s in specs for t in s.task_specs.values()
                     if isinstance(t, MultiInstanceTask) and t.input_item is not None)


def item_label(task: SpiffTask, evaluate: Evaluate) -> str:
    """What tells a multi-instance task from its siblings (the enterprise it pays), shown after
    its title: the diagram's ``item_label`` property (an expression on the task's data), else
    the item's ``name``, ``title``, ``label`` or ``名称`` field, or the item itself when it is
    a text or a number. Empty for any other task."""
    ext: dict[str, str] = getattr(task.task_spec, "extensions", None) or {}
    source = ext.get("item_label")
    item = own_item(task)
    if source:
        value: Any = run_expression(evaluate, source, task, "item label")
    elif item:
        value = next(iter(item.values()))
        if isinstance(value, dict):
            value = next((value[k] for k in ITEM_NAME_FIELDS
                          if isinstance(value.get(k), str | int) and str(value[k]).strip()), "")
        elif not isinstance(value, str | int) or isinstance(value, bool):
            value = ""
    else:
        return ""
    text = " ".join(str(value or "").split())
    return text[:ITEM_LABEL_MAX - 1] + "…" if len(text) > ITEM_LABEL_MAX else text


def titled(title: str, label: str) -> str:
    """A task's title with its item's label (兑付资金并通知企业（景德镇甲陶瓷有限公司）)."""
    return f"{title}（{label}）"[:NAME_MAX] if label else title


def task_unit(task: SpiffTask, evaluate: Evaluate, units: directory.Directory | None
              ) -> str | None:
    """The unit a ready user task goes to (its row's ``unit``, as :func:`task_values` says)."""
    role = role_for_lane(task.task_spec.lane)
    ext: dict[str, str] = getattr(task.task_spec, "extensions", None) or {}
    return _unit(ext, role.id if role else None, task, evaluate, units)


def _unit(ext: dict[str, str], role_id: str | None, task: SpiffTask, evaluate: Evaluate,
          units: directory.Directory | None) -> str | None:
    """The diagram's unit property, else the case field the role's tasks take their unit
    from (engine/org/scope.py); as the directory names it: never a unit it lacks."""
    source = scope.task_unit_source(role_id)
    if "unit" in ext:
        value = run_expression(evaluate, ext["unit"], task, "unit")
    elif source is not None:
        value = task.data.get(source)
    else:
        return None
    if not value:
        return None
    if len(str(value)) > UNIT_MAX:
        raise InvalidData({"unit": msg("field.unit_name_length", limit=UNIT_MAX)},
                          msg("task.unit_name_too_long"))
    if not units:
        return str(value)
    entry = units.find(str(value))
    if entry is None:
        raise InvalidData({"unit": directory.unknown_message(str(value),
                                                             units.closest(str(value)))},
                          msg("task.unknown_unit", bpmn_id=task.task_spec.bpmn_id, unit=value))
    return entry.name


def run_expression(evaluate: Evaluate, source: str, task: SpiffTask, what: str) -> Any:
    """A diagram's expression on the task's data; a failure names the task and the property."""
    try:
        return evaluate(source, task.data)
    except ScriptError as exc:
        raise ScriptError(msg("task.expression_failed", bpmn_id=task.task_spec.bpmn_id, what=what,
                              message=exc.message)) from exc


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


def timer_rows(row: ProcessInstance, workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """The timer table's pending rows for the workflow's waiting timers."""
    return [{
        "instance_id": row.id, "process_key": row.process_key, "task_id": str(task.id),
        "element_id": task.task_spec.bpmn_id or task.task_spec.name, "due_at": due_at,
        "status": "pending", "lease_until": None, "leased_by": None, "fired_at": None,
    } for task, due_at in waiting_timers(workflow)]


def awaited_messages(workflow: BpmnWorkflow) -> list[str]:
    names = set()
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and not task.has_state(
            TaskState.FINISHED_MASK
        ):
            names.add(definition.name)
    return sorted(names)


def sync_timers(session: Session, row: ProcessInstance, workflow: BpmnWorkflow,
                before: list[dict[str, Any]] | None) -> None:
    """Rewrite the instance's pending timers, unless they are still ``before`` (the rows
    written after the previous command; None: unknown)."""
    waiting = timer_rows(row, workflow)
    if waiting == before:
        return
    session.connection().execute(delete(TIMERS).where(TIMERS.c.instance_id == row.id,
                                                      TIMERS.c.status == "pending"))
    if waiting:
        session.connection().execute(insert(TIMERS), waiting)


def sync_subscriptions(session: Session, row: ProcessInstance, workflow: BpmnWorkflow,
                       before: list[str] | None) -> None:
    """Rewrite the instance's message subscriptions, unless they are still ``before``."""
    names = awaited_messages(workflow)
    if names == before:
        return
    session.connection().execute(
        delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.instance_id == row.id))
    if names:
        session.connection().execute(insert(SUBSCRIPTIONS), [
            {"instance_id": row.id, "message_name": name, "business_key": row.business_key}
            for name in names
        ])
