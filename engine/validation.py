"""Full validation of a set of definition files, reporting every problem at once.

Layers, each adding to one list of ``file:line: element: message`` problems:
safe XML parsing, the BPMN/DMN XSDs, Kuaiban's own rules (lanes are roles, forms exist and
are JSON Schema, expressions and scripts pass the restricted language, timers parse), and
finally SpiffWorkflow's own parse of every executable process.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH as _BPMN_XSD
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import expressions, forms, xmlsafe
from engine.bpmn_parser import CAMUNDA, KuaibanParser, camunda_properties
from engine.errors import Problem, UnsafeInput, ValidationFailed
from engine.roles import ROLES, role_for_lane

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")
_ACTIVITIES = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
})


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: str

    @property
    def kind(self) -> str | None:
        return kind_of(self.name)


def kind_of(filename: str) -> str | None:
    lower = filename.lower()
    if lower.endswith(".bpmn") or lower.endswith(".bpmn20.xml"):
        return "bpmn"
    if lower.endswith(".dmn"):
        return "dmn"
    if lower.endswith(".json"):
        return "form"
    return None


def form_key_of(filename: str) -> str:
    return os.path.basename(filename).rsplit(".", 1)[0]


@dataclass
class ProcessInfo:
    key: str
    name: str
    file: str
    start_form_key: str | None
    case_prefix: str | None
    form_keys: set[str] = field(default_factory=set)
    start_messages: set[str] = field(default_factory=set)
    # (timeDate|timeCycle, expression) of each timer start event, by element id
    start_timers: dict[str, tuple[str, str]] = field(default_factory=dict)
    decision_refs: set[str] = field(default_factory=set)  # decisions its tasks call


@dataclass
class Checked:
    problems: list[Problem]
    processes: list[ProcessInfo]
    parser: KuaibanParser | None = None
    decisions: dict[str, str] = field(default_factory=dict)  # decision id -> DMN file


@lru_cache(maxsize=1)
def _bpmn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(_BPMN_XSD))


@lru_cache(maxsize=4)
def _dmn_schema(namespace: str) -> etree.XMLSchema | None:
    path = DMN_SCHEMAS.get(namespace)
    return etree.XMLSchema(etree.parse(path)) if path else None


def check_files(files: list[SourceFile], known_forms: Mapping[str, str] | None = None) -> Checked:
    """Validate BPMN, DMN and form files together; forms not in ``files`` come from known_forms.
    Problems come back ordered by file (as given), then line."""
    problems: list[Problem] = []
    trees: dict[str, etree._ElementTree] = {}
    forms_text = dict(known_forms or {})
    bad_forms: set[str] = set()
    for f in files:
        if f.kind == "form":
            forms_text[form_key_of(f.name)] = f.content
            form_problems = forms.check_form(f.content)
            if form_problems:
                bad_forms.add(form_key_of(f.name))
            problems += [_form_problem(f.name, m) for m in form_problems]
        elif f.kind in ("bpmn", "dmn"):
            tree = _parse(f, problems)
            if tree is not None:
                trees[f.name] = tree
        else:
            problems.append(Problem(f.name, None, None, "unknown file type (.bpmn, .dmn, .json)"))
    decisions = {
        d.get("id") or "": name
        for name, t in trees.items()
        if kind_of(name) == "dmn"
        for d in t.getroot().iter("{*}decision")
    }
    processes: list[ProcessInfo] = []
    for name, tree in trees.items():
        if kind_of(name) == "bpmn":
            # Kuaiban's rules run even when the XSD fails, so one run reports every problem
            _xsd(name, tree, _bpmn_schema(), problems)
            for process in tree.getroot().iter(BPMN + "process"):
                info = _check_process(name, process, forms_text, bad_forms, set(decisions),
                                      problems)
                if info is not None:
                    processes.append(info)
        elif kind_of(name) == "dmn":
            namespace = etree.QName(tree.getroot()).namespace or ""
            schema = _dmn_schema(namespace)
            if schema is not None:
                _xsd(name, tree, schema, problems)
            else:
                problems.append(Problem(name, tree.getroot().sourceline, None,
                                        f'not a DMN document (namespace "{namespace}"); use '
                                        f'{", ".join(sorted(DMN_SCHEMAS))}'))
            _check_dmn(name, tree, problems)
    _check_calls(trees, problems)
    parser = _spiff_parse(trees, processes, problems) if not problems else None
    order = {f.name: i for i, f in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
    return Checked(problems, processes, parser, decisions)


def _check_calls(trees: Mapping[str, etree._ElementTree], out: list[Problem]) -> None:
    """Every call activity calls a process of the files validated together."""
    bpmn = {name: t for name, t in trees.items() if kind_of(name) == "bpmn"}
    ids = {p.get("id") for t in bpmn.values() for p in t.getroot().iter(BPMN + "process")}
    for name, tree in bpmn.items():
        for call in tree.getroot().iter(BPMN + "callActivity"):
            called = call.get("calledElement")
            if called not in ids:
                known = ", ".join(sorted(i for i in ids if i))
                out.append(Problem(name, call.sourceline, call.get("id"),
                                   f'called process "{called}" is not in the files given '
                                   f"(deploy it together; processes: {known})"))


def _form_problem(name: str, message: str) -> Problem:
    match = _LINE.fullmatch(message)
    if match:
        return Problem(name, int(match.group(1)), None, match.group(2))
    return Problem(name, None, None, message)


def _parse(f: SourceFile, problems: list[Problem]) -> etree._ElementTree | None:
    try:
        return xmlsafe.parse(f.content.encode("utf-8"), f.name)
    except UnsafeInput as exc:
        problems.append(exc.details)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    return None


def _xsd(name: str, tree: etree._ElementTree, schema: etree.XMLSchema, out: list[Problem]) -> bool:
    if schema.validate(tree):
        return True
    namespaces = {k: v for k, v in tree.getroot().nsmap.items() if k}
    for err in schema.error_log:
        line, element = err.line, None
        node = _at_path(tree, err.path, namespaces)
        if node is not None:
            line = node.sourceline or line
            element = _nearest_id(node)
        out.append(Problem(name, line, element, f"schema: {err.message}"))
    return False


def _at_path(tree: etree._ElementTree, path: str | None,
             namespaces: Mapping[str, str]) -> etree._Element | None:
    if not path:
        return None
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except etree.XPathError:  # a prefix the root does not declare
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _nearest_id(node: etree._Element | None) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _ancestor(node: etree._Element, levels: int) -> etree._Element:
    """The element ``levels`` up, or the highest one there is (malformed documents)."""
    for _ in range(levels):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
    return node


_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)


def _code(name: str, node: etree._Element, source: str | None, mode: str, what: str,
          out: list[Problem], text_of: etree._Element | None = None) -> None:
    """Check code; problems name ``node``. When the code is the text of ``text_of`` its lines
    are counted from that element's line, so each problem points at the offending line."""
    if source is None or not source.strip():
        return
    base = (text_of if text_of is not None else node).sourceline
    for message in expressions.check(source, mode):  # type: ignore[arg-type]
        line = base
        match = _LINE.fullmatch(message)
        if match:
            message = match.group(2)
            if text_of is not None and base is not None:
                line = base + int(match.group(1)) - 1
        out.append(Problem(name, line, _nearest_id(node), f"{what}: {message}"))


