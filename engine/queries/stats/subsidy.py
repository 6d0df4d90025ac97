"""惠企政策兑现: payouts made in the period by subsidy procedure — how many, how many within
their 1-working-day limit, the yuan paid, and the working days (engine/time/calendar.py, as
the rules count them) from the case's start (the application, or the batch for 免申即享) to
the payout.

A payout is one completed payout task (免申即享: one per enterprise of the batch); its
amount is the 实际兑付金额 its task submitted, so the count and the amount always cover the same
payouts, as each is made (a 免申即享 batch's enterprises count one by one, not once the whole
batch is reported)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, Select, case, cast, func, select
from sqlalchemy.orm import Session

from engine.queries.payouts import PAYOUT_TASKS, PaidPayout, amount, payment, text
from engine.queries.stats.model import AMOUNT, DAYS, Column, Figure, Row, Spec
from engine.queries.stats.scope import StatsFilter, unit_clause
from engine.queries.stats.timeliness import process_names
from engine.storage.schema import Event, ProcessInstance, Task
from engine.time.calendar import TZ, WorkCalendar

NOTE = ("兑付笔数：期间内完成的兑付（免申即享每户企业一笔）；兑付金额：这些兑付的实际兑付金额之和；"
        "平均兑付用时：自申请或发起批次之日到兑付之日的工作日数，当日兑付为0")
COLUMNS = (Column("paid", "兑付笔数"), Column("on_time", "1个工作日内兑付"),
           Column("amount", "兑付金额（元）", AMOUNT),
           Column("avg_days", "平均兑付用时（工作日）", DAYS))


def _payouts(session: Session, flt: StatsFilter, process: str) -> list[ColumnElement[bool]]:
    return [Task.process_key == process, Task.process_key == (flt.process or process),
            Task.element_id == PAYOUT_TASKS[process], Task.status == "completed",
            flt.in_period(Task.completed_at), unit_clause(session, flt, Task.unit)]


def local_day(session: Session, instant: Any) -> ColumnElement[Any]:
    """The local calendar day (Asia/Shanghai) of an instant, in SQL: a date on PostgreSQL,
    YYYY-MM-DD text on SQLite (which stores UTC; China keeps UTC+8 all year)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(TZ.key, instant), Date)
    return func.date(instant, "+8 hours")


def _paid_amount() -> ColumnElement[Any]:
    """A payout's 实际兑付金额 as its task submitted it (免申即享: under ``enterprise``)."""
    data = Event.payload
    return func.coalesce(cast(data[("data", "enterprise", "paid_amount")].as_float(), Float),
                         cast(data[("data", "paid_amount")].as_float(), Float))


def _by_day(session: Session, flt: StatsFilter, process: str) -> list[Any]:
    """The period's payouts by the day they were made: how many, how many on time, and the
    yuan paid (each payout's completed event holds its amount)."""
    day = local_day(session, Task.completed_at)
    on_time = func.sum(case((Task.completed_at <= Task.due_at, 1), else_=0))
    return list(session.execute(
        select(day, func.count(), on_time, func.sum(_paid_amount())).select_from(Task)
        .outerjoin(Event, (Event.instance_id == Task.instance_id) & (Event.task_id == Task.id)
                   & (Event.type == "completed"))
        .where(*_payouts(session, flt, process)).group_by(day)))


def _started_by_day(session: Session, flt: StatsFilter, process: str) -> dict[date, int]:
    """The same payouts by the day their case started (the application, or the batch)."""
    day = local_day(session, ProcessInstance.created_at)
    found = session.execute(
        select(day, func.count()).select_from(Task)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(*_payouts(session, flt, process)).group_by(day))
    return {as_date(d): int(n) for d, n in found}


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def working_days(calendar: WorkCalendar, finished: dict[date, int],
                 started: dict[date, int]) -> int:
    """The working days all the payouts took, each from its start day to its payout day
    (working days after the one and up to the other, as 1个工作日内 counts them).

    Working days between two days are W(payout day) - W(start day), W counting working days
    from any fixed day; so their sum over the payouts is the sum of W over the payout days
    less that over the start days, each day weighted by its payouts: read by day, a number
    of rows bounded by the days the period spans, never by the payouts."""
    weights = dict(finished)
    for day, n in started.items():
        weights[day] = weights.get(day, 0) - n
    days = sorted(weights)
    total, counted, previous = 0, 0, days[0]
    for day in days:
        counted += calendar.workdays_between(previous, day)
        total += weights[day] * counted
        previous = day
    return total


def build(session: Session, flt: StatsFilter, now: datetime, calendar: WorkCalendar) -> Figure:
    names = process_names(session)
    figure = Figure("subsidy_payouts", "subsidy", "惠企政策兑现", COLUMNS, note=NOTE)
    for process in PAYOUT_TASKS:
        paid, in_time, yuan, finished = 0, 0, 0.0, {}
        for day, n, o, amount_paid in _by_day(session, flt, process):
            paid, in_time, yuan = paid + int(n), in_time + int(o or 0), yuan + (amount_paid or 0)
            finished[as_date(day)] = int(n)
        if not paid:
            continue
        took = working_days(calendar, finished, _started_by_day(session, flt, process))
        figure.rows.append(Row(process, names.get(process, process), {
            "paid": paid, "on_time": in_time, "amount": round(float(yuan), 2),
            "avg_days": round(took / paid, 1)}))
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
