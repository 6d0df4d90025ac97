"""An enterprise's own payout of a 免申即享 batch (linked from 我的申请 and from its notice):
the page of its item alone, and its 兑付通知书 to print, download or save as PDF. The engine
decides who may read them (engine/queries/own_payouts.py)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.downloads import send, send_pdf
from web.ui.auth import current_user, login_required
from web.ui.util import engine

bp = Blueprint("own_payouts", __name__, url_prefix="/applications/payouts")
LETTER = "/<int:instance_id>/letters/<string(length=64):sha256>"


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    own = engine().own_payouts.in_batch(instance_id, current_user())
    return render_template("own_payout.html", payouts=own, instance_id=instance_id)


@bp.get(LETTER)
@login_required
def letter(instance_id: int, sha256: str) -> str:
    eng = engine()
    view = eng.own_payouts.letter(instance_id, sha256, current_user())
    links = {"back": url_for("own_payouts.show", instance_id=instance_id),
             "back_label": _("返回兑付详情"),
             "docx": url_for("own_payouts.letter_docx", instance_id=instance_id, sha256=sha256),
             "pdf": url_for("own_payouts.letter_pdf", instance_id=instance_id, sha256=sha256)
             if eng.dossier.pdf_available else None}
    return render_template("document_print.html", document=view,
                           blocks=eng.dossier.printable(view), links=links)


@bp.get(LETTER + "/docx")
@login_required
def letter_docx(instance_id: int, sha256: str) -> Response:
    eng = engine()
    view = eng.own_payouts.letter(instance_id, sha256, current_user())
    return send(view, eng.dossier.chunks(view))


@bp.get(LETTER + "/pdf")
@login_required
def letter_pdf(instance_id: int, sha256: str) -> Response:
    eng = engine()
    view = eng.own_payouts.letter(instance_id, sha256, current_user())
    return send_pdf(view, eng.dossier.pdf(view))
