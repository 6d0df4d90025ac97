"""Writing notices: the centre's rows and their outbox entries, in the caller's transaction,
so a notice exists exactly when what caused it was committed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.files.chinese import yuan
from engine.messages import Msg, msg
from engine.messages.notices import stored
from engine.notify.kinds import check_kind, default
from engine.notify.recipients import applicants, who_sees
from engine.notify.settings import Settings
from engine.queries import subjects
from engine.queries.worklists import PAID, outcome_of
from engine.storage import driver
from engine.storage.schema import (
    NOTIFICATIONS,
    OUTBOX,
    TASKS,
    USERS,
    NotificationPreference,
    ProcessInstance,
    ProcessVersion,
)

CONTEXT = "kuaiban_notify"  # session.info key: the engine's Context (engine/api/core.py sets it)
_ARRIVALS = "kuaiban_arrivals"  # session.info key: (kind, message, actor) for new tasks
SUPPLEMENT = "notice.supplement"  # 退回补正: told with its own kind
NOBODY = frozenset({"system"})
# built once: every command that makes a task writes notices
_INSERT = insert(NOTIFICATIONS).returning(NOTIFICATIONS.c.id, sort_by_parameter_order=True)
_INSERT_PLAIN = driver.Write(insert(NOTIFICATIONS))


class Context(Protocol):
    """What writing a notice needs from the engine: its settings and its clock."""

    @property
    def settings(self) -> Settings: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Notice:
    username: str
    instance_id: int | None
    task_id: str | None
    business_key: str | None
    title: str
    said: Msg  # without the title and case number (engine/messages/notices.py)
    actor: str | None = None


def settings_of(session: Session) -> Settings:
    context: Context | None = session.info.get(CONTEXT)
    # a session outside Engine.transaction (none in the product): the environment's settings
    return context.settings if context is not None else Settings.from_env()


def notify(session: Session, kind: str, recipients: Iterable[str], *, said: Msg,
           instance_id: int | None = None, task_id: str | None = None,
           actor: str | None = None, at: datetime | None = None) -> list[int]:
    """Tell ``recipients`` (user names) about ``kind`` in the caller's transaction: one
    notification each in the centre, and an outbox entry for each outside channel the user
    wants for ``kind``. ``said``: what it says, a key of engine/messages/catalogue_notices.py
    (rendered when read, in the reader's language); the case number and title come from the
    task (or the instance) and are its parameters ``business_key`` and ``title`` too.
    Unknown and inactive users and "system" are skipped. Returns the notifications' ids."""
    check_kind(kind)
    if at is None:
        context: Context | None = session.info.get(CONTEXT)
        if context is None:
            raise ValueError("notify() outside an engine transaction needs at=")
        at = context.now()
    business_key, title = _subject(session, instance_id, task_id)
    notices = [Notice(name, instance_id, task_id, business_key, title, said, actor)
               for name in dict.fromkeys(recipients)]
    return write(session, kind, notices, at)


def write(session: Session, kind: str, notices: Sequence[Notice], at: datetime,
          users_known: bool = False) -> list[int]:
    """The rows for ``notices`` of one kind (the common path of every notice); their ids.
    ``users_known``: the recipients come from :func:`who_sees` in this transaction (users of
    the task's role and unit, or its assignee), so while no outside channel is on they need
    no second look, and no ids are returned (the caller does not ask)."""
    names = sorted({n.username for n in notices} - NOBODY)
    if not names:
        return []
    conn = session.connection()
    channels = settings_of(session).channels
    if users_known and not channels:  # the common path of every command that makes tasks
        emails: dict[str, str | None] = dict.fromkeys(names)
    else:
        found = conn.execute(select(USERS.c.username, USERS.c.email).where(
            USERS.c.username.in_(names), USERS.c.active.is_(True)))
        emails = {row.username: row.email for row in found}
    notices = [n for n in notices if n.username in emails]
    if not notices:
        return []
    rows = [{"username": n.username, "kind": kind, "instance_id": n.instance_id,
             "task_id": n.task_id, "business_key": n.business_key, "title": n.title[:255],
             "message_key": key, "message_params": params, "text": None, "actor": n.actor,
             "created_at": at, "read_at": None}
            for n in notices for key, params in (stored(n.said),)]
    if users_known and not channels:
        _INSERT_PLAIN.run(session, rows)
        return []
    ids = list(conn.execute(_INSERT, rows).scalars())
    if channels:
        wanted = _choices(session, list(emails), kind)
        entries = [
            {"notification_id": nid, "channel": channel,
             "address": emails[n.username] if channel == "email" else None,
             "status": "pending", "attempts": 0, "next_attempt_at": at, "lease_until": None,
             "leased_by": None, "last_error": None, "created_at": at, "sent_at": None}
            for nid, n in zip(ids, notices, strict=True) for channel in channels
            if wanted.get((n.username, channel), default(channel, kind))
            and (channel != "email" or emails[n.username])
        ]
        if entries:
            conn.execute(insert(OUTBOX), entries)
    return ids


def arrivals_as(session: Session, kind: str, said: Msg | None = None,
                actor: str | None = None) -> None:
    """For the rest of this transaction, tell the people of new tasks ``kind`` (saying
    ``said`` instead of the usual message) instead of ``task_arrived``: a command that sends a
    case back or hands a task on says so once, not as a new task besides."""
    session.info[_ARRIVALS] = (check_kind(kind), said, actor)


def tasks_arrived(session: Session, instance: ProcessInstance,
                  tasks: Sequence[Mapping[str, Any]], now: datetime,
                  by: str | None = None) -> None:
    """"A task arrived in my inbox", for new task rows (engine/runtime/mirror.py). ``by``:
    the user whose command made them, who is not told: they caused it and are looking at
    it (the clerk who registers a clue and keeps its next step)."""
    kind, said, actor = session.info.get(_ARRIVALS, ("task_arrived", None, None))
    people = who_sees(session, tasks)
    write(session, kind, [
        Notice(name, instance.id, task["id"], instance.business_key, task["name"],
               said or _arrived(task["due_at"]), actor)
        for task in tasks for name in people[task["id"]] if name != by], now,
        users_known=True)


def _arrived(due_at: datetime | None) -> Msg:
    if due_at is None:
        return msg("notice.task_arrived")
    return msg("notice.task_arrived_due", due_at=due_at)


def decided(session: Session, instance: ProcessInstance, process_name: str,
            now: datetime, said: Msg | None = None) -> None:
    """"My application was decided", to its applicants (recipients.py ``applicants``); sent
    back for supplements (退回补正) is a notice of its own kind (补正通知). ``said``: what
    they are told instead of the recorded outcome (a case ended by 终止, with its reason)."""
    said = said or _decision(instance.data)
    kind = "supplement" if said.key == SUPPLEMENT else "decided"
    write(session, kind, [
        Notice(name, instance.id, None, instance.business_key, process_name, said)
        for name in applicants(session, instance.started_by, instance.data)], now)


def _decision(data: Mapping[str, Any]) -> Msg:
    """What the applicant is told: the outcome the procedure recorded (不予兑现, with the
    amount for 已兑付), so that a notice answers before its case is opened; without one
    (a case ended otherwise), that there is a result."""
    found = outcome_of(data)
    if found.supplement is not None:
        return msg(SUPPLEMENT, items=found.supplement)
    if found.outcome is None:
        approved = data.get("approved_amount")
        if data.get("decision") == "approve" and isinstance(approved, int | float) \
                and not isinstance(approved, bool):  # approved, to be paid
            if found.reduced is not None:
                return msg("notice.decided_reduced", amount=yuan(approved),
                           requested=yuan(found.reduced.requested),
                           reason=found.reduced.reason or "")
            return msg("notice.decided_approved", amount=yuan(approved))
        return msg("notice.decided")
    if found.untrue is not None and found.untrue.record_no:
        return msg("notice.credit_recorded", dept=found.untrue.credit_dept,
                   record_no=found.untrue.record_no)
    if found.untrue is not None:
        return msg("notice.decided_untrue", dept=found.untrue.credit_dept)
    if found.paid_amount is not None:
        return msg("notice.decided_paid", outcome=found.outcome, amount=yuan(found.paid_amount))
    return msg("notice.decided_as", outcome=found.outcome)


def paid(session: Session, instance: ProcessInstance, version: LoadedVersion, element: str,
         submitted: Mapping[str, Any], now: datetime) -> None:
    """``notify`` = ``paid`` on a multi-instance task that pays one enterprise of a list
    (免申即享's 兑付资金并通知企业): the users of the enterprise its item names (by its
    统一社会信用代码: the form's submitted item, its read-only facts filled in from the task,
    forms.with_own_facts) hear what was paid. They do not read the list's case, which names
    the other enterprises: the notice names the case and opens their own payout of it
    (engine/queries/own_payouts.py)."""
    if _property(version, element, "notify") != "paid":
        return
    policy = subjects.of_cases(session, [instance.id]).get(instance.id) or version.name
    for entry in submitted.values():
        amount = entry.get(PAID) if isinstance(entry, Mapping) else None
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            continue
        said = msg("notice.paid", policy=policy, amount=yuan(amount))
        write(session, "decided", [
            Notice(name, instance.id, None, instance.business_key, version.name, said)
            for name in applicants(session, None, entry)], now)


def _choices(session: Session, names: list[str], kind: str) -> dict[tuple[str, str], bool]:
    rows = session.execute(select(NotificationPreference.username,
                                  NotificationPreference.channel, NotificationPreference.enabled)
                           .where(NotificationPreference.username.in_(names),
                                  NotificationPreference.kind == kind))
    return {(r.username, r.channel): r.enabled for r in rows}


def _subject(session: Session, instance_id: int | None, task_id: str | None
             ) -> tuple[str | None, str]:
    """(case number, title) of a notice about a task or a case."""
    conn = session.connection()
    if task_id is not None:
        row = conn.execute(select(TASKS.c.business_key, TASKS.c.name)
                           .where(TASKS.c.id == task_id)).first()
        if row is not None:
            return row.business_key, row.name
    if instance_id is not None:
        case = conn.execute(select(ProcessInstance.business_key, ProcessVersion.name)
                            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
                            .where(ProcessInstance.id == instance_id)).first()
        if case is not None:
            return case.business_key, case.name
    return None, "快办"


def after_step(session: Session, instance: ProcessInstance, version: LoadedVersion,
               passed: Sequence[str], now: datetime) -> None:
    """The notices a diagram asks for at the elements a command passed: the camunda property
    ``notify`` = ``decided`` on an element (a subsidy's recorded decision) tells the applicant."""
    if any(_property(version, element, "notify") == "decided" for element in passed):
        decided(session, instance, version.name, now)


def _property(version: LoadedVersion, element: str, name: str) -> str | None:
    for spec in (version.spec, *version.subprocess_specs.values()):
        task_spec = spec.task_specs.get(element)
        if task_spec is not None:
            extensions: dict[str, str] | None = getattr(task_spec, "extensions", None)
            child = getattr(task_spec, "task_spec", None)  # a multi-instance task's own task
            if extensions is None and isinstance(child, str) and child in spec.task_specs:
                extensions = getattr(spec.task_specs[child], "extensions", None)
            return (extensions or {}).get(name)
    return None
