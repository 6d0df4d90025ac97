import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest

from engine.errors import CalendarError
from engine.time.calendar import TZ, WorkCalendar, deadline_functions
from engine.time.clock import FixedClock


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at("2026-09-30T16:00:00+08:00"))


# -- working days ---------------------------------------------------------------------------


def test_is_workday_known_2026(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2026, 9, 30))
    assert not cal.is_workday(date(2026, 10, 1))  # National Day
    assert not cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 10, 10))  # adjusted Saturday
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday
    assert cal.missing_years == set()


def test_next_workday_over_national_day(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)


def test_next_workday_friday_to_adjusted_saturday(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 10, 9)) == date(2026, 10, 10)


def test_next_workday_spring_festival_adjusted_saturday(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 2, 13)) == date(2026, 2, 14)
    # then the Spring Festival break 2026-02-15..23
    assert cal.next_workday(date(2026, 2, 14)) == date(2026, 2, 24)


def test_next_workday_n5_across_national_day(cal: WorkCalendar) -> None:
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (adjusted), 10-12 Mon, 10-13 Tue
    assert cal.next_workday(date(2026, 9, 30), n=5) == date(2026, 10, 13)


@pytest.mark.parametrize("n", [0, -1])
def test_next_workday_rejects_n_below_one(cal: WorkCalendar, n: int) -> None:
    with pytest.raises(CalendarError):
        cal.next_workday(date(2026, 9, 30), n)


def test_workday_on_or_after(cal: WorkCalendar) -> None:
    assert cal.workday_on_or_after(date(2026, 9, 30)) == date(2026, 9, 30)
    assert cal.workday_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)


def test_dates_only(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError):
        cal.is_workday(datetime(2026, 9, 30, tzinfo=TZ))
    with pytest.raises(CalendarError):
        cal.is_workday("2026-09-30")  # type: ignore[arg-type]


# -- years without official data -------------------------------------------------------------


def test_2027_without_schedule_keeps_the_statutory_holidays(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kuaiban.calendar")
    assert date(2027, 1, 1).weekday() == 4  # a Friday
    assert not cal.is_workday(date(2027, 1, 1))  # 元旦
    assert cal.statutory_holiday(date(2027, 1, 1)) == "元旦"
    assert cal.next_workday(date(2027, 1, 1)) == date(2027, 1, 4)
    assert not cal.is_workday(date(2027, 1, 2))
    assert cal.is_workday(date(2027, 1, 5))
    assert cal.missing_years == set()  # not Mon-Fri: the statutory rule
    assert cal.is_provisional_year(2027) and not cal.is_known_year(2027)
    assert not cal.is_provisional_year(2026)
    warnings = [r for r in caplog.records if r.name == "kuaiban.calendar"]
    assert len(warnings) == 1  # once per year per calendar
    message = warnings[0].getMessage()
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in message and "statutory holidays" in message
    assert "kuaiban calendar import" in message


def test_next_workday_after_2026_12_31_skips_new_year(cal: WorkCalendar) -> None:
    # Thu 12-31, then Fri 01-01 元旦, Sat, Sun: Monday 01-04.
    assert [date(2027, 1, d).weekday() for d in (1, 2, 3, 4)] == [4, 5, 6, 0]
    assert cal.next_workday(date(2026, 12, 31)) == date(2027, 1, 4)
    assert cal.provisional_span(date(2026, 12, 31), date(2027, 1, 4))
    assert not cal.provisional_span(date(2026, 12, 1), date(2026, 12, 31))


def test_twenty_working_days_from_2026_12_07_skip_new_year(cal: WorkCalendar) -> None:
    # 12-08..12-31 hold 18 working days; 01-01 is off, so the 19th and 20th are 01-04, 01-05.
    assert cal.next_workday(date(2026, 12, 7), 18) == date(2026, 12, 31)
    assert cal.next_workday(date(2026, 12, 7), 20) == date(2027, 1, 5)
    due = cal.workday_close(at("2026-12-07T10:00:00+08:00"), 20)
    assert due == at("2027-01-05T17:30:00+08:00")


def test_spring_festival_2027_is_off(cal: WorkCalendar) -> None:
    # 除夕 Fri 02-05, 正月初一至初三 Sat 02-06 .. Mon 02-08: Tuesday is the first day back.
    for day in range(5, 9):
        assert not cal.is_workday(date(2027, 2, day))
        assert cal.statutory_holiday(date(2027, 2, day)) == "春节"
    assert cal.is_workday(date(2027, 2, 4))
    assert cal.next_workday(date(2027, 2, 4)) == date(2027, 2, 9)
    assert cal.is_workday(date(2027, 5, 3))  # 劳动节 is 05-01/02 only: Monday works
    assert not cal.is_workday(date(2027, 10, 1))
    assert not cal.is_workday(date(2027, 9, 15))  # 中秋, a Wednesday
    assert not cal.is_workday(date(2027, 6, 9))  # 端午, a Wednesday
    assert not cal.is_workday(date(2027, 4, 5))  # 清明, a Monday


def test_no_adjusted_workday_is_guessed(cal: WorkCalendar) -> None:
    saturdays = [date(2027, 1, 2) + timedelta(weeks=w) for w in range(52)]
    assert not any(cal.is_workday(d) for d in saturdays)


def test_year_before_package_range_warns(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2003, 6, 2))  # Monday
    assert cal.missing_years == {2003}


