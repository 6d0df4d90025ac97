"""When a completed step may still be withdrawn (撤回 = 收回): the one rule the command and
the pages offering it share.

Only while the work the step produced is untouched: the tasks its completion opened are still
open, nobody claimed, handed on or saved a draft of any of them, and since its completion no
other step of the case was done, sent back or withdrawn, no timer moved the case, no message
reached or left it (an escalation, a linked case), no document was issued and nobody else
attached a file. Urges, copies and comments only add to the history: they do not count. The
documents the step itself issued (its 交办函) are part of its completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.messages import msg
from engine.runtime import moves
from engine.storage.schema import EVENTS

# events that only add to the history and leave the work where it was
_HARMLESS = frozenset({"urged", "copied", "commented"})
# events that take up one task: they count when the task is one the step opened
_TAKEN_UP = frozenset({"claimed", "unclaimed", "transferred", "delegated", "signer_added",
                       "resolved", "signed"})
# what a refusal says for the events that moved the case on (any other: it moved on)
_SAYS = {"completed": "withdraw.step_done_since", "message": "withdraw.message_since",
         "document": "withdraw.document_since"}


def check(session: Session, workflow: BpmnWorkflow, instance_id: int, task_id: str,
          open_rows: Sequence[Any], user: str) -> None:
    """Conflict, saying why, unless the completed ``task_id`` (completed by ``user``) may be
    withdrawn now; ``open_rows`` are the case's open task rows (engine/runtime/mirror.py)."""
    later = {str(t.id) for t in moves.untouched_after(workflow, task_id)}
    for row in open_rows:
        if row.id in later and (row.assignee or row.owner):
            raise Conflict(msg("withdraw.next_claimed"))
        if row.id in later and row.has_draft:
            raise Conflict(msg("withdraw.next_draft"))
    _nothing_since(session, instance_id, task_id, later, user)


def _nothing_since(session: Session, instance_id: int, task_id: str, later: set[str],
                   user: str) -> None:
    done_at = session.execute(select(EVENTS.c.seq).where(
        EVENTS.c.instance_id == instance_id, EVENTS.c.type == "completed",
        EVENTS.c.task_id == task_id).order_by(EVENTS.c.seq.desc()).limit(1)).scalar()
    if done_at is None:  # not completed by a command of this case's log
        raise Conflict(msg("withdraw.moved_on"))
    since = session.execute(select(
        EVENTS.c.seq, EVENTS.c.type, EVENTS.c.task_id, EVENTS.c.user).where(
        EVENTS.c.instance_id == instance_id, EVENTS.c.seq > done_at)
        .order_by(EVENTS.c.seq)).all()
    own_documents = _own_documents(session, instance_id, since)
    for event in since:
        kind = event.type
        if kind in _HARMLESS or event.seq in own_documents:
            continue
        if kind in _TAKEN_UP:
            if event.task_id in later:
                raise Conflict(msg("withdraw.next_claimed"))
            continue
        if kind == "attached":
            if event.user != user:
                raise Conflict(msg("withdraw.files_since"))
            continue
        raise Conflict(msg(_SAYS.get(kind, "withdraw.moved_on")))



def _own_documents(session: Session, instance_id: int, since: Sequence[Any]) -> set[int]:
    """The seqs of the documents the step's completion issued: the diagram's (naming their
    element), recorded right after it (one issued by hand names none)."""
    leading = []
    for event in since:
        if event.type != "document":
            break
        leading.append(event.seq)
    payloads = {seq: payload for seq, payload in session.execute(
        select(EVENTS.c.seq, EVENTS.c.payload).where(
            EVENTS.c.instance_id == instance_id, EVENTS.c.seq.in_(leading)))} if leading else {}
    own = set()
    for seq in leading:
        if not ((payloads.get(seq) or {}).get("document") or {}).get("element_id"):
            break
        own.add(seq)
    return own
