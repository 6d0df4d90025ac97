"""A bulk start's shortcut: one process version's start, run once, given to every row.

Most campaign processes start by a plain start event straight into their first user task:
nothing on the way reads the case's data (no script, gateway condition, timer, data input or
message), so every case's new workflow is the same tree of tasks, differing only in its task
ids (drawn from the case's id), its time and its data, which each task holding data holds
whole. For such a version, :func:`build` runs the start once with stand-in values and keeps
the resulting state as text with slots for those three; :func:`start` then writes each case
from it — the state the engine would have stored, its digest, the task rows, the started event
and everything else :meth:`engine.runtime.commands.Runtime.start` writes — without building
and running a workflow per case. Replay and verify run the workflow from the started event as
for any case, so a template that went wrong would be found by them; to catch that here first,
the first case of every chunk is also run the ordinary way and compared, and the template is
dropped if anything differs.

A version the template cannot serve (what its start passes is not on the list below, or it
throws, completes, issues a document or asks the unit directory), a row with data that is not
plain JSON, and a row of a form with file fields start the ordinary way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.defaults import (
    ManualTask,
    NoneTask,
    ParallelGateway,
    StartEvent,
    UserTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.camunda.specs.user_task import UserTask as CamundaUserTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state, manager_of_class

from engine.audit import chain
from engine.definitions.registry import LoadedVersion
from engine.errors import EngineError
from engine.files.fields import file_fields
from engine.notify import emit
from engine.org import directory, scope
from engine.org.lists import UnitLists
from engine.runtime import correlation, mirror, search_text, spiff_seam, state
from engine.runtime.case_numbers import check_chosen, key_field, next_case_number
from engine.runtime.commands import Runtime, check_may_start, checked_start_form, named_by_field
from engine.runtime.limits import check_case_size
from engine.runtime.locking import insert_instance
from engine.runtime.transitions import advance, new_workflow
from engine.scripting import expressions
from engine.scripting.budget import time_limit
from engine.storage import driver
from engine.storage.schema import INSTANCES, Event, ProcessInstance
from engine.time.calendar import deadline_functions
from engine.views import UserView

# Stand-ins for what differs between cases; none can occur in a state by chance.
_SEED = "kuaiban-start-template"
_KEY = "__kuaiban_template_key__"
_VALUE = "__kuaiban_template_value_5c1e09b7__"
_NOW = datetime(2003, 4, 5, 6, 7, 8, 123457, tzinfo=UTC)
_TIME = repr(_NOW.timestamp())
_DATA = json.dumps({_KEY: _VALUE}, separators=(",", ":"))
_KEYS = json.dumps([_KEY], separators=(",", ":"))
_TASKS = "__kuaiban_template_tasks__"
_NAMESPACE = spiff_seam._NAMESPACE.bytes
_SLOT_NAMES = tuple(f"i{n}" for n in range(1, 10_000))  # the slots of the task ids
# What a start may pass, become ready at or wait in: none of these reads the case's data.
_DATA_BLIND = (BpmnStartTask, StartEvent, UserTask, CamundaUserTask, ManualTask, NoneTask,
               ParallelGateway)
_RAN = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FINISHED_MASK


class _Text:
    """A text with named slots, filled by %-formatting (twice as fast as str.format_map)."""

    def __init__(self, pieces: list[str], slots: list[str]) -> None:
        self.form = "%s".join(p.replace("%", "%%") for p in pieces)
        self.slots = tuple(slots)

    def fill(self, values: Mapping[str, str]) -> str:
        return self.form % tuple([values[name] for name in self.slots])

    def __add__(self, other: _Text) -> _Text:
        joined = _Text([], [])
        joined.form, joined.slots = self.form + other.form, self.slots + other.slots
        return joined


@dataclass(frozen=True)
class _Ready:
    """A new user task, as the task mirror reads it (engine/runtime/mirror.py)."""

    id: UUID
    task_spec: Any
    data: dict[str, Any]
    state: int = TaskState.READY


@dataclass(frozen=True)
class _Tree:
    """The new tasks as the mirror reads a workflow: ``tasks`` and ``subprocesses``."""

    tasks: dict[UUID, _Ready]
    subprocesses: dict[UUID, Any]


@dataclass(frozen=True)
class Template:
    version_id: int
    # Texts with slots: i<n> the n-th task id drawn, "data" the case's data, "keys" its
    # keys, "time" its time (what SpiffWorkflow stamps), "tasks" the tasks in order
    compact: _Text  # the stored state (json.dumps, compact)
    canonical: _Text  # the digested state (state.canonical_json), its tasks in one slot
    tasks: tuple[tuple[int, _Text], ...]  # each task's canonical text, by its id's counter
    next_id: int
    ready: tuple[tuple[int, Any, bool], ...]  # (id counter, spec, holds the data) per new task
    data_visible: bool  # the case's data afterwards: the start's data (else empty)
    passed: list[str]
    steps: list[list[str]]


@dataclass
class Rendered:
    state_text: str
    digest: str
    data: dict[str, Any]
    data_text: str  # json.dumps(data, separators=(",", ":"))
    tree: _Tree


def build(runtime: Runtime, session: Session, version: LoadedVersion) -> Template | None:
    """The template of the version's plain start, or None when it cannot serve."""
    if file_fields(version.form(version.start_form_key)):
        return None
    ids = spiff_seam.IdSource(_SEED)
    workflow = new_workflow(version, {_KEY: _VALUE}, _NOW, ids)
    lists = UnitLists(directory.load(session))
    functions = {**deadline_functions(runtime.calendar(session), lambda: _NOW),
                 **lists.functions()}
    try:
        with time_limit(runtime.limits.seconds):
            step = advance(workflow, ids, _NOW, functions, "started",
                           {"pruning": state.PRUNING}, {})
    except EngineError:
        return None  # the ordinary start says what is wrong, row by row
    if step.thrown or lists.asked or workflow.is_completed() or workflow.subprocesses \
            or ids.counter >= len(_SLOT_NAMES) \
            or set(step.passed) & version.documents.keys() \
            or not _data_blind(workflow) or step.data not in ({}, {_KEY: _VALUE}):
        return None
    ready = []
    for task in mirror.ready_user_tasks(workflow):
        if task.data not in ({}, {_KEY: _VALUE}):
            return None
        ready.append((_counter(ids, task.id), task.task_spec, bool(task.data)))
    markers = {str(_id(_SEED, n)): f"i{n}" for n in range(1, ids.counter + 1)}
    markers.update({_DATA: "data", _KEYS: "keys", _TIME: "time"})
    tree = step.state["workflow"]["tasks"]
    tasks = {_counter(ids, UUID(task_id)): _split(state.canonical_json(task), markers)
             for task_id, task in tree.items()}
    outline = {**step.state, "workflow": {**step.state["workflow"], "tasks": _TASKS}}
    head, _, tail = state.canonical_json(outline).partition(json.dumps(_TASKS))
    parts = (_split(json.dumps(step.state, separators=(",", ":")), markers),
             _split(head, markers), _split(tail, markers), *tasks.values())
    if any(p is None for p in parts) or _TASKS in tail:
        return None
    compact, head_text, tail_text = cast(tuple[_Text, _Text, _Text], parts[:3])
    canonical = head_text + _Text(["", ""], ["tasks"]) + tail_text
    return Template(version.id, compact, canonical,
                    tuple(sorted(cast(dict[int, _Text], tasks).items())), ids.counter,
                    tuple(ready), bool(step.data), step.passed, step.steps)


