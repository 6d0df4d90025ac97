"""The statutory holidays the law fixes, for a year whose official schedule is not yet out.

《全国年节及纪念日放假办法》 (as amended in 2024, in force from 2025) fixes the days off of the
national holidays: 元旦 1 January; 春节 农历除夕 and 正月初一至初三; 清明节 the day of the 清明
solar term; 劳动节 1-2 May; 端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 1-3 October. Each
year the State Council's notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) adds bridge days and
the adjusted working weekends (调休) that pay for them; those cannot be foreseen, but the
statutory days are off in every schedule: counted with them and the weekends, a deadline is
wrong only by the bridge days and 调休 still to be published, never by a holiday itself.

The lunar and solar-term days are a table (from the Chinese calendar's published tables, and
checked in tests against the official 2025 and 2026 schedules and the package's solar terms):
years past it fall back to Mon-Fri in WorkCalendar, with a warning.
"""

from __future__ import annotations

from datetime import date, timedelta

IN_FORCE_FROM = 2025  # the amended 办法; earlier years are all in the package

# Year: (农历除夕, 清明, 端午 五月初五, 中秋 八月十五).
_MOVABLE: dict[int, tuple[date, date, date, date]] = {
    2025: (date(2025, 1, 28), date(2025, 4, 4), date(2025, 5, 31), date(2025, 10, 6)),
    2026: (date(2026, 2, 16), date(2026, 4, 5), date(2026, 6, 19), date(2026, 9, 25)),
    2027: (date(2027, 2, 5), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)),
    2028: (date(2028, 1, 25), date(2028, 4, 4), date(2028, 5, 28), date(2028, 10, 3)),
    2029: (date(2029, 2, 12), date(2029, 4, 4), date(2029, 6, 16), date(2029, 9, 22)),
    2030: (date(2030, 2, 2), date(2030, 4, 5), date(2030, 6, 5), date(2030, 9, 12)),
    2031: (date(2031, 1, 22), date(2031, 4, 5), date(2031, 6, 24), date(2031, 10, 1)),
    2032: (date(2032, 2, 10), date(2032, 4, 4), date(2032, 6, 12), date(2032, 9, 19)),
    2033: (date(2033, 1, 30), date(2033, 4, 4), date(2033, 6, 1), date(2033, 9, 8)),
    2034: (date(2034, 2, 18), date(2034, 4, 5), date(2034, 6, 20), date(2034, 9, 27)),
    2035: (date(2035, 2, 7), date(2035, 4, 5), date(2035, 6, 10), date(2035, 9, 16)),
}
YEARS = range(IN_FORCE_FROM, max(_MOVABLE) + 1)


def statutory_holidays(year: int) -> dict[date, str] | None:
    """The statutory days off of ``year`` with the holiday's name, or None for a year the
    table does not reach. 中秋 on 1-3 October (2028, 2031) is one of National Day's days."""
    movable = _MOVABLE.get(year)
    if movable is None:
        return None
    eve, qingming, duanwu, zhongqiu = movable
    days = {date(year, 1, 1): "元旦"}
    days |= {eve + timedelta(days=i): "春节" for i in range(4)}
    days[qingming] = "清明节"
    days |= {date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    days[duanwu] = "端午节"
    days[zhongqiu] = "中秋节"
    days |= {date(year, 10, i): "国庆节" for i in (1, 2, 3)}
    return days
