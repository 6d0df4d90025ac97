"""Finding cases: search, the caller's applications (我的申请), an enterprise's own payout of a
免申即享 batch and its 兑付通知书, and the 惠企政策清单 they apply under. The done list (已办) is
GET /tasks?done=true (web/api/tasks.py)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.wrappers import Response as Download

from engine import MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY, POLICY_MODES, msg
from web.api.auth import current_user
from web.api.blueprint import bp
from web.api.errors import bad_request
from web.api.inputs import int_arg, only_args
from web.api.instances import ID
from web.app import engine_of
from web.downloads import send


@bp.route("/search", methods=["GET"])
def search() -> Response:
    only_args(("q", "limit"))
    query = (request.args.get("q") or "").strip()
    if not query:
        raise bad_request(msg("request.nothing_to_search"), {"q": msg("input.search_words")})
    if len(query) > MAX_SEARCH_QUERY:
        raise bad_request(msg("request.query_too_long"),
                          {"q": msg("input.too_long", limit=MAX_SEARCH_QUERY)})
    limit = int_arg("limit", MAX_SEARCH_LIMIT)
    if limit == 0:
        raise bad_request(msg("request.bad_filter", name="limit"),
                          {"limit": msg("input.at_least", limit=1)})
    result = engine_of(current_app).search.find(query, current_user(), limit or 20)
    return jsonify(result.as_json())


@bp.route("/applications", methods=["GET"])
def applications() -> Response:
    only_args(())
    found = engine_of(current_app).worklists.applications(current_user())
    return jsonify({"applications": [a.as_json() for a in found]})


@bp.route(f"/applications/payouts/{ID}", methods=["GET"])
def own_payout(instance_id: int) -> Response:
    """The caller's own items of a 免申即享 batch (an enterprise's; the batch's case is not
    theirs to read)."""
    only_args(())
    found = engine_of(current_app).own_payouts.in_batch(instance_id, current_user())
    return jsonify({"instance_id": instance_id, "payouts": [p.as_json() for p in found]})


@bp.route(f"/applications/payouts/{ID}/letters/<string(length=64):sha256>", methods=["GET"])
def own_payout_letter(instance_id: int, sha256: str) -> Download:
    only_args(())
    eng = engine_of(current_app)
    view = eng.own_payouts.letter(instance_id, sha256, current_user())
    return send(view, eng.dossier.chunks(view))


@bp.route("/policies", methods=["GET"])
def list_policies() -> Response:
    only_args(("q", "mode"))
    current_user()
    mode = request.args.get("mode") or None
    if mode is not None and mode not in POLICY_MODES:
        raise bad_request(msg("request.unknown_mode"),
                          {"mode": msg("input.one_of", choices=list(POLICY_MODES))})
    found = engine_of(current_app).policies(request.args.get("q") or None, mode)
    return jsonify({"policies": [p.as_json() for p in found]})
