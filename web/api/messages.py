"""POST /messages: deliver a message to the instances waiting for it (or start one)."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.inputs import Field, fields
from web.app import engine_of


@bp.route("/messages", methods=["POST"])
def send_message() -> Response:
    body = fields({"name": Field(str, required=True, max_length=128),
                   "correlation": Field(dict), "data": Field(dict)})
    delivered = engine_of(current_app).send_message(
        body["name"], body.get("correlation", {}), body.get("data", {}), current_user())
    return jsonify({"name": body["name"], "instances": delivered})
