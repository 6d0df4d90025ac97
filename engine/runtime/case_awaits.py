"""Fields that name a case which must be waiting for a message (``x-case-awaits``).

A 提级核查 names its clue, and its approval sends the clue ``escalation_approved``; the clue
listens for it only while it is being handled (the boundary event on 优先核查 快办快结). An
escalation of a clue not in that stage would be approved into the void, so its start form
says so:

    "esc_case_no": {"type": "string", "x-case-of": "clue_triage",
                    "x-case-awaits": "escalation_approved"}

and a start or a task naming a case that is not waiting for one of those messages now is
refused beside the field, saying why: the case is not there yet (a step on the way leads to
an event catching it: wait until then), is past it (none does), or is closed or terminated.
"Waiting now" is what the case's message subscriptions say (engine/runtime/mirror.py), so a
refusal is the only time the named case's workflow is read.

The named case may leave that stage while this one is still being worked (a clue closed
while its escalation is agreed): a step throwing it the message then would reach nobody, so
it is refused saying why (an error of the whole form), and another decision (不予批准) is
left to take (:func:`check_thrown`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import case_refs
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.runtime import state
from engine.storage.schema import MessageSubscription, ProcessInstance

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def check(session: Session, versions: VersionCache, schema: Mapping[str, Any] | None,
          found: Mapping[str, int], doing: Msg) -> None:
    """InvalidData with a field error for each field of ``schema`` declaring
    ``x-case-awaits`` whose case (``found``: field -> case id, by
    :func:`engine.definitions.case_refs.checked`) waits for none of its messages now;
    ``doing`` says what would have been done with it ("发起提级核查")."""
    errors: dict[str, Msg] = {}
    for name, messages in case_refs.awaited(schema).items():
        case_id = found.get(name)
        if case_id is None:
            continue
        problem = _problem(session, versions, case_id, messages, doing)
        if problem is not None:
            errors[name] = problem
    if errors:
        raise InvalidData(errors, msg("form.invalid"))


def check_thrown(session: Session, versions: VersionCache, sender: ProcessInstance,
                 message: str, business_key: str | None) -> None:
    """InvalidData when ``sender`` throws ``message`` that no case took to the case its start
    form named for it (``x-case-awaits``): the step would take effect nowhere."""
    version = versions.get(session, sender.version_id)
    schema = version.form(version.start_form_key)
    for name, messages in case_refs.awaited(schema).items():
        named = sender.data.get(name) or business_key
        if message not in messages or not named:
            continue
        case_id = session.execute(select(ProcessInstance.id).where(
            ProcessInstance.business_key == named,
            ProcessInstance.process_key.in_(case_refs.case_of(schema, name))
        ).order_by(ProcessInstance.id).limit(1)).scalar()
        problem = None if case_id is None else _problem(
            session, versions, case_id, messages,
            msg("field.case_awaits_thrown", process=version.name))
        if problem is not None:  # the form's own error: what was chosen, not who was first
            said = msg("message.case_awaits_thrown", problem=problem)
            raise InvalidData({"_": said}, said)


def _problem(session: Session, versions: VersionCache, case_id: int,
             messages: tuple[str, ...], doing: Msg) -> Msg | None:
    waiting = session.execute(select(MessageSubscription.id).where(
        MessageSubscription.instance_id == case_id,
        MessageSubscription.message_name.in_(messages)).limit(1)).first()
    if waiting is not None:
        return None
    row = session.get(ProcessInstance, case_id)
    if row is None:  # case_refs found it in this transaction
        return None
    version = versions.get(session, row.version_id)
    said = {"process": version.name, "value": row.business_key, "doing": doing}
    if row.status == "completed":
        return msg("field.case_awaits_closed", **said)
    if row.status == "cancelled":
        return msg("field.case_awaits_terminated", **said)
    workflow, _ = state.load(json.loads(row.state), version.spec, version.subprocess_specs,
                             str(row.id))
    stages = _stages(version, messages)
    steps = _steps(workflow)
    if _reachable(workflow, version, messages):
        key = "field.case_awaits_not_yet" if steps else "field.case_awaits_not_yet_bare"
    else:
        key = "field.case_awaits_past" if steps else "field.case_awaits_past_bare"
    return msg(key, stages=stages, steps=steps, **said)


def _catches(spec: Any, messages: tuple[str, ...]) -> bool:
    definition = getattr(spec, "event_definition", None)
    return isinstance(spec, CatchingEvent) and isinstance(definition, MessageEventDefinition) \
        and definition.name in messages


def _stages(version: LoadedVersion, messages: tuple[str, ...]) -> list[str]:
    """Where the diagram listens for the messages: the activity a boundary event is attached
    to, else the catching event itself."""
    names = []
    for spec in version.task_specs():
        if not _catches(spec, messages):
            continue
        if isinstance(spec, BoundaryEvent):  # BoundaryEventSplit -> (activity, its events)
            spec = next((s for s in spec.inputs[0].outputs
                         if not isinstance(s, BoundaryEvent)), spec)
        names.append(spec.bpmn_name or spec.bpmn_id or spec.name)
    return sorted(set(names))


def _active(workflow: BpmnWorkflow) -> Iterator[Any]:
    yield from workflow.get_tasks(state=_ACTIVE)
    for sub in workflow.subprocesses.values():
        yield from sub.get_tasks(state=_ACTIVE)


def _steps(workflow: BpmnWorkflow) -> list[str]:
    """What the case is at: its ready user tasks, else the events it waits at (attached
    events aside: their activity is the step)."""
    tasks = list(_active(workflow))
    ready = [t for t in tasks if t.state == TaskState.READY and t.task_spec.manual]
    waiting = [t for t in tasks if t.state == TaskState.WAITING
               and isinstance(t.task_spec, CatchingEvent)
               and not isinstance(t.task_spec, BoundaryEvent)]
    return sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in ready or waiting})


def _reachable(workflow: BpmnWorkflow, version: LoadedVersion,
               messages: tuple[str, ...]) -> bool:
    """Whether a path of the diagram leads from where the case is to an event catching one
    of the messages (conditions aside: a step that may lead there)."""
    stack: list[Any] = []
    for task in _active(workflow):
        stack.extend(task.task_spec.outputs)
        stack.extend(_after_subprocesses(workflow, task))
    seen: set[int] = set()
    while stack:
        spec = stack.pop()
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        if _catches(spec, messages):
            return True
        stack.extend(spec.outputs)
        if isinstance(spec, SubWorkflowTask) and spec.spec in version.subprocess_specs:
            stack.append(version.subprocess_specs[spec.spec].start)
    return False


def _after_subprocesses(workflow: BpmnWorkflow, task: Any) -> Iterable[Any]:
    """The steps after each subprocess ``task`` runs in (they follow once it ends)."""
    inner = task.workflow
    while inner.parent_task_id is not None:
        parent = workflow.get_task_from_id(inner.parent_task_id)
        yield from parent.task_spec.outputs
        inner = parent.workflow
