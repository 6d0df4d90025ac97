"""行政审批中介服务问题线索 (plan 6, 二): the clues registered in the period by 中介服务事项
(processes/intermediary_catalogue.dmn), by 问题类别 and by 责任单位 — how many were declined
(不予受理), closed out (销号), are still being handled, and of those how many are past a step's
deadline — and the 按期办结率 of the procedure's steps by unit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, select
from sqlalchemy.orm import Session

from engine.queries.stats import timeliness
from engine.queries.stats.cases import NOT_GIVEN, case_scope, data_text
from engine.queries.stats.model import RATE, Column, CountedTask, Figure, Row, Spec, rate
from engine.queries.stats.scope import StatsFilter
from engine.storage.schema import ProcessInstance, Task
from engine.time.calendar import WorkCalendar

PROCESS, UNIT_FIELD, SECTION = "intermediary_clue", "responsible_unit", "intermediary"
ITEM = "intermediary_item"  # the 中介服务事项's number (x-catalogue)
# the outcomes its scripts record: close (销号) and reject (the answer to the reporter)
CLOSED_OUT, DECLINED = "已整改销号", "不予受理"
CATEGORIES = ("脱钩改制", "市场秩序", "中介收费", "要素公开", "其他")  # as the forms list them
COLUMNS = (Column("total", "线索数"), Column("declined", "不予受理"), Column("closed", "已销号"),
           Column("open", "办理中"), Column("overdue", "超期未办结"),
           Column("rate", "销号率", RATE))
NOTE = "销号率 = 已销号 ÷（线索数 − 不予受理）；超期未办结：办理中且有待办已过办理期限"
ON_TIME_NOTE = f"{timeliness.NOTE}；（未分单位）：市政数局工作专班的分类转办、逾期督办和核验销号"


def _value(field: str) -> ColumnElement[Any]:
    """The grouped field; "" (a catalogue field left empty) counts as not given."""
    return func.nullif(data_text(field), "")


def _open() -> ColumnElement[bool]:
    """Still being handled: running without an outcome (a case closed out stays running
    while a 逾期督办 it started is open)."""
    return and_(ProcessInstance.status == "running", data_text("outcome").is_(None))


def _overdue(now: datetime) -> ColumnElement[bool]:
    """With a step open past its due time: the few overdue tasks, read once."""
    return ProcessInstance.id.in_(select(Task.instance_id).where(
        Task.process_key == PROCESS, Task.status == "ready", Task.due_at < now))


def _measures(now: datetime) -> dict[str, ColumnElement[bool]]:
    """The condition of each counted column but the total."""
    outcome = data_text("outcome")
    return {"declined": outcome == DECLINED, "closed": outcome == CLOSED_OUT,
            "open": _open(), "overdue": and_(_open(), _overdue(now))}


# the fields the three case figures group by, counted in one pass over the period's cases
GROUPED = (ITEM, "problem_category", UNIT_FIELD)
Cells = dict[tuple[str | None, ...], list[int]]  # (item, category, unit) -> the counts


def _cells(session: Session, flt: StatsFilter, now: datetime
           ) -> tuple[Cells, dict[str, str]]:
    """The counts (total, declined, closed, open, overdue) by item, category and unit, read
    once per transaction for the three figures; and each item's name as its cases show it."""
    memo = session.info.setdefault("stats_intermediary", {})
    if (flt, now) not in memo:
        values = [_value(f) for f in GROUPED]
        counts = [func.count().filter(c) for c in _measures(now).values()]
        query = (select(*values, func.count(), *counts, func.max(data_text("item_name")))
                 .where(*case_scope(session, flt, PROCESS)).group_by(*values))
        cells: Cells = {}
        names: dict[str, str] = {}
        for row in session.execute(query):
            item, name = row[0], row[-1]
            cells[tuple(row[:3])] = [int(n) for n in row[3:-1]]
            if item is not None and name:
                names[item] = max(name, names.get(item, ""))
        memo[(flt, now)] = (cells, names)
    found: tuple[Cells, dict[str, str]] = memo[(flt, now)]
    return found


def build(field: str, key: str, title: str, order: tuple[str, ...], no_value: str,
          session: Session, flt: StatsFilter, now: datetime, calendar: WorkCalendar) -> Figure:
    cells, names = _cells(session, flt, now)
    at = GROUPED.index(field)
    counts: dict[str | None, list[int]] = {}
    for group, numbers in cells.items():
        sums = counts.setdefault(group[at], [0] * len(numbers))
        for i, n in enumerate(numbers):
            sums[i] += n
    figure = Figure(key, SECTION, title, COLUMNS, note=NOTE)
    for value, (total, declined, closed, still, late) in counts.items():
        name = names.get(value or "") if field == ITEM else None  # an item: number and name
        label = no_value if value is None else f"{value} {name}" if name else value
        figure.rows.append(Row(value, label, {
            "total": total, "declined": declined, "closed": closed, "open": still,
            "overdue": late, "rate": rate(closed, total - declined)}))
    position = {v: i for i, v in enumerate(order)}
    figure.rows.sort(key=lambda r: (position.get(r.key or "", len(position)), r.key is None,
                                    -(r.values["total"] or 0), r.label))
    return figure


def drill(field: str, session: Session, flt: StatsFilter, now: datetime, key: str | None,
          measure: str) -> Select[int]:
    value = _value(field)
    query = select(ProcessInstance.id).where(
        *case_scope(session, flt, PROCESS),
        value.is_(None) if key is None else value == key)
    condition = _measures(now).get(measure)
    return query if condition is None else query.where(condition)


def _own(flt: StatsFilter) -> StatsFilter | None:
    """The filter kept to this procedure's tasks; None when it names another procedure."""
    return replace(flt, process=PROCESS) if flt.process in (None, PROCESS) else None


def build_on_time(session: Session, flt: StatsFilter, now: datetime,
                  calendar: WorkCalendar) -> Figure:
    own = _own(flt)
    key, title = "intermediary_on_time_by_unit", "中介服务问题线索各单位按期办结率"
    if own is None:
        return Figure(key, SECTION, title, timeliness.COLUMNS, note=ON_TIME_NOTE)
    return timeliness.build(Task.unit, key, title, session, own, now, calendar, SECTION,
                            ON_TIME_NOTE)


def drill_on_time(session: Session, flt: StatsFilter, now: datetime, key: str | None,
                  measure: str) -> Select[int]:
    own = _own(flt)
    if own is None:
        return select(Task.instance_id).where(false())
    return timeliness.drill(Task.unit, session, own, now, key, measure)


def tasks_on_time(session: Session, flt: StatsFilter, now: datetime, key: str | None,
                  measure: str, limit: int) -> list[CountedTask]:
    own = _own(flt)
    if own is None:
        return []
    return timeliness.tasks(Task.unit, session, own, now, key, measure, limit)


def _spec(key: str, field: str, title: str, order: tuple[str, ...] = (),
          no_value: str = NOT_GIVEN) -> Spec:
    return Spec(key, SECTION, partial(build, field, key, title, order, no_value),
                partial(drill, field), processes=(PROCESS,))


SPECS = (
    _spec("intermediary_by_item", ITEM, "中介服务问题线索按中介服务事项"),
    _spec("intermediary_by_category", "problem_category", "中介服务问题线索按问题类别",
          CATEGORIES),
    _spec("intermediary_by_unit", UNIT_FIELD, "中介服务问题线索按责任单位",
          no_value=timeliness.NO_UNIT),
    Spec("intermediary_on_time_by_unit", SECTION, build_on_time, drill_on_time,
         tasks=tasks_on_time, processes=(PROCESS,)),
)
