"""The unit directory: every signed-in user may read it (forms pick units from it)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from web.api.auth import current_user
from web.api.blueprint import bp
from web.app import engine_of


@bp.route("/units", methods=["GET"])
def list_units() -> Response:
    current_user()
    found = engine_of(current_app).units(kind=request.args.get("kind") or None,
                                         tag=request.args.get("tag") or None,
                                         q=request.args.get("q") or None)
    return jsonify({"units": [u.as_json() for u in found]})
