"""A step a case holds open once at a time: a user task with the camunda property
``single_open`` = ``true``.

A step that comes round on its own (跟踪进展, spawned every week by a non-interrupting cycle
timer) is not opened a second time while the previous one is still open: the new task is
withdrawn as it arrives, its branch ends there, and the open one stays (its lateness shows as
overdue). Nobody is told of the withdrawn one; the event that caused it records its element
(``RECORD``).

It runs inside every command's step (engine/runtime/transitions.py ``advance``), on the
workflow alone, so replay withdraws the same tasks and reaches the same digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import mirror

PROPERTY = "single_open"  # the camunda property of a user task
VALUES = ("true", "false")
RECORD = "kept_open"  # the event payload's key: elements whose repeat was not opened


def is_single_open(extensions: Mapping[str, str] | None) -> bool:
    return (extensions or {}).get(PROPERTY, "").strip().lower() == "true"


def withdraw_repeats(workflow: BpmnWorkflow, before: Mapping[UUID, int]) -> list[str]:
    """Cancel each ready task of a single-open element beyond the first, the one open before
    this step (else the first created); the element ids of those withdrawn, sorted."""
    kept: set[str] = set()
    repeats = []
    ready = [t for t in mirror.all_tasks(workflow)
             if t.state == TaskState.READY and t.task_spec.manual
             and is_single_open(getattr(t.task_spec, "extensions", None))]
    # the one open before the step first: it stays, whatever the order of the tree
    ready.sort(key=lambda t: before.get(t.id) != TaskState.READY)
    for task in ready:
        element = str(task.task_spec.bpmn_id or task.task_spec.name)
        if element in kept:
            repeats.append((element, task))
        else:
            kept.add(element)
    for _, task in repeats:
        task.cancel()
    return sorted({element for element, _ in repeats})
