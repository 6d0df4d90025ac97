"""The official Chinese working-day calendar and deadline arithmetic.

Government deadlines (当天, 次日, 5个工作日之内 ...) count *official* working days: statutory
holidays are off and adjusted working days (调休, a Saturday or Sunday declared a working day)
are on. Mon-Fri is wrong around every long holiday (the working day after 2026-09-30 is
2026-10-08; after Friday 2026-10-09 it is Saturday 2026-10-10).

Three sources, because none alone is enough:

* the ``chinesecalendar`` package bundles the State Council schedules of past and current years
  (2004-2026 in the pinned version), but a new year's schedule is only published each
  November/December, long before a package release reaches production;
* so an administrator loads the next year's schedule (``kuaiban calendar import FILE``: its
  holidays and adjusted working days, stored as overrides, and the year marked official) or
  corrects one day (``kuaiban calendar set ...``). Overrides always win over the package data,
  and every process (web workers, timer workers) uses them from its next command on: the
  engine keeps one WorkCalendar per process and rebuilds it when the database's
  ``calendar_version`` counter has moved (engine/api/core.py);
* until then, a year the package does not know is *provisional*: its weekends and the
  statutory holidays of engine/time/statutory.py are off (no 调休 is guessed), the calendar
  logs a WARNING once per year and :meth:`WorkCalendar.is_provisional_year` tells the UI,
  documents and health checks to say so. Overrides of a provisional year still win.

Only a year past the statutory table too falls back to Mon-Fri (:attr:`missing_years`).

Deadlines reach at most :data:`HORIZON_YEARS` years: larger counts of days, working days or
months are refused, and so is a deadline function whose start or result lies further from
now. Every day the calendar scans is charged to the running script or expression
(:func:`engine.scripting.budget.charge`), so a script cannot spend minutes in deadline
arithmetic within its step budget, and a command's time limit stops it inside the scan.
"""

from __future__ import annotations

import calendar as _stdcal
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from engine.errors import CalendarError
from engine.messages import msg
from engine.scripting.budget import charge
from engine.time.clock import parse_instant, require_aware
from engine.time.statutory import statutory_holidays

TZ = ZoneInfo("Asia/Shanghai")


def deadline_day(t: datetime) -> date:
    """The local day a deadline falls on. One at midnight ends the day before: a stage that
    closes at 12-01 00:00 ends 11月底, 每月5日前 on the 4th at 24:00."""
    local = t.astimezone(TZ)
    return local.date() - timedelta(days=1) if local.time() == time(0) else local.date()


def deadline_clock(t: datetime) -> str:
    """The local time of day of a deadline, midnight read as 24:00 (see deadline_day)."""
    local = t.astimezone(TZ)
    return "24:00" if local.time() == time(0) else f"{local:%H:%M}"
DEFAULT_CLOSE = time(17, 30)
HORIZON_YEARS = 5  # no deadline is further away
HORIZON = timedelta(days=366 * HORIZON_YEARS)
MAX_WORKDAYS = 250 * HORIZON_YEARS  # n of next_workday / workday_close
MAX_MONTHS = 12 * HORIZON_YEARS
# Any real schedule has a working day within a few weeks; this only stops runaway loops.
_MAX_SCAN_DAYS = HORIZON.days + 366
_CHUNK = 32  # days scanned per charge to the running evaluation
# A day scanned costs about three interpreter steps (measured: ~7 µs against ~2.5 µs).
_STEPS_PER_CHUNK = 3 * _CHUNK

log = logging.getLogger("kuaiban.calendar")


def _as_date(d: date, what: str = "date") -> date:
    if isinstance(d, datetime):
        raise CalendarError(msg("calendar.datetime_not_date", what=what, value=d.isoformat()))
    if not isinstance(d, date):
        raise CalendarError(msg("calendar.not_a_date", what=what, type=type(d).__name__))
    return d


