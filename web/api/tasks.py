"""The caller's inbox, one task (with its form and data), claim, unclaim and complete, and
the caller's draft of a task (暂存)."""

from __future__ import annotations

import re

from flask import Response, current_app, jsonify, request

from engine import InboxFilter, NotFound, msg, task_form
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.errors import bad_request
from web.api.inputs import Field, bool_arg, fields, int_arg, only_args
from web.api.uploads import command_body
from web.app import engine_of

FILTERS = ("role", "process", "overdue", "assignee", "instance", "done")
_TASK_ID = re.compile(r"[0-9A-Za-z_-]{1,36}")


@bp.route("/tasks", methods=["GET"])
def inbox() -> Response:
    only_args(FILTERS)
    if bool_arg("done"):
        return _done()
    assignee = request.args.get("assignee")
    if assignee not in (None, "", "me"):
        raise bad_request(msg("request.bad_filter", name="assignee"),
                          {"assignee": msg("input.only_me")})
    flt = InboxFilter(
        process=request.args.get("process") or None,
        role=request.args.get("role") or None,
        overdue=bool_arg("overdue"),
        assignee_me=assignee == "me",
        instance_id=int_arg("instance"),
    )
    tasks = engine_of(current_app).inbox.for_user(current_user(), flt)
    return jsonify({"tasks": [t.as_json() for t in tasks]})


def _done() -> Response:
    """已办: the tasks the caller completed and the cases they started."""
    others = sorted(set(request.args) - {"done"})
    if others:
        raise bad_request(msg("request.done_alone"),
                          {n: msg("input.not_with_done") for n in others})
    return jsonify(engine_of(current_app).worklists.done(current_user()).as_json())


@bp.route("/tasks/<task_id>", methods=["GET"])
def get_task(task_id: str) -> Response:
    engine = engine_of(current_app)
    task = engine.inbox.task(checked_task_id(task_id), current_user())
    instance = engine.instance(task.instance_id, user=current_user())
    out = task.as_json()
    # the form of the version the task runs on
    out["form"] = task_form(engine, task.id, current_user().username)
    out["data"] = engine.task_data(task.id, current_user())
    out["revision"] = instance.revision
    return jsonify(out)


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
def claim(task_id: str) -> Response:
    body = fields({"revision": Field(int)})
    view = engine_of(current_app).claim(checked_task_id(task_id), current_user(),
                                        revision=body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
def unclaim(task_id: str) -> Response:
    body = fields({"revision": Field(int)})
    view = engine_of(current_app).unclaim(checked_task_id(task_id), current_user(),
                                          revision=body.get("revision"))
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
def complete(task_id: str) -> Response:
    body, uploads = command_body({"data": Field(dict), "revision": Field(int)})
    view = engine_of(current_app).complete(checked_task_id(task_id), body.get("data", {}),
                                           current_user(), revision=body.get("revision"),
                                           uploads=uploads)
    return jsonify(view.as_json())


@bp.route("/tasks/<task_id>/draft", methods=["GET", "PUT", "DELETE"])
def task_draft(task_id: str) -> Response:
    """暂存: the caller's draft of the task. GET: ``{"draft": Draft | null}``; PUT ``{"data":
    {...}}``: saved (nothing checked but each value's type, loosely), the draft back and
    whether saving claimed the task from the pool for the caller; DELETE: gone (204, whether
    there was one or not)."""
    engine = engine_of(current_app)
    task_id = checked_task_id(task_id)
    if request.method == "PUT":
        body = fields({"data": Field(dict, required=True)})
        draft = engine.drafts.save(task_id, body["data"], current_user())
        return jsonify({"draft": draft.as_json(), "claimed": draft.claimed})
    if request.method == "DELETE":
        engine.drafts.discard(task_id, current_user())
        return Response(status=204)
    found = engine.drafts.get(task_id, current_user())
    return jsonify({"draft": found.as_json() if found is not None else None})


def checked_task_id(task_id: str) -> str:
    if not _TASK_ID.fullmatch(task_id):
        raise NotFound(msg("task.not_found", task_id=task_id[:40]))
    return task_id
