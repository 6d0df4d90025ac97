"""Inbox queries over the mirrored task table (never deserializing a workflow): the whole
inbox, a page of it, and counts over it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import NotFound, PermissionDenied
from engine.messages import msg
from engine.org import scope, users
from engine.queries import subjects
from engine.queries.rounds import Round, of_tasks
from engine.storage.schema import Task
from engine.time.calendar import TZ, WorkCalendar
from engine.views import TaskView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

PAGE_SIZE = 50


def item_place() -> ColumnElement[int]:
    """A task's place among its multi-instance siblings (the list's order); 0 for any other
    task."""
    return func.coalesce(Task.item_index, 0)


# The inbox order: due date (none last), then received, then a multi-instance task's place
# in its list (a batch's payouts in the batch's order), then id so that ties are total.
ORDER = (Task.due_at.is_(None), Task.due_at, Task.created_at, item_place(), Task.id)
REVERSED = tuple(column.desc() for column in ORDER)


@dataclass(frozen=True)
class InboxFilter:
    process: str | None = None
    role: str | None = None
    overdue: bool | None = None
    assignee_me: bool = False
    instance_id: int | None = None
    due_before: datetime | None = None  # only tasks with a due date before this instant


@dataclass(frozen=True)
class InboxPage:
    """Up to one page of an inbox, in inbox order; ``total`` counts every matching task."""

    tasks: list[TaskView]
    total: int
    has_previous: bool
    has_next: bool


@dataclass(frozen=True)
class InboxCounts:
    """Counts over a user's whole inbox, and the procedures that have tasks in it."""

    total: int
    mine: int
    overdue: int
    due_today: int
    processes: tuple[str, ...]


@dataclass(frozen=True)
class _Key:
    """A task's place in the inbox order."""

    due_at: datetime | None
    created_at: datetime
    place: int
    id: str


def task_view(row: Task | Row[Any] | Mapping[str, Any], now: datetime) -> TaskView:
    """From an ORM row, a plain row of the task table's columns, or a dict of them."""
    r: Any = SimpleNamespace(**row) if isinstance(row, Mapping) else row
    return TaskView(
        id=r.id, instance_id=r.instance_id, process_key=r.process_key,
        business_key=r.business_key, name=r.element_id, title=r.name, role=r.role,
        unit=r.unit, assignee=r.assignee, status=r.status, created_at=r.created_at,
        due_at=r.due_at,
        overdue=r.status == "ready" and r.due_at is not None and r.due_at < now,
        form_key=r.form_key, completed_at=r.completed_at, completed_by=r.completed_by,
        owner=r.owner, signers=tuple(r.signers or ()), urged_count=r.urged_count or 0,
        urged_at=r.urged_at, returned_by=getattr(r, "returned_by", None),
    )


def visible_to(user: UserView) -> ColumnElement[bool]:
    """Open tasks a user may see: their own, and unclaimed ones of their roles in the units
    they act for (engine/org/scope.py).

    An OR of branches that each repeat ``status = 'ready'`` and compare the unit by equality:
    every branch is then one index range (``ix_tasks_assignee``, ``ix_tasks_inbox``), so
    SQLite answers with a MULTI-INDEX OR instead of scanning every open task (1 ms against
    ~1 s at 100,000 open tasks; docs/performance.md). PostgreSQL plans a BitmapOr either way.
    """
    ready = Task.status == "ready"
    return or_(and_(ready, Task.assignee == user.username),
               # co-signers signing at once (engine/runtime/handover.py): few tasks, found
               # by ix_tasks_owner; the JSON list is then matched as text
               and_(ready, Task.owner.isnot(None), Task.owner == Task.assignee,
                    cast(Task.signers, String).contains(f'"{user.username}"', autoescape=True)),
               *scope.task_pool(user))


def _open_to(user: UserView) -> ColumnElement[bool]:
    if user.username == users.SYSTEM.username:
        return Task.status == "ready"
    return visible_to(user)


