"""The engine's public API. Every method is one transaction, committed here, at the edge."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.audit import bundle, chain, scan
from engine.audit.replay import RecordedEvent, ReplayResult, Snapshot, state_at
from engine.definitions import policies, registry, version_diff
from engine.definitions.lint import findings as lint_findings
from engine.definitions.lint import lint as lint_files
from engine.definitions.policies import Policy
from engine.definitions.registry import Deployed, LoadedVersion, VersionCache
from engine.definitions.validation import Checked, SourceFile
from engine.definitions.version_diff import DeployPreview
from engine.errors import (
    CaseHidden,
    Conflict,
    EngineError,
    NotFound,
    PermissionDenied,
    Problem,
)
from engine.files.attachments import Limits, Upload
from engine.files.dossier import Dossier
from engine.notify import emit
from engine.notify.center import Notifications
from engine.org import directory, people, scope, users
from engine.org.accounts import Accounts
from engine.org.directory import Unit
from engine.org.unit_import import ImportReport, import_units
from engine.org.users import SYSTEM, Who
from engine.queries import ledger, visibility
from engine.queries.confidential import Confidential, ReadView
from engine.queries.inbox import Inbox, task_view
from engine.queries.search import Search
from engine.queries.worklists import Worklists
from engine.runtime import migration, mirror
from engine.runtime.batch_rows import BatchRow, RowProblem
from engine.runtime.bulk import BatchReport, BulkStarts
from engine.runtime.commands import Runtime
from engine.runtime.migration import Report as MigrationReport
from engine.runtime.operations import Operations
from engine.runtime.worker import TimerWorker
from engine.storage import counters, db, migrate
from engine.storage.schema import (
    CalendarOverride,
    Event,
    ProcessInstance,
    ProcessVersion,
    Task,
)
from engine.time.calendar import WorkCalendar, deadline_functions
from engine.time.clock import Clock, SystemClock, clock_from_env
from engine.views import EventView, InstanceView, ProcessView, UserView

log = logging.getLogger("kuaiban.engine")
UNITS_FILE = "units.csv"  # a process folder's unit directory
LEDGER_READERS = {"auditor", "supervision_office", "reform_group", "case_manager", "style_group"}


class Engine:
    """A Kuaiban engine on one database. Safe to share between threads."""

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
        self.inbox = Inbox(self)
        self.timers = TimerWorker(self)
        self.notifications = Notifications(self)
        self.file_limits = self.runtime.file_limits = Limits.from_env()
        self.dossier = Dossier(self)
        # Security timers (sign-in locks) run on the real clock: a frozen KUAIBAN_NOW must not
        # make a lock last forever. Tests may replace it.
        self.wall: Clock = SystemClock()
        self.accounts = Accounts(self)
        self.confidential = Confidential(self)
        self.search = Search(self)  # cases by text (engine/queries/search.py)
        self.worklists = Worklists(self)  # 已办 and 我的申请
        self.ops = Operations(self)
        self.bulk = BulkStarts(self)

    @contextmanager
    def transaction(self, read_only: bool = False) -> Iterator[Session]:
        """One unit of work; the live-workflow cache is dropped when it rolls back. A write that
        lost a race (a stale revision found at any flush, or a duplicate event number or
        case number from a concurrent command) is a Conflict, never a lost update.
        ``read_only``: the work only reads, so on SQLite it does not take the write lock
        (inboxes and case pages read their snapshot while a command writes)."""
        session = (self._readers if read_only else self._sessions)()
        session.info[emit.CONTEXT] = self.notifications  # what notices need (engine/notify)
        try:
            with session.begin():
                yield session
        except (StaleDataError, IntegrityError) as exc:
            self.runtime.forget()
            raise Conflict("someone else changed this case at the same moment; reload and "
                           "try again") from exc
        except OperationalError as exc:
            self.runtime.forget()
            text = str(exc).lower()
            if "locked" in text or "deadlock" in text:  # a busy SQLite file; a PG deadlock
                raise Conflict("the database is busy; try again") from exc
            raise
        except BaseException:
            self.runtime.forget()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.db.dispose()

    # -- calendar ---------------------------------------------------------------------------

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
                cached = self._calendar = (version,
                                           WorkCalendar({r.day: r.is_workday for r in rows}))
            calendar = session.info["calendar"] = cached[1]
        return calendar

    def set_calendar_day(self, day: date, is_workday: bool, note: str | None = None) -> None:
        with self.transaction() as session:
            row = session.get(CalendarOverride, day)
            if row is None:
                session.add(CalendarOverride(day=day, is_workday=is_workday, note=note))
            else:
                row.is_workday, row.note = is_workday, note
            counters.bump_calendar(session)

    # -- definitions ------------------------------------------------------------------------

    def validate(self, files: Sequence[SourceFile],
                 units: directory.Directory | None = None) -> Checked:
        with self.transaction() as session:
            return registry.validate(session, list(files), units)

    def deploy(self, files: Sequence[SourceFile], user: str | None = None) -> list[Deployed]:
        """Validate and deploy; ``user`` (when given) must be a designer. Without a user this
        is the operator's deploy (CLI, start-up)."""
        hidden = self.search.hidden_fields()
        with self.transaction() as session:
            if user is not None and "designer" not in users.resolve(session, user).roles:
                raise PermissionDenied("deploying needs the designer role")
            deployed = registry.deploy(session, list(files), self.clock.now(), user)
            self.timers.schedule_starts(session, [d.key for d in deployed if d.created])
        if any(d.created for d in deployed):
            self.search.after_deploy(hidden)
        return deployed

    def deploy_preview(self, files: Sequence[SourceFile], user: str) -> list[DeployPreview]:
        """What :meth:`deploy` would do, for a designer to confirm: each process's next version
        and its changes against the latest, found by deploying in a transaction that is then
        rolled back (engine/definitions/version_diff.py). Raises as deploy would."""
        session = self._sessions()
        try:
            if "designer" not in users.resolve(session, user).roles:
                raise PermissionDenied("deploying needs the designer role")
            return version_diff.preview_deploy(session, self.versions, list(files),
                                               self.clock.now(), user)
        finally:
            session.rollback()
            session.close()

    def deploy_directory(self, *folders: Path) -> list[Deployed]:
        """Deploy the diagrams, tables and forms of ``folders``; a folder's unit directory
        (units.csv) is loaded first, so the diagrams' units are checked against it."""
        for folder in folders:
            if (folder / UNITS_FILE).is_file():
                self.import_units((folder / UNITS_FILE).read_text(encoding="utf-8"))
        files = [
            SourceFile(str(p), p.read_text(encoding="utf-8"))
            for folder in folders if folder.is_dir()
            for p in sorted(folder.iterdir())
            if p.suffix in (".bpmn", ".dmn", ".json")
        ]
        return self.deploy(files) if files else []

    def processes(self) -> list[ProcessView]:
        with self.transaction(read_only=True) as session:
            rows = session.execute(select(ProcessVersion).order_by(ProcessVersion.key,
                                                                   ProcessVersion.version))
            latest: dict[str, ProcessVersion] = {}
            for pv in rows.scalars():
                latest[pv.key] = pv
            return [ProcessView(p.key, p.version, p.name, p.start_form_key, p.deployed_at)
                    for p in latest.values()]

    def process_versions(self, key: str) -> list[ProcessView]:
        with self.transaction(read_only=True) as session:
            rows = session.execute(select(ProcessVersion).where(ProcessVersion.key == key)
                                   .order_by(ProcessVersion.version)).scalars()
            return [ProcessView(p.key, p.version, p.name, p.start_form_key, p.deployed_at)
                    for p in rows]

    def start_form(self, key: str) -> dict[str, Any] | None:
        with self.transaction(read_only=True) as session:
            version = self.versions.latest(session, key)
            return version.form(version.start_form_key)

    # -- the unit directory (engine/org/directory.py) -----------------------------------------

    def units(self, kind: str | None = None, tag: str | None = None,
              q: str | None = None) -> list[Unit]:
        """The directory in its order; ``q`` matches any of a unit's names in part."""
        with self.transaction(read_only=True) as session:
            found = directory.load(session).units
        return [u for u in found if (kind is None or u.kind == kind)
                and (tag is None or tag in u.tags)
                and (not q or any(q.strip() in name for name in u.names))]

    def person_choices(self, schema: Mapping[str, Any] | None,
                       user: UserView) -> dict[str, list[people.Person]]:
        """The users each person field (``x-user``) of ``schema`` offers ``user``."""
        with self.transaction(read_only=True) as session:
            return people.choices(session, schema, scope.scoped(session, user))

    def policy_choices(self, schema: Mapping[str, Any] | None) -> dict[str, list[Policy]]:
        """The policies each policy field (``x-policy``) of ``schema`` offers."""
        with self.transaction(read_only=True) as session:
            return policies.choices(session, schema)

    def policies(self, q: str | None = None, mode: str | None = None) -> list[Policy]:
        """The deployed 惠企政策清单; ``q`` matches a policy's number, name, mode, department
        or eligible subjects in part."""
        with self.transaction(read_only=True) as session:
            listed = policies.catalogue(session)
        return [p for p in listed if (not mode or p.policy_mode == mode)
                and (not q or p.matches(q.strip()))]

    def unit_directory(self) -> directory.Directory:
        with self.transaction(read_only=True) as session:
            return directory.load(session)

    def import_units(self, text: str) -> ImportReport:
        """Check the whole directory file, then load it (see engine/org/unit_import.py)."""
        with self.transaction() as session:
            return import_units(session, text)

    # -- users ------------------------------------------------------------------------------

    def add_user(self, username: str, roles: list[str], unit: str | None = None,
                 password: str | None = None, display_name: str | None = None,
                 email: str | None = None) -> UserView:
        """Add or update a user. The password is taken as given (seeding, demo users); people
        choosing one go through ``check_password_policy`` (the CLI) or
        ``accounts.set_password``. ``email`` (when given) replaces the address notices go to
        ("" to remove it)."""
        with self.transaction() as session:
            return users.add(session, username, roles, unit, password, display_name,
                             self.wall.now(), email)

    def user(self, username: str) -> UserView:
        with self.transaction(read_only=True) as session:
            return users.get(session, username)

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """Display name by username (a history's actors, say); unknown names are left out."""
        with self.transaction(read_only=True) as session:
            return users.display_names(session, usernames)

    def authenticate(self, username: str, password: str, address: str | None = None
                     ) -> UserView | None:
        """See ``accounts.authenticate``: None when wrong, Throttled after too many failures
        for the name or the client ``address``."""
        return self.accounts.authenticate(username, password, address)

    # -- commands ---------------------------------------------------------------------------

    def start(self, key: str, data: Mapping[str, Any] | None, user: Who,
              business_key: str | None = None, start_event: str | None = None,
              uploads: Sequence[Upload] = ()) -> InstanceView:
        """``start_event``: which start event to run from, for a process with several (by
        default SpiffWorkflow runs the first one ready); ``uploads``: files of the start
        form's file fields (engine/files/fields.py)."""
        with self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.start(session, key, data or {}, actor, business_key,
                                     start_event=start_event, uploads=uploads)
            return self._instance_view(session, row, actor)

    def start_batch(self, key: str, rows: Sequence[BatchRow], user: Who,
                    skip_invalid: bool = False, unreadable: Sequence[RowProblem] = (),
                    progress: Callable[[int], None] | None = None) -> BatchReport:
        """Start one case per row, in chunked transactions, resumable by each row's key
        (engine/runtime/bulk.py); every bad row is reported and, unless ``skip_invalid``,
        none starts while any is bad."""
        return self.bulk.run(key, rows, user, skip_invalid, unreadable, progress=progress)

    def complete(self, task_id: str, data: Mapping[str, Any] | None, user: Who,
                 revision: int | None = None, uploads: Sequence[Upload] = ()) -> InstanceView:
        """``uploads``: files of the form's file fields."""
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.complete(session, task_id, data or {}, actor, revision, uploads)
            return self._instance_view(session, row, actor)

    def claim(self, task_id: str, user: Who, revision: int | None = None) -> InstanceView:
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.assign(session, task_id, actor, True, revision)
            return self._instance_view(session, row, actor)

    def unclaim(self, task_id: str, user: Who, revision: int | None = None) -> InstanceView:
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.assign(session, task_id, actor, False, revision)
            return self._instance_view(session, row, actor)

    def task_data(self, task_id: str, user: Who) -> dict[str, Any]:
        """What one task sees: for a multi-instance task, its own item (confidential fields
        as the user may see them; engine/queries/confidential.py)."""
        self.inbox.task(task_id, user)  # NotFound / PermissionDenied
        with self.transaction() as session:
            row = session.get(Task, task_id)
            case = session.get(ProcessInstance, row.instance_id) if row is not None else None
            if row is None or case is None:
                raise NotFound(f"no task {task_id}")
            reader = users.resolve(session, user)
            data, shown = self.confidential.reveal(session, case, reader,
                                                   self.runtime.task_data(session, row))
        self.confidential.record(case.id, reader, shown, "task")
        return dict(data)

    def send_message(self, name: str, correlation: Mapping[str, Any] | None,
                     data: Mapping[str, Any] | None, user: Who) -> list[int]:
        with self.transaction() as session:
            delivered = self.runtime.deliver(session, name, correlation or {}, data or {},
                                             users.resolve(session, user))
            if not delivered:
                raise NotFound(f'no instance is waiting for message "{name}" with {correlation}')
            return delivered

    # -- reading ----------------------------------------------------------------------------

    def instance(self, instance_id: int, user: Who | None = None) -> InstanceView:
        """The case; for a ``user``, one who may read it, with confidential fields as they
        may see them (a read in clear is logged)."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            view, shown = self._revealed(session, row, reader)
        self.confidential.record(instance_id, reader, shown, "case")
        return view

    def visible_instance(self, session: Session, row: ProcessInstance, user: Who | None
                         ) -> InstanceView:
        """The case as ``user`` may see it (None: everything), confidential fields masked for
        whoever may not see them: the path by which the documents filled from a case read
        its data (the case page and the API read through :meth:`instance`, which also logs
        what it showed in clear)."""
        reader = None if user is None else users.resolve(session, user)
        if reader is not None:
            self._check_may_read(session, row, reader)
        return self._revealed(session, row, reader)[0]

    def _revealed(self, session: Session, row: ProcessInstance, reader: UserView | None
                  ) -> tuple[InstanceView, list[str]]:
        view = self._instance_view(session, row)
        data, shown = self.confidential.reveal(session, row, reader, view.data)
        return replace(view, data=data), shown

    def check_read(self, instance_id: int, user: Who) -> None:
        """NotFound (CaseHidden) unless ``user`` may read the case; reads nothing of it."""
        with self.transaction(read_only=True) as session:
            self._readable(session, instance_id, user)

    def history(self, instance_id: int, user: Who | None = None) -> list[EventView]:
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            events = [_event_view(e) for e in chain.events_of(session, instance_id)]
            payloads, shown = self.confidential.reveal(session, row, reader,
                                                       [e.payload for e in events])
        self.confidential.record(instance_id, reader, shown, "history")
        return [replace(e, payload=p) for e, p in zip(events, payloads, strict=True)]

    def confidential_reads(self, instance_id: int, user: Who) -> list[ReadView]:
        """Who was shown the case's confidential fields, when, and how: for auditors."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            assert reader is not None
            return self.confidential.reads(session, row.id, reader)

    def _readable(self, session: Session, instance_id: int, user: Who | None
                  ) -> tuple[ProcessInstance, UserView | None]:
        """The case and the user reading it (None: the operator), if they may."""
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        reader = None if user is None else users.resolve(session, user)
        if reader is not None:
            self._check_may_read(session, row, reader)
        return row, reader

    def verify(self, workers: int = 1, progress: Callable[[int], None] | None = None
               ) -> tuple[int, list[chain.ChainProblem]]:
        """(instances checked, the first break of each broken chain)."""
        result = self.verify_all(workers, progress)
        return result.instances, result.problems

    def verify_all(self, workers: int = 1, progress: Callable[[int], None] | None = None
                   ) -> scan.ScanResult:
        """Every chain, streamed in ranges of cases, over ``workers`` processes
        (engine/audit/scan.py); ``progress`` gets the cases of each range done."""
        result = scan.scan(self, scan.VERIFY, workers, progress=progress)
        result.problems += scan.orphans(self)
        return result

    def replay_all(self, workers: int = 1, progress: Callable[[int], None] | None = None
                   ) -> scan.ScanResult:
        """Replay every case, streamed like :meth:`verify_all`; ``diverged`` names each case
        whose history and state disagree."""
        return scan.scan(self, scan.REPLAY, workers, progress=progress)

    # -- audit: replay, time travel, bundles --------------------------------------------------

    def _recorded(self, session: Session, instance_id: int
                  ) -> tuple[ProcessInstance, list[RecordedEvent], list[Event]]:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        rows = chain.events_of(session, instance_id)
        events = [RecordedEvent(e.seq, e.type, e.payload, e.at, e.state_digest) for e in rows]
        return row, events, rows

    def replay(self, instance_id: int, user: Who | None = None) -> ReplayResult:
        """Rebuild the instance from its version and events; names the first divergence.
        ``user`` (when given) must be an auditor."""
        with self.transaction(read_only=True) as session:
            if user is not None and "auditor" not in users.resolve(session, user).roles:
                raise PermissionDenied("replay is for auditors")
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"no instance {instance_id}")
            return scan.replay_case(self, session, row, chain.events_of(session, instance_id))

    def instance_ids(self) -> list[int]:
        with self.transaction(read_only=True) as session:
            return list(session.execute(
                select(ProcessInstance.id).order_by(ProcessInstance.id)).scalars())

    def state_at(self, instance_id: int, seq: int, user: Who | None = None) -> Snapshot:
        """The case as it stood after event ``seq`` (replayed)."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            row, events, _ = self._recorded(session, instance_id)
            version = self.versions.get(session, row.version_id)
            snapshot = state_at(row.id, version, events, self._calendar_for(session), seq,
                                versions=self._version_loader(session))  # migrated cases
            data, shown = self.confidential.reveal(session, row, reader, snapshot.data)
        self.confidential.record(instance_id, reader, shown, "time travel")
        return replace(snapshot, data=data)

    def export_bundle(self, instance_id: int) -> dict[str, Any]:
        with self.transaction(read_only=True) as session:
            row, _, rows = self._recorded(session, instance_id)
            version = self.versions.get(session, row.version_id)
            overrides = session.execute(select(CalendarOverride)).scalars()
            events = [{**chain.event_body(e), "prev_hash": e.prev_hash, "hash": e.hash}
                      for e in rows]
            body = {
                "instance": {"id": row.id, "process_key": row.process_key,
                             "business_key": row.business_key, "status": row.status,
                             "event_count": row.event_count, "last_hash": row.last_hash},
                "version": bundle.version_entry(version),
                "calendar_overrides": {o.day.isoformat(): o.is_workday for o in overrides},
                "events": events,
            }
            carried = bundle.file_contents(session, events)
            if carried:  # the case's files (attachments, documents), base64 by sha256
                body["files"] = carried
            earlier = bundle.earlier_version_ids(events, version.id)
            if earlier:  # a migrated case: replay switches versions at its "migrated" events
                body["earlier_versions"] = {
                    str(i): bundle.version_entry(self.versions.get(session, i)) for i in earlier}
            return bundle.seal(body)

    def ledger(self, key: str, user: Who | None = None, unit: str | None = None,
               month: date | None = None) -> ledger.Ledger:
        """A ledger (台账) as rows; readers: auditors, the supervision office, the reform
        group, case managers, and the users of a unit. Each sees the rows of the cases they
        may read (engine/queries/visibility.py), as on the cases' pages."""
        with self.transaction(read_only=True) as session:
            reader = None if user is None else users.resolve(session, user)
            if reader is not None and not set(reader.roles) & LEDGER_READERS \
                    and (reader.unit is None or not reader.roles):
                raise PermissionDenied("ledgers are for supervisors and auditors")
            hidden, shown = self.confidential.columns(session, key, reader)
            table = ledger.build(session, key, self.clock.now(), unit, month, hidden,
                                 None if reader is None else visibility.readable(reader))
        for instance_id, fields in table.revealed(shown).items():
            self.confidential.record(instance_id, reader, fields, "ledger")
        return table

    def hide_unreadable(self, session: Session, instance_id: int, user: UserView,
                        message: str) -> None:
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
                                         users.resolve(session, user), f"no task {task_id}")
            raise

    def _check_may_read(self, session: Session, row: ProcessInstance, user: UserView) -> None:
        """CaseHidden unless ``user`` may read the case (engine/queries/visibility.py)."""
        if not visibility.may_read(session, row.id, user):
            raise CaseHidden(f"no instance {row.id}")

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

    # -- designers: lint, instance migration (definitions/lint.py, runtime/migration.py) --

    def lint(self, files: Sequence[SourceFile],
             units: directory.Directory | None = None) -> list[Problem]:
        """Validation errors and lint warnings of ``files`` together, each once, in file
        then line order; ``Problem.severity`` is "error" (deploy refuses the files) or
        "warning" (valid, probably not meant). Timer dates are checked against the engine's
        clock. ``validate`` stays errors-only (what deploy checks). ``units``: the directory
        the tables' units are checked against (default: the stored one)."""
        with self.transaction() as session:
            checked = registry.validate(session, list(files), units)
            functions = deadline_functions(self._calendar_for(session), self.clock.now)
        warnings = lint_files(files, self.clock.now(), functions)
        return lint_findings(checked.problems, warnings)

    def migrate_instances(self, key: str, to_version: int | None = None,
                          instance_id: int | None = None, dry_run: bool = False,
                          user: Who | None = None,
                          progress: Callable[[migration.Outcome], None] | None = None
                          ) -> MigrationReport:
        """Move running cases of ``key`` to version ``to_version`` (default: the latest):
        one case (``instance_id``) or every running case on another version. A dry run
        changes nothing and says which cases can move and why others cannot. Each case moves
        in its own transaction, with a "migrated" event. ``user`` (when given) must be a
        designer; without one this is the operator's migration (CLI). ``progress`` is called
        with each case's outcome as it is decided."""
        with self.transaction() as session:
            actor = SYSTEM if user is None else users.resolve(session, user)
            if user is not None and "designer" not in actor.roles:
                raise PermissionDenied("migrating cases needs the designer role")
            target = migration.target_version(session, self.versions, key, to_version)
            ids = migration.candidates(session, key, target, instance_id)
        outcomes = []
        for iid in ids:
            try:
                with self.transaction() as session:
                    outcomes.append(migration.migrate(session, self.runtime, iid, target,
                                                      actor, dry_run))
            except EngineError as exc:  # rolled back: this case stays where it was
                with self.transaction() as session:
                    row = session.get(ProcessInstance, iid)
                    old = session.get(ProcessVersion, row.version_id) if row else None
                outcomes.append(migration.Outcome(
                    iid, row.business_key if row else None, old.version if old else 0,
                    target.version, "cannot migrate", [exc.message]))
            if outcomes[-1].status == "migrated":
                log.info("instance %s migrated to %s v%s", iid, key, target.version)
            if progress is not None:
                progress(outcomes[-1])
        return MigrationReport(key, target.version, dry_run, outcomes)

    def _version_loader(self, session: Session) -> Callable[[int], LoadedVersion]:
        return lambda version_id: self.versions.get(session, version_id)


def _event_view(e: Event) -> EventView:
    return EventView(e.seq, e.type, e.task_id, e.payload, e.user, e.at, e.state_digest, e.hash)

