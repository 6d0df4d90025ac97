"""按期办结率: user tasks with a due date finished in the period, how many at or before their
due time (the engine computed the due times on the working-day calendar when the tasks
opened), and the tasks due in the period still open past their due time, by unit or by
procedure.

The rate is 按期办结 ÷（办结 + 超期未办结）: a task open past its due time has missed it
however it ends, so it counts against the rate now, not only once it is finished late. A
unit that leaves its overdue work open cannot keep 100 %.

Every column counts tasks (a unit's steps: a case whose two steps at a unit are overdue
counts two), so each count lists the tasks it counts (:func:`tasks`), not only their cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.queries import subjects
from engine.queries.stats.model import RATE, Column, CountedTask, Figure, Row, Spec, rate
from engine.queries.stats.scope import StatsFilter, unit_clause
from engine.storage.schema import ProcessVersion, Task
from engine.time.calendar import WorkCalendar

COLUMNS = (Column("done", "办结"), Column("on_time", "按期办结"), Column("late", "超期办结"),
           Column("rate", "按期办结率", RATE), Column("overdue_open", "超期未办结"))
NO_UNIT = "（未分单位）"
NOTE = "按期办结率 = 按期办结 ÷（办结 + 超期未办结）"


def _finished(session: Session, flt: StatsFilter) -> list[ColumnElement[bool]]:
    return [Task.status == "completed", flt.in_period(Task.completed_at),
            Task.due_at.is_not(None), *_scope(session, flt)]


def _overdue_open(session: Session, flt: StatsFilter, now: datetime) -> list[ColumnElement[bool]]:
    return [Task.status == "ready", Task.due_at < now, flt.in_period(Task.due_at),
            *_scope(session, flt)]


def _scope(session: Session, flt: StatsFilter) -> list[ColumnElement[bool]]:
    clauses = [unit_clause(session, flt, Task.unit)]
    if flt.process:
        clauses.append(Task.process_key == flt.process)
    return clauses


def process_names(session: Session) -> dict[str, str]:
    """Each procedure's name as its newest version gives it."""
    rows = session.execute(select(ProcessVersion.key, ProcessVersion.name)
                           .order_by(ProcessVersion.key, ProcessVersion.version))
    return dict(rows.all())


Cells = dict[tuple[str, str | None], list[int]]  # (process, unit) -> [done, on time, overdue]


def _cells(session: Session, flt: StatsFilter, now: datetime) -> Cells:
    """The counts by procedure and unit, read once per transaction for both figures (and a
    procedure's own section: its counts out of every procedure's, when read already)."""
    memo = session.info.setdefault("stats_timeliness", {})
    if (flt, now) in memo:
        return memo[(flt, now)]
    every = memo.get((replace(flt, process=None), now)) if flt.process else None
    if every is not None:
        memo[(flt, now)] = {k: v for k, v in every.items() if k[0] == flt.process}
        return memo[(flt, now)]
    by = (Task.process_key, Task.unit)
    on_time = func.sum(case((Task.completed_at <= Task.due_at, 1), else_=0))
    cells: Cells = {}
    for process, unit, n, o in session.execute(
            select(*by, func.count(), on_time).where(*_finished(session, flt)).group_by(*by)):
        cells[(process, unit)] = [int(n), int(o or 0), 0]
    for process, unit, n in session.execute(
            select(*by, func.count()).where(*_overdue_open(session, flt, now)).group_by(*by)):
        cells.setdefault((process, unit), [0, 0, 0])[2] = int(n)
    memo[(flt, now)] = cells
    return cells


def build(by: InstrumentedAttribute[Any], key: str, title: str,
          session: Session, flt: StatsFilter, now: datetime, calendar: WorkCalendar,
          section: str = "timeliness", note: str = NOTE) -> Figure:
    """The figure grouped ``by`` the tasks' unit or procedure (``section``, ``note``: for a
    procedure's own section that shows its tasks alone)."""
    counts: dict[str | None, list[int]] = {}
    for (process, unit), values in _cells(session, flt, now).items():
        total = counts.setdefault(process if by is Task.process_key else unit, [0, 0, 0])
        for i, value in enumerate(values):
            total[i] += value
    names = process_names(session) if by is Task.process_key else {}
    figure = Figure(key, section, title, COLUMNS, note=note)
    for group, (done, in_time, open_late) in counts.items():
        label = names.get(group, group) if group else NO_UNIT
        figure.rows.append(Row(group, label or NO_UNIT, {
            "done": done, "on_time": in_time, "late": done - in_time,
            "rate": rate(in_time, done + open_late), "overdue_open": open_late}))
    figure.rows.sort(key=lambda r: (-(r.values["overdue_open"] or 0), -(r.values["late"] or 0),
                                    r.label))
    return figure


def _counted(by: InstrumentedAttribute[Any], session: Session, flt: StatsFilter,
             now: datetime, key: str | None, measure: str) -> list[ColumnElement[bool]]:
    """The tasks behind one count: the row's (``key``) of the column's (``measure``)."""
    group = by.is_(None) if key is None else by == key
    if measure == "overdue_open":
        return [group, *_overdue_open(session, flt, now)]
    clauses = [group, *_finished(session, flt)]
    if measure == "on_time":
        clauses.append(Task.completed_at <= Task.due_at)
    elif measure == "late":
        clauses.append(Task.completed_at > Task.due_at)
    return clauses


def drill(by: InstrumentedAttribute[Any], session: Session, flt: StatsFilter, now: datetime,
          key: str | None, measure: str) -> Select[int]:
    return select(Task.instance_id).where(
        *_counted(by, session, flt, now, key, measure)).distinct()


def tasks(by: InstrumentedAttribute[Any], session: Session, flt: StatsFilter, now: datetime,
          key: str | None, measure: str, limit: int) -> list[CountedTask]:
    """The tasks one count counts, one each (a case with two overdue steps: two), at most
    ``limit``: the last finished first, or the longest overdue first, in the order of the
    index the count reads (``ix_tasks_stats``, ``ix_tasks_board``), so the first ``limit``
    are read, not every task counted."""
    first = (Task.due_at,) if measure == "overdue_open" else (Task.completed_at.desc(),)
    found = session.execute(
        select(Task.id, Task.instance_id, Task.process_key, Task.business_key, Task.name,
               Task.unit, Task.due_at, Task.completed_at)
        .where(*_counted(by, session, flt, now, key, measure))
        .order_by(*first, Task.id).limit(limit)).all()
    named = subjects.of_cases(session, (row.instance_id for row in found))
    return [CountedTask(*row, subject=named.get(row.instance_id)) for row in found]


SPECS = (
    Spec("on_time_by_unit", "timeliness",
         partial(build, Task.unit, "on_time_by_unit", "各单位按期办结率"),
         partial(drill, Task.unit), tasks=partial(tasks, Task.unit)),
    Spec("on_time_by_process", "timeliness",
         partial(build, Task.process_key, "on_time_by_process", "各流程按期办结率"),
         partial(drill, Task.process_key), tasks=partial(tasks, Task.process_key)),
)
