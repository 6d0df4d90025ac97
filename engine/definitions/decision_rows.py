"""A decision table (DMN) as rows of a spreadsheet, and back.

The catalogues the procedures look things up in (惠企政策清单, 告知承诺事项清单, 中介服务事项清单,
the credit repair routing) are DMN decision tables; the city keeps the real lists in
spreadsheets. A table reads as one column per input and per output, a cell as people write it:

    text and numbers      as they are (``"市发改委"`` reads 市发改委, ``20`` reads 20)
    a unit                its name (``directory_unit("jdz.fgw")`` reads 市发改委); a unit
                          column takes a unit's id, name or alias and is stored by id
    any value (inputs)    ``-``
    anything else         the expression after ``=`` (``=amount * 0.1``)

Loading rows checks all of them first and names every bad cell by its line; the table keeps
its inputs, outputs and catch-all rows (all inputs ``-``) when the file has none of its own.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import openpyxl
from lxml import etree

from engine.definitions.unit_checks import FUNCTION, directory_calls
from engine.definitions.xmlsafe import parse
from engine.errors import Problem, ValidationFailed
from engine.messages import Msg, msg
from engine.org.directory import Directory

ANY = "-"
NUMERIC = {"integer": int, "long": int, "double": float, "number": float}


@dataclass(frozen=True)
class Column:
    name: str  # the input's expression or the output's name
    label: str
    type_ref: str
    is_input: bool
    is_unit: bool = False

    @property
    def heading(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]  # cells as read (see the module's docstring)


def read(dmn: str, found: Directory | None = None) -> Table:
    """The first decision table of ``dmn`` with its cells as people write them."""
    return _read_table(_decision_table(dmn), found)


def read_element(decision: etree._Element, found: Directory | None = None) -> Table:
    """The decision table of one ``decision`` element (a file may hold several)."""
    table = next(decision.iter("{*}decisionTable"), None)
    if table is None:
        raise ValidationFailed([Problem("decision table", None, None, msg("table.none"))])
    return _read_table(table, found)


def _read_table(table: etree._Element, found: Directory | None) -> Table:
    columns = _columns(table)
    rows = []
    for rule in table.findall("{*}rule"):
        entries = rule.findall("{*}inputEntry") + rule.findall("{*}outputEntry")
        rows.append(tuple(_cell(e.findtext("{*}text") or "", c, found)
                          for e, c in zip(entries, columns, strict=False)))
    return Table(columns, tuple(rows))


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.heading for c in table.columns])
    writer.writerows(table.rows)
    return out.getvalue()


def rows_of_file(filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """(line, cells) of a .csv file as Excel writes it (UTF-8, a BOM allowed) or of the first
    sheet of an .xlsx file; blank lines skipped."""
    if filename.lower().endswith(".xlsx"):
        return _rows_of_xlsx(filename, content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed([Problem(filename, None, None, msg("table.not_utf8"))]) from None
    reader = csv.reader(io.StringIO(text))
    return [(reader.line_num, [c.strip() for c in cells]) for cells in reader
            if any(c.strip() for c in cells)]


def _rows_of_xlsx(filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed([Problem(filename, None, None, msg("table.not_xlsx"))]) \
            from None
    sheet = book.worksheets[0]
    rows: list[tuple[int, list[str]]] = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_xlsx_text(v) for v in values]
        if not any(cells):
            continue
        # a sheet's rows are all as wide as its widest: cut the empty cells past the heading
        width = len(rows[0][1]) if rows else len(cells) - next(
            (i for i, c in enumerate(reversed(cells)) if c), 0)
        while len(cells) > width and not cells[-1]:
            cells.pop()
        rows.append((line, cells))
    book.close()
    return rows


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def replace_rows(dmn: str, filename: str, rows: Sequence[tuple[int, Sequence[str]]],
                 found: Directory) -> tuple[str, int]:
    """``dmn`` with its rules replaced by ``rows`` (the first is the heading row), and the
    number of rules written; ValidationFailed naming every bad line and cell."""
    tree = parse(dmn.encode("utf-8"), filename)
    table = _decision_table_of(tree)
    columns = _columns(table)
    problems: list[Problem] = []
    if not rows:
        raise ValidationFailed([Problem(filename, None, None, msg("table.no_rows"))])
    head_line, heading = rows[0]
    expected = [c.heading for c in columns]
    if list(heading) != expected and list(heading) != [c.name for c in columns]:
        raise ValidationFailed([Problem(filename, head_line, None,
                                        msg("table.heading", columns=expected))])
    entries: list[list[str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, cells in rows[1:]:
        if len(cells) != len(columns):
            problems.append(Problem(filename, line, None,
                                    msg("table.width", cells=len(cells), columns=len(columns))))
            continue
        texts = []
        for cell, column in zip(cells, columns, strict=True):
            text, error = _entry(cell, column, found)
            if error:
                problems.append(Problem(filename, line, column.heading, error))
            texts.append(text)
        key = tuple(texts[:sum(c.is_input for c in columns)])
        if key in seen:
            problems.append(Problem(filename, line, None,
                                    msg("table.repeated_inputs", line=seen[key])))
        seen.setdefault(key, line)
        entries.append(texts)
    if problems:
        raise ValidationFailed(problems)
    inputs = sum(c.is_input for c in columns)
    if not any(all(t == ANY for t in e[:inputs]) for e in entries):
        entries += [_texts(rule) for rule in table.findall("{*}rule")
                    if all((e.findtext("{*}text") or "").strip() == ANY
                           for e in rule.findall("{*}inputEntry"))]
    _write_rules(table, columns, entries)
    root = tree.getroot()
    return _prologue(dmn, root) + etree.tostring(root, encoding="unicode") + "\n", len(entries)


def _prologue(dmn: str, root: etree._Element) -> str:
    """What precedes the root element in ``dmn`` (declaration, comments), kept as written."""
    at = dmn.find("<" + (root.prefix + ":" if root.prefix else "") + etree.QName(root).localname)
    return dmn[:at] if at >= 0 else '<?xml version="1.0" encoding="UTF-8"?>\n'


def _decision_table(dmn: str) -> etree._Element:
    return _decision_table_of(parse(dmn.encode("utf-8"), "decision table"))


def _decision_table_of(tree: etree._ElementTree) -> etree._Element:
    table = next(tree.getroot().iter("{*}decisionTable"), None)
    if table is None:
        raise ValidationFailed([Problem("decision table", None, None, msg("table.none"))])
    return table


def _columns(table: etree._Element) -> tuple[Column, ...]:
    inputs = []
    for given in table.findall("{*}input"):
        expression = given.find("{*}inputExpression")
        inputs.append(Column(
            (given.findtext("{*}inputExpression/{*}text") or "").strip(), given.get("label") or "",
            (expression.get("typeRef") if expression is not None else None) or "string", True))
    outputs = table.findall("{*}output")
    units = {i for rule in table.findall("{*}rule")
             for i, e in enumerate(rule.findall("{*}outputEntry"))
             if _unit_id(e.findtext("{*}text") or "") is not None}
    return (*inputs, *(Column(o.get("name") or "", o.get("label") or "",
                              o.get("typeRef") or "string", False, i in units)
                       for i, o in enumerate(outputs)))


def _cell(text: str, column: Column, found: Directory | None) -> str:
    text = text.strip()
    if column.is_input and text == ANY:
        return ANY
    unit_id = _unit_id(text)
    if unit_id is not None:
        unit = found.find(unit_id) if found else None
        return unit.name if unit else unit_id
    try:
        value = ast.literal_eval(text) if text else ""
    except (ValueError, SyntaxError, RecursionError):
        return "=" + text
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "=" + text
    return str(value)


def _unit_id(text: str) -> str | None:
    """The id when the whole cell is one ``directory_unit("id")``."""
    node, named = directory_calls(text)
    return named[0] if isinstance(node, ast.Call) and len(named) == 1 else None


def _entry(cell: str, column: Column, found: Directory) -> tuple[str, Msg | None]:
    """The DMN text of one cell, or the reason it cannot be one."""
    if cell.startswith("="):
        return cell[1:].strip(), None
    if column.is_input and cell in (ANY, ""):
        return ANY, None
    if column.is_unit and cell:
        unit = found.find(cell)
        if unit is None:
            closest = found.closest(cell)
            return "", msg("table.unknown_unit", cell=cell, closest=closest) if closest else \
                msg("table.unknown_unit_far", cell=cell)
        return f'{FUNCTION}("{unit.id}")', None
    number = NUMERIC.get(column.type_ref)
    if number is not None and not column.is_input and cell == "":
        return "", None  # a blank output cell: no value (a catch-all row's 办理时限)
    if number is not None:
        try:
            return str(number(cell)), None
        except ValueError:
            return "", msg("table.not_integer" if number is int else "table.not_number",
                           cell=cell)
    return json.dumps(cell, ensure_ascii=False), None


def _texts(rule: etree._Element) -> list[str]:
    return [(e.findtext("{*}text") or "").strip()
            for e in rule.findall("{*}inputEntry") + rule.findall("{*}outputEntry")]


def _write_rules(table: etree._Element, columns: Sequence[Column],
                 entries: Sequence[Sequence[str]]) -> None:
    old = table.findall("{*}rule")
    indent = (old[0].tail if old else table.text) or "\n      "
    for rule in old:
        table.remove(rule)
    namespace = etree.QName(table).namespace
    last = table[-1] if len(table) else None
    if last is not None:
        last.tail = indent
    for number, texts in enumerate(entries, start=1):
        rule = etree.SubElement(table, f"{{{namespace}}}rule", id=f"rule_{number}")
        rule.text = indent + "  "
        summary = etree.SubElement(rule, f"{{{namespace}}}description")
        summary.text = " ".join(_cell(t, c, None) for t, c in zip(texts[:2], columns[:2],
                                                                  strict=False))
        summary.tail = indent + "  "
        for i, (column, text) in enumerate(zip(columns, texts, strict=True)):
            tag = "inputEntry" if column.is_input else "outputEntry"
            suffix = ("in" if sum(c.is_input for c in columns) == 1 else f"in{i + 1}") \
                if column.is_input else column.name
            entry = etree.SubElement(rule, f"{{{namespace}}}{tag}", id=f"rule_{number}_{suffix}")
            etree.SubElement(entry, f"{{{namespace}}}text").text = text
            entry.tail = indent + "  "
        rule[-1].tail = indent
        rule.tail = indent
    table[-1].tail = indent[:-2] if indent.endswith("  ") else indent


def cells_of(table: Table) -> Iterator[dict[str, str]]:
    """Each row as output name -> cell, with the inputs under their expressions."""
    for row in table.rows:
        yield {c.name: cell for c, cell in zip(table.columns, row, strict=True)}
