"""What a running case waits for besides its tasks: the messages it listens for and its
pending timers, named as the diagram names them. A clue the city took over (提级核查) has no
task of its own until the city's result comes; its page says it waits for 收到市级核查结果,
not just that nothing is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.storage.schema import MessageSubscription, ProcessInstance, Timer


@dataclass(frozen=True)
class Waiting:
    name: str  # the event's name in the diagram
    kind: str  # "message" or "timer"
    due_at: datetime | None = None  # a timer's


def waited_for(session: Session, version: LoadedVersion, row: ProcessInstance) -> list[Waiting]:
    """The events the running case ``row`` waits at: messages caught by an event of their own
    (a boundary event's activity is a task the page lists already), then timers by due time."""
    if row.status != "running":
        return []
    messages = set(session.execute(select(MessageSubscription.message_name).where(
        MessageSubscription.instance_id == row.id)).scalars())
    found = sorted({_name(spec) for spec in version.task_specs()
                    if _catches_alone(spec, messages)})
    timers = session.execute(select(Timer.element_id, Timer.due_at).where(
        Timer.instance_id == row.id, Timer.status == "pending").order_by(Timer.due_at)).all()
    named = {spec.bpmn_id: _name(spec) for spec in version.task_specs() if spec.bpmn_id}
    return [*(Waiting(name, "message") for name in found),
            *(Waiting(named.get(element, element), "timer", due) for element, due in timers)]


def _catches_alone(spec: Any, messages: set[str]) -> bool:
    definition = getattr(spec, "event_definition", None)
    return isinstance(spec, CatchingEvent) and not isinstance(spec, BoundaryEvent) \
        and isinstance(definition, MessageEventDefinition) and definition.name in messages


def _name(spec: Any) -> str:
    return str(spec.bpmn_name or spec.bpmn_id or spec.name)
