"""A list field of objects (``"type": "array"`` of ``"type": "object"`` items) posted as a
table: one input per row and column (``enterprises[0][amount]``), a 移除 box per row
(``enterprises[remove]``, the row's number) and a paste box (``enterprises[paste]``) that takes
rows copied from Excel or WPS: tab-separated, one line per row, the first line optionally the
column titles. Each filled cell becomes its column's type (web/ui/form_values.py).

The page's script (static/js/rows.js) fills the table from the paste box as the clerk pastes;
without it the server reads the box, so both ways end in the same rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict

from web.ui.form_values import value_of

if TYPE_CHECKING:
    from web.ui.forms import Field

Row = dict[str, str]
MAX_ROWS = 2000  # rows read from one post (the schema's maxItems says the form's own limit)
_CELL = re.compile(r"\[(\d{1,6})\]\[([^\]]+)\]")
_UNIT = re.compile(r"[（(][^）)]*[）)]$")  # "核定兑付金额（元）" is also headed 核定兑付金额


@dataclass(frozen=True)
class Column:
    name: str
    title: str

    def heads(self) -> set[str]:
        """What a spreadsheet's header cell may say for this column."""
        return {_bare(self.name), _bare(self.title), _bare(_UNIT.sub("", self.title))}


def posted_rows(form: MultiDict[str, str], name: str, columns: Sequence[Column]
                ) -> list[Row] | None:
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
    rows = [*typed, *pasted_rows(form.get(f"{name}[paste]", ""), columns)]
    return [{c.name: row.get(c.name, "").strip() for c in columns}
            for row in rows if any(v.strip() for v in row.values())][:MAX_ROWS]


def pasted_rows(text: str, columns: Sequence[Column]) -> list[Row]:
    """Spreadsheet rows: cells in the table's column order, or in the order a header line
    names them (a column the header does not name is left empty; a header cell that names no
    column, 序号 say, is skipped)."""
    if not text.strip():
        return []
    lines = [line for line in csv.reader(io.StringIO(text.strip("\r\n")), delimiter="\t")
             if any(cell.strip() for cell in line)]
    if not lines:
        return []
    order: list[str | None] = [c.name for c in columns]
    header = _header(lines[0], columns)
    if header is not None:
        order, lines = header, lines[1:]
    return [{name: cell.strip() for name, cell in zip(order, line, strict=False) if name}
            for line in lines[:MAX_ROWS]]


def _header(line: Sequence[str], columns: Sequence[Column]) -> list[str | None] | None:
    """The column each cell of a header line names, or None when the line is data: a header
    names a column in at least half of its filled cells."""
    heads = {head: c.name for c in columns for head in c.heads() if head}
    named = [heads.get(_bare(cell)) for cell in line]
    filled = sum(1 for cell in line if cell.strip())
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
    if column.kind in ("boolean", "checkbox"):  # a spreadsheet says 是/否
        return {"是": True, "否": False, "true": True, "false": False}.get(raw, raw)
    if column.kind == "select":  # a choice pasted as its label
        by_label = {c.label: c.key for c in column.choices}
        raw = by_label.get(raw, raw)
    if column.kind == "number" and column.money:  # ¥100,000.00 as a spreadsheet shows it
        raw = raw.lstrip("¥￥").removesuffix(column.money).strip()
    return value_of(column, raw)


def shown_rows(value: object) -> list[Mapping[str, object]]:
    """The items of a case's list, for the table (anything else shows no rows)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
