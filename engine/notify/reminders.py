"""Due-date reminders: once a working day, from the configured local time (09:00 by default),
every open task that was already open then is reminded once per kind:

- ``overdue``: its deadline has passed;
- ``due_today``: its deadline falls on today;
- ``due_tomorrow``: its deadline falls after today and by the end of the next working day (on
  a Friday, a task due on Saturday, Sunday or Monday; before a holiday, any day of it).

A deadline falls on the day of its last moment: 00:00 (每月5日前) belongs to the day before.
Each (task, kind) is claimed by inserting its key into ``task_reminders`` in the transaction
that writes its notices, so several workers running the round at once remind each task
once; a day whose round is over is recorded in ``reminder_rounds`` so workers stop looking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.messages import Msg, msg
from engine.notify.emit import Notice, write
from engine.notify.recipients import who_sees
from engine.storage.schema import REMINDER_ROUNDS as ROUNDS
from engine.storage.schema import TASK_REMINDERS, TASKS
from engine.time.calendar import WorkCalendar

BATCH = 200
# A round is recorded as over only this long after it began: a command that read its clock
# just before the round began may commit just after.
SETTLE = timedelta(minutes=5)


def round_start(now: datetime, calendar: WorkCalendar, at: time) -> datetime | None:
    """When today's round began, if today is a working day and it has begun."""
    today = calendar.local(now).date()
    if not calendar.is_workday(today):
        return None
    start = datetime.combine(today, at, tzinfo=calendar.tz)
    return start if now >= start else None


def windows(start: datetime, calendar: WorkCalendar) -> dict[str, ColumnElement[bool]]:
    """The deadlines each kind covers, for the round that began at ``start``."""
    today = start.date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=calendar.tz)

    tomorrow = midnight(today + timedelta(days=1))
    after_next = midnight(calendar.next_workday(today) + timedelta(days=1))
    due = TASKS.c.due_at
    return {"overdue": due < start,
            "due_today": and_(due >= start, due <= tomorrow),
            "due_tomorrow": and_(due > tomorrow, due <= after_next)}


def remind(session: Session, start: datetime, calendar: WorkCalendar, now: datetime,
           batch: int = BATCH) -> int:
    """Remind up to ``batch`` tasks of each kind not reminded yet; the number reminded (0:
    nothing left for this round)."""
    done = 0
    for kind, window in windows(start, calendar).items():
        sent = TASK_REMINDERS.c
        rows = list(session.connection().execute(
            select(TASKS.c.id, TASKS.c.instance_id, TASKS.c.business_key, TASKS.c.name,
                   TASKS.c.role, TASKS.c.unit, TASKS.c.assignee, TASKS.c.due_at)
            .where(TASKS.c.status == "ready", TASKS.c.created_at <= start, window,
                   ~exists().where(sent.task_id == TASKS.c.id, sent.kind == kind))
            .order_by(TASKS.c.due_at, TASKS.c.id).limit(batch)))
        claimed = _claim(session, [r.id for r in rows], kind, now)
        rows = [r for r in rows if r.id in claimed]
        if rows:
            _notify(session, kind, rows, now)
            done += len(rows)
    return done


def _claim(session: Session, task_ids: Sequence[str], kind: str, now: datetime) -> set[str]:
    """Insert the reminders' keys; the ids this transaction claimed (a concurrent round that
    claimed one first wins it: on PostgreSQL this insert waits for it, then skips)."""
    if not task_ids:
        return set()
    rows = [{"task_id": t, "kind": kind, "sent_at": now} for t in task_ids]
    result = session.connection().execute(
        _insert_new(session, TASK_REMINDERS).values(rows).returning(TASK_REMINDERS.c.task_id))
    return set(result.scalars())


def _insert_new(session: Session, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING (both backends spell it alike)."""
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def _notify(session: Session, kind: str, rows: Sequence[Any], now: datetime) -> None:
    people = who_sees(session, [r._mapping for r in rows])
    write(session, kind, [
        Notice(name, r.instance_id, r.id, r.business_key, r.name,
               _said(kind, r.due_at))
        for r in rows for name in people[r.id]], now, users_known=True)


def _said(kind: str, due_at: datetime) -> Msg:
    if kind == "due_tomorrow":
        return msg("notice.due_tomorrow", due_at=due_at)
    if kind == "due_today":
        return msg("notice.due_today", due_at=due_at)
    return msg("notice.overdue", due_at=due_at)


def finished(session: Session, day: date) -> bool:
    return session.connection().execute(
        select(ROUNDS.c.day).where(ROUNDS.c.day == day)).first() is not None


def finish(session: Session, start: datetime, now: datetime) -> bool:
    """Record the round that began at ``start`` as over, once it has settled."""
    if now < start + SETTLE:
        return False
    session.connection().execute(
        _insert_new(session, ROUNDS).values(day=start.date(), finished_at=now))
    return True
