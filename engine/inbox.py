"""Inbox queries over the mirrored task table (never deserializing a workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine import users
from engine.errors import NotFound, PermissionDenied
from engine.schema import Task
from engine.views import TaskView, UserView

if TYPE_CHECKING:
    from engine.api import Engine


@dataclass(frozen=True)
class InboxFilter:
    process: str | None = None
    role: str | None = None
    overdue: bool | None = None
    assignee_me: bool = False
    instance_id: int | None = None


def task_view(row: Task, now: datetime) -> TaskView:
    return TaskView(
        id=row.id, instance_id=row.instance_id, process_key=row.process_key,
        business_key=row.business_key, name=row.element_id, title=row.name, role=row.role,
        unit=row.unit, assignee=row.assignee, status=row.status, created_at=row.created_at,
        due_at=row.due_at,
        overdue=row.status == "ready" and row.due_at is not None and row.due_at < now,
        form_key=row.form_key, completed_at=row.completed_at, completed_by=row.completed_by,
    )


def visible_to(user: UserView):  # type: ignore[no-untyped-def]  # SQL expression
    """Tasks a user may see: their own, and unclaimed ones of their roles in their unit."""
    mine = Task.assignee == user.username
    open_to_roles = and_(
        Task.assignee.is_(None),
        Task.role.in_(user.roles),
        or_(Task.unit.is_(None), Task.unit == user.unit),
    )
    return or_(mine, open_to_roles)


class Inbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def for_user(self, username: str | None, flt: InboxFilter | None = None) -> list[TaskView]:
        flt = flt or InboxFilter()
        now = self._engine.clock.now()
        with self._engine.transaction() as session:
            query = select(Task).where(Task.status == "ready")
            if username is not None:
                user = users.get(session, username)
                if user.username != users.SYSTEM.username:
                    query = query.where(visible_to(user))
                if flt.assignee_me:
                    query = query.where(Task.assignee == user.username)
            if flt.process:
                query = query.where(Task.process_key == flt.process)
            if flt.role:
                query = query.where(Task.role == flt.role)
            if flt.instance_id is not None:
                query = query.where(Task.instance_id == flt.instance_id)
            if flt.overdue is True:
                query = query.where(Task.due_at < now)
            elif flt.overdue is False:
                query = query.where(or_(Task.due_at.is_(None), Task.due_at >= now))
            query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
            return [task_view(r, now) for r in session.execute(query).scalars()]

    def task(self, task_id: str, username: str) -> TaskView:
        now = self._engine.clock.now()
        with self._engine.transaction() as session:
            row = session.get(Task, task_id)
            if row is None:
                raise NotFound(f"no task {task_id}")
            user = users.get(session, username)
            if not may_see(row, user):
                raise PermissionDenied("this task is not yours to see")
            return task_view(row, now)

    def tasks_of_instance(self, session: Session, instance_id: int) -> list[TaskView]:
        now = self._engine.clock.now()
        rows = session.execute(
            select(Task).where(Task.instance_id == instance_id, Task.status == "ready")
            .order_by(Task.created_at, Task.id)
        ).scalars()
        return [task_view(r, now) for r in rows]


def may_see(row: Task, user: UserView) -> bool:
    if user.username in (users.SYSTEM.username, row.assignee):
        return True
    if "auditor" in user.roles:
        return True
    return user.has_role(row.role) and (row.unit is None or row.unit == user.unit)
