"""Instants as a case's data stores them (a form's date-time: ISO 8601 with an offset) and as
people read them (Beijing time, to the minute)."""

from __future__ import annotations

import re
from datetime import datetime

from engine.time.calendar import TZ

INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def parsed(text: str) -> datetime | None:
    """The instant ``text`` stores in Beijing time; None for any other text."""
    if not INSTANT.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(TZ)
    except ValueError:
        return None


def shown(text: str) -> str | None:
    """An instant as the pages show it (2026-10-08 09:30); None when ``text`` is none."""
    at = parsed(text)
    return None if at is None else at.strftime("%Y-%m-%d %H:%M")
