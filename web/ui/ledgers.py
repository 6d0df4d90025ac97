"""Ledgers (台账) as web tables with .csv and .xlsx downloads; the engine decides who may read
them and narrows unit-scoped readers to their own unit."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import gettext as _

from engine import LEDGER_READERS, LEDGERS, TZ, InvalidData, UserView
from web.downloads import content_disposition
from web.errors import localized_fields
from web.ui.auth import current_user, login_required
from web.ui.util import engine

bp = Blueprint("ledgers", __name__, url_prefix="/ledgers")
READERS = frozenset(LEDGER_READERS)


def may_view_ledgers(user: UserView | None) -> bool:
    return user is not None and bool(READERS & set(user.roles) or user.unit)


def _month() -> date | None:
    text = request.args.get("month") or ""
    if not text:
        return None
    try:
        return date.fromisoformat(text + "-01")
    except ValueError:  # the whole ledger instead, with what was wrong
        flash(_("月份“%(text)s”无法识别，请写作 2026-10 这样的年月；下面是全部月份。",
                text=text[:20]), "error")
        return None


@bp.get("/")
@login_required
def index() -> str:
    """The ledgers the user may read, each with its procedure's name."""
    user = current_user()
    if not may_view_ledgers(user):
        abort(403)
    names = {p.key: p.name for p in engine().processes()}
    return render_template("ledgers_index.html", ledgers=LEDGERS, names=names,
                           scoped=not READERS & set(user.roles))


@bp.get("/<name>")
@login_required
def show(name: str) -> str | Response:
    if name not in LEDGERS:
        abort(404)
    fmt = request.args.get("format")
    unit = request.args.get("unit") or None
    month = _month()
    reader = current_user().username
    try:
        book = engine().ledger(name, user=reader, unit=unit, month=month)
    except InvalidData as exc:  # a unit the directory does not know: the whole ledger, and why
        if "unit" not in exc.field_errors:
            raise
        if fmt is None:
            flash(_("单位：%(problem)s；下面是全部单位。", problem=localized_fields(exc)["unit"]),
                  "error")
        unit = None
        book = engine().ledger(name, user=reader, month=month)
    if fmt in ("csv", "xlsx"):
        body = book.to_csv() if fmt == "csv" else book.to_xlsx()
        mime = ("text/csv; charset=utf-8" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(body, mimetype=mime, headers={
            "Content-Disposition": content_disposition(
                LEDGERS[name].title + (f"（{month.year}年{month.month}月）" if month else "")
                + f".{fmt}")})
    if fmt is not None:
        abort(400)
    this_month = engine().clock.now().astimezone(TZ).strftime("%Y-%m")
    return render_template("ledger.html", book=book, name=name, ledgers=LEDGERS,
                           unit=unit or "", typed_unit=request.args.get("unit") or "",
                           month=request.args.get("month") or "", this_month=this_month)
