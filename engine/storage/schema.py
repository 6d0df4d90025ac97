"""Database tables (SQLAlchemy 2.0, typed). Alembic migrations in engine/storage/migrations
create them.

Times are stored as timezone-aware UTC values; SQLite keeps them as ISO text through
``UtcDateTime`` so both backends compare and sort them the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class DefinitionFile(Base):
    """Content-addressed BPMN/DMN/form text; versions refer to files by hash."""

    __tablename__ = "definition_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn | form
    content: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # deploy order: higher is newer


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[Any]]  # [{"name", "kind", "sha256"}] this process needs
    start_form_key: Mapped[str | None] = mapped_column(String(128))
    start_messages: Mapped[list[Any]]  # message names that start an instance
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(64))


class ProcessInstance(Base):
    __tablename__ = "instances"
    # A case number is issued once per prefix (engine/runtime/case_numbers.py); NULLs (keys
    # the engine did not issue) are never equal, so they are not constrained.
    # A bulk start's row key (engine/runtime/bulk/starts.py): a row started once is never started
    # again when its file is run anew after a crash.
    __table_args__ = (Index("uq_instances_case_number", "case_prefix", "business_key",
                            unique=True),
                      Index("uq_instances_start_key", "start_key", unique=True),
                      # the statistics count one procedure's cases of a period
                      Index("ix_instances_stats", "process_key", "created_at"),
                      # the cases a user started (已办, 我的申请)
                      Index("ix_instances_started_by", "started_by", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    business_key: Mapped[str | None] = mapped_column(String(64), index=True)
    case_prefix: Mapped[str | None] = mapped_column(String(16))  # the sequence that issued it
    status: Mapped[str] = mapped_column(String(16))  # running|completed|cancelled|error
    revision: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    started_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    event_count: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    start_key: Mapped[str | None] = mapped_column(String(255))

    # Optimistic locking: every UPDATE says WHERE revision = <loaded>; 0 rows is a conflict.
    # The engine sets the revision itself (exactly +1 per command).
    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy reads it as a plain class attribute
        "version_id_col": revision,
        "version_id_generator": False,
    }


class Task(Base):
    """Mirror of user tasks: READY ones for inboxes, finished ones for ledgers."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "status", "role", "unit", "due_at"),
        Index("ix_tasks_assignee", "assignee", "status", "due_at"),
        Index("ix_tasks_board", "status", "due_at"),
        # Covers the overdue board (engine/queries/board.py): open tasks grouped by unit and
        # procedure, read from the index alone, already in group order; those with no unit
        # by procedure and role.
        Index("ix_tasks_board_cells", "status", "unit", "process_key", "due_at", "role"),
        # Covers the statistics (engine/queries/stats): finished tasks of a period by
        # procedure and unit, with their due time, read from the index alone.
        Index("ix_tasks_stats", "status", "completed_at", "process_key", "unit", "due_at"),
        # one step of one procedure (the subsidy payouts, the legacy cases' closing)
        Index("ix_tasks_step", "process_key", "element_id", "status", "completed_at"),
        # the cases a user worked on (engine/queries/visibility.py); 已办 reads the events
        Index("ix_tasks_done", "completed_by", "completed_at"),
        # the cases a unit's user may read (engine/queries/visibility.py), for lists of cases
        Index("ix_tasks_readers", "role", "unit", "instance_id"),
        Index("ix_tasks_urged", "status", "urged_count"),  # the board's urged counts
        Index("ix_tasks_owner", "status", "owner"),  # co-signers' inboxes (queries/inbox.py)
        # an enterprise's items of 免申即享 batches, for 我的申请 (engine/queries/own_payouts.py)
        Index("ix_tasks_credit_code", "credit_code", "instance_id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str | None] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(128))
    assignee: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ready|completed|cancelled
    form_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    # Handed on for a part (委派 delegate, 加签 co-sign): whom the task returns to, and the
    # co-signers still to sign after the assignee, in order (engine/runtime/handover.py).
    owner: Mapped[str | None] = mapped_column(String(64))
    signers: Mapped[list[Any] | None]
    urged_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    urged_at: Mapped[datetime | None]
    # Who sent the task back to be done again (退回, or a decision that looped the case back
    # to a step done before: engine/runtime/returns.py); it arrived then (created_at).
    returned_by: Mapped[str | None] = mapped_column(String(64))
    # A multi-instance task's item: its place in the list it was made from (0 for the first
    # enterprise of a 免申即享 batch), so siblings are listed in the list's order; None for
    # any other task (and for those mirrored before the column).
    item_index: Mapped[int | None] = mapped_column(Integer)
    # The 统一社会信用代码 its item names (the enterprise a 免申即享 payout pays), which that
    # enterprise's users may follow without reading the list's case; None for any other task.
    credit_code: Mapped[str | None] = mapped_column(String(32))


class Timer(Base):
    """Absolute due times: waiting timer events of instances (rewritten after every command)
    and scheduled starts of processes with a timer start event (no instance yet)."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(128))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime]
    # pending|fired|skipped (a scheduled start whose named case exists: engine/runtime/worker.py)
    status: Mapped[str] = mapped_column(String(16))
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    fired_at: Mapped[datetime | None]


class MessageSubscription(Base):
    """Messages an instance is waiting for, rewritten after every command."""

    __tablename__ = "message_subscriptions"
    __table_args__ = (Index("ix_subscriptions_lookup", "message_name", "business_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str | None] = mapped_column(String(64))


class Event(Base):
    """Append-only, hash-chained per instance: hash = sha256(prev_hash + canonical(event))."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("instance_id", "seq"),
                      Index("ix_events_done", "user", "at"))  # the done list (已办)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]]
    user: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    state_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[Any]]
    unit: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(254))  # for e-mail notifications
    # the office telephone an official document gives beside the person's name (联系人)
    phone: Mapped[str | None] = mapped_column(String(32))
    # 'zh' or 'en': the pages' language at sign-in and the language of the user's e-mails
    # (None: Chinese, the default)
    language: Mapped[str | None] = mapped_column(String(8))
    # an enterprise user's 统一社会信用代码: it reads the cases filed with that code
    credit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    # 常用意见: the user's own list of phrases (engine/org/phrases.py); None: the defaults of
    # their roles
    phrases: Mapped[list[Any] | None]
    # Sessions and API tokens carry the generation they were issued under; signing out
    # everywhere, a new password and deactivation move it on, and so revoke them all.
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    password_changed_at: Mapped[datetime | None]


