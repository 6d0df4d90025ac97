"""Lint: diagrams that are valid but probably not what the designer meant.

Validation (engine/definitions/validation.py) decides whether a diagram may be deployed; lint adds
findings about valid diagrams, each an :class:`engine.errors.Problem` with a severity:

=========================================================  =========  ======================
finding                                                    severity   reported by
=========================================================  =========  ======================
user task in no lane (no role may work on it)              error      validation
lane (holding elements) whose name matches no role and is  error      validation
not the engine's lane 系统（自动）
user task or start event in the lane 系统（自动）           error      validation
lane holding no elements whose name matches no role        warning    lint
user task without a due date (``camunda:dueDate``), not    warning    lint
marked as having none on purpose (camunda property
``deadline`` = ``none``)
user task without a form (``camunda:formKey``)             warning    lint
exclusive/inclusive gateway with several outgoing flows    warning    lint
and no default flow
element no path leads to from a start event                warning    lint
timer that never fires at its date: a ``timeDate`` that    warning    lint
is already past by the deploy clock, a ``timeCycle``
repeating 0 times (``R0/...``)
=========================================================  =========  ======================

The two errors are validation's (deploy refuses them); lint never repeats them, so
:func:`findings` (validation problems + lint findings) reports each problem once.
Warnings never block a deploy. ``kuaiban validate`` prints warnings as
``file:line: element: warning: message`` and exits 0 when there are only warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.definitions import xmlsafe
from engine.definitions.bpmn_parser import CAMUNDA, camunda_properties
from engine.definitions.files import BPMN, SourceFile, kind_of
from engine.errors import EngineError, Problem
from engine.messages import Msg, msg
from engine.org.roles import ROLES, is_system_lane, role_for_lane
from engine.runtime.spiff_seam import BEIJING
from engine.scripting import expressions

WARNING = "warning"
ERROR = "error"

_TASKS = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity",
})
_CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
_EVENTS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
})
_GATEWAYS = frozenset({
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "complexGateway",
})
FLOW_NODES = _TASKS | _CONTAINERS | _EVENTS | _GATEWAYS


def lint(files: Iterable[SourceFile], now: datetime,
         functions: Mapping[str, Callable[..., Any]] | None = None) -> list[Problem]:
    """Lint findings (never validation's errors) of the BPMN files among ``files``.

    ``now`` is the deploy clock (timer dates are compared with it); ``functions`` are the
    calendar functions timer expressions may call (default: the official calendar at ``now``).
    Files that are not well-formed XML are skipped: validation reports them.
    """
    if functions is None:
        from engine.time.calendar import WorkCalendar, deadline_functions

        functions = deadline_functions(WorkCalendar(), lambda: now)
    out: list[Problem] = []
    files = list(files)
    for f in files:
        if kind_of(f.name) != "bpmn":
            continue
        try:
            root = xmlsafe.parse(f.content.encode("utf-8"), f.name).getroot()
        except EngineError:
            continue
        for process in root.iter(BPMN + "process"):
            out += _lint_process(f.name, process, now, functions)
    order = {f.name: i for i, f in enumerate(files)}
    return sorted(out, key=lambda p: (order.get(p.file, len(order)), p.line or 0))


def findings(problems: Iterable[Problem], warnings: Iterable[Problem]) -> list[Problem]:
    """Validation problems and lint findings together, each once, in file order then line."""
    seen: set[tuple[str, int | None, str | None, str]] = set()
    out = []
    for p in [*problems, *warnings]:
        key = (p.file, p.line, p.element, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    order: dict[str, int] = {}
    for p in out:
        order.setdefault(p.file, len(order))
    return sorted(out, key=lambda p: (order[p.file], p.line or 0))


def format_problem(problem: Problem) -> str:
    """``file:line: element: message``, or ``file:line: element: warning: message``."""
    if problem.severity == WARNING:
        return f"{problem.file}:{problem.line or 0}: {problem.element or '-'}: warning: " \
               f"{problem.message}"
    return str(problem)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _nearest_id(node: etree._Element | None) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _warn(name: str, node: etree._Element, message: Msg) -> Problem:
    return Problem(name, node.sourceline, node.get("id"), message, WARNING)


def _lint_process(name: str, process: etree._Element, now: datetime,
                  functions: Mapping[str, Callable[..., Any]]) -> list[Problem]:
    out: list[Problem] = []
    for lane in process.iter(BPMN + "lane"):
        refs = [r for r in lane.findall(BPMN + "flowNodeRef") if (r.text or "").strip()]
        if not refs and role_for_lane(lane.get("name")) is None \
                and not is_system_lane(lane.get("name")):
            known = ", ".join(r.name for r in ROLES)
            out.append(_warn(name, lane, msg("lint.empty_lane_without_role",
                                             lane=lane.get("name") or "", known=known)))
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in process.iter(BPMN + "sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
    for node in process.iter():
        tag = _local(node)
        if tag == "userTask":
            if not (node.get(CAMUNDA + "dueDate") or "").strip() and not _no_deadline(node):
                out.append(_warn(name, node, msg("lint.no_due_date")))
            if not (node.get(CAMUNDA + "formKey") or "").strip():
                out.append(_warn(name, node, msg("lint.no_form")))
        elif tag in ("exclusiveGateway", "inclusiveGateway"):
            leaving = outgoing.get(node.get("id") or "", [])
            if len(leaving) > 1 and not node.get("default"):
                kind = "exclusive" if tag == "exclusiveGateway" else "inclusive"
                out.append(_warn(name, node, msg(f"lint.{kind}_gateway_without_default",
                                                 count=len(leaving))))
        elif tag in ("timeDate", "timeCycle"):
            message = _timer_never_fires(tag, (node.text or "").strip(), now, functions)
            if message:
                definition = node.getparent()  # the event is two levels up
                event = definition.getparent() if definition is not None else None
                out.append(Problem(name, node.sourceline, _nearest_id(event), message, WARNING))
    for node in _unreachable(process, outgoing):
        out.append(_warn(name, node, msg("lint.unreachable")))
    return out


def _no_deadline(node: etree._Element) -> bool:
    """The designer says the step has no time limit (the procedure sets none)."""
    return camunda_properties(node).get("deadline", "").strip() == "none"


def _timer_never_fires(part: str, source: str, now: datetime,
                       functions: Mapping[str, Callable[..., Any]]) -> Msg | None:
    """Why a timer never fires at its date, if its expression is a constant (no case data)."""
    if not source:
        return None
    try:
        value = expressions.evaluate(source, {}, dict(functions))
    except Exception:  # depends on case data (or is invalid: validation says so)
        return None
    if not isinstance(value, str):
        return None
    try:
        if part == "timeDate":
            due = datetime.fromisoformat(value)
            due = due if due.tzinfo is not None else due.replace(tzinfo=BEIJING)
            if due < now:
                return msg("lint.timer_date_past", date=value,
                           now=now.astimezone(BEIJING).isoformat())
        else:
            cycles = TimerEventDefinition.parse_iso_recurring_interval(value)[0]
            if cycles == 0:
                return msg("lint.timer_cycle_zero", cycle=value)
    except Exception:  # not ISO 8601: validation reports it
        return None
    return None


def _unreachable(process: etree._Element,
                 outgoing: Mapping[str, list[etree._Element]]) -> list[etree._Element]:
    """Flow nodes of ``process`` that no path reaches from a start event."""
    nodes = {n.get("id") or "": n for n in process.iter() if _local(n) in FLOW_NODES}
    boundaries: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if _local(node) == "boundaryEvent":
            boundaries.setdefault(node.get("attachedToRef") or "", []).append(node_id)
    links: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        for link in node.findall(BPMN + "linkEventDefinition"):
            if _local(node) == "intermediateCatchEvent":
                links.setdefault(link.get("name") or "", []).append(node_id)

    reached: set[str] = set()
    todo = list(_entries(process, nodes))
    while todo:
        node_id = todo.pop()
        if node_id in reached or node_id not in nodes:
            continue
        reached.add(node_id)
        node = nodes[node_id]
        todo += [f.get("targetRef") or "" for f in outgoing.get(node_id, [])]
        todo += boundaries.get(node_id, [])
        if _local(node) in _CONTAINERS:
            todo += _entries(node, nodes)
        if _local(node) == "intermediateThrowEvent":
            for link in node.findall(BPMN + "linkEventDefinition"):
                todo += links.get(link.get("name") or "", [])
    return [n for i, n in nodes.items() if i not in reached and not _exempt(n)]


def _entries(container: etree._Element, nodes: Mapping[str, etree._Element]) -> list[str]:
    """Where a process or subprocess is entered: its start events, its event subprocesses
    (triggered by events, so no flow leads to them) and, for an ad-hoc subprocess, every
    element without incoming flows."""
    out = []
    targets = {f.get("targetRef") for f in container.findall(BPMN + "sequenceFlow")}
    for child in container:
        tag = _local(child)
        child_id = child.get("id") or ""
        if child_id not in nodes:
            continue
        event_sub = tag == "subProcess" and child.get("triggeredByEvent") == "true"
        ad_hoc = _local(container) == "adHocSubProcess" and child_id not in targets \
            and tag != "boundaryEvent"
        if tag == "startEvent" or event_sub or ad_hoc:
            out.append(child_id)
    return out


def _exempt(node: etree._Element) -> bool:
    """Compensation handlers run when compensation is thrown, not along a flow."""
    return node.get("isForCompensation") == "true"
