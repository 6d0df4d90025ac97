"""The caller's notifications (newest first, with the unread count) and marking one read.
Each one's ``text`` is in the request's language (Accept-Language, else the chosen one);
``actor_name`` names its sender as staff see them (姓名（单位）). ``kind`` filters by kind."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from engine import NOTIFICATION_KINDS, msg
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.errors import bad_request
from web.api.inputs import bool_arg, fields, int_arg, only_args
from web.app import engine_of
from web.ui.i18n import message_language

ID = "<int(max=2147483647):notification_id>"  # a database integer: larger ones are none (404)
LIMIT = 200


@bp.route("/notifications", methods=["GET"])
def list_notifications() -> Response:
    only_args(("unread", "before", "limit", "kind"))
    unread, before, limit = bool_arg("unread"), int_arg("before"), int_arg("limit", LIMIT)
    notes = engine_of(current_app).notifications
    user = current_user()
    kind = request.args.get("kind")
    if kind is not None and kind not in NOTIFICATION_KINDS:
        said = msg("notify.unknown_kind", kind=kind[:40], known=list(NOTIFICATION_KINDS))
        raise bad_request(said, {"kind": said})
    found = notes.for_user(user, unread=bool(unread), before=before, limit=max(limit or 50, 1),
                           kind=kind)
    language = message_language()
    return jsonify({"notifications": [n.as_json(language) for n in found],
                    "unread": notes.unread_count(user)})


@bp.route(f"/notifications/{ID}/read", methods=["POST"])
def read_notification(notification_id: int) -> Response:
    fields({})  # no body, or an empty object
    view = engine_of(current_app).notifications.mark_read(notification_id, current_user())
    return jsonify(view.as_json(message_language()))