def _data_blind(workflow: BpmnWorkflow) -> bool:
    """Every task the start ran, readied or left waiting is of a kind that reads no data."""
    for task in workflow.tasks.values():
        if not task.has_state(_RAN):
            continue  # predicted (FUTURE, LIKELY, MAYBE): nothing of it ran
        spec = task.task_spec
        if type(spec) not in _DATA_BLIND or spec.pre_assign or spec.post_assign \
                or spec.data_input_associations or spec.data_output_associations \
                or spec.io_specification is not None:
            return False
        if isinstance(spec, StartEvent) and type(spec.event_definition) is not NoneEventDefinition:
            return False
    return True


def _id(seed: str, n: int) -> UUID:
    return spiff_seam.IdSource(seed, n - 1).next()


def _id_texts(seed: str, count: int) -> list[str]:
    """``str(uuid.uuid5(namespace, f"{seed}:{n}"))`` for n = 1..count: the task ids of
    engine/runtime/spiff_seam.py, without building UUID objects (a tenth of a case's time
    went there)."""
    prefix = _NAMESPACE + f"{seed}:".encode()
    out = []
    for n in range(1, count + 1):
        raw = bytearray(hashlib.sha1(prefix + str(n).encode()).digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        x = raw.hex()
        out.append(f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}")
    return out


def _counter(ids: spiff_seam.IdSource, task_id: UUID) -> int:
    for n in range(1, ids.counter + 1):
        if _id(ids.seed, n) == task_id:
            return n
    raise LookupError(task_id)


def _split(text: str, markers: Mapping[str, str]) -> _Text | None:
    """``text`` with a slot at each marker, named as the marker maps it; None when a
    stand-in is left in it some other way."""
    pattern = "(" + "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True)) + ")"
    pieces = re.split(pattern, text)
    for piece in pieces[::2]:
        if _KEY in piece or _VALUE in piece or _TIME.split(".")[0] in piece \
                or _NOW.date().isoformat() in piece or _SEED in piece:
            return None
    return _Text(pieces[::2], [markers[m] for m in pieces[1::2]])


