"""The API's commands on cases: start (one or a batch), claim, complete, and messages. Each is
one transaction and one event in the case's chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from engine.api.core import EngineCore
from engine.errors import (
    NotFound,
)
from engine.files.attachments import Upload
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.runtime.bulk import BatchReport, BatchRow, RowProblem
from engine.storage.schema import (
    ProcessInstance,
    Task,
)
from engine.views import InstanceView


class Commands(EngineCore):
    """What moves a case forward."""

    def start(self, key: str, data: Mapping[str, Any] | None, user: Who,
              business_key: str | None = None, start_event: str | None = None,
              uploads: Sequence[Upload] = ()) -> InstanceView:
        """``start_event``: which start event to run from, for a process with several (by
        default SpiffWorkflow runs the first one ready); ``uploads``: files of the start
        form's file fields (engine/files/fields.py)."""
        with self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.start(session, key, data or {}, actor, business_key,
                                     start_event=start_event, uploads=uploads)
            return self._instance_view(session, row, actor)

    def start_batch(self, key: str, rows: Sequence[BatchRow], user: Who,
                    skip_invalid: bool = False, unreadable: Sequence[RowProblem] = (),
                    progress: Callable[[int], None] | None = None) -> BatchReport:
        """Start one case per row, in chunked transactions, resumable by each row's key
        (engine/runtime/bulk/starts.py); every bad row is reported and, unless ``skip_invalid``,
        none starts while any is bad."""
        return self.bulk.run(key, rows, user, skip_invalid, unreadable, progress=progress)

    def complete(self, task_id: str, data: Mapping[str, Any] | None, user: Who,
                 revision: int | None = None, uploads: Sequence[Upload] = ()) -> InstanceView:
        """``uploads``: files of the form's file fields."""
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row, urged = self.runtime.complete(session, task_id, data or {}, actor, revision,
                                               uploads)
            return replace(self._instance_view(session, row, actor), urged=urged)

    def claim(self, task_id: str, user: Who, revision: int | None = None) -> InstanceView:
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.assign(session, task_id, actor, True, revision)
            return self._instance_view(session, row, actor)

    def unclaim(self, task_id: str, user: Who, revision: int | None = None) -> InstanceView:
        with self._hiding_cases(task_id, user), self.transaction() as session:
            actor = users.resolve(session, user)
            row = self.runtime.assign(session, task_id, actor, False, revision)
            return self._instance_view(session, row, actor)

    def task_data(self, task_id: str, user: Who) -> dict[str, Any]:
        """What one task sees: for a multi-instance task, its own item (confidential fields
        as the user may see them; engine/queries/confidential.py)."""
        return self._task_sees(task_id, user, self.runtime.task_data)

    def task_item(self, task_id: str, user: Who) -> dict[str, Any]:
        """A multi-instance task's own item under its element variable (``{"enterprise":
        {…}}``), to show over the case's data, which holds whichever item was done last; empty
        for any other task (confidential fields as the user may see them)."""
        return self._task_sees(task_id, user, self.runtime.task_item)

    def _task_sees(self, task_id: str, user: Who,
                   read: Callable[[Session, Task], dict[str, Any]]) -> dict[str, Any]:
        self.inbox.task(task_id, user)  # NotFound / PermissionDenied
        with self.transaction(read_only=True) as session:
            row = session.get(Task, task_id)
            case = session.get(ProcessInstance, row.instance_id) if row is not None else None
            if row is None or case is None:
                raise NotFound(msg("task.not_found", task_id=task_id))
            seen = read(session, row)
            if not seen:
                return {}
            reader = users.resolve(session, user)
            data, shown = self.confidential.reveal(session, case, reader, seen)
        self.confidential.record(case.id, reader, shown, "task")
        return dict(data)

    def send_message(self, name: str, correlation: Mapping[str, Any] | None,
                     data: Mapping[str, Any] | None, user: Who) -> list[int]:
        with self.transaction() as session:
            delivered = self.runtime.deliver(session, name, correlation or {}, data or {},
                                             users.resolve(session, user))
            if not delivered:
                raise NotFound(msg("message.no_waiting_instance", name=name,
                                   correlation=correlation))
            return delivered
