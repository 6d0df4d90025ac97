"""A case's files in the browser: the 附件 panel of the case page (the files of its forms,
files attached to the case, its official documents), uploading files to the case, issuing a
document by hand, downloading, and a document's print view (A4, print CSS). Reading needs the
right to read the case; the engine decides everything."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import KIND_TITLES, Conflict, InvalidData, Upload
from web.downloads import send, send_pdf
from web.errors import localized, localized_fields
from web.ui.auth import current_user, login_required
from web.ui.i18n import listed
from web.ui.util import engine

bp = Blueprint("files", __name__)
SHA = "<string(length=64):sha256>"


def file_limit_mb() -> str:
    return f"{engine().file_limits.file_bytes / (1024 * 1024):g}"


def files_chosen(field: str) -> bool:
    """Whether the request being answered brought files for ``field``: a form shown again
    after a refused submit asks for those to be chosen again (a browser never keeps them)."""
    return request.method == "POST" and any(s.filename for s in request.files.getlist(field))


def kinds_text() -> str:
    return listed(KIND_TITLES.values())


@bp.get(f"/instances/<int:instance_id>/files/{SHA}")
@login_required
def download(instance_id: int, sha256: str) -> Response:
    dossier = engine().dossier
    view = dossier.find(sha256, current_user(), instance_id)
    return send(view, dossier.chunks(view))


@bp.post("/instances/<int:instance_id>/files")
@login_required
def upload(instance_id: int) -> Response:
    uploads = [Upload(None, s.filename or "", s.read()) for s in request.files.getlist("files")
               if s.filename]
    if not uploads:
        flash(_("请选择要上传的文件。"), "error")
        return redirect(url_for("instances.show", instance_id=instance_id) + "#files")
    try:
        views = engine().dossier.attach(instance_id, uploads, current_user())
    except InvalidData as exc:
        flash("；".join(localized_fields(exc).values()) or localized(exc.said), "error")
    else:
        flash(_("已上传 %(n)s 个文件。", n=len(views)), "success")
    return redirect(url_for("instances.show", instance_id=instance_id) + "#files")


@bp.post("/instances/<int:instance_id>/documents")
@login_required
def issue(instance_id: int) -> Response:
    template = request.form.get("template", "")
    try:
        view = engine().dossier.issue(instance_id, template, current_user())
    except Conflict as exc:  # not yet (交办函 before the approved 转办), or a closed case
        flash(localized(exc.said), "error")
    else:
        flash(_("已出具 %(doc)s", doc=view.doc_no or view.name), "success")
    return redirect(url_for("instances.show", instance_id=instance_id) + "#files")


@bp.get(f"/instances/<int:instance_id>/documents/{SHA}/print")
@login_required
def print_view(instance_id: int, sha256: str) -> str:
    dossier = engine().dossier
    view = dossier.find(sha256, current_user(), instance_id)
    links = {"back": url_for("instances.show", instance_id=instance_id) + "#files",
             "back_label": _("返回案件"),
             "docx": url_for("files.download", instance_id=instance_id, sha256=sha256),
             "pdf": url_for("files.pdf", instance_id=instance_id, sha256=sha256)
             if dossier.pdf_available else None}
    return render_template("document_print.html", document=view,
                           blocks=dossier.printable(view), links=links)


@bp.get(f"/instances/<int:instance_id>/documents/{SHA}/pdf")
@login_required
def pdf(instance_id: int, sha256: str) -> Response:
    dossier = engine().dossier
    view = dossier.find(sha256, current_user(), instance_id)
    return send_pdf(view, dossier.pdf(view))
