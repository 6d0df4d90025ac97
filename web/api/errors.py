"""JSON errors for everything under /api/:
``{"error": {"code", "message", "details", "key", "params"}}``.

Engine errors get their status from web/errors.py's ``status_of`` (the one mapping); HTTP
errors (400, 401, 403, 404, 405, 413, 415, ...) keep their status; anything unexpected is
logged with its traceback and answered with a generic 500 that reveals nothing. Every message
is a catalogue key with its parameters (engine/messages), said in the request's language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from engine import EngineError, InvalidData, Msg, Problem, ValidationFailed, as_msg, msg
from web.api.blueprint import bp
from web.errors import error_body, headers_of, localized, localized_fields, status_of

log = logging.getLogger("kuaiban.web.api")

MAX_ECHO = 500  # characters of any one string in an error (names, ids, messages)
MAX_ITEMS = 200  # problems or fields listed in one error
# Headers an error response keeps when it is rewritten as JSON.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiError(Exception):
    """An error found by the API layer itself (bad request, no token, ...)."""

    def __init__(self, status: int, code: str, message: Msg | str, details: Any = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.said = as_msg(message)
        self.message = self.said.english
        super().__init__(self.message)
        self.status = status
        self.code = code
        self.details = details
        self.headers = dict(headers or {})


def bad_request(message: Msg, details: Any = None) -> ApiError:
    return ApiError(400, "bad_request", message, details)


def json_error(status: int, code: str, message: str, details: Any = None,
               headers: Mapping[str, str] | None = None, text: Msg | None = None) -> Response:
    response = jsonify(error_body(code, message, _jsonable(details), text))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """``text``, cut to ``limit`` characters: an error never echoes a huge input back."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _jsonable(details: Any) -> Any:
    """Details as JSON; a message (what is wrong with one field, say) in the request's
    language."""
    if isinstance(details, Msg):
        return clip(localized(details))
    if isinstance(details, Problem):
        return _jsonable(details.as_dict())
    if isinstance(details, list | tuple):
        return [_jsonable(d) for d in details[:MAX_ITEMS]]
    if isinstance(details, dict):
        return {clip(str(k)): _jsonable(v) for k, v in list(details.items())[:MAX_ITEMS]}
    if isinstance(details, str):
        return clip(details)
    if details is None or isinstance(details, int | float | bool):
        return details
    return clip(str(details))


# What the HTTP layer's own refusals say (the rest name their status).
_HTTP = {404: msg("request.not_found"), 405: msg("request.method_not_allowed"),
         413: msg("request.too_large"), 415: msg("request.unsupported_media_type")}


def code_of(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("'", "")


def _api_error(exc: ApiError) -> Response:
    return json_error(exc.status, exc.code, clip(localized(exc.said)), exc.details, exc.headers,
                      exc.said)


def _engine_error(exc: EngineError) -> Response:
    """The message in the request's language; a failed validation's problems too."""
    message, details = localized(exc.said), exc.details
    if isinstance(exc, InvalidData):
        details = localized_fields(exc)
    if isinstance(exc, ValidationFailed) and exc.problems:
        details = [{**p.as_dict(), "message": localized(p.said)} for p in exc.problems]
        first = exc.problems[0]
        message = f"{message}; {first.file}:{first.line or 0}: {first.element or '-'}: " \
                  f"{localized(first.said)}"
    return json_error(status_of(exc), exc.code, clip(message), details, headers_of(exc),
                      exc.said)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k in _KEPT_HEADERS}
    said = _HTTP.get(status) or msg("request.http_error", status=status,
                                    name=HTTP_STATUS_CODES.get(status, "error"))
    return json_error(status, code_of(status), localized(said), headers=headers, text=said)


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error in %s %s", request.method, request.path)
    said = msg("request.internal_error")
    return json_error(500, "internal_error", localized(said), text=said)


def _json_errors_for_api_paths(response: Response) -> Response:
    """Errors under /api/ that never reached the blueprint (no route, wrong method), and so were
    answered by the app's own handlers (the UI's pages, or Werkzeug's HTML), are rewritten as
    the API's JSON errors."""
    if not (request.path == "/api" or request.path.startswith("/api/")):
        return response
    if response.status_code < 400 or request.blueprint == bp.name:
        return response
    status = response.status_code
    said = {404: msg("request.no_endpoint"), 405: msg("request.method_not_allowed")}.get(
        status) or _HTTP.get(status) or msg("request.http_error", status=status,
                                            name=HTTP_STATUS_CODES.get(status, "error"))
    headers = {k: v for k in _KEPT_HEADERS if (v := response.headers.get(k)) is not None}
    routing = request.routing_exception
    if isinstance(routing, HTTPException):  # e.g. 405's Allow, if another handler dropped it
        headers.update((k, v) for k, v in routing.get_headers() if k in _KEPT_HEADERS)
    return json_error(status, code_of(status), localized(said), headers=headers, text=said)


def install_blueprint() -> None:
    """Once, before the blueprint is first registered."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(EngineError, _engine_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)


def install_app(app: Flask) -> None:
    """For each app: routing errors under /api/ happen outside the blueprint."""
    app.after_request(_json_errors_for_api_paths)
