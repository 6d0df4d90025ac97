"""The ``kuaiban`` command line (contract: design.md section 3)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.api import Engine
from engine.calendar import TZ
from engine.errors import EngineError, InvalidData, ValidationFailed
from engine.inbox import InboxFilter
from engine.validation import SourceFile
from engine.views import TaskView

F = TypeVar("F", bound=Callable[..., Any])
ROOT = Path(__file__).resolve().parent.parent


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handles_errors(func: F) -> F:
    """Engine errors become one clear line on stderr and exit 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationFailed as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        except InvalidData as exc:
            click.echo(f"error: {exc.message}", err=True)
            for field, message in exc.field_errors.items():
                click.echo(f"  {field}: {message}", err=True)
            sys.exit(1)
        except EngineError as exc:
            _fail(exc.message)
        except click.ClickException:
            raise
        except Exception as exc:  # an engine bug: say so in one line, details with -v
            logging.getLogger("kuaiban.cli").debug("internal error", exc_info=True)
            _fail(f"internal error ({type(exc).__name__}: {exc}); run with -v for details", 2)

    return wrapper  # type: ignore[return-value]  # wraps keeps the signature


def _engine() -> Engine:
    try:
        return Engine()
    except EngineError as exc:
        _fail(exc.message)
        raise


