"""Deploy-time check of the units routing tables name: every ``directory_unit("id")`` in a
DMN output, and every literal text of an output that a diagram uses as a task's unit, must be
in the unit directory (when one is loaded), so no table routes a task to a unit that is not
there. Runs with the directory from the database: validate and deploy both call it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from lxml import etree

from engine.definitions.files import SourceFile, kind_of
from engine.definitions.xmlsafe import parse
from engine.errors import EngineError, Problem
from engine.messages import msg
from engine.org.directory import Directory

FUNCTION = "directory_unit"


def check_units(files: list[SourceFile], found: Directory) -> list[Problem]:
    """The problems of ``files``' DMN outputs against ``found`` (none without a directory)."""
    if not found:
        return []
    trees = {f.name: tree for f in files if f.kind in ("bpmn", "dmn")
             for tree in [_tree(f)] if tree is not None}
    unit_fields = {(prop.get("value") or "").strip() for name, tree in trees.items()
                   if kind_of(name) == "bpmn" for prop in tree.getroot().iter("{*}property")
                   if prop.get("name") == "unit"}
    problems = []
    for name, tree in trees.items():
        if kind_of(name) != "dmn":
            continue
        for entry, text, literal in _outputs(tree, unit_fields):
            unit = found.find(text)
            if unit is None:
                how = f'{FUNCTION}("{text}")' if not literal else f'"{text}"'
                problems.append(Problem(name, entry.sourceline, entry.get("id"),
                                        msg("bpmn.unknown_unit", how=how, hint=_hint(found, text))))
    return problems


def _tree(f: SourceFile) -> etree._ElementTree | None:
    try:
        return parse(f.content.encode("utf-8"), f.name)
    except EngineError:  # validation reports it
        return None


def _outputs(tree: etree._ElementTree, unit_fields: set[str]
             ) -> Iterator[tuple[etree._Element, str, bool]]:
    """(output entry, unit text, whether it is a plain literal) of each unit a table names."""
    for table in tree.getroot().iter("{*}decisionTable"):
        names = [o.get("name") or "" for o in table.findall("{*}output")]
        for rule in table.findall("{*}rule"):
            for column, entry in zip(names, rule.findall("{*}outputEntry"), strict=False):
                node, named = directory_calls(entry.findtext("{*}text") or "")
                if node is None:
                    continue  # the expression check reports it
                for unit_id in named:  # also each of a list, e.g. a row's 责任单位
                    yield entry, unit_id, False
                if not named and column in unit_fields and isinstance(node, ast.Constant) \
                        and isinstance(node.value, str) and node.value:
                    yield entry, node.value, True


def directory_calls(source: str) -> tuple[ast.expr | None, list[str]]:
    """The parsed expression (None when it does not parse) and the id of each
    ``directory_unit("id")`` in it, e.g. each of a list."""
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None, []
    return node, [call.args[0].value for call in ast.walk(node)
                  if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                  and call.func.id == FUNCTION and len(call.args) == 1
                  and isinstance(call.args[0], ast.Constant)
                  and isinstance(call.args[0].value, str)]


def _hint(found: Directory, text: str) -> str:
    closest = found.closest(text)
    return f" (closest: {', '.join(closest)})" if closest else ""
