"""Posted strings as the schema's types (web/ui/forms.py's fields, and a table's cells): a value
that cannot be coerced is passed on as typed, so the engine names the problem beside the
field."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine import TZ, halfwidth, normalized_credit_code
from web.api.inputs import finite_float

if TYPE_CHECKING:
    from web.ui.forms import Field

MAX_NUMBER_LENGTH = 100  # characters of a posted number (int() of 5000 digits is refused)
# what an amount may be written with besides its digits: group separators, spaces, a
# currency sign before it and 元 after it (NFKC has made ，￥ and full-width spaces ASCII)
_AMOUNT_MARKS = re.compile(r"[,\s]|^[¥$]|^RMB|元$", re.IGNORECASE)


def value_of(f: Field, raw: str) -> Any:
    """A posted string as the field's type; what does not fit stays as typed."""
    text = raw.strip()
    if f.kind == "select":
        for choice in f.choices:
            if choice.key == text:
                return choice.value
        return text
    if f.kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if f.kind in ("number", "integer"):
        return _number(f.kind, text)
    if f.kind == "datetime":
        return _datetime_value(text)
    if f.kind == "credit_code":  # as printed on the licence, whatever the keyboard's case
        return normalized_credit_code(text)
    if f.pattern:
        return _fitted(f.pattern, text)
    if f.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if f.kind == "json":
        try:
            return json.loads(text, parse_constant=_not_json, parse_float=finite_float)
        except (ValueError, RecursionError):  # the engine names the field's expected type
            return text
    return raw.rstrip() if f.kind == "textarea" else text


def _fitted(pattern: str, text: str) -> str:
    """A text that misses its pattern only by what a Chinese input method types in full-width
    mode (１３８００１３８０００, ０７９８－８８８８８８８) read as its half-width self; any other
    text stays as typed, for the engine to name beside the field."""
    try:
        if re.search(pattern, text):
            return text
        meant = halfwidth(text)
        return meant if re.search(pattern, meant) else text
    except re.error:  # the engine names a pattern it cannot read at deploy; never here
        return text


def _number(kind: str, text: str) -> int | float | str:
    """A posted number, as people write amounts (¥50,000.00, ５００００元, 1 200); anything else
    (``nan``, ``inf``, ``1e400``, 200 digits) stays text, for the engine to name beside the
    field."""
    cleaned = _AMOUNT_MARKS.sub("", unicodedata.normalize("NFKC", text))
    if len(cleaned) > MAX_NUMBER_LENGTH:
        return text
    try:
        return int(cleaned)
    except ValueError:
        pass
    if kind == "number":
        try:
            value = float(cleaned)
        except ValueError:
            return text
        if math.isfinite(value):
            return value
    return text


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _datetime_value(text: str) -> str:
    """A datetime-local value (no offset) is local Asia/Shanghai time."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return parsed.isoformat()
