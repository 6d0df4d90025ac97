"""Safe XML parsing and the BPMN/DMN XSDs, with each schema error placed on its element."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH as _BPMN_XSD
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from engine.definitions import xmlsafe
from engine.definitions.files import SourceFile
from engine.definitions.xsd_messages import schema_message
from engine.errors import Problem, UnsafeInput, ValidationFailed


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(_BPMN_XSD))


@lru_cache(maxsize=4)
def dmn_schema(namespace: str) -> etree.XMLSchema | None:
    path = DMN_SCHEMAS.get(namespace)
    return etree.XMLSchema(etree.parse(path)) if path else None


def parse_source(f: SourceFile, problems: list[Problem]) -> etree._ElementTree | None:
    try:
        return xmlsafe.parse(f.content.encode("utf-8"), f.name)
    except UnsafeInput as exc:
        problems.append(exc.details)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    return None


def check_xsd(name: str, tree: etree._ElementTree, schema: etree.XMLSchema,
              out: list[Problem]) -> bool:
    if schema.validate(tree):
        return True
    namespaces = {k: v for k, v in tree.getroot().nsmap.items() if k}
    for err in schema.error_log:
        line, element = err.line, None
        node = _at_path(tree, err.path, namespaces)
        if node is not None:
            line = node.sourceline or line
            element = nearest_id(node)
        out.append(Problem(name, line, element, schema_message(err.message)))
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


def nearest_id(node: etree._Element | None) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def ancestor(node: etree._Element, levels: int) -> etree._Element:
    """The element ``levels`` up, or the highest one there is (malformed documents)."""
    for _ in range(levels):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
    return node
