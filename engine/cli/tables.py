"""Decision tables as spreadsheets: the city keeps its catalogues (惠企政策清单, 告知承诺事项清单,
中介服务事项清单, credit repair routing) in Excel; these commands write a table out and load a
list into it."""

from __future__ import annotations

import io
from pathlib import Path

import click
import openpyxl

from engine import UnitDirectory
from engine.cli.common import handles_errors, open_engine
from engine.definitions import decision_rows
from engine.org.directory import parse as parse_units

UNITS_FILE = "units.csv"
DMN = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def tables() -> None:
    """Decision tables (DMN) as spreadsheets: export a catalogue, import the city's list."""


@tables.command("export")
@click.argument("dmn", type=DMN)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write .csv (UTF-8 with BOM, as Excel opens it) or .xlsx; default: print CSV.")
@handles_errors
def tables_export(dmn: Path, out: Path | None) -> None:
    """The rows of the decision table in DMN, one column per input and output, units by name."""
    table = decision_rows.read(dmn.read_text(encoding="utf-8"), _directory(dmn))
    if out is None:
        click.echo(decision_rows.to_csv(table), nl=False)
        return
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(_xlsx(table))
    elif out.suffix.lower() == ".csv":
        out.write_text("\ufeff" + decision_rows.to_csv(table), encoding="utf-8")
    else:
        raise click.BadParameter("--out must end in .csv or .xlsx")
    click.echo(f"wrote {out}: {len(table.rows)} row(s)")


@tables.command("import")
@click.argument("dmn", type=DMN)
@click.argument("rows", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handles_errors
def tables_import(dmn: Path, rows: Path) -> None:
    """Replace the rules of the table in DMN with the rows of ROWS (.csv or .xlsx, the heading
    row as `export` writes it). Every row is checked first (units against the directory,
    numbers, repeated inputs), each problem with its line; nothing is written if one is bad.
    The table's catch-all row stays unless ROWS has its own. Deploy afterwards."""
    text, count = decision_rows.replace_rows(
        dmn.read_text(encoding="utf-8"), str(rows),
        decision_rows.rows_of_file(rows.name, rows.read_bytes()), _directory(dmn))
    dmn.write_text(text, encoding="utf-8")
    click.echo(f"{dmn}: {count} rule(s) from {rows}; deploy with: kuaiban deploy {dmn.parent}")


def _directory(dmn: Path) -> UnitDirectory:
    """The directory file beside the table (processes/units.csv), else the loaded one."""
    beside = dmn.parent / UNITS_FILE
    if beside.is_file():
        return UnitDirectory(parse_units(beside.read_text(encoding="utf-8")))
    return open_engine().unit_directory()


def _xlsx(table: decision_rows.Table) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.heading for c in table.columns])
    for row in table.rows:
        sheet.append([int(cell) if column.type_ref == "integer" and cell.isdigit() else cell
                      for column, cell in zip(table.columns, row, strict=True)])
    for index, column in enumerate(table.columns, start=1):
        widest = max([len(column.heading), *(len(r[index - 1]) for r in table.rows)])
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = \
            min(60, 4 + 2 * widest)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


COMMANDS = (tables,)
