"""Sending one notice out: e-mail over SMTP (smtplib) and a JSON POST to the webhook
(urllib). Each raises :class:`Undelivered` saying whether trying again may help."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from engine.messages import Msg, msg
from engine.messages.notices import DEFAULT_LANGUAGE, render
from engine.notify.kinds import LABELS, label
from engine.notify.settings import Settings
from engine.time.calendar import TZ


class Undelivered(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Letter:
    """An outbox entry with what it says: ``said``, as a notice leaving Kuaiban says it
    (engine/messages/notices.py ``outside``; None for a notice written before keys, which
    says ``stored_text``), rendered in ``language``: the recipient's (their stored choice,
    else Chinese)."""

    id: int
    notification_id: int
    channel: str
    address: str | None
    username: str
    display_name: str
    kind: str
    title: str
    said: Msg | None
    stored_text: str | None
    business_key: str | None
    instance_id: int | None
    task_id: str | None
    created_at: datetime
    language: str = DEFAULT_LANGUAGE

    @property
    def text(self) -> str:
        """What the notice says in the recipient's language."""
        return self.text_in(self.language)

    def text_in(self, language: str) -> str:
        if self.said is None:
            return self.stored_text or ""
        return render(self.said, language)

    @property
    def path(self) -> str:
        return f"/notifications/{self.notification_id}/open"


def send(settings: Settings, letter: Letter, now: datetime) -> None:
    if letter.channel == "email":
        send_email(settings, letter, now)
    elif letter.channel == "webhook":
        post_webhook(settings, letter)
    else:
        raise Undelivered(f"unknown channel {letter.channel!r}", permanent=True)


def message_id(settings: Settings, letter: Letter) -> str:
    """The same for every attempt at one entry, so that a copy sent twice (a worker that died
    between sending and recording it) can be recognised as one by mail systems."""
    domain = (settings.smtp_sender or "kuaiban@localhost").rpartition("@")[2] or "localhost"
    return f"<kuaiban.{letter.id}.{letter.notification_id}@{domain}>"


def email_of(settings: Settings, letter: Letter, now: datetime) -> EmailMessage:
    """The e-mail of a notice, all in its recipient's language."""
    language = letter.language
    message = EmailMessage()
    case = msg("notice.case", business_key=letter.business_key) if letter.business_key else ""
    message["Subject"] = msg("email.subject", label=label(letter.kind), title=letter.title,
                             case=case).render(language)
    message["From"] = settings.smtp_sender or ""
    message["To"] = letter.address or ""
    message["Date"] = format_datetime(now.astimezone(TZ))
    message["Message-ID"] = message_id(settings, letter)
    message["Auto-Submitted"] = "auto-generated"
    link = settings.link(letter.path)
    said: list[Msg | str] = [msg("email.greeting", name=letter.display_name), "", letter.text,
                             ""]
    if letter.business_key:
        said.append(msg("email.case_no", business_key=letter.business_key))
    if link:
        said.append(msg("email.open", link=link))
    said += ["", msg("email.footer")]
    message.set_content("\n".join(
        line.render(language) if isinstance(line, Msg) else line for line in said))
    message["Content-Language"] = "zh-CN" if language == "zh" else language  # after the body
    return message


def send_email(settings: Settings, letter: Letter, now: datetime) -> None:
    if not settings.smtp_host:
        raise Undelivered("e-mail is not configured (KUAIBAN_SMTP_HOST)")
    if not letter.address:
        raise Undelivered(f"{letter.username} has no e-mail address", permanent=True)
    message = email_of(settings, letter, now)
    try:
        with _connect(settings) as smtp:
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise Undelivered(f"recipient refused: {exc.recipients}",
                          permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPAuthenticationError as exc:  # the operator's to fix; then it goes out
        raise Undelivered(f"SMTP login failed: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except smtplib.SMTPResponseException as exc:
        raise Undelivered(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                          permanent=exc.smtp_code >= 500) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise Undelivered(f"SMTP: {type(exc).__name__}: {exc}") from exc


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.timeout
    if settings.smtp_security == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.smtp_security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def webhook_body(settings: Settings, letter: Letter) -> dict[str, Any]:
    """Kuaiban's JSON is one POST per recipient: its ``text`` is in the recipient's language
    (``language`` says which). A group robot's text is read by the whole group: Chinese."""
    link = settings.link(letter.path)
    if settings.webhook_format == "robot":  # 政务微信 / 钉钉 group robots: a text message
        text = letter.text_in(DEFAULT_LANGUAGE)
        content = f"【快办·{LABELS[letter.kind]}】{letter.display_name}：{text}"
        if link:
            content += f"\n{link}"
        return {"msgtype": "text", "text": {"content": content}}
    return {
        "id": letter.id, "notification_id": letter.notification_id, "kind": letter.kind,
        "label": LABELS[letter.kind], "recipient": {"username": letter.username,
                                                   "display_name": letter.display_name},
        "title": letter.title, "text": letter.text, "case_no": letter.business_key,
        "instance_id": letter.instance_id, "task_id": letter.task_id,
        "created_at": letter.created_at.astimezone(TZ).isoformat(), "url": link,
        "language": letter.language,
        "message": None if letter.said is None else {"key": letter.said.key,
                                                     "params": dict(letter.said.params)},
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to post the notice to."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_webhook(settings: Settings, letter: Letter) -> None:
    if not settings.webhook_url:
        raise Undelivered("the webhook is not configured (KUAIBAN_WEBHOOK_URL)")
    body = json.dumps(webhook_body(settings, letter), ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": "Kuaiban", "X-Kuaiban-Delivery": str(letter.id)}
    if settings.webhook_secret:
        digest = hmac.new(settings.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Kuaiban-Signature"] = "sha256=" + digest
    request = urllib.request.Request(settings.webhook_url, data=body, headers=headers,
                                     method="POST")
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            response.read(65536)
    except urllib.error.HTTPError as exc:
        retry = exc.code in (408, 425, 429) or exc.code >= 500
        raise Undelivered(f"webhook answered HTTP {exc.code}", permanent=not retry) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise Undelivered(f"webhook: {type(exc).__name__}: {exc}") from exc
