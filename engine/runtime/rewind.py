"""The commands that move a case's tokens: 退回 send back, 撤回 withdraw, 终止 terminate.

Each is one workflow event (engine/runtime/moves.py says what it does to the workflow, for
the runtime and for replay alike) run through the runtime's command shape.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, PermissionDenied
from engine.messages import msg
from engine.notify import emit
from engine.org import users
from engine.runtime import mirror, moves, state, untouched
from engine.runtime.handover import reason_text
from engine.runtime.locking import check_may_work, locked_instance, open_task
from engine.storage.schema import TASKS, ProcessInstance
from engine.views import UserView

if TYPE_CHECKING:
    from engine.runtime.commands import Runtime

# 终止: the supervising roles and the leaders.
TERMINATORS = frozenset({"case_manager", "supervision_office", "reform_group", "approver",
                         "city_leader"})


def send_back(runtime: Runtime, session: Session, task_id: str, to_element: str | None,
              reason: str | None, user: UserView, revision: int | None = None
              ) -> ProcessInstance:
    """The case goes back from ``task_id`` to an earlier user task (the previous one by
    default), which goes to whoever did it, with the reason."""
    text = reason_text(reason)
    task_row, locked, open_rows = open_task(session, task_id)
    check_may_work(task_row, user)
    if task_row.assignee not in (None, user.username) or task_row.owner is not None:
        raise Conflict(msg("send_back.task_claimed",
                           **users.named(session, "assignee", task_row.assignee)))
    row, version, workflow, ids = runtime._load(session, locked, revision)
    target = moves.send_back_target(workflow, task_id, to_element)
    element = target.task_spec.bpmn_id
    done_by = session.connection().execute(
        select(TASKS.c.completed_by).where(TASKS.c.id == str(target.id))).scalar()
    if done_by:
        mirror.assign_next(session, element, done_by)
    emit.arrivals_as(session, "sent_back",
                     msg("notice.sent_back", by=user.display_name, reason=text), user.username)
    payload = {"task_id": task_id, "element_id": task_row.element_id,
               "to_task": str(target.id), "to_element": element, "reason": text,
               **moves.item_kept(workflow, str(target.id))}
    runtime._run(session, row, version, workflow, ids, runtime.clock.now(), "sent_back",
                 payload, user, task_id=task_id, open_rows=open_rows)
    return row


def withdraw(runtime: Runtime, session: Session, task_id: str, user: UserView,
             revision: int | None = None) -> ProcessInstance:
    """Whoever completed ``task_id`` takes it back while the work it produced is untouched
    (engine/runtime/untouched.py)."""
    done = session.connection().execute(select(TASKS).where(TASKS.c.id == task_id)).first()
    if done is None:
        raise NotFound(msg("task.not_found", task_id=task_id))
    if done.completed_by != user.username:  # an open task too: nobody has done it yet
        raise PermissionDenied(msg("withdraw.own_only"))
    locked = locked_instance(session, done.instance_id, None)
    if locked.status != "running":
        raise Conflict(msg("withdraw.case_status", status=msg(f"case_status.{locked.status}")))
    row, version, workflow, ids = runtime._load(session, locked, revision)
    open_rows = mirror.open_rows(session, row.id)
    untouched.check(session, workflow, row.id, task_id, open_rows, user.username)
    mirror.assign_next(session, done.element_id, user.username)
    payload = {"task_id": task_id, "element_id": done.element_id, "to_task": task_id,
               "to_element": done.element_id, **moves.item_kept(workflow, task_id)}
    runtime._run(session, row, version, workflow, ids, runtime.clock.now(), "withdrawn",
                 payload, user, task_id=task_id, open_rows=open_rows)
    return row


def withdrawable(runtime: Runtime, session: Session, instance_id: int, user: UserView
                 ) -> frozenset[str]:
    """The tasks of the case that ``user`` may withdraw now (:func:`withdraw` would accept):
    so a page offers 撤回 only where it works. Reads the stored state, never the live one."""
    row = session.get(ProcessInstance, instance_id)
    if row is None or row.status != "running":
        return frozenset()
    done = list(session.execute(select(TASKS.c.id).where(
        TASKS.c.instance_id == instance_id, TASKS.c.status == "completed",
        TASKS.c.completed_by == user.username)).scalars())
    if not done:
        return frozenset()
    version = runtime.versions.get(session, row.version_id)
    workflow, _ = state.load(json.loads(row.state), version.spec, version.subprocess_specs,
                             str(row.id))
    open_rows = mirror.open_rows(session, row.id)
    out = set()
    for task_id in done:
        try:
            untouched.check(session, workflow, row.id, task_id, open_rows, user.username)
        except Conflict:
            continue
        out.add(task_id)
    return frozenset(out)


def terminate(runtime: Runtime, session: Session, instance_id: int, reason: str | None,
              user: UserView, revision: int | None = None) -> ProcessInstance:
    """End a running case (status ``cancelled``): its open tasks, timers and message
    subscriptions close with it."""
    if user.username != "system" and not TERMINATORS & set(user.roles):
        raise PermissionDenied(msg("terminate.supervisors_only"))
    text = reason_text(reason)
    row, version, workflow, ids = runtime._load(session, instance_id, revision)
    if row.status != "running":
        raise Conflict(msg("terminate.case_status", status=msg(f"case_status.{row.status}")))
    now = runtime.clock.now()
    runtime._run(session, row, version, workflow, ids, now, "terminated", {"reason": text},
                 user)
    emit.decided(session, row, version.name, now, msg("notice.terminated", reason=text))
    return row
