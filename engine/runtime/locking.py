"""What every command on a case does first and last: lock the instance (and find the open
task it works on), check the revision the caller saw and who may work a task; bump the
revision once per command, and turn a lost race at flush into a Conflict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine.errors import Conflict, NotFound, PermissionDenied
from engine.messages import msg
from engine.org import scope, users
from engine.org.roles import role_name
from engine.runtime import task_traces
from engine.storage import counters, driver
from engine.storage.schema import INSTANCES, TASKS, ProcessInstance
from engine.views import UserView


def locked_instance(session: Session, instance_id: int, revision: int | None) -> ProcessInstance:
    """The instance row, locked for this command (PostgreSQL: FOR UPDATE; SQLite already holds
    the write lock), so commands on one case run one after another and see each other."""
    row = _locked(session, instance_id)
    if row is None:
        raise NotFound(msg("instance.not_found", instance_id=instance_id))
    check_revision(row, revision)
    return row


def check_revision(row: ProcessInstance, revision: int | None) -> None:
    if revision is not None and row.revision != revision:
        raise Conflict(
            msg("case.revision_changed", instance_id=row.id, revision=row.revision, yours=revision)
        )


_LOCK_ROW = driver.Read(select(INSTANCES, *counters.COLUMNS)
                        .where(INSTANCES.c.id == bindparam("id")).with_for_update(of=INSTANCES))


def _locked(session: Session, instance_id: int) -> ProcessInstance | None:
    """Read as a plain row and handed to the session as loaded (the ORM's loading cost more
    than the statement), unless the session holds the instance already: the ORM refreshes
    it then, checking the revision it had."""
    if not _held(session, instance_id):
        found = _LOCK_ROW.rows(session, {"id": instance_id})
        return _as_locked(session, found[0]._mapping) if found else None
    return _refreshed(session, instance_id)


def _held(session: Session, instance_id: int) -> bool:
    return session.identity_map.get(identity_key(ProcessInstance, instance_id)) is not None


def _refreshed(session: Session, instance_id: int) -> ProcessInstance | None:
    try:
        return session.get(ProcessInstance, instance_id, with_for_update=True,
                           populate_existing=True)
    except StaleDataError as exc:  # this session had read an older revision of the case
        raise Conflict(msg("case.changed_first")) from exc


_BY_TASK = INSTANCES.c.id == select(TASKS.c.instance_id).where(
    TASKS.c.id == bindparam("task_id")).scalar_subquery()
_LOCK_ROW_BY_TASK = driver.Read(select(INSTANCES, *counters.COLUMNS).where(_BY_TASK)
                                .with_for_update(of=INSTANCES))


# SQLite: the instance and its open tasks in one statement. The transaction holds the
# database's write lock from its start (BEGIN IMMEDIATE), so nothing can change between the
# two. Not on PostgreSQL: under READ COMMITTED a statement's snapshot predates its wait for
# the row lock, so tasks read with it could miss what the lock's previous holder committed.
# Each open task comes with what closing it would have to clear (engine/runtime/task_traces.py).
_INSTANCE_WIDTH = len(INSTANCES.c) + len(counters.COLUMNS)
_TASK_NAMES = (*(str(column.key) for column in TASKS.c), *task_traces.NAMES)
_TASK_ROW = driver.row_class(_TASK_NAMES)
_LOCK_WITH_OPEN_TASKS = driver.Read(
    select(INSTANCES, *counters.COLUMNS,
           *(column.label(f"task_{column.key}") for column in TASKS.c), *task_traces.COLUMNS)
    .select_from(INSTANCES.outerjoin(TASKS, (TASKS.c.instance_id == INSTANCES.c.id)
                                     & (TASKS.c.status == "ready")))
    .where(_BY_TASK))


def open_task(session: Session, task_id: str
               ) -> tuple[driver.ReadRow, ProcessInstance, list[driver.ReadRow]]:
    """The open task's row, its instance (locked first: under READ COMMITTED, rows read
    after the lock include whatever the command that held it committed) and the instance's
    open task rows, which the command's mirror step needs anyway (with their traces)."""
    if session.get_bind().dialect.name == "sqlite":
        row, open_rows = _locked_with_open_tasks(session, task_id)
    else:
        row, open_rows = _locked_then_open_tasks(session, task_id)
    if row is None:
        raise NotFound(msg("task.not_found", task_id=task_id))
    task_row = next((t for t in open_rows if t.id == task_id), None)
    if task_row is None:
        status = session.connection().execute(
            select(TASKS.c.status).where(TASKS.c.id == task_id)).scalar()
        raise Conflict(msg("task.already_status", status=msg(f"task_status.{status}")))
    return task_row, row, open_rows