class SignInFailure(Base):
    """Failed sign-ins counted per user name (``user:`` and the name's SHA-256: a name typed
    by mistake may be a password) and per client address (``addr:`` and the address)."""

    __tablename__ = "sign_in_failures"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int]
    first_at: Mapped[datetime]  # the first failure counted
    locked_until: Mapped[datetime | None]


class RevokedCredential(Base):
    """Sessions and API tokens signed out one by one (their random id), kept until they
    would have expired anyway."""

    __tablename__ = "revoked_credentials"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ConfidentialRead(Base):
    """Who was shown a case's confidential fields, when and through what (the access log
    auditors read; engine/queries/confidential.py). Not part of the hash-chained events:
    reading never changes a case."""

    __tablename__ = "confidential_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    user: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    fields: Mapped[list[Any]]
    via: Mapped[str] = mapped_column(String(32))


class CalendarOverride(Base):
    """Administrator-entered working days / days off for years the package lacks."""

    __tablename__ = "calendar_overrides"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(255))


class CalendarYear(Base):
    """A year whose official schedule an administrator loaded (``kuaiban calendar import``):
    no longer provisional (engine/time/statutory.py), its days in ``calendar_overrides``."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str | None] = mapped_column(String(255))  # the notice it was taken from
    loaded_at: Mapped[datetime | None]  # None: its days were entered before the import existed


class KeptCalendar(Base):
    """The calendar as it stood before a change that turned a day (working or off): replay
    counts an event's deadlines on the calendar in force at its time (engine/audit/calendars.py)."""

    __tablename__ = "calendar_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(index=True)
    overrides_before: Mapped[dict[str, Any]]  # ISO day -> is_workday
    years_before: Mapped[list[Any]]  # the official years then


