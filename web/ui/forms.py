"""JSON Schema forms on the server: the fields to render and the values to show in them (what
a browser posts back is read in web/ui/form_posts.py). Validation itself is the engine's
(InvalidData.field_errors); a value that cannot be coerced is passed on as typed, so the
engine names the problem beside the field.

Supported: string (text; ``"x-widget": "textarea"``), number, integer, date and date-time
formats, choices from ``enum`` or ``oneOf``/``anyOf`` ``{"const", "title"}`` lists, boolean
(是/否 radio buttons; ``"x-widget": "checkbox"`` for a check box), arrays of strings (one per
line) or of choices (check boxes), arrays of objects whose properties are any of those single
values, lists of texts or choices (in one cell, 甲、乙) or else JSON (a cell with a hint that
shows its shape) (a table: a column per property, a row per item, a box to paste spreadsheet
rows into and a 添加一行 button that shows the form again with more blank rows;
web/ui/form_rows.py), objects whose properties are single values (a fieldset: read-only
properties shown as text, the others as inputs named ``enterprise[paid_amount]``; the
read-only values submitted are the task's own, never the posted ones), file fields
(``x-file``: an upload of several files; the files the case has in the field already are
kept unless unticked), unit fields
(``x-org-unit``: a text box that offers the directory's units, searched by any of their
names, within the task's area when the field says so; the engine refuses a unit the
directory lacks or the field does not offer), person fields (``x-user``: a text
box that offers the users the engine lists for the field, by display name and username; the
value is the username), policy fields (``x-policy``: a choice of the 惠企政策清单's policies the
engine lists for the field), catalogue fields (``x-catalogue``: a choice of the rows of a
catalogue such as the 中介服务事项清单), comment fields (``"x-phrases": true`` on a text
field: the user's 常用意见 offered beside it, js/phrases.js; a list: the field's own),
anything else as JSON text. A date or date-time field with ``"x-default": "now"`` starts at
the engine's clock (an integer field at this year); a field with ``"x-default": "blank"``
starts empty each time its task comes, whatever the case holds; ``"x-default": {"from":
...}`` starts a field at another's value. A field that follows a choice (the form's
if/then/else, engine's ``shown_when``) is marked for js/branches.js to hide, and what it
holds while its branch is not taken is left out of what is read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engine import (
    TZ,
    CatalogueItem,
    Person,
    Policy,
    ShownWhen,
    UnitDirectory,
    prefill_source,
    shown_when,
    unit_choices,
)
from web.ui import form_rows
from web.ui.fmt import money as money_text

# a table's rows: column -> text; an object's properties: name -> text
Display = str | list[str] | list[dict[str, str]] | dict[str, str]


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str

    @property
    def key(self) -> str:
        return _key(self.value)


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    kind: str  # text textarea number integer date datetime select boolean checkbox lines
    #           checkboxes rows object json
    required: bool
    description: str = ""
    unit: str = ""  # shown after the input (unless the title says it)
    money: str = ""  # an amount's unit (元, 万元): the case shows 480,000元
    choices: list[Choice] = field(default_factory=list)
    readonly: bool = False
    accept: str = ""  # file fields: the upload's accept attribute
    max_files: int = 0  # file fields: how many files at most
    # catalogue fields: each row's number -> its unit and details, for the page's script to
    # fill the form's read-only details and follow the proposed unit (catalogue.js)
    catalogue: str = ""
    columns: list[Field] = field(default_factory=list)  # a table's (kind rows), an object's
    example: str = ""  # a JSON column's value as an example of its shape
    phrases: bool = False  # a comment field: 常用意见 offered beside it ("x-phrases": true)
    # the field's own phrases ("x-phrases": [...]), offered instead of the user's
    own_phrases: tuple[str, ...] = ()
    max_length: int = 0  # a text's or textarea's most characters (maxLength), said by a hint
    pattern: str = ""  # a text's pattern: what a Chinese input method typed is read to fit it
    # the ways a choice of the form shows the field (its if/then/else); none: always shown
    shown_when: tuple[ShownWhen, ...] = ()
    prefill_from: str = ""  # an object's property starts at this one's value ("x-default")
    redo: bool = False  # offered because its step is done again ("x-redo"): apart

    @property
    def shown_when_json(self) -> str:
        """``shown_when`` for the page's script (js/branches.js), each choice by its key."""
        return json.dumps([{"field": w.field, "in": [_key(v) for v in w.values],
                            "not": w.negate, "empty": w.when_empty, "required": w.required}
                           for w in self.shown_when],
                          ensure_ascii=False)