def _check_process(name: str, process: etree._Element, forms_text: Mapping[str, str],
                   bad_forms: set[str], dmn_ids: set[str | None],
                   out: list[Problem]) -> ProcessInfo | None:
    pid = process.get("id") or ""
    lane_of: dict[str, etree._Element] = {}
    for lane in process.iter(BPMN + "lane"):
        refs = [r.text.strip() for r in lane.findall(BPMN + "flowNodeRef") if r.text]
        if refs and role_for_lane(lane.get("name")) is None:
            known = ", ".join(r.id for r in ROLES)
            out.append(Problem(name, lane.sourceline, lane.get("id"),
                               f'lane "{lane.get("name")}" maps to no role (known: {known})'))
        for ref in refs:
            lane_of[ref] = lane
    limits = (("process id", pid, 128), ("process name", process.get("name"), 255))
    for what, value, limit in limits:
        if value and len(value) > limit:
            out.append(Problem(name, process.sourceline, pid[:40],
                               f"{what} longer than {limit} characters"))
    info = ProcessInfo(pid, process.get("name") or pid, name, None,
                       camunda_properties(process).get("case_prefix"))

    def need_form(node: etree._Element) -> str | None:
        key = node.get(CAMUNDA + "formKey")
        if key is None:
            return None
        if key not in forms_text:
            out.append(Problem(name, node.sourceline, node.get("id"), f'form "{key}" not found'))
        elif key in bad_forms:
            out.append(Problem(name, node.sourceline, node.get("id"), f'form "{key}" is invalid'))
        info.form_keys.add(key)
        return key

    activities = {
        node.get("id") or "": node for node in process.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname in _ACTIVITIES
    }
    for node in process.iter():
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if tag == "userTask" and len(node.get("name") or "") > 255:
            out.append(Problem(name, node.sourceline, node.get("id"),
                               "task name longer than 255 characters"))
        if tag == "userTask":
            if not _in_a_lane(node, lane_of):
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   "user task is in no lane, so no role may work on it"))
            need_form(node)
            _code(name, node, node.get(CAMUNDA + "dueDate"), "eval", "due date", out)
            _code(name, node, camunda_properties(node).get("unit"), "eval", "unit", out)
        elif tag == "startEvent" and node.getparent() is process:
            info.start_form_key = need_form(node) or info.start_form_key
            _start_triggers(name, node, info, out)
        elif tag == "conditionExpression":
            _code(name, _ancestor(node, 1), node.text, "eval", "condition", out, node)
        elif tag == "script":
            _code(name, _ancestor(node, 1), node.text, "exec", "script", out, node)
        elif tag in _TIMER_PARTS:
            _check_timer(name, node, tag, out)
        elif tag == "businessRuleTask":
            ref = node.get(CAMUNDA + "decisionRef")
            if ref:
                info.decision_refs.add(ref)
            if ref not in dmn_ids:
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   f'decision "{ref}" not found in the DMN files'))
        elif tag == "boundaryEvent":
            target = activities.get(node.get("attachedToRef") or "")
            if target is None:
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   f'boundary event is attached to "{node.get("attachedToRef")}",'
                                   " which is no task or subprocess of this process"))
        elif tag in ("loopCardinality", "completionCondition"):
            _code(name, _ancestor(node, 2), node.text, "eval", tag, out, node)
    return info if process.get("isExecutable", "true") != "false" else None


