"""Reading request input: JSON bodies, fields, query filters — every bad input is a 4xx.

JSON bodies are parsed strictly: no ``NaN``/``Infinity`` (nor numbers that overflow to it,
like ``1e400``), no integers of more than ``MAX_DIGITS`` digits, at most ``MAX_DEPTH`` levels of
nesting, no NUL or other control characters (but tab and line breaks) and no lone surrogates
in any string (PostgreSQL refuses NUL, XML and so .xlsx ledgers the other controls, UTF-8 lone
surrogates; no form needs them). Unknown fields are refused, so a misspelt ``revision`` is not
silently ignored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request

from engine import Msg, as_msg, msg
from web.api.errors import ApiError, bad_request

MAX_DEPTH = 32
MAX_ID = 2**31 - 1  # ids are database integers
MAX_DIGITS = 100  # an integer longer than this is no amount, count or id

# C0 controls but tab, LF, CR: XML 1.0 (ledgers as .xlsx, diagrams) cannot hold them
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")
_TYPE_NAMES = {dict: msg("input.kind.object"), str: msg("input.kind.str"),
               int: msg("input.kind.int"), list: msg("input.kind.array"),
               bool: msg("input.kind.bool")}


@dataclass(frozen=True)
class Field:
    kind: type
    required: bool = False
    max_length: int | None = None


def bad_text(value: str) -> Msg | None:
    """Why ``value`` cannot be stored as text, or None."""
    if "\x00" in value:
        return msg("input.nul_characters")
    if _CONTROL.search(value):
        return msg("input.control_characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return msg("input.not_unicode")
    return None


def check_request_text() -> None:
    """Path parameters and query arguments are text too."""
    problems: dict[str, Msg] = {}
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and (why := bad_text(value)):
            problems[name] = why
    for name, value in request.args.items(multi=True):
        why = bad_text(name) or bad_text(value)
        if why:
            problems[name if not bad_text(name) else "query"] = why
    if problems:
        raise bad_request(msg("request.bad_characters"), problems)


def json_body() -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", msg("request.send_json"))
    return json_object(raw)


def json_object(raw: bytes, what: Msg | None = None) -> dict[str, Any]:
    """A JSON object parsed as strictly as every body (a multipart ``data`` part too)."""
    what = what or msg("request.the_body")
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                           parse_float=finite_float, parse_int=_bounded_int)
    except UnicodeDecodeError as exc:
        raise bad_request(msg("request.not_utf8", what=what)) from exc
    except RecursionError as exc:
        raise bad_request(msg("request.too_deep", what=what, limit=MAX_DEPTH)) from exc
    except ValueError as exc:
        raise bad_request(msg("request.not_json", what=what), {"body": str(exc)}) from exc
    if not isinstance(value, dict):
        raise bad_request(msg("request.not_an_object", what=what),
                          {"body": msg("input.got", kind=_json_type(value))})
    problems: dict[str, Msg] = {}
    _walk(value, "", 0, problems)
    if problems:
        raise bad_request(msg("request.bad_values", what=what), problems)
    return value


def fields(spec: Mapping[str, Field]) -> dict[str, Any]:
    """The JSON body checked against ``spec``; absent or null optional fields are left out.
    Every problem is reported at once, by field name."""
    body = json_body()
    problems: dict[str, Msg] = {}
    for name in body:
        if name not in spec:
            problems[name] = msg("input.unknown_field", expected=list(spec))
    out: dict[str, Any] = {}
    for name, field in spec.items():
        value = body.get(name)
        if value is None or (field.kind is str and isinstance(value, str) and not value.strip()):
            if field.required:
                problems[name] = msg("input.required")
            continue
        if not _is(value, field.kind):
            problems[name] = msg("input.wrong_type", expected=_TYPE_NAMES[field.kind],
                                 got=_json_type(value))
        elif field.max_length is not None and len(value) > field.max_length:
            problems[name] = msg("input.too_long", limit=field.max_length)
        else:
            out[name] = value
    if problems:
        raise bad_request(msg("request.body_errors"), problems)
    return out


def bool_arg(name: str) -> bool | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise bad_request(msg("request.bad_filter", name=name), {name: msg("input.not_bool")})


def int_arg(name: str, maximum: int = MAX_ID) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise bad_request(msg("request.bad_filter", name=name),
                          {name: msg("input.not_positive_integer")})
    if int(value) > maximum:  # larger than the database column: it would overflow there
        raise bad_request(msg("request.bad_filter", name=name),
                          {name: msg("input.at_most", limit=maximum)})
    return int(value)


def only_args(allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise bad_request(msg("request.unknown_parameters"),
                          {n: msg("input.unknown_parameter", expected=list(allowed))
                           for n in unknown})


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _json_type(value: Any) -> Msg:
    if value is None:
        return msg("input.kind.null")
    if isinstance(value, bool):
        return msg("input.kind.boolean")
    if isinstance(value, int | float):
        return msg("input.kind.number")
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return as_msg(type(value).__name__)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def finite_float(text: str) -> float:
    """``1e400`` would be infinity, which no JSON column (and no JSON reply) can hold."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number has more than {MAX_DIGITS} digits")
    return int(text)


def _walk(value: Any, path: str, depth: int, problems: dict[str, Msg]) -> None:
    if len(problems) >= 20:
        return
    if depth > MAX_DEPTH:
        problems[path or "body"] = msg("input.too_deep", limit=MAX_DEPTH)
        return
    if isinstance(value, str):
        why = bad_text(value)
        if why:
            problems[path or "body"] = why
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            why = bad_text(key)
            if why:
                problems[path or "body"] = msg("input.key", problem=why)
                continue
            _walk(item, inner, depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", depth + 1, problems)
