"""The API of the working-day calendar: an administrator's day and a year's official schedule,
each changing the calendar and the open tasks' due dates counted over it in one transaction
(engine/runtime/deadlines.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.api.core import EngineCore
from engine.audit import calendars
from engine.runtime import deadlines
from engine.storage import counters
from engine.storage.schema import CalendarOverride, CalendarYear
from engine.time.calendar import WorkCalendar
from engine.time.schedule import Schedule
from engine.views import CalendarChange


class CalendarAdmin(EngineCore):
    """Changes to the calendar, with the deadlines that follow them."""

    def set_calendar_day(self, day: date, is_workday: bool, note: str | None = None,
                         progress: deadlines.Progress | None = None) -> CalendarChange:
        """Enter one official working day or day off; open tasks' due dates follow."""
        with self.transaction() as session:
            before = self._calendar_for(session), calendars.snapshot(session)
            row = session.get(CalendarOverride, day)
            if row is None:
                session.add(CalendarOverride(day=day, is_workday=is_workday, note=note))
            else:
                row.is_workday, row.note = is_workday, note
            cause = {"cause": "calendar_day_set", "day": day.isoformat(), "workday": is_workday}
            return self._follow(session, before, [day], cause, progress)

    def import_calendar_year(self, schedule: Schedule, source: str | None = None,
                             progress: deadlines.Progress | None = None) -> CalendarChange:
        """Load ``schedule`` as its year's official days: they replace the year's overrides
        (and so the provisional statutory rule), and open tasks' due dates follow, in one
        transaction."""
        year = schedule.year
        with self.transaction() as session:
            before = self._calendar_for(session), calendars.snapshot(session)
            session.execute(delete(CalendarOverride).where(
                CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31))))
            session.add_all(CalendarOverride(day=day, is_workday=working,
                                             note=schedule.notes.get(day))
                            for day, working in sorted(schedule.days.items()))
            row = session.get(CalendarYear, year)
            if row is None:
                session.add(CalendarYear(year=year, source=source, loaded_at=self.clock.now()))
            else:
                row.source, row.loaded_at = source, self.clock.now()
            return self._follow(session, before, deadlines.year_days(year),
                                {"cause": "calendar_imported", "year": year}, progress)

    def _follow(self, session: Session, before: tuple[WorkCalendar, calendars.Stored],
                days: list[date], cause: dict[str, object],
                progress: deadlines.Progress | None) -> CalendarChange:
        """Count the change, keep the calendar before it for replay when it turned a day, and
        move the deadlines it moves."""
        counters.bump_calendar(session)
        session.flush()
        after = WorkCalendar(
            {r.day: r.is_workday for r in session.execute(select(CalendarOverride)).scalars()},
            official_years=session.execute(select(CalendarYear.year)).scalars())
        session.info["calendar"] = after  # this transaction's later reads see the change
        changed = deadlines.changed_days(before[0], after, days)
        if changed:
            calendars.keep(session, before[1], self.clock.now())
        followed = deadlines.follow(session, self.runtime, before[0], after, changed,
                                    dict(cause), self.clock.now(), progress)
        return CalendarChange(changed, followed.tasks, followed.timers)