def test_year_past_the_statutory_table_falls_back_to_mon_fri(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2036, 1, 1))  # a Tuesday: not known, not guessed
    assert cal.missing_years == {2036}
    assert cal.is_provisional_year(2036)


def test_2027_loaded_schedule_is_official(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="kuaiban.calendar")
    cal = WorkCalendar(overrides={date(2027, 1, 1): False, date(2027, 1, 9): True,
                                  date(2027, 2, 9): False},
                       official_years={2027})
    assert cal.is_known_year(2027) and not cal.is_provisional_year(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))  # Saturday declared a working day
    assert cal.next_workday(date(2026, 12, 31)) == date(2027, 1, 4)
    assert cal.next_workday(date(2027, 1, 8)) == date(2027, 1, 9)
    assert not cal.is_workday(date(2027, 2, 9))  # a bridge day the rule did not know
    assert cal.is_workday(date(2027, 3, 3))  # not listed: Mon-Fri plus the overrides
    assert not cal.is_workday(date(2027, 3, 6))
    assert not cal.provisional_span(date(2026, 12, 7), date(2027, 3, 3))
    assert cal.missing_years == set()
    assert not [r for r in caplog.records if r.name == "kuaiban.calendar"]


def test_a_corrected_day_alone_leaves_the_year_provisional() -> None:
    cal = WorkCalendar(overrides={date(2027, 2, 20): True})
    assert cal.is_workday(date(2027, 2, 20))
    assert not cal.is_workday(date(2027, 2, 5))  # the rule still holds around it
    assert cal.is_provisional_year(2027)


def test_override_wins_over_package_data() -> None:
    cal = WorkCalendar(overrides={date(2026, 10, 10): False, date(2026, 10, 1): True})
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 1))
    assert cal.next_workday(date(2026, 10, 9)) == date(2026, 10, 12)


def test_bad_overrides_rejected() -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(overrides={date(2027, 1, 1): "off"})  # type: ignore[dict-item]
    with pytest.raises(CalendarError):
        WorkCalendar(overrides={"2027-01-01": False})  # type: ignore[dict-item]


# -- workdays_between ------------------------------------------------------------------------


def test_workdays_between_across_holiday_week(cal: WorkCalendar) -> None:
    # (09-28, 10-12]: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert cal.workdays_between(date(2026, 10, 12), date(2026, 9, 28)) == -6
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 9, 30)) == 0


# -- instants --------------------------------------------------------------------------------


def test_close_of(cal: WorkCalendar) -> None:
    assert cal.close_of(date(2026, 9, 30)) == at("2026-09-30T17:30:00+08:00")
    assert WorkCalendar(close=time(18, 0)).close_of(date(2026, 9, 30)).hour == 18


def test_same_day_close_before_close(cal: WorkCalendar) -> None:
    assert cal.same_day_close(at("2026-09-30T16:00:00+08:00")) == at("2026-09-30T17:30:00+08:00")


