"""Parsing untrusted XML (uploaded BPMN and DMN) without letting it attack the machine.

Refused before or while parsing: any DTD (so no entities: no XXE, no billion laughs), network
and file access, documents over a size limit, too many elements and too deep nesting. The
document is parsed as a stream, so an oversized or overdeep one is refused as soon as it
crosses a limit, before the whole tree is built.

Element ``sourceline`` values are set to the line where each start tag begins (libxml2 gives
the line where it ends, which is wrong for tags whose attributes span several lines), so
problems point at the line an editor shows the element on.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Problem, UnsafeInput, ValidationFailed
from engine.messages import Msg, msg

MAX_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 10_000
MAX_DEPTH = 64
_CHUNK = 64 * 1024
_MAX_TAG_LINES = 50  # how far back a start tag's first line is looked for
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _refuse(filename: str, line: int | None, message: Msg) -> UnsafeInput:
    return UnsafeInput(message, Problem(filename, line, None, message))


def parse(content: bytes, filename: str) -> etree._ElementTree:
    """Parse a document, or raise UnsafeInput (hostile) / ValidationFailed (not well-formed);
    both carry the problem with its line."""
    if len(content) > MAX_BYTES:
        raise _refuse(filename, None, msg("xml.too_large", megabytes=MAX_BYTES // (1024 * 1024)))
    match = _DTD.search(content)
    if match:
        line = content.count(b"\n", 0, match.start()) + 1
        raise _refuse(filename, line,
                      msg("xml.dtd"))
    parser = _parser()
    count = depth = 0
    try:
        for start in range(0, max(len(content), 1), _CHUNK):
            parser.feed(content[start:start + _CHUNK])
            for event, node in parser.read_events():
                if event == "end":
                    depth -= 1
                    continue
                count += 1
                depth += 1
                if count > MAX_ELEMENTS:
                    raise _refuse(filename, node.sourceline,
                                  msg("xml.too_many_elements", limit=MAX_ELEMENTS))
                if depth > MAX_DEPTH:
                    raise _refuse(filename, node.sourceline,
                                  msg("xml.too_deep", limit=MAX_DEPTH))
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        line, message = exc.lineno, exc.msg
        last = exc.error_log.last_error
        if not line and last is not None:  # the stream parser's summary hides the cause
            line, message = last.line, last.message
        if "Excessive depth" in message:  # libxml2's own limit, hit inside one chunk
            raise _refuse(filename, line,
                          msg("xml.too_deep", limit=MAX_DEPTH)) from exc
        problem = Problem(filename, line or None, None, msg("xml.not_well_formed", message=message))
        raise ValidationFailed([problem]) from exc
    tree = etree.ElementTree(root)
    if tree.docinfo.doctype:  # unreachable after the check above; kept as a second lock
        raise _refuse(filename, 1, msg("xml.dtd"))
    _start_lines(root, content)
    return tree


def _start_lines(root: etree._Element, content: bytes) -> None:
    """Move each element's sourceline back to the line its start tag begins on."""
    lines: list[bytes] | None = None
    for node in root.iter():
        line = node.sourceline
        if not isinstance(node.tag, str) or not line or line < 2:
            continue
        if lines is None:
            lines = content.split(b"\n")
        qname = etree.QName(node)
        name = (f"{node.prefix}:" if node.prefix else "") + qname.localname
        pattern = re.compile(rb"<" + re.escape(name.encode("utf-8")) + rb"(\s|/|>|$)")
        last = min(line, len(lines))
        for candidate in range(last, max(last - _MAX_TAG_LINES, 0), -1):
            if pattern.search(lines[candidate - 1]):
                if candidate != line:
                    node.sourceline = candidate
                break
