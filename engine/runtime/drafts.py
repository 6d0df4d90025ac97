"""暂存: what a user typed into an open task's form, saved to finish later (``Engine.drafts``).

One draft per task and user (``task_drafts``), private to its author. Saving follows the rule
of completing the task (only whoever may complete it now saves a draft of it) and locks the
case as a command does, but records no event and changes no revision: a draft is no part of the
case's history or its hash chain. A task still in the pool is claimed for its author first, by
the claim command itself (its rules, its 认领 event): otherwise a colleague could take it while
its author thinks it theirs; whoever may not claim it may not save a draft. A draft need not
pass the form's checks (it may be incomplete, a number may still be the text typed); it keeps
only the form's own fields, no file (a file field's files come with the submission), each value
of its field's JSON type or text, within the case-size limit (engine/runtime/limits.py).

A draft goes when its task is completed or cancelled (:func:`tasks_closed`, from the command
that closes it, engine/runtime/mirror.py) or leaves its author — claimed by someone else,
transferred, delegated, handed on to co-signers, a delegate's part done
(:func:`task_moved`, where engine/notify/settle.py settles the notices of those it left);
and a draft whose task is not its author's to complete any more is never shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from engine.errors import EngineError, InvalidData, NotFound
from engine.files.fields import file_fields
from engine.messages import Msg, msg
from engine.org import users
from engine.org.users import Who
from engine.runtime.limits import MB, CommandLimits
from engine.runtime.locking import check_may_complete, open_task
from engine.storage import driver
from engine.storage.schema import INSTANCES, TASK_DRAFTS, TASKS
from engine.views import DraftView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

# What a value of each JSON type may be in a draft (text as typed fits every field).
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "integer": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}
_CLOSED = driver.Write(delete(TASK_DRAFTS).where(TASK_DRAFTS.c.task_id == bindparam("b_task")))


class Drafts:
    """Save, read and discard one's draft of a task; which tasks have one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, task_id: str, data: Mapping[str, Any], user: Who) -> DraftView:
        """Keep ``data`` as the user's draft of the open task (replacing the one before),
        claiming it for them first when it is in the pool (the view's ``claimed``)."""
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            author = users.resolve(session, user)
            task_row, case, _ = open_task(session, task_id)  # the case locked, as by a command
            claimed = task_row.assignee is None
            if claimed:  # the claim command itself (checks, event), undone with a refused draft
                eng.runtime.assign(session, task_id, author, True)
                task_row, case, _ = open_task(session, task_id)
            check_may_complete(session, task_row, author)
            schema = eng.versions.get(session, case.version_id).form(task_row.form_key)
            kept = checked(schema, data, eng.runtime.limits)
            now = eng.clock.now()
            conn = session.connection()
            conn.execute(delete(TASK_DRAFTS).where(TASK_DRAFTS.c.task_id == task_id,
                                                   TASK_DRAFTS.c.username == author.username))
            conn.execute(insert(TASK_DRAFTS).values(task_id=task_id, username=author.username,
                                                    data=kept, saved_at=now))
            return DraftView(task_id, kept, now, claimed)

    def get(self, task_id: str, user: Who) -> DraftView | None:
        """The user's draft of a task they may see; None when they have none, or the task is
        not theirs to complete any more."""
        eng = self.engine
        eng.inbox.task(task_id, user)  # NotFound / PermissionDenied, as the task itself
        with eng.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            found = session.connection().execute(
                select(TASK_DRAFTS.c.data, TASK_DRAFTS.c.saved_at, TASKS, INSTANCES.c.version_id)
                .join(TASKS, TASKS.c.id == TASK_DRAFTS.c.task_id)
                .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
                .where(TASK_DRAFTS.c.task_id == task_id,
                       TASK_DRAFTS.c.username == reader.username)).first()
            if found is None or not _may_complete(session, found, reader):
                return None
            schema = eng.versions.get(session, found.version_id).form(found.form_key)
            # the fields its form has now (a case moved to a new version may have fewer)
            kept = {k: v for k, v in found.data.items() if k in _draft_fields(schema)}
            return DraftView(task_id, kept, found.saved_at)

    def discard(self, task_id: str, user: Who) -> bool:
        """放弃暂存: delete the user's draft of a task they may see; False if there was none."""
        eng = self.engine
        eng.inbox.task(task_id, user)
        with eng.transaction() as session:
            author = users.resolve(session, user)
            gone = session.connection().execute(
                delete(TASK_DRAFTS).where(TASK_DRAFTS.c.task_id == task_id,
                                          TASK_DRAFTS.c.username == author.username))
            return bool(gone.rowcount)

    def marked(self, task_ids: Sequence[str], user: Who) -> frozenset[str]:
        """Which of the open tasks ``task_ids`` the user has a draft of (the inbox's 已暂存)."""
        if not task_ids:
            return frozenset()
        with self.engine.transaction(read_only=True) as session:
            username = user.username if isinstance(user, UserView) else user
            return frozenset(session.connection().execute(
                select(TASK_DRAFTS.c.task_id)
                .join(TASKS, TASKS.c.id == TASK_DRAFTS.c.task_id)
                .where(TASK_DRAFTS.c.username == username,
                       TASK_DRAFTS.c.task_id.in_(list(task_ids)),
                       TASKS.c.status == "ready")).scalars())


