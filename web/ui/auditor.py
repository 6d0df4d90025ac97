"""Auditor pages (role auditor), read-only: find any instance, read its full event log with
the hash chain, and check the chain."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine import chain_problem, instance_forms, instances
from web.ui.auth import current_user, roles_required
from web.ui.case import case_context
from web.ui.util import engine

bp = Blueprint("auditor", __name__, url_prefix="/audit")
STATUSES = ("running", "completed", "cancelled", "error")


@bp.get("/")
@roles_required("auditor")
def index() -> str:
    eng = engine()
    process = request.args.get("process") or None
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    case_no = (request.args.get("q") or "").strip() or None
    found = instances(eng, process=process, status=status, business_key=case_no, limit=200,
                      reach=current_user().reach)
    return render_template("audit/index.html", instances=found, processes=eng.processes(),
                           process=process, status=status, q=case_no or "",
                           statuses=STATUSES)


@bp.get("/instances/<int:instance_id>")
@roles_required("auditor")
def instance(instance_id: int) -> str:
    eng = engine()
    user = current_user()
    context = case_context(instance_id, user.username, instance_forms(eng, instance_id))
    return render_template("audit/instance.html", case=context, events=context.events,
                           problem=chain_problem(eng, instance_id))
