"""Fields a step offers only when it is done again: ``"x-redo": true`` on a property of a
task's form (docs/designer-guide.md §4).

A proposal sent back to be redone (退回, or an approval's 退回重拟) is often sent back for a
fact registered before it: a wrong 问题摘要 or 被反映单位. The proposal's form may then offer
those fields the second time round, named as the registration names them, so they start at
the case's values like any field and the clerk corrects them with the proposal. The first
time the step is done they are not on its form, and a submission carrying them is refused.
Done again, a field left at the case's value is not recorded: the step's data holds what it
corrected, which the case's history shows beside what it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import InvalidData
from engine.messages import Msg, msg

KEYWORD = "x-redo"


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-redo`` (for ``check_form``): only ``true``, on a field
    the clerk fills in (not read-only, not a file)."""
    if not isinstance(prop, Mapping) or KEYWORD not in prop:
        return None
    if prop[KEYWORD] is not True or prop.get("readOnly") is True or "x-file" in prop:
        return msg("form.redo_shape", name=name)
    return None


def fields(schema: Mapping[str, Any] | None) -> set[str]:
    """The form's fields offered only when its step is done again."""
    properties = (schema or {}).get("properties") or {}
    return {name for name, prop in properties.items()
            if isinstance(prop, Mapping) and prop.get(KEYWORD) is True}


def first_time(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The form as its step's first round shows it: without the fields for a redo."""
    redo = fields(schema)
    if schema is None or not redo:
        return schema
    kept = {**schema, "properties": {name: prop for name, prop in schema["properties"].items()
                                     if name not in redo}}
    if isinstance(schema.get("required"), list):
        kept["required"] = [name for name in schema["required"] if name not in redo]
    return kept


def check_first_time(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> None:
    """InvalidData when the step's first round is submitted with a field for a redo."""
    early = sorted(fields(schema) & set(data))
    if early:
        raise InvalidData({name: msg("field.redo_only") for name in early},
                          msg("form.redo_only_fields"))


def corrected(schema: Mapping[str, Any] | None, data: Mapping[str, Any],
              held: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the redo fields submitted at the value the case holds (``held``)."""
    redo = fields(schema)
    return {name: value for name, value in data.items()
            if name not in redo or not _same(held.get(name), value)}


def _same(before: Any, value: Any) -> bool:
    return value == before or (before is None and value in ("", None))
