"""Notifications: a user's list (and marking it read), and the operators' view of the outbox
entries not delivered yet."""

from __future__ import annotations

import json

import click

from engine.cli.common import fail, handles_errors, open_engine
from engine.messages.notices import DEFAULT_LANGUAGE
from engine.notify.kinds import KINDS
from engine.time.calendar import TZ


@click.command()
@click.option("--as", "user", help="Whose notifications.")
@click.option("--pending", is_flag=True,
              help="Instead: the outbox entries not delivered (operators).")
@click.option("--unread", is_flag=True, help="Only unread ones.")
@click.option("--kind", type=click.Choice(KINDS), help="Only those of this kind.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--read", "read_id", type=int, help="Mark this notification read.")
@click.option("--read-all", is_flag=True, help="Mark all of them read.")
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def notifications(user: str | None, pending: bool, unread: bool, kind: str | None, limit: int,
                  read_id: int | None, read_all: bool, as_json: bool) -> None:
    """A user's notifications, newest first (--as USER); or, with --pending, every e-mail
    and webhook message not delivered yet, with its attempts and last error."""
    if pending == bool(user):
        fail("give either --as USER or --pending")
    engine = open_engine()
    if pending:
        entries = engine.notifications.pending()
        if as_json:
            click.echo(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
            return
        for e in entries:
            when = e.next_attempt_at.astimezone(TZ).isoformat(timespec="seconds")
            click.echo(f"#{e.id}  {e.status}  {e.channel}  {e.username}"
                       f"{' <' + e.address + '>' if e.address else ''}  {e.kind}  "
                       f"attempts {e.attempts}  next {when}  {e.last_error or '-'}")
        click.echo(f"{len(entries)} not delivered", err=True)
        return
    assert user is not None
    if read_id is not None:
        engine.notifications.mark_read(read_id, user)
    if read_all:
        engine.notifications.mark_all_read(user)
    found = engine.notifications.for_user(user, unread=unread, limit=limit, kind=kind)
    if as_json:
        click.echo(json.dumps([n.as_json() for n in found], ensure_ascii=False, indent=2))
        return
    for n in found:
        when = n.created_at.astimezone(TZ).isoformat(timespec="minutes")
        click.echo(f"#{n.id}  {when}  {'read' if n.read else 'unread'}  {n.kind}  "
                   f"{n.business_key or '-'}  {n.text_in(DEFAULT_LANGUAGE)}"
                   + (f"  ({n.actor_name})" if n.actor_name else ""))


COMMANDS = (notifications,)
