"""The rows of a bulk start file (``kuaiban start KEY --batch FILE``): CSV with a header line,
or JSON Lines (one object per line), each row the start form's data of one case.

CSV cells are text: they are turned into the type the start form declares for their column
(integer, number, boolean, array or object as JSON), and an empty cell leaves the field out,
so the form's own checks (required, enum, format) then speak about each row.

Each row gets a key that names it for good (engine/runtime/bulk/starts.py): the value of a key
column (``--key-column``), else the process key, the file's name and the row's line. A file run
again after a crash, or with its bad rows fixed in place, starts only the rows not started yet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.messages import Msg, msg

MAX_KEY = 255  # instances.start_key
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


@dataclass(frozen=True)
class BatchRow:
    """One case to start: its line in the file (or its place in a request), data and key."""

    line: int
    data: dict[str, Any]
    key: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """Why one row cannot start: a message and, for form errors, each field's error."""

    line: int
    text: Msg
    field_said: Mapping[str, Msg] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.text.english

    @property
    def fields(self) -> dict[str, str]:
        """Each field's error in Chinese, the language of the forms."""
        return {name: said.render("zh") for name, said in self.field_said.items()}

    def __str__(self) -> str:
        """The message in English, the fields' errors in Chinese (the command line)."""
        return self._said(self.message, self.fields)

    def said_in(self, language: str) -> str:
        """``line N: message (field: error; ...)``, all in ``language``."""
        return self._said(self.text.render(language), {
            name: said.render(language) for name, said in self.field_said.items()})

    def _said(self, message: str, fields: Mapping[str, str]) -> str:
        detail = "; ".join(f"{name}: {text}" for name, text in fields.items())
        return f"line {self.line}: {message}" + (f" ({detail})" if detail else "")

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "fields": self.fields,
                **self.text.as_dict()}


def read(path: Path, schema: Mapping[str, Any] | None, process_key: str,
         key_column: str | None = None) -> tuple[list[BatchRow], list[RowProblem]]:
    """The rows of a .csv or .jsonl file, and the lines that could not be read as rows."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowProblem(1, msg("upload.not_utf8",
                                          reason=f"{exc.reason} at byte {exc.start}"))]
    if path.suffix.lower() == ".csv":
        raw, problems = _csv_rows(text, schema or {})
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        raw, problems = _jsonl_rows(text)
    else:
        return [], [RowProblem(1, msg("batch.file_type"))]
    rows = []
    for line, data in raw:
        key, problem = _key_of(data, line, key_column, f"{process_key}:{path.name}:{line}")
        if problem is not None:
            problems.append(problem)
        else:
            rows.append(BatchRow(line, data, key))
    return rows, sorted(problems, key=lambda p: p.line)


def _key_of(data: dict[str, Any], line: int, column: str | None, default: str
            ) -> tuple[str | None, RowProblem | None]:
    if column is None:
        return default[-MAX_KEY:], None
    value = data.pop(column, None)
    if value in (None, ""):
        return None, RowProblem(line, msg("batch.key_empty", column=column))
    key = str(value)
    if len(key) > MAX_KEY:
        return None, RowProblem(line, msg("batch.key_too_long", column=column,
                                                limit=MAX_KEY))
    return key, None


def _csv_rows(text: str, schema: Mapping[str, Any]
              ) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    except csv.Error as exc:
        return [], [RowProblem(1, msg("batch.not_csv", error=str(exc)))]
    names = [h.strip() for h in header]
    types = {name: spec.get("type") for name, spec in (schema.get("properties") or {}).items()
             if isinstance(spec, dict)}
    rows, problems = [], []
    line = reader.line_num + 1  # where the next record starts
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(line, msg("batch.not_csv", error=str(exc))))
            break
        if any(c.strip() for c in cells):
            if len(cells) != len(names):
                problems.append(RowProblem(line, msg("batch.cell_count", cells=len(cells),
                                                     columns=len(names))))
            else:
                data, errors = _typed(dict(zip(names, cells, strict=True)), types)
                if errors:
                    problems.append(RowProblem(line, msg("form.invalid"), errors))
                else:
                    rows.append((line, data))
        line = reader.line_num + 1
    return rows, problems


def _typed(cells: dict[str, str], types: Mapping[str, Any]
           ) -> tuple[dict[str, Any], dict[str, Msg]]:
    """The cells as the form's types; empty cells left out."""
    data: dict[str, Any] = {}
    errors: dict[str, Msg] = {}
    for name, cell in cells.items():
        value = cell.strip()
        if not value:
            continue
        kind = types.get(name)
        try:
            data[name] = _convert(value, kind)
        except ValueError:
            errors[name] = msg("field.type", kind=msg(_CELL_KINDS.get(str(kind),
                                                                      "field.kind.string")))
    return data, errors


_CELL_KINDS = {"integer": "field.kind.integer", "number": "field.kind.number",
               "boolean": "field.kind.boolean", "array": "field.kind.json_array",
               "object": "field.kind.json_object"}


def _convert(value: str, kind: Any) -> Any:
    if kind == "integer":
        return int(value)
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "boolean":
        lowered = value.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ValueError(value)
    if kind in ("array", "object"):
        return json.loads(value)  # JSONDecodeError is a ValueError
    return value


def _jsonl_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    rows, problems = [], []
    for line, source in enumerate(text.splitlines(), start=1):
        if not source.strip():
            continue
        try:
            value = json.loads(source)
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(line, msg("batch.not_json", error=exc.msg,
                                                       column=exc.colno)))
            continue
        if not isinstance(value, dict):
            problems.append(RowProblem(line, msg("batch.row_not_object")))
            continue
        rows.append((line, value))
    return rows, problems
