"""Checks across fields, declared in a form's ``"x-checks"`` list (docs/designer-guide.md §4).

JSON Schema compares a value with constants only; a clerk also expects a payout not above the
approved amount, or a receipt time not in the future. Each rule compares one field of the
submission with a reference (``at_most``, ``at_least``, or strictly ``before``, ``after``):
``"now"`` (the engine's clock; today for a ``date`` field, this year for a number), a field
of the same submission or of the data the task sees, or a number::

    {"field": "paid_amount", "at_most": "approved_amount",
     "message": "实际兑付金额不能超过核定兑现金额（{limit}）"}

A rule with ``"confirmed_by"`` (a boolean field of the same form) is a warning: it refuses the
submission until that field is ticked, so a clerk may go on where the rules allow it. A rule
with ``"explained_by"`` (a text field of the same form) asks for a reason: it refuses the
submission, beside that field, until the field says why (an approved amount below the one
applied for, with the 核减 reason the enterprise reads). A rule
whose field or reference has no value checks nothing (``required`` says what must be given).
An object field may carry rules of its own, over its own properties; their errors are keyed
``<field>.<property>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.messages import Msg, msg
from engine.time.calendar import TZ

KEYWORD = "x-checks"
_BOUNDS = {"at_most": lambda value, limit: value <= limit,
           "at_least": lambda value, limit: value >= limit,
           "before": lambda value, limit: value < limit,
           "after": lambda value, limit: value > limit}
_KEYS = {"field", *_BOUNDS, "message", "confirmed_by", "explained_by"}


@dataclass(frozen=True)
class CheckContext:
    """What references resolve against: the data the task sees and the time now."""
    data: Mapping[str, Any]
    now: datetime


def check_problems(schema: Mapping[str, Any]) -> list[tuple[list[Any], Msg]]:
    """(path, problem) for each malformed rule of a form document."""
    properties = schema.get("properties") or {}
    problems: list[tuple[list[Any], Msg]] = [
        (["properties", name, *path], problem) for name, prop in _objects(properties)
        for path, problem in check_problems(prop)]
    rules = schema.get(KEYWORD)
    if rules is None:
        return problems
    if not isinstance(rules, list):
        return [([KEYWORD], msg("form.checks_not_list")), *problems]
    for index, rule in enumerate(rules):
        problem = _rule_problem(rule, properties)
        if problem:
            problems.append(([KEYWORD], msg("form.checks_rule", index=index + 1,
                                            problem=problem)))
    return problems


def _objects(properties: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The object fields with rules of their own: a payout's 实际兑付金额 against its own
    核定兑付金额, inside the one enterprise the task pays."""
    return [(name, prop) for name, prop in properties.items()
            if isinstance(prop, dict) and prop.get("type") == "object" and KEYWORD in prop]


def _rule_problem(rule: Any, properties: Mapping[str, Any]) -> Msg | None:
    if not isinstance(rule, dict):
        return msg("form.rule_not_object")
    unknown = sorted(set(rule) - _KEYS)
    if unknown:
        return msg("form.rule_unknown_keys", keys=unknown)
    if rule.get("field") not in properties:
        return msg("form.rule_field", value=repr(rule.get("field")))
    bounds = [b for b in _BOUNDS if b in rule]
    if len(bounds) != 1:
        return msg("form.rule_bound")
    reference = rule[bounds[0]]
    if isinstance(reference, bool) or not isinstance(reference, (str, int, float)):
        return msg("form.rule_reference", bound=bounds[0])
    if not isinstance(rule.get("message"), str) or not rule["message"].strip():
        return msg("form.rule_message")
    confirm = rule.get("confirmed_by")
    if confirm is not None and (properties.get(confirm) or {}).get("type") != "boolean":
        return msg("form.rule_confirmed_by", value=repr(confirm))
    reason = rule.get("explained_by")
    if reason is not None and ((properties.get(reason) or {}).get("type") != "string"
                               or confirm is not None):
        return msg("form.rule_explained_by", value=repr(reason))
    return None


def check_errors(schema: Mapping[str, Any], submitted: Mapping[str, Any],
                 context: CheckContext) -> dict[str, str]:
    """The message of every rule the submission breaks, keyed by its field (first wins)."""
    properties = schema.get("properties") or {}
    errors: dict[str, str] = {}
    for rule in schema.get(KEYWORD) or []:
        field = rule["field"]
        confirm, reason = rule.get("confirmed_by"), rule.get("explained_by")
        if field in errors or (confirm and submitted.get(confirm) is True) or (
                reason and _said(submitted.get(reason))):
            continue
        bound = next(b for b in _BOUNDS if b in rule)
        kind = _kind(properties.get(field) or {})
        value = _comparable(submitted.get(field), kind)
        limit, shown = _reference(rule[bound], kind, submitted, context)
        if value is None or limit is None:
            continue
        try:
            broken = not _BOUNDS[bound](value, limit)
        except TypeError:  # a date against a number: the rule does not apply
            continue
        if broken:
            errors.setdefault(reason or field, rule["message"].replace("{limit}", shown))
    for name, prop in _objects(properties):
        value = submitted.get(name)
        if isinstance(value, Mapping):  # its rules refer to its own properties first
            errors.update({f"{name}.{field}": message
                           for field, message in check_errors(prop, value, context).items()})
    return errors


def _said(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _kind(prop: Mapping[str, Any]) -> str:
    if prop.get("type") in ("number", "integer"):
        return "number"
    return str(prop.get("format") or "text")


def _reference(reference: Any, kind: str, submitted: Mapping[str, Any],
               context: CheckContext) -> tuple[Any, str]:
    """(the comparable limit or None, how the message shows it)."""
    if reference == "now":
        now = context.now.astimezone(TZ)
        if kind == "number":  # a year field: this year
            return float(now.year), str(now.year)
        return (now.date(), now.date().isoformat()) if kind == "date" else (now, _shown(now))
    if isinstance(reference, (int, float)):
        return _comparable(reference, kind), _shown(reference)
    value = submitted.get(reference, context.data.get(reference))
    return _comparable(value, kind), _shown(value)


def _comparable(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "number":
        return float(value) if isinstance(value, (int, float)) and \
            not isinstance(value, bool) else None
    if kind in ("date", "date-time") and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            return None  # the format check reports it
        if kind == "date":
            return parsed.date()
        return parsed if parsed.tzinfo else None
    return value if isinstance(value, (date, datetime)) else None


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(TZ).strftime("%Y年%m月%d日 %H:%M")
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, float):  # an amount, as pages show one: 12,000.50
        return f"{value:,.2f}" if round(value, 2) == value else f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
