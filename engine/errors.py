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

The web layer maps each class to one HTTP status in one place. What an error or a problem says
is a :class:`engine.messages.Msg` (a catalogue key and its parameters): ``.message`` is its
English text, and the web layer renders it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.messages import Msg, as_msg, msg


@dataclass(frozen=True)
class Problem:
    """One validation problem, printed as ``file:line: element: message``."""

    file: str
    line: int | None
    element: str | None
    text: Msg | str  # a plain string is kept verbatim
    severity: str = "error"

    @property
    def said(self) -> Msg:
        return as_msg(self.text)

    @property
    def message(self) -> str:
        return self.said.english

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
            **self.said.as_dict(),
        }


class EngineError(Exception):
    code = "engine_error"

    def __init__(self, message: Msg | str, details: Any = None) -> None:
        self.said = as_msg(message)
        self.message = self.said.english
        super().__init__(self.message)
        self.details = details

    @property
    def key(self) -> str:
        return self.said.key

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.said.params)


class ValidationFailed(EngineError):
    code = "validation_failed"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(msg("validation.failed", count=len(self.problems)),
                         [p.as_dict() for p in self.problems])


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
    """``field_said``: each field's error as a message (a plain string is kept verbatim);
    ``field_errors``: the same in Chinese, the language of the forms."""

    code = "invalid_data"

    def __init__(self, field_errors: Mapping[str, Msg | str], message: Msg | str | None = None
                 ) -> None:
        self.field_said = {name: as_msg(text) for name, text in field_errors.items()}
        self.field_errors = {name: said.render("zh") for name, said in self.field_said.items()}
        super().__init__(message or msg("data.invalid"), self.field_errors)

    def field_errors_in(self, language: str) -> dict[str, str]:
        return {name: said.render(language) for name, said in self.field_said.items()}


def refused(field: str, text: Msg) -> InvalidData:
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

    def __init__(self, message: Msg, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after
