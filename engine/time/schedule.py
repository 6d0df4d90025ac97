"""A year's official holiday schedule as an administrator types it from the State Council's
notice (国务院办公厅关于 YYYY 年部分节假日安排的通知), for ``kuaiban calendar import``.

One line per day or range of days, ``#`` starts a comment::

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01..2027-01-03 holiday 元旦
    2027-02-20 workday 春节调休

``holiday`` days are off (list every day of each holiday, weekdays and weekends), ``workday``
days are the adjusted working weekends (调休). The schedule is checked against the statutory
holidays (engine/time/statutory.py) so a wrong year or a mistyped day is refused before it
changes any deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.errors import CalendarError
from engine.messages import msg
from engine.time.statutory import statutory_holidays

_KINDS = {"holiday": False, "workday": True}
_MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class Schedule:
    year: int
    days: dict[date, bool]  # True: an adjusted working day; False: a day off
    notes: dict[date, str]


def parse_schedule(text: str) -> Schedule:
    days: dict[date, bool] = {}
    notes: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[1] not in _KINDS:
            raise CalendarError(msg("calendar.schedule_bad_line", line=number, text=raw.strip()))
        working = _KINDS[parts[1]]
        for day in _days(parts[0], number):
            if day in days and days[day] != working:
                raise CalendarError(msg("calendar.schedule_both", day=day.isoformat()))
            if working and day.weekday() < 5:
                raise CalendarError(msg("calendar.schedule_weekday_workday",
                                        day=day.isoformat()))
            days[day] = working
            if len(parts) > 2:
                notes[day] = parts[2]
    years = {day.year for day in days}
    if len(years) != 1:
        raise CalendarError(msg("calendar.schedule_one_year",
                                years=", ".join(map(str, sorted(years))) or "-"))
    year = years.pop()
    for day, name in sorted((statutory_holidays(year) or {}).items()):
        if days.get(day, day.weekday() < 5):
            raise CalendarError(msg("calendar.schedule_statutory_missing", day=day.isoformat(),
                                    holiday=name))
    return Schedule(year, days, notes)


def _days(text: str, number: int) -> list[date]:
    first, _, last = text.partition("..")
    try:
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
    except ValueError:
        raise CalendarError(msg("calendar.schedule_bad_date", line=number, text=text)) from None
    if not 0 <= (end - start).days < _MAX_RANGE_DAYS:
        raise CalendarError(msg("calendar.schedule_bad_range", line=number, text=text))
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
