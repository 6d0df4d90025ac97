"""Which round a task is: how many times its step was opened before in its case (a proposal
sent back and submitted again comes to its approver a second time), and the round before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.storage.schema import Task


@dataclass(frozen=True)
class Round:
    number: int  # 2 for the second time the step was opened in the case
    previous: str  # the task id of the round before


def of_tasks(session: Session, task_ids: Iterable[str]) -> dict[str, Round]:
    """The round of each of ``task_ids`` whose step was opened (and closed) before in its
    case, in one query; tasks opened for the first time are left out. A multi-instance
    step's items count apart (each its own place in the list): siblings are not rounds."""
    ids = sorted(set(task_ids))
    if not ids:
        return {}
    earlier = aliased(Task)
    query = (select(Task.id, earlier.id)
             .join(earlier, (earlier.instance_id == Task.instance_id)
                   & (earlier.element_id == Task.element_id)
                   & (func.coalesce(earlier.item_index, 0) == func.coalesce(Task.item_index, 0))
                   # closed by the time this one opened (a completion opens the next
                   # round in the same instant)
                   & (earlier.id != Task.id) & (earlier.status != "ready")
                   & (earlier.completed_at <= Task.created_at))
             .where(Task.id.in_(ids))
             .order_by(Task.id, earlier.completed_at, earlier.created_at, earlier.id))
    found: dict[str, Round] = {}
    for task_id, before in session.execute(query):
        seen = found.get(task_id)
        found[task_id] = Round((seen.number if seen else 1) + 1, before)
    return found
