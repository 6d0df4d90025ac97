"""The outbox goes out: e-mail to a real SMTP server and JSON to a real HTTP server, both on
loopback; refusals are tried again after a backoff, hopeless ones given up, and an entry
another worker holds is left alone."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import update

from engine.api import Engine
from engine.messages import msg
from engine.notify import Settings, notify
from engine.storage.schema import OUTBOX
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.notify_support import MailServer, free_port, hook_server, mail_server

FULIANG = "浮梁县纪委监委"


@pytest.fixture
def mail() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


@pytest.fixture
def urged(people: Engine) -> tuple[Engine, int]:
    """zhou (with an e-mail address) holds a task; the case's number."""
    people.deploy(diagram_files("reminders.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, email="zhou@example.gov.cn",
                    display_name="周敏")
    view = people.start("reminders", {"unit": FULIANG, "due": "2026-10-16T17:30:00+08:00"},
                        "zhou")
    people.claim(view.tasks[0].id, "zhou")
    return people, view.id


def urge(engine: Engine, instance_id: int) -> int:
    [task] = engine.instance(instance_id).tasks
    with engine.transaction() as session:
        [nid] = notify(session, "urged", ["zhou"],
                       said=msg("notice.urged", by="孙七", reason="请于今日内办结。"),
                       task_id=task.id, instance_id=instance_id, actor="sun")
    return nid


def body(message: EmailMessage) -> str:
    text: str = message.get_content()
    return text


def test_an_e_mail_and_a_webhook_message_reach_their_servers(
        urged: tuple[Engine, int], mail: MailServer) -> None:
    engine, instance_id = urged
    with hook_server() as hook:
        engine.notifications.settings = mail.settings(
            webhook_url=hook.url, webhook_secret="s3cret",
            base_url="https://kuaiban.example.gov.cn/")
        nid = urge(engine, instance_id)
        case = engine.instance(instance_id).business_key
        report = engine.notifications.work()
        assert (report.delivery.sent, report.delivery.retrying, report.delivery.failed) == (
            2, 0, 0)
        assert engine.notifications.work().delivery.sent == 0  # nothing twice
        [message] = mail.messages
        assert mail.recipients == [["zhou@example.gov.cn"]]
        assert message["Subject"] == f"【快办】催办：核查（{case}）"
        assert message["From"] == "kuaiban@example.gov.cn"
        assert message["Message-ID"].startswith("<kuaiban.") and str(nid) in message["Message-ID"]
        text = body(message)
        assert "周敏，您好" in text
        assert "孙七 催办“核查”（TX-2026-000001）：请于今日内办结。" in text
        assert f"https://kuaiban.example.gov.cn/notifications/{nid}/open" in text
        [post] = hook.posts
        assert post.path == "/robot/send?access_token=t"
        payload = post.json()
        assert (payload["kind"], payload["label"], payload["case_no"], payload["text"]) == (
            "urged", "催办", case, "孙七 催办“核查”（TX-2026-000001）：请于今日内办结。")
        # besides the text, what it says by key (for a receiver that words it itself)
        assert payload["language"] == "zh" and payload["message"] == {
            "key": "notice.urged", "params": {"title": "核查", "business_key": case,
                                              "by": "孙七", "reason": "请于今日内办结。"}}
        assert payload["recipient"] == {"username": "zhou", "display_name": "周敏"}
        assert payload["url"] == f"https://kuaiban.example.gov.cn/notifications/{nid}/open"
        expected = hmac.new(b"s3cret", post.body, hashlib.sha256).hexdigest()
        assert post.headers["X-Kuaiban-Signature"] == "sha256=" + expected
        assert post.headers["X-Kuaiban-Delivery"] == str(payload["id"])
    assert engine.notifications.pending() == []


def test_a_refusal_is_tried_again_after_the_backoff(urged: tuple[Engine, int],
                                                    mail: MailServer, clock: FixedClock) -> None:
    engine, instance_id = urged
    engine.notifications.settings = mail.settings()
    mail.refusals.append("451 4.3.0 Try again later")
    urge(engine, instance_id)
    assert engine.notifications.work().delivery.retrying == 1
    [waiting] = engine.notifications.pending()
    assert (waiting.status, waiting.attempts, waiting.channel) == ("pending", 1, "email")
    assert waiting.last_error is not None and "451" in waiting.last_error
    assert waiting.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert engine.notifications.work().delivery.sent == 0  # not before its time
    clock.advance(timedelta(seconds=61))
    assert engine.notifications.work().delivery.sent == 1
    assert len(mail.messages) == 1 and engine.notifications.pending() == []


def test_hopeless_messages_are_given_up(urged: tuple[Engine, int], mail: MailServer,
                                        clock: FixedClock) -> None:
    engine, instance_id = urged
    with hook_server() as hook:
        engine.notifications.settings = mail.settings(webhook_url=hook.url, max_attempts=2)
        mail.refusals.append("550 5.1.1 Mailbox unavailable")
        hook.answers += [503, 503]
        urge(engine, instance_id)
        assert engine.notifications.work().delivery.failed == 1  # the 550: at once
        clock.advance(timedelta(minutes=2))
        assert engine.notifications.work().delivery.failed == 1  # the second 503
        assert hook.posts == []
    failed = engine.notifications.pending()
    assert [(e.channel, e.status, e.attempts) for e in failed] == [
        ("email", "failed", 1), ("webhook", "failed", 2)]
    assert "550" in (failed[0].last_error or "") and "503" in (failed[1].last_error or "")
    clock.advance(timedelta(days=1))
    assert engine.notifications.work().delivery == type(
        engine.notifications.work().delivery)(0, 0, 0)
    assert mail.messages == []


def test_a_server_that_is_not_there(urged: tuple[Engine, int], clock: FixedClock) -> None:
    engine, instance_id = urged
    engine.notifications.settings = Settings(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_sender="k@example.gov.cn",
        webhook_url=f"http://127.0.0.1:{free_port()}/hook", timeout=5)
    urge(engine, instance_id)
    assert engine.notifications.work().delivery.retrying == 2
    errors = [e.last_error or "" for e in engine.notifications.pending()]
    assert "Connection" in errors[0] and "webhook" in errors[1]


def test_the_robot_format_for_group_chats(urged: tuple[Engine, int]) -> None:
    engine, instance_id = urged
    with hook_server() as hook:
        engine.notifications.settings = Settings(webhook_url=hook.url, webhook_format="robot")
        urge(engine, instance_id)
        engine.notifications.work()
        [post] = hook.posts
    content = "【快办·催办】周敏：孙七 催办“核查”（TX-2026-000001）：请于今日内办结。"
    assert post.json() == {"msgtype": "text", "text": {"content": content}}


def test_an_entry_another_worker_holds_is_left_alone(urged: tuple[Engine, int],
                                                     mail: MailServer, clock: FixedClock) -> None:
    engine, instance_id = urged
    engine.notifications.settings = mail.settings()
    urge(engine, instance_id)
    with engine.transaction() as session:
        session.execute(update(OUTBOX).values(leased_by="elsewhere",
                                              lease_until=clock.now() + timedelta(minutes=5)))
    assert engine.notifications.work().delivery.sent == 0
    clock.advance(timedelta(minutes=6))  # that worker died: its lease ran out
    assert engine.notifications.work().delivery.sent == 1
    assert len(mail.messages) == 1
