"""Loading the city's directory file: the whole file is checked first, then it replaces the
stored directory, and the unit names already stored on open tasks and users are moved onto
it (an alias or a full name becomes the unit's name). Names it cannot map are listed, never
dropped. Case data is history (hash-chained events) and keeps the names it was given."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.org import directory
from engine.storage import counters
from engine.storage.schema import TASKS, USERS


@dataclass(frozen=True)
class ImportReport:
    units: int
    renamed: dict[str, str]  # a stored name -> the directory name it now reads as
    unmapped: dict[str, int]  # a stored name the directory lacks -> open tasks and users


def import_units(session: Session, text: str) -> ImportReport:
    units = directory.parse(text)
    directory.store(session, units)
    found = directory.Directory(units)
    connection = session.connection()
    stored = set(connection.execute(
        select(TASKS.c.unit).where(TASKS.c.status == "ready", TASKS.c.unit.is_not(None))
        .distinct()).scalars())
    stored |= set(connection.execute(
        select(USERS.c.unit).where(USERS.c.unit.is_not(None)).distinct()).scalars())
    renamed, unmapped = {}, {}
    for name in sorted(stored):
        unit = found.find(name)
        if unit is None:
            unmapped[name] = _uses(session, name)
        elif unit.name != name:
            renamed[name] = unit.name
            connection.execute(update(TASKS).where(TASKS.c.status == "ready",
                                                   TASKS.c.unit == name).values(unit=unit.name))
            connection.execute(update(USERS).where(USERS.c.unit == name).values(unit=unit.name))
            counters.bump_users(session)
    return ImportReport(len(units), renamed, unmapped)


def _uses(session: Session, name: str) -> int:
    connection = session.connection()
    tasks = len(connection.execute(select(TASKS.c.id).where(
        TASKS.c.status == "ready", TASKS.c.unit == name)).all())
    people = len(connection.execute(select(USERS.c.id).where(USERS.c.unit == name)).all())
    return tasks + people
