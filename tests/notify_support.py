"""Real receivers for notices (no tests here): an SMTP server (aiosmtpd) and an HTTP server
(http.server, a thread) on loopback, each on a free port, recording what they accept and
answering with what a test tells them to."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from engine.notify import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class MailServer:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # answers to the next DATA commands
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def settings(self, **more: Any) -> Settings:
        return Settings(smtp_host="127.0.0.1", smtp_port=self.port,
                        smtp_sender="kuaiban@example.gov.cn", timeout=10, **more)

    def env(self) -> dict[str, str]:
        return {"KUAIBAN_SMTP_HOST": "127.0.0.1", "KUAIBAN_SMTP_PORT": str(self.port),
                "KUAIBAN_SMTP_SENDER": "kuaiban@example.gov.cn"}


@contextmanager
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class HookServer:
    url: str
    posts: list[Posted] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses for the next requests


@contextmanager
def hook_server() -> Iterator[HookServer]:
    port = free_port()
    hook = HookServer(f"http://127.0.0.1:{port}/robot/send?access_token=t")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = hook.answers.pop(0) if hook.answers else 200
            if status == 200:
                hook.posts.append(Posted(self.path, dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
