"""惠企政策兑现: payouts made in the period by subsidy procedure — how many, how many within
their 1-working-day limit, the yuan paid, and the days from the case's start (the
application, or the batch for 免申即享) to the payout.

A payout is one completed payout task (免申即享: one per enterprise of the batch); its
amount is the 实际兑付金额 its task submitted, so the count and the amount always cover the same
payouts, as each is made (a 免申即享 batch's enterprises count one by one, not once the whole
batch is reported)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, cast, func, select
from sqlalchemy.orm import Session

from engine.queries.payouts import PAYOUT_TASKS, PaidPayout, amount, payment, text
from engine.queries.stats.model import AMOUNT, DAYS, Column, Figure, Row, Spec
from engine.queries.stats.scope import StatsFilter, unit_clause
from engine.queries.stats.timeliness import process_names
from engine.storage.schema import Event, ProcessInstance, Task

NOTE = "兑付笔数：期间内完成的兑付（免申即享每户企业一笔）；兑付金额：这些兑付的实际兑付金额之和"
COLUMNS = (Column("paid", "兑付笔数"), Column("on_time", "1个工作日内兑付"),
           Column("amount", "兑付金额（元）", AMOUNT),
           Column("avg_days", "平均兑付用时（天）", DAYS))


def _payouts(session: Session, flt: StatsFilter, process: str) -> list[ColumnElement[bool]]:
    return [Task.process_key == process, Task.process_key == (flt.process or process),
            Task.element_id == PAYOUT_TASKS[process], Task.status == "completed",
            flt.in_period(Task.completed_at), unit_clause(session, flt, Task.unit)]


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """``later - earlier`` in days, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _amount(session: Session, flt: StatsFilter, process: str) -> float:
    """Yuan paid by the payouts of the period: each one's 实际兑付金额 as its task submitted
    it (免申即享: under the task's ``enterprise``)."""
    data = Event.payload
    paid = func.coalesce(cast(data[("data", "enterprise", "paid_amount")].as_float(), Float),
                         cast(data[("data", "paid_amount")].as_float(), Float))
    total = session.execute(
        select(func.sum(paid)).select_from(Task)
        .join(Event, (Event.instance_id == Task.instance_id) & (Event.task_id == Task.id)
              & (Event.type == "completed"))
        .where(*_payouts(session, flt, process))).scalar()
    return round(float(total or 0), 2)


def build(session: Session, flt: StatsFilter, now: datetime) -> Figure:
    names = process_names(session)
    figure = Figure("subsidy_payouts", "subsidy", "惠企政策兑现", COLUMNS, note=NOTE)
    for process in PAYOUT_TASKS:
        on_time = func.sum(case((Task.completed_at <= Task.due_at, 1), else_=0))
        days = func.avg(days_between(session, Task.completed_at, ProcessInstance.created_at))
        paid, in_time, avg_days = session.execute(
            select(func.count(), on_time, days)
            .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
            .where(*_payouts(session, flt, process))).one()
        if not paid:
            continue
        figure.rows.append(Row(process, names.get(process, process), {
            "paid": int(paid), "on_time": int(in_time or 0),
            "amount": _amount(session, flt, process),
            "avg_days": round(float(avg_days), 1)}))
    return figure


def drill(session: Session, flt: StatsFilter, now: datetime, key: str | None,
          measure: str) -> Select[int]:
    query = select(Task.instance_id).where(*_counted(session, flt, key, measure))
    return query.distinct()


def _counted(session: Session, flt: StatsFilter, key: str | None, measure: str
             ) -> list[ColumnElement[bool]]:
    """The payouts behind one count: a procedure's (its row), all or those on time."""
    process = key if key in PAYOUT_TASKS else "subsidy_instant"
    return [*_payouts(session, flt, process),
            *([Task.completed_at <= Task.due_at] if measure == "on_time" else [])]


def payouts(session: Session, flt: StatsFilter, now: datetime, key: str | None, measure: str,
            limit: int) -> list[PaidPayout]:
    """The payouts behind one count, one each (a 免申即享 batch's enterprises one by one),
    newest first: the enterprise as its task names it (免申即享: the item it paid; else the
    application's), the 实际兑付金额 and 拨付日期 it submitted."""
    case_data = ProcessInstance.data
    found = session.execute(
        select(Task.id, Task.instance_id, Task.process_key, Task.business_key,
               Task.completed_at, Event.payload,
               case_data["enterprise_name"].as_string(), case_data["credit_code"].as_string())
        .join(Event, (Event.instance_id == Task.instance_id) & (Event.task_id == Task.id)
              & (Event.type == "completed"))
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(*_counted(session, flt, key, measure))
        .order_by(Task.completed_at.desc(), Task.instance_id.desc(), Task.item_index, Task.id)
        .limit(limit))
    listed = []
    for task_id, instance_id, process, number, at, payload, name, code in found:
        done = payment((payload or {}).get("data") or {})
        listed.append(PaidPayout(
            instance_id, process, number, text(done.get("name")) or name,
            text(done.get("credit_code")) or code, amount(done.get("paid_amount")),
            text(done.get("paid_on")), at, task_id))
    return listed


SPECS = (Spec("subsidy_payouts", "subsidy", build, drill, payouts),)
