"""Workflow state: serialize without the spec, prune finished history, digest.

Instance state never embeds the process spec: the spec belongs to the deployed version and
is parsed once per process. The stored JSON holds the task tree, the data and the
deterministic-id counter.

Long-lived loops (weekly follow-ups for years) would grow the task tree without bound, and
with it the cost of every command. History lives in the event log, so the live tree keeps
only what SpiffWorkflow still needs: completed single-child chains above the active part are
cut off (the tree is re-rooted), and finished branches spawned by cycle timers are dropped.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime.spiff_seam import IdSource

# Tasks kept above the first branching or unfinished task when re-rooting.
_KEEP_ABOVE_FRONTIER = 2
# ... and the last user task above them, while it is at most this many tasks above.
_KEEP_LAST_STEP_WITHIN = 64
# How a step's state is pruned, recorded in its event ("pruning") so that replay prunes each
# event as it was pruned when recorded: 1 (events without the key) kept only the frontier,
# 2 also keeps the last user task (a case may be sent back to it).
PRUNING = 2

_specs: ContextVar[tuple[Any, dict[str, Any]]] = ContextVar("kuaiban_specs")


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, minus the spec (restored from the deployed version)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = _specs.get()
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_serializer = _make_serializer()


def dump(workflow: BpmnWorkflow, ids: IdSource) -> dict[str, Any]:
    """The JSON-ready state of a workflow (no spec)."""
    _serializer.registry._encoder_mode = True
    try:
        tree = _serializer.to_dict(workflow)
    finally:
        _serializer.registry._encoder_mode = False
    return {"workflow": tree, "next_id": ids.counter}


def load(
    state: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any], seed: str
) -> tuple[BpmnWorkflow, IdSource]:
    token = _specs.set((spec, subprocess_specs))
    try:
        workflow = _serializer.from_dict(json.loads(json.dumps(state["workflow"])))
    finally:
        _specs.reset(token)
    return workflow, IdSource(seed, state["next_id"])


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()


def prune(workflow: BpmnWorkflow, pruning: int = PRUNING) -> int:
    """Drop finished history SpiffWorkflow no longer needs; returns tasks removed."""
    keep_last_step = pruning >= 2
    removed = _prune_tree(workflow, keep_last_step)
    for sub in list(workflow.subprocesses.values()):
        removed += _prune_tree(sub, keep_last_step)
    live = set(workflow.tasks)
    for sub in workflow.subprocesses.values():
        live.update(sub.tasks)
    for parent_id in [p for p in workflow.subprocesses if p not in live]:
        del workflow.subprocesses[parent_id]
    return removed


def _prune_tree(workflow: Any, keep_last_step: bool) -> int:
    removed = 0
    for task in list(workflow.tasks.values()):
        if _is_cycle_timer(task) and not task.has_state(TaskState.FINISHED_MASK):
            for child in list(task.children):
                if _all_finished(child):
                    removed += _detach(workflow, task, child)
    return removed + _reroot(workflow, keep_last_step)


def _reroot(workflow: Any, keep_last_step: bool) -> int:
    chain: list[SpiffTask] = []
    node = workflow.task_tree
    while node.state == TaskState.COMPLETED and len(node._children) == 1:
        chain.append(node)
        node = node.children[0]
    keep_from = len(chain) - _KEEP_ABOVE_FRONTIER
    # The last user task passed stays, below a parent: a case may be sent back to it
    # (engine/runtime/moves.py resets the workflow from there). Not when a long run of engine
    # steps (a loop of timers and scripts) followed it: the tree must stay bounded.
    manual = [i for i, task in enumerate(chain) if task.task_spec.manual] if keep_last_step \
        else []
    if manual and len(chain) - manual[-1] <= _KEEP_LAST_STEP_WITHIN:
        keep_from = min(keep_from, manual[-1] - 1)
    if keep_from <= 0:
        return 0
    new_root = chain[keep_from]
    doomed = chain[:keep_from]
    # The root carries full data; its children store deltas against it.
    new_root.data = dict(new_root.data)
    new_root._parent = None
    for task in doomed:
        del workflow.tasks[task.id]
        if workflow.last_task is task:
            workflow.last_task = None
    workflow.task_tree = new_root
    return len(doomed)


def _detach(workflow: Any, parent: SpiffTask, child: SpiffTask) -> int:
    parent._children.remove(child.id)
    doomed = list(_subtree(child))
    for task in doomed:
        workflow.tasks.pop(task.id, None)
        if workflow.last_task is task:
            workflow.last_task = None
    return len(doomed)


def _subtree(task: SpiffTask) -> list[SpiffTask]:
    out, stack = [], [task]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def _all_finished(task: SpiffTask) -> bool:
    return all(t.has_state(TaskState.FINISHED_MASK) for t in _subtree(task))


def _is_cycle_timer(task: SpiffTask) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, CycleTimerEventDefinition)
