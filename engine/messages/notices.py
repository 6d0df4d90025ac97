"""What a notice says: a key of the catalogue (catalogue_notices.py) and its parameters,
stored with the notice (engine/notify/emit.py) and rendered when it is read, in the reader's
language (in an e-mail or a webhook, as :func:`outside` says it). Notices written before keys
keep the Chinese sentence they were stored with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.messages import CATALOGUE, Msg, msg
from engine.time.calendar import deadline_clock, deadline_day

DEFAULT_LANGUAGE = "zh"  # for a reader who chose no language (users.language)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def stored(said: Msg) -> tuple[str, dict[str, Any]]:
    """The key and the JSON parameters a notice is stored with (times as ISO text)."""
    return said.key, {name: value.isoformat() if isinstance(value, datetime) else value
                      for name, value in said.params.items()}


def said(key: str, params: Mapping[str, Any] | None, title: str,
         business_key: str | None) -> Msg:
    """A stored notice's message: its parameters with its title and case number."""
    return Msg(key, {"title": title, "business_key": business_key, **(params or {})})


def outside(said: Msg) -> Msg:
    """The message as a notice leaving Kuaiban says it (an e-mail, a webhook): the key's
    ``.outside`` sibling in the catalogue when it has one (telling its reader to sign in,
    say), else the message itself."""
    key = f"{said.key}.outside"
    return Msg(key, said.params) if key in CATALOGUE else said


def render(said: Msg, language: str = DEFAULT_LANGUAGE) -> str:
    """The notice in ``language``; the case number, a reason and a deadline (local time) in
    that language's way."""
    values = dict(said.params)
    case, reason, due = values.get("business_key"), values.get("reason"), values.get("due_at")
    values["case"] = msg("notice.case", business_key=case) if case else ""
    values["because"] = msg("notice.because", reason=reason) if reason else ""
    if isinstance(due, str):
        try:
            moment = datetime.fromisoformat(due)
        except ValueError:
            values["due"] = values["hm"] = due
        else:
            values["due"], values["hm"] = when(moment, language), deadline_clock(moment)
    return Msg(said.key, values).render(language)


def when(t: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """A deadline as people read it, local time: 10月8日 17:30 / Oct 8, 17:30; one at
    midnight is the end of the day before (每月5日前: 12月4日 24:00), as the pages show it."""
    day = deadline_day(t)
    if language == "zh":
        return f"{day.month}月{day.day}日 {deadline_clock(t)}"
    return f"{_MONTHS[day.month - 1]} {day.day}, {deadline_clock(t)}"

