"""Cases counted by a field of their data (问题类型, 线索来源, 好差评 ...): the cases of one
procedure registered in the period, how many are closed, still open or ended otherwise
(终止, 撤回: so that the columns add up to the total), by the field's value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from engine.queries.stats.model import RATE, Column, Figure, Row, Spec, rate
from engine.queries.stats.scope import StatsFilter, case_clause
from engine.storage.schema import ProcessInstance
from engine.time.calendar import WorkCalendar

NOT_GIVEN = "（未填写）"


def data_text(name: str) -> ColumnElement[Any]:
    """A top-level field of the case data as text, in SQL (JSON on both backends)."""
    return ProcessInstance.data[name].as_string()


def case_scope(session: Session, flt: StatsFilter, process: str) -> list[ColumnElement[bool]]:
    """The cases of ``process`` registered in the period, of the filter's units
    (:func:`~engine.queries.stats.scope.case_clause`); none when the filter names another
    procedure."""
    return [ProcessInstance.process_key == (flt.process or process),
            ProcessInstance.process_key == process,
            flt.in_period(ProcessInstance.created_at),
            case_clause(session, flt, process)]


@dataclass(frozen=True)
class CaseGroups:
    key: str
    section: str
    title: str
    process: str
    field: str  # the data field grouped by
    closed_title: str = "已办结"
    rate_title: str = "办结率"
    order: tuple[str, ...] = ()  # the field's values in the order the form lists them

    def columns(self) -> tuple[Column, ...]:
        return (Column("total", "案件数"), Column("closed", self.closed_title),
                Column("open", "办理中"), Column("ended", "已终止"),
                Column("rate", self.rate_title, RATE))

    def build(self, session: Session, flt: StatsFilter, now: datetime,
              calendar: WorkCalendar) -> Figure:
        value = data_text(self.field)
        closed = func.sum(case((ProcessInstance.status == "completed", 1), else_=0))
        running = func.sum(case((ProcessInstance.status == "running", 1), else_=0))
        query = (select(value, func.count(), closed, running)
                 .where(*case_scope(session, flt, self.process))
                 .group_by(value))
        figure = Figure(self.key, self.section, self.title, self.columns())
        for group, total, done, still in session.execute(query):
            closed_count, open_count = int(done or 0), int(still or 0)
            figure.rows.append(Row(group, group or NOT_GIVEN, {
                "total": int(total), "closed": closed_count, "open": open_count,
                "ended": int(total) - closed_count - open_count,
                "rate": rate(closed_count, int(total))}))
        position = {v: i for i, v in enumerate(self.order)}
        figure.rows.sort(key=lambda r: (position.get(r.key or "", len(position)),
                                        -(r.values["total"] or 0), r.label))
        return figure

    def drill(self, session: Session, flt: StatsFilter, now: datetime, key: str | None,
              measure: str) -> Select[int]:
        value = data_text(self.field)
        query = select(ProcessInstance.id).where(
            *case_scope(session, flt, self.process),
            value.is_(None) if key is None else value == key)
        if measure == "closed":
            query = query.where(ProcessInstance.status == "completed")
        elif measure == "open":
            query = query.where(ProcessInstance.status == "running")
        elif measure == "ended":
            query = query.where(ProcessInstance.status.not_in(("completed", "running")))
        return query

    def spec(self) -> Spec:
        return Spec(self.key, self.section, self.build, self.drill, processes=(self.process,))


RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
SATISFIED = RATINGS[:3]

SPECS = (
    CaseGroups("clues_by_type", "clues", "问题线索按问题类型", "clue_triage",
               "problem_type").spec(),
    CaseGroups("clues_by_source", "clues", "问题线索按线索来源", "clue_triage", "channel").spec(),
    CaseGroups("legacy_by_type", "legacy", "“新官不理旧账”问题按类型", "legacy_case",
               "clue_type", "已化解", "化解率").spec(),
    CaseGroups("hotline_by_rating", "hotline", "12345营商环境投诉 好差评", "hotline_complaint",
               "rating", order=RATINGS).spec(),
)
