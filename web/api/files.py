"""A case's files: list and attach (multipart), download one by its sha256, issue a
document. Reading needs the right to read the case, adding a part in it (the engine decides)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.wrappers import Response as Download

from engine import msg
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.errors import ApiError, bad_request
from web.api.inputs import Field, fields, int_arg, only_args
from web.api.instances import ID
from web.api.uploads import files, is_multipart
from web.app import engine_of
from web.downloads import send


# One rule for both methods: with two, a POST to an id beyond the database's range would be
# answered 405 (the GET rule's path matched) instead of 404.
@bp.route(f"/instances/{ID}/attachments", methods=["GET", "POST"])
def attachments(instance_id: int) -> Response | tuple[Response, int]:
    if request.method == "POST":
        return _attach(instance_id)
    views = engine_of(current_app).dossier.files(instance_id, current_user())
    return jsonify({"instance_id": instance_id, "attachments": [v.as_json() for v in views]})


def _attach(instance_id: int) -> tuple[Response, int]:
    if not is_multipart():
        raise ApiError(415, "unsupported_media_type", msg("request.send_multipart"))
    unknown = sorted(set(request.form))
    if unknown:
        raise bad_request(msg("request.unknown_parts"), {n: msg("input.only_files_part")
                                                                for n in unknown})
    uploads = files("files")
    if not uploads:
        raise bad_request(msg("request.no_files"),
                          {"files": msg("input.no_files")})
    views = engine_of(current_app).dossier.attach(instance_id, uploads, current_user())
    return jsonify({"instance_id": instance_id,
                    "attachments": [v.as_json() for v in views]}), 201


@bp.route("/attachments/<sha256>", methods=["GET"])
def get_attachment(sha256: str) -> Download:
    only_args(("instance",))
    dossier = engine_of(current_app).dossier
    view = dossier.find(sha256, current_user(), int_arg("instance"))
    return send(view, dossier.chunks(view))


@bp.route(f"/instances/{ID}/documents", methods=["POST"])
def post_document(instance_id: int) -> tuple[Response, int]:
    body = fields({"template": Field(str, required=True, max_length=64),
                   "revision": Field(int)})
    view = engine_of(current_app).dossier.issue(instance_id, body["template"], current_user(),
                                                revision=body.get("revision"))
    return jsonify({"instance_id": instance_id, "document": view.as_json()}), 201
