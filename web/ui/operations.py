"""The buttons and forms of the everyday case operations: on the task page 转办, 委派, 加签,
退回 and 催办; on the case page 抄送, 意见, 终止, 撤回 and 已阅; and the page of cases copied to
me (抄送我的). Each form posts here and comes back to its page with a message; a refusal the
user can act on (someone was first, a wrong field) is said in the message, a role that may
not is the 403 page. A refused task operation comes back to the task, its form open with what
was typed in it (kept in the session for that one page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import Conflict, InvalidData
from web.errors import localized, localized_fields
from web.ui.auth import current_user, login_required
from web.ui.case import named
from web.ui.util import engine, safe_next

bp = Blueprint("ops", __name__)
TEXT_MAX = 2000


def _text(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    return value[:TEXT_MAX * 2] or None


KEPT = "kuaiban_op_kept"  # session: a refused task operation's form, for its task page
_KEPT_FIELDS = ("to", "to_unit", "reason")


def _done(action: Callable[[], Any], success: str, back: str,
          refused: tuple[str, str] | None = None) -> Response:
    """``refused``: (operation, task id) of a task operation, which on a refusal goes back to
    the task with its form as typed instead of to ``back``."""
    try:
        action()
        flash(success, "success")
        return redirect(back)
    except Conflict as exc:
        said = _("操作未完成：%(detail)s", detail=localized(exc.said))
    except InvalidData as exc:
        said = _("操作未完成：%(detail)s", detail="；".join(localized_fields(exc).values())
                 or localized(exc.said))
    if refused is None:
        flash(said, "error")
        return redirect(back)
    operation, task_id = refused  # said in the form it came from, where the page opens
    session[KEPT] = {"task": task_id, "op": operation, "error": said,
                     **{k: (request.form.get(k) or "")[:TEXT_MAX] for k in _KEPT_FIELDS}}
    return redirect(_task_page(task_id) + f"#op-{operation}")


def kept_operation(task_id: str) -> dict[str, str]:
    """What a refused operation on ``task_id`` had typed (read once), else nothing."""
    kept = session.get(KEPT)
    if not isinstance(kept, dict) or kept.get("task") != task_id:
        return {}
    session.pop(KEPT)
    return {k: str(v) for k, v in kept.items()}


def _task_page(task_id: str) -> str:
    return url_for("tasks.show", task_id=task_id)


def _case_page(instance_id: int) -> str:
    return url_for("instances.show", instance_id=instance_id)


@bp.post("/tasks/<task_id>/transfer")
@login_required
def transfer(task_id: str) -> Response:
    user = current_user()
    to_user, to_unit = _text("to"), _text("to_unit")
    return _done(lambda: engine().ops.transfer(task_id, user, _text("reason"), to_user, to_unit),
                 _("已转办"), url_for("inbox.index"), ("transfer", task_id))


@bp.post("/tasks/<task_id>/delegate")
@login_required
def delegate(task_id: str) -> Response:
    user = current_user()
    return _done(lambda: engine().ops.delegate(task_id, user, _text("to") or "",
                                               _text("reason")),
                 _("已委派，办理后将回到您这里确认"), _task_page(task_id), ("delegate", task_id))


@bp.post("/tasks/<task_id>/add-signer")
@login_required
def add_signer(task_id: str) -> Response:
    user = current_user()
    parallel = request.form.get("parallel") == "on"
    return _done(lambda: engine().ops.add_signer(task_id, user, _text("to") or "",
                                                 _text("reason"), parallel=parallel),
                 _("已加签，会签后将回到您这里"), _task_page(task_id), ("add-signer", task_id))


@bp.post("/tasks/<task_id>/send-back")
@login_required
def send_back(task_id: str) -> Response:
    user = current_user()
    return _done(lambda: engine().ops.send_back(task_id, user, _text("reason"), _text("to")),
                 _("已退回"), url_for("inbox.index"), ("send-back", task_id))


@bp.post("/tasks/<task_id>/urge")
@login_required
def urge(task_id: str) -> Response:
    user = current_user()
    # back to the list it was pressed on (the board's), else the case or the task
    back = safe_next(request.form.get("next")) or (
        _case_page(int(request.form["instance_id"]))
        if (request.form.get("instance_id") or "").isdigit() else _task_page(task_id))
    return _done(lambda: engine().ops.urge(task_id, user, _text("note")), _("已催办"), back)


@bp.post("/tasks/<task_id>/withdraw")
@login_required
def withdraw(task_id: str) -> Response:
    user = current_user()
    instance_id = int(request.form.get("instance_id") or 0)
    back = _case_page(instance_id) if instance_id else url_for("inbox.index")
    return _done(lambda: engine().ops.withdraw(task_id, user), _("已撤回，可重新办理"), back)


@bp.post("/instances/<int:instance_id>/cc")
@login_required
def cc(instance_id: int) -> Response:
    user = current_user()
    return _done(lambda: engine().ops.cc(instance_id, user, _text("to"), _text("to_unit")),
                 _("已抄送"), _case_page(instance_id))


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def comment(instance_id: int) -> Response:
    user = current_user()
    return _done(lambda: engine().ops.comment(instance_id, user, _text("text") or ""),
                 _("意见已记录"), _case_page(instance_id))


@bp.post("/instances/<int:instance_id>/terminate")
@login_required
def terminate(instance_id: int) -> Response:
    user = current_user()
    return _done(lambda: engine().ops.terminate(instance_id, user, _text("reason")),
                 _("案件已终止"), _case_page(instance_id))


@bp.post("/instances/<int:instance_id>/withdraw-application")
@login_required
def withdraw_application(instance_id: int) -> Response:
    """撤回申请: the applicant's own, while its application awaits a decision."""
    user = current_user()
    return _done(lambda: engine().ops.withdraw_application(instance_id, user, _text("reason")),
                 _("申请已撤回"), _case_page(instance_id))


@bp.post("/instances/<int:instance_id>/read")
@login_required
def mark_read(instance_id: int) -> Response:
    engine().ops.mark_read(instance_id, current_user())
    flash(_("已阅"), "success")
    return redirect(_case_page(instance_id))


@bp.get("/copies")
@login_required
def copies() -> str:
    copied = engine().ops.copies(current_user())
    people = engine().shown_names({c.copied_by for c in copied})
    return render_template("copies.html", copies=copied,
                           who=lambda username: named(username, people, with_username=False))
