"""``kuaiban calendar``: the official working-day calendar, and the open tasks' due dates that
follow a change of it (engine/runtime/deadlines.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from typing import Any, TextIO

import click

from engine.cli.common import handles_errors, open_engine
from engine.time.calendar import TZ, WorkCalendar
from engine.time.schedule import parse_schedule
from engine.views import CalendarChange, MovedDeadline

PROGRESS_FROM = 200  # cases to check before a progress bar is worth showing
LISTED = 50  # moved deadlines listed one per line; the rest are counted


@click.group("calendar")
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
    calendar = open_engine().calendar()
    found = calendar.next_workday(_date(day), n)
    click.echo(found.isoformat())
    _provisional_note(calendar, _date(day), found)


def _provisional_note(calendar: WorkCalendar, start: date, end: date) -> None:
    years = [y for y in range(start.year, end.year + 1) if calendar.is_provisional_year(y)]
    if years:
        click.echo(f"note: no official holiday schedule loaded for {', '.join(map(str, years))}"
                   ": counted with the statutory holidays and weekends only (no 调休); load it "
                   "with `kuaiban calendar import FILE` (节假日安排未公布，按法定节假日计算)",
                   err=True)


@calendar_group.command("set")
@click.argument("day")
@click.option("--workday/--holiday", "is_workday", required=True)
@click.option("--note")
@handles_errors
def calendar_set(day: str, is_workday: bool, note: str | None) -> None:
    """Enter an official working day or day off (for years the bundled data lacks); open
    tasks' due dates counted over it follow."""
    with _progress() as progress:
        change = open_engine().set_calendar_day(_date(day), is_workday, note, progress)
    click.echo(f"{day}: {'working day' if is_workday else 'day off'}")
    _report(change)


@calendar_group.command("import")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--source", help="the notice it is taken from (default: the file's name)")
@handles_errors
def calendar_import(file: TextIO, source: str | None) -> None:
    """Load a year's official schedule (the State Council's notice) from FILE: its holidays
    and adjusted working days replace that year's days and its provisional statutory rule,
    and open tasks' due dates counted over the days it changes follow.

    One line per day or range: `2027-02-05..2027-02-11 holiday 春节`, `2027-02-20 workday
    春节调休`; `#` starts a comment."""
    schedule = parse_schedule(file.read())
    with _progress() as progress:
        change = open_engine().import_calendar_year(
            schedule, source or os.path.basename(file.name), progress)
    off = sum(not working for working in schedule.days.values())
    click.echo(f"{schedule.year}: official schedule loaded: {off} days off, "
               f"{len(schedule.days) - off} adjusted working days")
    _report(change)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr once the open tasks to check are many."""
    with ExitStack() as stack:
        bars: list[Any] = []  # the bar, once shown

        def update(checked: int, total: int) -> None:
            if not bars and total >= PROGRESS_FROM:
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="following deadlines", file=sys.stderr)))
            if bars:
                bars[0].update(checked - bars[0].pos)

        yield update


def _report(change: CalendarChange) -> None:
    days = ", ".join(d.isoformat() for d in change.changed_days[:10])
    more = f" and {len(change.changed_days) - 10} more" if len(change.changed_days) > 10 else ""
    click.echo(f"{len(change.changed_days)} day(s) changed{': ' + days + more if days else ''}")
    _listed(change.moved)
    if change.moved_timers:
        _listed(change.moved_timers)
        click.echo(f"{len(change.moved_timers)} waiting timer(s) moved")
    click.echo(f"{len(change.moved)} open task due date(s) moved")


def _listed(moved: list[MovedDeadline]) -> None:
    for one in moved[:LISTED]:
        click.echo(f"  {one.business_key or one.instance_id} {one.title}: "
                   f"{_local(one.was)} → {_local(one.now)}")
    if len(moved) > LISTED:
        click.echo(f"  ... and {len(moved) - LISTED} more")


def _local(t: datetime) -> str:
    return t.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


COMMANDS = (calendar_group,)
