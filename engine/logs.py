"""Log set-up for the long-running processes: plain text, or JSON lines for log collectors.

``configure("json")`` writes one JSON object per line to stderr::

    {"time": "2026-09-30T16:00:01.123+08:00", "level": "INFO", "logger": "kuaiban.web.request",
     "message": "POST /api/v1/tasks/…/complete 200", "pid": 4711, "request_id": "…",
     "user": "zhao", "method": "POST", "path": "/api/v1/tasks/…/complete", "status": 200,
     "duration_ms": 12.5}

``time`` is the wall-clock time logging itself stamps on each record (never the engine clock,
which ``KUAIBAN_NOW`` may freeze), with the host's UTC offset. Fields passed through
``extra={...}`` become top-level keys; an exception becomes ``exc`` (its traceback as text),
and so stays on one line. ``pid`` tells the processes of one machine apart (gunicorn workers,
several ``kuaiban worker``).

The format comes from the argument, else ``KUAIBAN_LOG_FORMAT`` (``text`` or ``json``). Kuaiban's
own loggers (``kuaiban.*``) log at INFO in JSON mode and at WARNING in text mode (DEBUG with
``verbose``); other libraries log at WARNING. In JSON mode Werkzeug's own access lines are
silenced: ``kuaiban.web.request`` replaces them, with the request id and the user.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).astimezone()
        out: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_format(fmt: str | None = None) -> str:
    """The format asked for, else ``KUAIBAN_LOG_FORMAT``, else ``text``; ValueError if unknown."""
    chosen = (fmt or os.environ.get("KUAIBAN_LOG_FORMAT") or "text").strip().lower()
    if chosen not in FORMATS:
        raise ValueError(f"unknown log format {chosen!r} (use one of: {', '.join(FORMATS)})")
    return chosen


def configure(fmt: str | None = None, verbose: bool = False,
              stream: TextIO | None = None) -> str:
    """Replace the root handlers with one stream handler in the chosen format; returns it."""
    chosen = log_format(fmt)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else logging.Formatter(TEXT_FORMAT))
    own_level = logging.DEBUG if verbose else logging.INFO if chosen == "json" else logging.WARNING
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        handlers=[handler], force=True)
    logging.getLogger("kuaiban").setLevel(own_level)
    if chosen == "json":
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return chosen
