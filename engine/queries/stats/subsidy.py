"""惠企政策兑现: payouts made in the period by subsidy procedure — how many, how many within
their 1-working-day limit, the yuan paid, and the working days (engine/time/calendar.py, as
the rules count them) from the case's start (the application, or the batch for 免申即享) to
the payout.

A payout is one completed payout task (免申即享: one per enterprise of the batch); its
amount is the 实际兑付金额 its task submitted, so the count and the amount always cover the same
payouts, as each is made (a 免申即享 batch's enterprises count one by one, not once the whole
batch is reported). A payout made again — withdrawn (撤回) by who made it, or its case sent
back (退回) to an earlier step — leaves its earlier task completed beside the new one: only
the last counts (:func:`_last_made`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

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
PAID, STARTED = "paid", "started"  # the payouts by the day made, by the day their case started


def _payouts(session: Session, flt: StatsFilter, process: str) -> list[ColumnElement[bool]]:
    return [Task.process_key == process, Task.process_key == (flt.process or process),
            Task.element_id == PAYOUT_TASKS[process], Task.status == "completed",
            flt.in_period(Task.completed_at), unit_clause(session, flt, Task.unit), LAST_MADE]


def _last_made() -> ColumnElement[bool]:
    """The payout task is the last time its payout was made: no other task of the same step
    of the case for the same enterprise (its place in a batch's list, ``tasks.item_index``;
    a task from before places were, its title) is open — the payout withdrawn or sent back,
    to be made again — or was completed after it, by the case's order of events (one
    instant may hold both). A payout made again counts once, with its final state, as the
    case page's 兑付结果 shows it (engine/queries/payouts.py).

    Read per payout through the task table's instance index: a case's few tasks, most
    cases with no other round at all. Built once (:data:`LAST_MADE`): building its aliases
    costs more than the query reading it."""
    other = aliased(Task)
    same = or_(other.item_index == Task.item_index,
               and_(other.item_index.is_(None), Task.item_index.is_(None),
                    other.name == Task.name))
    return ~exists().where(
        other.instance_id == Task.instance_id, other.element_id == Task.element_id,
        other.id != Task.id, same,
        or_(other.status == "ready", _completion(other) > _completion(Task)))


def _completion(task: Any) -> ColumnElement[Any]:
    """The place of a task's completion in its case's events (None: not completed)."""
    done = aliased(Event)
    return (select(done.seq)
            .where(done.instance_id == task.instance_id, done.task_id == task.id,
                   done.type == "completed")
            .correlate_except(done).scalar_subquery())


LAST_MADE = _last_made()


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
    """The period's payouts, read once (a CTE used twice, so materialized) and counted by
    the day they were made — how many, how many on time, the yuan paid (each payout's
    completed event holds its amount) — and by the day their case started (the application,
    or the batch): rows of (``PAID`` or ``STARTED``, day, count, on time, yuan)."""
    made = (select(local_day(session, Task.completed_at).label("paid_on"),
                   local_day(session, ProcessInstance.created_at).label("started_on"),
                   case((Task.completed_at <= Task.due_at, 1), else_=0).label("on_time"),
                   _paid_amount().label("yuan"))
            .select_from(Task).join(ProcessInstance, ProcessInstance.id == Task.instance_id)
            .outerjoin(Event, (Event.instance_id == Task.instance_id)
                       & (Event.task_id == Task.id) & (Event.type == "completed"))
            .where(*_payouts(session, flt, process)).cte("made"))
    paid = (select(literal(PAID), made.c.paid_on, func.count(), func.sum(made.c.on_time),
                   func.sum(made.c.yuan)).group_by(made.c.paid_on))
    started = (select(literal(STARTED), made.c.started_on, func.count(), literal(0),
                      literal(0.0)).group_by(made.c.started_on))
    return list(session.execute(union_all(paid, started)))


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
        paid, in_time, yuan = 0, 0, 0.0
        days: dict[str, dict[date, int]] = {PAID: {}, STARTED: {}}
        for kind, day, n, o, amount_paid in _by_day(session, flt, process):
            days[kind][as_date(day)] = int(n)
            if kind == PAID:
                paid, in_time = paid + int(n), in_time + int(o or 0)
                yuan += amount_paid or 0
        if not paid:
            continue
        took = working_days(calendar, days[PAID], days[STARTED])
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


SPECS = (Spec("subsidy_payouts", "subsidy", build, drill, payouts,
              processes=tuple(PAYOUT_TASKS)),)
