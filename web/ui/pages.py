"""What every page shares: navigation counts, Jinja filters, and error pages.

Errors are rendered as pages (or as the API's JSON error body under /api/), with a status from
web/errors.py and never a stack trace.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from flask import Flask, Request, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from engine import EngineError, InboxCounts, Msg
from web.api.inputs import bad_text
from web.errors import error_body, headers_of, localized, status_of
from web.ui import fmt, stats_text
from web.ui.i18n import current_language
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
    429: _l("尝试次数过多"),
    500: _l("系统出错"),
}


def nav_counts() -> InboxCounts | None:
    """The header's counts over the signed-in user's whole inbox, read once per request."""
    if g.get("user") is None:
        return None
    if "inbox_counts" not in g:
        g.inbox_counts = engine().inbox.counts(g.user)
    counts: InboxCounts = g.inbox_counts
    return counts


def due_note(due_at: datetime | None) -> str:
    """fmt.provisional_due on this request's calendar (read once per request)."""
    if due_at is None:
        return ""
    if "work_calendar" not in g:
        g.work_calendar = engine().calendar()
    return fmt.provisional_due(due_at, engine().clock.now(), g.work_calendar)


MAX_ID = 2**31 - 1  # ids and version numbers are database integers


class DatabaseInt(IntegerConverter):
    """``<int:...>`` in a page's URL: at most ``MAX_ID``; a larger number names nothing (404)
    instead of overflowing the database driver (a 500)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# The endpoints that take case files (the others keep MAX_CONTENT_LENGTH for any body).
UPLOADS = frozenset({"tasks.submit", "start.submit", "files.upload", "api.complete",
                     "api.start_instance", "api.attachments"})


class FormRequest(Request):
    """A URL-encoded form body is limited to ``MAX_FORM_MEMORY_SIZE`` (500 kB), like each field
    of a multipart form: Werkzeug decodes it all at once, and each percent escape costs a
    Python object (8 MB of ``%41`` took half a gigabyte and seconds). A multipart body (file
    uploads, written to temporary files as they arrive) to an endpoint that takes case files
    may reach ``KUAIBAN_UPLOAD_MAX_BYTES`` (the engine's upload setting); other bodies keep
    ``MAX_CONTENT_LENGTH``."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.mimetype == MULTIPART and self.endpoint in UPLOADS and current_app:
            return int(current_app.config.get("KUAIBAN_UPLOAD_MAX_BYTES") or limit or 0) \
                or None
        if self.mimetype != URLENCODED:
            return limit
        form_limit = self.max_form_memory_size
        if form_limit is None:
            return limit
        return form_limit if limit is None else min(limit, form_limit)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if self.mimetype == URLENCODED and self.content_length is None:
            # Sent without Content-Length (chunked), the body was read up to the limit and
            # silently cut there; one more byte tells whether it went on (413, is_max).
            self.stream.read(1)


def init(app: Flask) -> None:
    """Before the UI blueprints are registered: their ``<int:...>`` parts are bounded; forms
    are read by ``FormRequest``."""
    app.url_map.converters["int"] = DatabaseInt
    app.request_class = FormRequest
    app.jinja_env.filters.update(
        local_time=fmt.local_time, due_time=fmt.due_time, role_label=fmt.role_label,
        status_label=fmt.status_label,
        case_status_label=fmt.case_status_label,
        event_label=fmt.event_label, short_value=fmt.short_value, print_step=fmt.print_step,
        unbroken=fmt.unbroken, time_span=fmt.time_span,
        bpmn_kind=fmt.bpmn_kind, diff_what=fmt.diff_what, read_via=fmt.read_via,
        ledger_cell=fmt.ledger_cell, money=fmt.money, stats_text=stats_text.stats_text,
        stats_filter_field=stats_text.filter_field,
    )
    app.jinja_env.globals.update(nav_counts=nav_counts, case_label=fmt.case_label,
                                 due_note=due_note)
    app.before_request(_refuse_bad_text)

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
    def _engine(error: EngineError) -> tuple[str | Response, int, dict[str, str]]:
        return (*_page(status_of(error), localized(error.said), error.code, error.said),
                headers_of(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str | Response, int]:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _page(500, _("发生了意外错误，已记录。请稍后重试。"))


def _refuse_bad_text() -> tuple[str | Response, int] | None:
    """A 400 page for a NUL character (or a lone surrogate) in a page's path, query or posted
    form, before it reaches the database: PostgreSQL refuses NUL in text, and no form needs it.
    The API checks its own input (web/api/inputs.py)."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return None
    texts = [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    texts += [t for pair in request.args.items(multi=True) for t in pair]
    if request.method == "POST" and request.mimetype in (URLENCODED, "multipart/form-data"):
        texts += [t for pair in request.form.items(multi=True) for t in pair]
    if any(bad_text(t) for t in texts):
        return _page(400, None)
    return None


# What a page says when a message is not in the reader's language (a verbatim text, such as a
# library's own English; the page keeps it, smaller, for whoever reports it).
EXPLAINED: dict[int, Any] = {
    400: _l("请求有误，请检查后重试。"),
    403: _l("您的角色或单位不能进行此操作。"),
    404: _l("要找的案件、任务或文件不存在，或者您无权查看。"),
    409: _l("案件刚被他人办理或修改，请刷新页面后重试。"),
    422: _l("提交的内容有误，请检查后重试。"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _page(status: int, message: str | None, code: str | None = None, text: Msg | None = None
          ) -> tuple[str | Response, int]:
    title = str(TITLES.get(status, _("出错了")))
    if request.path.startswith("/api/"):
        return jsonify(error_body(code or f"http_{status}", message or title, None, text)), status
    detail = None
    if message and current_language() == "zh" and not _CJK.search(message):
        message, detail = str(EXPLAINED.get(status, title)), message
    return render_template("error.html", status=status, title=title, message=message,
                           detail=detail, error_page=True), status