def test_same_day_close_after_close(cal: WorkCalendar) -> None:
    assert cal.same_day_close(at("2026-09-30T18:00:00+08:00")) == at("2026-10-08T17:30:00+08:00")
    assert cal.same_day_close(at("2026-09-30T17:30:00+08:00")) == at("2026-10-08T17:30:00+08:00")


def test_same_day_close_on_holiday(cal: WorkCalendar) -> None:
    assert cal.same_day_close(at("2026-10-03T10:00:00+08:00")) == at("2026-10-08T17:30:00+08:00")
    # adjusted Saturday is a normal working day
    assert cal.same_day_close(at("2026-10-10T09:00:00+08:00")) == at("2026-10-10T17:30:00+08:00")


def test_same_day_close_uses_local_date(cal: WorkCalendar) -> None:
    # 2026-09-30 23:00 UTC is 2026-10-01 07:00 in Shanghai: a holiday
    result = cal.same_day_close(datetime(2026, 9, 30, 23, 0, tzinfo=UTC))
    assert result == at("2026-10-08T17:30:00+08:00")


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day_by_default(
        cal: WorkCalendar) -> None:
    # "10月5日前": due the close of 4 October, a holiday; 民法典 第二百零三条: the next working day
    assert cal.same_day_close(at("2026-10-04T00:00:00+08:00")) == at("2026-10-08T17:30:00+08:00")


def test_a_deadline_read_on_or_before_keeps_to_the_earlier_working_day(
        cal: WorkCalendar, clock: FixedClock) -> None:
    assert cal.earlier_workday_close(at("2026-10-04T00:00:00+08:00")) == \
        at("2026-09-30T17:30:00+08:00")
    # a working day stays itself, whatever the hour; an adjusted Saturday is a working day
    assert cal.earlier_workday_close(at("2026-10-09T20:00:00+08:00")) == \
        at("2026-10-09T17:30:00+08:00")
    assert cal.earlier_workday_close(at("2026-10-10T00:00:00+08:00")) == \
        at("2026-10-10T17:30:00+08:00")
    assert cal.earlier_workday_close(at("2026-10-11T00:00:00+08:00")) == \
        at("2026-10-10T17:30:00+08:00")
    fns = deadline_functions(cal, clock.now)
    assert fns["earlier_workday_close"](start=fns["day_of_month"](4, 1)) == \
        "2026-09-30T17:30:00+08:00"
    assert fns["same_day_close"](start=fns["day_of_month"](4, 1)) == "2026-10-08T17:30:00+08:00"


def test_workday_close(cal: WorkCalendar) -> None:
    result = cal.workday_close(at("2026-09-30T16:00:00+08:00"), 1)
    assert result == at("2026-10-08T17:30:00+08:00")
    assert result.isoformat() == "2026-10-08T17:30:00+08:00"
    assert cal.workday_close(at("2026-09-30T16:00:00+08:00"), 5) == at("2026-10-13T17:30:00+08:00")
    assert cal.workday_close(at("2026-10-09T09:00:00+08:00"), 1) == at("2026-10-10T17:30:00+08:00")


def test_naive_datetime_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError):
        cal.same_day_close(datetime(2026, 9, 30, 16, 0))
    with pytest.raises(CalendarError):
        cal.workday_close(datetime(2026, 9, 30, 16, 0), 1)


def test_add_days(cal: WorkCalendar) -> None:
    assert cal.add_days(at("2026-09-30T16:00:00+08:00"), 7) == at("2026-10-07T16:00:00+08:00")
    assert cal.add_days(datetime(2026, 9, 30, 8, tzinfo=UTC), 7).isoformat() == (
        "2026-10-07T16:00:00+08:00"
    )


def test_day_of_month(cal: WorkCalendar) -> None:
    t = at("2026-09-30T16:00:00+08:00")
    assert cal.day_of_month(t, 5, 1) == at("2026-10-05T00:00:00+08:00")
    assert cal.day_of_month(t, 5) == at("2026-09-05T00:00:00+08:00")


def test_day_of_month_across_year_end(cal: WorkCalendar) -> None:
    assert cal.day_of_month(at("2026-12-20T10:00:00+08:00"), 5, 1) == at("2027-01-05T00:00+08:00")
    assert cal.day_of_month(at("2026-11-20T10:00:00+08:00"), 3, 2) == at("2027-01-03T00:00+08:00")
    # 2026-12-31 17:00 UTC is already 2027-01-01 in Shanghai
    assert cal.day_of_month(datetime(2026, 12, 31, 17, tzinfo=UTC), 5) == at(
        "2027-01-05T00:00+08:00"
    )


