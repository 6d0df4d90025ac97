"""Which round a task is: how many times its step was opened before in its case (a proposal
sent back and submitted again comes to its approver a second time), and the round before.

A step that comes round by design (the campaign's 登记问题线索并移交办理, open again for
the next clue; a monthly dispatch) says so with the camunda property ``repeats`` =
``true``: each of its tasks is a task of its own, never a resubmission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.definitions.parsed import LoadedVersion
from engine.storage.schema import ProcessInstance, Task

PROPERTY = "repeats"  # the camunda property of a user task that comes round by design
VALUES = ("true", "false")


@dataclass(frozen=True)
class Round:
    number: int  # 2 for the second time the step was opened in the case
    previous: str  # the task id of the round before


def repeats(version: LoadedVersion, element_id: str) -> bool:
    """Does the step ``element_id`` of ``version`` come round by design?"""
    spec = next((s for s in version.task_specs() if s.name == element_id), None)
    extensions = getattr(spec, "extensions", None) or {}
    return str(extensions.get(PROPERTY, "")).strip().lower() == "true"


def of_tasks(session: Session, task_ids: Iterable[str],
             version_of: Callable[[int], LoadedVersion]) -> dict[str, Round]:
    """The round of each of ``task_ids`` whose step was opened (and closed) before in its
    case, in one query; tasks opened for the first time are left out, and so are those of a
    step that repeats by design (``version_of`` gives a case's version by id). A
    multi-instance step's items count apart (each its own place in the list): siblings are
    not rounds."""
    ids = sorted(set(task_ids))
    if not ids:
        return {}
    earlier = aliased(Task)
    query = (select(Task.id, earlier.id, Task.element_id, ProcessInstance.version_id)
             .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
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
    by_design: dict[tuple[int, str], bool] = {}
    for task_id, before, element_id, version_id in session.execute(query):
        step = (version_id, element_id)
        if step not in by_design:
            by_design[step] = repeats(version_of(version_id), element_id)
        if by_design[step]:
            continue
        seen = found.get(task_id)
        found[task_id] = Round((seen.number if seen else 1) + 1, before)
    return found
