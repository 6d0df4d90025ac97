"""Change counters of rarely changed data every command needs (the calendar's overrides, the
unit directory, who holds which role where, the deployed versions), read once per
transaction in one statement. Each process keeps what it built from that data while the
counter it was built at still holds: any process's change bumps the counter in its own
transaction (a deploy makes a version with a higher id), so it reaches every process's next
transaction. The users counter is bumped by the ORM's flush of any added, deleted or
re-roled user (:func:`_users_flushed`) and by the one Core update of users
(engine/org/unit_import.py), not by a trigger: SQLite's table rebuilds in later migrations
would drop one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session

from engine.storage import driver
from engine.storage.schema import CALENDAR_VERSION, ProcessVersion, User

_SESSION_KEY = "kuaiban_counters"
USERS_CHANGED = "kuaiban_users_changed"  # session.info: this transaction bumped users_version
_READ = driver.Read(select(
    CALENDAR_VERSION.c.version, CALENDAR_VERSION.c.units_version,
    CALENDAR_VERSION.c.users_version,
    select(func.max(ProcessVersion.id)).scalar_subquery().label("newest"),
).where(CALENDAR_VERSION.c.id == 1))


def _counter(column: Any, name: str) -> Any:
    return select(column).where(CALENDAR_VERSION.c.id == 1).scalar_subquery().label(name)


# The counters as extra columns of a statement a command runs first anyway (the lock of its
# instance: engine/runtime/locking.py), which saves their own statement; :func:`take` reads
# them off its row.
COLUMNS = (_counter(CALENDAR_VERSION.c.version, "counter_calendar"),
           _counter(CALENDAR_VERSION.c.units_version, "counter_units"),
           _counter(CALENDAR_VERSION.c.users_version, "counter_users"),
           select(func.max(ProcessVersion.id)).scalar_subquery().label("counter_newest"))
_NAMES = tuple(column.name for column in COLUMNS)


@dataclass(frozen=True)
class Counters:
    calendar: int
    units: int
    users: int
    newest_version: int  # the highest process version id (0: none deployed)


def read(session: Session) -> Counters:
    """The counters as this transaction sees them (read at its first need)."""
    found: Counters | None = session.info.get(_SESSION_KEY)
    if found is None:
        ((calendar, units, users, newest),) = _READ.rows(session, {})
        found = session.info[_SESSION_KEY] = Counters(calendar, units, users, newest or 0)
    return found


def take(session: Session, row: dict[str, Any]) -> None:
    """Pop :data:`COLUMNS` off ``row``; they are this transaction's counters unless it read
    them already (the first reading holds for the whole transaction)."""
    calendar, units, users, newest = (row.pop(name) for name in _NAMES)
    if _SESSION_KEY not in session.info:
        session.info[_SESSION_KEY] = Counters(calendar, units, users, newest or 0)


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


def bump_users(session: Session) -> None:
    session.connection().execute(update(CALENDAR_VERSION).where(CALENDAR_VERSION.c.id == 1)
                                 .values(users_version=CALENDAR_VERSION.c.users_version + 1))
    session.info[USERS_CHANGED] = True
    forget(session)


# What the kept people depend on: who they are, their roles, their unit, whether active.
_WHO_HOLDS_WHAT = ("username", "roles", "unit", "active")


@event.listens_for(Session, "before_flush")
def _users_flushed(session: Session, flush_context: Any, instances: Any) -> None:
    """Any session's flush that adds, deletes or re-roles a user bumps the users counter in
    the same transaction."""
    if any(isinstance(o, User) for o in (*session.new, *session.deleted)) or any(
            isinstance(o, User) and any(inspect(o).attrs[name].history.has_changes()
                                        for name in _WHO_HOLDS_WHAT)
            for o in session.dirty):
        bump_users(session)
