"""Who holds a task: 转办 transfer, 委派 delegate, 加签 co-signers, and 催办 urges.

None of these changes the workflow: each changes the task table and appends an event to the
case's chain (replay skips it; ``kuaiban verify`` chains it). A delegated or co-signed task
keeps its holder as ``owner`` while someone else works a part of it: the delegate's or
co-signer's "complete" records their part (``resolved`` / ``signed``) and hands the task on
to the next co-signer, then back to the owner, who completes the step itself. Co-signers
signing in parallel see the task in their inboxes while the holder keeps it (owner and
assignee both the holder); the holder completes once every one has signed. A form's box
that urges (``x-urges``) urges as 催办 does, when its task is completed ticked.

A task is handed only within its area: one worked in a county-level division (its unit's, else
its case's jurisdiction's) goes only to that division's units and people, so a county's case
never reaches another county; a city-level task to any unit of the city, as a city clue goes
down to a county's 纪委监委 (engine/org/scope.py ``county_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions import form_urges
from engine.errors import Conflict, NotFound, PermissionDenied, refused
from engine.messages import Msg, msg
from engine.notify import emit, recipients
from engine.org import directory, people, users
from engine.org.scope import JURISDICTION, county_of
from engine.runtime import mirror
from engine.runtime.locking import (
    bump,
    check_may_work,
    check_revision,
    flush,
    open_task,
    signs_in_parallel,
)
from engine.storage.schema import TASKS, USERS, ProcessInstance
from engine.views import UserView

# 催办: the supervising roles and the leaders (engine/org/roles.py).
URGERS = frozenset({"case_manager", "supervision_office", "reform_group", "approver",
                    "city_leader"})
REASON_MAX = 2000


def reason_text(reason: str | None, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise refused("reason", msg("handover.reason_missing"))
    if len(text) > REASON_MAX:
        raise refused("reason", msg("handover.reason_too_long", limit=REASON_MAX))
    return text


def record(session: Session, row: ProcessInstance, kind: str, now: datetime,
           payload: dict[str, Any], user: UserView, task_id: str | None = None) -> None:
    """One event that leaves the workflow as it is, and the case's next revision."""
    row.updated_at = now
    bump(session, row)
    chain.append(session, row, kind, now, chain.digest_of_row(row), payload, user.username,
                 task_id)
    mirror.forget_open_tasks(session, row.id)
    flush(session)


def _held(session: Session, task_id: str, user: UserView, revision: int | None,
          what: Msg) -> tuple[Any, ProcessInstance]:
    """The open task ``user`` holds (claimed, or unclaimed in their pool) and its case."""
    task_row, row, _ = open_task(session, task_id)
    check_may_work(task_row, user)
    if task_row.assignee not in (None, user.username):
        raise Conflict(msg("handover.task_claimed", what=what,
                           **users.named(session, "assignee", task_row.assignee)))
    if task_row.owner is not None:
        raise Conflict(msg("handover.task_delegated", what=what,
                           **users.named(session, "assignee", task_row.assignee)))
    check_revision(row, revision)
    return task_row, row


def _user(session: Session, username: str, field: str) -> UserView:
    try:
        return users.get(session, username)
    except NotFound:
        raise refused(field, msg("users.no_such_user", username=username)) from None


def _named(target: UserView) -> dict[str, str]:
    """A refusal's parameters naming the person handed to: as staff see them, and by
    username for callers that read it."""
    return {"name": people.shown(target.display_name, target.unit), "username": target.username}


def _set(session: Session, task_id: str, **values: Any) -> None:
    session.connection().execute(update(TASKS).where(TASKS.c.id == task_id).values(**values))


def _hand(session: Session, now: datetime, task_id: str, **values: Any) -> None:
    """The task changes hands: the notices of those it leaves are settled, their drafts
    deleted."""
    _set(session, task_id, **values)
    mirror.task_moved(session, task_id, now)


