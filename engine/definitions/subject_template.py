"""A procedure's case subject (事由): the camunda property ``subject`` of its process, one
line of text with ``{field}`` placeholders naming fields of the case's data, e.g.
``{accused_unit}：{problem_type}``. Inboxes, the done list and search show it beside the case
number, so two cases at the same step can be told apart without opening them.
engine/runtime/case_subject.py fills it in; validation refuses a template that is malformed
or names a confidential or file field (every user who sees a task would read it)."""

from __future__ import annotations

import re

from engine.messages import Msg, msg

PROPERTY = "subject"
LIMIT = 255  # the property's own length, as for a process name
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse(text: str) -> tuple[str, ...]:
    """Literal text and field names alternating, literal first and last (``a{x}b`` →
    ``("a", "x", "b")``); ValueError for a brace that opens or closes no placeholder."""
    parts = tuple(_PLACEHOLDER.split(text))
    if any("{" in literal or "}" in literal for literal in parts[::2]):
        raise ValueError(text)
    return parts


def fields(parts: tuple[str, ...]) -> tuple[str, ...]:
    return parts[1::2]


def problems(text: str, confidential: frozenset[str], files: frozenset[str]) -> list[Msg]:
    """What is wrong with a template, given the fields the process's forms mark confidential
    and its file fields."""
    if len(text) > LIMIT:
        return [msg("bpmn.subject_too_long", limit=LIMIT)]
    try:
        parts = parse(text)
    except ValueError:
        return [msg("bpmn.subject_malformed", subject=text)]
    if not fields(parts):
        return [msg("bpmn.subject_without_field", subject=text)]
    found = [msg("bpmn.subject_confidential", field=f) for f in fields(parts) if f in confidential]
    found += [msg("bpmn.subject_file", field=f) for f in fields(parts) if f in files]
    return found
