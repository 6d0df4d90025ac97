"""Reading one instance and its history (the engine checks the caller has a part in it)."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from web.api.auth import current_user
from web.api.blueprint import bp
from web.app import engine_of

# Instance ids are database integers: larger numbers are no instance (404), not a crash.
ID = "<int(max=2147483647):instance_id>"


@bp.route(f"/instances/{ID}", methods=["GET"])
def get_instance(instance_id: int) -> Response:
    view = engine_of(current_app).instance(instance_id, user=current_user())
    return jsonify(view.as_json())


@bp.route(f"/instances/{ID}/related", methods=["GET"])
def get_related(instance_id: int) -> Response:
    """The other cases under its case number that the caller may read."""
    related = engine_of(current_app).related(instance_id, user=current_user())
    return jsonify({"instance_id": instance_id, "related": [r.as_json() for r in related]})


@bp.route(f"/instances/{ID}/replay", methods=["POST"])
def post_replay(instance_id: int) -> Response:
    result = engine_of(current_app).replay(instance_id, user=current_user())
    return jsonify(result.as_json())


@bp.route(f"/instances/{ID}/history", methods=["GET"])
def get_history(instance_id: int) -> Response:
    """The events (confidential fields masked for those who may not see them); for auditors
    also the log of who was shown confidential fields."""
    engine = engine_of(current_app)
    user = current_user()
    events = engine.history(instance_id, user=user)
    body = {"instance_id": instance_id, "events": [e.as_json() for e in events]}
    if "auditor" in user.roles:
        body["confidential_reads"] = [r.as_json()
                                      for r in engine.confidential_reads(instance_id, user)]
    return jsonify(body)
