"""A posted form read back: the strings a browser sends, as the data the engine checks, what
the user typed (to show again when the engine refuses it), and the files picked. The fields
are web/ui/forms.py's; each string becomes the schema's type in web/ui/form_values.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from engine import Msg, Upload, hidden_fields
from web.ui import form_rows
from web.ui.form_values import value_of
from web.ui.forms import Display, Field


@dataclass(frozen=True)
class Posted:
    """A posted form: ``data`` for the engine, ``typed`` what the user typed (to show again),
    ``refused`` what the form itself refuses before the engine sees anything (a paste box
    whose lines do not fit its table, keyed ``<table>.paste``), ``adding`` the table whose
    添加一行 was pressed: the form is shown again, with more blank rows, and not submitted."""

    data: dict[str, Any]
    typed: dict[str, Display]
    refused: dict[str, Msg] = field(default_factory=dict)
    adding: str | None = None

    @property
    def submits(self) -> bool:
        return not self.refused and self.adding is None


def coerce(fields: list[Field], form: MultiDict[str, str]) -> tuple[dict[str, Any],
                                                                      dict[str, Display]]:
    """(data for the engine, what the user typed, to show again)."""
    posted = read(fields, form)
    return posted.data, posted.typed


def read(fields: list[Field], form: MultiDict[str, str],
         given: Mapping[str, Any] | None = None) -> Posted:
    """``given``: the data the form was shown with (a task's own), where an object field's
    read-only properties come from."""
    data: dict[str, Any] = {}
    typed: dict[str, Display] = {}
    refused: dict[str, Msg] = {}
    adding = None
    for f in fields:
        if f.readonly:
            continue
        if f.kind == "files":  # the case's files ticked to keep; new ones come as uploads
            kept = form.getlist(f.name)
            typed[f.name] = kept
            if kept:
                data[f.name] = kept
            continue
        if f.kind == "rows":
            table = form_rows.read_table(f, form, data, typed)
            if table and table.refused:
                refused[f"{f.name}.paste"] = table.refused
            if table and f"{f.name}[add]" in form:
                adding = f.name  # one blank row more than came blank, and at least the usual
                typed[f"{f.name}[blank]"] = str(max(table.blanks + 1,
                                                    form_rows.blank_rows(bool(table.rows))))
            continue
        if f.kind == "object":
            _read_object(f, form, (given or {}).get(f.name), data, typed)
            continue
        if f.kind == "checkboxes":
            picked = form.getlist(f.name)
            typed[f.name] = picked
            by_key = {c.key: c.value for c in f.choices}
            if picked or f.name in form:
                data[f.name] = [by_key.get(p, p) for p in picked]
            continue
        posted = form.getlist(f.name)
        if len(posted) > 1:  # one field, several values: not from our form; the engine says
            typed[f.name] = posted[0]  # which type it wants
            data[f.name] = posted
            continue
        if f.kind == "checkbox":
            typed[f.name] = "true" if form.get(f.name) else ""
            data[f.name] = bool(form.get(f.name))
            continue
        raw = form.get(f.name, "")
        typed[f.name] = raw
        if raw.strip() == "":
            continue
        data[f.name] = value_of(f, raw)
    # what the branch not taken holds is left out (it is hidden on the page; kept as typed)
    hidden = hidden_fields({f.name: f.shown_when for f in fields if f.shown_when}, data)
    data = {k: v for k, v in data.items() if k not in hidden}
    return Posted(data, typed, refused, adding)


def draft_data(fields: list[Field], posted: Posted) -> dict[str, Any]:
    """What 暂存 keeps of a posted form: its data, and each field left blank as blank (a
    field cleared is restored empty, not as the value the form started from)."""
    cleared = {f.name: "" for f in fields
               if not f.readonly and f.kind not in ("files", "rows", "object")
               and f.name not in posted.data and posted.typed.get(f.name) in ("", [])}
    return {**cleared, **posted.data}


def _read_object(f: Field, form: MultiDict[str, str], given: Any, data: dict[str, Any],
                 typed: dict[str, Display]) -> None:
    """An object's editable properties as posted (``enterprise[paid_amount]``) over its
    read-only ones as given; none posted leaves the field out."""
    if not any(key.startswith(f"{f.name}[") for key in form):
        return
    value = {p.name: given[p.name] for p in f.columns
             if p.readonly and isinstance(given, Mapping) and p.name in given}
    shown: dict[str, str] = {}
    for part in f.columns:
        if part.readonly:
            continue
        raw = form.get(f"{f.name}[{part.name}]", "")
        if part.kind == "checkbox":
            shown[part.name] = "true" if raw else ""
            value[part.name] = bool(raw)
            continue
        shown[part.name] = raw
        if raw.strip():
            value[part.name] = value_of(part, raw)
    typed[f.name] = shown
    data[f.name] = value


def uploads(fields: list[Field], files: MultiDict[str, FileStorage]) -> list[Upload]:
    """The files picked in the form's file fields (an empty picker sends an empty part)."""
    out = []
    for f in fields:
        if f.kind != "files" or f.readonly:
            continue
        for storage in files.getlist(f.name):
            content = storage.read()
            if storage.filename or content:
                out.append(Upload(f.name, storage.filename or "", content))
    return out
