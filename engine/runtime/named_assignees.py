"""A step the diagram gives to the person the case names: the camunda property ``assignee``
of a user task is an expression on the case's data that gives a username (``owner``: the
clue's 专人), or ``applicant`` (whoever filed the case: engine/runtime/mirror.py).

The new task goes straight to that user when the user is active and may work it (its role
and unit, as engine/org/scope.py says); otherwise, or when the expression gives no name, it
goes to the pool: nobody is given a step they may not do. A step sent back or coming round
again goes where engine/runtime/returns.py puts it (whoever did it before, or the pool with
``back_to`` = ``pool``), which comes first.

The answer depends on the users table of the moment: the command records it with its event
(``RECORD``: task id -> user), as returns.py records its own.
"""

from __future__ import annotations

from collections.abc import Collection

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.org import directory, scope, users
from engine.org.roles import role_for_lane
from engine.runtime import mirror

PROPERTY = "assignee"  # the camunda property of a user task
RECORD = "named"  # the event payload's key: task id -> the user the diagram named


def assignees(session: Session, workflow: BpmnWorkflow, known_open: Collection[str],
              evaluate: mirror.Evaluate) -> dict[str, str]:
    """For the new user tasks (not in ``known_open``) whose diagram names an assignee by an
    expression: task id -> the user named, for those who may work the task."""
    out: dict[str, str] = {}
    units: directory.Directory | None = None
    for task in mirror.ready_user_tasks(workflow):
        ext: dict[str, str] = getattr(task.task_spec, "extensions", None) or {}
        source = ext.get(PROPERTY)
        if not source or source == mirror.APPLICANT or str(task.id) in known_open:
            continue
        named = mirror.run_expression(evaluate, source, task, PROPERTY)
        if not isinstance(named, str) or not named.strip() or named == users.SYSTEM.username:
            continue
        try:
            user = users.get(session, named.strip())
        except NotFound:  # no such user, or deactivated
            continue
        role = role_for_lane(task.task_spec.lane)
        if units is None:
            units = directory.load(session)
        unit = mirror.task_unit(task, evaluate, units)
        if role is not None and scope.acts_on(user, role.id, unit):
            out[str(task.id)] = user.username
    return out
