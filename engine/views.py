"""Read-only views returned by the engine's public API (plain dataclasses, JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from engine.messages import Msg, notices
from engine.time.calendar import TZ


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value is not None else None


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    process_key: str
    business_key: str | None
    name: str
    title: str
    role: str | None
    unit: str | None
    assignee: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    form_key: str | None
    completed_at: datetime | None = None
    completed_by: str | None = None
    owner: str | None = None  # whom a delegated or co-signed task returns to
    signers: tuple[str, ...] = ()  # co-signers still to sign after the assignee
    urged_count: int = 0
    urged_at: datetime | None = None
    returned_by: str | None = None  # who sent it back to be done again (退回), when it came
    subject: str | None = None  # its case's subject (事由), where the list reads it

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["signers"] = list(self.signers)
        for key in ("created_at", "due_at", "completed_at", "urged_at"):
            out[key] = _iso(out[key])
        return out


@dataclass(frozen=True)
class DraftView:
    """A user's 暂存 of a task's form: the fields as saved (no files), and when;
    ``claimed``: saving it claimed the task from the pool for its author."""

    task_id: str
    data: dict[str, Any]
    saved_at: datetime
    claimed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "data": self.data, "saved_at": _iso(self.saved_at)}


@dataclass(frozen=True)
class ProcessView:
    key: str
    version: int
    name: str
    start_form_key: str | None
    deployed_at: datetime

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["deployed_at"] = _iso(self.deployed_at)
        return out


@dataclass(frozen=True)
class VersionSummary:
    """One deployed version as its procedure's designers review it: who deployed it (None:
    the operator, or a version from before deploys were recorded) and its cases."""

    version: int
    name: str
    deployed_at: datetime
    deployed_by: str | None  # username
    deployer_name: str | None  # their display name (the username if the user is gone)
    open_cases: int
    finished_cases: int

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["deployed_at"] = _iso(self.deployed_at)
        return out


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_key: str
    version: int
    business_key: str | None
    status: str
    revision: int
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    tasks: list[TaskView] = field(default_factory=list)
    subject: str | None = None  # its subject (事由), when read to be shown
    # a completion's ticked urging boxes (x-urges): field -> the tasks urged (none: empty)
    urged: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = _iso(self.created_at)
        out["updated_at"] = _iso(self.updated_at)
        out["tasks"] = [t.as_json() for t in self.tasks]
        return out


@dataclass(frozen=True)
class EventView:
    seq: int
    type: str
    task_id: str | None
    payload: dict[str, Any]
    user: str | None
    at: datetime
    state_digest: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = _iso(self.at)
        return out


@dataclass(frozen=True)
class TimerView:
    id: int
    instance_id: int | None
    process_key: str
    element_id: str
    due_at: datetime
    status: str

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["due_at"] = _iso(self.due_at)
        return out


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str | None
    generation: int = 0  # of the user's sessions and tokens (engine/org/accounts.py)
    # The units whose tasks the user acts on (their unit, and the body an office works in)
    # and the units whose cases a supervising role reads (None: the whole city); both from
    # the unit directory (engine/org/scope.py).
    units: tuple[str, ...] = ()
    reach: frozenset[str] | None = None
    credit_code: str | None = None  # an enterprise's 统一社会信用代码 (engine/org/users.py)
    language: str | None = None  # the language the user chose, 'zh' or 'en' (None: not yet)

    def has_role(self, role: str | None) -> bool:
        return role is not None and role in self.roles


@dataclass(frozen=True)
class NotificationView:
    """One notice. ``said``: what it says, a catalogue key and its parameters (with its title
    and case number), rendered by :meth:`text_in` in the reader's language; None for a notice
    written before keys, which says ``stored_text`` (Chinese) in every language."""

    id: int
    username: str
    kind: str
    instance_id: int | None
    task_id: str | None
    business_key: str | None
    title: str
    said: Msg | None
    stored_text: str | None
    actor: str | None
    created_at: datetime
    read_at: datetime | None
    # its case's subject (事由), while the reader may still read the case (a notice outlives
    # the reader's part in it: a task handed on, a copy withdrawn)
    subject: str | None = None
    # who caused it as staff see them: 姓名（单位） where the sender has a unit (``actor``
    # stays the username)
    actor_name: str | None = None

    @property
    def read(self) -> bool:
        return self.read_at is not None

    def text_in(self, language: str) -> str:
        if self.said is None:
            return self.stored_text or ""
        return notices.render(self.said, language)

    def as_json(self, language: str = notices.DEFAULT_LANGUAGE) -> dict[str, Any]:
        """``text`` in ``language``; ``message``: its key and parameters (None before keys),
        for a client that says it in its own words."""
        out = {name: value for name, value in asdict(self).items()
               if name not in ("said", "stored_text")}
        out["text"] = self.text_in(language)
        out["message"] = None if self.said is None else {"key": self.said.key,
                                                         "params": dict(self.said.params)}
        out["created_at"] = _iso(self.created_at)
        out["read_at"] = _iso(self.read_at)
        out["read"] = self.read
        return out


@dataclass(frozen=True)
class AttachmentView:
    """A file of a case: from a form field (``field``), attached to the case, or an official
    document (``document`` is its template, ``doc_no`` its 文号)."""

    id: int
    instance_id: int
    seq: int  # the event that recorded it
    sha256: str
    name: str
    size: int
    media_type: str
    field: str | None
    task_id: str | None
    document: str | None
    doc_no: str | None
    uploaded_by: str | None
    uploaded_at: datetime

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["uploaded_at"] = _iso(self.uploaded_at)
        out["url"] = f"/api/v1/attachments/{self.sha256}?instance={self.instance_id}"
        return out


@dataclass(frozen=True)
class OutboxView:
    """An outbox entry not delivered yet (status pending) or given up (status failed)."""

    id: int
    notification_id: int
    channel: str
    username: str
    kind: str
    address: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["next_attempt_at"] = _iso(self.next_attempt_at)
        out["created_at"] = _iso(self.created_at)
        return out


@dataclass(frozen=True)
class TemplateView:
    """A document template a case may issue."""

    key: str
    title: str
    prefix: str
    description: str
    ready: bool = True  # the case has reached the point where it may be issued
    when_text: str = ""  # that point, in words
    issued: tuple[str, ...] = ()  # the 文号 of those the case has already, in order

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CopyView:
    """A case copied to me (抄送), with its read mark (已阅)."""

    id: int
    instance_id: int
    business_key: str | None
    process_name: str
    status: str
    copied_by: str
    unit: str | None
    created_at: datetime
    read_at: datetime | None
    subject: str | None = None  # the case's subject (事由)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("created_at", "read_at"):
            out[key] = _iso(out[key])
        return out


@dataclass(frozen=True)
class MovedDeadline:
    """An open task whose due date a calendar change moved (engine/runtime/deadlines.py)."""

    instance_id: int
    business_key: str | None
    task_id: str
    title: str
    was: datetime
    now: datetime

    def as_json(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "business_key": self.business_key,
                "task_id": self.task_id, "title": self.title, "from": _iso(self.was),
                "to": _iso(self.now)}


@dataclass(frozen=True)
class CalendarChange:
    """What a calendar change did: the days it turned (working or off), and the open tasks'
    due dates and the waiting timers that followed."""

    changed_days: list[date]
    moved: list[MovedDeadline]
    moved_timers: list[MovedDeadline] = field(default_factory=list)
