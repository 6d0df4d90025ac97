"""Change counters of rarely changed data every command needs (the calendar's overrides, the
unit directory, the deployed versions), read once per transaction in one statement. Each
process keeps what it built from that data while the counter it was built at still holds:
any process's change bumps the counter in its own transaction (a deploy makes a version
with a higher id), so it reaches every process's next transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.storage.schema import CALENDAR_VERSION, ProcessVersion

_SESSION_KEY = "kuaiban_counters"
_READ = select(
    CALENDAR_VERSION.c.version, CALENDAR_VERSION.c.units_version,
    select(func.max(ProcessVersion.id)).scalar_subquery(),
).where(CALENDAR_VERSION.c.id == 1)


@dataclass(frozen=True)
class Counters:
    calendar: int
    units: int
    newest_version: int  # the highest process version id (0: none deployed)


def read(session: Session) -> Counters:
    """The counters as this transaction sees them (read at its first need)."""
    found: Counters | None = session.info.get(_SESSION_KEY)
    if found is None:
        calendar, units, newest = session.connection().execute(_READ).one()
        found = session.info[_SESSION_KEY] = Counters(calendar, units, newest or 0)
    return found


def forget(session: Session) -> None:
    """This transaction changed what a counter counts: read them again at the next need."""
    session.info.pop(_SESSION_KEY, None)


def bump_calendar(session: Session) -> None:
    session.execute(update(CALENDAR_VERSION).where(CALENDAR_VERSION.c.id == 1)
                    .values(version=CALENDAR_VERSION.c.version + 1))
    forget(session)


def bump_units(session: Session) -> None:
    session.execute(update(CALENDAR_VERSION).where(CALENDAR_VERSION.c.id == 1)
                    .values(units_version=CALENDAR_VERSION.c.units_version + 1))
    forget(session)
