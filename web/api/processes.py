"""Deployed processes: list, upload (designers only), starting an instance, and moving running
cases to another version (designers only)."""

from __future__ import annotations

import os

from flask import Response, current_app, jsonify, request, url_for

from engine import (
    BatchRow,
    InvalidData,
    NotFound,
    PermissionDenied,
    Problem,
    SourceFile,
    ValidationFailed,
    msg,
)
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.errors import bad_request
from web.api.inputs import MAX_ID, Field, fields
from web.api.uploads import command_body
from web.app import engine_of
from web.errors import localized
from web.ui.i18n import message_language

MAX_NAME = 255  # the length of a stored file name
MAX_KEY = 128  # the length of a stored process key
MAX_ROWS = 10_000  # rows of one bulk start request (a larger file: the CLI, or several calls)
MAX_BATCH_ID = 128


@bp.route("/processes", methods=["GET"])
def list_processes() -> Response:
    processes = engine_of(current_app).processes()
    return jsonify({"processes": [p.as_json() for p in processes]})


@bp.route("/processes", methods=["POST"])
def upload_processes() -> tuple[Response, int]:
    """Validate and deploy BPMN, DMN and form files sent as multipart/form-data."""
    if "designer" not in current_user().roles:  # the one permission the API decides
        raise PermissionDenied(msg("deploy.designer_role"))
    uploads = list(request.files.items(multi=True))
    if not uploads:
        raise bad_request(msg("request.send_definition_files"),
                          {"files": msg("input.no_files")})
    files: list[SourceFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for field_name, storage in uploads:
        name = os.path.basename((storage.filename or "").replace("\\", "/")).strip()
        problem = _name_problem(name, field_name, seen)
        if problem is not None:
            problems.append(problem)
            continue
        seen.add(name)
        try:
            text = storage.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, msg(
                "upload.not_utf8", reason=f"{exc.reason} at byte {exc.start}")))
            continue
        files.append(SourceFile(name, text))
    engine = engine_of(current_app)
    if problems:  # still check the readable files, so one upload reports every error
        if files:
            problems += engine.validate(files).problems
        raise ValidationFailed(problems)
    deployed = engine.deploy(files, user=current_user().username)
    return jsonify({"versions": [
        {"key": d.key, "version": d.version, "created": d.created} for d in deployed
    ]}), 201


def _name_problem(name: str, field_name: str, seen: set[str]) -> Problem | None:
    shown = name or f"(part {field_name!r})"
    if not name:
        return Problem(shown, None, None, msg("upload.no_name"))
    if len(name) > MAX_NAME or "\x00" in name:
        return Problem(shown[:80], None, None, msg("upload.bad_name", limit=MAX_NAME))
    if name in seen:
        return Problem(name, None, None, msg("upload.duplicate_name"))
    return None


@bp.route("/processes/<key>/instances", methods=["POST"])
def start_instance(key: str) -> tuple[Response, int, dict[str, str]]:
    if len(key) > MAX_KEY:
        raise NotFound(msg("process.not_deployed", key=f"{key[:40]}..."))
    body, uploads = command_body({"data": Field(dict),
                                  "business_key": Field(str, max_length=64)})
    view = engine_of(current_app).start(key, body.get("data", {}), current_user(),
                                        business_key=body.get("business_key"), uploads=uploads)
    location = url_for("api.get_instance", instance_id=view.id)
    return jsonify(view.as_json()), 201, {"Location": location}


@bp.route("/processes/<key>/instances:batch", methods=["POST"])
def start_batch(key: str) -> tuple[Response, int]:
    """One case per row, every row checked first (engine/runtime/bulk/starts.py). With a
    ``batch_id``, row N is keyed ``KEY:batch_id:N``: the same request sent again (after a
    time-out, say) starts only the rows that have no case yet."""
    if len(key) > MAX_KEY:
        raise NotFound(msg("process.not_deployed", key=f"{key[:40]}..."))
    body = fields({"rows": Field(list, required=True),
                   "batch_id": Field(str, max_length=MAX_BATCH_ID),
                   "skip_invalid": Field(bool)})
    given = body["rows"]
    if not 0 < len(given) <= MAX_ROWS:
        raise bad_request(msg("request.row_count", limit=MAX_ROWS),
                          {"rows": msg("input.rows", count=len(given))})
    batch_id = body.get("batch_id")
    rows = [BatchRow(n, data, f"{key}:{batch_id}:{n}" if batch_id else None)
            for n, data in enumerate(given, start=1) if isinstance(data, dict)]
    not_objects = {str(n): msg("input.not_object") for n, data in enumerate(given, start=1)
                   if not isinstance(data, dict)}
    if not_objects:
        raise bad_request(msg("request.rows_are_objects"), not_objects)
    report = engine_of(current_app).start_batch(key, rows, current_user(),
                                                bool(body.get("skip_invalid")))
    if report.refused:
        raise InvalidData({str(p.line): p.said_in(message_language()) for p in report.invalid},
                          msg("batch.refused", count=len(report.invalid)))
    body = {**report.as_json(),  # the rows' messages in the request's language
            "invalid": [{**p.as_json(), "message": localized(p.text)} for p in report.invalid]}
    return jsonify(body), 201 if report.started else 200


@bp.route("/processes/<key>/migrations", methods=["POST"])
def migrate_instances(key: str) -> Response:
    """Move the running cases of one version (or of every older one) to ``to_version`` (default:
    the newest), or with ``dry_run`` only say which can move and why the others cannot: the
    engine's own check (engine/runtime/migration.py)."""
    if "designer" not in current_user().roles:
        raise PermissionDenied(msg("migrate.designer_only"))
    if len(key) > MAX_KEY:
        raise NotFound(msg("process.not_deployed", key=f"{key[:40]}..."))
    body = fields({"from_version": Field(int), "to_version": Field(int),
                   "dry_run": Field(bool)})
    for name in ("from_version", "to_version"):
        if name in body and not 0 < body[name] <= MAX_ID:
            raise bad_request(msg("request.body_errors"),
                              {name: msg("input.not_positive_integer")})
    report = engine_of(current_app).migrate_instances(
        key, body.get("to_version"), dry_run=bool(body.get("dry_run")),
        user=current_user().username, from_version=body.get("from_version"))
    language = message_language()
    return jsonify({**report.as_json(), "moved": len(report.moved),
                    "refused": len(report.refused),
                    "outcomes": [{**o.as_json(), "reasons": [r.render(language)
                                                             for r in o.reasons]}
                                 for o in report.outcomes]})
