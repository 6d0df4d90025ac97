"""A field that is only the submitter's acknowledgement (``"x-acknowledgement": true``, on a
box to tick: a boolean with ``"const": true``): checked when the form is submitted, then
left out of what the case keeps. A campaign's 我已了解：发起后各单位将立即收到任务 says
something of its starter, not of the case, and the cases its messages start would else
carry it as their own data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.messages import Msg, msg

KEYWORD = "x-acknowledgement"


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-acknowledgement`` (for ``check_form``): only
    ``true``, on a box to tick (a boolean whose ``const`` is true)."""
    if not isinstance(prop, Mapping) or KEYWORD not in prop:
        return None
    if prop[KEYWORD] is not True or prop.get("type") != "boolean" or prop.get("const") is not True:
        return msg("form.acknowledgement_shape", name=name)
    return None


def fields(schema: Mapping[str, Any] | None) -> set[str]:
    """The form's fields that only acknowledge."""
    properties = (schema or {}).get("properties") or {}
    return {name for name, prop in properties.items()
            if isinstance(prop, Mapping) and prop.get(KEYWORD) is True}


def kept(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (checked) without the acknowledgements: what the case keeps."""
    dropped = fields(schema)
    return {k: v for k, v in data.items() if k not in dropped}
