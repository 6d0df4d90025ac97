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
            raise EngineError("KUAIBAN_COMMAND_SECONDS must be a number of seconds and "
                              "KUAIBAN_MAX_CASE_BYTES a number of bytes") from exc
        if not 0 < seconds <= 3600 or case_bytes < MB:
            raise EngineError("KUAIBAN_COMMAND_SECONDS must be between 0 and 3600 and "
                              "KUAIBAN_MAX_CASE_BYTES at least 1048576")
        return cls(seconds, case_bytes)


def check_case_size(state: str, data: str, limits: CommandLimits) -> None:
    """InvalidData when a case's saved state and data (JSON text with ASCII escapes, so one
    byte a character) exceed the limit."""
    size = len(state) + len(data)
    if size > limits.case_bytes:
        message = (f"the case would hold {size / MB:.1f} MB of data, more than the limit of "
                   f"{limits.case_bytes / MB:.0f} MB; nothing was saved")
        raise InvalidData({"_": f"案件数据将达 {size / MB:.1f} MB，超过上限 "
                                f"{limits.case_bytes / MB:.0f} MB，未保存"}, message)
