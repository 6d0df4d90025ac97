"""The engine's notion of "now": the only module that may read the wall clock.

Everything else (deadlines, timers, inbox overdue flags, replay) asks a :class:`Clock`. Tests
and replay use a :class:`FixedClock`; ``KUAIBAN_NOW=2026-09-30T16:00:00+08:00`` freezes the clock
of a whole process (CLI, web app, worker) for demos and reproductions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from engine.errors import CalendarError
from engine.messages import msg

ENV_VAR = "KUAIBAN_NOW"


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, always timezone-aware."""
        ...


def require_aware(dt: datetime, what: str = "datetime") -> datetime:
    """Return ``dt`` unchanged, or raise :class:`CalendarError` if it is not an aware datetime."""
    if not isinstance(dt, datetime):
        raise CalendarError(msg("clock.not_a_datetime", what=what, type=type(dt).__name__))
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise CalendarError(
            msg("clock.naive", what=what, value=dt.isoformat())
        )
    return dt


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant that carries a UTC offset (``+08:00`` or ``Z``)."""
    if not isinstance(text, str):
        raise CalendarError(msg("clock.not_a_string", type=type(text).__name__))
    stripped = text.strip()
    try:
        dt = datetime.fromisoformat(stripped)
    except ValueError as exc:
        raise CalendarError(
            msg("clock.not_iso", text=text)
        ) from exc
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise CalendarError(msg("clock.text_naive", text=text, stripped=stripped))
    return dt


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that only moves when told to (tests, replay, ``KUAIBAN_NOW``)."""

    def __init__(self, now: datetime) -> None:
        self._now = require_aware(now, "FixedClock time")

    def now(self) -> datetime:
        return self._now

    def set(self, dt: datetime) -> None:
        self._now = require_aware(dt, "FixedClock time")

    def advance(self, delta: timedelta) -> None:
        if not isinstance(delta, timedelta):
            raise CalendarError(msg("clock.advance_needs_timedelta", type=type(delta).__name__))
        self._now = self._now + delta

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    """A :class:`FixedClock` if ``KUAIBAN_NOW`` is set (non-empty), else a :class:`SystemClock`."""
    source = os.environ if env is None else env
    value = source.get(ENV_VAR)
    if value is None or not value.strip():
        return SystemClock()
    try:
        return FixedClock(parse_instant(value))
    except CalendarError as exc:
        raise CalendarError(
            msg("clock.bad_env", variable=ENV_VAR, value=value, message=exc.message)
        ) from exc
