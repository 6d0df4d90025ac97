"""The working-day calendar in force at an event's time, for replay and time travel.

A script step that counted working days (``case_due = workday_close(5)``) stored its answer
in the case's data, and so in the state digest its event recorded; replayed on a calendar
changed since (a year's official schedule loaded, a day set), it would count otherwise and
the history would seem to disagree with itself. Each change that turns a day keeps the
calendar as it was before it (``calendar_changes``), and replay counts an event on the
calendar of the first change after it, or today's when none came after. An event at the very
instant of a change (a frozen clock) is taken as before it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.schema import CalendarOverride, CalendarYear, KeptCalendar
from engine.time.calendar import WorkCalendar

CalendarAt = Callable[[datetime], WorkCalendar]
Stored = tuple[dict[str, bool], list[int]]  # the stored days (ISO day -> working) and years
_KEY = "kuaiban_calendar_changes"  # session.info: this transaction's changes, read once


def snapshot(session: Session) -> Stored:
    """The calendar's stored days and official years now, as a change keeps them."""
    days = {r.day.isoformat(): r.is_workday
            for r in session.execute(select(CalendarOverride)).scalars()}
    return days, sorted(session.execute(select(CalendarYear.year)).scalars())


def keep(session: Session, before: Stored, at: datetime) -> None:
    """Record the calendar as it was (``before``) ahead of a change made ``at``."""
    session.add(KeptCalendar(changed_at=at, overrides_before=before[0],
                               years_before=before[1]))
    session.info.pop(_KEY, None)


def recorded(session: Session) -> list[dict[str, Any]]:
    """Every change, oldest first, as bundles carry them (engine/audit/bundle.py)."""
    found = session.info.get(_KEY)
    if found is None:
        rows = session.execute(select(KeptCalendar)
                               .order_by(KeptCalendar.changed_at, KeptCalendar.id)).scalars()
        found = session.info[_KEY] = [
            {"changed_at": r.changed_at.isoformat(), "overrides_before": r.overrides_before,
             "years_before": r.years_before} for r in rows]
    return list(found)


def in_force(current: WorkCalendar, changes: Sequence[Mapping[str, Any]]) -> CalendarAt:
    """The calendar in force at a time: before the first of ``changes`` made at or after it,
    that change's calendar before; after them all, ``current``."""
    times = [datetime.fromisoformat(c["changed_at"]) for c in changes]
    built: dict[int, WorkCalendar] = {}

    def at(t: datetime) -> WorkCalendar:
        index = bisect_left(times, t)
        if index == len(changes):
            return current
        if index not in built:
            change = changes[index]
            built[index] = WorkCalendar(_days(change["overrides_before"]),
                                        official_years=change["years_before"])
        return built[index]

    return at


def _days(days: Mapping[str, bool]) -> dict[date, bool]:
    return {date.fromisoformat(d): bool(w) for d, w in days.items()}


def of_database(session: Session, current: WorkCalendar) -> CalendarAt:
    return in_force(current, recorded(session))
