"""Notification settings, from the environment (docs/operations.md). E-mail and the webhook
are off until their address is set; the in-app centre needs no setting."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from urllib.parse import urlsplit

from engine.errors import EngineError
from engine.messages import msg

SECURITY = ("none", "starttls", "tls")
WEBHOOK_FORMATS = ("kuaiban", "robot")
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class Settings:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"  # none | starttls | tls (implicit TLS, "SMTPS")
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str | None = None
    webhook_url: str | None = None
    webhook_format: str = "kuaiban"  # kuaiban: Kuaiban's JSON; robot: {"msgtype": "text", ...}
    webhook_secret: str | None = None  # signs the body (X-Kuaiban-Signature)
    reminder_time: time = time(9, 0)  # local time of the day's reminder round
    base_url: str | None = None  # for links in e-mails and webhook texts
    timeout: float = 20.0  # seconds, per network operation
    max_attempts: int = 8
    retry_after: timedelta = timedelta(minutes=1)  # doubled after each failed attempt

    @property
    def channels(self) -> tuple[str, ...]:
        """The outside channels that are on."""
        return tuple(c for c, on in (("email", bool(self.smtp_host)),
                                     ("webhook", bool(self.webhook_url))) if on)

    def backoff(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt (at most six hours)."""
        return min(self.retry_after * 2 ** max(attempts - 1, 0), timedelta(hours=6))

    def link(self, path: str) -> str | None:
        return self.base_url.rstrip("/") + path if self.base_url else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = source.get("KUAIBAN_" + name, "").strip()
            return value or None

        security = (get("SMTP_SECURITY") or "none").lower()
        _one_of("SMTP_SECURITY", security, SECURITY)
        host, sender = get("SMTP_HOST"), get("SMTP_SENDER")
        if host and not (sender and "@" in sender):
            raise _bad("SMTP_SENDER", "is required with KUAIBAN_SMTP_HOST: the From address, "
                       "e.g. kuaiban@example.gov.cn")
        webhook = get("WEBHOOK_URL")
        if webhook and urlsplit(webhook).scheme not in ("http", "https"):
            raise _bad("WEBHOOK_URL", "must be an http:// or https:// URL")
        webhook_format = (get("WEBHOOK_FORMAT") or "kuaiban").lower()
        _one_of("WEBHOOK_FORMAT", webhook_format, WEBHOOK_FORMATS)
        return cls(
            smtp_host=host,
            smtp_port=_number(get("SMTP_PORT"), "SMTP_PORT", _DEFAULT_PORTS[security], 1, 65535),
            smtp_security=security, smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"), smtp_sender=sender,
            webhook_url=webhook, webhook_format=webhook_format,
            webhook_secret=get("WEBHOOK_SECRET"),
            reminder_time=_clock_time(get("REMINDER_TIME")),
            base_url=get("BASE_URL"),
            timeout=float(_number(get("NOTIFY_TIMEOUT"), "NOTIFY_TIMEOUT", 20, 1, 120)),
            max_attempts=_number(get("NOTIFY_MAX_ATTEMPTS"), "NOTIFY_MAX_ATTEMPTS", 8, 1, 50),
            retry_after=timedelta(seconds=_number(get("NOTIFY_RETRY_SECONDS"),
                                                  "NOTIFY_RETRY_SECONDS", 60, 1, 86400)),
        )


def _bad(name: str, problem: str) -> EngineError:
    return EngineError(msg("settings.invalid", name=name, problem=problem))


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise _bad(name, f"must be one of {', '.join(allowed)}, not {value!r}")


def _number(text: str | None, name: str, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(name, f"must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


def _clock_time(text: str | None) -> time:
    if text is None:
        return time(9, 0)
    try:
        value = time.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None or len(text) != 5:
        raise _bad("REMINDER_TIME", f"must be a local time HH:MM such as 09:00, not {text!r}")
    return value
