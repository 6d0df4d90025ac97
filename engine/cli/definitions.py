"""Process definitions: validate, deploy, list what is deployed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from engine import InvalidData, UnitDirectory
from engine.api import UNITS_FILE
from engine.cli.common import handles_errors, open_engine
from engine.definitions.validation import SourceFile
from engine.files.documents import REGISTRY as DOCUMENTS_REGISTRY
from engine.org.directory import parse as parse_units


def read_files(paths: tuple[str, ...]) -> list[SourceFile]:
    """The files named, and the .bpmn, .dmn and .json files of the folders named (not the
    document templates' registry, documents.json, which is no form)."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [_read(p) for p in sorted(path.iterdir())
                      if p.is_file() and p.suffix.lower() in (".bpmn", ".dmn", ".json")
                      and p.name != DOCUMENTS_REGISTRY]
        elif not path.exists():
            raise click.BadParameter(f"{raw}: no such file")
        else:
            files.append(_read(path))
    return files


def sibling_forms(paths: tuple[str, ...], given: list[SourceFile]) -> list[SourceFile]:
    """When no form is named: the forms in the forms/ folder beside the folders of the
    diagrams named (the project's layout: processes/ and forms/ side by side), so that
    `kuaiban validate processes/*` finds the forms its diagrams use."""
    if any(f.name.lower().endswith(".json") for f in given):
        return []
    named = {Path(f.name).name for f in given}
    folders = {(p if p.is_dir() else p.parent).resolve().parent / "forms"
               for p in map(Path, paths) if p.is_dir() or p.suffix.lower() == ".bpmn"}
    return [_read(p) for folder in sorted(folders) if folder.is_dir()
            for p in sorted(folder.glob("*.json")) if p.name not in named]


def _directory_given(given: list[SourceFile]) -> UnitDirectory | None:
    """The unit directory file among ``given`` (processes/units.csv), checked: the tables'
    units are validated against it; its own problems end the run, each with its line."""
    text = next((f for f in given if Path(f.name).name == UNITS_FILE), None)
    if text is None:
        return None
    try:
        return UnitDirectory(parse_units(text.content))
    except InvalidData as exc:
        for problem in "\n".join(exc.field_errors.values()).splitlines():
            line, _, message = problem.partition(": ")
            click.echo(f"{text.name}:{line.removeprefix('line ')}: -: {message}")
        sys.exit(1)


def _read(path: Path) -> SourceFile:
    try:
        return SourceFile(str(path), path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise click.BadParameter(f"{path}: cannot be read ({exc.strerror})") from exc


@click.command()
@click.argument("files", nargs=-1, required=True)
@handles_errors
def validate(files: tuple[str, ...]) -> None:
    """Validate BPMN, DMN and form files; print every problem as file:line: element: message,
    and lint warnings (definitions/lint.py) as file:line: element: warning: message. Exit 1 on
    errors, 0 when there are only warnings. When no form is named, the forms are read from the
    forms/ folder beside the diagrams' folder, if there is one."""
    from engine.definitions.lint import WARNING, format_problem

    engine = open_engine()
    given = read_files(files)
    units = _directory_given(given)
    given = [f for f in given if Path(f.name).name != UNITS_FILE]
    beside = sibling_forms(files, given)
    if beside:
        folders = sorted({os.path.relpath(Path(f.name).parent) for f in beside})
        click.echo(f"forms read from {', '.join(folders)}", err=True)
    given += beside
    found = engine.lint(given, units)
    for problem in found:
        click.echo(format_problem(problem))
    if any(p.severity != WARNING for p in found):
        sys.exit(1)
    processes = len(engine.validate(given, units).processes)
    warnings = f", {len(found)} warning(s)" if found else ""
    click.echo(f"ok: {processes} process(es) valid{warnings}", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True)
@handles_errors
def deploy(files: tuple[str, ...]) -> None:
    """Validate, then deploy; prints "key version" per process. A folder's unit directory
    (units.csv, e.g. processes/units.csv) is loaded first: diagrams take unit lists from it."""
    engine = open_engine()
    for folder in map(Path, files):
        if (folder / UNITS_FILE).is_file():
            report = engine.import_units((folder / UNITS_FILE).read_text(encoding="utf-8"))
            click.echo(f"{report.units} unit(s) loaded from {folder / UNITS_FILE}", err=True)
    deployed = engine.deploy(read_files(files))
    for item in deployed:
        note = "" if item.created else "  (unchanged)"
        click.echo(f"{item.key} {item.version}{note}")
    if not deployed:
        click.echo("no process version made: these files hold no process, and no deployed "
                   "process uses a form or DMN file of theirs with other content", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def processes(as_json: bool) -> None:
    """Deployed processes: key, version, name, start form."""
    rows = open_engine().processes()
    if as_json:
        click.echo(json.dumps([p.as_json() for p in rows], ensure_ascii=False, indent=2))
        return
    for p in rows:
        click.echo(f"{p.key}\t{p.version}\t{p.name}\t{p.start_form_key or '-'}")


COMMANDS = (validate, deploy, processes)
