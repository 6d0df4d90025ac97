"""The in-browser modeler (role designer): open a deployed version, or a blank diagram, in the
bpmn-js Modeler (npm, served from node_modules like the viewer); edit the diagram and its forms
side by side; see the engine's own validation problems live on the elements they concern; deploy
from the browser; download the files to commit them to processes/ and forms/. And "what
changed" between two versions, drawn as colours on both diagrams.

JSON endpoints take ``{"files": [{"name": "x.bpmn", "content": "..."}, ...]}`` (the diagram,
its forms ``KEY.json``, and the other BPMN/DMN files of the version, sent along unchanged) and
are CSRF-protected like every form: the page sends its token in the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import (
    BPMN,
    ROLES,
    EngineError,
    Problem,
    SourceFile,
    UnsafeInput,
    ValidationFailed,
    check_form,
    diff_versions,
    draft_files,
    kind_of,
    latest_forms,
    load_version,
    version_diagram,
    xmlsafe,
)
from web.errors import localized
from web.ui import bpmn_js_texts, fmt
from web.ui import forms as form_fields
from web.ui.assets import node_modules
from web.ui.auth import current_user, roles_required
from web.ui.blank_diagram import blank_diagram
from web.ui.deploy_preview import preview_json
from web.ui.draft_lint import lint_warnings
from web.ui.i18n import current_language
from web.ui.util import engine

bp = Blueprint("modeler", __name__, url_prefix="/designer/modeler")
MAX_FILES = 50
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
MODELER_JS = Path("bpmn-js") / "dist" / "bpmn-modeler.production.min.js"
CAMUNDA_MODDLE = Path("camunda-bpmn-moddle") / "resources" / "camunda.json"


def modeler_installed() -> bool:
    root = node_modules()
    return (root / MODELER_JS).is_file() and (root / CAMUNDA_MODDLE).is_file()


# -- pages ----------------------------------------------------------------------------------

@bp.get("/")
@roles_required("designer")
def index() -> str:
    return render_template("modeler_index.html", processes=engine().processes(),
                           installed=modeler_installed())


@bp.get("/new")
@roles_required("designer")
def new() -> str:
    key, name = _new_key_and_name()
    return _modeler_page(url_for("modeler.new_draft", key=key, name=name), key, None,
                         name=name)


@bp.get("/<key>/v<int:version>")
@roles_required("designer")
def edit(key: str, version: int) -> str:
    version_diagram(engine(), key, version)  # 404 when there is no such version
    versions = engine().process_versions(key)
    name = next((v.name for v in versions if v.version == version), key)
    return _modeler_page(url_for("modeler.draft", key=key, version=version), key, version,
                         versions, name)


def _modeler_page(draft_url: str, key: str, version: int | None,
                  versions: Sequence[Any] = (), name: str = "") -> str:
    return render_template("modeler.html", draft_url=draft_url, key=key, version=version,
                           versions=versions, name=name, installed=modeler_installed(),
                           kinds={k: str(v) for k, v in fmt.BPMN_KINDS.items()},
                           bpmn_js=bpmn_js_texts.CHINESE if current_language() == "zh" else {})


@bp.get("/camunda.json")
@roles_required("designer")
def camunda_moddle() -> Response:
    """The camunda moddle descriptor (camunda:formKey, camunda:dueDate, camunda:properties)."""
    path = node_modules() / CAMUNDA_MODDLE
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/json", max_age=3600)


# -- drafts ---------------------------------------------------------------------------------

@bp.get("/<key>/v<int:version>/draft.json")
@roles_required("designer")
def draft(key: str, version: int) -> Response:
    diagram = version_diagram(engine(), key, version)
    with engine().transaction() as session:
        loaded = load_version(engine(), session, key, version)
        files = draft_files(session, loaded)
    return jsonify(_draft_body(diagram.file, key, version, files))


@bp.get("/new/draft.json")
@roles_required("designer")
def new_draft() -> Response:
    key, name = _new_key_and_name()
    main = f"{key}.bpmn"
    return jsonify(_draft_body(main, key, None, {main: blank_diagram(key, name)}))


def _new_key_and_name() -> tuple[str, str]:
    key = (request.args.get("key") or "").strip() or "new_process"
    if not _KEY.fullmatch(key):
        abort(400)
    name = (request.args.get("name") or "").strip()[:100] or _("新流程")
    return key, name


def _draft_body(main: str, key: str, version: int | None, files: Mapping[str, str]
                ) -> dict[str, Any]:
    with engine().transaction() as session:
        known = sorted(latest_forms(session))
    return {
        "key": key,
        "version": version,
        "main": main,
        "files": [{"name": name, "content": text, "kind": kind_of(name)}
                  for name, text in sorted(files.items())],
        "known_forms": known,
        "roles": [{"id": r.id, "name": r.name} for r in ROLES],
    }


# -- validation, deploy, download -------------------------------------------------------------

class BadPayload(Exception):
    pass


def _payload_files() -> list[SourceFile]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):
        raise BadPayload(_("请求应为 JSON：{\"files\": [{\"name\": ..., \"content\": ...}]}"))
    items = body["files"]
    if not items:
        raise BadPayload(_("请选择至少一个 .bpmn、.dmn 或 .json 文件"))
    if len(items) > MAX_FILES:
        raise BadPayload(_("一次最多上传 %(n)d 个文件", n=MAX_FILES))
    files: list[SourceFile] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("content"), str):
            raise BadPayload(_("每个文件应有 name 和 content 两个字符串"))
        name = item["name"].replace("\\", "/").rsplit("/", 1)[-1].strip()
        if kind_of(name) is None or name.startswith("."):
            raise BadPayload(_("不支持的文件类型（只接受 .bpmn、.dmn、.json）") + f": {name}")
        if name in seen:
            raise BadPayload(_("文件重名") + f": {name}")
        seen.add(name)
        files.append(SourceFile(name, item["content"]))
    return files


def _bad(message: str) -> tuple[Response, int]:
    return jsonify(error={"code": "bad_request", "message": message}), 400


@bp.post("/validate")
@roles_required("designer")
def validate() -> Response | tuple[Response, int]:
    """The engine's validation (and lint warnings, when the engine has them) of a draft."""
    try:
        files = _payload_files()
    except BadPayload as exc:
        return _bad(str(exc))
    try:
        checked = engine().validate(files)
        problems = list(checked.problems)
        processes = [{"key": p.key, "name": p.name, "file": p.file} for p in checked.processes]
    except ValidationFailed as exc:
        problems, processes = list(exc.problems), []
    except UnsafeInput as exc:
        problems, processes = [_unsafe_problem(exc)], []
    items = [_problem_json(p, files) for p in problems]
    seen = {_identity(p) for p in items}
    items += [_with_element(w, files) for w in lint_warnings(files) if _identity(w) not in seen]
    errors = sum(1 for p in items if p["severity"] == "error")
    return jsonify(ok=errors == 0, errors=errors, warnings=len(items) - errors,
                   problems=items, processes=processes)