def matching(user: UserView, flt: InboxFilter, now: datetime) -> ColumnElement[bool]:
    """The open tasks of ``user``'s inbox that pass ``flt``."""
    conditions = [_open_to(user)]
    if flt.assignee_me:
        conditions.append(Task.assignee == user.username)
    if flt.process:
        conditions.append(Task.process_key == flt.process)
    if flt.role:
        conditions.append(Task.role == flt.role)
    if flt.instance_id is not None:
        conditions.append(Task.instance_id == flt.instance_id)
    if flt.overdue is True:
        conditions.append(Task.due_at < now)
    elif flt.overdue is False:
        conditions.append(or_(Task.due_at.is_(None), Task.due_at >= now))
    if flt.due_before is not None:
        conditions.append(Task.due_at < flt.due_before)
    return and_(*conditions)


def _after(key: _Key) -> ColumnElement[bool]:
    """Tasks after ``key`` in the inbox order (keyset paging: no row is skipped or repeated
    when tasks arrive or leave between pages). A filter on the rows of ``visible_to``'s index
    ranges: the plan stays a MULTI-INDEX OR (BitmapOr), then a sort of what passes."""
    later = or_(Task.created_at > key.created_at,
                and_(Task.created_at == key.created_at, _placed_after(key)))
    if key.due_at is None:
        return and_(Task.due_at.is_(None), later)
    return or_(Task.due_at.is_(None), Task.due_at > key.due_at,
               and_(Task.due_at == key.due_at, later))


def _before(key: _Key) -> ColumnElement[bool]:
    """Tasks before ``key`` in the inbox order."""
    earlier = or_(Task.created_at < key.created_at,
                  and_(Task.created_at == key.created_at, _placed_before(key)))
    if key.due_at is None:
        return or_(Task.due_at.is_not(None), earlier)
    return and_(Task.due_at.is_not(None),
                or_(Task.due_at < key.due_at, and_(Task.due_at == key.due_at, earlier)))


def _placed_after(key: _Key) -> ColumnElement[bool]:
    """Received with ``key``: later in the list, or at its place with a greater id."""
    place = item_place()
    return or_(place > key.place, and_(place == key.place, Task.id > key.id))


def _placed_before(key: _Key) -> ColumnElement[bool]:
    place = item_place()
    return or_(place < key.place, and_(place == key.place, Task.id < key.id))


def _key_of(session: Session, task_id: str) -> _Key:
    row = session.execute(select(Task.due_at, Task.created_at, item_place(), Task.id)
                          .where(Task.id == task_id)).one_or_none()
    if row is None:
        raise NotFound(msg("task.not_found", task_id=task_id))
    return _Key(*row)


def _key_of_row(row: Row[Any]) -> _Key:
    return _Key(row.due_at, row.created_at, row.item_index or 0, row.id)


def _number_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _user(session: Session, username: users.Who | None) -> UserView:
    return users.SYSTEM if username is None else users.resolve(session, username)


def end_of_today(now: datetime, calendar: WorkCalendar) -> datetime:
    """Where 今日到期 ends: at the start of the next working day, so that a task due on the
    days off before it counts too (the countdown calls it 即将到期)."""
    next_day = calendar.next_workday(now.astimezone(TZ).date())
    return datetime.combine(next_day, time(0), tzinfo=TZ)


class Inbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def for_user(self, username: users.Who | None, flt: InboxFilter | None = None
                 ) -> list[TaskView]:
        """The whole inbox in inbox order (``None``: every open task)."""
        now = self._engine.clock.now()
        with self._engine.transaction(read_only=True) as session:
            where = matching(_user(session, username), flt or InboxFilter(), now)
            # Plain rows, not ORM objects: a city-level inbox of 2,000 tasks builds in a fifth
            # of the time (no identity map, no instance state per row).
            query = select(*Task.__table__.columns).where(where).order_by(*ORDER)
            return subjects.with_subjects(session, [task_view(r, now)
                                                    for r in session.execute(query)])

    def page(self, username: users.Who, flt: InboxFilter | None = None, *,
             after: str | None = None, before: str | None = None,
             size: int = PAGE_SIZE) -> InboxPage:
        """The first page of the inbox, or the page right after (before) the task ``after``
        (``before``) in inbox order; that task need not be in the inbox any more."""
        if (after is not None and before is not None) or size < 1:
            raise ValueError("a page is after a task or before it, of at least one task")
        forward = before is None
        cursor = after if forward else before
        now = self._engine.clock.now()
        with self._engine.transaction(read_only=True) as session:
            where = matching(users.resolve(session, username), flt or InboxFilter(), now)
            total = session.execute(select(func.count()).select_from(Task).where(where)
                                    ).scalar_one()
            query = select(*Task.__table__.columns).where(where).limit(size + 1)
            if cursor is not None:
                key = _key_of(session, cursor)
                query = query.where(_after(key) if forward else _before(key))
            rows = list(session.execute(query.order_by(*(ORDER if forward else REVERSED))))
            more = len(rows) > size
            rows = rows[:size] if forward else rows[:size][::-1]
            # tasks behind the page, seen from the way it was reached
            if cursor is None:
                behind = False  # the first page
            elif not rows:
                behind = total > 0  # past the end: every task is behind
            else:
                edge = _key_of_row(rows[0] if forward else rows[-1])
                side = _before(edge) if forward else _after(edge)
                behind = bool(session.execute(select(exists().where(where, side))).scalar())
            tasks = subjects.with_subjects(session, [task_view(r, now) for r in rows])
        if forward:
            return InboxPage(tasks, total, has_previous=behind, has_next=more)
        return InboxPage(tasks, total, has_previous=more, has_next=behind)

    def counts(self, username: users.Who, today_ends: datetime | None = None) -> InboxCounts:
        """Counts over the user's whole inbox: every task, their own, the overdue ones, and
        those due from now until ``today_ends`` (by default the end of today,
        :func:`end_of_today`, on the calendar this transaction reads: the header's counts on
        every page, in one transaction)."""
        now = self._engine.clock.now()
        with self._engine.transaction(read_only=True) as session:
            if today_ends is None:
                today_ends = end_of_today(now, self._engine._calendar_for(session))
            user = users.resolve(session, username)
            query = (select(Task.process_key, func.count(),
                            _number_of(Task.assignee == user.username),
                            _number_of(Task.due_at < now),
                            _number_of(and_(Task.due_at >= now, Task.due_at < today_ends)))
                     .where(_open_to(user)).group_by(Task.process_key))
            rows = session.execute(query).all()
        return InboxCounts(total=sum(r[1] for r in rows), mine=sum(r[2] for r in rows),
                           overdue=sum(r[3] for r in rows), due_today=sum(r[4] for r in rows),
                           processes=tuple(sorted(r[0] for r in rows)))

    def task(self, task_id: str, username: users.Who) -> TaskView:
        now = self._engine.clock.now()
        with self._engine.transaction(read_only=True) as session:
            row = session.get(Task, task_id)
            if row is None:
                raise NotFound(msg("task.not_found", task_id=task_id))
            user = users.resolve(session, username)
            if not may_see(row, user):
                # no part in the case: CaseHidden, as if the task did not exist
                self._engine.hide_unreadable(session, row.instance_id, user,
                                                   msg("task.not_found", task_id=task_id))
                raise PermissionDenied(msg("task.not_yours"))
            return task_view(row, now)

    def openable(self, task_ids: list[str], username: users.Who) -> frozenset[str]:
        """Which of ``task_ids`` the user may open (the rule of :meth:`task`): a case page
        links only those, never to a page that would refuse."""
        if not task_ids:
            return frozenset()
        with self._engine.transaction(read_only=True) as session:
            user = users.resolve(session, username)
            rows = session.execute(select(Task).where(Task.id.in_(task_ids))).scalars()
            return frozenset(r.id for r in rows if may_see(r, user))

    def rounds(self, task_ids: list[str]) -> dict[str, Round]:
        """The round of each task whose step was opened before in its case (a page's rows at
        once): 重新提交, and the round before it."""
        with self._engine.transaction(read_only=True) as session:
            return of_tasks(session, task_ids,
                            lambda version_id: self._engine.versions.get(session, version_id))

    def tasks_of_instance(self, session: Session, instance_id: int) -> list[TaskView]:
        now = self._engine.clock.now()
        rows = session.execute(
            select(Task).where(Task.instance_id == instance_id, Task.status == "ready")
            .order_by(Task.created_at, item_place(), Task.id)
        ).scalars()
        return [task_view(r, now) for r in rows]


def may_see(row: Task, user: UserView) -> bool:
    if user.username in (users.SYSTEM.username, row.assignee):
        return True
    if row.owner is not None and user.username in (row.signers or ()):
        return True  # a co-signer (in turn or at once)
    if "auditor" in user.roles and (row.unit is None or user.reach is None
                                    or row.unit in user.reach):
        return True
    return scope.acts_on(user, row.role, row.unit)
