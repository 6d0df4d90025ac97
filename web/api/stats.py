"""Supervisors' statistics: the figures of the caller's sections (or one section), the
cases behind one count, and the same figures as an .xlsx workbook. The engine decides who
sees which section (supervising roles only)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from engine import StatsFilter, figure_cases, figure_payouts, figure_tasks, statistics
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.inputs import only_args
from web.app import engine_of

FILTERS = ("from", "to", "unit", "process")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter() -> StatsFilter:
    return StatsFilter.from_args(request.args)


@bp.route("/stats", methods=["GET"])
def get_stats() -> Response:
    only_args(FILTERS)
    return jsonify(statistics(engine_of(current_app), current_user(), _filter()).as_json())


@bp.route("/stats/<section>", methods=["GET"])
def get_stats_section(section: str) -> Response:
    only_args(FILTERS)
    found = statistics(engine_of(current_app), current_user(), _filter(), section)
    return jsonify(found.as_json())


@bp.route("/stats/cases", methods=["GET"])
def get_stats_cases() -> Response:
    only_args((*FILTERS, "figure", "key", "measure"))
    args = request.args
    asked = (engine_of(current_app), current_user(), _filter(), args.get("figure", ""),
             args.get("key") or None, args.get("measure", ""))
    found = figure_cases(*asked)
    body: dict[str, Any] = {"cases": [{
        "id": c.id, "process_key": c.process_key, "business_key": c.business_key,
        "status": c.status, "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(), "subject": c.subject} for c in found]}
    tasks = figure_tasks(*asked)
    if tasks is not None:  # a count of tasks: the tasks themselves, a case's steps each
        body["tasks"] = [{
            "id": t.id, "instance_id": t.instance_id, "process_key": t.process_key,
            "business_key": t.business_key, "title": t.title, "unit": t.unit,
            "due_at": t.due_at.isoformat() if t.due_at else None,
            "completed_at": t.completed_at.isoformat() if t.completed_at else None,
            "subject": t.subject}
            for t in tasks]
    payouts = figure_payouts(*asked)
    if payouts is not None:  # a count of payouts: the payouts themselves, one each
        body["payouts"] = [{
            "instance_id": p.instance_id, "process_key": p.process_key,
            "business_key": p.business_key, "enterprise": p.enterprise,
            "credit_code": p.credit_code, "paid_amount": p.paid, "paid_on": p.paid_on,
            "completed_at": p.completed_at.isoformat() if p.completed_at else None,
            "task_id": p.task_id} for p in payouts]
    return jsonify(body)


@bp.route("/stats/export", methods=["GET"])
def get_stats_export() -> Response:
    only_args(FILTERS)
    found = statistics(engine_of(current_app), current_user(), _filter())
    return Response(found.to_xlsx(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=statistics.xlsx"})
