"""What a task leaves besides its row, for the command that closes it to clear: its drafts
(engine/runtime/drafts.py) and its unread notices about work (engine/notify/settle.py).

Read with the open tasks, one ``EXISTS`` each by the tables' task indexes, so that closing a
task writes to those tables only when it left something there: many tasks are completed
without a draft, and with no notice still unread (read, settled when someone claimed the
task, or never written: whoever caused a task is not told of it). Drafts are saved and task
notices written under the case's lock, as commands are, so what the open tasks' read says
holds until the command commits; a due-date reminder is the one notice written without that
lock (engine/notify/reminders.py), and one that commits while a command closes its task
stays unread, as it did when the settling statement ran unconditionally (that statement saw
only what was committed before it started)."""

from __future__ import annotations

from sqlalchemy import exists

from engine.notify.settle import UNREAD_WORK
from engine.storage.schema import NOTIFICATIONS, TASK_DRAFTS, TASKS

# the columns an open task's row carries beside the task table's (``row.has_draft``, ...)
COLUMNS = (
    exists().where(TASK_DRAFTS.c.task_id == TASKS.c.id).correlate(TASKS).label("has_draft"),
    exists().where(NOTIFICATIONS.c.task_id == TASKS.c.id, UNREAD_WORK).correlate(TASKS)
    .label("has_unread_notice"),
)
NAMES = tuple(str(column.key) for column in COLUMNS)
