"""Who may read a case: the one rule, as an SQL condition over ``instances``.

Participants read their cases (a task of the case in a role they hold, in their unit when the
task has one; or they started it); auditors, designers and the city-level supervising roles
read every case (read-only: working a task still needs its role and unit). The same condition
answers "may this user read case N" (``Engine._check_may_read``) and filters lists of cases
(search, the done list), so a list never shows a case its page would refuse.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, true, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.org.users import SYSTEM
from engine.storage.schema import ProcessInstance, Task
from engine.views import UserView

CASE_READERS = frozenset({"auditor", "designer", "case_manager", "style_group", "city_leader",
                          "supervision_office", "reform_group"})


def readable(user: UserView) -> ColumnElement[bool]:
    """True for the rows of ``instances`` that ``user`` may read. For a participant it is a
    set of case ids the indexes give directly (``ix_tasks_readers``,
    ``ix_instances_started_by``), so a list of a unit's cases starts from that unit's cases
    instead of filtering every case."""
    if user.username == SYSTEM.username or CASE_READERS & set(user.roles):
        return true()
    roles = list(user.roles)
    parts: list[Select[Any]] = [
        select(ProcessInstance.id).where(ProcessInstance.started_by == user.username)]
    if roles:
        parts.append(select(Task.instance_id).where(Task.role.in_(roles), Task.unit.is_(None)))
        if user.unit is not None:
            parts.append(select(Task.instance_id).where(Task.role.in_(roles),
                                                        Task.unit == user.unit))
    return ProcessInstance.id.in_(union(*parts))


def may_read(session: Session, instance_id: int, user: UserView) -> bool:
    found = session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id, readable(user))).first()
    return found is not None
