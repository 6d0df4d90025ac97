"""The signed-in user's own account: change the password (the current one first; every other
session and API token of the user is signed out, this one is renewed) and sign out everywhere.
An administrator resets a forgotten password with ``kuaiban users set-password NAME``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import InvalidData, Throttled
from web.errors import localized_fields
from web.ui.auth import current_user, login_required, start_session
from web.ui.util import engine

bp = Blueprint("account", __name__)


@bp.get("/account/password")
@login_required
def password_form() -> str:
    return render_template("account_password.html", errors={})


@bp.post("/account/password")
@login_required
def change_password() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    user = current_user()
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        errors = {"confirm_password": _("两次输入的新密码不一致")}
        return render_template("account_password.html", errors=errors), 422
    try:
        renewed = engine().accounts.change_password(user.username, current, new,
                                                    request.remote_addr)
    except InvalidData as exc:
        return render_template("account_password.html", errors=localized_fields(exc)), 422
    except Throttled as exc:
        errors = {"current_password": _("登录失败次数过多，请稍后再试。")}
        page = render_template("account_password.html", errors=errors)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    start_session(renewed)
    flash(_("密码已修改；其他设备上的登录已退出。"), "info")
    return redirect(url_for("inbox.index"))
