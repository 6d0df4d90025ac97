"""The task page: the task's form rendered from its JSON Schema, the case so far (key data,
history, diagram), and submitting it (engine validation errors beside each field; a stale
submit keeps everything the user typed; a table's 添加一行 shows the form again unsubmitted);
暂存 keeps what was typed for later (engine/runtime/drafts.py), 放弃暂存 drops it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import (
    URGING_ROLES,
    Conflict,
    DraftView,
    EventView,
    InstanceView,
    InvalidData,
    Round,
    TaskView,
    UserView,
    instance_forms,
    lane_title,
    task_form,
)
from web.errors import localized, localized_fields
from web.ui import briefs, fmt, form_posts, forms
from web.ui.auth import current_user, login_required
from web.ui.case import CaseContext, DataRow, case_context
from web.ui.i18n import current_language
from web.ui.operations import kept_operation
from web.ui.util import engine

bp = Blueprint("tasks", __name__)
SAVE_DRAFT = "save_draft"  # the name of the 暂存 button: keep what was typed, submit nothing


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str) -> str:
    eng = engine()
    user = current_user()
    task, schema, fields = _opened(task_id, user)
    instance = eng.instance(task.instance_id, user)
    values = forms.display_values(
        fields, {**forms.earlier_answers(schema, _sees(task, instance.data)),
                 **_part_done(task, user)},
        schema, eng.clock.now())
    draft = eng.drafts.get(task_id, user) if may_work(task, user) else None
    if draft is not None:  # what the user saved to finish later, over the case's values
        values = {**values, **forms.display_values(fields, draft.data)}
    return _render(task, schema, fields, values, {}, instance, draft=draft)


def _opened(task_id: str, user: UserView
            ) -> tuple[TaskView, dict[str, Any] | None, list[forms.Field]]:
    """The task a user opens (its notices are read from then on), its form and fields."""
    eng = engine()
    task = eng.inbox.task(task_id, user)
    eng.notifications.mark_task_read(task_id, user)
    schema = task_form(eng, task_id, user.username)
    fields = forms.fields_of(schema, eng.unit_directory(), eng.person_choices(schema, user),
                             eng.policy_choices(schema), eng.catalogue_choices(schema),
                             task.unit or user.unit)
    return task, schema, fields


def _sees(task: TaskView, data: dict[str, Any]) -> dict[str, Any]:
    """The data a task's form starts from: the case's, with a multi-instance task's own item
    over it (the case holds whichever item was done last)."""
    return {**data, **engine().task_item(task.id, current_user())}


def _part_done(task: TaskView, user: UserView) -> dict[str, object]:
    """What the delegate or the last co-signer entered, for the holder to confirm."""
    if task.status != "ready" or task.assignee != user.username or task.owner is not None:
        return {}
    parts = [e for e in engine().history(task.instance_id, user)
             if e.task_id == task.id and e.type in ("resolved", "signed")]
    data = (parts[-1].payload or {}).get("data") if parts else None
    return dict(data) if isinstance(data, dict) else {}


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str) -> str | Response | tuple[str, int]:
    eng = engine()
    user = current_user()
    task, schema, fields = _opened(task_id, user)
    # an object field's read-only properties are the task's own, whatever is posted
    objects = any(f.kind == "object" for f in fields)
    posted = form_posts.read(fields, request.form,
                        _sees(task, eng.instance(task.instance_id, user).data) if objects
                        else None)
    data, typed = posted.data, posted.typed
    revision = _int(request.form.get("revision"))
    if SAVE_DRAFT in request.form:
        return _save_draft(task, schema, fields, posted, revision)
    if not posted.submits:
        return _unsubmitted(task, schema, fields, posted, revision)
    try:
        done = eng.complete(task_id, data, user, revision=revision,
                            uploads=form_posts.uploads(fields, request.files))
    except InvalidData as exc:
        flash(_("表单填写有误，请按提示修改后重新提交。"), "error")
        current = eng.instance(task.instance_id, user)
        return _render(task, schema, fields,
                       forms.shown_again(fields, typed, _sees(task, current.data), schema),
                       localized_fields(exc), current), 422
    except Conflict as exc:
        fresh = eng.inbox.task(task_id, user)
        current = eng.instance(task.instance_id, user)
        return _render(fresh, schema, fields, typed, {}, current, conflict=localized(exc.said)), 409
    flash(_("已提交：%(case)s %(title)s", case=task.business_key or "", title=task.title),
          "success")
    _flash_urged(done.urged, schema)
    return redirect(url_for("inbox.index"))


def _flash_urged(urged: dict[str, list[str]], schema: dict[str, Any] | None) -> None:
    """What a ticked urging box did: the tasks it urged, or that none was open to urge."""
    properties = (schema or {}).get("properties") or {}
    for name, tasks in urged.items():
        title = (properties.get(name) or {}).get("title") or name
        if tasks:
            flash(_("已催办 %(n)s 项待办（%(box)s）", n=len(tasks), box=title), "info")
        else:
            flash(_("已勾选“%(box)s”，但案件目前没有相应的待办，未发出催办。", box=title), "info")


def _save_draft(task: TaskView, schema: dict[str, Any] | None, fields: list[forms.Field],
                posted: form_posts.Posted, revision: int | None) -> Response | tuple[str, int]:
    """暂存: what was typed is kept for the user, unchecked by the form and without its files;
    the task stays open (claimed for them when it was in the pool). A value no field can hold
    is named beside its field."""
    eng = engine()
    user = current_user()
    try:
        saved = eng.drafts.save(task.id, form_posts.draft_data(fields, posted), user)
    except (InvalidData, Conflict) as exc:
        flash(_("暂存未成功：%(detail)s", detail=localized(exc.said)), "error")
        errors = localized_fields(exc) if isinstance(exc, InvalidData) else {}
        current = eng.instance(task.instance_id, user)
        values = forms.shown_again(fields, posted.typed, current.data, schema)
        page = _render(eng.inbox.task(task.id, user), schema, fields, values, errors, current,
                       revision=revision, reshown=True)
        return page, 422 if isinstance(exc, InvalidData) else 409
    if saved.claimed:  # it was in the pool: theirs now, so no colleague takes it meanwhile
        flash(_("已暂存，并已为您认领此任务。您可以稍后回到此任务继续填写。"), "success")
    else:
        flash(_("已暂存。您可以稍后回到此任务继续填写。"), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.post("/tasks/<task_id>/draft/discard")
@login_required
def discard_draft(task_id: str) -> Response:
    """放弃暂存: the user's draft of the task is deleted; the form shows the case's values."""
    if engine().drafts.discard(task_id, current_user()):
        flash(_("已放弃暂存的内容。"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


def _unsubmitted(task: TaskView, schema: dict[str, Any] | None, fields: list[forms.Field],
                 posted: form_posts.Posted, revision: int | None) -> tuple[str, int]:
    """The form shown again, not submitted: after 添加一行 (with a blank row more), or with a
    paste that does not fit its table (kept in its box, and why)."""
    user = current_user()
    current = engine().instance(task.instance_id, user)
    refused = {key: localized(said) for key, said in posted.refused.items()}
    if refused:
        flash(_("表单填写有误，请按提示修改后重新提交。"), "error")
    values = forms.shown_again(fields, posted.typed, _sees(task, current.data), schema)
    page = _render(task, schema, fields, values, refused, current, revision=revision,
                   reshown=True)
    return page, 422 if refused else 200


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _render(task: TaskView, schema: dict[str, Any] | None, fields: list[forms.Field],
            values: dict[str, forms.Display], errors: dict[str, str], instance: InstanceView,
            conflict: str | None = None, revision: int | None = None,
            reshown: bool = False, draft: DraftView | None = None) -> str:
    """``revision``: the one the form was first shown at, when it is shown again unsubmitted
    (a later submit still meets a change made meanwhile); ``reshown``: shown again after
    添加一行, so the file pickers say to choose their files again; ``draft``: the user's 暂存
    shown in the form."""
    eng = engine()
    user = current_user()
    schemas = instance_forms(eng, task.instance_id)
    context = case_context(task.instance_id, user.username, schemas, instance)
    revision = instance.revision if revision is None else revision
    field_names = {f.name for f in fields}
    general = {k: v for k, v in errors.items() if k not in field_names}
    works = may_work(task, user)
    # the case a field names (a 提级核查's clue) shows in brief, not again among the related
    named = briefs.references(task.instance_id, user)
    related = [] if context.applicant else eng.related(task.instance_id, user)
    return render_template(
        "task.html", task=task, schema=schema, fields=fields, values=values, errors=errors,
        files_by_sha={f.sha256: f for f in context.files},
        general_errors=general, revision=revision, conflict=conflict, case=context,
        reshown=reshown, draft=draft,
        # a second tab's submission of what this user already did is no one else's work
        done_by_me=task.status != "ready" and task.completed_by == user.username,
        # the inbox's 剩余 / 已超期 N 个工作日, for the task still open
        countdown=fmt.countdown(task.due_at, eng.clock.now(), eng.calendar())
        if task.status == "ready" and task.due_at else None,
        has_files=any(f.kind == "files" and not f.readonly for f in fields),
        may_work=works,
        # the diagram's name for the role where it has its own (信用主管部门, a 责任单位)
        role_title=lane_title(eng, task) if current_language() == "zh" else None,
        steps=eng.ops.send_back_steps(task.id, user) if works and not task.owner else [],
        # 催办 presses whoever holds the task: not one's own
        may_urge=bool(URGING_ROLES & set(user.roles)) and not works,
        handover_people=eng.ops.handover_people(task.id, user) if works else [],
        handover_units=eng.ops.handover_units(task.id) if works else [],
        kept_op=kept_operation(task.id) if works else {},
        sent_back=_sent_back(task, context.events),
        urged=_urged(task, context.events) if task.urged_count else None,
        decided_back=decided_back(task, context, schemas),
        previous_round=previous_round(task, context, schemas,
                                      eng.inbox.rounds([task.id]).get(task.id)),
        related=[r for r in related if r.id not in named.ids],
        references=named,
    )


def may_work(task: TaskView, user: UserView) -> bool:
    """Whether the open task is the user's to work now (theirs or their pool's, or theirs to
    co-sign): the task page offers its form and operations, and no 催办 of it."""
    co_signing = task.owner is not None and task.owner == task.assignee
    return task.status == "ready" and (
        (task.assignee in (None, user.username) and not (co_signing and task.signers)
         and (user.has_role(task.role) or task.assignee == user.username))
        or (co_signing and user.username in task.signers))


def _sent_back(task: TaskView, events: list[EventView]) -> EventView | None:
    """The send back that made this open task, if one did: its reason is for the holder."""
    for event in reversed(events):
        if event.type in ("sent_back", "completed", "withdrawn"):
            payload = event.payload or {}
            if event.type == "sent_back" and payload.get("to_element") == task.name \
                    and task.status == "ready":
                return event
            return None
    return None


def _urged(task: TaskView, events: list[EventView]) -> EventView | None:
    """The latest 催办 of the task: the holder reads who pressed, when, and their note."""
    return next((e for e in reversed(events) if e.type == "urged" and e.task_id == task.id),
                None)


@dataclass(frozen=True)
class DecidedBack:
    """A decision that sent the task back to be done again, for its holder: who, when, on
    which step, and what they decided and said (审批结果 退回重拟, 审批意见 …)."""

    event: EventView
    step: str  # the deciding task's title
    said: list[DataRow]


def decided_back(task: TaskView, case: CaseContext, schemas: dict[str, dict[str, Any]]
                 ) -> DecidedBack | None:
    """The decision that brought the case back to this open task after it had been done: the
    completion of a later step whose form asks its decision afresh each time (``"x-default":
    "blank"``, an approval's 退回重拟 and its comment). None once anything else moved the task
    since (a send back or withdrawal) and for a step that comes round by itself."""
    if task.status != "ready":
        return None
    events = case.events
    for i in range(len(events) - 1, -1, -1):
        payload = events[i].payload or {}
        if payload.get("to_element") != task.name and not any(
                step[-1] == task.name for step in payload.get("steps") or ()):
            continue  # did not move this step
        event = events[i]
        if event.type != "completed" or payload.get("element_id") == task.name \
                or not any(e.type == "completed" and (e.payload or {}).get("element_id")
                           == task.name for e in events[:i]):
            return None
        form = next((t.form_key for t in case.tasks if t.id == event.task_id), None)
        props = (schemas.get(form or "") or {}).get("properties") or {}
        asked = {k for k, p in props.items() if isinstance(p, dict)
                 and p.get("x-default") == "blank"}
        item = case.step(event.seq)
        if not asked or item is None:
            return None
        return DecidedBack(event, item.title, [r for r in item.details if r.name in asked
                                               and r.value not in (None, "")])
    return None


@dataclass(frozen=True)
class PreviousRound:
    """The round before of a step opened again in its case (an approval of a proposal
    submitted anew): what was decided and said then, by whom and when."""

    number: int  # this task's round: 2 the second time
    task: TaskView  # the round before's task
    said: list[DataRow]
    # what the steps since changed of what the case held (a redone proposal's corrections)
    changed: list[DataRow] = field(default_factory=list)


def previous_round(task: TaskView, case: CaseContext, schemas: dict[str, dict[str, Any]],
                   found: Round | None) -> PreviousRound | None:
    """The round before ``task``'s (``found``, engine/queries/rounds.py): its form's fields
    asked afresh each time (``"x-default": "blank"``, an approval's 审批结果 and 审批意见) as
    submitted then, or all it submitted where none is; nothing said when it was not done or
    the reader does not see its step."""
    before = next((t for t in case.tasks if found and t.id == found.previous), None)
    if found is None or before is None:
        return None
    done = next((e for e in reversed(case.events)
                 if e.type == "completed" and e.task_id == before.id), None)
    item = case.step(done.seq) if done is not None else None
    props = (schemas.get(before.form_key or "") or {}).get("properties") or {}
    asked = {k for k, p in props.items() if isinstance(p, dict) and p.get("x-default") == "blank"}
    said = [r for r in item.details if (not asked or r.name in asked)
            and r.value not in (None, "")] if item is not None else []
    since = done.seq if done is not None else 0
    changed = [r for step in case.timeline if step.seq > since
               for r in step.details if r.was is not None]
    return PreviousRound(found.number, before, said, changed)
