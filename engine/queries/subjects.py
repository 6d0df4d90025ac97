"""Cases' subjects (事由, engine/runtime/case_subject.py) beside lists of their tasks and
cases: read after the list, for its cases only, so a list's own query and plan stay as they
are (an inbox page reads fifty subjects, never one per matching task)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.schema import CASE_SEARCH
from engine.views import TaskView

_BATCH = 500  # ids per statement: a whole inbox may list thousands of cases


def of_cases(session: Session, instance_ids: Iterable[int]) -> dict[int, str]:
    """The subject of each case that has one."""
    wanted = sorted(set(instance_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _BATCH):
        rows = session.execute(select(CASE_SEARCH.c.instance_id, CASE_SEARCH.c.subject).where(
            CASE_SEARCH.c.instance_id.in_(wanted[start:start + _BATCH]),
            CASE_SEARCH.c.subject.is_not(None)))
        found.update((instance_id, subject) for instance_id, subject in rows)
    return found


def with_subjects(session: Session, tasks: list[TaskView]) -> list[TaskView]:
    """The tasks, each with its case's subject."""
    found = of_cases(session, (t.instance_id for t in tasks))
    return [dataclasses.replace(t, subject=found[t.instance_id]) if t.instance_id in found
            else t for t in tasks]