class CaseCopy(Base):
    """A case copied (抄送) to one user for information, with its read mark (已阅). A copy to
    a unit is one row for each of its users at the time."""

    __tablename__ = "case_copies"
    __table_args__ = (Index("ix_case_copies_user", "username", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(128))  # the unit it was copied to
    copied_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class CaseSequence(Base):
    """One case-number sequence per prefix and year (ZF-2026-000123)."""

    __tablename__ = "case_sequences"
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int]


# The tables themselves, for the plain statements of the command path (engine/runtime/mirror.py,
# engine/audit/chain.py): no unit of work, no autoflush.
INSTANCES = cast(Table, ProcessInstance.__table__)
TASKS = cast(Table, Task.__table__)
CASE_COPIES = cast(Table, CaseCopy.__table__)
TIMERS = cast(Table, Timer.__table__)
SUBSCRIPTIONS = cast(Table, MessageSubscription.__table__)
EVENTS = cast(Table, Event.__table__)
USERS = cast(Table, User.__table__)
CONFIDENTIAL_READS = cast(Table, ConfidentialRead.__table__)


class CalendarVersion(Base):
    """One row (id 1, seeded by its migration) counting changes to ``calendar_overrides``
    (``version``), to the unit directory (``units_version``) and to ``users``
    (``users_version``); every process compares them with the calendar, directory and people
    it keeps (engine/storage/counters.py) so a change made anywhere reaches everyone's next
    command."""

    __tablename__ = "calendar_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int]
    units_version: Mapped[int] = mapped_column(Integer, server_default="0")
    users_version: Mapped[int] = mapped_column(Integer, server_default="0")


CALENDAR_VERSION = cast(Table, CalendarVersion.__table__)


