"""Helpers shared by the scenario tests ``tests/test_process_*.py``.

Each of those files walks one process of ``processes/`` with a moving FixedClock. What they all
do the same way (load only their own definitions, look at inboxes, complete tasks, read timers,
move the clock, check the diagram's drawing and the docs) lives here, so a change to the
engine's API or to the docs layout is made once. Helpers that know one process (its start
data, its people, its paths) stay in that process's test file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from engine.api import Engine
from engine.definitions import decision_rows as decision_rows_of
from engine.definitions.validation import SourceFile
from engine.org.directory import Directory
from engine.org.directory import parse as parse_units
from engine.queries.inbox import InboxFilter
from engine.runtime.worker import FireReport
from engine.time.clock import FixedClock
from engine.views import InstanceView, TaskView

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
DOC = ROOT / "docs" / "processes.md"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
DMN_NS = {"d": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def at(text: str) -> datetime:
    """An ISO 8601 time: scenarios read their dates as the seed and the calendar state them."""
    return datetime.fromisoformat(text)


# -- definitions -------------------------------------------------------------------------------


def definitions(processes: list[str], forms: list[str]) -> list[SourceFile]:
    """The files under processes/ and forms/ matching these globs, in the order given, named
    from the project root as ``kuaiban deploy`` names them. A test deploys only its own
    definitions, so processes being edited in parallel cannot break it."""
    paths: list[Path] = []
    for folder, patterns in ((PROCESSES, processes), (FORMS, forms)):
        for pattern in patterns:
            found = sorted(folder.glob(pattern))
            assert found, f"no {folder.name}/{pattern}"  # a renamed file must not go unnoticed
            paths += found
    return [SourceFile(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in paths]


def clue_files() -> list[SourceFile]:
    """Procedures 1 and 2 (clue_triage, city_escalation): hotline complaints and ledger
    reports hand cases to them, so several scenarios deploy them."""
    return definitions(["clue_triage.bpmn", "city_escalation.bpmn"],
                       ["clue_*.json", "escalation_*.json"])


def commitment_files() -> list[SourceFile]:
    """commitment_check with its catalogue: credit_repair repairs the blacklist it fills."""
    return definitions(["commitment_check.bpmn", "commitment_check_catalogue.dmn"],
                       ["commitment_check_*.json"])


def legacy_files() -> list[SourceFile]:
    """legacy_campaign and legacy_case: the campaign starts the cases, so both go together."""
    return definitions(["legacy_*"], ["legacy_*.json"])


def check_interchange(path: Path, *keys: str) -> None:
    """Every pool, lane, flow node and flow of the diagram is drawn, each edge with a path:
    a diagram without them cannot be opened in the modeller. ``keys`` are its processes."""
    tree = etree.parse(str(path))
    shapes, edges = drawn(tree)
    participants = {p.get("processRef"): p.get("id")
                    for p in tree.iterfind("bpmn:collaboration/bpmn:participant", NS)}
    assert sorted(participants) == sorted(keys)
    flows = {m.get("id") for m in tree.iterfind("bpmn:collaboration/bpmn:messageFlow", NS)}
    for process in tree.iterfind("bpmn:process", NS):
        nodes = {e.get("id") for e in process if e.get("id") and etree.QName(e).localname not in (
            "sequenceFlow", "laneSet", "documentation", "extensionElements")}
        lanes = {e.get("id") for e in process.iterfind(".//bpmn:lane", NS)}
        assert nodes | lanes | {participants[process.get("id")]} <= shapes
        flows |= {e.get("id") for e in process.findall("bpmn:sequenceFlow", NS)}
    assert flows == set(edges)
    for edge in edges.values():
        assert len(edge.findall("di:waypoint", NS)) >= 2


def drawn(tree: Any) -> tuple[set[str], dict[str, Any]]:
    """The ids of the elements a BPMN tree draws as shapes, and its edges by element id."""
    shapes = {s.get("bpmnElement") for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    return shapes, edges


def load_units(engine: Engine) -> Engine:
    """The shipped unit directory loaded into ``engine``: the catalogues (policies, 告知承诺
    事项, credit repair routing) name their departments by directory id."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    return engine


def units_by_name(files: list[SourceFile]) -> list[SourceFile]:
    """``files`` with each ``directory_unit("id")`` of a table replaced by the unit's name, for
    tests that run the catalogues without a unit directory."""
    found = Directory(parse_units((PROCESSES / "units.csv").read_text(encoding="utf-8")))

    def name(match: re.Match[str]) -> str:
        unit = found.find(match.group(1))
        assert unit is not None, match.group(1)
        return f'"{unit.name}"'
    return [SourceFile(f.name, re.sub(r'directory_unit\("([^"]+)"\)', name, f.content))
            for f in files]


def decision_rows(path: Path) -> dict[str, dict[str, Any]]:
    """A one-input DMN table as input value -> outputs by name, units by their names in
    processes/units.csv (``"-"``: the catch-all rule), to compare with the copy
    docs/processes.md shows."""
    found = Directory(parse_units((PROCESSES / "units.csv").read_text(encoding="utf-8")))
    table = decision_rows_of.read(path.read_text(encoding="utf-8"), found)
    rows = {}
    for row in table.rows:
        values = {c.name: int(cell) if c.type_ref == "integer" and cell != "" else cell
                  for c, cell in zip(table.columns, row, strict=True) if not c.is_input}
        rows[row[0]] = values
    return rows