def _as_int(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise CalendarError(msg("calendar.not_an_integer", what=what, value=n))
    return n


class WorkCalendar:
    """Working days in ``tz`` from the package data plus administrator overrides;
    ``official_years``: the years whose official schedule an administrator loaded."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        close: time = DEFAULT_CLOSE,
        tz: tzinfo = TZ,
        official_years: Iterable[int] = (),
    ) -> None:
        self.overrides: dict[date, bool] = {}
        for d, working in (overrides or {}).items():
            _as_date(d, "override date")
            if not isinstance(working, bool):
                raise CalendarError(msg("calendar.bad_override", day=d.isoformat()))
            self.overrides[d] = working
        if not isinstance(close, time) or close.tzinfo is not None:
            raise CalendarError(msg("calendar.close_not_naive"))
        self.close = close
        self.tz = tz
        self.official_years = frozenset(official_years)
        self.missing_years: set[int] = set()
        self._warned: set[int] = set()
        self._package_years: dict[int, bool] = {}
        self._statutory: dict[int, dict[date, str] | None] = {}
        # Answers by day: the package's own lookup costs ~80 µs, and a calendar (its
        # overrides) never changes; a changed calendar is a new WorkCalendar.
        self._days: dict[date, bool] = {}

    # -- days -----------------------------------------------------------------------------

    def _package_knows(self, year: int) -> bool:
        known = self._package_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                known = True
            except NotImplementedError:
                known = False
            self._package_years[year] = known
        return known

    def is_known_year(self, year: int) -> bool:
        """True if the official schedule of ``year`` is in the package or was loaded."""
        return year in self.official_years or self._package_knows(year)

    def is_provisional_year(self, year: int) -> bool:
        """True if ``year``'s days off are only the statutory holidays and weekends (or, past
        the statutory table, Mon-Fri): its official schedule is not loaded yet."""
        return not self.is_known_year(year)

    def provisional_span(self, a: date, b: date) -> bool:
        """True if a deadline on ``b`` counted from ``a`` (or the other way) reaches into a
        provisional year."""
        a, b = sorted((_as_date(a), _as_date(b)))
        return any(self.is_provisional_year(y) for y in range(a.year, b.year + 1))

    def statutory_holiday(self, d: date) -> str | None:
        """The statutory holiday ``d`` is one of (元旦, 春节 ...), if it is."""
        d = _as_date(d)
        return (self._statutory_of(d.year) or {}).get(d)

    def _statutory_of(self, year: int) -> dict[date, str] | None:
        if year not in self._statutory:
            self._statutory[year] = statutory_holidays(year)
        return self._statutory[year]

    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        known = self._days.get(d)
        if known is None:
            known = self._days[d] = self._is_workday(d)
        return known

    def _is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        if self._package_knows(d.year):
            return bool(chinese_calendar.is_workday(d))
        # A loaded year's overrides hold its official days off beyond these, and 调休.
        holidays = self._statutory_of(d.year)
        if d.year not in self.official_years:
            if holidays is None:
                self.missing_years.add(d.year)
            self._warn(d.year)
        return d.weekday() < 5 and d not in (holidays or {})

    def _warn(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        if year in self.missing_years:
            log.warning(
                "calendar: year %d has no official schedule and is past the statutory holiday "
                "table; assuming Mon-Fri working days until an administrator loads its "
                "schedule with `kuaiban calendar import FILE`.", year)
        else:
            log.warning(
                "calendar: year %d has no official schedule; counting its weekends and "
                "statutory holidays as days off (no 调休) until an administrator loads the "
                "State Council's schedule with `kuaiban calendar import FILE`.", year)

    def next_workday(self, d: date, n: int = 1) -> date:
        """The ``n``-th working day strictly after ``d`` (``n >= 1``)."""
        d = _as_date(d)
        n = _as_int(n, "n")
        if n < 1:
            raise CalendarError(msg("calendar.n_too_small", n=n))
        if n > MAX_WORKDAYS:
            raise CalendarError(msg("calendar.n_too_large", limit=MAX_WORKDAYS, years=HORIZON_YEARS,
                                    n=n))
        current = d
        for scanned in range(_MAX_SCAN_DAYS):
            if scanned % _CHUNK == 0:
                charge(_STEPS_PER_CHUNK)
            current += timedelta(days=1)
            if self.is_workday(current):
                n -= 1
                if n == 0:
                    return current
        raise CalendarError(msg("calendar.no_working_day", day=d.isoformat()))

    def workday_on_or_after(self, d: date) -> date:
        d = _as_date(d)
        return d if self.is_workday(d) else self.next_workday(d)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; negative (``-count in (b, a]``) if ``b < a``."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        count = 0
        current = a
        while current < b:
            if count % _CHUNK == 0:
                charge(_STEPS_PER_CHUNK)
            current += timedelta(days=1)
            count += self.is_workday(current)
        return count

    # -- instants -------------------------------------------------------------------------

    def local(self, t: datetime) -> datetime:
        """``t`` converted to the calendar's time zone (naive datetimes are rejected)."""
        return require_aware(t).astimezone(self.tz)

    def close_of(self, d: date) -> datetime:
        """Office close of the local date ``d``."""
        return datetime.combine(_as_date(d), self.close, tzinfo=self.tz)

    def same_day_close(self, t: datetime) -> datetime:
        """当天: close of the working day ``t`` falls on; on a day off or at/after close, the
        close of the next working day."""
        local = self.local(t)
        today = local.date()
        if self.is_workday(today) and local < self.close_of(today):
            return self.close_of(today)
        return self.close_of(self.next_workday(today))

    def earlier_workday_close(self, t: datetime) -> datetime:
        """"X日前" read "on or before": close of ``t``'s local day if it is a working day,
        else of the last working day before it (the city's choice for a deadline, instead of
        the statutory move to the next working day of same_day_close, 民法典 第二百零三条)."""
        d = self.local(t).date()
        for scanned in range(_MAX_SCAN_DAYS):
            if scanned % _CHUNK == 0:
                charge(_STEPS_PER_CHUNK)
            if self.is_workday(d):
                return self.close_of(d)
            d -= timedelta(days=1)
        raise CalendarError(msg("calendar.no_working_day_before", day=t.isoformat()))

    def workday_close(self, t: datetime, n: int) -> datetime:
        """Close of the ``n``-th working day after ``t``'s local date (n=1: 次日, 1个工作日内)."""
        return self.close_of(self.next_workday(self.local(t).date(), n))

    def add_days(self, t: datetime, days: int) -> datetime:
        """``days`` calendar days later at the same local wall-clock time (一周后: 7)."""
        days = _as_int(days, "days")
        if abs(days) > HORIZON.days:
            raise CalendarError(msg("calendar.days_too_large", limit=HORIZON.days,
                                    years=HORIZON_YEARS, days=days))
        local = self.local(t)
        naive = local.replace(tzinfo=None) + timedelta(days=days)
        return naive.replace(tzinfo=self.tz)

    def day_of_month(self, t: datetime, day: int, months_ahead: int = 0) -> datetime:
        """00:00 local of ``day`` in the month ``months_ahead`` after ``t``'s month; a day past
        the month's end is clamped to its last day.

        每月5日前 (the report due next month): ``day=5, months_ahead=1``.
        """
        day = _as_int(day, "day")
        months_ahead = _as_int(months_ahead, "months_ahead")
        if not 1 <= day <= 31:
            raise CalendarError(msg("calendar.bad_day", day=day))
        if abs(months_ahead) > MAX_MONTHS:
            raise CalendarError(msg("calendar.months_too_large", limit=MAX_MONTHS,
                                    months_ahead=months_ahead))
        local = self.local(t)
        index = local.year * 12 + (local.month - 1) + months_ahead
        year, month = divmod(index, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise CalendarError(msg("calendar.months_out_of_range", months_ahead=months_ahead))
        last = _stdcal.monthrange(year, month)[1]
        return datetime(year, month, min(day, last), tzinfo=self.tz)

    def year_end(self, t: datetime) -> datetime:
        """当年办结: the close of the last working day of ``t``'s local year (31 December when
        it is one), as every other deadline closes at the office's close."""
        return self.earlier_workday_close(datetime(self.local(t).year, 12, 31, tzinfo=self.tz))


def deadline_functions(
    calendar: WorkCalendar, now: Callable[[], datetime]
) -> dict[str, Callable[..., str]]:
    """Functions that BPMN due-date and timer expressions may call.

    Each returns an ISO 8601 string with offset (SpiffWorkflow timers take ISO strings) and
    takes an optional ``start`` (ISO string or aware datetime) used instead of now as the base.
    A start or a result more than :data:`HORIZON_YEARS` years from now is refused.
    """

    def base(start: str | datetime | None) -> datetime:
        charge(1)
        if start is None:
            return calendar.local(now())
        if isinstance(start, datetime):
            return near(calendar.local(start), "start")
        return near(calendar.local(parse_instant(start)), "start")

    def near(t: datetime, what: str = "deadline") -> datetime:
        if abs(t - now()) > HORIZON:
            raise CalendarError(msg("calendar.too_far", what=what, value=t.isoformat(),
                                    years=HORIZON_YEARS))
        return t

    def now_() -> str:
        """The current instant, e.g. ``2026-09-30T16:00:00+08:00``."""
        return calendar.local(now()).isoformat()

    def same_day_close(start: str | datetime | None = None) -> str:
        """当天呈批处置: ``same_day_close()`` -> close of today's working day (next working
        day's close if today is off or already closed)."""
        return near(calendar.same_day_close(base(start))).isoformat()

    def earlier_workday_close(start: str | datetime | None = None) -> str:
        """每月5日前 kept on or before the day: ``earlier_workday_close(start=day_of_month(4,
        1))`` -> close of the 4th of next month, or of the last working day before it when the
        4th is off (``same_day_close`` instead moves it to the next working day)."""
        return near(calendar.earlier_workday_close(base(start))).isoformat()

    def workday_close(n: int, start: str | datetime | None = None) -> str:
        """经批准后第二天转办到位: ``workday_close(1, start=approved_at)``;
        5个工作日之内: ``workday_close(5)`` -> close of the 5th working day."""
        return near(calendar.workday_close(base(start), n)).isoformat()

    def add_days(n: int, start: str | datetime | None = None) -> str:
        """一周后跟踪进展: ``add_days(7, start=transferred_at)`` -> same local time 7 days on."""
        return near(calendar.add_days(base(start), n)).isoformat()

    def day_of_month(day: int, months_ahead: int = 0, start: str | datetime | None = None) -> str:
        """每月5日前 (next month's report): ``day_of_month(5, 1)`` -> 00:00 on the 5th of next
        month; 每季首月3日前 from a quarter's last month: ``day_of_month(3, 1)``."""
        return near(calendar.day_of_month(base(start), day, months_ahead)).isoformat()

    def year_end(start: str | datetime | None = None) -> str:
        """当年办结: ``year_end()`` -> the close of this year's last working day."""
        return near(calendar.year_end(base(start))).isoformat()

    return {
        "now": now_,
        "same_day_close": same_day_close,
        "earlier_workday_close": earlier_workday_close,
        "workday_close": workday_close,
        "add_days": add_days,
        "day_of_month": day_of_month,
        "year_end": year_end,
    }
