"""How a form field's keywords read to a designer (for form_diff.py): what kind of field it
is, its choices, and each known keyword's before and after in plain words. A keyword with no
describer here is named in form_diff's "other change" line instead."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from engine.messages import Msg, msg
from engine.org.roles import role_name

_LONGEST = 80  # characters of a text shown before it is cut
_FORMAT_KINDS = {"date": "form_diff.kind.date", "date-time": "form_diff.kind.date_time",
                 "credit-code": "form_diff.kind.credit_code"}
_PICKER_KINDS = (("x-file", "form_diff.kind.file"), ("x-org-unit", "form_diff.kind.unit"),
                 ("x-user", "form_diff.kind.person"), ("x-policy", "form_diff.kind.policy"),
                 ("x-catalogue", "form_diff.kind.catalogue"))
_TYPE_KINDS = {"string": "form_diff.kind.text", "number": "form_diff.kind.number",
               "integer": "form_diff.kind.integer", "boolean": "form_diff.kind.boolean",
               "object": "form_diff.kind.group"}
# What decides a field's kind: when its kind changes, saying so covers them all
KIND_KEYWORDS = frozenset({"type", "format", *(k for k, _ in _PICKER_KINDS)})
OPTION_KEYWORDS = frozenset({"enum", "enumNames", "oneOf", "anyOf"})
_WIDGETS = {"textarea": "form_diff.widget.textarea", "checkbox": "form_diff.widget.checkbox",
            "checkboxes": "form_diff.widget.checkboxes"}
_PREFILLS = {"now": "form_diff.prefill.now", "blank": "form_diff.prefill.blank"}
_FILE_PARTS = ("accept", "max_files", "max_mb")


def field_kind(prop: Mapping[str, Any]) -> Msg:
    """A field's kind as a designer names it: 文本, 日期, 单选, 文件, 表格…"""
    for keyword, key in _PICKER_KINDS:
        if keyword in prop:
            return msg(key)
    kind = prop.get("type")
    items = prop.get("items")
    if kind == "array":
        if isinstance(items, Mapping) and (items.get("type") == "object"
                                           or "properties" in items):
            return msg("form_diff.kind.table")
        return msg("form_diff.kind.choices" if options_of(prop) is not None
                   else "form_diff.kind.list")
    if options_of(prop) is not None:
        return msg("form_diff.kind.choice")
    if prop.get("format") in _FORMAT_KINDS:
        return msg(_FORMAT_KINDS[prop["format"]])
    if kind in _TYPE_KINDS:
        return msg(_TYPE_KINDS[kind])
    if kind is None and "properties" in prop:
        return msg("form_diff.kind.group")
    return msg("form_diff.kind.other")


