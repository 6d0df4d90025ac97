"""Sending the outbox: leased like timers, so several workers share it and no entry goes
out twice from two workers.

A worker leases a batch of due entries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has
one writer) for :data:`LEASE`. Right before sending an entry it renews its lease, if it still
holds it; it sends within the settings' network timeout (far shorter than the lease); then it
records the outcome, only if it still holds the lease. So while a worker lives, no other
worker sends its entries. The one window left is a worker that dies (or loses the database)
after the recipient's server accepted a message and before the outcome was recorded: the
lease runs out and another worker sends it again. E-mail cannot close that window (SMTP has
no transaction shared with the database); each attempt carries the same Message-ID and the
webhook the same ``X-Kuaiban-Delivery`` id, so a receiver can drop the copy.

A failed attempt is tried again after a backoff that doubles each time, up to the configured
number of attempts; an answer that says trying again cannot help (a 5xx SMTP reply, a 4xx
HTTP status) fails the entry at once. Failed entries stay in the outbox for operators
(``kuaiban notifications --pending``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.messages import notices
from engine.notify.channels import Letter, Undelivered, send
from engine.notify.settings import Settings
from engine.org.users import LANGUAGES
from engine.storage.schema import NOTIFICATIONS, OUTBOX, USERS

if TYPE_CHECKING:
    from engine.api import Engine

log = logging.getLogger("kuaiban.notify")
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class Outbox:
    def __init__(self, engine: Engine, settings: Callable[[], Settings]) -> None:
        self._engine = engine
        self._settings = settings
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]

    def deliver_due(self, batch: int = 20) -> DeliveryReport:
        """Send every entry due now, batch by batch, until none is left."""
        sent = retrying = failed = 0
        while True:
            letters = self._lease(batch)
            for letter in letters:
                outcome = self._deliver(letter)
                sent += outcome == "sent"
                retrying += outcome == "retrying"
                failed += outcome == "failed"
            if len(letters) < batch:
                return DeliveryReport(sent, retrying, failed)

    def _lease(self, batch: int) -> list[Letter]:
        now = self._engine.clock.now()
        with self._engine.transaction() as session:
            ids = list(session.connection().execute(
                select(OUTBOX.c.id)
                .where(OUTBOX.c.status == "pending", OUTBOX.c.next_attempt_at <= now,
                       or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < now))
                .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
                .limit(batch).with_for_update(skip_locked=True)).scalars())
            if not ids:
                return []
            session.connection().execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(ids))
                .values(lease_until=now + LEASE, leased_by=self.worker_id))
            return _letters(session, ids)

    def _deliver(self, letter: Letter) -> str:
        settings = self._settings()
        now = self._engine.clock.now()
        with self._engine.transaction() as session:  # still ours? then ours for a while more
            if not self._mine(session, letter.id, lease_until=now + LEASE):
                return "lost"
        try:
            send(settings, letter, now)
        except Undelivered as exc:
            return self._failed(settings, letter, str(exc), exc.permanent)
        except Exception as exc:  # a fault of ours: logged, retried like any failure
            log.exception("sending notice %s by %s failed", letter.id, letter.channel)
            return self._failed(settings, letter, f"{type(exc).__name__}: {exc}", False)
        with self._engine.transaction() as session:
            self._mine(session, letter.id, status="sent", sent_at=self._engine.clock.now(),
                       attempts=OUTBOX.c.attempts + 1, last_error=None, lease_until=None)
        return "sent"

    def _failed(self, settings: Settings, letter: Letter, error: str, permanent: bool) -> str:
        now = self._engine.clock.now()
        with self._engine.transaction() as session:
            attempts = 1 + (session.connection().execute(
                select(OUTBOX.c.attempts).where(OUTBOX.c.id == letter.id)).scalar() or 0)
            give_up = permanent or attempts >= settings.max_attempts
            self._mine(session, letter.id, status="failed" if give_up else "pending",
                       attempts=attempts, last_error=error[:500], lease_until=None,
                       next_attempt_at=now + settings.backoff(attempts))
        (log.error if give_up else log.warning)(
            "notice %s by %s to %s: attempt %s failed%s: %s", letter.id, letter.channel,
            letter.username, attempts, "; giving up" if give_up else "", error)
        return "failed" if give_up else "retrying"

    def _mine(self, session: Session, entry_id: int, **values: object) -> bool:
        """Update the entry if this worker still holds its lease; whether it did."""
        result = session.connection().execute(
            update(OUTBOX).where(OUTBOX.c.id == entry_id, OUTBOX.c.status == "pending",
                                 OUTBOX.c.leased_by == self.worker_id).values(**values))
        return result.rowcount == 1


def _letters(session: Session, ids: list[int]) -> list[Letter]:
    rows = session.connection().execute(
        select(OUTBOX.c.id, OUTBOX.c.notification_id, OUTBOX.c.channel, OUTBOX.c.address,
               NOTIFICATIONS.c.username, USERS.c.display_name, NOTIFICATIONS.c.kind,
               NOTIFICATIONS.c.title, NOTIFICATIONS.c.message_key,
               NOTIFICATIONS.c.message_params, NOTIFICATIONS.c.text, NOTIFICATIONS.c.business_key,
               NOTIFICATIONS.c.instance_id, NOTIFICATIONS.c.task_id,
               NOTIFICATIONS.c.created_at, USERS.c.language)
        .join(NOTIFICATIONS, NOTIFICATIONS.c.id == OUTBOX.c.notification_id)
        .outerjoin(USERS, USERS.c.username == NOTIFICATIONS.c.username)
        .where(OUTBOX.c.id.in_(ids)).order_by(OUTBOX.c.id))
    return [Letter(r.id, r.notification_id, r.channel, r.address, r.username,
                   r.display_name or r.username, r.kind, r.title,
                   None if r.message_key is None else notices.outside(notices.said(
                       r.message_key, r.message_params, r.title, r.business_key)),
                   r.text, r.business_key, r.instance_id, r.task_id, r.created_at,
                   _language(r.language))
            for r in rows]


def _language(chosen: str | None) -> str:
    """The recipient's stored language, Chinese when they chose none."""
    return chosen if chosen in LANGUAGES else notices.DEFAULT_LANGUAGE


