"""Whom a case may be copied to (抄送). A copy lets its receiver read the whole case, its
files included, so it goes only to someone who could take part in the case themselves:

- staff (never an enterprise's account) holding a role that works the procedure: one its
  lanes name (the steps, the start, the messages it receives) or one of the case's tasks has;
- within the case's reach: a case whose jurisdiction lies in a county-level division (浮梁县)
  goes to users of that division's units; any other case, the city's, to users of the city's
  own units and users without a unit; either to users acting for a unit a task of the case
  went to (a city clue transferred to a county's 纪委监委).

A copy to a unit goes to those of its users who qualify, the one copying left out; a unit
with none is neither offered nor accepted. The pickers offer exactly whom the command takes.
Who may copy at all is engine/queries/visibility.py's ``takes_part`` (not through a copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.messages import Msg, msg
from engine.org.directory import Directory, Unit, load
from engine.org.people import Person, offered, shown
from engine.org.roles import role_for_lane
from engine.org.scope import JURISDICTION, acting_units, county_of
from engine.storage.schema import TASKS, USERS, ProcessInstance

ENTERPRISE = "enterprise"  # an applicant's account, outside the government's staff


@dataclass(frozen=True)
class Reach:
    """Who could take part in one case: by role, and where."""

    process: str  # the procedure's name, for a refusal
    roles: frozenset[str]
    county: Unit | None  # the county-level division of the case's jurisdiction; None: city
    task_units: frozenset[str]
    found: Directory

    def qualifies(self, roles: Any, unit: str | None) -> bool:
        """May a user of ``roles`` and ``unit`` get a copy?"""
        return ENTERPRISE not in roles and bool(self.roles & set(roles)) and self.within(unit)

    def refusal(self, roles: Any, unit: str | None, display_name: str, username: str
                ) -> Msg | None:
        """Why that user may not get a copy, naming them as pickers do (and by username, for
        callers that read it); None: they may."""
        who = {"name": shown(display_name, unit), "username": username}
        if ENTERPRISE in roles:
            return msg("cc.to_enterprise", **who)
        if not self.roles & set(roles):
            return msg("cc.takes_no_part", process=self.process, **who)
        if not self.within(unit):
            if self.county is None:
                return msg("cc.outside_city", **who)
            return msg("cc.outside_county", county=self.county.name, **who)
        return None

    def within(self, unit: str | None) -> bool:
        return (county_of(self.found, unit) == self.county
                or bool(self.task_units.intersection(acting_units(self.found, unit))))


def reach_of(session: Session, row: ProcessInstance, loaded: LoadedVersion) -> Reach:
    """The reach of the case ``row``, which runs on ``loaded``."""
    tasks = session.connection().execute(select(TASKS.c.role, TASKS.c.unit).where(
        TASKS.c.instance_id == row.id).distinct()).all()
    found = load(session)
    jurisdiction = (row.data or {}).get(JURISDICTION)
    return Reach(loaded.name or row.process_key,
                 _lane_roles(loaded) | {r for r, _ in tasks if r},
                 county_of(found, jurisdiction if isinstance(jurisdiction, str) else None),
                 frozenset(u for _, u in tasks if u), found)


def _lane_roles(loaded: LoadedVersion) -> frozenset[str]:
    lanes = {getattr(t, "lane", None) for t in loaded.task_specs()}
    return frozenset(r.id for r in map(role_for_lane, lanes) if r is not None)


def people(session: Session, reach: Reach, actor: str) -> list[Person]:
    """Whom the people picker offers: every user who qualifies, but the one copying."""
    return offered([Person(r.username, r.display_name, r.unit) for r in _staff(session)
                    if r.username != actor and reach.qualifies(r.roles, r.unit)])


def units(reach: Reach, offered_people: list[Person]) -> list[Unit]:
    """The units the unit picker offers: those of the people it offers (:func:`people`), in
    the directory's order."""
    staffed = {p.unit for p in offered_people}
    return [u for u in reach.found.units if u.name in staffed]


def unit_members(session: Session, reach: Reach, unit: str, actor: str) -> list[str]:
    """The usernames a copy to ``unit`` goes to: its users who qualify, but the one copying."""
    return sorted(p.username for p in people(session, reach, actor) if p.unit == unit)


def has_users(session: Session, unit: str) -> bool:
    """Does ``unit`` (a name the command was given) have active users at all?"""
    return session.connection().execute(select(USERS.c.username).where(
        USERS.c.unit == unit, USERS.c.active.is_(True)).limit(1)).first() is not None


def _staff(session: Session) -> list[Any]:
    return list(session.connection().execute(
        select(USERS.c.username, USERS.c.display_name, USERS.c.roles, USERS.c.unit)
        .where(USERS.c.active.is_(True)).order_by(USERS.c.username)))
