"""Full validation of a set of definition files, reporting every problem at once.

Layers, each adding to one list of ``file:line: element: message`` problems:
safe XML parsing and the BPMN/DMN XSDs (xml_checks), Kuaiban's own rules (process_checks:
lanes are roles, forms exist and are JSON Schema; code_checks: expressions and scripts pass
the restricted language; timer_checks: timers parse), and finally SpiffWorkflow's own parse
of every executable process (spiff_checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from engine.definitions import forms
from engine.definitions.bpmn_parser import KuaibanParser, document_properties
from engine.definitions.code_checks import check_dmn
from engine.definitions.files import BPMN, SourceFile, form_key_of, kind_of
from engine.definitions.process_checks import ProcessInfo, check_process
from engine.definitions.spiff_checks import spiff_parse
from engine.definitions.xml_checks import bpmn_schema, check_xsd, dmn_schema, parse_source
from engine.errors import Problem
from engine.files import documents
from engine.messages import msg

# SourceFile and ProcessInfo are check_files' input and output; importable from here with it
__all__ = ["Checked", "ProcessInfo", "SourceFile", "check_files"]


@dataclass
class Checked:
    problems: list[Problem]
    processes: list[ProcessInfo]
    parser: KuaibanParser | None = None
    decisions: dict[str, str] = field(default_factory=dict)  # decision id -> DMN file


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
            problems += [Problem(f.name, p.line, None, p.problem) for p in form_problems]
        elif f.kind in ("bpmn", "dmn"):
            tree = parse_source(f, problems)
            if tree is not None:
                trees[f.name] = tree
        else:
            problems.append(Problem(f.name, None, None, msg("upload.unknown_file_type")))
    decisions = {
        d.get("id") or "": name
        for name, t in trees.items()
        if kind_of(name) == "dmn"
        for d in t.getroot().iter("{*}decision")
    }
    caught = _caught_messages(trees)
    for f in files:
        if f.kind == "form" and form_key_of(f.name) not in bad_forms:
            problems += [Problem(f.name, p.line, None, p.problem)
                         for p in [*forms.catalogue_problems(f.content, decisions),
                                   *forms.case_awaits_problems(f.content, caught)]]
    processes: list[ProcessInfo] = []
    for name, tree in trees.items():
        if kind_of(name) == "bpmn":
            # Kuaiban's rules run even when the XSD fails, so one run reports every problem
            check_xsd(name, tree, bpmn_schema(), problems)
            for process in tree.getroot().iter(BPMN + "process"):
                info = check_process(name, process, forms_text, bad_forms, set(decisions),
                                     problems)
                if info is not None:
                    processes.append(info)
        elif kind_of(name) == "dmn":
            namespace = etree.QName(tree.getroot()).namespace or ""
            schema = dmn_schema(namespace)
            if schema is not None:
                check_xsd(name, tree, schema, problems)
            else:
                problems.append(Problem(name, tree.getroot().sourceline, None,
                                        msg("dmn.wrong_namespace", namespace=namespace,
                                            expected=", ".join(sorted(DMN_SCHEMAS)))))
            check_dmn(name, tree, problems)
    _check_calls(trees, problems)
    _check_documents(trees, problems)
    parser = spiff_parse(trees, processes, problems) if not problems else None
    order = {f.name: i for i, f in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
    return Checked(problems, processes, parser, decisions)


_CATCHING = tuple(BPMN + t for t in ("intermediateCatchEvent", "boundaryEvent", "receiveTask",
                                      "startEvent"))


def _caught_messages(trees: Mapping[str, etree._ElementTree]) -> dict[str, set[str]]:
    """Process id -> the messages its running cases may wait for: message catch and boundary
    events, receive tasks, and start events inside its subprocesses (its own start events
    start a case instead)."""
    out: dict[str, set[str]] = {}
    for name, tree in trees.items():
        if kind_of(name) != "bpmn":
            continue
        messages = {m.get("id"): m.get("name") for m in tree.getroot().iter(BPMN + "message")}
        for process in tree.getroot().iter(BPMN + "process"):
            caught = out.setdefault(process.get("id") or "", set())
            for node in process.iter(*_CATCHING):
                if node.tag == BPMN + "startEvent" and node.getparent() is process:
                    continue
                refs = [node.get("messageRef")] if node.tag == BPMN + "receiveTask" else [
                    d.get("messageRef") for d in node.findall(BPMN + "messageEventDefinition")]
                caught.update(m for r in refs if (m := messages.get(r)))
    return out


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
                                   msg("bpmn.called_process_missing", called=called, known=known)))


def _check_documents(trees: Mapping[str, etree._ElementTree], out: list[Problem]) -> None:
    """Every ``document`` property names a template of the document registry; a per-item
    template (one letter per item of a list) sits on a multi-instance step."""
    known = None
    for name, tree in trees.items():
        if kind_of(name) != "bpmn":
            continue
        for element, keys in document_properties(tree.getroot()):
            known = documents.templates() if known is None else known
            for key in keys:
                if key not in known:
                    listed = ", ".join(sorted(known)) or "none"
                    out.append(Problem(name, element.sourceline, element.get("id"),
                                       msg("bpmn.document_template_missing", key=key,
                                           registry=documents.REGISTRY, listed=listed)))
                elif known[key].per_item and element.find(
                        BPMN + "multiInstanceLoopCharacteristics") is None:
                    out.append(Problem(name, element.sourceline, element.get("id"),
                                       msg("bpmn.document_per_item", key=key)))
