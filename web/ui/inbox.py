"""The inbox: the user's own tasks and unclaimed tasks of their roles in their unit, with
working-day countdowns, filters, and claim/unclaim."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.errors import Conflict
from web.ui import fmt
from web.ui.auth import current_user, login_required
from web.ui.pages import inbox_tasks
from web.ui.util import engine, safe_next

bp = Blueprint("inbox", __name__)
FILTERS = ("all", "mine", "overdue", "today")


@bp.get("/")
@login_required
def index() -> str:
    eng = engine()
    show = request.args.get("show", "all")
    if show not in FILTERS:
        show = "all"
    process = request.args.get("process") or None
    now = eng.clock.now()
    calendar = eng.calendar()
    user = current_user()
    tasks = inbox_tasks()
    processes = {p.key: p.name for p in eng.processes()}
    in_inbox = sorted({t.process_key for t in tasks})
    if process:
        tasks = [t for t in tasks if t.process_key == process]
    rows = []
    for task in tasks:
        css, text = fmt.countdown(task.due_at, now, calendar)
        if show == "mine" and task.assignee != user.username:
            continue
        if show == "overdue" and not task.overdue:
            continue
        if show == "today" and css != "today":
            continue
        rows.append((task, css, text))
    return render_template("inbox.html", rows=rows, show=show, process=process,
                           processes=processes, in_inbox=in_inbox)


def _back() -> Response:
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("inbox.index"))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    return _assign(task_id, claim=True)


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> Response:
    return _assign(task_id, claim=False)


def _assign(task_id: str, claim: bool) -> Response:
    eng = engine()
    user = current_user()
    # 403/404 page when not the user's to see or to work (an auditor sees but may not claim);
    # only "someone else was first" comes back to the list with a message
    task = eng.inbox.task(task_id, user)
    try:
        if claim:
            eng.claim(task_id, user)
            flash(_("已认领：%(title)s", title=task.title), "success")
        else:
            eng.unclaim(task_id, user)
            flash(_("已退回待认领：%(title)s", title=task.title), "success")
    except Conflict as exc:
        flash(_("操作未完成：他人已先行办理或认领（%(detail)s）", detail=exc.message), "error")
    return _back()
