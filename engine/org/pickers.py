"""Form fields that name a unit: declared in the form's JSON Schema, picked from a list on the
page, and checked here against the directory on every submission.

    "handler_unit": {"type": "string", "title": "承办部门",
                     "x-org-unit": {"tags": ["县区纪委监委", "派驻机构"], "kinds": ["内设机构"]}}

``x-org-unit`` is ``true`` (any unit) or filters by ``tags`` and ``kinds`` (a unit passes with
any of them). The value may be the unit's id or any of its names; the case stores the
directory's name, so a typo or an alias never becomes a unit of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org.directory import Directory, Unit, load, unknown_message

UNIT = "x-org-unit"


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-org-unit`` (for ``check_form``)."""
    value = prop.get(UNIT) if isinstance(prop, dict) else None
    if value is None or value is True:
        return None
    if not isinstance(value, dict) or set(value) - {"tags", "kinds"} or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()):
        return msg("form.org_unit_shape", name=name)
    return None


def choices(found: Directory, spec: Any) -> list[Unit]:
    """The units a field with ``x-org-unit`` = ``spec`` offers, in directory order."""
    if not isinstance(spec, dict):
        return list(found.units)
    tags, kinds = set(spec.get("tags", ())), set(spec.get("kinds", ()))
    return [u for u in found.units if tags & set(u.tags) or u.kind in kinds]


def checked(session: Session, schema: Mapping[str, Any] | None,
            data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with its unit fields as the directory names them; InvalidData with a field
    error for a unit that is not there (or not among the field's choices). With no
    directory loaded (a bare test database) unit fields are taken as given."""
    properties = (schema or {}).get("properties") or {}
    out, errors = dict(data), {}
    found: Directory | None = None
    for name, prop in properties.items():
        value = data.get(name)
        if not isinstance(prop, dict) or not isinstance(value, str) or not value:
            continue
        if UNIT not in prop:
            continue
        found = found or load(session)
        if not found:
            break
        unit, problem = _unit(found, prop[UNIT], value)
        if problem:
            errors[name] = problem
        elif unit is not None:
            out[name] = unit.name
    if errors:
        raise InvalidData(errors, msg("form.invalid"))
    return out


def _unit(found: Directory, spec: Any, value: str) -> tuple[Unit | None, Msg | None]:
    allowed = choices(found, spec)
    unit = found.find(value)
    if unit is not None and unit in allowed:
        return unit, None
    closest = Directory(allowed).closest(value)
    if unit is not None:
        return None, msg("field.unit_not_offered_near", unit=unit.name, closest=closest) \
            if closest else msg("field.unit_not_offered", unit=unit.name)
    return None, unknown_message(value, closest)

