"""Audit: check the hash chains, replay history, export offline bundles and ledgers (台账)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from engine.api import Engine
from engine.audit import scan
from engine.cli.common import handles_errors, open_engine

WORKERS = click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Processes to share the work (default: one per core for a large log).")


def _workers(given: int | None, engine: Engine) -> int:
    """One process below ``scan.PARALLEL_FROM`` events (starting more costs more than it
    saves), else one per core."""
    if given is not None:
        return given
    return os.cpu_count() or 1 if scan.count_events(engine) >= scan.PARALLEL_FROM else 1


@click.command()
@WORKERS
@handles_errors
def verify(workers: int | None) -> None:
    """Check every instance's event-log hash chain (streamed; progress on stderr)."""
    engine = open_engine()
    total = scan.count_instances(engine)
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        result = engine.verify_all(_workers(workers, engine), progress=bar.update)
    for problem in result.problems:
        click.echo(str(problem))
    click.echo(f"{result.instances} instance(s) checked, {len(result.problems)} broken "
               f"({result.events} event(s))", err=True)
    if result.problems:
        sys.exit(1)


@click.command()
@click.argument("instance_id", type=int, required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every instance.")
@click.option("--bundle", "bundle_file", type=click.Path(dir_okay=False),
              help="Replay an exported bundle, without a database.")
@WORKERS
@handles_errors
def replay(instance_id: int | None, replay_all: bool, bundle_file: str | None,
           workers: int | None) -> None:
    """Rebuild an instance from its history; exit 1 naming the first event that diverges."""
    if bundle_file:
        from engine.audit.bundle import replay_bundle

        try:
            data = json.loads(Path(bundle_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"{bundle_file}: cannot read a bundle ({exc})") from exc
        _report_replay(f"bundle {bundle_file}", replay_bundle(data))
        return
    engine = open_engine()
    if replay_all:
        total = scan.count_instances(engine)
        with click.progressbar(length=total, label="replaying", file=sys.stderr) as bar:
            result = engine.replay_all(_workers(workers, engine), progress=bar.update)
        for iid, message in result.diverged:
            click.echo(f"instance {iid}: {message}")
        click.echo(f"{result.instances} instance(s) replayed, {len(result.diverged)} diverged")
        if result.diverged:
            sys.exit(1)
        return
    if instance_id is None:
        raise click.UsageError("give an INSTANCE_ID, --all or --bundle FILE")
    _report_replay(f"instance {instance_id}", engine.replay(instance_id))


def _report_replay(what: str, result: Any) -> None:
    if result.ok:
        click.echo(f"{what}: {result.events} event(s) replayed, history and state agree")
        return
    click.echo(f"{what}: {result.message}")
    sys.exit(1)


@click.command()
@click.argument("instance_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@handles_errors
def export(instance_id: int, out: str) -> None:
    """Export one instance as an offline bundle (events, chain, exact definition files)."""
    data = open_engine().export_bundle(instance_id)
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out}: {len(data['events'])} event(s), digest {data['digest'][:16]}")


@click.command("ledger")
@click.argument("name", type=click.Choice(["clue", "legacy"]))
@click.option("--unit", help="Only this unit's cases (the monthly ledger of a unit).")
@click.option("--month", help="Only cases registered in this month, YYYY-MM.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Write .csv or .xlsx (by extension); default: print a table.")
@handles_errors
def ledger_cmd(name: str, unit: str | None, month: str | None, out: str | None) -> None:
    """A ledger (台账): clue or legacy cases with each deadline and whether it was met."""
    first = None
    if month:
        try:
            first = date.fromisoformat(month + "-01")
        except ValueError as exc:
            raise click.BadParameter(f"{month!r} is not a month (YYYY-MM)") from exc
    book = open_engine().ledger(name, unit=unit, month=first)
    if out is None:
        click.echo("\t".join(book.headers))
        for row in book.text_rows():
            click.echo("\t".join(str(v) for v in row))
        return
    if out.endswith(".xlsx"):
        Path(out).write_bytes(book.to_xlsx())
    elif out.endswith(".csv"):
        Path(out).write_bytes(book.to_csv())
    else:
        raise click.BadParameter("--out must end in .csv or .xlsx")
    click.echo(f"wrote {out}: {len(book.rows)} row(s)")


COMMANDS = (verify, replay, export, ledger_cmd)
