"""The engine's notifications (``Engine.notifications``): each method one transaction. A
user's list, unread count and read marks; their channel choices; the operators' view of the
outbox; and the worker's round (reminders, then the outbox)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound, refused
from engine.messages import msg, notices
from engine.notify import reminders
from engine.notify.delivery import DeliveryReport, Outbox
from engine.notify.kinds import CHANNELS, KINDS, default
from engine.notify.settings import Settings
from engine.org import users
from engine.org.users import Who
from engine.queries import subjects, visibility
from engine.storage.schema import (
    NOTIFICATIONS,
    OUTBOX,
    NotificationPreference,
    ProcessInstance,
)
from engine.views import NotificationView, OutboxView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

PAGE = 50


@dataclass(frozen=True)
class Preferences:
    """A user's choices: channel -> kind -> on; the channels the system has turned on; the
    user's e-mail address."""

    choices: dict[str, dict[str, bool]]
    available: tuple[str, ...]
    email: str | None


@dataclass(frozen=True)
class WorkReport:
    reminded: int
    delivery: DeliveryReport


class Notifications:
    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self._engine = engine
        self.settings = settings or Settings.from_env()
        self.outbox = Outbox(engine, lambda: self.settings)
        self._finished_day: date | None = None  # the last round this process saw finished

    def now(self) -> datetime:
        return self._engine.clock.now()

    # -- a user's notifications -------------------------------------------------------------

    def for_user(self, user: Who, unread: bool = False, before: int | None = None,
                 limit: int = PAGE, kind: str | None = None) -> list[NotificationView]:
        """Newest first; ``before``: only those older than that id (the next page);
        ``kind``: only those of that kind (InvalidData for none of KINDS)."""
        if kind is not None and kind not in KINDS:
            raise refused("kind", msg("notify.unknown_kind", kind=kind, known=list(KINDS)))
        with self._engine.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            query = select(NOTIFICATIONS).where(NOTIFICATIONS.c.username == reader.username)
            if unread:
                query = query.where(NOTIFICATIONS.c.read_at.is_(None))
            if kind is not None:
                query = query.where(NOTIFICATIONS.c.kind == kind)
            if before is not None:
                query = query.where(NOTIFICATIONS.c.id < before)
            rows = session.connection().execute(
                query.order_by(NOTIFICATIONS.c.id.desc()).limit(max(1, min(limit, 500))))
            return _with_subjects(session, _with_senders(session, [_view(r) for r in rows]),
                                  reader)

    def unread_count(self, user: Who) -> int:
        """One indexed count (``ix_notifications_unread``): the bell on every page."""
        with self._engine.transaction(read_only=True) as session:
            name = user.username if isinstance(user, users.UserView) else user
            return int(session.connection().execute(
                select(func.count()).select_from(NOTIFICATIONS)
                .where(NOTIFICATIONS.c.username == name, NOTIFICATIONS.c.read_at.is_(None))
            ).scalar_one())

    def mark_read(self, notification_id: int, user: Who) -> NotificationView:
        """NotFound unless it is the user's own (another's is not told apart from none)."""
        with self._engine.transaction() as session:
            name = users.resolve(session, user).username
            mine = (NOTIFICATIONS.c.id == notification_id) & (NOTIFICATIONS.c.username == name)
            session.connection().execute(
                update(NOTIFICATIONS).where(mine, NOTIFICATIONS.c.read_at.is_(None))
                .values(read_at=self.now()))
            row = session.connection().execute(select(NOTIFICATIONS).where(mine)).first()
            if row is None:
                raise NotFound(msg("notify.not_found", notification_id=notification_id))
            return _with_senders(session, [_view(row)])[0]

    def mark_task_read(self, task_id: str, user: Who) -> int:
        """The user opened the task: their notices about it (arrived, sent back, urged ...)
        have been read; how many were unread. Looked for first, so that opening a task with
        none (the usual case) takes no write lock."""
        name = user.username if isinstance(user, users.UserView) else user
        unread = (NOTIFICATIONS.c.task_id == task_id) & (NOTIFICATIONS.c.username == name) \
            & NOTIFICATIONS.c.read_at.is_(None)
        with self._engine.transaction(read_only=True) as session:
            if session.connection().execute(select(NOTIFICATIONS.c.id).where(unread)
                                            .limit(1)).first() is None:
                return 0
        with self._engine.transaction() as session:
            return int(session.connection().execute(
                update(NOTIFICATIONS).where(unread).values(read_at=self.now())).rowcount)

    def mark_all_read(self, user: Who) -> int:
        with self._engine.transaction() as session:
            name = users.resolve(session, user).username
            return int(session.connection().execute(
                update(NOTIFICATIONS).where(NOTIFICATIONS.c.username == name,
                                            NOTIFICATIONS.c.read_at.is_(None))
                .values(read_at=self.now())).rowcount)

    # -- choices ----------------------------------------------------------------------------

    def preferences(self, user: Who) -> Preferences:
        with self._engine.transaction(read_only=True) as session:
            return self._preferences(session, users.resolve(session, user).username)

    def set_preferences(self, user: Who, choices: Mapping[str, Mapping[str, bool]]
                        ) -> Preferences:
        """Store the user's choice for every channel and kind given (others unchanged)."""
        unknown = sorted({f"{c}.{k}" for c, kinds in choices.items() for k in kinds
                          if c not in CHANNELS or k not in KINDS})
        if unknown:
            raise InvalidData({"choices": msg("field.unknown_choices", choices=unknown[:20])},
                              msg("notify.unknown_choice"))
        with self._engine.transaction() as session:
            name = users.resolve(session, user).username
            session.execute(delete(NotificationPreference).where(
                NotificationPreference.username == name,
                NotificationPreference.channel.in_(list(choices))))
            session.add_all(NotificationPreference(username=name, channel=c, kind=k,
                                                   enabled=bool(on))
                            for c, kinds in choices.items() for k, on in kinds.items())
            session.flush()
            return self._preferences(session, name)

    def _preferences(self, session: Session, name: str) -> Preferences:
        rows = session.execute(select(NotificationPreference).where(
            NotificationPreference.username == name)).scalars()
        stored = {(r.channel, r.kind): r.enabled for r in rows}
        choices = {c: {k: stored.get((c, k), default(c, k)) for k in KINDS} for c in CHANNELS}
        email = users.email_of(session, name)
        return Preferences(choices, self.settings.channels, email)

    # -- operators and the worker -------------------------------------------------------------

    def pending(self) -> list[OutboxView]:
        """Outbox entries not delivered: waiting (with their attempts so far) or failed."""
        with self._engine.transaction(read_only=True) as session:
            rows = session.connection().execute(
                select(OUTBOX, NOTIFICATIONS.c.username, NOTIFICATIONS.c.kind)
                .join(NOTIFICATIONS, NOTIFICATIONS.c.id == OUTBOX.c.notification_id)
                .where(OUTBOX.c.status != "sent").order_by(OUTBOX.c.id))
            return [_outbox_view(r) for r in rows]

    def work(self) -> WorkReport:
        """One round of the worker: today's reminders, then the outbox."""
        return WorkReport(self.remind(), self.outbox.deliver_due())

    def remind(self) -> int:
        """Send what today's reminder round still owes (nothing before its time, on a day
        off, or once the round is recorded as over)."""
        now = self.now()
        calendar = self._engine.calendar()
        start = reminders.round_start(now, calendar, self.settings.reminder_time)
        if start is None or self._finished_day == start.date():
            return 0
        total = 0
        while True:
            with self._engine.transaction() as session:
                if reminders.finished(session, start.date()):
                    self._finished_day = start.date()
                    return total
                done = reminders.remind(session, start, calendar, now)
                total += done
                if not done:
                    if reminders.finish(session, start, now):
                        self._finished_day = start.date()
                    return total


