"""退回补正 as commands of their own (HTTP API and command line; the web page does the same by
its forms): the department sends an application back for supplements, the applicant
resubmits.

Which steps may ask is the form's to say, as on the page: a decision form (``decision``)
that offers the choice ``supplement`` and has the list field ``supplement_items`` (a
subsidy's 审批 and 出具审批结果). Asking completes that step with the choice and the list, so
the diagram's 退回补正 branch runs, and needs exactly what completing it needs (the role and
the unit; a step held by someone else is theirs). The answer is the open step whose form
shows the list read-only (补正材料, given to the applicant); only the applicant resubmits
(engine/runtime/withdrawal.py ``is_applicant``: who filed the case, or for an enterprise the
cases filed with its 统一社会信用代码), with the data that form asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, PermissionDenied, refused
from engine.messages import msg
from engine.runtime import withdrawal
from engine.runtime.locking import check_may_complete
from engine.storage.schema import TASKS, ProcessInstance, Task
from engine.views import UserView

DECISION = "decision"
ASKED = "supplement"  # the decision's choice 退回补正
ITEMS = "supplement_items"  # the list told once (一次性告知)
ITEMS_MAX = 4000


def _properties(schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
    props = (schema or {}).get("properties")
    return props if isinstance(props, Mapping) else {}


def offers_supplement(schema: Mapping[str, Any] | None) -> bool:
    """The form's decision offers 退回补正, with its list."""
    props = _properties(schema)
    decision = props.get(DECISION)
    if not isinstance(decision, Mapping) or ITEMS not in props:
        return False
    choices = [c.get("const") for c in decision.get("oneOf") or () if isinstance(c, Mapping)]
    return ASKED in choices or ASKED in (decision.get("enum") or ())


def answers_supplement(schema: Mapping[str, Any] | None) -> bool:
    """The form shows the list asked for, read-only: the applicant's 补正材料."""
    items = _properties(schema).get(ITEMS)
    return isinstance(items, Mapping) and items.get("readOnly") is True


def items_text(items: str | None) -> str:
    """The list is required: asking for supplements without saying which is no 一次性告知."""
    text = (items or "").strip()
    if not text:
        raise refused("items", msg("supplement.items_missing"))
    if len(text) > ITEMS_MAX:
        raise refused("items", msg("supplement.items_too_long", limit=ITEMS_MAX))
    return text


def check_may_ask(session: Session, version: LoadedVersion, task_row: Task,
                  user: UserView) -> None:
    """Whoever may complete the step (PermissionDenied / Conflict as completing it), then
    Conflict unless its form offers 退回补正."""
    check_may_complete(session, task_row, user)
    if not offers_supplement(version.form(task_row.form_key)):
        raise Conflict(msg("supplement.not_offered", step=task_row.name))


def asked_data(items: str, opinion: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {DECISION: ASKED, ITEMS: items}
    if opinion and opinion.strip():
        data["opinion"] = opinion.strip()
    return data


def open_answer(session: Session, row: ProcessInstance, version: LoadedVersion,
                user: UserView) -> str:
    """The id of the case's open 补正材料 step: PermissionDenied unless ``user`` is the
    applicant of a procedure that has one, Conflict while no supplement is asked."""
    if not withdrawal.is_applicant(row, user) \
            or not any(answers_supplement(form) for form in version.forms.values()):
        raise PermissionDenied(msg("supplement.applicants_only"))  # a procedure without: none
    open_rows = session.execute(select(TASKS.c.id, TASKS.c.form_key).where(
        TASKS.c.instance_id == row.id, TASKS.c.status == "ready").order_by(TASKS.c.id))
    for task_id, form_key in open_rows:
        if form_key and answers_supplement(version.form(form_key)):
            return str(task_id)
    raise Conflict(msg("supplement.not_asked"))