def test_day_of_month_clamps(cal: WorkCalendar) -> None:
    assert cal.day_of_month(at("2026-01-31T10:00:00+08:00"), 31, 1) == at("2026-02-28T00:00+08:00")
    assert cal.day_of_month(at("2027-12-31T10:00:00+08:00"), 30, 2) == at("2028-02-29T00:00+08:00")
    with pytest.raises(CalendarError):
        cal.day_of_month(at("2026-01-31T10:00:00+08:00"), 0)
    with pytest.raises(CalendarError):
        cal.day_of_month(at("2026-01-31T10:00:00+08:00"), 32)


def test_year_end(cal: WorkCalendar) -> None:
    assert cal.year_end(at("2026-04-01T09:00:00+08:00")) == at("2026-12-31T17:30:00+08:00")
    # 当年办结 closes at the office's close of the year's last working day: Sunday
    # 2023-12-31 is off, so Friday 2023-12-29's close
    assert cal.year_end(at("2023-04-01T09:00:00+08:00")) == at("2023-12-29T17:30:00+08:00")


# -- deadline functions ----------------------------------------------------------------------


def test_deadline_functions_return_iso_strings(cal: WorkCalendar, clock: FixedClock) -> None:
    fns = deadline_functions(cal, clock.now)
    assert set(fns) == {
        "now",
        "earlier_workday_close",
        "same_day_close",
        "workday_close",
        "add_days",
        "day_of_month",
        "year_end",
    }
    assert fns["now"]() == "2026-09-30T16:00:00+08:00"
    assert fns["same_day_close"]() == "2026-09-30T17:30:00+08:00"
    assert fns["workday_close"](1) == "2026-10-08T17:30:00+08:00"
    assert fns["workday_close"](5) == "2026-10-13T17:30:00+08:00"
    assert fns["add_days"](7) == "2026-10-07T16:00:00+08:00"
    assert fns["day_of_month"](5, 1) == "2026-10-05T00:00:00+08:00"
    assert fns["day_of_month"](5, months_ahead=1) == "2026-10-05T00:00:00+08:00"
    assert fns["year_end"]() == "2026-12-31T17:30:00+08:00"
    for fn in fns.values():
        assert fn.__doc__


def test_deadline_functions_follow_the_clock(cal: WorkCalendar, clock: FixedClock) -> None:
    fns = deadline_functions(cal, clock.now)
    clock.advance(timedelta(hours=2))  # 18:00, after close
    assert fns["same_day_close"]() == "2026-10-08T17:30:00+08:00"


def test_deadline_functions_honour_start(cal: WorkCalendar, clock: FixedClock) -> None:
    fns = deadline_functions(cal, clock.now)
    transferred_at = "2026-10-09T10:00:00+08:00"
    assert fns["workday_close"](1, start=transferred_at) == "2026-10-10T17:30:00+08:00"
    assert fns["same_day_close"](start="2026-10-03T10:00:00+08:00") == "2026-10-08T17:30:00+08:00"
    assert fns["add_days"](7, start=transferred_at) == "2026-10-16T10:00:00+08:00"
    assert fns["day_of_month"](5, 1, start="2026-12-20T10:00:00Z") == "2027-01-05T00:00:00+08:00"
    assert fns["year_end"](start="2025-06-01T00:00:00+08:00") == "2025-12-31T17:30:00+08:00"
    assert fns["workday_close"](1, start=at(transferred_at)) == "2026-10-10T17:30:00+08:00"


def test_deadline_functions_reject_bad_input(cal: WorkCalendar, clock: FixedClock) -> None:
    fns = deadline_functions(cal, clock.now)
    with pytest.raises(CalendarError):
        fns["workday_close"](1, start="2026-10-09T10:00:00")  # no offset
    with pytest.raises(CalendarError):
        fns["workday_close"](0)
    with pytest.raises(CalendarError):
        fns["workday_close"]("1")
    with pytest.raises(CalendarError):
        fns["add_days"](1.5)