class Notification(Base):
    """One notice to one user (the in-app notification centre; engine/notify). Written in the
    transaction of whatever caused it, never changed afterwards but for ``read_at``."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_unread", "username", "read_at"),  # the bell's count
        Index("ix_notifications_list", "username", "id"),
        Index("ix_notifications_task", "task_id"),  # settling a task's notices once done
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    instance_id: Mapped[int | None]
    task_id: Mapped[str | None] = mapped_column(String(36))
    business_key: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))  # the task's or the procedure's name
    # What it says: a key of the messages' catalogue and its parameters (besides the title
    # and the case number above), rendered when read in the reader's language.
    message_key: Mapped[str | None] = mapped_column(String(64))
    message_params: Mapped[dict[str, Any] | None]
    # The Chinese sentence notices written before keys carried; None since.
    text: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class OutboxEntry(Base):
    """A notification still to go out by e-mail or webhook, written in the same transaction
    as the notification; the worker leases, sends and marks it (engine/notify/delivery.py)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    address: Mapped[str | None] = mapped_column(String(254))  # the e-mail address
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A user's choice for one channel and kind; without a row the default applies
    (engine/notify/kinds.py)."""

    __tablename__ = "notification_preferences"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class TaskReminder(Base):
    """A due-date reminder sent for a task: the key that makes it one per task and kind,
    whichever worker sends it."""

    __tablename__ = "task_reminders"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    sent_at: Mapped[datetime]


class ReminderRound(Base):
    """A working day whose reminder round is complete, so workers stop looking."""

    __tablename__ = "reminder_rounds"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    finished_at: Mapped[datetime]


NOTIFICATIONS = cast(Table, Notification.__table__)
OUTBOX = cast(Table, OutboxEntry.__table__)
TASK_REMINDERS = cast(Table, TaskReminder.__table__)
REMINDER_ROUNDS = cast(Table, ReminderRound.__table__)
class Blob(Base):
    """A file's content, stored once by its SHA-256 in ``blob_chunks`` (content-addressed:
    the same file attached to many cases is stored once)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunks: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class BlobChunk(Base):
    """One piece of a blob (engine/files/blobs.py CHUNK bytes, the last one shorter), so a
    download reads and sends one piece at a time."""

    __tablename__ = "blob_chunks"
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    """A file of a case: uploaded in a form field (``field``), to the case itself, or an
    official document the engine issued (``document``, ``doc_no``). ``seq`` is the event
    that recorded it (its sha256, name, size and type are in that event's payload)."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_sha256", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    seq: Mapped[int]
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128))
    field: Mapped[str | None] = mapped_column(String(128))
    task_id: Mapped[str | None] = mapped_column(String(36))
    document: Mapped[str | None] = mapped_column(String(64))  # the template's key
    doc_no: Mapped[str | None] = mapped_column(String(64))  # 文号
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class DocumentSequence(Base):
    """One 文号 sequence per prefix (the kind of document) and year: 景纪交〔2026〕12号."""

    __tablename__ = "document_sequences"
    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int]
BLOB_CHUNKS = cast(Table, BlobChunk.__table__)
ATTACHMENTS = cast(Table, Attachment.__table__)


class OrgUnit(Base):
    """One entry of the unit directory (engine/org/directory.py), loaded from the city's
    data file; tasks and users name units by ``name``."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    aliases: Mapped[list[Any]]
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[Any]]
    fields: Mapped[list[Any]]
    # the 发文代字 of its official documents' numbers (engine/files/documents.py)
    doc_code: Mapped[str] = mapped_column(String(16), default="", server_default="")
    position: Mapped[int]  # the order of the data file


UNITS = cast(Table, OrgUnit.__table__)


class CaseSearch(Base):
    """The search text and subject of a case (engine/runtime/search_text.py). Its text index
    is not declared here, being each database's own: on SQLite the FTS5 table ``case_search_fts``
    (trigram tokenizer, kept in step by triggers), on PostgreSQL the GIN index
    ``ix_case_search_trgm`` (pg_trgm); migration e5c7d9a1b3f4 makes them."""

    __tablename__ = "case_search"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), primary_key=True,
                                             autoincrement=False)
    body: Mapped[str] = mapped_column(Text)
    # the case's subject (事由, engine/runtime/case_subject.py), shown beside its tasks
    subject: Mapped[str | None] = mapped_column(String(255))


CASE_SEARCH = cast(Table, CaseSearch.__table__)


class CaseCreditCode(Base):
    """The 统一社会信用代码 a case was filed with (its data's ``credit_code``), so that an
    enterprise's cases are found by index (engine/queries/visibility.py); written by the
    command that gives or changes it (engine/runtime/case_credit_codes.py). NULL: the case had
    one and no longer has."""

    __tablename__ = "case_credit_codes"
    __table_args__ = (Index("ix_case_credit_codes_code", "credit_code", "instance_id"),)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), primary_key=True,
                                             autoincrement=False)
    credit_code: Mapped[str | None] = mapped_column(String(32), index=True)


CASE_CREDIT_CODES = cast(Table, CaseCreditCode.__table__)


class TaskDraft(Base):
    """暂存: what a user typed into an open task's form and saved to finish later; one per
    task and user, private to them (engine/runtime/drafts.py). Not a case event: no part of
    the history or the hash chain. Deleted when the task is completed or cancelled, or
    leaves its author."""

    __tablename__ = "task_drafts"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


TASK_DRAFTS = cast(Table, TaskDraft.__table__)
