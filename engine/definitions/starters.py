"""Start-form fields whose value follows who starts the case (``x-starter``).

An enterprise applying online and a window clerk taking in its papers start the same
procedure, and the case records which one it was (申请渠道 一网 or 一窗; a 中介服务 clue
网上征集 or the office's 投诉电话, 来信来访 ...)::

    "channel": {"type": "string", "oneOf": [...],
                "x-starter": {"enterprise": "一网", "staff": ["一窗"]}}

An enterprise starting the case itself (an account with the enterprise role alone) gets the
``enterprise`` value: a start that leaves the field out gets it, another value is refused.
Every other starter (windows, offices, an account holding a staff role beside the enterprise
one) chooses among ``staff`` (default: every option of the field); a start that leaves the
field out gets the one value when ``staff`` lists one. Every entry point starts through
:func:`applied` (a single start, the API, the command line, each row of a bulk start), and
the start page offers what :func:`offered` says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.views import UserView

STARTER = "x-starter"
ENTERPRISE = "enterprise"
STAFF = "staff"


def acts_as_enterprise(user: UserView) -> bool:
    """Whether ``user`` starts a case as the enterprise itself, not as staff for one."""
    return set(user.roles) == {ENTERPRISE}


def options(prop: Mapping[str, Any]) -> list[Any] | None:
    """The values a choice field offers (``enum``, or ``oneOf``/``anyOf`` consts), or None
    when the field is no choice."""
    if isinstance(prop.get("enum"), list):
        return list(prop["enum"])
    for keyword in ("oneOf", "anyOf"):
        listed = prop.get(keyword)
        if isinstance(listed, list) and listed and all(
                isinstance(o, dict) and "const" in o for o in listed):
            return [o["const"] for o in listed]
    return None


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-starter`` (for ``check_form``)."""
    if not isinstance(prop, dict) or STARTER not in prop:
        return None
    spec = prop[STARTER]
    if not isinstance(spec, dict) or ENTERPRISE not in spec \
            or not set(spec) <= {ENTERPRISE, STAFF} \
            or (STAFF in spec and (not isinstance(spec[STAFF], list) or not spec[STAFF])):
        return msg("form.starter_shape", name=name)
    offered = options(prop)
    if offered is None:
        return msg("form.starter_not_choice", name=name)
    named = [spec[ENTERPRISE], *spec.get(STAFF, [])]
    unknown = [_shown(v) for v in named if v not in offered]
    if unknown:
        return msg("form.starter_unknown_values", name=name, values=unknown,
                   options=[_shown(v) for v in offered])
    return None


def fields(schema: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The ``x-starter`` fields of a form by name, with their rule."""
    props = (schema or {}).get("properties") or {}
    return {name: prop[STARTER] for name, prop in props.items()
            if isinstance(prop, dict) and isinstance(prop.get(STARTER), dict)}


def offered(schema: Mapping[str, Any] | None, user: UserView) -> dict[str, list[Any]]:
    """Field name -> the values ``user`` may give it, for each ``x-starter`` field: one
    value is no choice (the start page shows it fixed)."""
    props = (schema or {}).get("properties") or {}
    out = {}
    for name, spec in fields(schema).items():
        if acts_as_enterprise(user):
            out[name] = [spec[ENTERPRISE]]
        else:
            out[name] = list(spec.get(STAFF) or options(props[name]) or [])
    return out


def applied(schema: Mapping[str, Any] | None, data: Mapping[str, Any],
            user: UserView) -> dict[str, Any]:
    """``data`` with each ``x-starter`` field the start leaves out set to the one value
    ``user`` may give it; InvalidData naming each field given a value ``user`` may not give.
    A value that is no option of the field at all is left to the form's own check."""
    out = dict(data)
    errors: dict[str, Msg] = {}
    props = (schema or {}).get("properties") or {}
    for name, allowed in offered(schema, user).items():
        given = out.get(name)
        if given is None or given == "":
            if len(allowed) == 1:
                out[name] = allowed[0]
            continue
        if given in allowed or given not in (options(props[name]) or []):
            continue
        spec = props[name][STARTER]
        errors[name] = msg("field.starter_enterprise", value=_shown(spec[ENTERPRISE]),
                           given=_shown(given)) if acts_as_enterprise(user) else \
            msg("field.starter_staff", given=_shown(given), enterprise=_shown(spec[ENTERPRISE]),
                choices=[_shown(v) for v in allowed])
    if errors:
        raise InvalidData(errors, msg("form.invalid"))
    return out


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
