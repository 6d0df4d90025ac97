"""Who sees a task: the one rule notices about a task follow (task arrived, reminders, and the
case operations' notices to a task's holders). It is the inbox's rule
(engine/queries/inbox.py ``visible_to``): the assignee; else every active user with the
task's role who acts for its unit, when it has one (engine/org/scope.py). And who hears of
the decision on an application (:func:`applicants`)."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.messages import msg
from engine.org import directory, scope
from engine.runtime import case_credit_codes
from engine.storage import counters
from engine.storage.schema import TASKS, USERS

Person = tuple[str, tuple[str, ...], tuple[str, ...]]  # username, roles, units acted for
Asked = tuple[tuple[str, ...], tuple[str, ...] | None]  # roles, units (None: any unit)
_PEOPLE = "kuaiban_people"  # session.info: (roles, units) -> the people asked for them
_KEPT_MAX = 4096  # answers kept per database (one per role and unit set asked)
# Per database: the users and units counters the kept answers were read at, and the answers
# (engine/storage/counters.py): who holds a role changes rarely, tasks arrive all the time.
_kept: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int], dict[Asked, list[Person]]]] = \
    weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


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


def applicants(session: Session, started_by: str | None,
               data: Mapping[str, Any] | None) -> list[str]:
    """Who hears of the decision on an application with ``data``: the enterprise it was filed
    for (the active users of role enterprise with its 统一社会信用代码, who read the case:
    engine/queries/visibility.py) and whoever started it, unless they filed it for that
    enterprise. A window clerk's part ends when the application is taken in, and a busy
    window would hear of every decision; the clerk is told only when no user of the enterprise
    can be (it applied at the window, having no account), so that the result reaches someone
    the enterprise deals with."""
    code = case_credit_codes.code_of(data)
    if code is None:
        return [started_by] if started_by else []
    found = {row.username: row for row in session.connection().execute(
        select(USERS.c.username, USERS.c.roles, USERS.c.credit_code).where(
            USERS.c.active.is_(True),
            or_(USERS.c.credit_code == code, USERS.c.username == started_by)))}
    told = {name for name, row in found.items()
            if row.credit_code == code and "enterprise" in (row.roles or ())}
    starter = found.get(started_by) if started_by else None
    filed_for_them = starter is not None and "enterprise" not in (starter.roles or ())
    if started_by and not (filed_for_them and told):
        told.add(started_by)
    return sorted(told)


def _people(session: Session, pools: Sequence[Mapping[Any, Any]]) -> list[Person]:
    """Active users who may hold one of the roles (roles are a JSON list: the text match only
    narrows the rows, the caller checks exactly), in the tasks' units (or the offices inside
    them) unless a task has none."""
    roles = sorted({t["role"] for t in pools})
    units = {t["unit"] for t in pools}
    # Within one transaction the users do not change: a bulk start's thousand cases with a
    # task for the same role and unit ask once.
    asked: Asked = (tuple(roles), None if None in units else tuple(sorted(units)))
    known: dict[Asked, list[Person]] = session.info.setdefault(_PEOPLE, {})
    if asked not in known:
        known[asked] = _kept_people(session, asked, roles, units)
    return known[asked]


def _kept_people(session: Session, asked: Asked, roles: list[str], units: set[str | None]
                 ) -> list[Person]:
    """Read once per database while neither the users nor the units counter moved."""
    found = counters.read(session)
    at = (found.users, found.units)
    bind = session.get_bind()
    with _kept_lock:
        kept = _kept.get(bind)
        if kept is not None and kept[0] == at and asked in kept[1]:
            return kept[1][asked]
    people = _query_people(session, roles, units)
    # a transaction that changed users or units may yet roll back: its answer is its own
    if not (session.info.get(counters.USERS_CHANGED) or session.info.get(directory.STORED)):
        with _kept_lock:
            kept = _kept.get(bind)
            if kept is None or kept[0] != at or len(kept[1]) >= _KEPT_MAX:
                kept = _kept[bind] = (at, {})
            kept[1][asked] = people
    return people


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
