from datetime import UTC, datetime, timedelta, timezone

import pytest

from engine.errors import CalendarError
from engine.time.clock import Clock, FixedClock, SystemClock, clock_from_env, parse_instant

CST = timezone(timedelta(hours=8))


def test_system_clock_is_aware() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert isinstance(SystemClock(), Clock)


def test_fixed_clock_set_and_advance() -> None:
    clock = FixedClock(datetime(2026, 9, 30, 16, 0, tzinfo=CST))
    assert clock.now() == datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
    clock.advance(timedelta(days=1, hours=2))
    assert clock.now() == datetime(2026, 10, 1, 18, 0, tzinfo=CST)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    assert isinstance(clock, Clock)


def test_fixed_clock_rejects_naive() -> None:
    with pytest.raises(CalendarError, match="offset"):
        FixedClock(datetime(2026, 9, 30, 16, 0))
    clock = FixedClock(datetime(2026, 9, 30, 16, 0, tzinfo=CST))
    with pytest.raises(CalendarError):
        clock.set(datetime(2026, 9, 30, 16, 0))
    with pytest.raises(CalendarError):
        clock.advance(3600)  # type: ignore[arg-type]


def test_parse_instant() -> None:
    assert parse_instant("2026-09-30T16:00:00+08:00") == datetime(2026, 9, 30, 8, tzinfo=UTC)
    assert parse_instant("2026-09-30T08:00:00Z") == datetime(2026, 9, 30, 8, tzinfo=UTC)
    with pytest.raises(CalendarError, match="no UTC offset"):
        parse_instant("2026-09-30T16:00:00")
    with pytest.raises(CalendarError, match="not an ISO 8601"):
        parse_instant("tomorrow")
    with pytest.raises(CalendarError):
        parse_instant(None)  # type: ignore[arg-type]


def test_clock_from_env_valid() -> None:
    clock = clock_from_env({"KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"})
    assert isinstance(clock, FixedClock)
    assert clock.now() == datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    assert clock.now().utcoffset() == timedelta(hours=8)


def test_clock_from_env_unset_or_empty() -> None:
    assert isinstance(clock_from_env({}), SystemClock)
    assert isinstance(clock_from_env({"KUAIBAN_NOW": "  "}), SystemClock)


@pytest.mark.parametrize("value", ["2026-09-30T16:00:00", "30/09/2026", "2026-13-01T00:00+08:00"])
def test_clock_from_env_invalid(value: str) -> None:
    with pytest.raises(CalendarError) as info:
        clock_from_env({"KUAIBAN_NOW": value})
    assert "KUAIBAN_NOW" in info.value.message
    assert "2026-09-30T16:00:00+08:00" in info.value.message


def test_clock_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUAIBAN_NOW", "2026-02-13T09:00:00+08:00")
    assert clock_from_env().now() == datetime(2026, 2, 13, 9, tzinfo=CST)
    monkeypatch.delenv("KUAIBAN_NOW")
    assert isinstance(clock_from_env(), SystemClock)
