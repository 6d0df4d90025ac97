"""Running Kuaiban: the web app, the timer worker, timers, database and case migrations and
users (the working-day calendar: engine/cli/calendar.py)."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from engine.cli.common import handles_errors, open_engine
from engine.notify.center import WorkReport
from engine.runtime.worker import FireReport

ROOT = Path(__file__).resolve().parents[2]  # the checkout: processes/ and forms/

LOG_FORMAT = click.option(
    "--log-format", type=click.Choice(["text", "json"]), envvar="KUAIBAN_LOG_FORMAT",
    default="text", show_default=True, help="json: one JSON object per log line (stderr).")


def configure_logs(log_format: str) -> bool:
    """Set up logging for a long-running command; True for JSON lines."""
    from engine import logs

    verbose = bool(click.get_current_context().find_root().params.get("verbose"))
    return logs.configure(log_format, verbose=verbose) == "json"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn web processes (one timer worker serves them all).")
@click.option("--demo", is_flag=True, help="Create demo users and print how to sign in.")
@click.option("--dev", is_flag=True,
              help="Werkzeug's development server in one process instead of gunicorn.")
@LOG_FORMAT
@handles_errors
def run(host: str, port: int, workers: int, demo: bool, dev: bool, log_format: str) -> None:
    """Deploy the shipped processes, then serve the web app with gunicorn and one timer
    worker (web/server.py); --dev: Werkzeug's server with the timer worker as a thread."""
    as_json = configure_logs(log_format)
    engine = open_engine()
    for item in engine.deploy_directory(ROOT / "processes", ROOT / "forms"):
        if item.created and as_json:
            logging.getLogger("kuaiban.cli").info(
                "deployed %s %s", item.key, item.version,
                extra={"process_key": item.key, "version": item.version})
        elif item.created:
            click.echo(f"deployed {item.key} {item.version}", err=True)
    if demo:
        from web.demo import create_demo_users

        click.echo("demo users (password for all: see below):")
        for line in create_demo_users(engine):
            click.echo("  " + line)
    from web import server  # the one place the engine package reaches the web app

    if dev:
        from engine.runtime.worker import BackgroundWorker

        BackgroundWorker(engine).start()
        server.serve_dev(engine, host, port)
    else:
        os.environ["KUAIBAN_LOG_FORMAT"] = log_format  # the processes log alike
        server.serve(engine, host, port, workers)


@click.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Fire what is due, then exit.")
@LOG_FORMAT
@handles_errors
def worker(interval: float, once: bool, log_format: str) -> None:
    """Long-running worker: fires due timers, sends the day's reminders and the outbox
    (several may run against PostgreSQL)."""
    import time as _time

    as_json = configure_logs(log_format)
    log = logging.getLogger("kuaiban.worker")
    engine = open_engine()
    where = engine.db.url.render_as_string()  # hides the password
    if as_json:
        log.info("worker started", extra={"worker_id": engine.timers.worker_id,
                                          "database": engine.db.dialect.name})
    else:
        click.echo(f"worker {engine.timers.worker_id} on {where}", err=True)
    while True:
        report = engine.timers.fire_due()
        if report.leased:
            line = (f"fired {report.fired}, started {report.started}{_skipped(report)}, "
                    f"failed {report.failed}")
            if as_json:
                log.info(line, extra={"leased": report.leased, "fired": report.fired,
                                      "started": report.started, "skipped": report.skipped,
                                      "failed": report.failed})
            else:
                click.echo(line, err=True)
        _notices(engine.notifications.work(), as_json, log)
        if once:
            return
        _time.sleep(interval)


def _skipped(report: FireReport) -> str:
    """Scheduled starts whose case existed already, said only when there were some."""
    return f", skipped {report.skipped}" if report.skipped else ""


def _notices(report: WorkReport, as_json: bool, log: logging.Logger) -> None:
    """One line for a round that reminded or sent anything (engine/notify)."""
    sent = report.delivery
    if not (report.reminded or sent.sent or sent.retrying or sent.failed):
        return
    line = (f"reminded {report.reminded} task(s); sent {sent.sent}, retrying "
            f"{sent.retrying}, failed {sent.failed}")
    if as_json:
        log.info(line, extra={"reminded": report.reminded, "sent": sent.sent,
                              "retrying": sent.retrying, "undeliverable": sent.failed})
    else:
        click.echo(line, err=True)


@click.command()
@click.option("--fire", is_flag=True, help="Fire the due timers now.")
@handles_errors
def timers(fire: bool) -> None:
    """List pending timers; --fire fires the due ones."""
    engine = open_engine()
    if fire:
        report = engine.timers.fire_due()
        click.echo(f"fired {report.fired} instance(s), started {report.started}"
                   f"{_skipped(report)}, failed {report.failed}")
        if report.failed:
            sys.exit(1)
        return
    now = engine.clock.now()
    for t in engine.timers.pending():
        state = "due" if t.due_at < now else "pending"
        click.echo(f"{t.as_json()['due_at']}  {state}  {t.process_key}  "
                   f"#{t.instance_id if t.instance_id is not None else 'new'}  {t.element_id}")


