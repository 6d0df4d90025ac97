"""The one rule of units: which tasks a user sees and works, and which cases they read.

- A task of a unit-scoped role belongs to one unit. Handlers, responsible units and policy
  departments get theirs from the case (``unit`` or the diagram's unit property); intake,
  approver and case_manager tasks belong to the case's jurisdiction: the 纪委监委 (or other
  body) of the user who started it, so each county runs its own intake, approval and case
  management, and the city's see the city's (escalations reach them by their own cases).
  A case started by a case's message takes the jurisdiction the message names (else the
  sending case's); an application for a listed policy its 政策主管部门's
  (engine/definitions/policies.py); one started by a user without a unit, or by the
  system, the procedure's own unit (its owner_unit: 改革创新组's campaign is 市营商环境指挥部's,
  a 12345 complaint 市政数局's), else the city's 纪委监委 for a discipline procedure and
  the city itself for another. A discipline case's jurisdiction is always a 纪委监委: the one
  of its unit's area when that unit is not one (a clue from the 12345 hotline).
- A user acts for their unit and, from an internal office (信访室, 案管室 ...), for the body it
  works in: a task is theirs to see and work when it has their role and no unit or one of
  those units.
- Supervising readers (auditors, case managers, the style group ...) read cases within the
  reach of their jurisdiction's subtree (started there, or with a task of a unit there): a
  county's within the county, the city's within the whole city; which of those cases they
  read is engine/queries/visibility.py's rule. A user without a unit, or of a unit the
  directory does not know, keeps the city-wide reach.

Everything that decides visibility (inbox, task and case pages, ledgers, boards, exports, the
API, notices, files) asks the functions here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from engine.org.directory import AREA_KINDS, Directory, Unit, load
from engine.org.roles import BY_ID
from engine.storage.schema import Task
from engine.views import UserView

JURISDICTION = "jurisdiction"  # the data field of a case's jurisdiction (engine-owned)


def acting_units(found: Directory, unit: str | None) -> tuple[str, ...]:
    """The units a member of ``unit`` acts for."""
    if unit is None:
        return ()
    entry = found.find(unit)
    if entry is None:
        return (unit,)
    return tuple(dict.fromkeys((entry.name, found.body(entry).name)))


def reach_of(found: Directory, unit: str | None) -> frozenset[str] | None:
    """The units whose cases a supervising member of ``unit`` reads (None: every case)."""
    entry = found.find(unit)
    if entry is None:
        return None
    area = found.area(entry)
    if area.parent is None:  # the city itself
        return None
    return frozenset(u.name for u in found.subtree(area))


def county_of(found: Directory, unit: str | None) -> Unit | None:
    """The county-level division (行政区 or 园区管委会 under the city) ``unit`` lies in; None
    at the city level, and for no unit or one the directory does not know."""
    entry = found.find(unit)
    if entry is None:
        return None
    area = found.area(entry)
    return area if area.parent is not None and area.kind in AREA_KINDS else None


def scoped(session: Session, user: UserView) -> UserView:
    """``user`` with the units they act for and read, from the stored directory."""
    found = load(session)
    return replace(user, units=acting_units(found, user.unit), reach=reach_of(found, user.unit))


def jurisdiction_for(session: Session, user: UserView, named: Any = None, *,
                     discipline: bool = True, owner: str | None = None) -> str | None:
    """The jurisdiction of a new case: the one a case's message names (InvalidData for a
    unit the directory lacks), else the body of the starter's unit, else the unit that runs
    the procedure (``owner``, its owner_unit), else the city's. A discipline procedure's
    (``discipline``: its intake, approval and case management work the jurisdiction) is the
    纪委监委 of that unit's area, so a clue sent by the 12345 hotline is the city 纪委's;
    another's, where no unit gives one, the city itself, never a 纪委 that does not run it.
    Every case has one, so a case started by a message or by a user without a unit is not
    open to every holder of a role. None when no directory is loaded."""
    found = load(session)
    if not found:
        return None
    if named:
        unit: Unit | None = found.resolve(str(named), JURISDICTION)
    else:
        unit = found.find(user.unit) or found.find(owner)
    if discipline:
        return (discipline_body(found, unit) if unit is not None
                else city_jurisdiction(found))
    if unit is not None:
        return found.body(unit).name
    roots = found.children(None)
    return roots[0].name if roots else None


def discipline_body(found: Directory, unit: Unit) -> str | None:
    """The body a discipline case of ``unit`` belongs to: its body when that lies in a 纪委监委
    (a county's 纪委监委 for its 信访室, a 派驻机构 for itself), else the 纪委监委 of its area
    (the city's for 市政数局)."""
    body = found.body(unit)
    if any(u.kind == "纪委监委" for u in found.ancestors(body)):
        return body.name
    area = found.area(unit)
    local = next((u for u in found.children(area) if u.kind == "纪委监委"), None)
    return local.name if local is not None else city_jurisdiction(found)


def city_jurisdiction(found: Directory) -> str | None:
    """The city's 纪委监委: the body of that kind right under the directory's root."""
    for root in found.children(None):
        body = next((u for u in found.children(root) if u.kind == "纪委监委"), None)
        if body is not None:
            return body.name
    return None


def task_unit_source(role_id: str | None) -> str | None:
    """Where a task of the role takes its unit from when the diagram names none."""
    role = BY_ID.get(role_id or "")
    if role is None:
        return None
    if role.unit_scoped:
        return "unit"
    return JURISDICTION if role.by_jurisdiction else None


# An applicant's task (补正材料) is its own case's, given to whoever filed it by name
# (engine/runtime/mirror.py APPLICANT): never a pool every enterprise could take from.
NO_POOL = frozenset({"enterprise"})


def acts_on(user: UserView, role: str | None, unit: str | None) -> bool:
    """May ``user`` see and work a task of ``role`` and ``unit`` (unclaimed)?"""
    return user.has_role(role) and role not in NO_POOL and (unit is None or unit in user.units)


def task_pool(user: UserView) -> list[ColumnElement[bool]]:
    """The unclaimed open tasks :func:`acts_on` allows, as SQL: one branch per index range
    (``ix_tasks_inbox``): the user's units by equality, and the tasks with no unit."""
    roles = [r for r in user.roles if r not in NO_POOL]
    if not roles:
        return []
    pool = and_(Task.status == "ready", Task.assignee.is_(None), Task.role.in_(roles))
    branches = [and_(pool, Task.unit == unit) for unit in user.units]
    return [*branches, and_(pool, Task.unit.is_(None))]