def plain(value: Any) -> bool:
    """JSON's own types only (what a row of a file or a request holds)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def render(template: Template, seed: str, data: Mapping[str, Any], now: datetime) -> Rendered:
    """The new case's state, digest, data and new tasks (``seed``: its id)."""
    drawn = _id_texts(seed, template.next_id)
    ids = dict(zip(_SLOT_NAMES, drawn, strict=False))
    time = repr(now.timestamp())
    keys = json.dumps(list(data), separators=(",", ":"))
    compact = {**ids, "data": json.dumps(data, separators=(",", ":")), "keys": keys,
               "time": time}
    canonical = {**ids, "data": state.canonical_json(data), "time": time,
                 "keys": keys if "\\u" not in keys  # the same but for non-ASCII escapes
                 else json.dumps(list(data), separators=(",", ":"), ensure_ascii=False)}
    # canonical JSON sorts the tasks by their ids, which differ from case to case
    tasks = sorted((drawn[n - 1], task.fill(canonical)) for n, task in template.tasks)
    canonical["tasks"] = "{" + ",".join(f'"{i}":{t}' for i, t in tasks) + "}"
    digest_text = template.canonical.fill(canonical)
    ready = {}
    for n, spec, holds in template.ready:
        task_id = UUID(drawn[n - 1])
        ready[task_id] = _Ready(task_id, spec, json.loads(compact["data"]) if holds else {})
    return Rendered(template.compact.fill(compact),
                    hashlib.sha256(digest_text.encode("utf-8")).hexdigest(),
                    json.loads(compact["data"]) if template.data_visible else {},
                    compact["data"] if template.data_visible else "{}", _Tree(ready, {}))


def start(runtime: Runtime, session: Session, key: str, version: LoadedVersion,
          data: Mapping[str, Any], user: UserView, start_key: str | None,
          template: Template | None, check: bool, new_id: int | None
          ) -> tuple[ProcessInstance, bool]:
    """A bulk start's case: :meth:`Runtime.start` of a person's start from outside (no
    message, no upload, the pinned version), from the template when it serves. ``check``:
    also run the workflow the ordinary way and compare; ``new_id``: the case's id, drawn by
    :func:`new_ids` (without one, the template is not used). Returns the case and whether the
    template still serves (False: it differed, and the case was started the ordinary way)."""
    check_may_start(version, user)
    schema = version.form(version.start_form_key)
    now = runtime.clock.now()
    correlation.check_owned(data)
    business_key = None
    field = key_field(schema)
    if field is not None:
        data, business_key = named_by_field(data, field, business_key)
    if schema is not None:
        data = checked_start_form(session, schema, data, user, now)
    if business_key is not None:
        driver.send_held(session)  # the chunk's cases so far are among those it looks at
        check_chosen(session, version, business_key, unique=True, field=field)
    assigned: dict[str, Any] = {}
    if business_key is None and version.case_prefix:
        business_key = next_case_number(session, version.case_prefix, now)
        assigned["case_no"] = business_key
    jurisdiction = scope.jurisdiction_for(session, user, None)
    if jurisdiction is not None:
        assigned[scope.JURISDICTION] = jurisdiction
    initial = {**data, **assigned}
    if business_key is not None:
        initial.setdefault("case_no", business_key)
    values: dict[str, Any] = {
        "version_id": version.id, "process_key": key, "business_key": business_key,
        "case_prefix": version.case_prefix if "case_no" in assigned else None,
        "status": "running", "state": "{}", "data": {}, "started_by": user.username,
        "revision": 0, "created_at": now, "updated_at": now, "event_count": 0,
        "last_hash": chain.GENESIS, "start_key": start_key,
    }
    if new_id is not None:
        values["id"] = new_id
    payload = {"process_key": key, "version_id": version.id, "version": version.version,
               "content_hash": version.content_hash, "business_key": business_key,
               "data": initial, "message": None, "message_data": None}
    if start_key is not None:
        payload["start_key"] = start_key
    usable = template is not None and template.version_id == version.id and plain(initial) \
        and "data_objects" not in initial and new_id is not None
    made = render(template, str(new_id), initial, now) if template and usable else None
    if template is None or made is None or (check and not _same(
            runtime, session, version, template, made, initial, now, str(new_id))):
        row = insert_instance(session, values)
        ids = spiff_seam.IdSource(str(row.id))
        runtime._run(session, row, version, new_workflow(version, initial, now, ids), ids, now,
                     "started", payload, user, open_rows=[])
        return row, template is not None and (made is None or not check)
    with time_limit(runtime.limits.seconds):
        lists = UnitLists(directory.load(session))
        functions = {**deadline_functions(runtime.calendar(session), lambda: now),
                     **lists.functions()}

        def evaluate(source: str, names: dict[str, Any]) -> Any:
            return expressions.evaluate(source, names, functions)

        check_case_size(made.state_text, made.data_text, runtime.limits)
        recorded = {**payload, "pruning": state.PRUNING, "passed": template.passed,
                    "steps": template.steps}
        # Not inserted and then updated, as a single start does: one INSERT of the row as the
        # command leaves it (its revision 1, its first event's hash), before the rows that
        # refer to it. The object stays out of the session: nothing else writes it.
        row = _detached({**values, "state": made.state_text, "data": made.data})
        first = chain.chain_hash(chain.GENESIS, cast(Event, _Foreseen(
            row.id, 1, "started", None, recorded, user.username, now, made.digest)))
        with driver.batched(session):
            _INSERT.run(session, {**values, "state": made.state_text, "data": made.data,
                                  "revision": 1, "event_count": 1, "last_hash": first})
            if chain.append(session, row, "started", now, made.digest, recorded,
                            user.username) != first:
                raise AssertionError("the started event's hash was foreseen wrong")
            row.revision = 1
            mirror.sync_tasks(session, row, cast(BpmnWorkflow, made.tree), now, evaluate,
                              None, [])
            search_text.write(session, runtime.versions, row, version, None, new=True)
        emit.after_step(session, row, version, template.passed, now)
    return row, True


