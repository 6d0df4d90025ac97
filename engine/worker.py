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

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engine import schedule, users
from engine.calendar import deadline_functions
from engine.errors import EngineError
from engine.schema import ProcessVersion, Timer
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
        leased = fired = started = failed = 0
        while True:
            rows = self._lease(batch)
            if not rows:
                return FireReport(leased, fired, started, failed)
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
                        self._start_scheduled(session, timer_id, key)
                        started += 1
                except EngineError as exc:
                    failed += 1
                    log.error("scheduled start of %s failed: %s", key, exc.message)
            if len(rows) < batch:
                return FireReport(leased, fired, started, failed)

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

    def _start_scheduled(self, session: Session, timer_id: int, key: str) -> None:
        row = session.get(Timer, timer_id)
        if row is None or row.status != "pending":
            return
        row.status, row.fired_at = "fired", self._engine.clock.now()
        self._engine.runtime.start(session, key, {}, users.SYSTEM)
        self.schedule_starts(session, [key], after=row.due_at)

    def schedule_starts(self, session: Session, keys: list[str],
                        after: datetime | None = None) -> None:
        """(Re)schedule the next automatic start of each process with a timer start event."""
        now = after or self._engine.clock.now()
        functions = deadline_functions(self._engine._calendar_for(session), lambda: now)
        for key in keys:
            session.execute(delete(Timer).where(Timer.process_key == key,
                                                Timer.instance_id.is_(None),
                                                Timer.status == "pending"))
            version_id = session.execute(
                select(ProcessVersion.id).where(ProcessVersion.key == key)
                .order_by(ProcessVersion.version.desc()).limit(1)
            ).scalar()
            if version_id is None:
                continue
            start_timer = self._engine.versions.get(session, version_id).start_timer
            if start_timer is None:
                continue
            due = schedule.next_occurrence(start_timer[0], start_timer[1], now, functions)
            if due is not None:
                session.add(Timer(instance_id=None, process_key=key, task_id=None,
                                  element_id="start", due_at=due, status="pending",
                                  lease_until=None, leased_by=None, fired_at=None))


class BackgroundWorker(threading.Thread):
    """The in-process worker of ``kuaiban run``: fires due timers every few seconds."""

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

    def stop(self) -> None:
        self._halt.set()