@bp.post("/preview")
@roles_required("designer")
def preview() -> Response | tuple[Response, int]:
    """What deploying the draft would change, for the designer to confirm first; nothing is
    deployed."""
    try:
        files = _payload_files()
    except BadPayload as exc:
        return _bad(str(exc))
    try:
        previews = engine().deploy_preview(files, current_user().username)
    except ValidationFailed as exc:
        return jsonify(processes=[], problems=[_problem_json(p, files) for p in exc.problems]), 422
    except UnsafeInput as exc:
        return jsonify(processes=[], problems=[_problem_json(_unsafe_problem(exc), files)]), 422
    return jsonify(processes=[preview_json(p) for p in previews], problems=[])


@bp.post("/deploy")
@roles_required("designer")
def deploy() -> Response | tuple[Response, int]:
    try:
        files = _payload_files()
    except BadPayload as exc:
        return _bad(str(exc))
    try:
        deployed = engine().deploy(files, current_user().username)
    except ValidationFailed as exc:
        return jsonify(deployed=[], problems=[_problem_json(p, files) for p in exc.problems]), 422
    except UnsafeInput as exc:
        return jsonify(deployed=[], problems=[_problem_json(_unsafe_problem(exc), files)]), 422
    names = {p.key: p.name for p in engine().processes()}
    return jsonify(deployed=[{
        "key": d.key, "name": names.get(d.key, d.key), "version": d.version,
        "created": d.created,
        "modeler_url": url_for("modeler.edit", key=d.key, version=d.version),
        "version_url": url_for("designer.version", key=d.key, version=d.version),
        "diff_url": url_for("modeler.diff", key=d.key, old=d.version - 1, new=d.version)
        if d.created and d.version > 1 else None,
    } for d in deployed], problems=[])


@bp.post("/download")
@roles_required("designer")
def download() -> Response | tuple[Response, int]:
    """The draft as a zip laid out like the repository: processes/*.bpmn|dmn, forms/*.json."""
    try:
        files = _payload_files()
    except BadPayload as exc:
        return _bad(str(exc))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            folder = "forms" if f.kind == "form" else "processes"
            archive.writestr(f"{folder}/{f.name}", f.content.encode("utf-8"))
    buffer.seek(0)
    body = request.get_json(silent=True) or {}
    stem = str(body.get("key") or "process")
    stem = stem if _KEY.fullmatch(stem) else "process"
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"{stem}.zip")


