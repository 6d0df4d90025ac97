"""The instance page: status, data, the diagram with the path taken and the current tasks,
and the timeline of events. Anyone with a part in the case (and auditors, designers) may read
it; the engine decides."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from werkzeug.wrappers import Response

from engine.diagram import instance_path
from engine.startable import instance_forms
from web.ui.auth import current_user, login_required
from web.ui.case import case_context
from web.ui.util import engine

bp = Blueprint("instances", __name__)


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    eng = engine()
    user = current_user()
    context = case_context(instance_id, user.username, instance_forms(eng, instance_id))
    return render_template("instance.html", case=context)


@bp.get("/instances/<int:instance_id>/diagram.json")
@login_required
def diagram(instance_id: int) -> Response:
    path = instance_path(engine(), instance_id, current_user().username)
    return jsonify(xml=path.diagram.xml, completed=path.completed, active=path.active,
                   flows=path.flows)