# PostgreSQL: the lock, then the open tasks, sent together (one round trip); the second
# statement starts once the first has the lock, so it reads what its previous holder committed.
_OPEN_TASKS_OF_TASK = driver.Read(select(TASKS, *task_traces.COLUMNS).where(
    TASKS.c.instance_id == select(TASKS.c.instance_id).where(
        TASKS.c.id == bindparam("task_id")).scalar_subquery(),
    TASKS.c.status == "ready"))


def _locked_then_open_tasks(session: Session, task_id: str
                            ) -> tuple[ProcessInstance | None, list[driver.ReadRow]]:
    params = {"task_id": task_id}
    locked, tasks = driver.fetch_in_turn(
        session, [(_LOCK_ROW_BY_TASK, params), (_OPEN_TASKS_OF_TASK, params)])
    if not locked:
        return None, []
    make = _OPEN_TASKS_OF_TASK.row_class(session)._make  # type: ignore[attr-defined]
    open_rows = [make(_OPEN_TASKS_OF_TASK.converted(session, values)) for values in tasks]
    values = _LOCK_ROW_BY_TASK.row_class(session)._make(  # type: ignore[attr-defined]
        _LOCK_ROW_BY_TASK.converted(session, locked[0]))
    if _held(session, values.id):
        return _refreshed(session, values.id), open_rows
    return _as_locked(session, values._mapping), open_rows


def _locked_with_open_tasks(session: Session, task_id: str
                            ) -> tuple[ProcessInstance | None, list[driver.ReadRow]]:
    found = _LOCK_WITH_OPEN_TASKS.fetch(session, {"task_id": task_id})
    if not found:
        return None, []
    convert, width = _LOCK_WITH_OPEN_TASKS.converted, _INSTANCE_WIDTH
    make = _TASK_ROW._make  # type: ignore[attr-defined]
    open_rows = [make(convert(session, values, width)) for values in found
                 if values[width] is not None]  # the outer join's row for "no open task"
    names = _LOCK_WITH_OPEN_TASKS.row_class(session)._fields[:width]
    instance = dict(zip(names, convert(session, found[0], 0, width), strict=True))
    if _held(session, instance["id"]):
        return _refreshed(session, instance["id"]), open_rows
    return _as_locked(session, instance), open_rows


def _as_locked(session: Session, columns: dict[str, Any]) -> ProcessInstance:
    """The locked row, and the change counters read with it (engine/storage/counters.py)."""
    counters.take(session, columns)
    return as_loaded(session, columns)


def check_may_work(task_row: driver.ReadRow, user: UserView) -> None:
    """The task's role and unit, or the task handed to the user by name (a transfer, a
    delegation, a co-signature: engine/runtime/handover.py checked the handing on)."""
    if user.username in ("system", task_row.assignee):
        return
    if task_row.owner is not None and task_row.owner == task_row.assignee \
            and user.username in (task_row.signers or ()):
        return  # a co-signer signing at once with others
    if task_row.role in scope.NO_POOL:  # given by name to whoever filed the case
        raise PermissionDenied(msg("task.applicant_only"))
    if not user.has_role(task_row.role):
        raise PermissionDenied(msg("task.role_needed", role=role_name(task_row.role)))
    if not scope.acts_on(user, task_row.role, task_row.unit):
        raise PermissionDenied(msg("task.unit_needed", unit=task_row.unit))


