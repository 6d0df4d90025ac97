"""Starting a procedure: the list of those the user may start, and each one's start form.
The window clerk (惠企政策兑现专窗) starts subsidy applications on an enterprise's behalf."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import InvalidData, Startable, UserView, startable
from web.errors import localized_fields
from web.ui import forms
from web.ui.auth import current_user, login_required
from web.ui.util import engine

bp = Blueprint("start", __name__)

# the offline window (一窗) marks the application as taken in on an enterprise's behalf
WINDOW_CHANNEL = "一窗"
ONLINE_CHANNEL = "一网"  # an enterprise applying itself
# an enterprise filing a clue itself (行政审批中介服务问题线索征集): its channel is no choice
ONLINE_ONLY = ("网上征集",)


# (engine, deployed versions, roles) -> whether those roles may start anything; every page
# asks, and the answer changes only with a deploy or another set of roles
_MAY_START: dict[tuple[int, tuple[tuple[str, int], ...], frozenset[str]], bool] = {}


def may_start(user: UserView | None) -> bool:
    """Whether the navigation offers 发起: the user may start some procedure by hand."""
    if user is None:
        return False
    if "may_start" not in g:
        eng = engine()
        deployed = tuple((p.key, p.version) for p in eng.processes())
        key = (id(eng), deployed, frozenset(user.roles))
        if key not in _MAY_START:
            if len(_MAY_START) > 256:
                _MAY_START.clear()
            _MAY_START[key] = bool(startable(eng, user.username))
        g.may_start = _MAY_START[key]
    return bool(g.may_start)


@bp.get("/start")
@login_required
def index() -> str:
    return render_template("start_list.html",
                           processes=startable(engine(), current_user().username))


def _find(key: str) -> Startable:
    for item in startable(engine(), current_user().username):
        if item.key == key:
            return item
    abort(403)


@bp.get("/start/<key>")
@login_required
def form(key: str) -> str:
    item = _find(key)
    fields = _own_channel(forms.fields_of(item.form, engine().unit_directory(),
                                          engine().person_choices(item.form, current_user()),
                                          engine().policy_choices(item.form, current_user().unit),
                                          engine().catalogue_choices(item.form),
                                          current_user().unit))
    values = forms.display_values(fields, _defaults(fields), item.form, engine().clock.now())
    return render_template("start.html", item=item, fields=fields, values=values, errors={},
                           general_errors={}, on_behalf=_on_behalf())


@bp.post("/start/<key>")
@login_required
def submit(key: str) -> str | Response | tuple[str, int]:
    item = _find(key)
    user = current_user()
    fields = _own_channel(forms.fields_of(item.form, engine().unit_directory(),
                                          engine().person_choices(item.form, user),
                                          engine().policy_choices(item.form, user.unit),
                                          engine().catalogue_choices(item.form), user.unit))
    data, typed = forms.coerce(fields, request.form)
    fixed = _fixed(fields)
    data.update(fixed)
    typed.update({k: str(v) for k, v in fixed.items()})
    try:
        instance = engine().start(key, data, user, uploads=forms.uploads(fields, request.files))
    except InvalidData as exc:
        flash(_("表单填写有误，请按提示修改后重新提交。"), "error")
        names = {f.name for f in fields}
        general = {k: v for k, v in localized_fields(exc).items() if k not in names}
        return render_template("start.html", item=item, fields=fields, values=typed,
                               errors=localized_fields(exc), general_errors=general,
                               on_behalf=_on_behalf()), 422
    flash(_("已发起：%(name)s %(case)s", name=item.name, case=instance.business_key or ""),
          "success")
    mine = [t for t in instance.tasks if t.assignee in (None, user.username)
            and user.has_role(t.role) and (t.unit is None or t.unit == user.unit)]
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("instances.show", instance_id=instance.id))


def _on_behalf() -> bool:
    return "window" in current_user().roles


def _own_channel(fields: list[forms.Field]) -> list[forms.Field]:
    """An enterprise filing itself: a choice of channels offering the online one
    (:data:`ONLINE_ONLY`) offers only that one, chosen (the office's channels, 投诉电话,
    来信来访 ..., are for the office registering a call or letter)."""
    if "enterprise" not in current_user().roles or _on_behalf():
        return fields
    out = []
    for f in fields:
        online = [c for c in f.choices if c.value in ONLINE_ONLY] if f.kind == "select" else []
        out.append(replace(f, choices=online[:1], readonly=True) if online else f)
    return out


def _fixed(fields: list[forms.Field]) -> dict[str, object]:
    """The values :func:`_own_channel` set: taken whatever was posted."""
    return {f.name: f.choices[0].value for f in fields
            if f.kind == "select" and f.readonly and len(f.choices) == 1
            and f.choices[0].value in ONLINE_ONLY}


def _defaults(fields: list[forms.Field]) -> dict[str, object]:
    """The window clerk's applications come in through the offline window, an enterprise's own
    online (一网) under its own 统一社会信用代码 and name (the engine refuses another code);
    a choice named in the link (the policy list's 申请 passes ?policy_id=…) is taken when
    the field offers it."""
    user = current_user()
    channel = WINDOW_CHANNEL if _on_behalf() else ONLINE_CHANNEL if "enterprise" in \
        user.roles else None
    out: dict[str, object] = _fixed(fields)
    if "enterprise" in user.roles and user.credit_code:
        out["credit_code"] = user.credit_code
        name = _enterprise_name(user)
        if name:
            out["enterprise_name"] = name
    for f in fields:
        offered = {c.value for c in f.choices} if f.kind == "select" else set()
        asked = request.args.get(f.name)
        if asked in offered:
            out[f.name] = asked
        elif channel in offered:
            out[f.name] = channel
    return out


def _enterprise_name(user: UserView) -> str:
    """The enterprise's name as its account shows it (without a leading 企业 the demo
    accounts carry), if the account has one of its own."""
    name = (user.display_name or "").strip()
    if name.startswith("企业 "):
        name = name[len("企业 "):].strip()
    return "" if name == user.username else name
