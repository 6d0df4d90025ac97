"""Replay: rebuild an instance from its deployed version and its events, checking the state
digest after every event, and the state of a case as it was after event N (time travel).

Replay runs the same transitions as the runtime (engine/runtime/transitions.py) with the
clock set to each event's recorded time and the calendar in force then
(engine/audit/calendars.py); any difference in the resulting state names the first event
where history and the diagram disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.audit.calendars import CalendarAt
from engine.definitions.parsed import LoadedVersion
from engine.errors import EngineError, NotFound
from engine.messages import Msg, msg
from engine.org import lists
from engine.runtime import migration, mirror, spiff_seam
from engine.runtime.transitions import WORKFLOW_EVENTS, advance, new_workflow
from engine.time.calendar import WorkCalendar, deadline_functions


@dataclass(frozen=True)
class RecordedEvent:
    """The part of an event replay needs (from the database or from a bundle)."""

    seq: int
    type: str
    payload: dict[str, Any]
    at: datetime
    state_digest: str


@dataclass
class ReplayResult:
    ok: bool
    events: int  # events replayed
    diverged_at: int | None = None
    message: str = ""
    # why it failed, for a reader's language: "unreplayable" (an event could not be applied;
    # ``detail`` says why), "state_differs" (an event's replayed state is not the recorded
    # one), "stored_differs" (the case's stored state is not the replayed end)
    reason: str = ""
    detail: Msg | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "diverged_at": self.diverged_at,
                "message": self.message}


@dataclass
class Snapshot:
    """A case as it stood after one event."""

    seq: int
    at: datetime
    status: str
    data: dict[str, Any]
    open_tasks: list[dict[str, str]] = field(default_factory=list)


# Another version of the process, by id: a migrated case starts on one version and moves.
VersionLoader = Callable[[int], LoadedVersion]
# One calendar for every event, or the calendar in force at each event's time
Calendars = WorkCalendar | CalendarAt


class _Rebuild:
    def __init__(self, instance_id: int, version: LoadedVersion, calendar: Calendars,
                 versions: VersionLoader | None = None) -> None:
        self.instance_id = instance_id
        self.version = version
        self.versions = versions
        self.calendar_at: CalendarAt = (
            (lambda _at: calendar) if isinstance(calendar, WorkCalendar) else calendar)
        self.workflow: BpmnWorkflow | None = None
        self.ids = spiff_seam.IdSource(str(instance_id))
        self.digest = ""
        self.data: dict[str, Any] = {}
        self.terminated = False

    def _version(self, version_id: Any) -> LoadedVersion:
        """The version an event names (instance migration: engine/runtime/migration.py)."""
        if version_id is None or version_id == self.version.id:
            return self.version
        if self.versions is None:
            raise EngineError(msg("replay.version_missing", version_id=version_id))
        return self.versions(int(version_id))

    def apply(self, event: RecordedEvent) -> None:
        if event.type == "started":
            # a migrated case started on another version than the one it is on now
            self.version = self._version(event.payload.get("version_id"))
            self.workflow = new_workflow(self.version, event.payload["data"], event.at, self.ids)
        if event.type not in WORKFLOW_EVENTS:
            return  # claims change the task table, not the workflow
        if self.workflow is None:
            raise EngineError(msg("replay.event_before_start", seq=event.seq))
        functions = {**deadline_functions(self.calendar_at(event.at), _constant(event.at)),
                     **lists.replayed(event.payload)}  # the unit lists as they were answered
        if event.type == "migrated":  # switch to the target version's specs, as it happened
            target = self._version(event.payload["to_version_id"])
            migration.switch(self.workflow, target, self.ids, event.at, functions)
            self.version = target
        step = advance(self.workflow, self.ids, event.at, functions, event.type, event.payload,
                       self.data)
        self.digest, self.data = step.digest, step.data
        self.terminated = event.type == "terminated"

    def snapshot(self, event: RecordedEvent) -> Snapshot:
        workflow = self.workflow
        if workflow is None:
            return Snapshot(event.seq, event.at, "not started", {})
        tasks = [{"id": str(t.id), "name": t.task_spec.bpmn_id or t.task_spec.name,
                  "title": t.task_spec.bpmn_name or t.task_spec.name}
                 for t in mirror.ready_user_tasks(workflow)]
        status = ("cancelled" if self.terminated
                  else "completed" if workflow.is_completed() else "running")
        return Snapshot(event.seq, event.at, status, dict(self.data), tasks)


def _constant(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def replay(instance_id: int, version: LoadedVersion, events: Sequence[RecordedEvent],
           calendar: Calendars,
           progress: Callable[[int], None] | None = None,
           versions: VersionLoader | None = None) -> ReplayResult:
    """``versions`` loads the other versions a migrated case ran on."""
    rebuild = _Rebuild(instance_id, version, calendar, versions)
    for count, event in enumerate(events, start=1):
        try:
            rebuild.apply(event)
        except EngineError as exc:
            return ReplayResult(False, count, event.seq, f"event {event.seq} ({event.type}) "
                                f"could not be replayed: {exc.message}", "unreplayable",
                                exc.said)
        if event.type in WORKFLOW_EVENTS and rebuild.digest != event.state_digest:
            return ReplayResult(False, count, event.seq,
                                f"event {event.seq} ({event.type}): the replayed state differs "
                                "from the recorded one", "state_differs")
        if progress is not None:
            progress(count)
    return ReplayResult(True, len(events))


def state_at(instance_id: int, version: LoadedVersion, events: Sequence[RecordedEvent],
             calendar: Calendars, seq: int,
             versions: VersionLoader | None = None) -> Snapshot:
    """The case after event ``seq`` (replayed, so it is what the history says, not a guess)."""
    rebuild = _Rebuild(instance_id, version, calendar, versions)
    chosen = [e for e in events if e.seq <= seq]
    if not chosen or chosen[-1].seq != seq:
        raise NotFound(msg("replay.no_event", seq=seq))
    for event in chosen:
        rebuild.apply(event)
    return rebuild.snapshot(chosen[-1])