def transfer(session: Session, now: datetime, task_id: str, user: UserView,
             to_user: str | None, to_unit: str | None, reason: str | None,
             revision: int | None = None) -> ProcessInstance:
    """转办: the task goes to another user, or to the pool of another unit, of its role."""
    if (to_user is None) == (to_unit is None):
        raise refused("to", msg("handover.transfer_target"))
    text = reason_text(reason)
    task_row, row = _held(session, task_id, user, revision, msg("verb.transfer"))
    if to_user is not None:
        target = _user(session, to_user, "to")
        if target.username == user.username:
            raise refused("to", msg("handover.transfer_self"))
        _check_person_within(session, task_row.unit, row, target)
        if task_row.role is not None and not target.has_role(task_row.role):
            raise refused("to", msg("handover.target_lacks_role", **_named(target)))
        if task_row.unit is not None and target.unit is None:
            raise refused("to", msg("handover.target_without_unit", **_named(target)))
        unit = target.unit if task_row.unit is not None else None
        _hand(session, now, task_id, assignee=target.username, unit=unit)
    else:
        unit = directory_name(session, to_unit or "", "to_unit")
        found = directory.load(session)
        county = task_county(found, task_row.unit, row)
        if county is not None and county_of(found, unit) != county:
            raise refused("to_unit", msg("handover.unit_outside_county", unit=unit,
                                         county=county.name))
        if not _has_people(session, task_row.role, unit):
            raise refused("to_unit", msg("handover.unit_lacks_role", unit=unit))
        _hand(session, now, task_id, assignee=None, unit=unit)
    payload = {"task_id": task_id, "element_id": task_row.element_id, "to": to_user,
               "to_unit": unit, "from": task_row.assignee, "from_unit": task_row.unit,
               "reason": text}
    record(session, row, "transferred", now, payload, user, task_id)
    emit.notify(session, "transferred", recipients.task_recipients(session, task_id),
                said=msg("notice.transferred", by=user.display_name, reason=text),
                instance_id=row.id,
                task_id=task_id, actor=user.username, at=now)
    return row


def directory_name(session: Session, text: str, field: str) -> str:
    """The directory's name of the unit ``text`` names (units are never free text); an
    unknown one is a field error naming the closest. Taken as given with no directory loaded
    (a bare test database)."""
    found = directory.load(session)
    if not found:
        return text.strip()
    unit = found.find(text)
    if unit is None:
        raise refused(field, directory.unknown_message(text.strip(), found.closest(text)))
    return unit.name


def units_offered(session: Session, task_id: str) -> list[directory.Unit]:
    """The units 转办 offers for the task, in the directory's order: those with an active
    user of its role, within its area."""
    task = _task(session, task_id)
    if task is None:
        return []
    role, county, found = task
    query = select(USERS.c.unit, USERS.c.roles).where(USERS.c.active.is_(True),
                                                     USERS.c.unit.isnot(None))
    staffed = {r.unit for r in session.connection().execute(query)
               if role is None or role in (r.roles or ())}
    return [u for u in found.units
            if u.name in staffed and (county is None or county_of(found, u.name) == county)]


def people_offered(session: Session, task_id: str, actor: UserView) -> list[people.Person]:
    """Whom 转办, 委派 and 加签 offer for the task: the active users of its role acting for
    ``actor``'s units (the rule of a form's ``x-user`` with ``same_unit``) within its area,
    ``actor`` left out."""
    task = _task(session, task_id)
    if task is None:
        return []
    role, county, found = task
    spec = {"roles": [role] if role else [], "same_unit": True}
    return [p for p in people.candidates(session, spec, actor) if p.username != actor.username
            and (county is None or county_of(found, p.unit) == county)]


