"""The notification centre: the bell's unread count on every page, the list (newest first,
a page at a time), opening one (it is then read), marking one or all read, and the user's
choice of channels per kind."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from engine import (
    NOTIFICATION_CHANNELS,
    NOTIFICATION_KINDS,
    EngineError,
    NotificationView,
    UserView,
)
from web.ui.auth import current_user, login_required
from web.ui.util import engine, safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE = 30

KIND_LABELS: dict[str, Any] = {
    "task_arrived": _l("新待办"),
    "due_tomorrow": _l("明日到期"),
    "due_today": _l("今日到期"),
    "overdue": _l("已超期"),
    "urged": _l("催办"),
    "cc": _l("抄送"),
    "sent_back": _l("退回"),
    "transferred": _l("转办"),
    "delegated": _l("委派"),
    "decided": _l("办理结果"),
    "supplement": _l("补正通知"),
}
CHANNEL_LABELS: dict[str, Any] = {"email": _l("电子邮件"), "webhook": _l("工作群机器人")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def unread_notifications() -> int:
    """The bell's count for the signed-in user: one indexed count, once per request."""
    user: UserView | None = g.get("user")
    if user is None:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = engine().notifications.unread_count(user)
    count: int = g.unread_notifications
    return count


@bp.get("")
@login_required
def index() -> str:
    only_unread = request.args.get("show") == "unread"
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:
        before = None
    kind = request.args.get("kind")
    if kind not in NOTIFICATION_KINDS:  # none chosen, or a stale link's: every kind
        kind = None
    found = engine().notifications.for_user(current_user(), unread=only_unread, before=before,
                                            limit=PAGE + 1, kind=kind)
    return render_template("notifications.html", notes=found[:PAGE], more=len(found) > PAGE,
                           only_unread=only_unread, before=before, kind=kind,
                           kinds=NOTIFICATION_KINDS)


@bp.get("/<int:notification_id>/open")
@login_required
def open_one(notification_id: int) -> Response:
    """Read it and go to what it is about: the task while the user may still work on it,
    else the case if they may read it, else back to the list."""
    eng, user = engine(), current_user()
    note = eng.notifications.mark_read(notification_id, user)
    target = _target(note, user)
    if target is None:
        flash(_("相关待办已办理或不再由您办理。"), "info")
        return redirect(url_for("notifications.index"))
    return redirect(target)


def _target(note: NotificationView, user: UserView) -> str | None:
    """The task, else the case, else the enterprise's own payout of a 免申即享 batch (whose
    case it does not read)."""
    eng = engine()
    if note.task_id is not None:
        try:
            if eng.inbox.task(note.task_id, user).status == "ready":
                return url_for("tasks.show", task_id=note.task_id)
        except EngineError:
            pass
    if note.instance_id is not None:
        try:
            eng.instance(note.instance_id, user)
            return url_for("instances.show", instance_id=note.instance_id)
        except EngineError:
            pass
        try:
            eng.own_payouts.in_batch(note.instance_id, user)
            return url_for("own_payouts.show", instance_id=note.instance_id)
        except EngineError:
            pass
    return None


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    engine().notifications.mark_read(notification_id, current_user())
    return redirect(safe_next(request.form.get("next")) or url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all() -> Response:
    count = engine().notifications.mark_all_read(current_user())
    flash(_("已将 %(num)d 条通知标为已读", num=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    notes, user = engine().notifications, current_user()
    if request.method == "POST":
        chosen = set(request.form.getlist("on"))
        notes.set_preferences(user, {c: {k: f"{c}.{k}" in chosen for k in NOTIFICATION_KINDS}
                                     for c in NOTIFICATION_CHANNELS})
        flash(_("提醒设置已保存"), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notification_settings.html", prefs=notes.preferences(user),
                           kinds=NOTIFICATION_KINDS, channels=NOTIFICATION_CHANNELS,
                           channel_labels=CHANNEL_LABELS)
