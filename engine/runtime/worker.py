"""Firing due timers: leased, so several workers can share one database.

A worker leases a batch of due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), then fires
each instance in its own transaction. Firing is idempotent: an instance whose timer already
fired changes nothing and records nothing, so a lease that expires after a crash only causes
a harmless retry.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.errors import EngineError
from engine.org import users
from engine.runtime import schedule
from engine.runtime.case_numbers import case_exists
from engine.storage.schema import ProcessVersion, Timer
from engine.time.calendar import deadline_functions
from engine.views import TimerView

if TYPE_CHECKING:
    from engine.api import Engine

log = logging.getLogger("kuaiban.worker")
LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class FireReport:
    leased: int
    fired: int
    started: int
    failed: int
    # scheduled starts not made: the case the start event names exists already (e.g. this
    # year's campaign, started by hand); the schedule row records it (status "skipped")
    skipped: int = 0


class TimerWorker:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def pending(self) -> list[TimerView]:
        with self._engine.transaction() as session:
            rows = session.execute(
                select(Timer).where(Timer.status == "pending").order_by(Timer.due_at, Timer.id)
            ).scalars()
            return [TimerView(r.id, r.instance_id, r.process_key, r.element_id, r.due_at,
                              r.status) for r in rows]

    def fire_due(self, batch: int = 25) -> FireReport:
        """Fire every timer due now, batch by batch, until none is left. Small leases let
        several workers share a burst of due timers."""
        leased = fired = started = failed = skipped = 0
        while True:
            rows = self._lease(batch)
            if not rows:
                return FireReport(leased, fired, started, failed, skipped)
            leased += len(rows)
            for instance_id in sorted({r[1] for r in rows if r[1] is not None}):
                try:
                    with self._engine.transaction() as session:
                        if self._engine.runtime.fire_timers(session, instance_id, users.SYSTEM):
                            fired += 1
                except EngineError as exc:
                    failed += 1
                    log.error("timer of instance %s failed: %s", instance_id, exc.message)
            for timer_id, _, key in (r for r in rows if r[1] is None):
                try:
                    with self._engine.transaction() as session:
                        outcome = self._start_scheduled(session, timer_id, key)
                    started += outcome == "started"
                    skipped += outcome == "skipped"
                except EngineError as exc:
                    failed += 1
                    log.error("scheduled start of %s failed: %s", key, exc.message)
            if len(rows) < batch:
                return FireReport(leased, fired, started, failed, skipped)

    def _lease(self, batch: int) -> list[tuple[int, int | None, str]]:
        now = self._engine.clock.now()
        with self._engine.transaction() as session:
            query = (
                select(Timer)
                .where(Timer.status == "pending", Timer.due_at < now,
                       or_(Timer.lease_until.is_(None), Timer.lease_until < now))
                .order_by(Timer.due_at, Timer.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.execute(query).scalars())
            for row in rows:
                row.lease_until = now + LEASE
                row.leased_by = self.worker_id
            return [(r.id, r.instance_id, r.process_key) for r in rows]

    def _start_scheduled(self, session: Session, timer_id: int, key: str) -> str:
        """Start an instance from the start event whose schedule row this is, and schedule
        that start event's next occurrence: "started"; "skipped" when the start event names
        its case (``business_key``) and that case exists already; "gone" when the row fired
        or went meanwhile."""
        _lock_schedules(session, key)
        row = session.get(Timer, timer_id, with_for_update=True, populate_existing=True)
        if row is None or row.status != "pending":
            return "gone"
        row.status, row.fired_at = "fired", self._engine.clock.now()
        version = self._engine.versions.latest(session, key)
        element = row.element_id
        legacy = element not in version.start_timers
        if legacy:  # from when a process had one row, "start", for its last timer start event
            element = next(reversed(version.start_timers), element)
        business_key = self._business_key(session, version, element, row.due_at)
        if business_key is not None and case_exists(session, key, business_key):
            row.status = "skipped"
            log.info("scheduled start of %s skipped: case %s exists", key, business_key)
        else:
            self._engine.runtime.start(
                session, key, {}, users.SYSTEM, business_key=business_key,
                start_event=element if element in version.start_timers else None)
        if legacy:
            self.schedule_starts(session, [key], now=row.due_at)
        else:
            self._schedule_next(session, version, element, row.due_at, None)
        return row.status if row.status == "skipped" else "started"

    def _business_key(self, session: Session, version: LoadedVersion, element: str,
                      due: datetime) -> str | None:
        """The case the occurrence ``due`` of a timer start event names (its ``business_key``
        expression, with ``now()`` the occurrence: the same every time it is worked out)."""
        source = version.start_keys.get(element)
        if source is None:
            return None
        functions = deadline_functions(self._engine._calendar_for(session), lambda: due)
        return schedule.start_key(element, source, functions)

    def schedule_starts(self, session: Session, keys: list[str],
                        now: datetime | None = None) -> None:
        """(Re)schedule every timer start event of the latest version of each process (after
        a deploy): one pending row per start event, due at its next occurrence. A row already
        due stays as it is, so a deploy between an occurrence and the worker's next round loses
        no start; rows of start events the version no longer has go."""
        now = now or self._engine.clock.now()
        for key in keys:
            _lock_schedules(session, key)
            rows = session.execute(
                select(Timer).where(Timer.process_key == key, Timer.instance_id.is_(None),
                                    Timer.status == "pending")
                .order_by(Timer.id).with_for_update()
            ).scalars()
            pending: dict[str, Timer] = {}
            for row in rows:
                if row.element_id in pending:  # one row per start event, whatever came before
                    session.delete(row)
                else:
                    pending[row.element_id] = row
            version = self._engine.versions.latest(session, key)
            for element_id, row in pending.items():
                if element_id not in version.start_timers:
                    session.delete(row)
            for element_id in version.start_timers:
                found = pending.get(element_id)
                if found is None or found.due_at > now:
                    self._schedule_next(session, version, element_id, now, found)

    def _schedule_next(self, session: Session, version: LoadedVersion, element_id: str,
                       after: datetime, row: Timer | None) -> None:
        """Put the next occurrence after ``after`` of one timer start event in ``row`` (or a
        new row); without one left, the row goes."""
        functions = deadline_functions(self._engine._calendar_for(session), lambda: after)
        part, source = version.start_timers[element_id]
        due = schedule.next_occurrence(part, source, after, functions)
        if due is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Timer(instance_id=None, process_key=version.key, task_id=None,
                              element_id=element_id, due_at=due, status="pending",
                              lease_until=None, leased_by=None, fired_at=None))
        else:
            row.due_at = due


def _lock_schedules(session: Session, key: str) -> None:
    """Let one transaction at a time change the start schedule of ``key``. Without it, on
    PostgreSQL, a deploy rescheduling while a start fires waits for the fired row, then does
    not see the row the start added for the next occurrence (READ COMMITTED), and adds another.
    The lock is the process's first version row, which every deploy leaves in place."""
    session.execute(select(ProcessVersion.id).where(ProcessVersion.key == key)
                    .order_by(ProcessVersion.version).limit(1).with_for_update())


class BackgroundWorker(threading.Thread):
    """The in-process worker of ``kuaiban run``: fires due timers, then sends the day's
    reminders and the outbox (engine/notify), every few seconds."""

    def __init__(self, engine: Engine, interval: float = 5.0) -> None:
        super().__init__(name="kuaiban-timers", daemon=True)
        self._engine = engine
        self._interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            try:
                self._engine.timers.fire_due()
            except Exception:  # keep the worker alive; the error is logged with its cause
                log.exception("timer worker round failed")
            try:
                self._engine.notifications.work()
            except Exception:
                log.exception("notification round failed")

    def stop(self) -> None:
        self._halt.set()