def _task(session: Session, task_id: str
          ) -> tuple[str | None, directory.Unit | None, directory.Directory] | None:
    """The task's role and county-level division, and the directory (None: no such task)."""
    task = session.execute(select(TASKS.c.role, TASKS.c.unit, TASKS.c.instance_id)
                           .where(TASKS.c.id == task_id)).first()
    row = None if task is None else session.get(ProcessInstance, task.instance_id)
    if task is None or row is None:
        return None
    found = directory.load(session)
    return task.role, task_county(found, task.unit, row), found


def task_county(found: directory.Directory, task_unit: str | None,
                row: ProcessInstance) -> directory.Unit | None:
    """The county-level division a task is worked in: its unit's, else its case's
    jurisdiction's; None for a city-level task (or no directory loaded)."""
    place = task_unit or (row.data or {}).get(JURISDICTION)
    return county_of(found, place if isinstance(place, str) else None)


def _check_person_within(session: Session, task_unit: str | None, row: ProcessInstance,
                         target: UserView) -> None:
    """A county's task goes only to someone of that county (not to a user without a unit,
    who is nobody's in particular)."""
    found = directory.load(session)
    county = task_county(found, task_unit, row)
    if county is not None and county_of(found, target.unit) != county:
        raise refused("to", msg("handover.outside_county", county=county.name,
                                **_named(target)))


def _has_people(session: Session, role: str | None, unit: str) -> bool:
    if not unit:
        return False
    query = select(USERS.c.roles).where(USERS.c.active.is_(True), USERS.c.unit == unit)
    if role is not None:
        query = query.where(cast(USERS.c.roles, String).like(f'%"{role}"%'))
    return any(role is None or role in r.roles for r in session.connection().execute(query))


def delegate(session: Session, now: datetime, task_id: str, user: UserView, to_user: str,
             reason: str | None, revision: int | None = None) -> ProcessInstance:
    """委派: ``to_user`` works the task; it then comes back to ``user`` to confirm."""
    text = reason_text(reason, required=False)
    task_row, row = _held(session, task_id, user, revision, msg("verb.delegate"))
    target = _user(session, to_user, "to")
    if target.username == user.username:
        raise refused("to", msg("handover.delegate_self"))
    _check_person_within(session, task_row.unit, row, target)
    _hand(session, now, task_id, assignee=target.username, owner=user.username, signers=None)
    record(session, row, "delegated", now, {"task_id": task_id, "to": target.username,
                                            "reason": text}, user, task_id)
    emit.notify(session, "delegated", [target.username],
                said=msg("notice.delegated", by=user.display_name, reason=text),
                instance_id=row.id, task_id=task_id, actor=user.username, at=now)
    return row


def add_signer(session: Session, now: datetime, task_id: str, user: UserView, to_user: str,
               reason: str | None, revision: int | None = None,
               parallel: bool = False) -> ProcessInstance:
    """加签: ``to_user`` signs the step before it completes. Sequential co-signers sign one
    after another in the order added; parallel ones all at once; then the task is the
    holder's again."""
    text = reason_text(reason, required=False)
    task_row, row, _ = open_task(session, task_id)
    check_revision(row, revision)
    signing = task_row.signers is not None and task_row.owner == user.username
    if not signing:
        task_row, row = _held(session, task_id, user, revision, msg("verb.add_signer"))
    elif parallel != (task_row.owner == task_row.assignee):
        raise Conflict(msg("cosign.sequential_now" if parallel else "cosign.parallel_now"))
    queue = [*(task_row.signers or ())]
    target = _user(session, to_user, "to")
    if target.username == user.username or target.username in (*queue, task_row.assignee):
        raise refused("to", msg("handover.already_signer", **_named(target)))
    _check_person_within(session, task_row.unit, row, target)
    if signing:
        _hand(session, now, task_id, signers=[*queue, target.username])
    elif parallel:
        _hand(session, now, task_id, assignee=user.username, owner=user.username,
             signers=[target.username])
    else:
        _hand(session, now, task_id, assignee=target.username, owner=user.username, signers=[])
    record(session, row, "signer_added", now, {"task_id": task_id, "signer": target.username,
                                               "parallel": parallel, "reason": text},
           user, task_id)
    emit.notify(session, "delegated", [target.username],
                said=msg("notice.signer_added", by=user.display_name, reason=text),
                instance_id=row.id, task_id=task_id, actor=user.username, at=now)
    return row


