"""A notice that asks someone to act on a task (it arrived, is due, was urged, sent back,
handed to them) stops counting as unread once that task is no longer theirs to act on: it is
marked read, in the transaction that took the task from them. So the bell counts what still
waits for the reader, with the one indexed count it always was.

- The task was completed or cancelled: every such notice about it.
- It is still open but changed hands (claimed by someone else, transferred, a delegate's or
  co-signer's part done): the notices of those who no longer see it in their inbox and take
  no further part in it (its owner and co-signers still do).

Copies for information (抄送) and decisions on an application are about a case, not a task
to act on, and stay as the reader left them. A task that comes back (unclaimed, returned)
does not make its settled notices unread again: the inbox shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.orm import Session

from engine.notify.kinds import ABOUT_WORK
from engine.notify.recipients import who_sees
from engine.storage import driver
from engine.storage.schema import NOTIFICATIONS, TASKS

# the kinds written into the statement (our own names), as its only parameters are named
UNREAD_WORK = NOTIFICATIONS.c.read_at.is_(None) & NOTIFICATIONS.c.kind.in_(
    [literal_column(f"'{kind}'") for kind in sorted(ABOUT_WORK)])
# built once: every command that completes a task runs it
_CLOSED = driver.Write(update(NOTIFICATIONS)
                       .where(NOTIFICATIONS.c.task_id == bindparam("b_task"), UNREAD_WORK)
                       .values(read_at=bindparam("at")))


def tasks_closed(session: Session, task_ids: Sequence[str], now: datetime) -> None:
    """The tasks were completed or cancelled: their notices are settled."""
    _CLOSED.run(session, [{"b_task": task_id, "at": now} for task_id in task_ids])


def task_moved(session: Session, task_id: str, now: datetime) -> None:
    """The open task changed hands: settle the notices of those it left."""
    row = session.connection().execute(
        select(TASKS.c.id, TASKS.c.role, TASKS.c.unit, TASKS.c.assignee, TASKS.c.owner,
               TASKS.c.signers).where(TASKS.c.id == task_id)).first()
    if row is None:
        return
    keep = {*who_sees(session, [row._mapping])[task_id], *(row.signers or ())}
    if row.owner:
        keep.add(row.owner)
    session.connection().execute(
        update(NOTIFICATIONS).where(NOTIFICATIONS.c.task_id == task_id, UNREAD_WORK,
                                    NOTIFICATIONS.c.username.not_in(sorted(keep)))
        .values(read_at=now))