def options_of(prop: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """(value, label) of each choice a field offers (its items' for a list), or None."""
    items = prop.get("items")
    if prop.get("type") == "array" and isinstance(items, Mapping):
        prop = items
    values = prop.get("enum")
    if isinstance(values, list):
        names = prop.get("enumNames")
        names = names if isinstance(names, list) and len(names) == len(values) else values
        return [(_key(v), plain_text(n)) for v, n in zip(values, names, strict=True)
                if v is not None]
    for keyword in ("oneOf", "anyOf"):
        options = prop.get(keyword)
        if isinstance(options, list) and options and all(
                isinstance(o, Mapping) and "const" in o for o in options):
            return [(_key(o["const"]), plain_text(o.get("title") or o["const"]))
                    for o in options]
    return None


def option_changes(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> list[Msg]:
    """选项增加「退回」, 选项删除…, 选项「a」改为「b」, 选项顺序调整."""
    old, new = dict(before), dict(after)
    said = [msg("form_diff.option_renamed", before=old[v], after=label)
            for v, label in after if v in old and old[v] != label]
    said += [msg("form_diff.option_added", option=label) for v, label in after if v not in old]
    said += [msg("form_diff.option_removed", option=label) for v, label in before
             if v not in new]
    kept_before = [v for v, _ in before if v in new]
    if kept_before != [v for v, _ in after if v in old]:
        said.append(msg("form_diff.options_reordered"))
    return said


def changed(what: str, before: Msg, after: Msg) -> Msg:
    return msg("form_diff.set", what=msg(f"form_diff.kw.{what}"), before=before, after=after)


def plain_text(value: Any) -> str:
    text = value if isinstance(value, str) else _number_or_json(value)
    return text if len(text) <= _LONGEST else text[:_LONGEST] + "…"


def plain(value: Any) -> Msg:
    """Any value as it reads: 是/否, a number, a quoted text, a list joined."""
    if value is None:
        return msg("form_diff.none")
    if isinstance(value, bool):
        return msg("form_diff.yes" if value else "form_diff.no")
    if isinstance(value, int | float):
        return msg("text", text=_number_or_json(value))
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return msg("text", text=_cut([plain_text(v) for v in value]))
    return msg("form_diff.quoted", text=plain_text(value))


def _cut(items: list[str]) -> list[str]:
    """A list's first items, up to about _LONGEST characters (joined each language's way)."""
    kept: list[str] = []
    length = 0
    for item in items:
        if kept and length + len(item) > _LONGEST:
            return [*kept, "…"]
        kept.append(item)
        length += len(item) + 1
    return kept


def _number_or_json(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _key(value: Any) -> str:
    """An option's identity: its value's repr, so 1 and "1" stay two options."""
    return repr(value)


def _text(what: str) -> Callable[[Any, Any], list[Msg]]:
    return lambda a, b: [changed(what, plain(a), plain(b))]


def _limit(what: str) -> Callable[[Any, Any], list[Msg]]:
    def said(a: Any, b: Any) -> list[Msg]:
        return [changed(what, msg("form_diff.no_limit") if a is None else plain(a),
                        msg("form_diff.no_limit") if b is None else plain(b))]
    return said


def _flag(what: str, absent: bool = False) -> Callable[[Any, Any], list[Msg]]:
    def said(a: Any, b: Any) -> list[Msg]:
        return [changed(what, plain(absent if a is None else a),
                        plain(absent if b is None else b))]
    return said


def _named(what: str, names: Mapping[str, str], absent: str) -> Callable[[Any, Any], list[Msg]]:
    def name(value: Any) -> Msg:
        if value is None:
            return msg(absent)
        source = value.get("from") if isinstance(value, Mapping) else None
        if isinstance(source, str):  # x-default {"from": field}
            return msg("form_diff.prefill.from", field=source)
        return msg(names[value]) if isinstance(value, str) and value in names else plain(value)
    return lambda a, b: [changed(what, name(a), name(b))]


def _roles(a: Any, b: Any) -> list[Msg]:
    def named(value: Any) -> Msg:
        if value is None:
            return msg("form_diff.everyone")
        if isinstance(value, list) and all(isinstance(r, str) for r in value):
            return msg("text", text=[role_name(r) for r in value])  # in the reader's words
        return plain(value)
    return [changed("x-confidential", named(a), named(b))]


def _files(a: Any, b: Any) -> list[Msg]:
    """x-file's parts one by one: 文件类型, 文件数上限, 单个文件大小上限."""
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return [msg("form_diff.setting_changed", setting=msg("form_diff.kind.file"))]
    shown = [changed(part, msg("form_diff.default") if a.get(part) is None else plain(a[part]),
                     msg("form_diff.default") if b.get(part) is None else plain(b[part]))
             for part in _FILE_PARTS if a.get(part) != b.get(part)]
    rest = sorted((set(a) | set(b)) - set(_FILE_PARTS))
    if any(a.get(k) != b.get(k) for k in rest):
        shown.append(msg("form_diff.other", keywords=[f"x-file.{k}" for k in rest]))
    return shown


def _setting(what: str) -> Callable[[Any, Any], list[Msg]]:
    """A picker's or rule's setting: whether it is set and that it changed, not its JSON."""
    def said(a: Any, b: Any) -> list[Msg]:
        setting = msg(f"form_diff.kw.{what}")
        if a is None:
            return [msg("form_diff.setting_added", setting=setting)]
        if b is None:
            return [msg("form_diff.setting_removed", setting=setting)]
        return [msg("form_diff.setting_changed", setting=setting)]
    return said


# keyword -> how its change reads, given the value before and after (None: absent)
DESCRIBERS: dict[str, Callable[[Any, Any], list[Msg]]] = {
    **{k: _text(k) for k in ("title", "description", "pattern", "x-pattern-message", "format",
                             "x-unit", "default", "const", "x-catalogue")},
    **{k: _limit(k) for k in ("maxLength", "minLength", "maximum", "minimum",
                              "exclusiveMaximum", "exclusiveMinimum", "maxItems", "minItems",
                              "multipleOf")},
    **{k: _flag(k) for k in ("readOnly", "uniqueItems", "x-phrases", "x-business-key",
                             "x-internal", "x-acknowledgement")},
    "additionalProperties": _flag("additionalProperties", absent=True),
    "x-widget": _named("x-widget", _WIDGETS, "form_diff.default"),
    "x-default": _named("x-default", _PREFILLS, "form_diff.none"),
    "x-confidential": _roles,
    "x-file": _files,
    **{k: _setting(k) for k in ("x-org-unit", "x-user", "x-policy", "x-starter", "x-case-of",
                                "x-case-awaits", "x-case-facts", "x-urges")},
}
