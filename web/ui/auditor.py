"""Auditor pages (role auditor), read-only: find any instance, read its full event log with
the hash chain, check the chain, replay the case from its events and download its offline
bundle (what ``kuaiban replay`` and ``kuaiban export`` do)."""

from __future__ import annotations

import io
import json
from functools import partial
from typing import Any

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from engine import ChainProblem, ReplayResult, chain_problem, instance_forms, instances
from web.errors import localized
from web.ui.auth import current_user, roles_required
from web.ui.case import case_context, named
from web.ui.fmt import event_label
from web.ui.util import engine

bp = Blueprint("auditor", __name__, url_prefix="/audit")
STATUSES = ("running", "completed", "cancelled", "error")


@bp.app_template_filter("json_text")
def json_text(value: Any) -> str:
    """A recorded payload as readable JSON: Chinese as itself, never as \\u escapes."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


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
    processes = eng.processes()
    people = eng.shown_names(i.started_by for i in found if i.started_by)
    return render_template("audit/index.html", instances=found, processes=processes,
                           who=partial(named, people=people),
                           names={p.key: p.name for p in processes},
                           process=process, status=status, q=case_no or "",
                           statuses=STATUSES)


@bp.get("/instances/<int:instance_id>")
@roles_required("auditor")
def instance(instance_id: int) -> str:
    return _instance_page(instance_id, None)


@bp.get("/instances/<int:instance_id>/replay")
@roles_required("auditor")
def replay(instance_id: int) -> str:
    """The case's audit page with the verdict of rebuilding it from its version and events,
    as ``kuaiban replay`` does (reads only, like every audit page)."""
    user = current_user().username
    result = engine().replay(instance_id, user=user)
    kinds = {e.seq: e.type for e in engine().history(instance_id, user)}
    return _instance_page(instance_id, (result.ok, replay_verdict(
        result, kinds.get(result.diverged_at or 0, ""))))


def _instance_page(instance_id: int, verdict: tuple[bool, str] | None) -> str:
    eng = engine()
    user = current_user()
    context = case_context(instance_id, user.username, instance_forms(eng, instance_id))
    return render_template("audit/instance.html", case=context, events=context.events,
                           problem=_chain_text(chain_problem(eng, instance_id)),
                           verdict=verdict)


def _chain_text(problem: ChainProblem | None) -> str | None:
    return localized(problem.said) if problem is not None else None


def replay_verdict(result: ReplayResult, kind: str) -> str:
    """The verdict in the reader's language; ``kind``: the type of the diverging event."""
    if result.ok:
        return _("重放一致：%(n)d 个事件逐一重放，每一步的状态都与记录一致。", n=result.events)
    if result.reason == "stored_differs":
        return _("重放不一致：%(n)d 个事件重放完毕，但数据库中保存的案件状态与重放结果不同。",
                 n=result.events)
    where = _("第 %(seq)s 个事件（%(kind)s）", seq=result.diverged_at, kind=event_label(kind))
    if result.reason == "state_differs":
        return _("重放不一致：%(where)s重放后的状态与记录的状态不同。", where=where)
    return _("重放失败：%(where)s无法重放（%(detail)s）。", where=where,
             detail=localized(result.detail) if result.detail else result.message)


@bp.get("/instances/<int:instance_id>/bundle")
@roles_required("auditor")
def bundle(instance_id: int) -> WerkzeugResponse:
    """The case's offline bundle (events, hash chain, exact definition files), as ``kuaiban
    export`` writes it; ``kuaiban replay --bundle FILE`` checks it without the database."""
    eng = engine()
    view = eng.instance(instance_id, current_user().username)
    body = json.dumps(eng.export_bundle(instance_id), ensure_ascii=False, indent=1)
    return send_file(io.BytesIO(body.encode("utf-8")), mimetype="application/json",
                     as_attachment=True,
                     download_name=f"bundle-{view.business_key or instance_id}.json")
