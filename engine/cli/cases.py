"""Cases: start one, work its tasks, deliver messages, look at it and its history."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.cli.common import fail, handles_errors, json_arg, open_engine
from engine.queries.inbox import InboxFilter
from engine.queries.worklists import CaseState, DoneList
from engine.runtime.bulk import rows as batch_rows
from engine.time.calendar import TZ
from engine.views import TaskView


@click.command()
@click.argument("key")
@click.option("--data", help="Initial data as a JSON object.")
@click.option("--business-key",
              help="Case number (assigned automatically where the process has one).")
@click.option("--as", "user", required=True, help="Who starts it.")
@click.option("--batch", "batch_file", type=click.Path(exists=True, dir_okay=False),
              help="Start one case per row of a .csv or .jsonl file.")
@click.option("--skip-invalid", is_flag=True,
              help="With --batch: start the good rows even when some are bad.")
@click.option("--key-column",
              help="With --batch: the column that names each row for good (default: the "
                   "file's name and the row's line).")
@handles_errors
def start(key: str, data: str | None, business_key: str | None, user: str,
          batch_file: str | None, skip_invalid: bool, key_column: str | None) -> None:
    """Start an instance; prints the new instance id. With --batch, one per row."""
    if batch_file is None:
        view = open_engine().start(key, json_arg(data, "--data"), user, business_key)
        click.echo(view.id)
        return
    if data or business_key:
        raise click.UsageError("--batch takes each case's data from its row: no --data or "
                               "--business-key")
    start_batch(key, Path(batch_file), user, skip_invalid, key_column)


def start_batch(key: str, path: Path, user: str, skip_invalid: bool,
                key_column: str | None) -> None:
    """Bad rows on stderr as FILE:LINE: message; progress on stderr; the summary on stdout."""
    engine = open_engine()
    rows, unreadable = batch_rows.read(path, engine.start_form(key), key, key_column)
    with click.progressbar(length=len(rows) + len(unreadable), label=f"starting {key}",
                           file=sys.stderr) as bar:
        report = engine.start_batch(key, rows, user, skip_invalid, unreadable,
                                    progress=bar.update)
    for problem in report.invalid:
        click.echo(f"{path}:{problem}", err=True)
    click.echo(f"{len(report.started)} started, {len(report.already)} started before, "
               f"{len(report.invalid)} invalid, of {report.rows} row(s)")
    if report.refused:
        fail(f"{len(report.invalid)} bad row(s): nothing was started (fix them, or start the "
             "others with --skip-invalid)")
    if report.stopped:
        fail("stopped at a row that could not start; the rows before it were started, run "
             "the same file again to go on")


def print_tasks(tasks: list[TaskView], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([t.as_json() for t in tasks], ensure_ascii=False, indent=2))
        return
    for t in tasks:
        due = t.as_json()["due_at"] or "-"
        flag = "  OVERDUE" if t.overdue else ""
        flag += f"  urged {t.urged_count}x" if t.urged_count else ""
        flag += f"  for {t.owner}" if t.owner else ""
        click.echo(f"{t.id}  #{t.instance_id} {t.business_key or '-'}  {t.title}  "
                   f"[{t.role}{'/' + t.unit if t.unit else ''}]  due {due}  "
                   f"{t.assignee or 'unclaimed'}{flag}")


@click.command()
@click.option("--as", "user", help="Whose inbox (default: all open tasks).")
@click.option("--instance", type=int)
@click.option("--overdue", is_flag=True, default=None)
@click.option("--done", is_flag=True,
              help="已办: the tasks the user completed and the cases they started, newest "
                   "first (--json: the completed tasks, each with its case).")
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def tasks(user: str | None, instance: int | None, overdue: bool | None, done: bool,
          as_json: bool) -> None:
    """The inbox: open tasks, soonest due first."""
    if done:
        if user is None:
            fail("--done needs --as USER")
        else:
            print_done(open_engine().worklists.done(user), as_json)
        return
    found = open_engine().inbox.for_user(user, InboxFilter(instance_id=instance, overdue=overdue))
    print_tasks(found, as_json)


def print_done(done: DoneList, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([t.as_json() for t in done.tasks], ensure_ascii=False, indent=2))
        return
    click.echo(f"tasks acted on ({len(done.tasks)}):")
    for t in done.tasks:
        click.echo(f"  {t.as_json()['acted_at']}  #{t.case.instance_id} "
                   f"{t.case.business_key or '-'}  {t.task.title}  {t.action}  "
                   f"-> {_state(t.case)}")
    click.echo(f"started cases ({len(done.started)}):")
    for c in done.started:
        click.echo(f"  {c.as_json()['created_at']}  #{c.instance_id} {c.business_key or '-'}  "
                   f"{c.process_name}  -> {_state(c)}")


def _state(case: CaseState) -> str:
    return case.status + (f" at {', '.join(case.open_tasks)}" if case.open_tasks else "")


@click.command()
@click.argument("task_id")
@click.option("--as", "user", required=True)
@handles_errors
def claim(task_id: str, user: str) -> None:
    """Claim a task."""
    open_engine().claim(task_id, user)
    click.echo(f"claimed {task_id}")


@click.command()
@click.argument("task_id")
@click.option("--as", "user", required=True)
@handles_errors
def unclaim(task_id: str, user: str) -> None:
    """Give a claimed task back."""
    open_engine().unclaim(task_id, user)
    click.echo(f"unclaimed {task_id}")


@click.command()
@click.argument("task_id")
@click.option("--data", help="Form data as a JSON object.")
@click.option("--as", "user", required=True)
@handles_errors
def complete(task_id: str, data: str | None, user: str) -> None:
    """Complete a task with its form data."""
    view = open_engine().complete(task_id, json_arg(data, "--data"), user)
    click.echo(f"completed {task_id}; instance {view.id} is {view.status}")


@click.command()
@click.argument("name")
@click.option("--correlation", help='JSON object, e.g. {"business_key": "ZF-2026-000001"}')
@click.option("--data", help="Message payload as a JSON object.")
@click.option("--as", "user", default="system", show_default=True)
@handles_errors
def message(name: str, correlation: str | None, data: str | None, user: str) -> None:
    """Deliver a message to the instances waiting for it."""
    ids = open_engine().send_message(name, json_arg(correlation, "--correlation"),
                                     json_arg(data, "--data"), user)
    click.echo(" ".join(str(i) for i in ids))


@click.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.option("--at", "at_event", type=int, help="As it stood after event N (time travel).")
@handles_errors
def show(instance_id: int, as_json: bool, at_event: int | None) -> None:
    """An instance: status, case number, data, open tasks, version."""
    if at_event is not None:
        snap = open_engine().state_at(instance_id, at_event)
        out = {"instance_id": instance_id, "after_event": snap.seq,
               "at": snap.at.astimezone(TZ).isoformat(), "status": snap.status,
               "data": snap.data, "tasks": snap.open_tasks}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    view = open_engine().instance(instance_id)
    if as_json:
        click.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"instance {view.id}  {view.process_key} v{view.version}  {view.status}  "
               f"case {view.business_key or '-'}  revision {view.revision}")
    click.echo(json.dumps(view.data, ensure_ascii=False, indent=2))
    print_tasks(view.tasks, False)


@click.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def history(instance_id: int, as_json: bool) -> None:
    """The instance's events, in order."""
    events = open_engine().history(instance_id)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(f"{e.seq:>4}  {e.as_json()['at']}  {e.type:<10} {e.user or '-':<12} "
                   f"{e.task_id or ''}  {e.hash[:12]}")


COMMANDS = (start, tasks, claim, unclaim, complete, message, show, history)
