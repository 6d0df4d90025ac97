"""What each recorded event does to a workflow.

The runtime and replay both go through :func:`advance`, so replaying an instance's events
re-runs exactly the code that produced them, under the same clock and task ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, EngineError, ScriptError
from engine.messages import msg
from engine.runtime import mirror, moves, schedule, single_open, spiff_seam, state
from engine.scripting import expressions
from engine.time.clock import FixedClock

# Events that change the workflow; the others (claims) only touch the task table.
# "migrated": the case moved to another version (engine/runtime/migration.py); the switch to the new
# version's specs (migration.switch) runs just before advance(), which then has nothing more
# to apply for it than the engine steps.
# Moves (send back, withdraw, terminate: engine/runtime/moves.py) change it too.
# "timer_moved": waiting timers' dates counted again after a calendar change
# (engine/runtime/deadlines.py), each set to the date it records.
WORKFLOW_EVENTS = frozenset({"started", "completed", "message", "timer", "migrated",
                             "timer_moved"}) | moves.KINDS


@dataclass
class Step:
    state: dict[str, Any]
    digest: str
    thrown: list[BpmnEvent]
    passed: list[str]  # BPMN element ids completed by this step, for the diagram's path
    steps: list[list[str]]  # [from, to] element ids this step moved along
    data: dict[str, Any]  # the case's visible data afterwards
    kept_open: list[str]  # single-open elements whose new task was withdrawn: one is open


def new_workflow(version: LoadedVersion, initial: Mapping[str, Any], now: datetime,
                 ids: spiff_seam.IdSource) -> BpmnWorkflow:
    with spiff_seam.running(FixedClock(now.astimezone(UTC)), ids):
        workflow = BpmnWorkflow(version.spec, version.subprocess_specs)
        workflow.task_tree.set_data(**initial)
    return workflow


def _apply(workflow: BpmnWorkflow, kind: str, payload: Mapping[str, Any], now: datetime) -> None:
    if kind == "started":
        if payload.get("start_event"):  # a scheduled start: from the timer that fired
            _start_only(workflow, lambda spec: spec.bpmn_id == payload["start_event"])
        elif payload.get("message"):
            message = MessageEventDefinition(payload["message"])
            _start_only(workflow, lambda spec: spec.event_definition == message)
        # Starting is the decision to run now: a timer start event does not wait again.
        schedule.release_start_timers(workflow, now)
        workflow.do_engine_steps()
        if payload.get("message"):
            event = MessageEventDefinition(payload["message"])
            workflow.catch(BpmnEvent(event, dict(payload.get("message_data") or {})))
            # Not caught (another start event already ran): the message started this case
            # and has been used; it must not bounce back out as if the case had sent it.
            workflow.bpmn_events = [e for e in workflow.bpmn_events
                                    if e.event_definition != event]
    elif kind == "completed":
        task = workflow.get_task_from_id(UUID(payload["task_id"]))
        if task.state != TaskState.READY:
            raise Conflict(msg("task.not_ready"))
        task.data.update(payload["data"])
        for name in payload.get("dropped", ()):
            task.data.pop(name, None)
        task.run()
    elif kind == "message":
        event = MessageEventDefinition(payload["name"])
        workflow.catch(BpmnEvent(event, dict(payload["data"])))
    elif kind == "timer":
        workflow.refresh_timers()
    elif kind == "timer_moved":
        for moved in payload["timers"]:
            timer = workflow.get_task_from_id(UUID(moved["task_id"]))
            timer._set_internal_data(event_value=moved["to"])
    elif kind in moves.KINDS:
        moves.apply(workflow, kind, payload)
    # kind == "migrated": nothing to apply here, see WORKFLOW_EVENTS


def _start_only(workflow: BpmnWorkflow, chosen: Callable[[StartEvent], bool]) -> None:
    """Run the case from the chosen start event (the one catching the message that started
    it, or the timer start event whose schedule fired): cancel the others before the first
    step, or SpiffWorkflow runs whichever is ready first (a plain start event at once)."""
    for task in list(workflow.tasks.values()):
        spec = task.task_spec
        if isinstance(spec, StartEvent) and not chosen(spec):
            task.cancel()


def advance(workflow: BpmnWorkflow, ids: spiff_seam.IdSource, now: datetime,
            functions: Mapping[str, Any], kind: str, payload: Mapping[str, Any],
            previous: Mapping[str, Any]) -> Step:
    """Apply one event, run the engine steps, prune, and return the new state and digest."""
    now = now.astimezone(UTC)  # recorded times come back in UTC: state must not depend on it
    workflow.script_engine = PythonScriptEngine(
        environment=expressions.SafeEnvironment(functions)
    )
    try:
        with spiff_seam.running(FixedClock(now), ids):
            before = {t.id: t.state for t in mirror.all_tasks(workflow)}
            _apply(workflow, kind, payload, now)
            workflow.do_engine_steps()
            kept_open = single_open.withdraw_repeats(workflow, before)
            thrown = workflow.get_events()
            moved = _moved(workflow, before)
            passed, steps = _movement(moved)
            shown = {k: v for k, v in previous.items() if k not in payload.get("dropped", ())}
            data = mirror.visible_data(shown, moved, workflow)
            state.prune(workflow, int(payload.get("pruning", 1)))
            new_state = state.dump(workflow, ids)
    except SpiffWorkflowException as exc:
        raise ScriptError(msg("script.failed", message=_spiff_message(exc))) from exc
    return Step(new_state, state.digest(new_state), thrown, passed, steps, data, kept_open)


_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _moved(workflow: BpmnWorkflow, before: dict[UUID, int]) -> list[Any]:
    """Tasks that reached a new definite state since ``before``, in creation order."""
    return [t for t in mirror.all_tasks(workflow)
            if before.get(t.id) != t.state and t.has_state(_REACHED)]


def _movement(moved: list[Any]) -> tuple[list[str], list[list[str]]]:
    """Elements completed, and (from, to) element pairs entered."""
    passed, steps = set(), set()
    for task in moved:
        element = task.task_spec.bpmn_id
        if not element:
            continue
        if task.state == TaskState.COMPLETED:
            passed.add(element)
        parent = task.parent
        while parent is not None and not parent.task_spec.bpmn_id:
            parent = parent.parent
        if parent is not None:
            steps.add((parent.task_spec.bpmn_id, element))
    return sorted(passed), [list(s) for s in sorted(steps)]


def _spiff_message(exc: SpiffWorkflowException) -> str:
    notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
    text = "; ".join([str(exc), *(str(n) for n in notes)])
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and not isinstance(cause, EngineError):  # what the engine said
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, EngineError) and cause.message not in text:
        text += ": " + cause.message
    return text
