"""The one place where engine errors become HTTP statuses, and what they say is rendered in the
reader's language."""

from __future__ import annotations

from typing import Any

from engine import (
    CalendarError,
    CaseHidden,
    Conflict,
    EngineError,
    InvalidData,
    Msg,
    NotFound,
    PermissionDenied,
    ScriptError,
    Throttled,
    UnsafeInput,
    ValidationFailed,
    as_msg,
    msg,
)
from web.ui.i18n import message_language

STATUS: dict[type[EngineError], int] = {
    ValidationFailed: 422,
    InvalidData: 422,
    UnsafeInput: 422,
    CalendarError: 422,
    NotFound: 404,
    CaseHidden: 404,  # a case the user may not read is one that does not exist, to them
    PermissionDenied: 403,
    Conflict: 409,
    ScriptError: 422,
    Throttled: 429,
}


def status_of(error: EngineError) -> int:
    """The status of the most specific class of ``error`` that has one."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def localized(text: Msg | str) -> str:
    """What the engine said, in the request's language."""
    return as_msg(text).render(message_language())


def said(key: str, /, **params: Any) -> str:
    """A catalogue message in the request's language: a page's script is given a message as
    a template this way (``said("…", line="{line}")``), to say what the server would."""
    return localized(msg(key, **params))


def localized_fields(error: InvalidData) -> dict[str, str]:
    """Each field's error in the request's language."""
    return error.field_errors_in(message_language())


def error_body(code: str, message: str, details: Any = None, text: Msg | None = None
               ) -> dict[str, Any]:
    """The error body; ``key`` and ``params`` name the message in the catalogue, so that a
    client may say it in its own words (``text`` with the message itself: a text given as it
    is)."""
    named = as_msg(text if text is not None else message).as_dict()
    return {"error": {"code": code, "message": message, "details": details, **named}}


def headers_of(error: EngineError) -> dict[str, str]:
    """Headers the status needs: Retry-After with a 429."""
    if isinstance(error, Throttled):
        return {"Retry-After": str(error.retry_after)}
    return {}
