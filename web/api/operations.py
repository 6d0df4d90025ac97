"""Everyday case operations: on a task 转办 transfer, 委派 delegate, 加签 add-signer, 退回
send-back, 撤回 withdraw, 催办 urge; on a case 抄送 cc, 意见 comments, 终止 terminate; the
caller's CC list and its read mark. The engine checks who may do what."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.inputs import Field, fields
from web.api.instances import ID
from web.api.tasks import checked_task_id
from web.app import engine_of

REASON = Field(str, required=True, max_length=2000)
NOTE = Field(str, max_length=2000)
USER = Field(str, max_length=64)
UNIT = Field(str, max_length=128)
REVISION = Field(int)


@bp.route("/tasks/<task_id>/transfer", methods=["POST"])
def transfer(task_id: str) -> Response:
    body = fields({"to": USER, "to_unit": UNIT, "reason": REASON, "revision": REVISION})
    view = engine_of(current_app).ops.transfer(
        checked_task_id(task_id), current_user(), body["reason"], body.get("to"),
        body.get("to_unit"), body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/delegate", methods=["POST"])
def delegate(task_id: str) -> Response:
    body = fields({"to": Field(str, required=True, max_length=64), "reason": NOTE,
                   "revision": REVISION})
    view = engine_of(current_app).ops.delegate(
        checked_task_id(task_id), current_user(), body["to"], body.get("reason"),
        body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/add-signer", methods=["POST"])
def add_signer(task_id: str) -> Response:
    body = fields({"to": Field(str, required=True, max_length=64), "reason": NOTE,
                   "revision": REVISION, "parallel": Field(bool)})
    view = engine_of(current_app).ops.add_signer(
        checked_task_id(task_id), current_user(), body["to"], body.get("reason"),
        body.get("revision"), bool(body.get("parallel")))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/send-back", methods=["GET"])
def send_back_steps(task_id: str) -> Response:
    """The earlier steps the task may be sent back to, the default first."""
    steps = engine_of(current_app).ops.send_back_steps(checked_task_id(task_id), current_user())
    return jsonify({"steps": [{"element_id": s.element_id, "name": s.name} for s in steps]})


@bp.route("/tasks/<task_id>/send-back", methods=["POST"])
def send_back(task_id: str) -> Response:
    body = fields({"to": Field(str, max_length=128), "reason": REASON, "revision": REVISION})
    view = engine_of(current_app).ops.send_back(
        checked_task_id(task_id), current_user(), body["reason"], body.get("to"),
        body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/withdraw", methods=["POST"])
def withdraw(task_id: str) -> Response:
    body = fields({"revision": REVISION})
    view = engine_of(current_app).ops.withdraw(checked_task_id(task_id), current_user(),
                                               body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/urge", methods=["POST"])
def urge(task_id: str) -> Response:
    body = fields({"note": NOTE, "revision": REVISION})
    view = engine_of(current_app).ops.urge(checked_task_id(task_id), current_user(),
                                           body.get("note"), body.get("revision"))
    return jsonify(view.as_json())


@bp.route(f"/instances/{ID}/cc", methods=["POST"])
def cc(instance_id: int) -> Response:
    body = fields({"to": USER, "to_unit": UNIT})
    people = engine_of(current_app).ops.cc(instance_id, current_user(), body.get("to"),
                                           body.get("to_unit"))
    return jsonify({"instance_id": instance_id, "copied_to": people})


@bp.route(f"/instances/{ID}/comments", methods=["POST"])
def comment(instance_id: int) -> tuple[Response, int]:
    body = fields({"text": Field(str, required=True, max_length=4000), "revision": REVISION})
    view = engine_of(current_app).ops.comment(instance_id, current_user(), body["text"],
                                              body.get("revision"))
    return jsonify(view.as_json()), 201


@bp.route(f"/instances/{ID}/terminate", methods=["POST"])
def terminate(instance_id: int) -> Response:
    body = fields({"reason": REASON, "revision": REVISION})
    view = engine_of(current_app).ops.terminate(instance_id, current_user(), body["reason"],
                                                body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/copies", methods=["GET"])
def copies() -> Response:
    """The cases copied to the caller (抄送我的), newest first."""
    found = engine_of(current_app).ops.copies(current_user())
    return jsonify({"copies": [c.as_json() for c in found]})


@bp.route(f"/instances/{ID}/cc/read", methods=["POST"])
def mark_read(instance_id: int) -> Response:
    """已阅: the caller's copies of the case are read."""
    marked = engine_of(current_app).ops.mark_read(instance_id, current_user())
    return jsonify({"instance_id": instance_id, "marked": marked})

