"""What every command on a case does first and last: lock the instance (and find the open
task it works on), check the revision the caller saw and who may work a task; bump the
revision once per command, and turn a lost race at flush into a Conflict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine.errors import Conflict, NotFound, PermissionDenied
from engine.messages import msg
from engine.org import scope
from engine.runtime import mirror
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


_LOCK_ROW = select(INSTANCES, *counters.COLUMNS).where(INSTANCES.c.id == bindparam("id")) \
    .with_for_update(of=INSTANCES)


def _locked(session: Session, instance_id: int) -> ProcessInstance | None:
    """Read as a plain row and handed to the session as loaded (the ORM's loading cost more
    than the statement), unless the session holds the instance already: the ORM refreshes
    it then, checking the revision it had."""
    if not _held(session, instance_id):
        values = session.connection().execute(_LOCK_ROW, {"id": instance_id}).first()
        return None if values is None else _as_locked(session, values)
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
_LOCK_ROW_BY_TASK = select(INSTANCES, *counters.COLUMNS).where(_BY_TASK) \
    .with_for_update(of=INSTANCES)


def open_task(session: Session, task_id: str
               ) -> tuple[Row[Any], ProcessInstance, list[Row[Any]]]:
    """The open task's row, its instance (locked first: under READ COMMITTED, rows read
    after the lock include whatever the command that held it committed) and the instance's
    open task rows, which the command's mirror step needs anyway."""
    row = _locked_by_task(session, task_id)
    if row is None:
        raise NotFound(msg("task.not_found", task_id=task_id))
    open_rows = mirror.open_rows(session, row.id)
    task_row = next((t for t in open_rows if t.id == task_id), None)
    if task_row is None:
        status = session.connection().execute(
            select(TASKS.c.status).where(TASKS.c.id == task_id)).scalar()
        raise Conflict(msg("task.already_status", status=msg(f"task_status.{status}")))
    return task_row, row, open_rows


def _locked_by_task(session: Session, task_id: str) -> ProcessInstance | None:
    values = session.connection().execute(_LOCK_ROW_BY_TASK, {"task_id": task_id}).first()
    if values is None:
        return None
    if _held(session, values.id):
        return _refreshed(session, values.id)
    return _as_locked(session, values)


def _as_locked(session: Session, values: Row[Any]) -> ProcessInstance:
    """The locked row, and the change counters read with it (engine/storage/counters.py)."""
    columns = dict(values._mapping)
    counters.take(session, columns)
    return as_loaded(session, columns)


def check_may_work(task_row: Row[Any], user: UserView) -> None:
    """The task's role and unit, or the task handed to the user by name (a transfer, a
    delegation, a co-signature: engine/runtime/handover.py checked the handing on)."""
    if user.username in ("system", task_row.assignee):
        return
    if task_row.owner is not None and task_row.owner == task_row.assignee \
            and user.username in (task_row.signers or ()):
        return  # a co-signer signing at once with others
    if not user.has_role(task_row.role):
        raise PermissionDenied(msg("task.role_needed", role=task_row.role))
    if not scope.acts_on(user, task_row.role, task_row.unit):
        raise PermissionDenied(msg("task.unit_needed", unit=task_row.unit))


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
    new_id = session.execute(_INSERT, values).scalar_one()
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
