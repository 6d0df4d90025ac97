"""A box that urges (催办) when ticked: a boolean field of a task's form declaring
``"x-urges"``. Completing the task with the box ticked urges the case's open tasks — those of
``role`` when it names one — as the 催办 operation does, with the text field ``note`` names as
the urge's note (engine/runtime/handover.py ``urge_on_completion``).

    "urged": {"type": "boolean", "title": "已督促承办部门",
              "x-urges": {"role": "handler", "note": "progress"}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.messages import Msg, msg
from engine.org.roles import BY_ID

KEYWORD = "x-urges"
_PARTS = frozenset({"role", "note"})


@dataclass(frozen=True)
class Urging:
    field: str  # the boolean field that urges when true
    role: str | None  # whose open tasks: the role's (None: every open task of the case)
    note: str | None  # the form's text field whose value the urge says


def urgings(schema: Mapping[str, Any] | None) -> list[Urging]:
    """The urging boxes of a form, in its order."""
    properties = (schema or {}).get("properties")
    found = []
    for name, prop in (properties.items() if isinstance(properties, dict) else []):
        value = prop.get(KEYWORD) if isinstance(prop, dict) else None
        if isinstance(value, dict):
            found.append(Urging(name, value.get("role"), value.get("note")))
    return found


def problems(schema: Mapping[str, Any]) -> list[tuple[list[str], Msg]]:
    """What is wrong with each ``x-urges`` of a form (at its path): an object of ``role`` (a
    role id) and ``note`` (a text field of the form), on a boolean field."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    out = []
    for name, prop in properties.items():
        if not isinstance(prop, dict) or KEYWORD not in prop:
            continue
        found = _problem(name, prop, properties)
        if found is not None:
            out.append((["properties", name, KEYWORD], found))
    return out


def _problem(name: str, prop: Mapping[str, Any], properties: Mapping[str, Any]) -> Msg | None:
    value = prop[KEYWORD]
    if not isinstance(value, dict) or not set(value) <= _PARTS:
        return msg("form.urges_malformed", name=name)
    if prop.get("type") != "boolean":
        return msg("form.urges_not_boolean", name=name)
    role = value.get("role")
    if role is not None and role not in BY_ID:
        return msg("form.urges_unknown_role", name=name, role=str(role),
                   known=", ".join(sorted(BY_ID)))
    note = value.get("note")
    target = properties.get(note) if isinstance(note, str) else None
    if note is not None and not (isinstance(target, dict) and target.get("type") == "string"):
        return msg("form.urges_note_not_text", name=name, note=str(note))
    return None
