"""Diagrams for the viewer: a version's BPMN XML, and an instance's path so far.

An instance's *path* is what the diagram viewer highlights: the elements completed and the
sequence flows taken, exactly as each command recorded them in its event (``passed`` and
``steps``), and the elements active now (ready user tasks, waiting timers and message
catches) from the live task tree.

Free functions over the public :class:`~engine.api.Engine`; read-only.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions import registry, xmlsafe
from engine.definitions.files import BPMN, kind_of
from engine.definitions.parsed import LoadedVersion, discipline
from engine.errors import NotFound
from engine.messages import msg
from engine.runtime import mirror, state
from engine.scripting.language import assigned_names
from engine.storage.schema import ProcessInstance, ProcessVersion

if TYPE_CHECKING:
    from engine.api import Engine

_FLOW = BPMN + "sequenceFlow"
_NOT_NODES = {_FLOW, BPMN + "lane", BPMN + "laneSet", BPMN + "process", BPMN + "message",
              BPMN + "dataObject", BPMN + "dataObjectReference", BPMN + "textAnnotation",
              BPMN + "association"}


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # the BPMN tag without namespace: userTask, exclusiveGateway, sequenceFlow ...
    name: str


@dataclass(frozen=True)
class Diagram:
    key: str
    version: int
    name: str
    file: str
    xml: str
    elements: dict[str, Element]
    flows: dict[str, tuple[str, str]]  # sequence flow id -> (source, target)
    # a lane's role works the tasks of the case's jurisdiction (受理, 审批, 案管): a discipline
    # procedure, whose jurisdiction is a 纪委监委 (engine/org/scope.py); elsewhere it is the
    # starter's own unit
    by_jurisdiction: bool = False
    # the element variables of its multi-instance tasks (each task's own item, ``enterprise``):
    # the case's data holds whichever item was done last, which is no fact of the case
    item_variables: frozenset[str] = frozenset()
    # the variables its script tasks set, each with the ids of the tasks that set it: data no
    # form names, which readers of the case (auditors, designers) meet by its name alone
    script_variables: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def title_of(self, element_id: str | None) -> str:
        if element_id is None:
            return ""
        element = self.elements.get(element_id)
        return (element.name or element.id) if element else element_id


@dataclass(frozen=True)
class InstancePath:
    diagram: Diagram
    completed: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)


def version_diagram(engine: Engine, key: str, version: int | None = None) -> Diagram:
    """The diagram of ``key`` at ``version`` (the latest when None)."""
    with engine.transaction(read_only=True) as session:
        loaded = load_version(engine, session, key, version)
        return diagram_of(loaded, _name(session, loaded.id))


def instance_path(engine: Engine, instance_id: int, username: str | None = None,
                  upto: int | None = None) -> InstancePath:
    """The diagram an instance runs on with its path so far, or as it stood after event
    ``upto`` (PermissionDenied when the user has no part in the case)."""
    if username is not None:
        engine.check_read(instance_id, username)  # existence and read permission
    if upto is not None:
        snapshot = engine.state_at(instance_id, upto, username)
        with engine.transaction(read_only=True) as session:
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(msg("instance.not_found", instance_id=instance_id))
            loaded = engine.versions.get(session, row.version_id)
            diagram = diagram_of(loaded, _name(session, loaded.id))
            passed, steps = _recorded_moves(session, row.id, upto)
        active = {t["name"] for t in snapshot.open_tasks}
        return _path(diagram, passed - active, active, steps)
    with engine.transaction(read_only=True) as session:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        loaded = engine.versions.get(session, row.version_id)
        diagram = diagram_of(loaded, _name(session, loaded.id))
        passed, active, steps = _traces(session, row, loaded)
    return _path(diagram, passed, active, steps)


def _name(session: Session, version_id: int) -> str | None:
    row = session.get(ProcessVersion, version_id)
    return row.name if row is not None else None


# Drawn diagrams by (content hash, key, version, name): a deployed version's files never change,
# and parsing its XML again was a tenth of a case or task page's server time.
_DIAGRAMS_KEPT = 64
_drawn: OrderedDict[tuple[str, str, int, str | None], Diagram] = OrderedDict()
_drawn_lock = threading.Lock()


def diagram_of(loaded: LoadedVersion, name: str | None = None) -> Diagram:
    if not loaded.content_hash:  # parsed from a bundle: nothing names its content
        return _draw(loaded, name)
    key = (loaded.content_hash, loaded.key, loaded.version, name)
    with _drawn_lock:
        found = _drawn.get(key)
        if found is not None:
            _drawn.move_to_end(key)
            return found
    diagram = _draw(loaded, name)
    with _drawn_lock:
        _drawn[key] = diagram
        while len(_drawn) > _DIAGRAMS_KEPT:
            _drawn.popitem(last=False)
    return diagram


def _draw(loaded: LoadedVersion, name: str | None) -> Diagram:
    for file, text in sorted(loaded.files.items()):
        if kind_of(file) != "bpmn":
            continue
        root = xmlsafe.parse(text.encode("utf-8"), file).getroot()
        for process in root.iter(BPMN + "process"):
            if process.get("id") == loaded.key:
                elements, flows = _elements(process)
                title = name or process.get("name") or loaded.key
                return Diagram(loaded.key, loaded.version, title, file, text, elements, flows,
                               discipline(process),
                               mirror.item_variables(loaded.spec, loaded.subprocess_specs),
                               _script_variables(process))
    raise NotFound(msg("diagram.none", version=loaded.version, key=loaded.key))


def load_version(engine: Engine, session: Session, key: str, version: int | None) -> LoadedVersion:
    return registry.numbered(session, engine.versions, key, version)


def _elements(process: etree._Element) -> tuple[dict[str, Element], dict[str, tuple[str, str]]]:
    elements: dict[str, Element] = {}
    flows: dict[str, tuple[str, str]] = {}
    for node in process.iter():
        if not isinstance(node.tag, str) or not node.tag.startswith(BPMN):
            continue
        element_id = node.get("id")
        if not element_id or node is process:
            continue
        kind = node.tag[len(BPMN):]
        elements[element_id] = Element(element_id, kind, (node.get("name") or "").strip())
        if node.tag == _FLOW:
            flows[element_id] = (node.get("sourceRef") or "", node.get("targetRef") or "")
    return elements, flows


def _script_variables(process: etree._Element) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for task in process.iter(BPMN + "scriptTask"):
        script = task.find(BPMN + "script")
        for name in sorted(assigned_names(script.text or "") if script is not None else ()):
            found.setdefault(name, []).append(task.get("id") or "")
    return {name: tuple(ids) for name, ids in found.items()}


def _recorded_moves(session: Session, instance_id: int, upto: int | None
                    ) -> tuple[set[str], set[tuple[str, str]]]:
    passed: set[str] = set()
    steps: set[tuple[str, str]] = set()
    for event in chain.events_of(session, instance_id):
        if upto is not None and event.seq > upto:
            break
        passed.update(event.payload.get("passed") or ())
        steps.update((a, b) for a, b in event.payload.get("steps") or ())
    return passed, steps


def _traces(session: Session, row: ProcessInstance, loaded: LoadedVersion
            ) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """(elements passed, elements active now, element pairs moved along), as the event log
    recorded them command by command."""
    passed, steps = _recorded_moves(session, row.id, None)
    active: set[str] = set()
    if row.status == "running" and row.state and row.state != "{}":
        workflow, _ = state.load(json.loads(row.state), loaded.spec, loaded.subprocess_specs,
                                 str(row.id))
        for task in mirror.all_tasks(workflow):
            element = getattr(task.task_spec, "bpmn_id", None)
            if element and task.state in (TaskState.READY, TaskState.WAITING,
                                          TaskState.STARTED):
                active.add(element)
    return passed - active, active, steps


def _path(diagram: Diagram, passed: set[str], active: set[str],
          steps: set[tuple[str, str]]) -> InstancePath:
    nodes = {i for i, e in diagram.elements.items() if BPMN + e.kind not in _NOT_NODES}
    flows = sorted(f for f, pair in diagram.flows.items() if pair in steps)
    return InstancePath(diagram, sorted(passed & nodes), sorted(active & nodes), flows)
