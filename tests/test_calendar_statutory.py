"""The statutory-holiday table against known sources: the official 2025 and 2026 schedules
the package bundles (every statutory day is off there, as the holiday it names) and the
package's solar terms (清明) for every year of the table."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from engine.time.statutory import YEARS, statutory_holidays

PACKAGE_NAMES = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day",
                 "劳动节": "Labour Day", "端午节": "Dragon Boat Festival",
                 "中秋节": "Mid-autumn Festival", "国庆节": "National Day"}


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_off_in_the_official_schedule(year: int) -> None:
    days = statutory_holidays(year)
    assert days is not None and len(days) == 13  # the amended 办法: 13 days off
    for day, name in days.items():
        off, holiday = chinese_calendar.get_holiday_detail(day)
        assert off, day
        assert holiday == PACKAGE_NAMES[name], (day, name, holiday)


@pytest.mark.parametrize("year", YEARS)
def test_qingming_is_the_solar_term(year: int) -> None:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    qingming = [d for d, name in terms if name == "清明"]
    days = statutory_holidays(year) or {}
    assert [d for d, name in days.items() if name == "清明节"] == qingming


@pytest.mark.parametrize("year", YEARS)
def test_each_year_has_every_holiday(year: int) -> None:
    days = statutory_holidays(year) or {}
    # 中秋 on 1-3 October (2028, 2031) is one of National Day's days: 12 days off that year.
    names = set(days.values())
    assert names | {"中秋节"} == set(PACKAGE_NAMES)
    assert len(days) == (13 if "中秋节" in names else 12)
    spring = sorted(d for d, name in days.items() if name == "春节")
    assert spring == [spring[0] + timedelta(days=i) for i in range(4)]
    assert all(d.year == year for d in days)


def test_no_table_before_the_amended_law_or_past_it() -> None:
    assert statutory_holidays(2024) is None
    assert statutory_holidays(max(YEARS) + 1) is None
