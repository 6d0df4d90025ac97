"""12345 满意率: of the complaints registered in the period that were rated at the return
visit (回访 好差评), the share rated 非常满意, 满意 or 基本满意. No rated complaint, no row: the
page then says the period has no data, as for the other figures, instead of a chart of zeros."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.queries.stats.cases import SATISFIED, case_scope, data_text
from engine.queries.stats.model import RATE, Column, Figure, Row, Spec, rate
from engine.queries.stats.scope import StatsFilter
from engine.storage.schema import ProcessInstance
from engine.time.calendar import WorkCalendar

PROCESS = "hotline_complaint"
COLUMNS = (Column("rated", "已评价"), Column("satisfied", "满意"), Column("rate", "满意率", RATE))


def build(session: Session, flt: StatsFilter, now: datetime,
          calendar: WorkCalendar) -> Figure:
    rating = data_text("rating")
    rated, satisfied = session.execute(
        select(func.count(rating), func.count().filter(rating.in_(SATISFIED)))
        .where(*case_scope(session, flt, PROCESS))).one()
    figure = Figure("hotline_satisfaction", "hotline", "12345营商环境投诉 满意率", COLUMNS,
                    note="满意：非常满意、满意、基本满意")
    if rated:
        figure.rows.append(Row(None, "合计", {"rated": int(rated), "satisfied": int(satisfied),
                                             "rate": rate(int(satisfied), int(rated))}))
    return figure


def drill(session: Session, flt: StatsFilter, now: datetime, key: str | None,
          measure: str) -> Select[int]:
    rating = data_text("rating")
    query = select(ProcessInstance.id).where(*case_scope(session, flt, PROCESS))
    return query.where(rating.in_(SATISFIED) if measure == "satisfied" else rating.is_not(None))


SPECS = (Spec("hotline_satisfaction", "hotline", build, drill, processes=(PROCESS,)),)
