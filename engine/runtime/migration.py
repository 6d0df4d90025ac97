"""Instance migration: move running cases to another version of their process.

A case stays on the version it started on until someone moves it. Moving is safe when every
part of the case that is still alive has a counterpart of the same kind in the target
version. SpiffWorkflow's diff utilities (``SpiffWorkflow.bpmn.util.diff``: ``SpecDiff``
aligns the old version's elements with the new one's, ``WorkflowDiff`` lists the case's tasks
that are removed or changed) decide that; a case cannot move when

* a READY, WAITING or STARTED task's element is not in the target version, or changed type
  (a user task that became a script task ...);
* a running subprocess (embedded or called) is not in the target version;
* an element the case already passed is not in the target version but still in the case's
  live task tree (kept because later tasks hang from it; the event log has the rest).

The switch itself (:func:`switch`) is SpiffWorkflow's ``migrate_workflow`` minus its reset:
every task takes its counterpart's spec, the planned-but-not-started future below each live
task is dropped and planned again from the new diagram. ``migrate_workflow`` resets every
READY and WAITING task instead, which restarts waiting timers from the migration time, drops
the follow-ups a cycle timer already spawned and resets a multi-instance item's data; here
live tasks keep their ids, data and timers. A waiting timer whose definition changed is
evaluated again at the migration time.

Each moved case gets a ``migrated`` event (payload: from/to version id and number, and the
target's content hash, which pins its files: engine/audit/chain.py), so the event log says which
version every later event ran on; replay (engine/audit/replay.py) switches to the target version's
spec at that event by running :func:`switch` again, and checks the state digest as for every
other event. The instance row's ``version_id`` changes; task rows keep their ids; open tasks
whose element changed get the new version's title, role, unit, form and due date (the due
date evaluated as of the task's creation, so ``same_day_close()`` still means the day the
task arrived), and lose their assignee if their role or unit changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.config import (
    MessageEventDefinition as BpmnMessageEventDefinition,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import registry
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.errors import EngineError, InvalidData, NotFound
from engine.messages import Msg, msg
from engine.org import directory
from engine.org.lists import UnitLists
from engine.runtime import deadlines, mirror, spiff_seam, state
from engine.runtime.transitions import advance
from engine.scripting import expressions
from engine.storage.schema import ProcessInstance, Task
from engine.time.calendar import deadline_functions
from engine.time.clock import FixedClock
from engine.views import UserView

if TYPE_CHECKING:
    from engine.runtime.commands import Runtime

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PLANNED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass(frozen=True)
class Outcome:
    """What happened (or, in a dry run, would happen) to one case."""

    instance_id: int
    business_key: str | None
    from_version: int
    to_version: int
    status: str  # migrated | can migrate | cannot migrate | skipped
    reasons: list[Msg] = field(default_factory=list)  # why not (cannot migrate, skipped)
    changes: list[str] = field(default_factory=list)  # what changes for its open tasks

    @property
    def movable(self) -> bool:
        return self.status in ("migrated", "can migrate")

    def as_json(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "business_key": self.business_key,
                "from_version": self.from_version, "to_version": self.to_version,
                "status": self.status, "reasons": [r.english for r in self.reasons],
                "changes": list(self.changes)}


@dataclass(frozen=True)
class Report:
    key: str
    to_version: int
    dry_run: bool
    outcomes: list[Outcome]

    @property
    def moved(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.movable]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "cannot migrate"]

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "to_version": self.to_version, "dry_run": self.dry_run,
                "outcomes": [o.as_json() for o in self.outcomes]}


# -- the switch (shared by the runtime and replay) -------------------------------------------


@lru_cache(maxsize=1)
def _registry() -> Any:
    """A serializer registry that can convert Kuaiban's task specs (Camunda user tasks, BPMN
    message events), which is what SpecDiff compares specs with."""
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnMessageEventDefinition] = DEFAULT_CONFIG[BpmnMessageEventDefinition]
    return BpmnWorkflowSerializer.configure(config)


@dataclass
class _Part:
    """The top workflow or one subprocess, with its diff against the target version."""

    workflow: Any
    spec: Any | None  # its spec in the target version; None: not there
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


def _parts(workflow: BpmnWorkflow, new: LoadedVersion) -> list[_Part]:
    parts = []
    pairs = [(workflow, new.spec)]
    pairs += [(sub, new.subprocess_specs.get(sub.spec.name))
              for sub in workflow.subprocesses.values()]
    for wf, spec in pairs:
        if spec is None:
            parts.append(_Part(wf, None, None, None))
            continue
        spec_diff = SpecDiff(_registry(), wf.spec, spec)
        parts.append(_Part(wf, spec, spec_diff, WorkflowDiff(wf, spec_diff)))
    return parts


def _label(task: Any) -> str:
    spec = task.task_spec
    name = f" ({spec.bpmn_name})" if getattr(spec, "bpmn_name", None) else ""
    return f'"{spec.bpmn_id or spec.name}"{name}'


def _kind(spec: Any) -> str:
    """A spec's class in words: UserTask -> "user task" (Camunda parses an embedded
    subProcess as a CallActivity too)."""
    name = type(spec).__name__
    if name == "CallActivity":
        return "subprocess or call activity"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _state(task: Any) -> Msg:
    """A live task's state in words (READY, WAITING, STARTED)."""
    return msg(f"migrate.state.{TaskState.get_name(task.state).lower()}")


