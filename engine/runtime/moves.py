"""Moving a case's tokens back to an earlier user task (退回 send back, 撤回 withdraw) and
ending a case (终止 terminate).

A move resets the workflow to a completed user task still on the path that led to the task
being worked (SpiffWorkflow's ``reset_from_task_id``): everything that came after it, in
every parallel branch and sub-process below it, is dropped, and the earlier task is ready
again under a fresh task id (its finished row stays in the task table as what happened).
The event records the task id moved to, so replay resets exactly the same task.

A designer allows or forbids send back per user task with the camunda property
``sendBack``: ``false`` forbids it; a comma-separated list of element ids names the earlier
steps it may go back to; absent (or ``true``), any earlier step on the path may be chosen
and the previous one is the default (docs/designer-guide.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from copy import deepcopy
from typing import Any
from uuid import UUID, uuid5

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.errors import Conflict, refused
from engine.messages import msg
from engine.runtime.mirror import all_tasks

SEND_BACK = "sendBack"  # the camunda property on a user task
# Events that move tokens (shared with replay through engine/runtime/transitions.py).
KINDS = frozenset({"sent_back", "withdrawn", "terminated"})
# One instance of a multi-instance task (one enterprise's 兑付) knows its item only from
# SpiffWorkflow's internal data (its place in the list, the item), which a reset clears: done
# again, it could not be merged back into the list. A move recorded with ITEM_KEPT keeps
# them; moves recorded before it replay as they ran.
ITEM_KEPT = "item_kept"
_ITEM_KEYS = ("key_or_index", "item")


def path_to(workflow: BpmnWorkflow, task: SpiffTask) -> Iterator[SpiffTask]:
    """The tasks that led to ``task``, nearest first, out through the sub-processes and
    call activities it runs in."""
    node, current = task.parent, task
    while True:
        while node is not None:
            yield node
            current, node = node, node.parent
        parent_id = getattr(current.workflow, "parent_task_id", None)
        if parent_id is None:
            return
        outer = workflow.get_task_from_id(parent_id)
        current, node = outer, outer.parent


def earlier_steps(workflow: BpmnWorkflow, task: SpiffTask) -> list[SpiffTask]:
    """Completed user tasks on the path to ``task``, nearest first, each element once."""
    seen: set[str] = set()
    steps = []
    for node in path_to(workflow, task):
        element = node.task_spec.bpmn_id
        if node.task_spec.manual and node.state == TaskState.COMPLETED and element not in seen:
            seen.add(element)
            steps.append(node)
    return steps


def allowed_targets(task: SpiffTask) -> set[str] | None:
    """The element ids ``task`` may be sent back to (None: any earlier step)."""
    extensions: Mapping[str, str] = getattr(task.task_spec, "extensions", None) or {}
    value = (extensions.get(SEND_BACK) or "").strip()
    if value.lower() == "false":
        return set()
    if not value or value.lower() == "true":
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def send_back_choices(workflow: BpmnWorkflow, task_id: str) -> list[SpiffTask]:
    """The earlier steps the ready task ``task_id`` may be sent back to, nearest first."""
    task = workflow.get_task_from_id(UUID(task_id))
    allowed = allowed_targets(task)
    steps = earlier_steps(workflow, task)
    return [s for s in steps if allowed is None or s.task_spec.bpmn_id in allowed]


def send_back_target(workflow: BpmnWorkflow, task_id: str, to_element: str | None
                     ) -> SpiffTask:
    """The earlier task to send ``task_id`` back to: the chosen element, or the nearest."""
    task = workflow.get_task_from_id(UUID(task_id))
    if allowed_targets(task) == set():
        raise Conflict(msg("send_back.not_allowed"))
    choices = send_back_choices(workflow, task_id)
    if to_element is None:
        if not choices:
            raise Conflict(msg("send_back.no_previous"))
        return choices[0]
    for step in choices:
        if step.task_spec.bpmn_id == to_element:
            return step
    names = "、".join(f"{s.task_spec.bpmn_name or s.task_spec.bpmn_id}（{s.task_spec.bpmn_id}）"
                     for s in choices) or "无"
    raise refused("to", msg("send_back.not_allowed_to", to_element=to_element, names=names))


def untouched_after(workflow: BpmnWorkflow, done_id: str) -> list[SpiffTask]:
    """The open user tasks that completing ``done_id`` led to; Conflict when a later user
    task was already completed (the step can no longer be withdrawn)."""
    try:
        done = workflow.get_task_from_id(UUID(done_id))
    except Exception:
        done = None
    if done is None or done.state != TaskState.COMPLETED or not done.task_spec.manual:
        raise Conflict(msg("withdraw.moved_on"))
    if _instance_of(done) and done.parent.state != TaskState.STARTED:
        raise Conflict(msg("withdraw.moved_on"))  # every item done: the list went on
    later = [t for t in _below(workflow, done) if t is not done and t.task_spec.manual]
    if any(t.state == TaskState.COMPLETED for t in later):
        raise Conflict(msg("withdraw.next_done"))
    return [t for t in later if t.state == TaskState.READY]


def _instance_of(task: SpiffTask) -> bool:
    """Whether ``task`` is one instance of a multi-instance task (its parent)."""
    parent = task.parent
    return parent is not None and isinstance(parent.task_spec, MultiInstanceTask) \
        and parent.task_spec is not task.task_spec


def item_kept(workflow: BpmnWorkflow, to_task: str) -> dict[str, bool]:
    """What a move's payload records so that its target keeps its item (ITEM_KEPT)."""
    target = workflow.get_task_from_id(UUID(to_task))
    return {ITEM_KEPT: True} if target is not None and _instance_of(target) else {}


