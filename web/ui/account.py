"""The signed-in user's own account: change the password (the current one first; every other
session and API token of the user is signed out, this one is renewed) and sign out everywhere.
An administrator resets a forgotten password with ``kuaiban users set-password NAME``.

个人信息 (``/account/profile``): the user's name, username, unit and roles, shown (an
administrator's to change), and their e-mail address, office telephone and language, which
only they change here (the page acts on the signed-in user, never on a name it is given).

常用意见 (``/account/phrases``): the user's own phrases (engine/org/phrases.py), added,
removed, moved up or down and reset to their roles' defaults by one form per action, each
acting on the signed-in user's list; task forms offer them beside comment fields, whose pickers
read the list afresh from ``/account/phrases.json`` when opened (one added in another tab is
there without a reload)."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response

from engine import MAX_PHRASES, PHRASE_MAX_LENGTH, InvalidData, Phrases, Profile, Throttled
from web.errors import localized_fields
from web.ui.auth import current_user, landing, login_required, start_session
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
    return redirect(landing(renewed))


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


@bp.get("/account/phrases")
@login_required
def phrases() -> str:
    return _phrases_page(engine().accounts.phrases(current_user().username), "", {})


@bp.get("/account/phrases.json")
@login_required
def phrases_json() -> Response:
    """The signed-in user's phrases as they are now, for the pickers beside comment fields
    (web/static/js/phrases.js); only ever one's own, as the page."""
    found = engine().accounts.phrases(current_user().username)
    response = jsonify(phrases=list(found.items))
    response.headers["Cache-Control"] = "no-store"
    return response


_MOVES = {"up": -1, "down": 1}


@bp.post("/account/phrases")
@login_required
def change_phrases() -> Response | tuple[str, int]:
    """One change to the signed-in user's phrases: ``action`` add (``phrase``: the new text),
    remove, up or down (``phrase``: the one it acts on), reset (back to the defaults)."""
    accounts, username = engine().accounts, current_user().username
    action, text = request.form.get("action", ""), request.form.get("phrase", "")
    try:
        if action == "add":
            accounts.add_phrase(username, text)
            flash(_("已添加常用意见"), "success")
        elif action == "remove":
            accounts.remove_phrase(username, text)
            flash(_("已删除常用意见"), "success")
        elif action in _MOVES:
            accounts.move_phrase(username, text, _MOVES[action])
        elif action == "reset":
            accounts.reset_phrases(username)
            flash(_("已恢复为默认的常用意见"), "success")
        else:
            return _phrases_page(accounts.phrases(username), "",
                                 {"phrase": _("请选择要进行的操作")}), 422
    except InvalidData as exc:
        return _phrases_page(accounts.phrases(username), text[:SHOWN],
                             localized_fields(exc)), 422
    return redirect(url_for("account.phrases", _anchor="phrase-list"))


def my_phrases() -> tuple[str, ...]:
    """The signed-in user's phrases, for the pickers beside comment fields (read once a
    request)."""
    if "my_phrases" not in g:
        user = g.get("user")
        g.my_phrases = engine().accounts.phrases(user.username).items if user else ()
    return tuple(g.my_phrases)


def _phrases_page(found: Phrases, typed: str, errors: dict[str, str]) -> str:
    return render_template("account_phrases.html", phrases=found, typed=typed, errors=errors,
                           max_length=PHRASE_MAX_LENGTH, max_phrases=MAX_PHRASES)
