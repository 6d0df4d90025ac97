"""A bulk start's shortcut: a process version's start, run once, given to every row like it.

A start's way to its first wait depends on the case's data only through what its scripts,
gateway conditions and decision tables look up in it (all through the script environment,
which notes the names looked up: engine/scripting/expressions.py), and on the time only if
one of them asks for it. For a row, :func:`build` runs the start twice: with the row's data,
to learn what it reads; then with each value it did not read replaced by a stand-in, with a
seed of its own and, unless it read the time, a stand-in time. The second run's stored state
and canonical JSON are kept as texts with slots for the stand-ins, the task ids (drawn from
the case's id) and the time. That template serves every later row with the same fields and
the same values of the fields read (and, when the start reads the time, the same time: a
bulk start gives the cases of one chunk one time). :func:`render` fills it in with a case's
values: the exact state text the ordinary start would store, its digest, the case's data and
its new tasks, without building and running a workflow. The started event, its hash chain,
the task rows, notices and search text are written by the same functions as for any case,
and replay and verify run the workflow from the event as for any case, so a template gone
wrong would be found by them; to catch that here first, the first case of each template in
every chunk is also run the ordinary way and compared, and all templates are dropped if
anything differs.

A start that asks the unit directory gets its answers recorded in the started event, as any
start; its template serves while the directory is the one it asked. A version the template
cannot serve (its start passes a task of a kind not on the list below, throws, completes,
issues a document, lists the data or overwrites a value it did not read), a row with data that
is not plain JSON, and a row of a form with file fields start the ordinary way.
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
    ExclusiveGateway,
    InclusiveGateway,
    ManualTask,
    NoneTask,
    ParallelGateway,
    ScriptTask,
    StartEvent,
    UserTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.camunda.specs.user_task import UserTask as CamundaUserTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.errors import EngineError
from engine.files.fields import file_fields
from engine.org import directory
from engine.org.directory import Directory
from engine.org.lists import UnitLists
from engine.runtime import mirror, spiff_seam, state
from engine.runtime.commands import Runtime
from engine.runtime.transitions import Step, advance, new_workflow
from engine.scripting import expressions
from engine.scripting.budget import time_limit
from engine.time.calendar import deadline_functions

# Stand-ins for what differs between cases; none can occur in a state by chance.
_SEED = "kuaiban-start-template"
_MARK = "__kuaiban_template_v"
_STAND_IN = _MARK + "%d_5c1e09b7__"  # the value of the n-th field, when not read
_NOW = datetime(2003, 4, 5, 6, 7, 8, 123457, tzinfo=UTC)
_TIME = repr(_NOW.timestamp())
_TASKS = "__kuaiban_template_tasks__"
_NAMESPACE = spiff_seam._NAMESPACE.bytes
_SLOT_NAMES = tuple(f"i{n}" for n in range(1, 10_000))  # the slots of the task ids
# What a start may pass, become ready at or wait in: kinds that read the case's data, if at
# all, through the script environment.
_KINDS = (BpmnStartTask, StartEvent, UserTask, CamundaUserTask, ManualTask, NoneTask,
          ParallelGateway, ExclusiveGateway, InclusiveGateway, ScriptTask, BusinessRuleTask)
_RAN = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FINISHED_MASK
MAX_TEMPLATES = 16  # per bulk start; rows whose read values hardly repeat are not worth more
MAX_DECLINED = 4  # builds that found no template, before a bulk start stops trying


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
    parent: None = None  # never an item of a multi-instance task (no template serves those)


@dataclass(frozen=True)
class _Tree:
    """The new tasks as the mirror reads a workflow: ``tasks`` and ``subprocesses``."""

    tasks: dict[UUID, _Ready]
    subprocesses: dict[UUID, Any]


@dataclass(frozen=True)
class Template:
    version_id: int
    fields: tuple[str, ...]  # the case's data keys, in order
    reads: tuple[str, ...]  # those the start reads
    read_values: str  # their values (canonical JSON)
    at: datetime | None  # the only time it serves, when the start reads the time
    asked: dict[str, list[str]]  # the unit directory's answers
    units: Directory  # the directory they came from (it serves while that one holds)
    opaque: tuple[int, ...]  # the positions of the fields it does not read
    # Texts with slots: i<n> the n-th task id drawn, v<n> the value of the n-th field, "time"
    # the case's time (what SpiffWorkflow stamps), "tasks" the tasks in order
    compact: _Text  # the stored state (json.dumps, compact)
    canonical: _Text  # the digested state (state.canonical_json), its tasks in one slot
    tasks: tuple[tuple[int, _Text], ...]  # each task's canonical text, by its id's counter
    next_id: int
    ready: tuple[tuple[int, Any, dict[str, Any]], ...]  # (id counter, spec, data) per new task
    data: dict[str, Any]  # the case's data afterwards
    passed: list[str]
    steps: list[list[str]]

    def serves(self, initial: Mapping[str, Any], now: datetime, units: Directory) -> bool:
        return (self.at is None or self.at == now) and (not self.asked or self.units is units) \
            and self.fields == tuple(initial) \
            and self.read_values == _values(initial, self.reads)


@dataclass
class Rendered:
    state_text: str
    digest: str
    data: dict[str, Any]
    data_text: str  # json.dumps(data, separators=(",", ":"))
    tree: _Tree


@dataclass
class _Run:
    workflow: BpmnWorkflow
    step: Step
    ids: spiff_seam.IdSource
    reads: set[str]
    timed: bool  # it asked for the time
    asked: dict[str, list[str]]  # what it asked the unit directory, and the answers
    units: Directory


def build(runtime: Runtime, session: Session, version: LoadedVersion,
          initial: Mapping[str, Any], now: datetime) -> Template | None:
    """The template that serves a case of the version started with ``initial`` at ``now``,
    or None when none can."""
    first = _run(runtime, session, version, initial, now)
    if first is None:
        return None
    fields = tuple(initial)
    opaque = tuple(n for n, name in enumerate(fields) if name not in first.reads)
    stand_ins = {fields[n]: _STAND_IN % n for n in opaque}
    second = _run(runtime, session, version, {**initial, **stand_ins},
                  now if first.timed else _NOW)
    if second is None or (second.reads, second.timed, second.asked) \
            != (first.reads, first.timed, first.asked):
        return None
    step, ids = second.step, second.ids
    new_tasks = mirror.ready_user_tasks(second.workflow)
    if any(isinstance(getattr(t.parent, "task_spec", None), LoopTask) for t in new_tasks):
        return None  # an item of a multi-instance task: its title and data are its item's
    ready = [(_counter(ids, t.id), t.task_spec, t.data) for t in new_tasks]
    if not all(_kept(data, stand_ins) for data in (step.data, *(r[2] for r in ready))):
        return None
    markers = {str(_id(_SEED, n)): f"i{n}" for n in range(1, ids.counter + 1)}
    markers.update({json.dumps(_STAND_IN % n): f"v{n}" for n in opaque})
    if not first.timed:
        markers[_TIME] = "time"
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
    reads = tuple(sorted(first.reads & set(fields)))
    return Template(version.id, fields, reads, _values(initial, reads),
                    now if first.timed else None, first.asked, first.units, opaque, compact,
                    canonical,
                    tuple(sorted(cast(dict[int, _Text], tasks).items())), ids.counter,
                    tuple(ready), step.data, step.passed, step.steps)


def _run(runtime: Runtime, session: Session, version: LoadedVersion,
         data: Mapping[str, Any], now: datetime) -> _Run | None:
    """The start of a case with ``data`` at ``now``, noting what it reads; None when no
    template can stand for it."""
    ids = spiff_seam.IdSource(_SEED)
    workflow = new_workflow(version, data, now, ids)
    units = directory.load(session)
    lists = UnitLists(units)
    timed = []

    def clock() -> datetime:
        timed.append(True)
        return now

    functions = {**deadline_functions(runtime.calendar(session), clock), **lists.functions()}
    try:
        with time_limit(runtime.limits.seconds), expressions.noting_reads() as reads:
            step = advance(workflow, ids, now, functions, "started",
                           {"pruning": state.PRUNING}, {})
    except EngineError:
        return None  # the ordinary start says what is wrong, row by row
    if step.thrown or workflow.is_completed() or workflow.subprocesses \
            or ids.counter >= len(_SLOT_NAMES) or expressions.EVERY_NAME in reads \
            or set(step.passed) & version.documents.keys() or not _kinds_served(workflow):
        return None
    return _Run(workflow, step, ids, reads, bool(timed), lists.asked, units)


def _kinds_served(workflow: BpmnWorkflow) -> bool:
    """Every task the start ran, readied or left waiting is of a kind on the list, reading no
    data by other means (assignments, data associations)."""
    for task in workflow.tasks.values():
        if not task.has_state(_RAN):
            continue  # predicted (FUTURE, LIKELY, MAYBE): nothing of it ran
        spec = task.task_spec
        if type(spec) not in _KINDS or spec.pre_assign or spec.post_assign \
                or spec.data_input_associations or spec.data_output_associations \
                or spec.io_specification is not None:
            return False
        if isinstance(spec, StartEvent) and type(spec.event_definition) is not NoneEventDefinition:
            return False
    return True


def _kept(data: Mapping[str, Any], stand_ins: Mapping[str, str]) -> bool:
    """Each field not read is in ``data`` as its stand-in or not at all, and no stand-in is
    anywhere else: what the start made does not depend on those values (a value overwritten
    or merged into might)."""
    for name, stand_in in stand_ins.items():
        if name in data and data[name] != stand_in:
            return False
    rest = {k: v for k, v in data.items() if stand_ins.get(k) != v}
    return _MARK not in json.dumps(rest)


def _values(initial: Mapping[str, Any], reads: tuple[str, ...]) -> str:
    return state.canonical_json([initial[name] for name in reads])


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
        if _MARK in piece or _TIME.split(".")[0] in piece \
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


def render(template: Template, seed: str, initial: Mapping[str, Any], now: datetime
           ) -> Rendered:
    """The new case's state, digest, data and new tasks (``seed``: its id)."""
    drawn = _id_texts(seed, template.next_id)
    compact = dict(zip(_SLOT_NAMES, drawn, strict=False))
    canonical = dict(compact)
    compact["time"] = canonical["time"] = repr(now.timestamp())
    values = list(initial.values())
    by_stand_in = {}
    for n in template.opaque:
        compact[f"v{n}"] = json.dumps(values[n], separators=(",", ":"))
        canonical[f"v{n}"] = state.canonical_json(values[n])
        by_stand_in[_STAND_IN % n] = values[n]
    # canonical JSON sorts the tasks by their ids, which differ from case to case
    tasks = sorted((drawn[n - 1], task.fill(canonical)) for n, task in template.tasks)
    canonical["tasks"] = "{" + ",".join(f'"{i}":{t}' for i, t in tasks) + "}"
    digest_text = template.canonical.fill(canonical)
    data_text = _filled(template.data, by_stand_in)
    ready = {}
    for n, spec, data in template.ready:
        task_id = UUID(drawn[n - 1])
        ready[task_id] = _Ready(task_id, spec, json.loads(_filled(data, by_stand_in)))
    return Rendered(template.compact.fill(compact),
                    hashlib.sha256(digest_text.encode("utf-8")).hexdigest(),
                    json.loads(data_text), data_text, _Tree(ready, {}))


