"""A DOCX read back as blocks for the browser's print view: paragraphs (text runs with bold,
size and colour; alignment, first-line indent, spacing) and tables, in document order. The
print view shows the very document that was issued, not a second rendering of the data."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # python-docx is loaded only when a document is read
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_ALIGN = {0: "left", 1: "center", 2: "right", 3: "justify"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    size_pt: float | None = None
    color: str | None = None  # RRGGBB


@dataclass(frozen=True)
class Block:
    kind: str  # "p" | "table" | "page-break"
    runs: list[Run] = field(default_factory=list)
    align: str = "left"
    indent_pt: float = 0.0  # first line
    space_before_pt: float = 0.0
    space_after_pt: float = 0.0
    rows: list[list[str]] = field(default_factory=list)
    border_below: str | None = None  # RRGGBB of a rule under the paragraph (the red line)
    widths: list[float] = field(default_factory=list)  # a table's columns, % of its width


def blocks(content: bytes) -> list[Block]:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(content))
    out: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(_paragraph(Paragraph(child, document)))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            out.append(Block("table", rows=[[c.text for c in row.cells] for row in table.rows],
                             widths=_widths(table)))
    return out


def _widths(table: Table) -> list[float]:
    """The columns' widths as Word lays them out (the table's grid), in per cent of the
    table: a label column stays as narrow as in Word. Empty when the grid gives none."""
    widths = [column.width or 0 for column in table.columns]
    total = sum(widths)
    return [100 * w / total for w in widths] if total and all(widths) else []


def _paragraph(paragraph: Paragraph) -> Block:
    fmt = paragraph.paragraph_format
    runs = []
    for run in paragraph.runs:
        if 'w:br w:type="page"' in run._r.xml:
            return Block("page-break")
        color = run.font.color.rgb if run.font.color and run.font.color.type else None
        runs.append(Run(run.text, bool(run.bold), run.font.size.pt if run.font.size else None,
                        str(color) if color is not None else None))
    alignment = fmt.alignment
    if alignment is None and paragraph.style is not None:
        alignment = paragraph.style.paragraph_format.alignment
    indent = fmt.first_line_indent
    return Block(
        "p", runs, _ALIGN.get(int(alignment) if alignment is not None else 0, "left"),
        indent.pt if indent is not None else 0.0,
        fmt.space_before.pt if fmt.space_before is not None else 0.0,
        fmt.space_after.pt if fmt.space_after is not None else 0.0,
        border_below=_border_below(paragraph))


def _border_below(paragraph: Paragraph) -> str | None:
    xml = paragraph._p.xml
    if "<w:bottom " not in xml:
        return None
    start = xml.index("<w:bottom ")
    tag = xml[start:xml.index("/>", start)]
    marker = 'w:color="'
    if marker in tag:
        return tag.split(marker, 1)[1].split('"', 1)[0]
    return "000000"