# -- what a draft may hold ------------------------------------------------------------------

def _draft_fields(schema: Mapping[str, Any] | None) -> set[str]:
    """The form's own fields but its file fields."""
    props = (schema or {}).get("properties") or {}
    files = file_fields(schema)
    return {name for name, prop in props.items() if isinstance(prop, dict) and name not in files}


def checked(schema: Mapping[str, Any] | None, data: Mapping[str, Any], limits: CommandLimits
            ) -> dict[str, Any]:
    """What a draft keeps of ``data``: the form's fields (unknown keys, file fields and nulls
    dropped; "" kept: a field cleared stays cleared), each value text or of its field's type;
    InvalidData for a value no field could hold, or past the case-size limit."""
    props = (schema or {}).get("properties") or {}
    fields = _draft_fields(schema)
    kept: dict[str, Any] = {}
    problems: dict[str, Msg] = {}
    for name, value in data.items():
        if name not in fields or value is None:
            continue
        if _fits(props[name], value):
            kept[name] = value
        else:
            problems[name] = msg("draft.field_type")
    if problems:
        raise InvalidData(problems, msg("draft.refused"))
    try:
        text = json.dumps(kept, ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):  # from a caller of the Python API
        raise InvalidData({"_": msg("draft.not_json")}, msg("draft.refused")) from None
    if len(text) > limits.case_bytes:
        said = msg("draft.too_large", megabytes=round(len(text) / MB, 1),
                   limit=round(limits.case_bytes / MB))
        raise InvalidData({"_": said}, said)
    return kept


def _fits(prop: Mapping[str, Any], value: Any) -> bool:
    """Text fits any field (what was typed, not yet a number or a date); else a value of one
    of the field's JSON types (any, when it names none); numbers finite."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    if isinstance(value, str):
        return True
    kinds = prop.get("type")
    names = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
    if not names:
        return True
    allowed = tuple(t for n in names if isinstance(n, str) for t in _TYPES.get(n, ()))
    if isinstance(value, bool):  # a bool is an int to Python, never a number to JSON
        return bool in allowed
    return isinstance(value, allowed)


# -- a task's drafts when it closes or moves ------------------------------------------------

def tasks_closed(session: Session, task_ids: Sequence[str]) -> None:
    """The tasks were completed or cancelled: their drafts are deleted."""
    _CLOSED.run(session, [{"b_task": task_id} for task_id in task_ids])


def task_moved(session: Session, task_id: str) -> None:
    """The open task changed hands: the drafts of those who may not complete it now go."""
    conn = session.connection()
    authors = list(conn.execute(select(TASK_DRAFTS.c.username)
                                .where(TASK_DRAFTS.c.task_id == task_id)).scalars())
    if not authors:
        return
    row = conn.execute(select(TASKS).where(TASKS.c.id == task_id)).first()
    gone = []
    for username in authors:
        try:
            author = users.get(session, username)
        except NotFound:
            author = None
        if row is None or author is None or not _may_complete(session, row, author):
            gone.append(username)
    if gone:
        conn.execute(delete(TASK_DRAFTS).where(TASK_DRAFTS.c.task_id == task_id,
                                               TASK_DRAFTS.c.username.in_(gone)))


def _may_complete(session: Session, task_row: Any, user: UserView) -> bool:
    if task_row.status != "ready":
        return False
    try:
        check_may_complete(session, task_row, user)
    except EngineError:
        return False
    return True
