"""“新官不理旧账” 化解率 by stage: the campaign's four stages end on fixed dates (plan 2, 二:
自查摸排 April-May, 核实处理 April-August, 督促跟进 July-November, 总结提升 December); at
each stage's end (or now, for a stage still running) the campaign's legacy cases registered so
far and how many were resolved (审核办结, the close_case task done) by then. A case belongs to
the campaign of its ``campaign_year``, not to the year it was registered in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from engine.queries.stats.model import RATE, Column, Figure, Row, Spec, rate
from engine.queries.stats.scope import StatsFilter, case_clause
from engine.storage.schema import ProcessInstance, Task
from engine.time.calendar import TZ, WorkCalendar

PROCESS = "legacy_case"
YEAR = "campaign_year"  # the campaign a case was handed over in (legacy_clue_message.json)
STAGES = (("self_inspection", "自查摸排", 5, 31), ("verification", "核实处理", 8, 31),
          ("follow_up", "督促跟进", 11, 30), ("summary", "总结提升", 12, 31))
COLUMNS = (Column("registered", "累计登记"), Column("resolved", "累计化解"),
           Column("rate", "化解率", RATE))


def campaign_year(flt: StatsFilter, now: datetime) -> int:
    """The year of the period's start, else this year."""
    return flt.start.year if flt.start else now.astimezone(TZ).year


def _stage_end(year: int, month: int, day: int, now: datetime) -> datetime:
    end = datetime.combine(date(year, month, day) + timedelta(days=1), time(0), tzinfo=TZ)
    return min(end, now)


def _year_after(year: int) -> datetime:
    return datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=TZ)


def _scope(session: Session, flt: StatsFilter, year: int) -> list[ColumnElement[bool]]:
    """The campaign's cases: those handed over with its ``campaign_year`` whenever they were
    registered (a campaign started in December registers clues into January), and a case
    without one by the year it was registered in."""
    named = ProcessInstance.data[YEAR].as_float()
    first = datetime.combine(date(year, 1, 1), time(0), tzinfo=TZ)
    return [ProcessInstance.process_key == PROCESS,
            ProcessInstance.process_key == (flt.process or PROCESS),
            or_(named == float(year),
                and_(named.is_(None), ProcessInstance.created_at >= first,
                     ProcessInstance.created_at < _year_after(year))),
            case_clause(session, flt, PROCESS)]


def _closed_at() -> Any:
    """When a legacy case was closed (审核办结). The status is tested in the aggregate, not
    the WHERE clause, so SQLite reads the case's few tasks through the instance index rather
    than every completed task through the status index."""
    closed = case((Task.status == "completed", Task.completed_at))
    return (select(func.min(closed))
            .where(Task.instance_id == ProcessInstance.id, Task.element_id == "close_case")
            .correlate(ProcessInstance).scalar_subquery())


def _resolved_by(until: datetime | None) -> ColumnElement[bool]:
    """Closed before ``until`` (None: ever)."""
    done = [Task.process_key == PROCESS, Task.element_id == "close_case",
            Task.status == "completed"]
    if until is not None:
        done.append(Task.completed_at < until)
    return ProcessInstance.id.in_(select(Task.instance_id).where(*done))


def build(session: Session, flt: StatsFilter, now: datetime,
          calendar: WorkCalendar) -> Figure:
    """One pass over the campaign's cases: each with its registration and closing time,
    counted against every stage's end. 总结提升 also counts the clues registered after the
    year (late registrations), with their resolution to date."""
    year = campaign_year(flt, now)
    figure = Figure("legacy_by_stage", "legacy", f"{year}年“新官不理旧账”各阶段化解率", COLUMNS,
                    note="各阶段截止时（进行中的阶段截至当前）累计登记和化解的案件；"
                         "年度结束后补登记的本年度线索计入总结提升，化解截至当前")
    ends = [_stage_end(year, month, day, now) for _, _, month, day in STAGES]
    cases = (select(ProcessInstance.created_at.label("registered"),
                    _closed_at().label("closed"))
             .where(*_scope(session, flt, year)).subquery())
    late = cases.c.registered >= _year_after(year)
    counts = []
    for until in ends[:-1]:
        counts += [func.count().filter(cases.c.registered < until),
                   func.count().filter(cases.c.registered < until, cases.c.closed < until)]
    counts += [func.count().filter(true()), func.count().filter(or_(
        cases.c.closed < ends[-1], and_(late, cases.c.closed.is_not(None))))]
    found = [int(n) for n in session.execute(select(*counts).select_from(cases)).one()]
    for i, (key, title, _, _) in enumerate(STAGES):
        registered, done = found[2 * i], found[2 * i + 1]
        figure.rows.append(Row(key, title, {"registered": registered, "resolved": done,
                                            "rate": rate(done, registered)}))
    return figure


def drill(session: Session, flt: StatsFilter, now: datetime, key: str | None,
          measure: str) -> Select[int]:
    year = campaign_year(flt, now)
    stage = next((s for s in STAGES if s[0] == key), STAGES[-1])
    until = _stage_end(year, stage[2], stage[3], now)
    query = select(ProcessInstance.id).where(*_scope(session, flt, year))
    if stage is not STAGES[-1]:
        query = query.where(ProcessInstance.created_at < until)
        return query.where(_resolved_by(until)) if measure == "resolved" else query
    if measure == "resolved":  # a late registration: resolved to date
        query = query.where(or_(_resolved_by(until), and_(
            ProcessInstance.created_at >= _year_after(year), _resolved_by(None))))
    return query


SPECS = (Spec("legacy_by_stage", "legacy", build, drill, processes=(PROCESS,)),)