# "kuaiban migrate" without KEY upgrades the database schema (this command, not registered on
# its own); with KEY it moves running cases to another version (engine/runtime/migration.py).
@click.command("migrate")
@click.option("--check", is_flag=True, help="Only report; exit 1 unless at the head.")
@handles_errors
def migrate_schema(check: bool) -> None:
    """Upgrade the database schema to the newest Alembic revision (Engine() also does this
    at start); prints the revision before and after."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine.storage import db, migrate

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


@click.command("migrate")
@click.argument("key", required=False)
@click.option("--to", "to_version", type=int,
              help="Target version number of KEY (default: the latest).")
@click.option("--instance", "instance_id", type=int, help="Only this case.")
@click.option("--from", "from_version", type=int,
              help="Only the cases on this version of KEY (default: every other version).")
@click.option("--dry-run", is_flag=True,
              help="Change nothing; list which cases can move and why others cannot.")
@click.option("--as", "user", help="A designer to record as the actor (default: system).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--check", is_flag=True, help="Without KEY: only report the schema revision.")
@click.pass_context
@handles_errors
def migrate_instances(ctx: click.Context, key: str | None, to_version: int | None,
                      instance_id: int | None, from_version: int | None, dry_run: bool,
                      user: str | None, as_json: bool, check: bool) -> None:
    """Move running cases of process KEY to version --to (all cases on other versions, those
    on version --from, or --instance ID); exit 1 if a case cannot move. Without KEY: upgrade
    the database schema."""
    if key is None:
        ctx.invoke(migrate_schema, check=check)
        return
    from engine.runtime.migration import Outcome

    def show(o: Outcome) -> None:
        if as_json:
            return
        click.echo(f"#{o.instance_id} {o.business_key or '-'} v{o.from_version} → "
                   f"v{o.to_version}: {o.status}")
        for line in [*o.reasons, *o.changes]:
            click.echo(f"    {line}")

    engine = open_engine()
    if not as_json:
        click.echo(f"{key} → {'latest version' if to_version is None else f'v{to_version}'}"
                   f"{' (dry run: nothing changes)' if dry_run else ''}", err=True)
    report = engine.migrate_instances(key, to_version, instance_id, dry_run, user, show,
                                      from_version)
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


@click.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--unit")
@click.option("--password", help="For scripts only: a password on the command line stays in "
              "the shell history and shows in the process list. Without it the password is "
              "prompted for (not echoed) or read as one line from stdin.")
@click.option("--no-password", is_flag=True, help="Ask for no password: a new user cannot "
              "sign in (the command line's --as still works), an existing one keeps theirs.")
@click.option("--display-name")
@click.option("--email", help='Where e-mail notices go ("" removes it).')
@click.option("--credit-code", help="An enterprise's 统一社会信用代码: it follows the cases "
              'filed with it ("" removes it).')
@click.option("--phone", help='The office telephone official documents print beside the '
              'name, e.g. in a 交办函\'s 联系人 line ("" removes it).')
@click.option("--language", help='zh or en: the pages\' language when the user signs in, and '
              'the language of their e-mails ("" removes it: Chinese).')
@handles_errors
def users_add(name: str, roles: tuple[str, ...], unit: str | None, password: str | None,
              no_password: bool, display_name: str | None, email: str | None,
              credit_code: str | None, phone: str | None, language: str | None) -> None:
    """Add or update a user. The password (at least 10 characters, not the user name, not a
    common password) is prompted for on a terminal, or read as one line from stdin (``echo
    ... | kuaiban users add ...``); none given: an existing user keeps theirs, a new one
    cannot sign in until ``kuaiban users set-password NAME``."""
    from engine import check_password_policy

    if password is not None and no_password:
        raise click.UsageError("--password and --no-password exclude each other")
    if password is not None:
        click.echo("warning: --password leaves the password in the shell history; prefer the "
                   "prompt or stdin", err=True)
    elif not no_password:
        password = read_password(required=False)
    if password:
        check_password_policy(name, password)
    user = open_engine().add_user(name, list(roles), unit, password, display_name, email,
                                  credit_code, phone, language)
    click.echo(f"{user.username}: {', '.join(user.roles)}{' @ ' + user.unit if user.unit else ''}")


@users.command("set-password")
@click.argument("name")
@handles_errors
def users_set_password(name: str) -> None:
    """An administrator's reset: a new password for NAME (prompted for, or one line from
    stdin), under the password policy. NAME is signed out everywhere and a sign-in lock is
    lifted."""
    open_engine().accounts.set_password(name, read_password(required=True) or "")
    click.echo(f"{name}: password set; signed out everywhere")


@users.command("sign-out")
@click.argument("name")
@handles_errors
def users_sign_out(name: str) -> None:
    """Revoke every browser session and API token of NAME (a lost laptop, say)."""
    open_engine().accounts.sign_out_everywhere(name)
    click.echo(f"{name}: signed out everywhere")


@users.command("deactivate")
@click.argument("name")
@handles_errors
def users_deactivate(name: str) -> None:
    """NAME can no longer sign in; every session and token is revoked. The account and its
    history stay."""
    open_engine().accounts.deactivate(name)
    click.echo(f"{name}: deactivated; signed out everywhere")


@users.command("unlock")
@click.argument("name")
@handles_errors
def users_unlock(name: str) -> None:
    """Lift the sign-in lock that too many failed attempts put on NAME."""
    locked = open_engine().accounts.unlock(name)
    click.echo(f"{name}: {'unlocked' if locked else 'was not locked'}")


def read_password(required: bool) -> str | None:
    """A password typed at a terminal (twice, not echoed), or the first line of stdin."""
    if sys.stdin is not None and sys.stdin.isatty():
        typed: str = click.prompt("Password", hide_input=True, confirmation_prompt=True,
                                  default="" if not required else None, show_default=False)
        password = typed
    else:
        password = (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")
    if required and not password:
        raise click.UsageError("no password given: type it at the prompt or pipe it on stdin")
    return password or None


COMMANDS = (run, worker, timers, migrate_instances, users)
