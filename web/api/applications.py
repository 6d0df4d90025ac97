"""The operations on a subsidy application: 撤回申请 by the applicant, 退回补正 by the
department at its decision step, and the applicant's resubmission (补正后重新提交). The engine
checks who may do what and when (engine/runtime/application_ops.py)."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.inputs import Field, fields
from web.api.instances import ID
from web.api.operations import REASON, REVISION
from web.api.tasks import checked_task_id
from web.api.uploads import command_body
from web.app import engine_of


@bp.route(f"/instances/{ID}/withdraw-application", methods=["POST"])
def withdraw_application(instance_id: int) -> Response:
    body = fields({"reason": REASON, "revision": REVISION})
    view = engine_of(current_app).ops.withdraw_application(
        instance_id, current_user(), body["reason"], body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/request-supplement", methods=["POST"])
def request_supplement(task_id: str) -> Response:
    body = fields({"items": Field(str, required=True, max_length=4000),
                   "opinion": Field(str, max_length=4000), "revision": REVISION})
    view = engine_of(current_app).ops.request_supplement(
        checked_task_id(task_id), current_user(), body["items"], body.get("opinion"),
        body.get("revision"))
    return jsonify(view.as_json())


@bp.route(f"/instances/{ID}/resubmit", methods=["POST"])
def resubmit(instance_id: int) -> Response:
    """JSON ``{"data": {...}}``, or multipart with the form's files (as /complete)."""
    body, uploads = command_body({"data": Field(dict), "revision": REVISION})
    view = engine_of(current_app).ops.resubmit(instance_id, current_user(),
                                               body.get("data", {}), body.get("revision"),
                                               uploads)
    return jsonify(view.as_json())
