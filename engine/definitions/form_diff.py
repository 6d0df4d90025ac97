"""What changed in a form between two versions, in a designer's words: one message per change
(字段「处理意见」：必填 → 选填; 新增字段「附件」（文件，必填）; 删除字段「备注」), never the
JSON. Fields inside an object field or the rows of a table are named by their path
(「兑付名单 › 企业名称」); a keyword form_words.py has no words for is named in a short
"other change" line, so no change goes unmentioned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine.definitions.form_checks import KEYWORD as CHECKS
from engine.definitions.form_words import (
    DESCRIBERS,
    KIND_KEYWORDS,
    OPTION_KEYWORDS,
    changed,
    field_kind,
    option_changes,
    options_of,
)
from engine.messages import Msg, msg

_SEPARATOR = " › "
# Said by the walk over an object's fields and rules, not as the object's own keywords
_STRUCTURE = frozenset({"properties", "required", "items", CHECKS})
_BOUNDS = ("at_most", "at_least", "before", "after")


def describe_form_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Msg]:
    """Each difference between two versions of a form document, in the form's order."""
    said = [msg("form_diff.form", change=c) for c in _own_changes(before, after, top=True)]
    return said + _object_changes(before, after, ())


def _object_changes(a: Mapping[str, Any], b: Mapping[str, Any],
                    path: tuple[str, ...]) -> list[Msg]:
    """The fields of an object (the form, an object field, a table's row) and its rules."""
    props_a, props_b = _properties(a), _properties(b)
    need_a, need_b = _required(a), _required(b)
    said: list[Msg] = []
    for name in [*props_b, *(n for n in props_a if n not in props_b)]:
        prop_a, prop_b = props_a.get(name), props_b.get(name)
        if prop_a is None and prop_b is not None:
            said.append(msg("form_diff.field_added", field=_label(path, name, prop_b),
                            kind=field_kind(prop_b), need=msg(
                                "form_diff.required" if name in need_b else "form_diff.optional")))
        elif prop_b is None and prop_a is not None:
            said.append(msg("form_diff.field_removed", field=_label(path, name, prop_a)))
        elif prop_a is not None and prop_b is not None:
            said += _field_changes(prop_a, prop_b, name in need_a, name in need_b,
                                   (*path, _title(name, prop_b)))
    return said + _rule_changes(a, b, path)


def _field_changes(a: Mapping[str, Any], b: Mapping[str, Any], needed_a: bool, needed_b: bool,
                   path: tuple[str, ...]) -> list[Msg]:
    own: list[Msg] = []
    if needed_a != needed_b:
        own.append(msg("form_diff.now_required" if needed_b else "form_diff.now_optional"))
    own += _own_changes(a, b)
    options_a, options_b = options_of(a), options_of(b)
    if options_a is not None or options_b is not None:  # a text becoming a choice lists them
        own += option_changes(options_a or [], options_b or [])
    items_a, items_b = a.get("items"), b.get("items")
    if isinstance(items_a, Mapping) and isinstance(items_b, Mapping) and items_a != items_b:
        if field_kind(a) == field_kind(b):  # a new kind says it all
            own += [msg("form_diff.each_item", change=c) for c in _own_changes(items_a, items_b)]
    elif items_a != items_b and field_kind(a) == field_kind(b):
        own.append(msg("form_diff.other", keywords=["items"]))
    field = _SEPARATOR.join(path)
    said = [msg("form_diff.field", field=field, change=c) for c in own]
    said += _object_changes(a, b, path)
    if isinstance(items_a, Mapping) and isinstance(items_b, Mapping):
        said += _object_changes(items_a, items_b, path)  # a table's columns
    return said


def _own_changes(a: Mapping[str, Any], b: Mapping[str, Any], top: bool = False) -> list[Msg]:
    """What an object's own keywords say: its kind, then each keyword in the form's order."""
    said: list[Msg] = []
    kind_a, kind_b = field_kind(a), field_kind(b)
    new_kind = kind_a != kind_b and not top
    if new_kind:
        said.append(changed("kind", kind_a, kind_b))
    skip = _STRUCTURE | OPTION_KEYWORDS
    if new_kind or top:
        skip |= KIND_KEYWORDS
    if not (_options_said(a) and _options_said(b)):
        skip -= OPTION_KEYWORDS  # alternatives that are no list of choices: named as others
    unknown = []
    for keyword in [*a, *(k for k in b if k not in a)]:
        if keyword in skip or a.get(keyword) == b.get(keyword):
            continue
        describer = DESCRIBERS.get(keyword)
        if describer is None:
            unknown.append(keyword)
        else:
            said += describer(a.get(keyword), b.get(keyword))
    if top and (a.get("type") != b.get("type") or a.get("format") != b.get("format")):
        unknown += [k for k in ("type", "format") if a.get(k) != b.get(k)]
    if unknown:
        said.append(msg("form_diff.other", keywords=unknown))
    return said