def finish_part(session: Session, now: datetime, task_row: Any, row: ProcessInstance,
                data: Mapping[str, Any], user: UserView) -> ProcessInstance:
    """The delegate's or a co-signer's "complete": their part is recorded with what they
    entered, and the task goes to the next co-signer or back to its owner."""
    queue = task_row.signers
    kind = "resolved" if queue is None else "signed"
    if signs_in_parallel(task_row, user.username):
        left = [name for name in queue if name != user.username]
        _hand(session, now, task_row.id, signers=left or None,
              owner=task_row.owner if left else None)
        back_to, queue = task_row.owner, []
    elif queue:
        _hand(session, now, task_row.id, assignee=queue[0], signers=queue[1:])
        back_to = queue[0]
    else:
        _hand(session, now, task_row.id, assignee=task_row.owner, owner=None, signers=None)
        back_to = task_row.owner
    record(session, row, kind, now, {"task_id": task_row.id, "data": dict(data)}, user,
           task_row.id)
    emit.notify(session, "delegated", [back_to],
                said=msg("notice.resolved" if kind == "resolved" else
                         "notice.signed_next" if queue else "notice.signed",
                         by=user.display_name),
                instance_id=row.id, task_id=task_row.id, actor=user.username, at=now)
    return row


def urge(session: Session, now: datetime, task_id: str, user: UserView, note: str | None,
         revision: int | None = None) -> ProcessInstance:
    """催办: a supervisor presses whoever holds an open task."""
    if user.username != "system" and not URGERS & set(user.roles):
        raise PermissionDenied(msg("urge.supervisors_only"))
    text = reason_text(note, required=False)
    task_row, row, _ = open_task(session, task_id)
    check_revision(row, revision)
    _press(session, now, row, task_row, user, {"task_id": task_id, "note": text})
    return row


def _press(session: Session, now: datetime, row: ProcessInstance, task_row: Any,
           user: UserView, payload: dict[str, Any]) -> None:
    """One 催办 of an open task: its count, the case's "urged" event, a notice to whoever
    sees the task."""
    task_id = task_row.id
    _set(session, task_id, urged_count=(task_row.urged_count or 0) + 1, urged_at=now)
    record(session, row, "urged", now, payload, user, task_id)
    emit.notify(session, "urged", recipients.task_recipients(session, task_id),
                said=msg("notice.urged", by=user.display_name, reason=payload["note"]),
                instance_id=row.id, task_id=task_id, actor=user.username, at=now)


def urge_on_completion(session: Session, now: datetime, row: ProcessInstance,
                       schema: Mapping[str, Any] | None, data: Mapping[str, Any],
                       user: UserView, done: Any) -> dict[str, list[str]]:
    """The urging boxes (``x-urges``, engine/definitions/form_urges.py) ticked in the form
    that completed the task ``done``: each urges the case's open tasks (of its role), saying
    the step and its note field's text. The diagram grants it: whoever does the step urges.
    Field -> the ids of the tasks it urged; an empty list says none was open to urge."""
    urged: dict[str, list[str]] = {}
    for urging in form_urges.urgings(schema):
        if data.get(urging.field) is not True:
            continue
        said = str(data.get(urging.note) or "").strip() if urging.note else ""
        note = f"{done.name}：{said}" if said else done.name
        if len(note) > REASON_MAX:
            note = note[:REASON_MAX - 1] + "…"
        targets = [t for t in mirror.open_rows(session, row.id)
                   if urging.role is None or t.role == urging.role]
        for target in targets:
            _press(session, now, row, target, user,
                   {"task_id": target.id, "note": note, "by_task": done.id})
        urged[urging.field] = [t.id for t in targets]
    return urged
