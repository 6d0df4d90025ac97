"""Starting a procedure: the list of those the user may start, and each one's start form.
The window clerk (惠企政策兑现专窗) starts subsidy applications on an enterprise's behalf;
a field whose value follows who starts the case (``x-starter``: 申请渠道 and the like)
offers what the engine lets this user give it, shown fixed when that is one value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from engine import (
    InstanceView,
    InvalidData,
    Startable,
    UserView,
    may_start_any,
    startable,
    starter_choices,
)
from web.errors import localized, localized_fields
from web.ui import form_posts, forms
from web.ui.auth import current_user, login_required
from web.ui.case import is_insider
from web.ui.util import engine

bp = Blueprint("start", __name__)
LINKED_TEXT_MAX = 100  # characters of a text field a link may fill in


def may_start(user: UserView | None) -> bool:
    """Whether the navigation offers 发起: the user may start some procedure by hand."""
    if user is None:
        return False
    if "may_start" not in g:
        g.may_start = may_start_any(engine(), user)
    return bool(g.may_start)


def start_url(key: str, **asked: str) -> str | None:
    """The start page of procedure ``key`` (its choices ``asked`` filled in) when the
    signed-in user may start it, else None: a page offers the way only to those it opens to
    (an enterprise told of a credit record is offered 信用修复)."""
    user = current_user()
    if user is None or not any(item.key == key for item in startable(engine(), user.username)):
        return None
    values: dict[str, Any] = {"key": key, **asked}
    return url_for("start.form", **values)


@bp.get("/start")
@login_required
def index() -> str:
    user = current_user()
    return render_template("start_list.html", processes=startable(engine(), user.username),
                           insider=is_insider(user))


def _find(key: str) -> Startable:
    for item in startable(engine(), current_user().username):
        if item.key == key:
            return item
    abort(403)


@bp.get("/start/<key>")
@login_required
def form(key: str) -> str:
    item = _find(key)
    fields = _fields(item)
    values = forms.display_values(fields, _defaults(item, fields), item.form,
                                 engine().clock.now())
    return render_template("start.html", item=item, fields=fields, values=values, errors={},
                           general_errors={}, on_behalf=_on_behalf())


@bp.post("/start/<key>")
@login_required
def submit(key: str) -> str | Response | tuple[str, int]:
    item = _find(key)
    user = current_user()
    fields = _fields(item)
    posted = form_posts.read(fields, request.form)  # a fixed value is the engine's to set
    data, typed = posted.data, posted.typed
    typed.update({f.name: f.choices[0].key for f in _fixed(item, fields)})
    if not posted.submits:  # 添加一行, or a paste that does not fit its table: shown again
        refused = {k: localized(m) for k, m in posted.refused.items()}
        if refused:
            flash(_("表单填写有误，请按提示修改后重新提交。"), "error")
        return render_template("start.html", item=item, fields=fields, values=typed,
                               errors=refused, general_errors={}, on_behalf=_on_behalf(),
                               reshown=True), 422 if refused else 200
    try:
        instance = engine().start(key, data, user,
                                  uploads=form_posts.uploads(fields, request.files))
    except InvalidData as exc:
        flash(_("表单填写有误，请按提示修改后重新提交。"), "error")
        names = {f.name for f in fields}
        general = {k: v for k, v in localized_fields(exc).items() if k not in names}
        return render_template("start.html", item=item, fields=fields, values=typed,
                               errors=localized_fields(exc), general_errors=general,
                               on_behalf=_on_behalf()), 422
    flash(_started(item, instance, user), "success")
    mine = [t for t in instance.tasks if t.assignee in (None, user.username)
            and user.has_role(t.role) and (t.unit is None or t.unit == user.unit)]
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("instances.show", instance_id=instance.id))


def _started(item: Startable, instance: InstanceView, user: UserView) -> str | Markup:
    """What the flash says after filing: the case started, and the 受理回执 the filing
    issued, with the link that prints it (the window hands it to the enterprise)."""
    case = instance.business_key or ""
    dossier = engine().dossier
    receipt = dossier.receipt(dossier.files(instance.id, user))
    if receipt is None:
        return _("已发起：%(name)s %(case)s", name=item.name, case=case)
    said = _("已发起：%(name)s %(case)s。已出具受理回执 %(doc)s。", name=item.name, case=case,
             doc=receipt.doc_no or "")
    link = url_for("files.print_view", instance_id=instance.id, sha256=receipt.sha256)
    return Markup('{} <a href="{}" id="flash-print-receipt" target="_blank" rel="noopener">'
                  '{}</a>').format(said, link, _("打印受理回执"))


def _on_behalf() -> bool:
    return "window" in current_user().roles


def _fields(item: Startable) -> list[forms.Field]:
    """The start form's fields as this user fills them: an ``x-starter`` field offers only
    the values the engine lets the user give it, fixed (read-only) when that is one."""
    user = current_user()
    fields = forms.fields_of(item.form, engine().unit_directory(),
                             engine().person_choices(item.form, user),
                             engine().policy_choices(item.form, user.unit),
                             engine().catalogue_choices(item.form), user.unit)
    allowed = starter_choices(item.form, user)
    out = []
    for f in fields:
        if f.name in allowed and f.kind == "select":
            choices = [c for c in f.choices if c.value in allowed[f.name]]
            f = replace(f, choices=choices, readonly=f.readonly or len(choices) == 1)
        out.append(f)
    return out


def _fixed(item: Startable, fields: list[forms.Field]) -> list[forms.Field]:
    """The ``x-starter`` fields :func:`_fields` left one value: the engine sets it."""
    allowed = starter_choices(item.form, current_user())
    return [f for f in fields if f.name in allowed and f.readonly and len(f.choices) == 1]


def _defaults(item: Startable, fields: list[forms.Field]) -> dict[str, object]:
    """An enterprise applies under its own 统一社会信用代码 and name (the engine refuses
    another code); a fixed ``x-starter`` value is shown; a choice named in the link (the
    policy list's 申请 passes ?policy_id=…) is taken when the field offers it, and a line of
    text named in it when short (a credit record's number, for its 信用修复)."""
    user = current_user()
    out: dict[str, object] = {f.name: f.choices[0].value for f in _fixed(item, fields)}
    if "enterprise" in user.roles and user.credit_code:
        out["credit_code"] = user.credit_code
        name = _enterprise_name(user)
        if name:
            out["enterprise_name"] = name
    for f in fields:
        offered = {c.value for c in f.choices} if f.kind == "select" else set()
        asked = request.args.get(f.name)
        if asked in offered or (asked and f.kind == "text" and f.name not in out
                                and len(asked) <= LINKED_TEXT_MAX):
            out[f.name] = asked
    return out


def _enterprise_name(user: UserView) -> str:
    """The enterprise's name as its account shows it (without a leading 企业 the demo
    accounts carry), if the account has one of its own."""
    name = (user.display_name or "").strip()
    if name.startswith("企业 "):
        name = name[len("企业 "):].strip()
    return "" if name == user.username else name
