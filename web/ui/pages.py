"""What every page shares: navigation counts, Jinja filters, and error pages.

Errors are rendered as pages (or as the API's JSON error body under /api/), with a status from
web/errors.py and never a stack trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from engine.errors import EngineError
from engine.views import TaskView
from web.errors import error_body, status_of
from web.ui import fmt
from web.ui.util import engine

log = logging.getLogger("kuaiban.web.ui")

TITLES: dict[int, Any] = {
    400: _l("请求有误"),
    401: _l("请先登录"),
    403: _l("无权访问"),
    404: _l("未找到"),
    405: _l("不支持的操作"),
    409: _l("他人已先行办理"),
    413: _l("上传的文件太大"),
    422: _l("提交的数据有误"),
    500: _l("系统出错"),
}


@dataclass(frozen=True)
class NavCounts:
    mine: int
    overdue: int
    due_today: int
    total: int


def inbox_tasks() -> list[TaskView]:
    """The signed-in user's inbox, read once per request."""
    if "inbox_tasks" not in g:
        g.inbox_tasks = engine().inbox.for_user(g.user.username)
    tasks: list[TaskView] = g.inbox_tasks
    return tasks


def nav_counts() -> NavCounts | None:
    if g.get("user") is None:
        return None
    tasks = inbox_tasks()
    now = engine().clock.now()
    today = fmt.local_time(now, with_time=False)
    due_today = [t for t in tasks if t.due_at is not None and not t.overdue
                 and fmt.local_time(t.due_at, with_time=False) == today]
    return NavCounts(
        mine=sum(1 for t in tasks if t.assignee == g.user.username),
        overdue=sum(1 for t in tasks if t.overdue),
        due_today=len(due_today),
        total=len(tasks),
    )


def init(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=fmt.local_time, role_label=fmt.role_label, status_label=fmt.status_label,
        event_label=fmt.event_label, short_value=fmt.short_value,
    )
    app.jinja_env.globals.update(nav_counts=nav_counts)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"user": g.get("user")}

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str | Response, int]:
        return _page(400, _("表单已过期或缺少安全令牌，请刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str | Response, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return _page(error.code, None)

    @app.errorhandler(EngineError)
    def _engine(error: EngineError) -> tuple[str | Response, int]:
        return _page(status_of(error), error.message, error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str | Response, int]:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _page(500, _("发生了意外错误，已记录。请稍后重试。"))


def _page(status: int, message: str | None, code: str | None = None
          ) -> tuple[str | Response, int]:
    title = str(TITLES.get(status, _("出错了")))
    if request.path.startswith("/api/"):
        return jsonify(error_body(code or f"http_{status}", message or title)), status
    return render_template("error.html", status=status, title=title, message=message), status
