"""The signed-in user's own account: change the password (the current one first; every other
session and API token of the user is signed out, this one is renewed) and sign out everywhere.
An administrator resets a forgotten password with ``kuaiban users set-password NAME``.

个人信息 (``/account/profile``): the user's name, username, unit and roles, shown (an
administrator's to change), and their e-mail address, office telephone and language, which
only they change here (the page acts on the signed-in user, never on a name it is given)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response

from engine import InvalidData, Profile, Throttled
from web.errors import localized_fields
from web.ui.auth import current_user, login_required, start_session
from web.ui.i18n import LANGUAGES
from web.ui.util import engine

bp = Blueprint("account", __name__)
SHOWN = 300  # characters of a refused value the form shows again


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


@bp.get("/account/profile")
@login_required
def profile_form() -> str:
    found = engine().accounts.profile(current_user().username)
    return _profile_page(found, _values(found), {})


@bp.post("/account/profile")
@login_required
def save_profile() -> str | Response | tuple[str, int]:
    eng, user = engine(), current_user()
    before = eng.accounts.profile(user.username)
    given = {name: request.form.get(name, "") for name in ("email", "phone", "language")}
    try:
        saved = eng.accounts.update_profile(user.username, **given)
    except InvalidData as exc:
        shown = {name: text[:SHOWN] for name, text in given.items()}
        return _profile_page(before, shown, localized_fields(exc)), 422
    if saved.language != before.language:  # chosen here: the pages follow it now
        if saved.language in LANGUAGES:
            session["lang"] = saved.language
        else:
            session.pop("lang", None)
        refresh()  # the message below in the language just chosen
    flash(_("个人信息已保存"), "success")
    return redirect(url_for("account.profile_form"))


def _values(found: Profile) -> dict[str, str]:
    """What the form shows: the stored details, the language "" when none is stored (the
    default, an option of its own: saving the other details never stores a language the
    user did not pick)."""
    return {"email": found.email or "", "phone": found.phone or "",
            "language": found.language or ""}


def _profile_page(found: Profile, values: dict[str, str], errors: dict[str, str]) -> str:
    return render_template("account_profile.html", profile=found, values=values,
                           errors=errors)
