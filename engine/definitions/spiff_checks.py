"""SpiffWorkflow's own parse of every executable process, its errors as problems."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.definitions.bpmn_parser import KuaibanParser
from engine.definitions.files import kind_of
from engine.definitions.process_checks import ProcessInfo
from engine.errors import Problem
from engine.messages import msg


def spiff_parse(trees: Mapping[str, etree._ElementTree], processes: list[ProcessInfo],
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
        return Problem(file, line, element,
                       msg("bpmn.unparsable", kind=type(exc).__name__, message=message))
    return Problem(file, line, element, msg("bpmn.invalid", message=message))