@dataclass(frozen=True)
class _Foreseen:
    """The first event of a case, as its hash covers it (engine/audit/chain.py)."""

    instance_id: int
    seq: int
    type: str
    task_id: str | None
    payload: dict[str, Any]
    user: str
    at: datetime
    state_digest: str


_MANAGER = manager_of_class(ProcessInstance)


def _detached(values: dict[str, Any]) -> ProcessInstance:
    """An instance row object with these values, in no session (the constructor's attribute
    events cost more than the case's SQL)."""
    row: ProcessInstance = _MANAGER.new_instance()
    instance_state(row).dict.update(values)
    return row


def new_ids(session: Session, count: int) -> list[int] | None:
    """Ids for the next ``count`` cases, drawn now; None where the database draws them only
    as it inserts. PostgreSQL: from the id sequence (an id not used is a gap, as after a
    rollback). SQLite: the write transaction holds the database's lock, and a new row's id
    is the largest plus one, as SQLite itself would draw them."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        drawn = conn.execute(_NEXTVALS, {"n": count}).scalars()
        return sorted(int(i) for i in drawn)
    if conn.dialect.name == "sqlite":
        top = conn.execute(select(func.coalesce(func.max(INSTANCES.c.id), 0))).scalar_one()
        return list(range(top + 1, top + 1 + count))
    return None


_INSERT = driver.Write(insert(INSTANCES))
_NEXTVALS = text("SELECT nextval(pg_get_serial_sequence('instances', 'id')) "
                 "FROM generate_series(1, :n)")


def _same(runtime: Runtime, session: Session, version: LoadedVersion, template: Template,
          made: Rendered, initial: Mapping[str, Any], now: datetime, seed: str) -> bool:
    """Whether the ordinary start of the case gives what the template gave."""
    ids = spiff_seam.IdSource(seed)
    workflow = new_workflow(version, initial, now, ids)
    lists = UnitLists(directory.load(session))
    functions = {**deadline_functions(runtime.calendar(session), lambda: now),
                 **lists.functions()}
    with time_limit(runtime.limits.seconds):
        step = advance(workflow, ids, now, functions, "started", {"pruning": state.PRUNING},
                       {})
    ready = {t.id: t.data for t in mirror.ready_user_tasks(workflow)}
    return (json.dumps(step.state, separators=(",", ":")) == made.state_text
            and step.digest == made.digest and step.data == made.data
            and step.passed == template.passed and step.steps == template.steps
            and not step.thrown and not lists.asked
            and ready == {t.id: t.data for t in made.tree.tasks.values()})