# What the browser's file picker offers per kind of engine/files/sniff.py (the server checks
# the content whatever the picker allowed).
_ACCEPT = {"pdf": ".pdf", "image": ".png,.jpg,.jpeg,.gif,.webp",
           "office": ".doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.dps", "zip": ".zip"}


def _key(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _type_of(prop: Mapping[str, Any]) -> str | None:
    kind = prop.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if kinds else None
    return kind if isinstance(kind, str) else None


def _choices(prop: Mapping[str, Any]) -> list[Choice]:
    if isinstance(prop.get("enum"), list):
        return [Choice(v, str(v)) for v in prop["enum"] if v is not None]
    for keyword in ("oneOf", "anyOf"):
        options = prop.get(keyword)
        if isinstance(options, list) and options and all(
                isinstance(o, dict) and "const" in o for o in options):
            return [Choice(o["const"], str(o.get("title") or o["const"])) for o in options]
    return []


def fields_of(schema: Mapping[str, Any] | None, units: UnitDirectory | None = None,
              people: Mapping[str, list[Person]] | None = None,
              policies: Mapping[str, list[Policy]] | None = None,
              catalogues: Mapping[str, list[CatalogueItem]] | None = None,
              area_of: str | None = None) -> list[Field]:
    """``units``: the directory that unit fields offer (``area_of``: the unit whose area a
    field with ``"within": "case_area"`` keeps to, the task's or else the user's);
    ``people``: the users each person field offers (Engine.person_choices); ``policies``:
    the policies each policy field offers (Engine.policy_choices); ``catalogues``: the rows
    each catalogue field offers (Engine.catalogue_choices). Without them such fields are
    text boxes."""
    if not schema:
        return []
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    ways = shown_when(schema)
    return [replace(f, shown_when=ways.get(f.name, ()), redo=props[f.name].get("x-redo") is True)
            for f in (_one_field(name, prop, name in required, units, people or {},
                                 policies or {}, catalogues or {}, area_of)
                      for name, prop in props.items()
                      if isinstance(prop, dict) and not prop.get("x-hidden"))]


def _one_field(name: str, prop: Mapping[str, Any], required: bool,
               units: UnitDirectory | None, people: Mapping[str, list[Person]],
               policies: Mapping[str, list[Policy]],
               catalogues: Mapping[str, list[CatalogueItem]], area_of: str | None) -> Field:
    if units and "x-org-unit" in prop:
        return _unit_field(name, prop, required, units, area_of)
    if catalogues.get(name):
        rows = {i.value: {"unit": i.unit, "details": dict(i.details)} for i in catalogues[name]}
        return Field(name=name, title=str(prop.get("title") or name), kind="select",
                     required=required, description=str(prop.get("description") or ""),
                     choices=[Choice(i.value, i.label) for i in catalogues[name]],
                     readonly=bool(prop.get("readOnly")),
                     catalogue=json.dumps(rows, ensure_ascii=False, sort_keys=True))
    if policies.get(name):
        return Field(name=name, title=str(prop.get("title") or name), kind="select",
                     required=required, description=str(prop.get("description") or ""),
                     choices=[Choice(p.policy_id, p.label) for p in policies[name]],
                     readonly=bool(prop.get("readOnly")))
    if name in people:
        return Field(name=name, title=str(prop.get("title") or name), kind="user",
                     required=required, description=str(prop.get("description") or ""),
                     choices=[Choice(p.username, p.label) for p in people[name]],
                     readonly=bool(prop.get("readOnly")))
    return _field(name, prop, required)


def _unit_field(name: str, prop: Mapping[str, Any], required: bool,
                units: UnitDirectory, area_of: str | None) -> Field:
    """A unit picker: its choices show each unit's full name and aliases, to search by."""
    choices = [Choice(u.name, "　".join(dict.fromkeys((u.full_name, *u.aliases))))
               for u in unit_choices(units, prop["x-org-unit"], area_of)]
    return Field(name=name, title=str(prop.get("title") or name), kind="unit",
                 required=required, description=str(prop.get("description") or ""),
                 choices=choices, readonly=bool(prop.get("readOnly")))


def _field(name: str, prop: Mapping[str, Any], required: bool) -> Field:
    kind = _type_of(prop)
    widget = prop.get("x-widget")
    choices = _choices(prop)
    spec = prop.get("x-file")
    if isinstance(spec, dict):
        given = spec.get("accept")
        accept: list[str] = given if isinstance(given, list) else list(_ACCEPT)
        return Field(name=name, title=str(prop.get("title") or name), kind="files",
                     required=required, description=str(prop.get("description") or ""),
                     readonly=bool(prop.get("readOnly")),
                     accept=",".join(_ACCEPT[k] for k in accept if k in _ACCEPT),
                     max_files=int(spec.get("max_files") or 10))
    if kind == "array":
        raw_items = prop.get("items")
        items: Mapping[str, Any] = raw_items if isinstance(raw_items, dict) else {}
        item_choices = _choices(items)
        columns = _columns(items)
        if columns:
            return Field(name=name, title=str(prop.get("title") or name), kind="rows",
                         required=required, description=str(prop.get("description") or ""),
                         readonly=bool(prop.get("readOnly")), columns=columns)
        widget_kind = "checkboxes" if item_choices else (
            "lines" if _type_of(items) in ("string", None) else "json")
        choices = item_choices
    elif kind == "object" and _parts(prop):
        return Field(name=name, title=str(prop.get("title") or name), kind="object",
                     required=required, description=str(prop.get("description") or ""),
                     readonly=bool(prop.get("readOnly")), columns=_parts(prop))
    elif choices:
        widget_kind = "select"
    elif kind == "boolean":
        widget_kind = "checkbox" if widget == "checkbox" else "boolean"
    elif kind in ("number", "integer"):
        widget_kind = kind
    elif kind == "string" or kind is None:
        fmt = prop.get("format")
        widget_kind = {"date": "date", "date-time": "datetime",
                       "credit-code": "credit_code"}.get(str(fmt), "text")
        if widget == "textarea":
            widget_kind = "textarea"
    else:
        widget_kind = "json"
    title, unit = str(prop.get("title") or name), str(prop.get("x-unit") or "")
    return Field(
        name=name, title=title, kind=widget_kind, required=required,
        description=str(prop.get("description") or ""),
        unit="" if f"（{unit}）" in title else unit,  # "申请金额（元）" says it already
        money=unit if unit.endswith("元") and widget_kind in ("number", "integer") else "",
        choices=choices, readonly=bool(prop.get("readOnly")),
        phrases=bool(prop.get("x-phrases")) and widget_kind in ("text", "textarea"),
        own_phrases=tuple(prop["x-phrases"]) if isinstance(prop.get("x-phrases"), list) else (),
        max_length=_max_length(prop) if widget_kind in ("text", "textarea") else 0,
        pattern=str(prop.get("pattern") or "") if widget_kind == "text" else "",
        prefill_from=prefill_source(prop) or "",
    )


def _max_length(prop: Mapping[str, Any]) -> int:
    most = prop.get("maxLength")
    return most if isinstance(most, int) and not isinstance(most, bool) and most > 0 else 0


_CELL_KINDS = {"text", "textarea", "number", "integer", "date", "datetime", "credit_code",
               "select", "boolean", "checkbox", "lines", "checkboxes", "json"}


def _columns(items: Mapping[str, Any]) -> list[Field]:
    """A table's columns, one per property of the items: none (the list stays JSON text)
    unless every property is something a cell can hold: a single value, a list of texts or
    choices (甲、乙 in one cell), or JSON under a hint that shows its shape."""
    props = items.get("properties")
    if _type_of(items) != "object" or not isinstance(props, dict) or not props:
        return []
    required = set(items.get("required") or [])
    columns = [_field(n, p, n in required) for n, p in props.items() if isinstance(p, dict)]
    columns = [replace(c, kind="json", columns=[]) if c.kind == "rows" else c for c in columns]
    if len(columns) != len(props) or any(c.kind not in _CELL_KINDS for c in columns):
        return []
    return [replace(c, example=form_rows.json_example(props[c.name]))
            if c.kind == "json" else c for c in columns]


_PART_KINDS = _CELL_KINDS - {"lines", "checkboxes", "json"}


def _parts(prop: Mapping[str, Any]) -> list[Field]:
    """An object's fields, one per property: none (the object stays JSON text) unless every
    property is a single value."""
    props = prop.get("properties")
    if not isinstance(props, dict) or not props:
        return []
    required = set(prop.get("required") or [])
    parts = [_field(n, p, n in required) for n, p in props.items() if isinstance(p, dict)]
    if len(parts) != len(props) or any(p.kind not in _PART_KINDS for p in parts):
        return []
    return parts


# -- data -> strings to show ---------------------------------------------------------------

def earlier_answers(schema: Mapping[str, Any] | None, data: Mapping[str, Any]
                    ) -> dict[str, Any]:
    """The case data a task's form starts from: all of it but the fields asked afresh each
    time the task comes (``"x-default": "blank"``): an approver deciding on a revised
    proposal does not find the last round's 退回重拟 and its comment already filled in."""
    props = (schema or {}).get("properties") or {}
    return {k: v for k, v in data.items()
            if not (isinstance(props.get(k), dict) and props[k].get("x-default") == "blank")}


def display_values(fields: list[Field], data: Mapping[str, Any],
                   schema: Mapping[str, Any] | None = None,
                   now: datetime | None = None) -> dict[str, Display]:
    """Initial input values: the case data where the form names it, else the field it starts
    from (``"x-default": {"from": ...}``), else the default; a date or date-time field with
    ``"x-default": "now"`` shows ``now`` (the engine's clock), an integer field this year."""
    props = (schema or {}).get("properties") or {}
    out: dict[str, Display] = {}
    for f in fields:
        given = props.get(f.name)
        prop: Mapping[str, Any] = given if isinstance(given, dict) else {}
        source = prefill_source(prop)
        if f.name in data:
            value = _prefilled_parts(f, data[f.name], data)
        elif source is not None and data.get(source) is not None:
            value = data[source]
        elif "default" in prop:
            value = prop["default"]
        elif prop.get("x-default") == "now" and now is not None and f.kind == "datetime":
            value = now.isoformat()
        elif prop.get("x-default") == "now" and now is not None and f.kind == "date":
            value = now.astimezone(TZ).date().isoformat()
        elif prop.get("x-default") == "now" and now is not None and f.kind == "integer":
            value = now.astimezone(TZ).year  # a year, as "now" means in x-checks
        else:
            continue
        out[f.name] = _display(f, value)
    return out


def _prefilled_parts(f: Field, value: Any, data: Mapping[str, Any]) -> Any:
    """An object with each property it lacks that starts from another (``"x-default":
    {"from": ...}``) at that one's value: another property of it first, then the case's."""
    if f.kind != "object" or not isinstance(value, Mapping):
        return value
    starts = {p.name: value.get(p.prefill_from, data.get(p.prefill_from))
              for p in f.columns if p.prefill_from and p.name not in value}
    return {**{k: v for k, v in starts.items() if v is not None}, **value}


def shown_again(fields: list[Field], typed: Mapping[str, Display], data: Mapping[str, Any],
                schema: Mapping[str, Any] | None = None) -> dict[str, Display]:
    """What a form sent back with errors shows: what was typed, and the read-only fields (not
    posted) from the case, or from the catalogue row typed when another was picked."""
    readonly = [f for f in fields if f.readonly]
    values = display_values(readonly, data, schema)
    names = {f.name for f in readonly}
    objects: dict[str, Display] = {}
    for f in fields:  # an object's read-only properties as given, the rest as typed
        again = typed.get(f.name)
        if f.kind == "object" and not f.readonly and isinstance(again, dict):
            base = _display(f, data.get(f.name))
            objects[f.name] = {**(base if isinstance(base, dict) else {}), **again}
    for f in fields:
        picked = typed.get(f.name)
        if not f.catalogue or not isinstance(picked, str) or picked == _key(data.get(f.name)):
            continue
        rows = json.loads(f.catalogue)
        details = (rows.get(picked) or {}).get("details") or {}
        for name in {n for row in rows.values() for n in row.get("details") or {}} & names:
            values[name] = str(details.get(name, ""))
    return {**values, **typed, **objects}


def _display(f: Field, value: Any) -> Display:
    if f.kind == "object":
        given = value if isinstance(value, Mapping) else {}
        return {p.name: _part_text(p, given[p.name]) for p in f.columns if p.name in given}
    if f.kind == "rows":
        return [{c.name: _cell_text(c, row.get(c.name)) for c in f.columns}
                for row in form_rows.shown_rows(value)]
    if f.kind == "files":
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    if f.kind == "checkboxes":
        return [_key(v) for v in value] if isinstance(value, list) else []
    if f.kind in ("boolean", "checkbox"):
        return "true" if value is True else "false" if value is False else ""
    if f.kind == "select":
        return _key(value)
    if f.kind == "user":  # the picker's label (刘洋（浮梁县纪委监委）), not the username
        return next((c.label for c in f.choices if c.value == value), _key(value))
    if f.kind == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if f.kind == "datetime" and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(TZ)
        return parsed.strftime("%Y-%m-%dT%H:%M")
    if f.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _cell_text(column: Field, value: Any) -> str:
    if value is None:
        return ""
    if column.kind in ("lines", "checkboxes") and isinstance(value, list):  # 甲、乙
        labels = {c.key: c.label for c in column.choices}
        return form_rows.items_text([labels.get(_key(v), _key(v)) for v in value])
    shown = _display(column, value)
    return shown if isinstance(shown, str) else ""


def _part_text(part: Field, value: Any) -> str:
    """An object's property: as its input holds it, or a read-only one as the page shows it
    (480,000元, a choice's label)."""
    if not part.readonly or value is None:
        return _cell_text(part, value)
    if part.money and isinstance(value, int | float) and not isinstance(value, bool):
        return money_text(value, part.unit)
    if part.choices:
        return next((c.label for c in part.choices if c.value == value), _key(value))
    return _cell_text(part, value)


def part_named(part: Field, name: str) -> Field:
    """An object's property as an input of the form (``enterprise[paid_amount]``)."""
    return replace(part, name=name)


def labels_of(schema: Mapping[str, Any] | None) -> dict[str, str]:
    """Field name -> Chinese title, for showing case data."""
    return {f.name: f.title for f in fields_of(schema)}


def choice_label(fields: list[Field], name: str, value: Any) -> str | None:
    for f in fields:
        if f.name == name:
            for choice in f.choices:
                if choice.value == value:
                    return choice.label
    return None
