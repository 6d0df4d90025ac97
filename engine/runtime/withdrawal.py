"""撤回申请: the applicant ends its own application while it still awaits a decision.

Which waits allow it is the diagram's to say: a user task with the Camunda property
``applicant_withdraws`` = ``true`` (a subsidy's 审批, 评估评审, 出具审批结果, and the
applicant's own 补正材料). The case may be withdrawn while it has open tasks and each of them
is such a task; once a department decided (a payout to make, a refusal to report, a credit
record to enter) it may not. The applicant is who filed the case, or for an enterprise the
cases filed with its 统一社会信用代码 (the window's too). It ends the case as 终止 does
(status ``cancelled``), with the applicant's reason in the history (``by_applicant``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, PermissionDenied
from engine.messages import msg
from engine.queries.visibility import filed_for
from engine.runtime.handover import reason_text
from engine.storage.schema import TASKS, ProcessInstance
from engine.views import UserView

if TYPE_CHECKING:
    from engine.runtime.commands import Runtime

PROPERTY = "applicant_withdraws"


def is_applicant(row: ProcessInstance, user: UserView) -> bool:
    return row.started_by == user.username or filed_for(user, row.data)


def _steps(version: LoadedVersion) -> frozenset[str]:
    """The elements the diagram lets the applicant withdraw at."""
    return frozenset(s.bpmn_id for s in version.task_specs()
                     if (getattr(s, "extensions", None) or {}).get(PROPERTY) == "true")


def awaits_decision(session: Session, row: ProcessInstance, version: LoadedVersion) -> bool:
    """Running, with open tasks, each of them one the diagram lets the applicant withdraw at."""
    if row.status != "running":
        return False
    open_elements = set(session.execute(select(TASKS.c.element_id).where(
        TASKS.c.instance_id == row.id, TASKS.c.status == "ready")).scalars())
    return bool(open_elements) and open_elements <= _steps(version)


def withdraw(runtime: Runtime, session: Session, instance_id: int, reason: str | None,
             user: UserView, revision: int | None = None) -> ProcessInstance:
    text = reason_text(reason)
    row, version, workflow, ids = runtime._load(session, instance_id, revision)
    if not is_applicant(row, user) or not _steps(version):  # a procedure without it: none
        raise PermissionDenied(msg("withdrawal.applicants_only"))
    if not awaits_decision(session, row, version):
        raise Conflict(msg("withdrawal.decided"))
    runtime._run(session, row, version, workflow, ids, runtime.clock.now(), "terminated",
                 {"reason": text, "by_applicant": True}, user)
    return row
