"""Read-side ledgers for supervisors and auditors: the overdue board (open, overdue and
due-today task counts by unit and procedure), the tasks behind one cell of it, a list of
instances, and every task (open or finished) of one instance.

Free functions over the public :class:`~engine.api.Engine`; read-only, one query each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.errors import NotFound
from engine.messages import msg
from engine.org import directory
from engine.org.scope import JURISDICTION
from engine.queries import subjects, visibility
from engine.queries.inbox import InboxFilter, item_place, task_view
from engine.storage.schema import ProcessInstance, Task
from engine.time.calendar import TZ
from engine.views import TaskView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

WHEN = ("overdue", "today", "open")


@dataclass(frozen=True)
class BoardRow:
    unit: str | None
    process_key: str
    open: int
    overdue: int
    due_today: int
    area: str | None = None  # the unit's jurisdiction (city, county, zone) in the directory
    urged: int = 0  # open tasks a supervisor has urged (催办)
    # tasks with no unit are the role's (作风优化组, 党风政风监督室 ...): a row per role
    role: str | None = None


@dataclass(frozen=True)
class InstanceSummary:
    id: int
    process_key: str
    business_key: str | None
    status: str
    started_by: str | None
    created_at: datetime
    updated_at: datetime
    subject: str | None = None  # its subject (事由)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """(start, end) of ``now``'s local calendar day in Asia/Shanghai."""
    start = datetime.combine(now.astimezone(TZ).date(), time(0), tzinfo=TZ)
    return start, start + timedelta(days=1)


def overdue_board(engine: Engine, unit: str | None = None, all_units: bool = True,
                  reach: frozenset[str] | None = None) -> list[BoardRow]:
    """Open tasks by (unit, procedure) with their overdue and due-today counts, grouped by
    jurisdiction (the directory's city, counties and zones, in directory order).

    ``all_units`` False limits the board to the tasks of ``unit``; ``reach`` (a supervisor's,
    engine/org/scope.py) to the tasks of those units."""
    now = engine.clock.now()
    _, tomorrow = day_bounds(now)
    overdue = func.sum(case((Task.due_at < now, 1), else_=0))
    today = func.sum(case(((Task.due_at >= now) & (Task.due_at < tomorrow), 1), else_=0))
    query = (select(Task.unit, Task.process_key, func.count(), overdue, today)
             .where(Task.status == "ready")
             .group_by(Task.unit, Task.process_key))
    if not all_units:
        query = query.where(Task.unit == unit)
    if reach is not None:
        query = query.where(Task.unit.in_(sorted(reach)))
    # urged tasks are few: counted apart, from their own index (ix_tasks_urged), so the
    # board's main query still reads its covering index alone
    urged_query = (select(Task.unit, Task.process_key, Task.role, func.count())
                   .where(Task.status == "ready", Task.urged_count > 0)
                   .group_by(Task.unit, Task.process_key, Task.role))
    if not all_units:
        urged_query = urged_query.where(Task.unit == unit)
    if reach is not None:
        urged_query = urged_query.where(Task.unit.in_(sorted(reach)))
    with engine.transaction(read_only=True) as session:
        found = directory.load(session)
        urged: dict[tuple[str | None, str, str | None], int] = {}
        for u, p, r, n in session.execute(urged_query):  # a unit's row counts every role
            key = (u, p, None if u is not None else r)
            urged[key] = urged.get(key, 0) + int(n)
        rows = []
        unitless = False
        for u, p, n, o, t in session.execute(query):
            if u is None:
                unitless = True
                continue
            entry = found.find(u)
            area = found.area(entry).name if entry is not None else None
            rows.append(BoardRow(u, p, int(n), int(o or 0), int(t or 0), area,
                                 urged.get((u, p, None), 0)))
        if unitless:
            rows += [replace(r, urged=urged.get((None, r.process_key, r.role), 0))
                     for r in _by_role(session, now, tomorrow)]
    order = {u.name: n for n, u in enumerate(found.units)}
    return sorted(rows, key=lambda r: (order.get(r.area or "", len(order)), -r.overdue,
                                       -r.due_today, r.unit or "", r.role or "", r.process_key))


