"""Form fields that name a unit: declared in the form's JSON Schema, picked from a list on the
page, and checked here against the directory on every submission.

    "handler_unit": {"type": "string", "title": "承办部门",
                     "x-org-unit": {"tags": ["县区纪委监委", "派驻机构"], "kinds": ["内设机构"]}}

``x-org-unit`` is ``true`` (any unit) or filters by ``tags`` and ``kinds`` (a unit passes with
any of them) and ``"within": "case_area"``: only the units of the area the form is filled in,
the county-level division (行政区 or 园区管委会) of the task's unit (of the user's for a start
form or a task without a unit) and every unit below it; at the city level the whole city.
A county's clerk names the county's units, never another county's. The value may be the
unit's id or any of its names; the case stores the directory's name, so a typo or an alias
never becomes a unit of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org.directory import Directory, Unit, load, unknown_message
from engine.org.scope import county_of

UNIT = "x-org-unit"
WITHIN = ("case_area",)  # the values ``within`` takes


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-org-unit`` (for ``check_form``)."""
    value = prop.get(UNIT) if isinstance(prop, dict) else None
    if value is None or value is True:
        return None
    if not isinstance(value, dict) or set(value) - {"tags", "kinds", "within"}:
        return msg("form.org_unit_shape", name=name)
    lists = {k: v for k, v in value.items() if k != "within"}
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
               for v in lists.values()) or value.get("within", WITHIN[0]) not in WITHIN:
        return msg("form.org_unit_shape", name=name)
    return None


def area_units(found: Directory, unit: str | None) -> set[str] | None:
    """The ids of the units in the area of ``unit``: its county-level division and every
    unit below it; None (no limit) at the city level, or for a unit the directory lacks."""
    county = county_of(found, unit)
    return None if county is None else {u.id for u in found.subtree(county)}


def choices(found: Directory, spec: Any, unit: str | None = None) -> list[Unit]:
    """The units a field with ``x-org-unit`` = ``spec`` offers, in directory order;
    ``unit``: the unit whose area ``within`` keeps to (the task's, else the user's)."""
    if not isinstance(spec, dict):
        return list(found.units)
    offered = list(found.units)
    if "tags" in spec or "kinds" in spec:
        tags, kinds = set(spec.get("tags", ())), set(spec.get("kinds", ()))
        offered = [u for u in offered if tags & set(u.tags) or u.kind in kinds]
    if spec.get("within") == "case_area":
        area = area_units(found, unit)
        if area is not None:
            offered = [u for u in offered if u.id in area]
    return offered


def checked(session: Session, schema: Mapping[str, Any] | None,
            data: Mapping[str, Any], unit: str | None = None) -> dict[str, Any]:
    """``data`` with its unit fields as the directory names them; InvalidData with a field
    error for a unit that is not there (or not among the field's choices; ``unit``: the
    task's unit, else the user's, for ``within``). With no directory loaded (a bare test
    database) unit fields are taken as given."""
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
        picked, problem = _unit(found, prop[UNIT], value, unit)
        if problem:
            errors[name] = problem
        elif picked is not None:
            out[name] = picked.name
    if errors:
        raise InvalidData(errors, msg("form.invalid"))
    return out


def _unit(found: Directory, spec: Any, value: str,
          area_of: str | None) -> tuple[Unit | None, Msg | None]:
    allowed = choices(found, spec, area_of)
    unit = found.find(value)
    if unit is not None and unit in allowed:
        return unit, None
    closest = Directory(allowed).closest(value)
    if unit is not None and value.strip() != unit.name:  # an alias or id: say both
        return None, msg("field.unit_alias_not_offered_near", text=value, unit=unit.name,
                         closest=closest) if closest else msg(
            "field.unit_alias_not_offered", text=value, unit=unit.name)
    if unit is not None:
        return None, msg("field.unit_not_offered_near", unit=unit.name, closest=closest) \
            if closest else msg("field.unit_not_offered", unit=unit.name)
    return None, unknown_message(value, closest)