def _filled(data: Mapping[str, Any], by_stand_in: Mapping[str, Any]) -> str:
    """``data`` with the case's values for the stand-ins, as compact JSON (each case gets
    its own copy of what the template holds)."""
    return json.dumps({k: by_stand_in.get(v, v) if isinstance(v, str) else v
                       for k, v in data.items()}, separators=(",", ":"))


class Templates:
    """One bulk start's templates of its version, built as rows need them; which have been
    checked in the current chunk; off for good once one differed from the ordinary start."""

    def __init__(self, version: LoadedVersion) -> None:
        self.version = version
        self.made: list[Template] = []
        self.declined = 0
        self.checked: set[int] = set()  # ids of the templates checked in this chunk
        self.off = bool(file_fields(version.form(version.start_form_key)))

    def new_chunk(self) -> None:
        self.checked.clear()
        self.made = [t for t in self.made if t.at is None]  # one chunk, one time

    def find(self, runtime: Runtime, session: Session, version: LoadedVersion,
             initial: Mapping[str, Any], now: datetime) -> Template | None:
        if self.off or version.id != self.version.id:
            return None
        for template in self.made:
            if template.serves(initial, now, directory.load(session)):
                return template
        if len(self.made) >= MAX_TEMPLATES or self.declined >= MAX_DECLINED:
            return None
        built = build(runtime, session, version, initial, now)
        if built is None:
            self.declined += 1
        else:
            self.made.append(built)
        return built

    def unchecked(self, template: Template) -> bool:
        """Whether this is the template's first case in the chunk (which is then checked)."""
        first = id(template) not in self.checked
        self.checked.add(id(template))
        return first

    def drop(self) -> None:
        self.off = True
        self.made = []


def same_as_ordinary(runtime: Runtime, session: Session, version: LoadedVersion, template: Template,
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
            and not step.thrown and lists.asked == template.asked
            and ready == {t.id: t.data for t in made.tree.tasks.values()})