def _below(workflow: BpmnWorkflow, task: SpiffTask) -> Iterator[SpiffTask]:
    """Every task below ``task``, inside the sub-processes it started too."""
    for node in task:
        yield node
        sub = workflow.subprocesses.get(node.id)
        if sub is not None and node is not task:
            yield from _below(workflow, sub.task_tree)


def apply(workflow: BpmnWorkflow, kind: str, payload: Mapping[str, Any]) -> None:
    """What a move event does to the workflow (runs under the command's id source)."""
    if kind == "terminated":
        workflow.cancel()
        return
    target = workflow.get_task_from_id(UUID(payload["to_task"]))
    if target is None or target.state != TaskState.COMPLETED:
        raise Conflict(msg("send_back.target_gone"))
    # The step runs again on the data of the task sent back (what the case holds now), or,
    # withdrawn, on what it left when it was completed.
    # (Set after the reset: a reset task inherits its parent's data over what it is given.)
    source = workflow.get_task_from_id(UUID(payload["task_id"])) or target
    data = deepcopy(source.data)
    item = {k: deepcopy(target.internal_data[k]) for k in _ITEM_KEYS
            if k in target.internal_data} if payload.get(ITEM_KEPT) else {}
    workflow.reset_from_task_id(target.id)
    _forget_dropped_events(workflow)
    target.data = data
    target.internal_data.update(item)
    _renew_id(target, uuid5(target.id, "again"))


def _forget_dropped_events(workflow: BpmnWorkflow) -> None:
    """SpiffWorkflow's reset leaves the catching events it dropped (a boundary timer of a
    sub-process, say) in the event manager: forget them, or the next engine step updates
    tasks that are gone."""
    live = {task.id for task in all_tasks(workflow)}
    waiting = workflow.event_manager.tasks
    for task_id in [key for key, task in waiting.items() if task.id not in live]:
        del waiting[task_id]


def _renew_id(task: SpiffTask, new_id: UUID) -> None:
    """Give the reset task a fresh id, derived from the old one (so replay derives it too):
    the task table keeps the finished round under the old id, the new round is a new task."""
    owner = task.workflow
    old = task.id
    # same place in the task dict: its order is the order data is gathered in (mirror.py)
    owner.tasks = {(new_id if key == old else key): value for key, value in owner.tasks.items()}
    task.id = new_id
    parent = task.parent
    if parent is not None:
        parent._children = [new_id if c == old else c for c in parent._children]
    for child in task.children:
        child._parent = new_id