def blockers(workflow: BpmnWorkflow, new: LoadedVersion) -> list[Msg]:
    """Why the case cannot move to ``new`` (empty: it can)."""
    out: list[Msg] = []
    version = new.version
    for part in _parts(workflow, new):
        if part.diff is None or part.spec_diff is None:
            out.append(msg("migrate.running_subprocess_missing", name=part.workflow.spec.name,
                           version=version))
            continue
        for task in part.diff.removed:
            if not task.task_spec.bpmn_id:
                continue  # SpiffWorkflow's own bookkeeping tasks (Start, joins ...)
            if task.has_state(_LIVE):
                out.append(msg("migrate.task_missing", state=_state(task),
                               task=_label(task), version=version))
            elif task.has_state(TaskState.FINISHED_MASK):
                out.append(msg("migrate.passed_task_missing", task=_label(task),
                               version=version))
        for task in part.diff.changed:
            changes = part.spec_diff.changed.get(task.task_spec, [])
            if task.has_state(_LIVE) and "typename" in changes:
                new_spec = part.diff.alignment.get(task)
                out.append(msg("migrate.task_changed_type", state=_state(task),
                               task=_label(task), before=_kind(task.task_spec),
                               after=_kind(new_spec)))
    unique: dict[str, Msg] = {}
    for reason in out:
        unique.setdefault(reason.english, reason)
    return list(unique.values())


def switch(workflow: BpmnWorkflow, new: LoadedVersion, ids: spiff_seam.IdSource,
           now: datetime, functions: Mapping[str, Callable[..., Any]]) -> None:
    """Put ``workflow`` on ``new``'s specs in place (call :func:`blockers` first). New
    planned tasks draw their ids from ``ids``; a changed waiting timer is evaluated at ``now``.
    Deterministic: replay runs it again at the ``migrated`` event and gets the same state."""
    workflow.script_engine = PythonScriptEngine(
        environment=expressions.SafeEnvironment(dict(functions))
    )
    try:
        with spiff_seam.running(FixedClock(now.astimezone(UTC)), ids):
            parts = _parts(workflow, new)
            restart = []
            for part in parts:
                if part.diff is None or part.spec_diff is None:
                    raise EngineError(msg("migrate.subprocess_missing",
                                          name=part.workflow.spec.name, version=new.version))
                part.workflow.spec = part.spec
                for task in part.workflow.tasks.values():
                    aligned = part.diff.alignment.get(task)
                    if aligned is not None:
                        changes = part.spec_diff.changed.get(task.task_spec, [])
                        if "event_definition" in changes and task.has_state(TaskState.WAITING):
                            restart.append(task)
                        task.task_spec = aligned
            workflow.subprocess_specs = new.subprocess_specs
            for part in parts:
                _replan(part.workflow)
            for task in restart:
                _restart_timer(task)
            for part in parts:
                _check_aligned(part.workflow, new)
    except SpiffWorkflowException as exc:
        raise EngineError(msg("migrate.spiff_refused", exc=exc)) from exc


