"""Dates and amounts as official documents write them: 二〇二六年十月八日 (the date of
issue, in Chinese numerals with 〇), 2026年10月8日 (dates in the text), 2026年10月8日9时05分
(a time: when an application was received), 36,000.00 元."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.time.calendar import TZ

_DIGITS = "〇一二三四五六七八九"


def _small(n: int) -> str:
    """1..31 in Chinese numerals: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime (its Beijing date) or an ISO 8601 text; else None."""
    if isinstance(value, datetime):
        return value.astimezone(TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            return as_date(datetime.fromisoformat(text))
        except ValueError:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def chinese_date(value: Any) -> str:
    """二〇二六年十月八日; the text itself when it is no date; '' for nothing."""
    day = as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small(day.month)}月{_small(day.day)}日"


def digits_date(value: Any) -> str:
    """2026年10月8日; the text itself when it is no date; '' for nothing."""
    day = as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def digits_date_time(value: Any) -> str:
    """2026年9月30日16时05分 (Beijing time) for a time; a date alone as :func:`digits_date`."""
    moment = value
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if not isinstance(moment, datetime):
        return digits_date(value)
    local = moment.astimezone(TZ) if moment.tzinfo else moment
    return f"{digits_date(local)}{local.hour}时{local.minute:02d}分"


def yuan(value: Any) -> str:
    """36,000.00 for 36000; the text itself when it is no number."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value in (None, "") else str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount:,.2f}"
