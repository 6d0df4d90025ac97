"""Who may read a case: the one rule, as an SQL condition over ``instances``.

Participants read their cases (a task of the case in a role they hold, in their unit when the
task has one; or they started it); auditors, designers and the city-level supervising roles
read every case (read-only: working a task still needs its role and unit). The same condition
answers "may this user read case N" (``Engine._check_may_read``) and filters lists of cases
(search, the done list), so a list never shows a case its page would refuse.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from engine.org.users import SYSTEM
from engine.storage.schema import ProcessInstance, Task
from engine.views import UserView

CASE_READERS = frozenset({"auditor", "designer", "case_manager", "style_group", "city_leader",
                          "supervision_office", "reform_group"})


def readable(user: UserView) -> ColumnElement[bool]:
    """True for the rows of ``instances`` that ``user`` may read."""
    if user.username == SYSTEM.username or CASE_READERS & set(user.roles):
        return true()
    task = aliased(Task)  # its own name: the outer query may read tasks too
    unit = task.unit.is_(None) if user.unit is None else or_(task.unit.is_(None),
                                                            task.unit == user.unit)
    part_in = exists(select(task.id).where(
        task.instance_id == ProcessInstance.id, task.role.in_(list(user.roles)), unit)
    ).correlate(ProcessInstance)
    return or_(ProcessInstance.started_by == user.username, part_in)


def may_read(session: Session, instance_id: int, user: UserView) -> bool:
    found = session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id, readable(user))).first()
    return found is not None