def _with_subjects(session: Session, views: list[NotificationView], reader: UserView
                   ) -> list[NotificationView]:
    """The notices, each with its case's subject if the reader may still read the case."""
    ids = {v.instance_id for v in views if v.instance_id is not None}
    if not ids:
        return views
    readable = session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(ids), visibility.readable(session, reader))).scalars()
    found = subjects.of_cases(session, readable)
    return [replace(v, subject=found[v.instance_id]) if v.instance_id in found else v
            for v in views]


def _with_senders(session: Session, views: list[NotificationView]) -> list[NotificationView]:
    """The notices, each naming who caused it as staff see them (engine/org/people.py
    ``shown``); a sender who is no user (``system``) is named by the username."""
    names = users.shown_names(session, {v.actor for v in views if v.actor})
    return [replace(v, actor_name=names.get(v.actor, v.actor)) if v.actor else v
            for v in views]


def _view(row: Row[Any]) -> NotificationView:
    said = None if row.message_key is None else notices.said(
        row.message_key, row.message_params, row.title, row.business_key)
    return NotificationView(row.id, row.username, row.kind, row.instance_id, row.task_id,
                            row.business_key, row.title, said, row.text, row.actor,
                            row.created_at, row.read_at)


def _outbox_view(row: Row[Any]) -> OutboxView:
    return OutboxView(row.id, row.notification_id, row.channel, row.username, row.kind,
                      row.address, row.status, row.attempts, row.next_attempt_at,
                      row.last_error, row.created_at)
