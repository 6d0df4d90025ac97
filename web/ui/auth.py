"""Sign-in and sign-out (Engine.authenticate: scrypt hashes, throttled), the signed-in user on
``g``, and the decorators every page uses to check the role.

The session holds the user's name, the generation it was issued under and a random id
(``sid``). It is valid while the engine says so (``accounts.signed_in``): signing out revokes
its id, and signing out everywhere, a new password or deactivation revoke every session of the
user. A session also ends ``PERMANENT_SESSION_LIFETIME`` (12 hours) after it was last written.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from engine import NotFound, Throttled, UserView, msg
from web.ui.i18n import LANGUAGES
from web.ui.util import engine, safe_next

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def init(app: Flask) -> None:
    app.before_request(_load_user)


def _load_user() -> None:
    g.user = None
    username, generation, sid = session.get("user"), session.get("gen"), session.get("sid")
    if not username:
        return
    try:
        if not isinstance(generation, int) or not isinstance(sid, str):
            raise NotFound(msg("account.signed_out"))
        g.user = engine().accounts.signed_in(username, generation, sid)
    except NotFound:  # signed out elsewhere: as after signing out here
        session.clear()


def session_values(user: UserView) -> dict[str, Any]:
    """What signing in puts into the session (tests that sign in without a password use it
    too)."""
    return {"user": user.username, "gen": user.generation, "sid": secrets.token_urlsafe(16)}


def start_session(user: UserView) -> None:
    """A fresh session for ``user`` (no fixation), in the user's stored language if they
    chose one, else in the language this browser's sign-in page was switched to since the
    last sign-out (signing out forgets the language, so that another person signing in
    next does not inherit it), or the same user's own session language when renewed."""
    signed_in = session.get("user")
    kept = session.get("lang") if signed_in in (None, user.username) else None
    session.clear()
    session.update(session_values(user))
    lang = user.language if user.language in LANGUAGES else kept
    if lang in LANGUAGES:
        session["lang"] = lang


def end_session() -> None:
    """Sign this session out: its id is revoked until it would have expired anyway; the
    language chosen in it is forgotten with it."""
    sid = session.get("sid")
    if isinstance(sid, str):
        lifetime = current_app.permanent_session_lifetime
        engine().accounts.sign_out(sid, engine().wall.now() + lifetime)
    session.clear()


def current_user() -> UserView:
    user: UserView | None = g.get("user")
    if user is None:
        abort(401)
    return user


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed in and holding one of ``roles`` (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not set(roles) & set(user.roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=next_url, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        user = (engine().authenticate(username, password, request.remote_addr)
                if username and password else None)
    except Throttled as exc:
        flash(_("登录失败次数过多，请 %(minutes)s 分钟后再试。",
                minutes=max(1, -(-exc.retry_after // 60))), "error")
        page = render_template("login.html", next=next_url, username=username)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    if user is None:
        flash(_("用户名或密码不正确"), "error")
        return render_template("login.html", next=next_url, username=username), 401
    start_session(user)
    # the site's root, where a visit to the bare address asked to sign in, is the inbox only
    # for those who work tasks: everyone goes to their own work
    return redirect(next_url if next_url not in (None, url_for("inbox.index"))
                    else landing(user))


def applies_only(user: UserView | None) -> bool:
    """An enterprise: it applies and follows its applications; no procedure gives it a task,
    so it has no inbox (待办, 已办) and its home is 我的申请."""
    return user is not None and set(user.roles) == {"enterprise"}


# The page of its own work for each role that no procedure gives a task (domain.md): an
# enterprise follows its applications, an auditor reads and replays cases, a designer edits
# and deploys procedures. In this order when a user has several of them.
_WORK_PAGES = {"enterprise": ("cases.applications", _l("返回我的申请")),
               "auditor": ("auditor.index", _l("返回审计")),
               "designer": ("designer.index", _l("返回流程设计"))}


# Roles that work tasks but land on a page of their own: a leader decides few tasks and
# oversees the rest (web/ui/leader.py).
_OVERSEERS = {"city_leader": ("leader.index", _l("返回领导工作台"))}


def home(user: UserView) -> tuple[str, str]:
    """(where the user's work is, the words of a link back to it): the inbox, unless none of
    the user's roles works tasks; then the page of their own work; a leader's own page.
    Signing in leads there, and so do the header's name of the product and an error page's
    way back."""
    for role, (endpoint, words) in _OVERSEERS.items():
        if role in user.roles:
            return url_for(endpoint), str(words)
    if set(user.roles) <= set(_WORK_PAGES):
        for role, (endpoint, words) in _WORK_PAGES.items():
            if role in user.roles:
                return url_for(endpoint), str(words)
    return url_for("inbox.index"), _("返回待办")


def landing(user: UserView) -> str:
    """Where signing in leads (:func:`home`)."""
    return home(user)[0]


@bp.post("/logout")
def logout() -> Response:
    """Sign out this session; with ``everywhere`` every session and API token of the user."""
    user = g.get("user")
    everywhere = request.form.get("everywhere") == "1" and user is not None
    if everywhere:
        engine().accounts.sign_out_everywhere(user.username)
    end_session()
    flash(_("已在所有设备上退出登录") if everywhere else _("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def language_form(code: str) -> str:
    """A page with the button that switches to ``code``: a GET changes nothing (a link
    followed by a prefetcher or a crawler must not change a user's stored choice)."""
    if code not in LANGUAGES:
        abort(404)
    return render_template("language.html", code=code, next=safe_next(request.args.get("next")))


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    """The pages' language for this session; a signed-in user's too, kept for their next
    sign-in and their e-mails."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    user = g.get("user")
    if user is not None and user.language != code:
        engine().accounts.set_language(user.username, code)
    return redirect(safe_next(request.form.get("next"))
                    or (landing(user) if user is not None else url_for("inbox.index")))
