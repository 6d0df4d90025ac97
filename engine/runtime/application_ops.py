"""The operations on a subsidy application (part of ``Engine.ops``): 撤回申请 by the
applicant (engine/runtime/withdrawal.py) and 退回补正 with its answer
(engine/runtime/supplements.py). Each method is one transaction and one event in the case's
chain; a case the user may not read is refused as none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound
from engine.files.attachments import Upload
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.runtime import supplements, withdrawal
from engine.storage.schema import ProcessInstance, Task
from engine.views import InstanceView, UserView

if TYPE_CHECKING:
    from engine.api import Engine


class ApplicationOperations:
    engine: Engine

    def withdraw_application(self, instance_id: int, user: Who, reason: str | None,
                             revision: int | None = None) -> InstanceView:
        """撤回申请: the applicant ends its application while it awaits a decision
        (engine/runtime/withdrawal.py)."""
        eng = self.engine
        with eng.transaction() as session:
            actor = self._reading(session, instance_id, user)
            row = withdrawal.withdraw(eng.runtime, session, instance_id, reason, actor, revision)
            return eng._instance_view(session, row, actor)

    def may_withdraw_application(self, instance_id: int, user: Who) -> bool:
        with self.engine.transaction(read_only=True) as session:
            actor = users.resolve(session, user)
            row = session.get(ProcessInstance, instance_id)
            if row is None or not withdrawal.is_applicant(row, actor):
                return False
            version = self.engine.versions.get(session, row.version_id)
            return withdrawal.awaits_decision(session, row, version)

    def request_supplement(self, task_id: str, user: Who, items: str | None,
                           opinion: str | None = None, revision: int | None = None
                           ) -> InstanceView:
        """退回补正: the step's department sends the application back with the list of
        materials to supply (required), as choosing 退回补正 on its form does."""
        text = supplements.items_text(items)
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            task_row = session.get(Task, task_id)
            if task_row is None:
                raise NotFound(msg("task.not_found", task_id=task_id))
            if task_row.status != "ready":
                raise Conflict(msg("task.already_status",
                                   status=msg(f"task_status.{task_row.status}")))
            case = session.get(ProcessInstance, task_row.instance_id)
            assert case is not None  # a task's case
            supplements.check_may_ask(session, eng.versions.get(session, case.version_id),
                                      task_row, actor)
            row, _urged = eng.runtime.complete(session, task_id,
                                               supplements.asked_data(text, opinion), actor,
                                               revision)
            return eng._instance_view(session, row, actor)

    def resubmit(self, instance_id: int, user: Who, data: Mapping[str, Any] | None,
                 revision: int | None = None, uploads: Sequence[Upload] = ()) -> InstanceView:
        """The applicant answers 退回补正: its 补正材料 step is completed with ``data`` (that
        form's fields; ``uploads`` its files), and the application returns to the
        department."""
        eng = self.engine
        with eng.transaction() as session:
            actor = self._reading(session, instance_id, user)
            case = session.get(ProcessInstance, instance_id)
            assert case is not None  # the reading check found it
            task_id = supplements.open_answer(
                session, case, eng.versions.get(session, case.version_id), actor)
            row, _urged = eng.runtime.complete(session, task_id, data or {}, actor, revision,
                                               uploads)
            return eng._instance_view(session, row, actor)

    def _reading(self, session: Session, instance_id: int, user: Who) -> UserView:
        """The user, who may read the case (else it is refused as none)."""
        actor = users.resolve(session, user)
        self.engine.hide_unreadable(session, instance_id, actor,
                                    msg("instance.not_found", instance_id=instance_id))
        return actor
