"""POST /auth/token, and the bearer-token check in front of every other endpoint."""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from engine import Msg, NotFound, UserView, msg
from web import tokens
from web.api.blueprint import bp
from web.api.errors import ApiError
from web.api.inputs import Field, check_request_text, fields
from web.app import engine_of

# Endpoints anyone may call: getting a token, and reading the API's own documentation.
PUBLIC = frozenset({"api.issue_token", "api.openapi_json", "api.docs"})


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def max_age() -> int:
    return int(current_app.config.get("API_TOKEN_MAX_AGE", tokens.DEFAULT_MAX_AGE))


@bp.route("/auth/token", methods=["POST"])
def issue_token() -> Response:
    """A token; 401 for a wrong name or password, 429 with Retry-After after too many
    (engine/org/sign_in.py)."""
    body = fields({"username": Field(str, required=True, max_length=64),
                   "password": Field(str, required=True, max_length=1024)})
    user = engine_of(current_app).authenticate(body["username"], body["password"],
                                               request.remote_addr)
    if user is None:
        raise ApiError(401, "invalid_credentials", msg("request.wrong_credentials"))
    return jsonify({
        "token": tokens.issue(_secret(), user.username, user.generation),
        "token_type": "Bearer",
        "expires_in": max_age(),
        "username": user.username,
    })


@bp.route("/auth/logout", methods=["POST"])
def sign_out() -> Response:
    """Revoke the presented token; ``{"everywhere": true}`` also every other token and
    session of its user."""
    body = fields({"everywhere": Field(bool)})
    accounts = engine_of(current_app).accounts
    claims: tokens.Claims = g.api_claims
    accounts.sign_out(claims.id, claims.expires_at)
    if body.get("everywhere"):
        accounts.sign_out_everywhere(claims.username)
    return jsonify({"signed_out": True, "everywhere": bool(body.get("everywhere"))})


@bp.before_request
def _require_token() -> None:
    if request.endpoint not in PUBLIC:
        g.api_user = _bearer_user()
    check_request_text()


def current_user() -> UserView:
    user: UserView = g.api_user
    return user


def _bearer_user() -> UserView:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing_token", msg("request.missing_token"))
    try:
        claims = tokens.verify(_secret(), token.strip(), max_age())
    except tokens.TokenError as exc:
        if exc.expired:
            raise _unauthorized("token_expired", msg("request.token_expired")) from exc
        raise _unauthorized("invalid_token", msg("request.invalid_token")) from exc
    try:
        user = engine_of(current_app).accounts.signed_in(claims.username, claims.generation,
                                                          claims.id)
    except NotFound as exc:
        raise _unauthorized("invalid_token", msg("request.token_revoked")) from exc
    g.api_claims = claims
    return user


def _unauthorized(code: str, message: Msg) -> ApiError:
    challenge = 'Bearer realm="kuaiban"'
    if code != "missing_token":
        challenge += ', error="invalid_token"'
    return ApiError(401, code, message, headers={"WWW-Authenticate": challenge})
