"""Parsing untrusted XML (uploaded BPMN and DMN) without letting it attack the machine.

Refused before or while parsing: any DTD (so no entities: no XXE, no billion laughs), network
and file access, documents over a size limit, too many elements and too deep nesting.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Problem, UnsafeInput, ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 20_000
MAX_DEPTH = 64
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _refuse(filename: str, line: int | None, message: str) -> UnsafeInput:
    return UnsafeInput(message, Problem(filename, line, None, message))


def parse(content: bytes, filename: str) -> etree._ElementTree:
    """Parse a document, or raise UnsafeInput (hostile) / ValidationFailed (not well-formed);
    both carry the problem with its line."""
    if len(content) > MAX_BYTES:
        raise _refuse(filename, None, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    match = _DTD.search(content)
    if match:
        line = content.count(b"\n", 0, match.start()) + 1
        raise _refuse(filename, line, "DTDs and entity declarations are not allowed")
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as exc:
        problem = Problem(filename, exc.lineno, None, f"not well-formed XML: {exc.msg}")
        raise ValidationFailed([problem]) from exc
    if tree.docinfo.doctype:
        raise _refuse(filename, 1, "DTDs are not allowed")
    _check_shape(tree.getroot(), filename)
    return tree


def _check_shape(root: etree._Element, filename: str) -> None:
    count = 0
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_ELEMENTS:
            raise _refuse(filename, None, f"more than {MAX_ELEMENTS} elements")
        if depth > MAX_DEPTH:
            raise _refuse(filename, node.sourceline, f"elements nested deeper than {MAX_DEPTH}")
        stack.extend((child, depth + 1) for child in node)
