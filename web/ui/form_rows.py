"""A list field of objects (``"type": "array"`` of ``"type": "object"`` items) posted as a
table: one input per row and column (``enterprises[0][amount]``), a 移除 box per row
(``enterprises[remove]``, the row's number) and a paste box (``enterprises[paste]``) that takes
rows copied from Excel or WPS: tab-separated, one line per row, the first line optionally the
column titles. Each filled cell becomes its column's type (web/ui/form_values.py); a cell of a
list column holds its items separated by 、 or a semicolon, or one a line.

A paste never loses a cell silently: a line with more cells than the table has columns (or
than its title line names), or a title line naming columns the table lacks, refuses the paste,
saying which line and how many columns. The page's script (static/js/rows.js) fills the table
from the paste box as the clerk pastes, and refuses the same pastes in the same words; without
it the server reads the box, so both ways end in the same rows. Without it the 添加一行 button
(``enterprises[add]``) sends the form to be shown again, with a blank row more."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict

from engine import Msg, msg
from web.ui.form_values import value_of

if TYPE_CHECKING:
    from web.ui.forms import Field

Row = dict[str, str]
MAX_ROWS = 2000  # rows read from one post (the schema's maxItems says the form's own limit)
_CELL = re.compile(r"\[(\d{1,6})\]\[([^\]]+)\]")
_UNIT = re.compile(r"[（(][^）)]*[）)]$")  # "核定兑付金额（元）" is also headed 核定兑付金额
_ITEM_BREAK = re.compile(r"[、;；\n]")
# a header's row numbers, as the table's own first column: 序号, or No. or # in English
_ROW_NO = {"序号", "no.", "no", "#"}


@dataclass(frozen=True)
class Column:
    name: str
    title: str

    def heads(self) -> set[str]:
        """What a spreadsheet's header cell may say for this column: its title, or its name,
        also written as English words (credit_code: Credit code); a unit after either aside
        (:func:`_head`)."""
        return {_bare(self.name), _bare(self.name.replace("_", "")), _bare(self.title),
                _bare(_UNIT.sub("", self.title))}


@dataclass(frozen=True)
class Posted:
    """A table as posted: ``rows`` the filled ones, typed then pasted; ``blanks`` how many of
    the table's rows came empty (not ticked 移除); ``refused`` what is wrong with the paste
    box, whose rows are then not taken (``paste`` is its text, to show again)."""

    rows: list[Row]
    blanks: int = 0
    refused: Msg | None = None
    paste: str = ""


def posted_rows(form: MultiDict[str, str], name: str, columns: Sequence[Column]
                ) -> Posted | None:
    """The table's rows as typed, then the pasted ones; empty rows and rows ticked 移除 left
    out. None when the post has no part of this field (a form without it)."""
    known = {c.name for c in columns}
    removed = set(form.getlist(f"{name}[remove]"))
    cells: dict[int, Row] = {}
    present = f"{name}[paste]" in form
    for key, value in form.items(multi=True):
        if not key.startswith(name + "["):
            continue
        match = _CELL.fullmatch(key, len(name))
        if match and match[2] in known and match[1] not in removed:
            present = True
            cells.setdefault(int(match[1]), {})[match[2]] = value
    if not present:
        return None
    typed = [cells[i] for i in sorted(cells)]
    paste = form.get(f"{name}[paste]", "")
    pasted, refused = read_paste(paste, columns)
    rows = [{c.name: row.get(c.name, "").strip() for c in columns}
            for row in [*typed, *pasted] if any(v.strip() for v in row.values())][:MAX_ROWS]
    blanks = sum(1 for row in typed if not any(v.strip() for v in row.values()))
    return Posted(rows, blanks, refused, paste if refused else "")


def read_paste(text: str, columns: Sequence[Column]) -> tuple[list[Row], Msg | None]:
    """Spreadsheet rows: cells in the table's column order, or in the order a header line
    names them (a column the header does not name is left empty; its 序号 column, No. or #
    in English, is skipped). Nothing is dropped silently: a line with cells beyond the
    table's columns (or beyond the header's, or under a blank title), or a header naming
    columns the table lacks, refuses the paste."""
    if not text.strip():
        return [], None
    records = list(csv.reader(io.StringIO(text.strip("\r\n")), delimiter="\t"))
    lines = [(n, line) for n, line in enumerate(records, 1) if any(c.strip() for c in line)]
    if not lines:
        return [], None
    order: list[str | None] = [c.name for c in columns]
    titles = lines[0][1]
    header = _header(titles, columns)
    untitled: set[int] = set()  # blank title cells: what is under them would be lost
    if header is not None:
        unknown = [cell.strip() for cell, named in zip(titles, header, strict=True)
                   if cell.strip() and not named and _bare(cell) not in _ROW_NO]
        if unknown:
            return [], msg("field.paste_unknown_titles", titles=unknown,
                           columns=[c.title for c in columns])
        order, lines = header[:_width(titles)], lines[1:]
        untitled = {k for k, cell in enumerate(titles[:len(order)]) if not cell.strip()}
    lines = lines[:MAX_ROWS]
    for number, line in lines:
        if _width(line) > len(order):
            key = "field.paste_beyond_titles" if header else "field.paste_too_many_columns"
            return [], msg(key, line=number, found=_width(line), expected=len(order))
        filled = [k for k in untitled if k < len(line) and line[k].strip()]
        if filled:
            return [], msg("field.paste_untitled_column", line=number, column=min(filled) + 1)
    return [{name: cell.strip() for name, cell in zip(order, line, strict=False) if name}
            for _, line in lines], None


def _width(line: Sequence[str]) -> int:
    """How many cells a line has up to its last filled one (a spreadsheet's copied range may
    end in empty cells)."""
    filled = [n for n, cell in enumerate(line, 1) if cell.strip()]
    return filled[-1] if filled else 0


def _header(line: Sequence[str], columns: Sequence[Column]) -> list[str | None] | None:
    """The column each cell of a header line names, or None when the line is data: a header
    names a column in at least half of its filled cells (序号 aside). A cell names a column
    with or without a unit after it (Amount (yuan) names amount)."""
    heads: dict[str, str] = {}
    for column in columns:  # the first column a head names, as the page's script reads it
        for head in column.heads() - heads.keys():
            if head:
                heads[head] = column.name
    named = [heads.get(_bare(cell)) or heads.get(_bare(_UNIT.sub("", cell.strip())))
             for cell in line]
    filled = sum(1 for cell in line if cell.strip() and _bare(cell) not in _ROW_NO)
    hits = sum(1 for n in named if n)
    return named if hits and hits * 2 >= filled else None


def _bare(text: str) -> str:
    """A title as typed in a header cell: without spaces, the 必填 star or a colon."""
    return re.sub(r"[\s*＊:：]", "", text).casefold()


def items_of(columns: Sequence[Field], rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The list's items: each filled cell as its column's type (an empty cell is left out, as
    an empty field is)."""
    return [{c.name: _cell(c, row[c.name]) for c in columns if row.get(c.name)} for row in rows]