def signs_in_parallel(task_row: Any, username: str) -> bool:
    """``username`` is one of the co-signers signing the task at once (the holder keeps it
    meanwhile: owner and assignee are the holder)."""
    return (task_row.owner is not None and task_row.owner == task_row.assignee
            and username in (task_row.signers or ()))


def check_may_complete(session: Session, task_row: Any, user: UserView) -> None:
    """The open task is the user's to complete now (their part of it, for a delegate or a
    co-signer): PermissionDenied without its role and unit, Conflict while someone else
    holds it or, for its holder, while co-signers are still to sign. The rule of completing
    is also that of saving a draft of it (engine/runtime/drafts.py)."""
    check_may_work(task_row, user)
    if task_row.assignee not in (None, user.username) \
            and not signs_in_parallel(task_row, user.username):
        raise Conflict(msg("task.claimed_by", **users.named(session, "assignee",
                                                              task_row.assignee)))
    if task_row.owner == user.username:  # the holder, while co-signers sign at once
        signers = list(task_row.signers or ())
        names = users.shown_names(session, signers)
        raise Conflict(msg("task.signers_pending", signers=signers,
                           signer_names=[names.get(s, s) for s in signers]))


def bump(session: Session, row: ProcessInstance) -> None:
    """One revision per command and instance, however often the row is flushed."""
    bumped: set[int] = session.info.setdefault("kuaiban_bumped", set())
    if row.id not in bumped:
        bumped.add(row.id)
        row.revision += 1


def flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(msg("case.changed_first")) from exc


# What a command changes on its instance, written by one plain UPDATE checked against the
# revision the instance was loaded at (the ORM's version check, without its unit of work).
_SAVED = ("state", "status", "data", "updated_at", "revision", "event_count", "last_hash")
_SAVE = driver.Write(update(INSTANCES)
                     .where(INSTANCES.c.id == bindparam("b_id"),
                            INSTANCES.c.revision == bindparam("b_revision"))
                     .values({name: bindparam(name) for name in _SAVED}))


_INSERT = insert(INSTANCES).returning(INSTANCES.c.id)


def insert_instance(session: Session, values: dict[str, Any]) -> ProcessInstance:
    """A new instance row, inserted at once (its id seeds the workflow's task ids) by a plain
    INSERT, and handed to the session as loaded (what the ORM's own flush would cost more)."""
    flush(session)  # anything the command added before, as the ORM would have
    new_id = session.connection().execute(_INSERT, values).scalar_one()
    return as_loaded(session, {"id": new_id, **values})


_MANAGER = manager_of_class(ProcessInstance)


def as_loaded(session: Session, values: dict[str, Any]) -> ProcessInstance:
    """The instance row ``values`` (every column), in the session as if the ORM loaded it:
    the values go straight into its state, as the ORM's loading puts them (the constructor's
    attribute events cost more than the statement that read them)."""
    row: ProcessInstance = _MANAGER.new_instance()
    instance_state(row).dict.update(values)
    make_transient_to_detached(row)
    session.add(row)
    return row


def _one_row_saved(count: int) -> None:
    if count != 1:
        raise Conflict(msg("case.changed_first"))


def save(session: Session, row: ProcessInstance) -> None:
    """Write the command's changes to the instance (and flush whatever else it changed)."""
    state = inspect(row)
    changed = state.committed_state
    if state.persistent and "revision" in changed and changed.keys() <= set(_SAVED):
        values = {name: getattr(row, name) for name in _SAVED}
        _SAVE.run(session, {**values, "b_id": row.id, "b_revision": changed["revision"]},
                  _one_row_saved)
        # written: the ORM's copy is now what the database holds (as after its own flush)
        state._commit_all(state.dict, session.identity_map)
    flush(session)