def _in_a_lane(node: etree._Element, lane_of: Mapping[str, etree._Element]) -> bool:
    """In a lane itself, or inside a subprocess that is (the task then takes its lane)."""
    current: etree._Element | None = node
    while current is not None:
        if current.get("id") in lane_of:
            return True
        current = current.getparent()
        if current is None or etree.QName(current).localname not in ("subProcess",
                                                                     "transaction"):
            return False
    return False


_START_ID_LIMIT = 128  # Timer.element_id: each timer start event has its own row


def _start_triggers(name: str, node: etree._Element, info: ProcessInfo,
                    out: list[Problem]) -> None:
    messages = {m.get("id"): m.get("name") for m in node.getroottree().iter(BPMN + "message")}
    for definition in node.findall(BPMN + "messageEventDefinition"):
        message = messages.get(definition.get("messageRef"))
        if message:
            info.start_messages.add(message)
    for definition in node.findall(BPMN + "timerEventDefinition"):
        for part in definition:
            kind = etree.QName(part).localname
            if kind == "timeDuration":
                out.append(Problem(name, part.sourceline, node.get("id"),
                                   "a start timer needs a timeDate or timeCycle, not a duration"))
    timer = _start_timer(node)
    if timer is not None:
        element = node.get("id") or ""
        if len(element) > _START_ID_LIMIT:
            out.append(Problem(name, node.sourceline, element[:40], "timer start event id "
                               f"longer than {_START_ID_LIMIT} characters"))
        info.start_timers[element] = timer


def start_timers_of(process: etree._Element) -> dict[str, tuple[str, str]]:
    """(timeDate|timeCycle, expression) of each timer start event of ``process``, by element
    id, in diagram order. Each is scheduled on its own."""
    out = {}
    for start in process.findall(BPMN + "startEvent"):
        timer = _start_timer(start)
        if timer is not None:
            out[start.get("id") or ""] = timer
    return out


def _start_timer(start_event: etree._Element) -> tuple[str, str] | None:
    for definition in start_event.findall(BPMN + "timerEventDefinition"):
        for part in definition:
            kind = etree.QName(part).localname
            if kind in ("timeDate", "timeCycle"):
                return kind, (part.text or "").strip()
    return None


# what an unquoted ISO 8601 literal looks like: P7D, PT2H, R/P7D, R3/PT1H, 2026-10-08T09:00...
_ISO_LITERAL = re.compile(
    r"(R\d*/)?P(?=\D*\d)[\dTYMWDHS.,/:+-]*|\d{4}-\d{2}-\d{2}([T ][\d:.,+\-Z]*)?", re.IGNORECASE
)


