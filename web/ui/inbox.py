"""The inbox: the user's own tasks and unclaimed tasks of their roles in their unit, with
working-day countdowns, filters, a page at a time in inbox order, and claim/unclaim."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import Conflict, InboxFilter, WorkCalendar, end_of_today
from web.errors import localized
from web.ui import fmt
from web.ui.auth import applies_only, current_user, login_required
from web.ui.pages import nav_counts
from web.ui.util import engine, safe_next

bp = Blueprint("inbox", __name__)
FILTERS = ("all", "mine", "overdue", "today")


@bp.get("/")
@login_required
def index() -> str | Response:
    if applies_only(current_user()):  # its home: 我的申请
        return redirect(url_for("cases.applications"))
    eng = engine()
    show = request.args.get("show", "all")
    if show not in FILTERS:
        show = "all"
    process = request.args.get("process") or None
    after = request.args.get("after") or None
    before = None if after else request.args.get("before") or None
    now = eng.clock.now()
    calendar = eng.calendar()
    page = eng.inbox.page(current_user(), _tab(show, process, now, calendar),
                          after=after, before=before)
    rows = [(task, *fmt.countdown(task.due_at, now, calendar)) for task in page.tasks]
    counts = nav_counts()
    return render_template("inbox.html", rows=rows, page=page, show=show, process=process,
                           processes={p.key: p.name for p in eng.processes()},
                           people=eng.shown_names(name for t in page.tasks
                                                    for name in (t.assignee, t.returned_by)
                                                    if name),
                           drafted=eng.drafts.marked([t.id for t in page.tasks], current_user()),
                           rounds=eng.inbox.rounds([t.id for t in page.tasks]),
                           in_inbox=counts.processes if counts else ())


def _tab(show: str, process: str | None, now: datetime, calendar: WorkCalendar
         ) -> InboxFilter:
    if show == "mine":
        return InboxFilter(process=process, assignee_me=True)
    if show == "overdue":
        return InboxFilter(process=process, overdue=True)
    if show == "today":
        return InboxFilter(process=process, overdue=False,
                           due_before=end_of_today(now, calendar))
    return InboxFilter(process=process)


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
            flash(_("已取消认领：%(title)s", title=task.title), "success")
    except Conflict as exc:
        flash(_("操作未完成：他人已先行办理或认领（%(detail)s）", detail=localized(exc.said)),
              "error")
    return _back()
