"""The instance page: status, data, the diagram with the path taken and the current tasks,
and the timeline of events. Anyone with a part in the case (and auditors, designers) may read
it; the engine decides."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import (
    TERMINATING_ROLES,
    URGING_ROLES,
    batch_payouts,
    instance_forms,
    instance_path,
    outcome_of,
)
from web.ui import briefs
from web.ui.auth import current_user, login_required
from web.ui.case import case_context, sees_step
from web.ui.pages import TITLES
from web.ui.tasks import may_work
from web.ui.util import engine

bp = Blueprint("instances", __name__)


def _at(refuse: bool = True) -> int | None:
    """``?at=N``: the case as it stood after event N (time travel). Not a step number: 400,
    or 0 when not ``refuse`` (no event has it)."""
    text = request.args.get("at")
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1:
        if refuse:
            abort(400)
        return 0
    return int(text)


def _no_such_step(instance_id: int, status: int) -> tuple[str, int]:
    """Time travel to a step the case does not have (or the reader does not see): said, with
    the way back to the case."""
    message = _("办理经过中没有要回溯的这一步。请回到案件，在办理经过中点选“回溯到此”。")
    back = {"url": url_for("instances.show", instance_id=instance_id), "label": _("返回案件")}
    return render_template("error.html", status=status, title=TITLES[status],
                           message=message, back=back), status


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> str | tuple[str, int]:
    eng = engine()
    user = current_user()
    context = case_context(instance_id, user.username, instance_forms(eng, instance_id))
    at = _at(refuse=False)
    if at == 0:
        return _no_such_step(instance_id, 400)
    if at is not None and context.step(at) is None:
        # past the last step, or one the reader's 办理经过 does not list
        return _no_such_step(instance_id, 404)
    snapshot = eng.state_at(instance_id, at, user) if at is not None else None
    openable = eng.inbox.openable([t.id for t in context.instance.tasks], user.username)
    named = briefs.references(instance_id, user)
    return render_template("instance.html", case=context, at=at, snapshot=snapshot,
                           beside=context.steps_beside(at) if at is not None else (None, None),
                           outcome=outcome_of(context.instance.data),
                           payouts=batch_payouts(eng, context.instance),
                           files=context.files,
                           receipt=eng.dossier.receipt(context.files),
                           templates=eng.dossier.templates(instance_id, user),
                           may_add=eng.dossier.may_add(instance_id, user),
                           field_labels={r.name: r.label for r in context.data},
                           may_terminate=bool(TERMINATING_ROLES & set(user.roles)),
                           may_urge=bool(URGING_ROLES & set(user.roles)),
                           openable=openable,
                           # 催办 presses whoever holds a task: not beside one's own
                           own={t.id for t in context.instance.tasks
                                if t.id in openable and may_work(t, user)},
                           withdrawable=eng.ops.withdrawable(instance_id, user),
                           may_withdraw_application=eng.ops.may_withdraw_application(
                               instance_id, user),
                           # the case a field names shows in brief, not again as related
                           related=[r for r in ([] if context.applicant
                                                else eng.related(instance_id, user))
                                    if r.id not in named.ids],
                           references=named,
                           waits=[] if context.applicant else eng.waiting(instance_id, user),
                           offer=eng.ops.offer(instance_id, user),
                           unread_copy=any(c.instance_id == instance_id for c in
                                           eng.ops.copies(user, unread_only=True)))


@bp.get("/instances/<int:instance_id>/print")
@login_required
def print_sheet(instance_id: int) -> str:
    """办理单: the case on A4 for the paper file: its data and every step of its 办理经过
    with who did it, when and what they said, as the reader may see them."""
    eng = engine()
    user = current_user()
    context = case_context(instance_id, user.username, instance_forms(eng, instance_id))
    return render_template("case_print.html", case=context, printed_at=eng.clock.now(),
                           printed_by=user.display_name,
                           outcome=outcome_of(context.instance.data))


@bp.get("/instances/<int:instance_id>/diagram.json")
@login_required
def diagram(instance_id: int) -> Response:
    user = current_user()
    at = _at()
    path = instance_path(engine(), instance_id, user.username, upto=at)  # a case it reads
    if at is not None and not sees_step(user):
        abort(403)  # an applicant: time travel is the staff's (engine state_at)
    return jsonify(xml=path.diagram.xml, completed=path.completed, active=path.active,
                   flows=path.flows)
