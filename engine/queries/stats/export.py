"""The statistics as an .xlsx workbook: a first sheet saying what was counted (the period,
unit and procedure, and when), then one sheet per figure. Numbers are number cells, the
time a real date cell, labels text (never a formula: engine/queries/ledger.py's rule)."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import TYPE_CHECKING

from engine.queries.ledger import FORMULA_START
from engine.queries.stats.model import RATE, Figure
from engine.time.calendar import TZ

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from engine.queries.stats import Statistics

SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row, column, value)
    if value.startswith(FORMULA_START):
        cell.data_type = "s"  # text as given, never a formula
        cell.quotePrefix = True


def _about(sheet: Worksheet, stats: Statistics, now: datetime) -> None:
    flt = stats.filter
    sheet.title = "统计说明"
    lines = [("统计时间", now.astimezone(TZ).replace(tzinfo=None)),
             ("开始日期", flt.start), ("结束日期", flt.end),
             ("单位", flt.unit or "全部"), ("流程", flt.process or "全部")]
    for i, (name, value) in enumerate(lines, start=1):
        sheet.cell(i, 1, name)
        if isinstance(value, str):
            _text(sheet, i, 2, value)
        else:
            cell = sheet.cell(i, 2, value)
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else (
                "yyyy-mm-dd")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 24


def _figure(sheet: Worksheet, figure: Figure) -> None:
    headers = ["分组", *(f"{c.title}（%）" if c.kind == RATE else c.title
                        for c in figure.columns)]
    for column, header in enumerate(headers, start=1):
        sheet.cell(1, column, header)
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = max(
            12, 2 * len(header) + 2)
    sheet.column_dimensions["A"].width = 28
    for i, row in enumerate(figure.rows, start=2):
        _text(sheet, i, 1, row.label)
        for column, spec in enumerate(figure.columns, start=2):
            sheet.cell(i, column, row.values.get(spec.key))
    sheet.freeze_panes = "B2"


def to_xlsx(stats: Statistics, now: datetime) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    _about(book.active, stats, now)
    for figure in stats.figures:
        _figure(book.create_sheet(SHEET_NAME_BAD.sub("", figure.title)[:31]), figure)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
