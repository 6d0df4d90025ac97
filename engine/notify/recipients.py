"""Who sees a task: the one rule notices about a task follow (task arrived, reminders, and the
case operations' notices to a task's holders). It is the inbox's rule
(engine/queries/inbox.py ``visible_to``): the assignee; else every active user with the
task's role who acts for its unit, when it has one (engine/org/scope.py)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.messages import msg
from engine.org import directory, scope
from engine.storage.schema import TASKS, USERS

Person = tuple[str, tuple[str, ...], tuple[str, ...]]  # username, roles, units acted for
_PEOPLE = "kuaiban_people"  # session.info: (roles, units) -> the people asked for them


def who_sees(session: Session, tasks: Sequence[Mapping[Any, Any]]) -> dict[str, list[str]]:
    """Task id -> the user names that see it, for task rows (or dicts) with ``id``, ``role``,
    ``unit`` and ``assignee``. One query for all of them."""
    pools = [t for t in tasks if not t["assignee"] and t["role"]]
    people = _people(session, pools) if pools else []
    out: dict[str, list[str]] = {}
    for task in tasks:
        if task["assignee"]:
            out[task["id"]] = [task["assignee"]]
            continue
        out[task["id"]] = sorted(
            name for name, roles, units in people
            if task["role"] in roles and (task["unit"] is None or task["unit"] in units))
    return out


def task_recipients(session: Session, task_id: str) -> list[str]:
    """The users who see the task now (open or not: its role, unit and assignee as stored)."""
    row = session.connection().execute(
        select(TASKS.c.id, TASKS.c.role, TASKS.c.unit, TASKS.c.assignee)
        .where(TASKS.c.id == task_id)).first()
    if row is None:
        raise NotFound(msg("task.not_found", task_id=task_id))
    return who_sees(session, [row._mapping])[task_id]


def _people(session: Session, pools: Sequence[Mapping[Any, Any]]) -> list[Person]:
    """Active users who may hold one of the roles (roles are a JSON list: the text match only
    narrows the rows, the caller checks exactly), in the tasks' units (or the offices inside
    them) unless a task has none."""
    roles = sorted({t["role"] for t in pools})
    units = {t["unit"] for t in pools}
    # Within one transaction the users do not change: a bulk start's thousand cases with a
    # task for the same role and unit ask once.
    asked = (tuple(roles), None if None in units else tuple(sorted(units)))
    known: dict[Any, list[Person]] = session.info.setdefault(_PEOPLE, {})
    if asked not in known:
        known[asked] = _query_people(session, roles, units)
    return known[asked]


def _query_people(session: Session, roles: list[str], units: set[str | None]
                  ) -> list[Person]:
    found = directory.load(session)
    params: dict[str, Any] = {f"role{i}": f'%"{role}"%' for i, role in enumerate(roles)}
    if None not in units:
        params["units"] = sorted({u.name for name in units if (entry := found.find(name))
                                  for u in found.subtree(entry)} | units)
    query = _people_query(len(roles), None not in units)
    return [(r.username, tuple(r.roles), scope.acting_units(found, r.unit))
            for r in session.connection().execute(query, params)]


@functools.cache
def _people_query(roles: int, in_units: bool) -> Select[Any]:
    """Built once per shape (every command that makes a task asks)."""
    query = select(USERS.c.username, USERS.c.roles, USERS.c.unit).where(
        USERS.c.active.is_(True),
        or_(*(cast(USERS.c.roles, String).like(bindparam(f"role{i}")) for i in range(roles))))
    if in_units:
        query = query.where(USERS.c.unit.in_(bindparam("units", expanding=True)))
    return query
