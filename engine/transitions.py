"""What each recorded event does to a workflow.

The runtime and replay both go through :func:`advance`, so replaying an instance's events
re-runs exactly the code that produced them, under the same clock and task ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine import expressions, schedule, spiff_seam, state
from engine.clock import FixedClock
from engine.errors import Conflict, ScriptError
from engine.registry import LoadedVersion

# Events that change the workflow; the others (claims) only touch the task table.
WORKFLOW_EVENTS = frozenset({"started", "completed", "message", "timer"})


@dataclass
class Step:
    state: dict[str, Any]
    digest: str
    thrown: list[BpmnEvent]


def new_workflow(version: LoadedVersion, initial: Mapping[str, Any], now: datetime,
                 ids: spiff_seam.IdSource) -> BpmnWorkflow:
    with spiff_seam.running(FixedClock(now.astimezone(UTC)), ids):
        workflow = BpmnWorkflow(version.spec, version.subprocess_specs)
        workflow.task_tree.set_data(**initial)
    return workflow


def _apply(workflow: BpmnWorkflow, kind: str, payload: Mapping[str, Any], now: datetime) -> None:
    if kind == "started":
        # Starting is the decision to run now: a timer start event does not wait again.
        workflow.do_engine_steps()
        schedule.release_start_timers(workflow, now)
        if payload.get("message"):
            event = MessageEventDefinition(payload["message"])
            workflow.catch(BpmnEvent(event, dict(payload.get("message_data") or {})))
    elif kind == "completed":
        task = workflow.get_task_from_id(UUID(payload["task_id"]))
        if task.state != TaskState.READY:
            raise Conflict("task is no longer ready")
        task.data.update(payload["data"])
        task.run()
    elif kind == "message":
        event = MessageEventDefinition(payload["name"])
        workflow.catch(BpmnEvent(event, dict(payload["data"])))
    elif kind == "timer":
        workflow.refresh_timers()


def advance(workflow: BpmnWorkflow, ids: spiff_seam.IdSource, now: datetime,
            functions: Mapping[str, Any], kind: str, payload: Mapping[str, Any]) -> Step:
    """Apply one event, run the engine steps, prune, and return the new state and digest."""
    now = now.astimezone(UTC)  # recorded times come back in UTC: state must not depend on it
    workflow.script_engine = PythonScriptEngine(
        environment=expressions.SafeEnvironment(functions)
    )
    try:
        with spiff_seam.running(FixedClock(now), ids):
            _apply(workflow, kind, payload, now)
            workflow.do_engine_steps()
            thrown = workflow.get_events()
            state.prune(workflow)
            new_state = state.dump(workflow, ids)
    except SpiffWorkflowException as exc:
        raise ScriptError(_spiff_message(exc)) from exc
    return Step(new_state, state.digest(new_state), thrown)


def _spiff_message(exc: SpiffWorkflowException) -> str:
    notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
    return "; ".join([str(exc), *(str(n) for n in notes)])
