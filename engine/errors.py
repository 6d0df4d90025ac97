"""The one error hierarchy of the engine.

    EngineError                      base; ``code`` is a stable machine-readable string
    ├── ValidationFailed             a definition (BPMN/DMN/form) failed validation; ``problems``
    ├── UnsafeInput                  hostile XML or code refused before it is processed
    ├── NotFound                     no such process, instance, task or user
    │   └── CaseHidden               (also a PermissionDenied) a case, or a task of it, the
    │                                user may not read: answered as if it did not exist
    ├── PermissionDenied             the user may not do this (role or unit)
    ├── Conflict                     stale revision or state: someone else acted first
    ├── InvalidData                  submitted data failed the form; ``field_errors``
    ├── ScriptError                  an expression or script failed at run time
    ├── CalendarError                bad date input or calendar configuration
    └── Throttled                    too many failed sign-ins: wait ``retry_after`` seconds

The web layer maps each class to one HTTP status in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One validation problem, printed as ``file:line: element: message``."""

    file: str
    line: int | None
    element: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        line = self.line if self.line is not None else 0
        element = self.element or "-"
        return f"{self.file}:{line}: {element}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "element": self.element,
            "message": self.message,
            "severity": self.severity,
        }


class EngineError(Exception):
    code = "engine_error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(EngineError):
    code = "validation_failed"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} validation error(s)",
            [p.as_dict() for p in self.problems],
        )


class UnsafeInput(EngineError):
    code = "unsafe_input"


class NotFound(EngineError):
    code = "not_found"


class PermissionDenied(EngineError):
    code = "permission_denied"


class CaseHidden(NotFound, PermissionDenied):
    """The case exists, but the user has no part in it: a refusal (a PermissionDenied to the
    engine's callers) that is answered exactly like an id that names nothing (NotFound's
    status, code and message), so that ids cannot be probed for the cases behind them."""

    code = NotFound.code


class Conflict(EngineError):
    code = "conflict"


class InvalidData(EngineError):
    code = "invalid_data"

    def __init__(self, field_errors: Mapping[str, str], message: str = "invalid data") -> None:
        self.field_errors = dict(field_errors)
        super().__init__(message, self.field_errors)


def refused(field: str, text: str) -> InvalidData:
    """A request refused because of one field, said the same way to every caller."""
    return InvalidData({field: text}, text)


class ScriptError(EngineError):
    code = "script_error"


class CalendarError(EngineError):
    code = "calendar_error"


class Throttled(EngineError):
    """Too many failed sign-ins for an account or from a client address (engine/org/sign_in.py);
    nothing is checked until ``retry_after`` seconds have passed."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after