def _options_said(prop: Mapping[str, Any]) -> bool:
    """Whether option_changes covers a field's option keywords: none, or a list of choices."""
    return options_of(prop) is not None or not (OPTION_KEYWORDS & set(prop))


def _rule_changes(a: Mapping[str, Any], b: Mapping[str, Any],
                  path: tuple[str, ...]) -> list[Msg]:
    """x-checks rules edited, removed and added."""
    rules_a, rules_b = a.get(CHECKS, []), b.get(CHECKS, [])
    if rules_a == rules_b:
        return []
    if not isinstance(rules_a, list) or not isinstance(rules_b, list):
        return [_owned(path, msg("form_diff.other", keywords=[CHECKS]))]
    keys_a, keys_b = [_canonical(r) for r in rules_a], [_canonical(r) for r in rules_b]
    gone = [r for r, k in zip(rules_a, keys_a, strict=True) if k not in keys_b]
    new = [r for r, k in zip(rules_b, keys_b, strict=True) if k not in keys_a]
    edits = _edits(gone, new)
    said = [msg("form_diff.rule_changed", before=_rule(gone[i], a), after=_rule(new[j], b))
            for i, j in sorted(edits.items(), key=lambda pair: pair[1])]
    said += [msg("form_diff.rule_removed", rule=_rule(r, a))
             for i, r in enumerate(gone) if i not in edits]
    paired = set(edits.values())
    said += [msg("form_diff.rule_added", rule=_rule(r, b))
             for j, r in enumerate(new) if j not in paired]
    return [_owned(path, s) for s in said]


def _edits(gone: list[Any], new: list[Any]) -> dict[int, int]:
    """Which removed rule (index) became which added one. A rule has no name: it is the
    same rule edited when it kept its message, or else what it checks (its field and bound);
    rules alike on both sides pair in their order."""
    edits: dict[int, int] = {}
    for identity in (_rule_message, _rule_target):
        for i, old in enumerate(gone):
            if i in edits or identity(old) is None:
                continue
            j = next((j for j, rule in enumerate(new) if j not in edits.values()
                      and identity(rule) == identity(old)), None)
            if j is not None:
                edits[i] = j
    return edits


def _rule_message(rule: Any) -> str | None:
    message = rule.get("message") if isinstance(rule, Mapping) else None
    return (message.strip() or None) if isinstance(message, str) else None


def _rule_target(rule: Any) -> str | None:
    if not isinstance(rule, Mapping) or "field" not in rule:
        return None
    bound = next((b for b in _BOUNDS if b in rule), None)
    return None if bound is None else _canonical([rule["field"], bound])


def _owned(path: tuple[str, ...], change: Msg) -> Msg:
    if not path:
        return msg("form_diff.form", change=change)
    return msg("form_diff.field", field=_SEPARATOR.join(path), change=change)


def _rule(rule: Any, owner: Mapping[str, Any]) -> Msg:
    if not isinstance(rule, Mapping):
        return msg("form_diff.quoted", text=_canonical(rule))
    props = _properties(owner)

    def named(name: Any) -> str:
        prop = props.get(name) if isinstance(name, str) else None
        return _title(str(name), prop) if prop is not None else str(name)

    bound = next((b for b in _BOUNDS if b in rule), None)
    reference = rule.get(bound) if bound else None
    if reference == "now":
        shown = msg("form_diff.reference_now")
    elif isinstance(reference, str):
        shown = msg("form_diff.reference_field", field=named(reference))
    else:
        shown = msg("text", text=str(reference))
    params = {"field": named(rule.get("field")), "reference": shown,
              "bound": msg(f"form_diff.bound.{bound}") if bound else msg("form_diff.none"),
              "message": str(rule.get("message") or "")}
    if rule.get("confirmed_by"):
        return msg("form_diff.rule_confirmed", confirm=named(rule["confirmed_by"]), **params)
    if rule.get("explained_by"):
        return msg("form_diff.rule_explained", reason=named(rule["explained_by"]), **params)
    return msg("form_diff.rule", **params)


def _properties(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return {}
    return {str(k): v for k, v in props.items() if isinstance(v, Mapping)}


def _required(schema: Mapping[str, Any]) -> set[str]:
    names = schema.get("required")
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _title(name: str, prop: Mapping[str, Any]) -> str:
    title = prop.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else name


def _label(path: tuple[str, ...], name: str, prop: Mapping[str, Any]) -> str:
    return _SEPARATOR.join((*path, _title(name, prop)))


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
