"""What a task's field starts at, ``"x-default"`` (docs/designer-guide.md §4): ``"blank"``
(asked afresh each time the task comes), ``"now"`` (the engine's clock, on a date, date-time
or year field) or ``{"from": "approved_amount"}``: the value of another field the task sees,
so a payout starts at the approved amount. An object's property takes ``{"from": ...}`` only,
naming another of its properties first (the enterprise's 核定兑付金额), then a field of the
case. The page shows the value until the clerk changes it; the API takes what it is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from engine.messages import Msg, msg

KEYWORD = "x-default"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a field of the case: a variable scripts read
_SINGLE = ("string", "number", "integer", "boolean")


def source(prop: Any) -> str | None:
    """The field a field starts from (``{"from": name}``), or None."""
    given = prop.get(KEYWORD) if isinstance(prop, Mapping) else None
    named = given.get("from") if isinstance(given, Mapping) else None
    return named if isinstance(named, str) else None


def keyword_problem(name: str, prop: Any, part: bool = False) -> Msg | None:
    """What is wrong with a field's ``x-default`` (for ``check_form``); ``part``: the field is
    an object's property."""
    if not isinstance(prop, Mapping) or KEYWORD not in prop:
        return None
    value = prop[KEYWORD]
    if isinstance(value, Mapping):
        return _from_problem(name, prop, value)
    if part:
        return msg("form.default_part_shape", name=name)
    if value == "blank" or (value == "now" and (prop.get("format") in ("date", "date-time")
                                                or prop.get("type") == "integer")):
        return None
    return msg("form.default_now_shape", name=name)


def _from_problem(name: str, prop: Mapping[str, Any], value: Mapping[str, Any]) -> Msg | None:
    named = value.get("from")
    if set(value) != {"from"} or not isinstance(named, str) or not _NAME.fullmatch(named):
        return msg("form.default_from_shape", name=name,
                   value=json.dumps(value, ensure_ascii=False))
    if named == name:
        return msg("form.default_from_itself", name=name)
    if prop.get("type") not in _SINGLE or prop.get("readOnly") or "x-file" in prop:
        return msg("form.default_from_kind", name=name)
    return None
