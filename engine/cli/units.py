"""The unit directory: list it, show one unit, and load the city's directory file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.cli.common import fail, handles_errors, open_engine


@click.group()
def units() -> None:
    """The unit directory (单位名录) that tasks, users and forms name units from."""


@units.command("list")
@click.option("--kind", help="Only units of this kind (行政区, 纪委监委, 市直部门 ...).")
@click.option("--tag", help="Only units with this tag (市直各单位, 县区, 园区 ...).")
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def units_list(kind: str | None, tag: str | None, as_json: bool) -> None:
    """The directory in its order: id, name, kind, parent and tags."""
    found = open_engine().units(kind=kind, tag=tag)
    if as_json:
        click.echo(json.dumps([u.as_json() for u in found], ensure_ascii=False, indent=2))
        return
    for u in found:
        tags = f"  [{', '.join(u.tags)}]" if u.tags else ""
        click.echo(f"{u.id}\t{u.name}\t{u.kind}\t{u.parent or '-'}{tags}")


@units.command("show")
@click.argument("name")
@handles_errors
def units_show(name: str) -> None:
    """One unit, found by its id, name, full name or an alias; its place in the tree."""
    found = open_engine().unit_directory()
    unit = found.resolve(name)
    click.echo(json.dumps({**unit.as_json(),
                           "path": [u.name for u in reversed(found.ancestors(unit))],
                           "children": [u.name for u in found.children(unit)]},
                          ensure_ascii=False, indent=2))


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handles_errors
def units_import(file: Path) -> None:
    """Check the whole file (duplicate names, unknown parents, cycles, each with its line),
    then replace the directory with it. Unit names already stored on open tasks and users
    move to the directory's names; those it lacks are listed (and make the exit status 1)."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
        raise
    report = open_engine().import_units(text)
    click.echo(f"{report.units} unit(s) loaded from {file}")
    for old, new in report.renamed.items():
        click.echo(f"renamed: {old} -> {new}")
    for name, uses in report.unmapped.items():
        click.echo(f"not in the directory: {name} ({uses} open task(s) and user(s))", err=True)
    if report.unmapped:
        fail(f"{len(report.unmapped)} stored unit name(s) are not in the directory; add them "
             "(or an alias) to the file and import it again")


COMMANDS = (units,)