def most_overdue_first(rows: list[BoardRow]) -> list[BoardRow]:
    """The board's rows by overdue count, highest first, then by unit (the rows of tasks with
    no unit last, by role): where the backlog is, whatever the jurisdiction."""
    return sorted(rows, key=lambda r: (-r.overdue, r.unit is None, r.unit or "", r.role or "",
                                       r.process_key))


def _by_role(session: Session, now: datetime, tomorrow: datetime) -> list[BoardRow]:
    """The board's rows of the open tasks with no unit, by procedure and role: one range of
    ``ix_tasks_board_cells`` (its last column is the role for them), in group order."""
    query = (select(Task.process_key, Task.role, func.count(),
                    func.sum(case((Task.due_at < now, 1), else_=0)),
                    func.sum(case(((Task.due_at >= now) & (Task.due_at < tomorrow), 1),
                                  else_=0)))
             .where(Task.status == "ready", Task.unit.is_(None))
             .group_by(Task.process_key, Task.role))
    return [BoardRow(None, p, int(n), int(o or 0), int(t or 0), role=r)
            for p, r, n, o, t in session.execute(query)]


def board_tasks(engine: Engine, unit: str | None, process: str | None,
                when: str = "overdue", reach: frozenset[str] | None = None,
                role: str | None = None, reader: UserView | None = None) -> list[TaskView]:
    """The open tasks behind one board cell; ``when`` is overdue, today or open; ``role``:
    of a row of tasks with no unit, that role's only; ``reader``: of the cases they may read
    (engine/queries/visibility.py), the cell counting the others too."""
    if when not in WHEN:
        raise ValueError(f"when must be one of {', '.join(WHEN)}")
    now = engine.clock.now()
    _, tomorrow = day_bounds(now)
    tasks = engine.inbox.for_user(None, InboxFilter(process=process or None,
                                                    overdue=True if when == "overdue" else None))
    tasks = [t for t in tasks if t.unit == unit and (reach is None or unit in reach)
             and (role is None or unit is not None or t.role == role)]
    if when == "today":
        tasks = [t for t in tasks if t.due_at is not None and now <= t.due_at < tomorrow]
    if reader is not None:
        with engine.transaction(read_only=True) as session:
            shown = visibility.readable_ids(session, {t.instance_id for t in tasks}, reader)
        tasks = [t for t in tasks if t.instance_id in shown]
    return tasks


def instances(engine: Engine, process: str | None = None, status: str | None = None,
              business_key: str | None = None, limit: int = 100,
              reach: frozenset[str] | None = None) -> list[InstanceSummary]:
    """The newest instances first; ``business_key`` matches a part of the case number;
    ``reach``: only the cases a supervisor of that reach reads (engine/org/scope.py)."""
    query = select(ProcessInstance).order_by(ProcessInstance.id.desc())
    if reach is None:
        query = query.limit(limit)
    if process:
        query = query.where(ProcessInstance.process_key == process)
    if status:
        query = query.where(ProcessInstance.status == status)
    if business_key:
        query = query.where(ProcessInstance.business_key.contains(business_key,
                                                                  autoescape=True))
    with engine.transaction(read_only=True) as session:
        found = []
        for r in session.execute(query.execution_options(yield_per=500)).scalars():
            if reach is None or r.data.get(JURISDICTION) in reach:
                found.append(InstanceSummary(r.id, r.process_key, r.business_key, r.status,
                                             r.started_by, r.created_at, r.updated_at))
            if len(found) >= limit:
                break
        named = subjects.of_cases(session, (c.id for c in found))
        return [replace(c, subject=named.get(c.id)) for c in found]


def instance_tasks(engine: Engine, instance_id: int) -> list[TaskView]:
    """Every user task of an instance, finished ones included, in the order they opened.
    Callers check read permission first (``engine.instance(id, user)``)."""
    now = engine.clock.now()
    with engine.transaction(read_only=True) as session:
        rows = session.execute(select(Task).where(Task.instance_id == instance_id)
                               .order_by(Task.created_at, item_place(), Task.id)).scalars()
        return [task_view(r, now) for r in rows]


def chain_problem(engine: Engine, instance_id: int) -> chain.ChainProblem | None:
    """The first break in one instance's event hash chain, or None when it is intact."""
    with engine.transaction(read_only=True) as session:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        return chain.verify_instance(session, row)
