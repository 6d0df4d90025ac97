"""The one place where engine errors become HTTP statuses."""

from __future__ import annotations

from typing import Any

from engine import (
    CalendarError,
    Conflict,
    EngineError,
    InvalidData,
    NotFound,
    PermissionDenied,
    ScriptError,
    UnsafeInput,
    ValidationFailed,
)

STATUS: dict[type[EngineError], int] = {
    ValidationFailed: 422,
    InvalidData: 422,
    UnsafeInput: 422,
    CalendarError: 422,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    ScriptError: 422,
}


def status_of(error: EngineError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}