def _cell(column: Field, raw: str) -> Any:
    if column.kind in ("lines", "checkboxes"):  # a list in one cell: 甲、乙 or one a line
        items = split_items(raw)
        by_label = {c.label: c.value for c in column.choices}
        by_key = {c.key: c.value for c in column.choices}
        return [by_label.get(i, by_key.get(i, i)) for i in items] if column.choices else items
    if column.kind in ("boolean", "checkbox"):  # a spreadsheet says 是/否
        return {"是": True, "否": False, "true": True, "false": False}.get(raw, raw)
    if column.kind == "select":  # a choice pasted as its label
        by_label = {c.label: c.key for c in column.choices}
        raw = by_label.get(raw, raw)
    if column.kind == "number" and column.money:  # ¥100,000.00 as a spreadsheet shows it
        raw = raw.lstrip("¥￥").removesuffix(column.money).strip()
    return value_of(column, raw)


def split_items(raw: str) -> list[str]:
    """A cell's list: items separated by 、 or a semicolon, or one a line."""
    return [item.strip() for item in _ITEM_BREAK.split(raw) if item.strip()]


def items_text(items: Sequence[str]) -> str:
    """A list as its cell shows it: 甲、乙, or one a line when an item holds a separator."""
    if any(_ITEM_BREAK.search(item) for item in items):
        return "\n".join(items)
    return "、".join(items)


def shown_rows(value: object) -> list[Mapping[str, object]]:
    """The items of a case's list, for the table (anything else shows no rows)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def read_table(f: Field, form: MultiDict[str, str], data: dict[str, Any],
               typed: dict[str, Any]) -> Posted | None:
    """A table's rows, typed and pasted, each cell as its column's type (an empty cell is
    left out, as an empty field is); no rows leave the field out. A refused paste is kept
    in its box (``<table>[paste]``)."""
    columns = [Column(c.name, c.title) for c in f.columns]
    posted = posted_rows(form, f.name, columns)
    if posted is None:
        return None
    typed[f.name] = posted.rows
    if posted.refused:
        typed[f"{f.name}[paste]"] = posted.paste
    if posted.rows:
        data[f.name] = items_of(f.columns, posted.rows)
    return posted


def blank_rows(filled: bool) -> int:
    """The blank rows a table offers to type into without the page's script (the page
    shows ``<table>[blank]`` of them when the values say)."""
    return 2 if filled else 3


def json_example(prop: Any) -> str:
    """A value of the schema's shape, to show what a JSON cell takes."""
    return json.dumps(_example(prop), ensure_ascii=False)


def _example(prop: Any, depth: int = 0) -> Any:
    if not isinstance(prop, Mapping) or depth > 4:
        return "…"
    options = prop.get("enum") or [o.get("const") for o in prop.get("oneOf") or []
                                    if isinstance(o, Mapping)]
    if isinstance(options, list) and options:
        return options[0]
    kind = prop.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "array":
        return [_example(prop.get("items"), depth + 1)]
    props = prop.get("properties")
    if kind == "object" or isinstance(props, Mapping):
        return {str(name): _example(sub, depth + 1)
                for name, sub in (props.items() if isinstance(props, Mapping) else [])}
    return {"number": 0, "integer": 0, "boolean": True, "null": None}.get(str(kind), "…")