def _json_arg(text: str | None, what: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(value, dict):
        raise click.BadParameter(f"{what} must be a JSON object")
    return value


def _read_files(paths: tuple[str, ...]) -> list[SourceFile]:
    """The files named, and the .bpmn, .dmn and .json files of the folders named."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [_read(p) for p in sorted(path.iterdir())
                      if p.is_file() and p.suffix.lower() in (".bpmn", ".dmn", ".json")]
        elif not path.exists():
            raise click.BadParameter(f"{raw}: no such file")
        else:
            files.append(_read(path))
    return files


def _read(path: Path) -> SourceFile:
    try:
        return SourceFile(str(path), path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise click.BadParameter(f"{path}: cannot be read ({exc.strerror})") from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log engine activity to stderr.")
def main(verbose: bool) -> None:
    """快办 Kuaiban: BPMN procedures with working-day deadlines."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("files", nargs=-1, required=True)
@handles_errors
def validate(files: tuple[str, ...]) -> None:
    """Validate BPMN, DMN and form files; print every problem as file:line: element: message,
    and lint warnings (engine/lint.py) as file:line: element: warning: message. Exit 1 on
    errors, 0 when there are only warnings."""
    from engine.lint import WARNING, format_problem

    engine = _engine()
    given = _read_files(files)
    found = engine.lint(given)
    for problem in found:
        click.echo(format_problem(problem))
    if any(p.severity != WARNING for p in found):
        sys.exit(1)
    processes = len(engine.validate(given).processes)
    warnings = f", {len(found)} warning(s)" if found else ""
    click.echo(f"ok: {processes} process(es) valid{warnings}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True)
@handles_errors
def deploy(files: tuple[str, ...]) -> None:
    """Validate, then deploy; prints "key version" per process."""
    deployed = _engine().deploy(_read_files(files))
    for item in deployed:
        note = "" if item.created else "  (unchanged)"
        click.echo(f"{item.key} {item.version}{note}")
    if not deployed:
        click.echo("no process version made: these files hold no process, and no deployed "
                   "process uses a form or DMN file of theirs with other content", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def processes(as_json: bool) -> None:
    """Deployed processes: key, version, name, start form."""
    rows = _engine().processes()
    if as_json:
        click.echo(json.dumps([p.as_json() for p in rows], ensure_ascii=False, indent=2))
        return
    for p in rows:
        click.echo(f"{p.key}\t{p.version}\t{p.name}\t{p.start_form_key or '-'}")


@main.command()
@click.argument("key")
@click.option("--data", help="Initial data as a JSON object.")
@click.option("--business-key",
              help="Case number (assigned automatically where the process has one).")
@click.option("--as", "user", required=True, help="Who starts it.")
@handles_errors
def start(key: str, data: str | None, business_key: str | None, user: str) -> None:
    """Start an instance; prints the new instance id."""
    view = _engine().start(key, _json_arg(data, "--data"), user, business_key)
    click.echo(view.id)


def _print_tasks(tasks: list[TaskView], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([t.as_json() for t in tasks], ensure_ascii=False, indent=2))
        return
    for t in tasks:
        due = t.as_json()["due_at"] or "-"
        flag = "  OVERDUE" if t.overdue else ""
        click.echo(f"{t.id}  #{t.instance_id} {t.business_key or '-'}  {t.title}  "
                   f"[{t.role}{'/' + t.unit if t.unit else ''}]  due {due}  "
                   f"{t.assignee or 'unclaimed'}{flag}")


@main.command()
@click.option("--as", "user", help="Whose inbox (default: all open tasks).")
@click.option("--instance", type=int)
@click.option("--overdue", is_flag=True, default=None)
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def tasks(user: str | None, instance: int | None, overdue: bool | None, as_json: bool) -> None:
    """The inbox: open tasks, soonest due first."""
    found = _engine().inbox.for_user(user, InboxFilter(instance_id=instance, overdue=overdue))
    _print_tasks(found, as_json)


@main.command()
@click.argument("task_id")
@click.option("--as", "user", required=True)
@handles_errors
def claim(task_id: str, user: str) -> None:
    """Claim a task."""
    _engine().claim(task_id, user)
    click.echo(f"claimed {task_id}")


@main.command()
@click.argument("task_id")
@click.option("--as", "user", required=True)
@handles_errors
def unclaim(task_id: str, user: str) -> None:
    """Give a claimed task back."""
    _engine().unclaim(task_id, user)
    click.echo(f"unclaimed {task_id}")


@main.command()
@click.argument("task_id")
@click.option("--data", help="Form data as a JSON object.")
@click.option("--as", "user", required=True)
@handles_errors
def complete(task_id: str, data: str | None, user: str) -> None:
    """Complete a task with its form data."""
    view = _engine().complete(task_id, _json_arg(data, "--data"), user)
    click.echo(f"completed {task_id}; instance {view.id} is {view.status}")


@main.command()
@click.argument("name")
@click.option("--correlation", help='JSON object, e.g. {"business_key": "ZF-2026-000001"}')
@click.option("--data", help="Message payload as a JSON object.")
@click.option("--as", "user", default="system", show_default=True)
@handles_errors
def message(name: str, correlation: str | None, data: str | None, user: str) -> None:
    """Deliver a message to the instances waiting for it."""
    ids = _engine().send_message(name, _json_arg(correlation, "--correlation"),
                                 _json_arg(data, "--data"), user)
    click.echo(" ".join(str(i) for i in ids))


@main.command()
@click.option("--fire", is_flag=True, help="Fire the due timers now.")
@handles_errors
def timers(fire: bool) -> None:
    """List pending timers; --fire fires the due ones."""
    engine = _engine()
    if fire:
        report = engine.timers.fire_due()
        click.echo(f"fired {report.fired} instance(s), started {report.started}, "
                   f"failed {report.failed}")
        if report.failed:
            sys.exit(1)
        return
    now = engine.clock.now()
    for t in engine.timers.pending():
        state = "due" if t.due_at < now else "pending"
        click.echo(f"{t.as_json()['due_at']}  {state}  {t.process_key}  "
                   f"#{t.instance_id if t.instance_id is not None else 'new'}  {t.element_id}")


@main.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.option("--at", "at_event", type=int, help="As it stood after event N (time travel).")
@handles_errors
def show(instance_id: int, as_json: bool, at_event: int | None) -> None:
    """An instance: status, case number, data, open tasks, version."""
    if at_event is not None:
        snap = _engine().state_at(instance_id, at_event)
        out = {"instance_id": instance_id, "after_event": snap.seq,
               "at": snap.at.astimezone(TZ).isoformat(), "status": snap.status,
               "data": snap.data, "tasks": snap.open_tasks}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    view = _engine().instance(instance_id)
    if as_json:
        click.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"instance {view.id}  {view.process_key} v{view.version}  {view.status}  "
               f"case {view.business_key or '-'}  revision {view.revision}")
    click.echo(json.dumps(view.data, ensure_ascii=False, indent=2))
    _print_tasks(view.tasks, False)


@main.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def history(instance_id: int, as_json: bool) -> None:
    """The instance's events, in order."""
    events = _engine().history(instance_id)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(f"{e.seq:>4}  {e.as_json()['at']}  {e.type:<10} {e.user or '-':<12} "
                   f"{e.task_id or ''}  {e.hash[:12]}")


@main.command()
@handles_errors
def verify() -> None:
    """Check every instance's event-log hash chain."""
    checked, problems = _engine().verify()
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{checked} instance(s) checked, {len(problems)} broken", err=True)
    if problems:
        sys.exit(1)


LOG_FORMAT = click.option(
    "--log-format", type=click.Choice(["text", "json"]), envvar="KUAIBAN_LOG_FORMAT",
    default="text", show_default=True, help="json: one JSON object per log line (stderr).")


def _configure_logs(log_format: str) -> bool:
    """Set up logging for a long-running command; True for JSON lines."""
    from engine import logs

    verbose = bool(click.get_current_context().find_root().params.get("verbose"))
    return logs.configure(log_format, verbose=verbose) == "json"


@main.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Fire what is due, then exit.")
@LOG_FORMAT
@handles_errors
def worker(interval: float, once: bool, log_format: str) -> None:
    """Long-running timer worker (several may run against PostgreSQL)."""
    import time as _time

    as_json = _configure_logs(log_format)
    log = logging.getLogger("kuaiban.worker")
    engine = _engine()
    where = engine.db.url.render_as_string()  # hides the password
    if as_json:
        log.info("worker started", extra={"worker_id": engine.timers.worker_id,
                                          "database": engine.db.dialect.name})
    else:
        click.echo(f"worker {engine.timers.worker_id} on {where}", err=True)
    while True:
        report = engine.timers.fire_due()
        if report.leased:
            line = f"fired {report.fired}, started {report.started}, failed {report.failed}"
            if as_json:
                log.info(line, extra={"leased": report.leased, "fired": report.fired,
                                      "started": report.started, "failed": report.failed})
            else:
                click.echo(line, err=True)
        if once:
            return
        _time.sleep(interval)


@main.command("migrate")
@click.option("--check", is_flag=True, help="Only report; exit 1 unless at the head.")
@handles_errors
def migrate_cmd(check: bool) -> None:
    """Upgrade the database schema to the newest Alembic revision (Engine() also does this
    at start); prints the revision before and after."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine import db, migrate

    sql = db.connect(db.database_url())

    def current() -> str:
        with sql.connect() as conn:
            return ",".join(sorted(MigrationContext.configure(conn).get_current_heads())) or "-"

    try:
        scripts = ScriptDirectory(str(Path(migrate.__file__).parent / "migrations"))
        head = ",".join(sorted(scripts.get_heads()))
        before = current()
        if check or before == head:
            click.echo(f"schema at {before}; head is {head}")
            if before != head:
                sys.exit(1)
            return
        migrate.upgrade(sql)
        click.echo(f"schema upgraded from {before} to {current()}")
    finally:
        sql.dispose()


@main.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--unit")
@click.option("--password")
@click.option("--display-name")
@handles_errors
def users_add(name: str, roles: tuple[str, ...], unit: str | None, password: str | None,
              display_name: str | None) -> None:
    """Add or update a user."""
    user = _engine().add_user(name, list(roles), unit, password, display_name)
    click.echo(f"{user.username}: {', '.join(user.roles)}{' @ ' + user.unit if user.unit else ''}")


@main.group("calendar")
def calendar_group() -> None:
    """The official working-day calendar."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from exc


@calendar_group.command("next-workday")
@click.argument("day")
@click.option("--n", default=1, show_default=True, type=int)
@handles_errors
def next_workday(day: str, n: int) -> None:
    """The nth working day after DAY."""
    click.echo(_engine().calendar().next_workday(_date(day), n).isoformat())


@calendar_group.command("set")
@click.argument("day")
@click.option("--workday/--holiday", "is_workday", required=True)
@click.option("--note")
@handles_errors
def calendar_set(day: str, is_workday: bool, note: str | None) -> None:
    """Enter an official working day or day off (for years the bundled data lacks)."""
    _engine().set_calendar_day(_date(day), is_workday, note)
    click.echo(f"{day}: {'working day' if is_workday else 'day off'}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Create demo users and print how to sign in.")
@LOG_FORMAT
@handles_errors
def run(host: str, port: int, demo: bool, log_format: str) -> None:
    """Deploy the shipped processes, run the timer worker and serve the web app."""
    from engine.worker import BackgroundWorker

    as_json = _configure_logs(log_format)
    engine = _engine()
    for item in engine.deploy_directory(ROOT / "processes", ROOT / "forms"):
        if item.created and as_json:
            logging.getLogger("kuaiban.cli").info(
                "deployed %s %s", item.key, item.version,
                extra={"process_key": item.key, "version": item.version})
        elif item.created:
            click.echo(f"deployed {item.key} {item.version}", err=True)
    from web.app import serve  # the one place the engine package reaches the web app

    runner = BackgroundWorker(engine)
    runner.start()
    serve(engine, host, port, demo)


@main.command()
@click.argument("instance_id", type=int, required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every instance.")
@click.option("--bundle", "bundle_file", type=click.Path(dir_okay=False),
              help="Replay an exported bundle, without a database.")
@handles_errors
def replay(instance_id: int | None, replay_all: bool, bundle_file: str | None) -> None:
    """Rebuild an instance from its history; exit 1 naming the first event that diverges."""
    if bundle_file:
        from engine.bundle import replay_bundle

        try:
            data = json.loads(Path(bundle_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"{bundle_file}: cannot read a bundle ({exc})") from exc
        _report_replay(f"bundle {bundle_file}", replay_bundle(data))
        return
    engine = _engine()
    if replay_all:
        ids = engine.instance_ids()
        failed = 0
        with click.progressbar(ids, label="replaying", file=sys.stderr) as bar:
            for iid in bar:
                result = engine.replay(iid)
                if not result.ok:
                    failed += 1
                    click.echo(f"\ninstance {iid}: {result.message}")
        click.echo(f"{len(ids)} instance(s) replayed, {failed} diverged")
        if failed:
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


@main.command()
@click.argument("instance_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@handles_errors
def export(instance_id: int, out: str) -> None:
    """Export one instance as an offline bundle (events, chain, exact definition files)."""
    data = _engine().export_bundle(instance_id)
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out}: {len(data['events'])} event(s), digest {data['digest'][:16]}")


@main.command("ledger")
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
    book = _engine().ledger(name, unit=unit, month=first)
    if out is None:
        click.echo("\t".join(book.headers))
        for row in book.rows:
            click.echo("\t".join(str(v) for v in row))
        return
    if out.endswith(".xlsx"):
        Path(out).write_bytes(book.to_xlsx())
    elif out.endswith(".csv"):
        Path(out).write_bytes(book.to_csv())
    else:
        raise click.BadParameter("--out must end in .csv or .xlsx")
    click.echo(f"wrote {out}: {len(book.rows)} row(s)")


# -- instance migration (engine/migration.py) --------------------------------------------------
# "kuaiban migrate" without KEY keeps upgrading the database schema (the command defined
# above, which this one replaces under the same name and calls); with KEY it moves cases.
_schema_migrate = main.commands.get("migrate")


@main.command("migrate")
@click.argument("key", required=False)
@click.option("--to", "to_version", type=int,
              help="Target version number of KEY (default: the latest).")
@click.option("--instance", "instance_id", type=int, help="Only this case.")
@click.option("--dry-run", is_flag=True,
              help="Change nothing; list which cases can move and why others cannot.")
@click.option("--as", "user", help="A designer to record as the actor (default: system).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--check", is_flag=True, help="Without KEY: only report the schema revision.")
@click.pass_context
@handles_errors
def migrate_instances(ctx: click.Context, key: str | None, to_version: int | None,
                      instance_id: int | None, dry_run: bool, user: str | None, as_json: bool,
                      check: bool) -> None:
    """Move running cases of process KEY to version --to (all cases on other versions, or
    --instance ID); exit 1 if a case cannot move. Without KEY: upgrade the database schema."""
    if key is None:
        if _schema_migrate is None or _schema_migrate.callback is None:
            raise click.UsageError("give a process KEY (and --to VERSION)")
        names = {p.name for p in _schema_migrate.params}
        ctx.invoke(_schema_migrate, **({"check": check} if "check" in names else {}))
        return
    from engine.migration import Outcome

    def show(o: Outcome) -> None:
        if as_json:
            return
        click.echo(f"#{o.instance_id} {o.business_key or '-'} v{o.from_version} → "
                   f"v{o.to_version}: {o.status}")
        for line in [*o.reasons, *o.changes]:
            click.echo(f"    {line}")

    engine = _engine()
    if not as_json:
        click.echo(f"{key} → {'latest version' if to_version is None else f'v{to_version}'}"
                   f"{' (dry run: nothing changes)' if dry_run else ''}", err=True)
    report = engine.migrate_instances(key, to_version, instance_id, dry_run, user, show)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        moved = "can migrate" if dry_run else "migrated"
        skipped = len(report.outcomes) - len(report.moved) - len(report.refused)
        click.echo(f"{len(report.outcomes)} case(s): {len(report.moved)} {moved}, "
                   f"{len(report.refused)} cannot migrate"
                   f"{f', {skipped} skipped' if skipped else ''}", err=True)
    if report.refused:
        sys.exit(1)


if __name__ == "__main__":
    main()
