"""Designer pages (role designer): deployed processes and their versions (who deployed each, its
open and finished cases), uploading BPMN, DMN and form files (validate only, or deploy) with
every problem listed by file and line, any version's diagram, what changed between two
versions, and moving a version's running cases to the newest."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import replace

from flask import Blueprint, abort, flash, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import (
    DeployPreview,
    Problem,
    SourceFile,
    UnsafeInput,
    ValidationFailed,
    diff_versions,
    kind_of,
    version_diagram,
)
from web.api.errors import clip
from web.errors import localized
from web.ui.auth import current_user, roles_required
from web.ui.util import engine

bp = Blueprint("designer", __name__, url_prefix="/designer")
MAX_FILES = 50
MAX_PROBLEMS = 200  # listed on the page


@bp.get("/")
@roles_required("designer")
def index() -> str:
    eng = engine()
    processes = eng.processes()
    return render_template("designer/index.html", processes=processes)


@bp.get("/processes/<key>")
@roles_required("designer")
def versions(key: str) -> str:
    versions = engine().version_summaries(key)
    if not versions:
        abort(404)
    return render_template("designer/versions.html", key=key, versions=versions)


@bp.route("/processes/<key>/migrate", methods=["GET", "POST"])
@roles_required("designer")
def migrate(key: str) -> str | tuple[str, int]:
    """Moving a version's running cases to the newest version in two steps: the preview (the
    engine's dry run: which cases can move, and why the others cannot), then the confirmation,
    which moves them only if the newest version is still the one previewed."""
    versions = engine().version_summaries(key)
    if not versions:
        abort(404)
    newest = versions[-1]
    sources = [v for v in versions[:-1] if v.open_cases]
    chosen = request.values.get("from_version", type=int)
    if chosen is None and sources:
        chosen = sources[-1].version
    page = {"key": key, "versions": versions, "newest": newest, "sources": sources,
            "chosen": chosen, "report": None, "confirmed": False}
    if request.method == "GET":
        return render_template("designer/migrate.html", **page)
    if chosen not in {v.version for v in versions[:-1]}:
        flash(_("请选择比最新版本旧的一个版本。"), "error")
        return render_template("designer/migrate.html", **page), 422
    confirming = request.form.get("action") == "confirm"
    if confirming and request.form.get("to_version", type=int) != newest.version:
        flash(_("预览之后又部署了新版本，请重新预览后再确认迁移。"), "error")
        confirming = False
    report = engine().migrate_instances(key, newest.version, dry_run=not confirming,
                                        user=current_user().username, from_version=chosen)
    if confirming:  # the counts as they are now
        versions = engine().version_summaries(key)
        page |= {"versions": versions, "sources": [v for v in versions[:-1] if v.open_cases]}
        flash(_("已迁移 %(moved)d 个案件，%(refused)d 个案件不能迁移。",
                moved=len(report.moved), refused=len(report.refused)),
              "error" if report.refused else "success")
    return render_template("designer/migrate.html", **{**page, "report": report,
                                                       "confirmed": confirming})


@bp.get("/processes/<key>/v<int:version>")
@roles_required("designer")
def version(key: str, version: int) -> str:
    diagram = version_diagram(engine(), key, version)
    return render_template("designer/version.html", dg=diagram,
                           versions=engine().process_versions(key))


@bp.get("/processes/<key>/v<int:version>/diagram.json")
@roles_required("designer")
def diagram_json(key: str, version: int) -> Response:
    diagram = version_diagram(engine(), key, version)
    return jsonify(xml=diagram.xml, completed=[], active=[], flows=[])


@bp.get("/processes/<key>/diff")
@roles_required("designer")
def diff(key: str) -> str | tuple[str, int]:
    versions = engine().process_versions(key)
    if not versions:
        abort(404)
    old = request.args.get("old", type=int)
    new = request.args.get("new", type=int)
    if old is None or new is None:
        new = versions[-1].version
        old = versions[-2].version if len(versions) > 1 else new
    numbers = {v.version for v in versions}
    if old not in numbers or new not in numbers:
        flash(_("请选择已部署的两个版本。"), "error")
        return render_template("designer/diff.html", key=key, versions=versions, diff=None,
                               old=old, new=new), 422
    result = diff_versions(engine(), key, old, new)
    return render_template("designer/diff.html", key=key, versions=versions, diff=result,
                           old=old, new=new)


@bp.route("/upload", methods=["GET", "POST"])
@roles_required("designer")
def upload() -> str | tuple[str, int]:
    """Two steps: the files are checked and what a deploy would change is shown (the version
    diff the modeler shows too); only the confirmation, which posts back exactly the files
    shown, deploys them."""
    if request.method == "GET":
        return render_template("designer/upload.html", problems=None, deployed=None,
                               previews=None, names=[], files=[], expect="")
    confirming = request.form.get("action") == "confirm"
    files, problems = _posted_files() if confirming else _read_files()
    names = [f.name for f in files]
    if not files and not problems:
        problems.append(Problem("-", None, None, _("请选择至少一个 .bpmn、.dmn 或 .json 文件")))
    deployed = previews = None
    if not problems:
        try:
            problems = list(engine().validate(files).problems)
            if not [p for p in problems if p.severity == "error"]:
                previews = engine().deploy_preview(files, current_user().username)
                if confirming and _expected(previews) == request.form.get("expect"):
                    deployed, previews = engine().deploy(files, current_user().username), None
                elif confirming:  # another version went live since the preview was shown
                    flash(_("流程在核对期间已有新版本，请重新核对下面的变化后再确认部署。"),
                          "error")
        except ValidationFailed as exc:
            problems = exc.problems
        except UnsafeInput as exc:
            problems = [Problem("-", None, None, exc.said)]
    errors = [p for p in problems if p.severity == "error"]
    if deployed is not None:
        flash(_("已部署。"), "success")
    elif not errors:
        flash(_("校验通过：%(n)d 个文件没有错误。", n=len(files)), "success")
    status = 422 if errors else 200
    # either button shows the changes and keeps the files, so 确认部署 deploys exactly them
    confirmable = any(p.created for p in previews or [])
    return render_template("designer/upload.html", problems=_by_file(problems),
                           deployed=deployed, previews=previews, names=names,
                           confirmable=confirmable,
                           files=[(f.name, encoded(f.content)) for f in files] if previews else [],
                           expect=_expected(previews) if previews else ""), status


def _expected(previews: list[DeployPreview]) -> str:
    """The versions a preview promised, checked again when the deploy is confirmed."""
    return ";".join(f"{p.key}:{p.version}:{int(p.created)}" for p in previews)


def _posted_files() -> tuple[list[SourceFile], list[Problem]]:
    """The files of a confirmation: the ones the preview was made of, posted back in base64
    (a browser would turn their line ends into CRLF, and so the content into another)."""
    names, texts = request.form.getlist("file_name"), request.form.getlist("file_text")
    if len(names) != len(texts) or len(names) > MAX_FILES:
        abort(400)
    try:
        files = [SourceFile(n, base64.b64decode(t, validate=True).decode("utf-8"))
                 for n, t in zip(names, texts, strict=True)]
    except (binascii.Error, UnicodeDecodeError):
        abort(400)
    bad = [f.name for f in files if kind_of(f.name) is None]
    return files, [Problem(n, None, None, _("不支持的文件类型（只接受 .bpmn、.dmn、.json）"))
                   for n in bad]


def _read_files() -> tuple[list[SourceFile], list[Problem]]:
    files: list[SourceFile] = []
    problems: list[Problem] = []
    uploads = [u for u in request.files.getlist("files") if u and u.filename]
    if len(uploads) > MAX_FILES:
        return [], [Problem("-", None, None, _("一次最多上传 %(n)d 个文件", n=MAX_FILES))]
    for upload in uploads:
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if kind_of(name) is None:
            problems.append(Problem(name, None, None,
                                    _("不支持的文件类型（只接受 .bpmn、.dmn、.json）")))
            continue
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None,
                                    _("文件不是 UTF-8 编码（第 %(pos)d 字节）", pos=exc.start)))
            continue
        files.append(SourceFile(name, text))
    return files, problems


def encoded(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _by_file(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems by file, each text cut short: a page never echoes a huge input back."""
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for p in sorted(problems, key=lambda p: (p.file, p.line or 0))[:MAX_PROBLEMS]:
        short = replace(p, file=clip(p.file), text=clip(localized(p.said)),
                        element=clip(p.element) if p.element else p.element)
        grouped[short.file].append(short)
    return dict(grouped)