def _replan(workflow: Any) -> None:
    """Drop the planned future below every live task and plan it again from the new specs."""
    live = [t for t in workflow.tasks.values() if t.has_state(_LIVE)]
    for task in live:
        for child in list(task.children):
            if child.has_state(_PLANNED) and not child.triggered and child.id in workflow.tasks:
                workflow._remove_task(child.id)
    for task in live:
        if task.id in workflow.tasks:
            task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def _restart_timer(task: Any) -> None:
    """A waiting timer whose definition changed: evaluate it again, now."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return
    task.internal_data.pop("event_value", None)
    task.internal_data.pop("event_fired", None)
    task.task_spec._update(task)


def _check_aligned(workflow: Any, new: LoadedVersion) -> None:
    """Every task left must name an element of the target version (the stored state names
    specs, and is read back with the target version's)."""
    for task in workflow.tasks.values():
        spec = task.task_spec
        if workflow.spec.task_specs.get(spec.name) is not spec:
            raise EngineError(msg("migrate.task_without_counterpart", task=_label(task),
                                  state=TaskState.get_name(task.state), version=new.version))


# -- moving cases in the database ------------------------------------------------------------


def target_version(session: Session, versions: VersionCache, key: str,
                   version: int | None) -> LoadedVersion:
    """Version ``version`` of ``key`` (default: the latest)."""
    return registry.numbered(session, versions, key, version)


def candidates(session: Session, key: str, target: LoadedVersion,
               instance_id: int | None, from_version: int | None = None) -> list[int]:
    """The cases to consider: one (it must be a case of ``key``), or every running case of
    ``key`` on another version (on version ``from_version`` only, when given)."""
    if instance_id is not None:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        if row.process_key != key:
            raise InvalidData({"instance": msg("field.instance_of_other_process",
                                                  instance_id=instance_id, key=row.process_key)},
                              msg("migrate.wrong_process", instance_id=instance_id, key=key))
        return [instance_id]
    query = (select(ProcessInstance.id)
             .where(ProcessInstance.process_key == key, ProcessInstance.status == "running",
                    ProcessInstance.version_id != target.id)
             .order_by(ProcessInstance.id))
    if from_version is not None:
        query = query.where(ProcessInstance.version_id
                            == registry.numbered_id(session, key, from_version))
    return list(session.execute(query).scalars())


def migrate(session: Session, runtime: Runtime, instance_id: int, target: LoadedVersion,
            user: UserView, dry_run: bool) -> Outcome:
    """Move one case (or, in a dry run, try it on a copy and say what would happen)."""
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(msg("instance.not_found", instance_id=instance_id))
    old = runtime.versions.get(session, row.version_id)

    def outcome(status: str, reasons: list[Msg] | None = None,
                changes: list[str] | None = None) -> Outcome:
        return Outcome(row.id, row.business_key, old.version, target.version, status,
                       reasons or [], changes or [])

    if row.status != "running":
        return outcome("skipped", [msg("migrate.case_not_running", status=row.status)])
    if row.version_id == target.id:
        return outcome("skipped", [msg("migrate.already_on", version=target.version)])
    workflow, ids = state.load(json.loads(row.state), old.spec, old.subprocess_specs,
                               str(row.id))
    reasons = blockers(workflow, target)
    if reasons:
        return outcome("cannot migrate", reasons)
    now = runtime.clock.now()
    calendar = runtime.calendar(session)
    # the directory's lists, as in any command; their answers go with the migrated event
    lists = UnitLists(directory.load(session))
    functions = {**deadline_functions(calendar, lambda: now), **lists.functions()}
    try:
        switch(workflow, target, ids, now, functions)
    except EngineError as exc:
        return outcome("cannot migrate", [exc.said])
    if dry_run:
        return _try_on_copy(session, runtime, row, old, target, workflow, ids, functions,
                            outcome)
    payload = {"from_version_id": old.id, "to_version_id": target.id,
               "from_version": old.version, "to_version": target.version,
               "to_content_hash": target.content_hash}  # pins its files (engine/audit/chain.py)
    row.version_id = target.id
    # the runtime's command shape: advance, save, mirror, append the event, deliver messages
    runtime._run(session, row, target, workflow, ids, now, "migrated", payload, user,
                 lists=lists)
    try:  # what was stored must load on the target version (rolled back otherwise)
        state.load(json.loads(row.state), target.spec, target.subprocess_specs, str(row.id))
    except Exception as exc:
        raise EngineError(msg("migrate.state_does_not_load", version=target.version,
                              exc=exc)) from exc
    changes = _refresh_tasks(session, runtime, row, workflow, old, target, write=True)
    return outcome("migrated", changes=changes)


def _try_on_copy(session: Session, runtime: Runtime, row: ProcessInstance, old: LoadedVersion,
                 target: LoadedVersion, workflow: BpmnWorkflow, ids: spiff_seam.IdSource,
                 functions: Mapping[str, Callable[..., Any]],
                 outcome: Callable[..., Outcome]) -> Outcome:
    """The dry run: run the migrated event's engine steps on the loaded copy, store nothing."""
    now = runtime.clock.now()
    try:
        step = advance(workflow, ids, now, functions, "migrated", {"pruning": state.PRUNING},
                       row.data or {})
        state.load(step.state, target.spec, target.subprocess_specs, str(row.id))
    except (EngineError, SpiffWorkflowException, KeyError) as exc:
        reason = exc.said if isinstance(exc, EngineError) else msg("text", text=str(exc))
        return outcome("cannot migrate", [msg("migrate.does_not_run", version=target.version,
                                              reason=reason)])
    return outcome("can migrate",
                   changes=_refresh_tasks(session, runtime, row, workflow, old, target, False))


_SHOWN = (("name", "title"), ("role", "role"), ("unit", "unit"), ("form_key", "form"),
          ("due_at", "due"))


def _refresh_tasks(session: Session, runtime: Runtime, row: ProcessInstance,
                   workflow: BpmnWorkflow, old: LoadedVersion, target: LoadedVersion,
                   write: bool) -> list[str]:
    """Open task rows as the target version defines them; returns what changes."""
    if write:  # the rows the migration's command step remembered are about to change
        mirror.forget_open_tasks(session, row.id)
    calendar = runtime.calendar(session)
    changes = []
    rows = session.execute(select(Task).where(Task.instance_id == row.id,
                                              Task.status == "ready")
                           .order_by(Task.created_at, Task.id)).scalars()
    units = directory.load(session)
    lists = UnitLists(units).functions()  # as the mirror evaluates them: not recorded
    for task_row in rows:
        try:
            task = workflow.get_task_from_id(UUID(task_row.id))
        except Exception:  # not in the tree (mirror cancels such rows): leave it
            task = None
        if task is None:
            continue
        created = task_row.created_at
        fresh = Task(**mirror.task_values(row, task_row.id, task, created,
                                               deadlines.as_of(calendar, created, lists), units))
        regrouped = (task_row.role, task_row.unit) != (fresh.role, fresh.unit)
        notes = []
        for attribute, label in _SHOWN:
            before, after = getattr(task_row, attribute), getattr(fresh, attribute)
            if before != after:
                notes.append(f"{label} {_show(before)} → {_show(after)}")
                if write:
                    setattr(task_row, attribute, after)
        if regrouped and task_row.assignee is not None:
            notes.append(f"unclaimed (was {task_row.assignee})")
            if write:
                task_row.assignee = None
        key = fresh.form_key
        if key and old.form(key) is not None and old.form(key) != target.form(key):
            notes.append(f'form "{key}" changed')
        if notes:
            changes.append(f"{task_row.element_id}: " + "; ".join(notes))
    return changes


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(spiff_seam.BEIJING).isoformat(timespec="minutes")
    return "-" if value is None else str(value)
