"""Messages: which one case a message reaches, and what a message from outside may carry.

A message correlates with exactly one waiting case: the cases waiting for its name with its
``business_key`` whose data also match its other correlation values. More than one is refused
(Conflict) rather than delivered to all: a case number names one case.

A message from outside (``POST /api/v1/messages``, ``Engine.send_message``) is checked like a
form submission before anything runs: its correlation is a string ``business_key`` (at most 64
characters) and plain values; its payload may only carry the fields of the form declared for
the event that catches it, with their types (``forms.validate_submission``):

* a catching event declares the form of its message with the Camunda property
  ``message_form`` (docs/designer-guide.md);
* a message start event without one takes the process's start form;
* an event with no form takes a message with no data.

The engine's own fields (:data:`ENGINE_OWNED`) never come from outside, and a case a message
reaches keeps its own (:func:`without_owned`). Messages thrown by cases are the engine's own
and are not otherwise checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import forms
from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, InvalidData, PermissionDenied
from engine.messages import msg
from engine.org.roles import role_for_lane
from engine.runtime.locking import locked_instance
from engine.storage.schema import MessageSubscription, ProcessInstance, ProcessVersion
from engine.views import UserView

# What the engine writes into a case about the case itself: its number, the number of the
# case whose message started it, and the jurisdiction it was started in (engine/org/scope.py).
ENGINE_OWNED = frozenset({"case_no", "source_case_no", "jurisdiction"})
MAX_KEY = 64  # instances.business_key


def check_correlation(correlation: Mapping[str, Any]) -> None:
    """InvalidData unless the correlation is a text business key and plain values."""
    problems: dict[str, str] = {}
    for name, value in correlation.items():
        field = f"correlation.{name}"
        if name == "business_key":
            if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY:
                problems[field] = f"应为 1 到 {MAX_KEY} 个字符的文本 (the case number, as text)"
        elif value is not None and not isinstance(value, str | int | float | bool):
            problems[field] = "应为文本、数字或是/否 (a plain value)"
    if problems:
        raise InvalidData(problems, msg("message.bad_correlation"))


def check_payload(version: LoadedVersion, elements: Iterable[str], data: Mapping[str, Any],
                  start: bool = False) -> None:
    """InvalidData unless ``data`` fits the form of the events ``elements`` (their declared
    message form; for a message start event, else the start form; else no data)."""
    check_owned(data)
    keys = {version.message_forms[e] for e in elements if e in version.message_forms}
    if not keys and start:
        keys = {version.start_form_key} if version.start_form_key else set()
    schemas = [s for s in (version.form(k) for k in sorted(keys)) if s is not None]
    if not schemas:
        if data:
            raise InvalidData({name: msg("field.message_without_form") for name in data},
                              msg("message.no_form"))
        return
    forms.validate_submission(schemas[0], data)


def check_owned(data: Mapping[str, Any]) -> None:
    """InvalidData when ``data`` from outside sets a field only the engine sets."""
    owned = sorted(set(data) & ENGINE_OWNED)
    if owned:
        raise InvalidData({name: msg("field.set_by_system") for name in owned},
                          msg("message.engine_owned", owned=', '.join(owned)))


def without_owned(data: Mapping[str, Any]) -> dict[str, Any]:
    """A message's data as a waiting case takes it: a case thrown a message keeps its own
    number and jurisdiction (a city escalation's data must not make a county's clue the
    city's)."""
    return {name: value for name, value in data.items() if name not in ENGINE_OWNED}


def waiting_elements(workflow: BpmnWorkflow, name: str) -> list[str]:
    """The element ids of the events of ``workflow`` waiting for the message ``name``."""
    return sorted({
        task.task_spec.bpmn_id for task in workflow.event_manager.tasks.values()
        if _catches(task.task_spec, name) and not task.has_state(TaskState.FINISHED_MASK)})


def start_elements(version: LoadedVersion, name: str) -> list[str]:
    """The element ids of the start events of ``version`` that the message ``name`` starts."""
    return sorted(spec.bpmn_id for spec in version.spec.task_specs.values()
                  if isinstance(spec, StartEvent) and _catches(spec, name))


def _catches(spec: Any, name: str) -> bool:
    definition = getattr(spec, "event_definition", None)
    return isinstance(definition, MessageEventDefinition) and definition.name == name


def matches(row: ProcessInstance, correlation: Mapping[str, Any]) -> bool:
    """The case's data has every correlation value but the business key (matched already)."""
    return all(row.data.get(key) == value for key, value in correlation.items()
               if key != "business_key")


def processes_started_by(session: Session, message: str) -> list[str]:
    rows = session.execute(select(ProcessVersion).order_by(ProcessVersion.version)).scalars()
    latest: dict[str, ProcessVersion] = {}
    for pv in rows:
        latest[pv.key] = pv
    return sorted(key for key, pv in latest.items() if message in (pv.start_messages or []))


def waiting_case(session: Session, name: str, correlation: Mapping[str, Any],
                 hops: int) -> ProcessInstance | None:
    """The one case waiting for the message (locked); Conflict when several match."""
    business_key = correlation.get("business_key")
    query = select(MessageSubscription.instance_id).where(
        MessageSubscription.message_name == name)
    if business_key is not None:
        query = query.where(MessageSubscription.business_key == business_key)
    elif hops > 0:
        query = query.where(MessageSubscription.business_key.is_(None))
    rows = [locked_instance(session, i, None)
            for i in sorted(set(session.execute(query).scalars()))]
    found = [r for r in rows if matches(r, correlation)]
    if len(found) > 1:
        raise Conflict(
            msg("message.ambiguous", name=name, count=len(found),
                cases=", ".join(r.business_key or f"#{r.id}" for r in found[:10])))
    return found[0] if found else None


def check_may_send(workflow: BpmnWorkflow, name: str, user: UserView) -> None:
    """From outside, only a user with the role of the lane that waits for it may deliver a
    message (or the system); messages thrown by instances need no such check."""
    if user.username == "system":
        return
    lanes = {t.task_spec.lane for t in workflow.event_manager.tasks.values()
             if getattr(getattr(t.task_spec, "event_definition", None), "name", None) == name}
    roles = {r.id for r in (role_for_lane(lane) for lane in lanes if lane) if r is not None}
    if not roles & set(user.roles):
        needed = ", ".join(sorted(roles)) or "system"
        raise PermissionDenied(msg("message.role_needed", name=name, needed=needed))