def _check_timer(name: str, node: etree._Element, part: str, out: list[Problem]) -> None:
    event = _ancestor(node, 2)
    element = _nearest_id(event)
    source = (node.text or "").strip()
    problems: list[str]
    if not source:
        problems = ["timer has no expression"]
    elif _ISO_LITERAL.fullmatch(source):
        problems = [f"put the ISO 8601 value in quotes: '{source}' "
                    "(timer definitions are expressions)"]
    else:
        problems = [_LINE.sub(r"\2", m) for m in expressions.check(source, "eval")]
        if not problems:
            problems = _timer_value_problems(source, part)
    for message in problems:
        out.append(Problem(name, node.sourceline, element, f"timer: {message}"))


def _timer_value_problems(source: str, part: str) -> list[str]:
    try:
        value = expressions.evaluate(source, {}, _probe_functions())
    except Exception:  # depends on instance data; checked at run time
        return []
    if not isinstance(value, str):
        return [f"a {part} expression must give an ISO 8601 string, not {type(value).__name__}"]
    return _iso_problems(value, part)


def _iso_problems(value: str, part: str) -> list[str]:
    try:
        if part == "timeDate":
            TimerEventDefinition.get_datetime(value)
        elif part == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # SpiffWorkflow raises bare Exception here
        return [f'"{value}" is not a valid ISO 8601 {part}']
    return []


def _probe_functions() -> dict[str, Any]:
    from engine.calendar import WorkCalendar, deadline_functions
    from engine.clock import SystemClock

    return deadline_functions(WorkCalendar(), SystemClock().now)


_QUESTION = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")  # as SpiffWorkflow's DMNEngine


def _check_dmn(name: str, tree: etree._ElementTree, out: list[Problem]) -> None:
    for node in tree.getroot().iter("{*}inputExpression", "{*}outputEntry", "{*}inputEntry"):
        text_node = node.find("{*}text")
        if text_node is None:
            continue
        text = text_node.text
        if etree.QName(node).localname == "inputEntry":
            text = _input_entry_source(text)
        _code(name, node, text, "eval", "decision expression", out, text_node)


def _input_entry_source(text: str | None) -> str | None:
    """An input cell as the expression SpiffWorkflow builds from it: ``-`` matches anything,
    ``?`` stands for the input, a cell that is no expression by itself (``> 5``,
    ``in ["a"]``) is glued to the input."""
    if text is None or text.strip() in ("", "-"):
        return None
    text = _QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" in text:
        return text
    try:
        ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return f"dmninputexpr {text.strip()}"
    except (RecursionError, MemoryError, ValueError):  # the check reports these itself
        pass
    return text


def _spiff_parse(trees: Mapping[str, etree._ElementTree], processes: list[ProcessInfo],
                 out: list[Problem]) -> KuaibanParser | None:
    parser = KuaibanParser()
    try:
        for name, tree in trees.items():
            if kind_of(name) == "dmn":
                parser.add_dmn_xml(tree.getroot(), filename=name)
        for name, tree in trees.items():
            if kind_of(name) == "bpmn":
                parser.add_bpmn_xml(tree.getroot(), filename=name)
    except Exception as exc:  # SpiffWorkflow's own errors, or its bugs on odd input
        out.append(_spiff_problem(exc, next(iter(trees), "?"), trees))
        return None
    failed = False
    for info in processes:
        try:
            parser.get_spec(info.key)
            parser.get_subprocess_specs(info.key)
        except Exception as exc:
            out.append(_spiff_problem(exc, info.file, trees))
            failed = True
    return None if failed else parser


def _spiff_problem(exc: Exception, default_file: str,
                   trees: Mapping[str, etree._ElementTree]) -> Problem:
    line = getattr(exc, "line_number", None)
    file = getattr(exc, "file_name", None) or default_file
    element = getattr(exc, "id", None) or None
    if not isinstance(line, int) or line <= 0:
        line = None
        tree = trees.get(file)
        if tree is not None and element:
            found = [n for n in tree.getroot().iter() if n.get("id") == element]
            line = found[0].sourceline if found else None
    message = str(exc.args[0]) if exc.args else str(exc)
    if not isinstance(exc, ValidationException | SpiffWorkflowException):
        message = f"SpiffWorkflow cannot parse this ({type(exc).__name__}: {message})"
    return Problem(file, line, element, message)