def doc_section(key: str) -> str:
    """The section of docs/processes.md about process ``key``, from its anchor's heading to
    the next heading: the tests hold what it promises to what the definitions do."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## ", text.index(f'<a id="{key}"></a>'))
    end = text.find("\n## ", start + 3)
    return text[start:end if end != -1 else len(text)]


def doc_table(key: str) -> list[list[str]]:
    """The cells of every table row (header and rule rows too) in that section."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in doc_section(key).splitlines() if line.startswith("|")]


# -- inboxes and tasks -------------------------------------------------------------------------
# Files whose tests look at one process bind ``process`` once with functools.partial; a call
# may still name another process.


def inbox(engine: Engine, user: str | None, *, process: str | None = None,
          overdue: bool | None = None, instance_id: int | None = None) -> list[TaskView]:
    """The open tasks ``user`` sees (None: every open task), narrowed like the inbox page."""
    flt = InboxFilter(process=process, overdue=overdue, instance_id=instance_id)
    return engine.inbox.for_user(user, flt)


def tasks(engine: Engine, user: str | None, name: str | None = None, *,
          process: str | None = None, instance_id: int | None = None) -> list[TaskView]:
    """``user``'s open tasks called ``name`` (any name when None)."""
    found = inbox(engine, user, process=process, instance_id=instance_id)
    return [t for t in found if name is None or t.name == name]


def task(engine: Engine, user: str, name: str, *, process: str | None = None,
         instance_id: int | None = None) -> TaskView:
    """The one open task ``name`` in ``user``'s inbox: a missing or doubled task is a failure,
    reported with every open task of the scope and its unit."""
    found = tasks(engine, user, name, process=process, instance_id=instance_id)
    assert len(found) == 1, (user, name, [
        (t.name, t.unit) for t in inbox(engine, None, process=process, instance_id=instance_id)])
    return found[0]


def do(engine: Engine, user: str, name: str, data: dict[str, Any] | None = None, *,
       process: str | None = None) -> InstanceView:
    """Complete ``user``'s one open task ``name`` with ``data``."""
    return engine.complete(task(engine, user, name, process=process).id, data or {}, user)


def case_task(engine: Engine, instance_id: int, name: str) -> str:
    """The id of the case's one open task ``name``."""
    [found] = [t for t in engine.instance(instance_id).tasks if t.name == name]
    return found.id


def transferred_clue(engine: Engine, clue: dict[str, Any], place: str, handler_unit: str
                     ) -> int:
    """A clue registered, approved and transferred to ``handler_unit`` by ``place``'s own
    intake and approver (users ``intake_<place>``, ``approver_<place>``)."""
    intake = f"intake_{place}"
    case = engine.start("clue_triage", {**clue, "owner": intake}, intake)
    engine.complete(case_task(engine, case.id, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": handler_unit}, intake)
    engine.complete(case_task(engine, case.id, "approve"), {"approved": True},
                    f"approver_{place}")
    engine.complete(case_task(engine, case.id, "transfer"), {"transfer_note": "请核查"}, intake)
    return case.id


def handed_to_handler(engine: Engine, instance_id: int, unit: str = "浮梁县纪委监委",
                      intake: str = "li", approver: str = "wang") -> None:
    """A clue proposed, approved and transferred to ``unit``, whose 优先核查 it now holds
    (the ``people`` fixture's users by default): where a 督办函 has work to urge."""
    engine.complete(case_task(engine, instance_id, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": unit}, intake)
    engine.complete(case_task(engine, instance_id, "approve"), {"approved": True}, approver)
    engine.complete(case_task(engine, instance_id, "transfer"), {"transfer_note": "请核查"},
                    intake)


def open_tasks(engine: Engine, instance_id: int) -> list[str]:
    """The names of an instance's open tasks, sorted: where the case stands."""
    return sorted(t.name for t in engine.instance(instance_id).tasks)


# -- time --------------------------------------------------------------------------------------


def timers_of(engine: Engine, instance_id: int | None) -> dict[str, list[datetime]]:
    """Pending timers of one instance (None: the start timers), due times by element id."""
    out: dict[str, list[datetime]] = {}
    for t in engine.timers.pending():
        if t.instance_id == instance_id:
            out.setdefault(t.element_id, []).append(t.due_at)
    return out


def timer_dues(engine: Engine, instance_id: int | None, element_id: str) -> list[datetime]:
    """When the pending timers of one element of one instance fire."""
    return timers_of(engine, instance_id).get(element_id, [])


def fire_at(engine: Engine, when: str | datetime) -> FireReport:
    """Move the engine's clock to ``when`` and fire what is due, as the worker would then."""
    clock = engine.clock
    assert isinstance(clock, FixedClock)  # conftest's engine runs on the test's clock
    clock.set(at(when) if isinstance(when, str) else when)
    return engine.timers.fire_due()


def docx_text(content: bytes) -> str:
    """The text of a .docx (an issued document), paragraph by paragraph, as Word shows it."""
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