@bp.post("/form-preview")
@roles_required("designer")
def form_preview() -> Response:
    """A form schema rendered as the task page renders it (HTML fragment), and its problems."""
    body = request.get_json(silent=True)
    text = body.get("schema") if isinstance(body, dict) else None
    if not isinstance(text, str):
        text = ""
    problems = [localized(p.said) for p in check_form(text)] \
        if text.strip() else [_("表单为空")]
    schema: dict[str, Any] | None = None
    fields: list[form_fields.Field] = []
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            schema = parsed
            fields = form_fields.fields_of(parsed)
    except (ValueError, TypeError, AttributeError):
        pass
    html = render_template("modeler_form_preview.html", schema=schema, fields=fields,
                           problems=problems)
    response = Response(html, mimetype="text/html")
    response.headers["X-Form-Problems"] = str(len(problems))
    return response


def _identity(item: Mapping[str, Any]) -> tuple[Any, ...]:
    return (item.get("file"), item.get("line"), item.get("element"), item.get("message"))


def _unsafe_problem(exc: UnsafeInput) -> Problem:
    if isinstance(exc.details, Problem):
        return exc.details
    return Problem("-", None, None, exc.said)


def _problem_json(p: Problem, files: Sequence[SourceFile]) -> dict[str, Any]:
    return _with_element({**p.as_dict(), "message": localized(p.said)}, files)


def _with_element(item: dict[str, Any], files: Sequence[SourceFile]) -> dict[str, Any]:
    """A problem with a line but no element gets the element at that line of its BPMN file."""
    if item.get("element") or not item.get("line"):
        return item
    source = next((f for f in files if f.name == item.get("file")), None)
    if source is None or source.kind != "bpmn":
        return item
    return {**item, "element": _element_at_line(source, int(item["line"]))}


def _element_at_line(source: SourceFile, line: int) -> str | None:
    try:
        root = xmlsafe.parse(source.content.encode("utf-8"), source.name).getroot()
    except EngineError:
        return None
    best = None
    for node in root.iter():
        if not isinstance(node.tag, str) or node.sourceline is None or node.sourceline > line:
            continue
        best = node
    while best is not None:
        if best.get("id") and str(best.tag).startswith(BPMN):
            return best.get("id")
        best = best.getparent()
    return None


# -- what changed -----------------------------------------------------------------------------

@bp.get("/<key>/diff")
@roles_required("designer")
def diff(key: str) -> str | tuple[str, int]:
    versions = engine().process_versions(key)
    if not versions:
        abort(404)
    old, new = _versions_asked(versions)
    if old is None or new is None:
        return render_template("modeler_diff.html", key=key, versions=versions, diff=None,
                               old=old, new=new, installed=modeler_installed()), 422
    result = diff_versions(engine(), key, old, new)
    return render_template("modeler_diff.html", key=key, versions=versions, diff=result,
                           old=old, new=new, installed=modeler_installed())


@bp.get("/<key>/diff.json")
@roles_required("designer")
def diff_json(key: str) -> Response | tuple[Response, int]:
    versions = engine().process_versions(key)
    if not versions:
        abort(404)
    old, new = _versions_asked(versions)
    if old is None or new is None:
        return jsonify(error={"code": "bad_request", "message": _("请选择已部署的两个版本。")}), 422
    result = diff_versions(engine(), key, old, new)
    # a task whose form changed is marked changed too, with the form's changes in words
    form_of = {e.id: form for form, users in result.form_users.items() for e in users}
    changed = [e.id for e in result.changed]
    return jsonify(
        key=key, old=old, new=new,
        old_xml=version_diagram(engine(), key, old).xml,
        new_xml=version_diagram(engine(), key, new).xml,
        added=[e.id for e in result.added], removed=[e.id for e in result.removed],
        changed=changed + [i for i in form_of if i not in changed],
        details={e.id: [{"what": c.what, "before": c.before, "after": c.after}
                        for c in e.changes] for e in result.changed},
        forms={i: {"key": form, "changes": [localized(c) for c in result.forms_changed[form]]}
               for i, form in form_of.items()},
    )


def _versions_asked(versions: Sequence[Any]) -> tuple[int | None, int | None]:
    numbers = {v.version for v in versions}
    old = request.args.get("old", type=int)
    new = request.args.get("new", type=int)
    if old is None and new is None:
        new = versions[-1].version
        old = versions[-2].version if len(versions) > 1 else new
    if old not in numbers or new not in numbers:
        return None, None
    return old, new
