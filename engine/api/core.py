"""What every part of the engine's API shares: the database, the clock, the caches and the
services the commands and reads go through, one transaction per call, and the checks of who may
read a case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.api import shared_reads
from engine.api.shared_reads import SharedRead
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.errors import (
    CaseHidden,
    Conflict,
    NotFound,
    PermissionDenied,
)
from engine.files.attachments import Limits
from engine.files.dossier import Dossier
from engine.messages import Msg, msg
from engine.notify import emit
from engine.notify.center import Notifications
from engine.org import users
from engine.org.accounts import Accounts
from engine.org.users import Who
from engine.queries import subjects, visibility
from engine.queries.confidential import Confidential
from engine.queries.inbox import Inbox, task_view
from engine.queries.own_payouts import OwnPayouts
from engine.queries.search import Search
from engine.queries.worklists import Worklists
from engine.runtime import mirror
from engine.runtime.bulk import BulkStarts
from engine.runtime.commands import Runtime
from engine.runtime.drafts import Drafts
from engine.runtime.operations import Operations
from engine.runtime.worker import TimerWorker
from engine.storage import counters, db, migrate
from engine.storage.schema import (
    CalendarOverride,
    CalendarYear,
    ProcessInstance,
    Task,
)
from engine.time.calendar import WorkCalendar
from engine.time.clock import Clock, SystemClock, clock_from_env
from engine.views import InstanceView, UserView

if TYPE_CHECKING:
    from engine.api.engine import Engine

_READ_CHECKS = "kuaiban_read_checks"  # session.info: (case id, user) -> may read


class EngineCore:
    """The engine's state and shared steps; :class:`engine.api.Engine` adds the calls."""

    def __init__(self, url: str | None = None, clock: Clock | None = None,
                 upgrade: bool = True) -> None:
        self.url = url or db.database_url()
        self.db: SqlEngine = db.connect(self.url)
        if upgrade:
            migrate.upgrade(self.db)
        self.clock = clock or clock_from_env()
        self._sessions = sessionmaker(self.db, expire_on_commit=False)
        self._readers = sessionmaker(self.db.execution_options(**{db.READ_ONLY: True}),
                                     expire_on_commit=False)
        self.versions = VersionCache()
        self._calendar: tuple[int, WorkCalendar] | None = None  # (calendar_version, calendar)
        self.runtime = Runtime(self.versions, self.clock, self._calendar_for)
        engine = cast("Engine", self)  # the core is only ever the base of the whole Engine
        self.inbox = Inbox(engine)
        self.timers = TimerWorker(engine)
        self.notifications = Notifications(engine)
        self.file_limits = self.runtime.file_limits = Limits.from_env()
        self.dossier = Dossier(engine)
        # Security timers (sign-in locks) run on the real clock: a frozen KUAIBAN_NOW must not
        # make a lock last forever. Tests may replace it.
        self.wall: Clock = SystemClock()
        self.accounts = Accounts(engine)
        self.confidential = Confidential(engine)
        self.search = Search(engine)  # cases by text (engine/queries/search.py)
        self.worklists = Worklists(engine)  # 已办 and 我的申请
        self.own_payouts = OwnPayouts(engine)  # an enterprise's 免申即享 payouts
        self.ops = Operations(engine)
        self.drafts = Drafts(engine)  # 暂存 (engine/runtime/drafts.py)
        self.bulk = BulkStarts(engine)

    @contextmanager
    def transaction(self, read_only: bool = False) -> Iterator[Session]:
        """One unit of work; the live-workflow cache is dropped when it rolls back. A write that
        lost a race (a stale revision found at any flush, or a duplicate event number or
        case number from a concurrent command) is a Conflict, never a lost update.
        ``read_only``: the work only reads, so on SQLite it does not take the write lock
        (inboxes and case pages read their snapshot while a command writes); under
        :meth:`reading` it shares that context's read transaction."""
        shared = SharedRead.of(self)
        if shared is not None and read_only:
            with self._failures(), shared.read() as session:
                yield session
            return
        if shared is not None:
            shared.end()  # the reads after this write see it
        session = self._session(read_only)
        try:
            with self._failures(), session.begin():
                yield session
        finally:
            session.close()
            if shared is not None:
                shared.end()  # a read inside the write began before it committed

    def reading(self) -> AbstractContextManager[None]:
        """Until the context ends, this engine's read-only transactions in this thread or
        request share one read transaction (engine/api/shared_reads.py): a page view reads
        with one session, one begin and one reading of the change counters."""
        return shared_reads.sharing(self, lambda: self._session(read_only=True))

    def _session(self, read_only: bool) -> Session:
        session = (self._readers if read_only else self._sessions)()
        session.info[emit.CONTEXT] = self.notifications  # what notices need (engine/notify)
        if read_only:
            # nothing in a read changes who may read a case: answers are kept (a page asks
            # the same question for its case, its task and its documents)
            session.info[_READ_CHECKS] = {}
        return session

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A failed transaction drops the live-workflow cache; a lost race is a Conflict."""
        try:
            yield
        except (StaleDataError, IntegrityError) as exc:
            self.runtime.forget()
            raise Conflict(msg("case.changed_meanwhile")) from exc
        except OperationalError as exc:
            self.runtime.forget()
            text = str(exc).lower()
            if "locked" in text or "deadlock" in text:  # a busy SQLite file; a PG deadlock
                raise Conflict(msg("database.busy")) from exc
            raise
        except BaseException:
            self.runtime.forget()
            raise

    def close(self) -> None:
        self.db.dispose()

    def calendar(self) -> WorkCalendar:
        with self.transaction(read_only=True) as session:
            return self._calendar_for(session)

    def _calendar_for(self, session: Session) -> WorkCalendar:
        """The calendar for this transaction. The overrides are kept while the database's
        calendar_version matches them (one single-row read per transaction), so a day set
        by any process applies from every process's next command."""
        calendar: WorkCalendar | None = session.info.get("calendar")
        if calendar is None:
            # The version before the overrides: a change committed between the two reads
            # leaves a stale version with new overrides, reloaded once more next time.
            version = counters.read(session).calendar
            cached = self._calendar
            if cached is None or cached[0] != version:
                rows = session.execute(select(CalendarOverride)).scalars()
                years = session.execute(select(CalendarYear.year)).scalars()
                cached = self._calendar = (version, WorkCalendar(
                    {r.day: r.is_workday for r in rows}, official_years=years))
            calendar = session.info["calendar"] = cached[1]
        return calendar

    def _readable(self, session: Session, instance_id: int, user: Who | None
                  ) -> tuple[ProcessInstance, UserView | None]:
        """The case and the user reading it (None: the operator), if they may."""
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        reader = None if user is None else users.resolve(session, user)
        if reader is not None:
            self._check_may_read(session, row, reader)
        return row, reader

    def _revealed(self, session: Session, row: ProcessInstance, reader: UserView | None
                  ) -> tuple[InstanceView, list[str]]:
        view = self._instance_view(session, row)
        data, shown = self.confidential.reveal(session, row, reader, view.data)
        subject = subjects.of_cases(session, [row.id]).get(row.id)
        return replace(view, data=data, subject=subject,
                       tasks=[replace(t, subject=subject) for t in view.tasks]), shown

    def hide_unreadable(self, session: Session, instance_id: int, user: UserView,
                        message: Msg) -> None:
        """CaseHidden(``message``) when ``user`` may not read the case: a refusal about one
        of its tasks then says no more than "no such task"."""
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(message)
        try:
            self._check_may_read(session, row, user)
        except CaseHidden:
            raise CaseHidden(message) from None

    @contextmanager
    def _hiding_cases(self, task_id: str, user: Who) -> Iterator[None]:
        """A command on a task of a case the user has no part in is refused as if the task
        did not exist (task ids are derived from case ids, so they could be guessed)."""
        try:
            yield
        except PermissionDenied:
            with self.transaction(read_only=True) as session:
                row = session.get(Task, task_id)
                if row is not None:
                    self.hide_unreadable(session, row.instance_id,
                                         users.resolve(session, user),
                                         msg("task.not_found", task_id=task_id))
            raise

    def _check_may_read(self, session: Session, row: ProcessInstance, user: UserView) -> None:
        """CaseHidden unless ``user`` may read the case (engine/queries/visibility.py)."""
        answers: dict[tuple[int, UserView], bool] | None = session.info.get(_READ_CHECKS)
        key = (row.id, user)
        may = None if answers is None else answers.get(key)
        if may is None:
            may = visibility.may_read(session, row.id, user)
            if answers is not None:
                answers[key] = may
        if not may:
            raise CaseHidden(msg("instance.not_found", instance_id=row.id))

    def _instance_view(self, session: Session, row: ProcessInstance,
                       actor: UserView | None = None) -> InstanceView:
        """``actor``: the user of a command, who gets the case back with every confidential
        field masked (reading the case shows what they may see, and is logged)."""
        version = self.versions.get(session, row.version_id)
        written = mirror.open_tasks(session, row.id)  # what the command just wrote, if any
        if written is not None:
            now = self.clock.now()
            tasks = [task_view(t, now) for t in written]
        else:
            tasks = self.inbox.tasks_of_instance(session, row.id)
        return InstanceView(
            id=row.id, process_key=row.process_key, version=version.version,
            business_key=row.business_key, status=row.status, revision=row.revision,
            data=self.confidential.conceal(session, row, actor, dict(row.data)),
            created_at=row.created_at, updated_at=row.updated_at, tasks=tasks,
        )

    def _version_loader(self, session: Session) -> Callable[[int], LoadedVersion]:
        return lambda version_id: self.versions.get(session, version_id)
