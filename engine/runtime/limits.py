"""What one command may cost: the wall time its scripts, expressions and deadline functions
may run (then it is stopped and rolled back: SQLite's write lock is never held for minutes),
and the size of the case it saves (its workflow state and data, checked before the commit).

Both come from the environment: ``KUAIBAN_COMMAND_SECONDS`` (default 10) and
``KUAIBAN_MAX_CASE_BYTES`` (default 16 MB); docs/operations.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import EngineError, InvalidData
from engine.messages import msg

MB = 1024 * 1024


@dataclass(frozen=True)
class CommandLimits:
    seconds: float = 10.0
    case_bytes: int = 16 * MB

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CommandLimits:
        env = os.environ if env is None else env
        try:
            seconds = float(env.get("KUAIBAN_COMMAND_SECONDS") or cls.seconds)
            case_bytes = int(env.get("KUAIBAN_MAX_CASE_BYTES") or cls.case_bytes)
        except ValueError as exc:
            raise EngineError(msg("limits.not_numbers")) from exc
        if not 0 < seconds <= 3600 or case_bytes < MB:
            raise EngineError(msg("limits.out_of_range"))
        return cls(seconds, case_bytes)


def check_case_size(state: str, data: str, limits: CommandLimits) -> None:
    """InvalidData when a case's saved state and data (JSON text with ASCII escapes, so one
    byte a character) exceed the limit."""
    size = len(state) + len(data)
    if size > limits.case_bytes:
        message = msg("limits.case_too_large", megabytes=round(size / MB, 1),
                      limit=round(limits.case_bytes / MB))
        raise InvalidData({"_": message.render("zh")}, message)
