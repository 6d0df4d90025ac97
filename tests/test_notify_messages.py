"""What a notice says is stored as a message key and its parameters and rendered when read,
in the reader's language, times in local time, and as fits where it is read (in the centre,
signed in, or in an e-mail or a webhook); notices stored as sentences before keep showing
them, in the centre and by e-mail; the migrations keep both (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import insert, select, text

from engine.api import Engine
from engine.messages import msg
from engine.messages.notices import render, when
from engine.notify import notify
from engine.storage import migrate
from engine.storage.schema import NOTIFICATIONS, OUTBOX
from tests.conftest import diagram_files
from tests.notify_support import MailServer, hook_server, mail_server

FULIANG = "浮梁县纪委监委"
BEFORE_KEYS = "c8d2e6f0a4b7"  # the revision before a4e8c2f6b0d3_notice_messages
CASE_SUBJECTS = "f2b6d8a4c1e9"  # the revision before a7c3e9f1b5d8_decided_notices_keyed
DUE = "2026-10-16T17:30:00+08:00"


@pytest.fixture
def told(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn", "reminders.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, email="zhou@example.gov.cn",
                    display_name="周敏")
    people.add_user("sun", ["case_manager"], display_name="孙七")
    people.add_user("xu", ["intake"])  # starts cases, so that li is told of their first step
    return people


@pytest.fixture
def mail() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


def test_a_notice_is_a_key_and_parameters_said_in_either_language(told: Engine) -> None:
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "xu")
    case = view.business_key
    with told.transaction() as session:
        row = session.connection().execute(select(NOTIFICATIONS)).one()
    assert (row.message_key, row.message_params, row.text) == (
        "notice.task_arrived_due", {"due_at": "2026-09-30T17:30:00+08:00"}, None)
    [note] = told.notifications.for_user("li")
    assert note.text_in("zh") == (
        f"新的待办“提出处置意见”（{case}）已到达，办理期限 9月30日 17:30。")
    assert note.text_in("en") == (
        f'A new task "提出处置意见" ({case}) has arrived; it is due Sep 30, 17:30.')
    told.ops.urge(view.tasks[0].id, "sun", "今日内办结")
    [urged] = [n for n in told.notifications.for_user("li") if n.kind == "urged"]
    assert urged.text_in("zh") == f"孙七 催办“提出处置意见”（{case}）：今日内办结"
    assert urged.text_in("en") == f'孙七 urges you to deal with "提出处置意见" ({case}): 今日内办结'
    assert urged.as_json("en")["message"] == {"key": "notice.urged", "params": {
        "title": "提出处置意见", "business_key": case, "by": "孙七", "reason": "今日内办结"}}


def test_deadlines_read_in_local_time() -> None:
    said = msg("notice.due_today", title="核查", business_key=None,
               due_at="2026-10-16T00:00:00+08:00")  # 每月…日前: the end of the day before
    assert render(said, "zh") == "待办“核查”今天 24:00 到期，请抓紧办理。"
    assert render(said, "en") == 'Task "核查" is due today at 24:00; please get it done.'
    overdue = msg("notice.overdue", title="核查", business_key="ZF-2026-000001",
                  due_at="2026-10-08T09:30:00Z")  # stored in UTC: read in Asia/Shanghai
    assert render(overdue, "zh") == (
        "待办“核查”（ZF-2026-000001）已超过办理期限（10月8日 17:30），请尽快办理。")
    assert render(overdue, "en").startswith('Task "核查" (ZF-2026-000001) is past its deadline '
                                            "(Oct 8, 17:30)")
    assert when(datetime.fromisoformat("2026-12-05T00:00:00+08:00"), "zh") == "12月4日 24:00"


def test_a_notice_from_before_keys_shows_its_sentence(told: Engine, mail: MailServer) -> None:
    told.notifications.settings = mail.settings()
    at = told.clock.now()
    with told.transaction() as session:
        [old] = session.connection().execute(insert(NOTIFICATIONS).returning(
            NOTIFICATIONS.c.id), [{
            "username": "zhou", "kind": "urged", "instance_id": None, "task_id": None,
            "business_key": "ZF-2025-000007", "title": "核查", "text": "请于今日内办结。",
            "message_key": None, "message_params": None, "actor": "sun", "created_at": at,
            "read_at": None}]).scalars()
        session.connection().execute(insert(OUTBOX), [{
            "notification_id": old, "channel": "email", "address": "zhou@example.gov.cn",
            "status": "pending", "attempts": 0, "next_attempt_at": at, "lease_until": None,
            "leased_by": None, "last_error": None, "created_at": at, "sent_at": None}])
    [note] = told.notifications.for_user("zhou")
    assert note.text_in("en") == note.text_in("zh") == "请于今日内办结。"
    assert note.as_json("en")["message"] is None
    assert told.notifications.work().delivery.sent == 1
    [message] = mail.messages
    assert "请于今日内办结。" in message.get_content()


def test_the_migration_keeps_what_every_notice_says(told: Engine) -> None:
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "xu")
    with told.transaction() as session:
        notify(session, "cc", ["sun"], said=msg("notice.cc", by="王五"), instance_id=view.id)
    migrate.downgrade(told.db, BEFORE_KEYS)  # back: each keyed notice gets its sentence
    with told.db.connect() as conn:
        sentences = conn.execute(text("SELECT text FROM notifications ORDER BY id")).scalars()
        assert list(sentences) == [
            f"新的待办“提出处置意见”（{view.business_key}）已到达，办理期限 9月30日 17:30。",
            f"王五 将案件（{view.business_key}）抄送给您，请阅知"]
    migrate.upgrade(told.db)  # forward again: they are sentences from before keys now
    li, sun = told.notifications.for_user("li")[0], told.notifications.for_user("sun")[0]
    assert li.said is None and li.text_in("en").startswith("新的待办“提出处置意见”")
    assert sun.text_in("en") == f"王五 将案件（{view.business_key}）抄送给您，请阅知"


def test_a_decision_opens_the_case_in_the_centre_and_asks_to_sign_in_outside(
        told: Engine, mail: MailServer) -> None:
    """Read in the centre, its reader is signed in and the notice opens the case; an e-mail or
    a webhook is read outside Kuaiban, so it tells them to sign in."""
    with hook_server() as hook:
        told.notifications.settings = mail.settings(webhook_url=hook.url)
        told.notifications.set_preferences("zhou", {"webhook": {"decided": True}})
        view = told.start("reminders", {"unit": FULIANG, "due": DUE}, "zhou")
        told.complete(view.tasks[0].id, {}, "zhou")
        case = view.business_key
        [decided] = [n for n in told.notifications.for_user("zhou") if n.kind == "decided"]
        assert decided.text_in("zh") == f"“提醒测试”申请（{case}）已有办理结果。"
        assert decided.text_in("en") == f'The application "提醒测试" ({case}) has been decided.'
        assert decided.as_json("zh")["message"]["key"] == "notice.decided"
        told.notifications.work()
        [message] = [m for m in mail.messages if "办理结果" in m["Subject"]]
        assert f"“提醒测试”申请（{case}）已有办理结果，请登录查看。" in message.get_content()
        [post] = [p.json() for p in hook.posts if p.json()["kind"] == "decided"]
        assert post["text"] == f"“提醒测试”申请（{case}）已有办理结果，请登录查看。"
        assert post["message"]["key"] == "notice.decided.outside"  # the key of that text


def test_a_decision_stored_as_a_sentence_no_longer_asks_to_sign_in_in_the_centre(
        told: Engine, mail: MailServer) -> None:
    told.notifications.settings = mail.settings()
    at = told.clock.now()
    written = "您提交的「提醒测试」申请（TX-2025-000003）已有办理结果，请登录查看。"
    other = "您的申请已办结，请登录查看。"  # not a sentence Kuaiban wrote: left as it is
    with told.transaction() as session:
        ids = list(session.connection().execute(insert(NOTIFICATIONS).returning(
            NOTIFICATIONS.c.id, sort_by_parameter_order=True), [{
                "username": "zhou", "kind": "decided", "instance_id": None, "task_id": None,
                "business_key": key, "title": "提醒测试", "text": sentence, "message_key": None,
                "message_params": None, "actor": None, "created_at": at, "read_at": None}
            for key, sentence in (("TX-2025-000003", written), (None, other))]).scalars())
        session.connection().execute(insert(OUTBOX), [{
            "notification_id": ids[0], "channel": "email", "address": "zhou@example.gov.cn",
            "status": "pending", "attempts": 0, "next_attempt_at": at, "lease_until": None,
            "leased_by": None, "last_error": None, "created_at": at, "sent_at": None}])
    migrate.downgrade(told.db, CASE_SUBJECTS)
    migrate.upgrade(told.db)
    kept, keyed = told.notifications.for_user("zhou")  # newest first
    assert keyed.text_in("zh") == "“提醒测试”申请（TX-2025-000003）已有办理结果。"
    assert keyed.text_in("en") == 'The application "提醒测试" (TX-2025-000003) has been decided.'
    assert kept.said is None and kept.text_in("en") == other
    assert told.notifications.work().delivery.sent == 1
    [message] = mail.messages  # by e-mail it still asks to sign in
    assert "“提醒测试”申请（TX-2025-000003）已有办理结果，请登录查看。" in message.get_content()
    migrate.downgrade(told.db, CASE_SUBJECTS)  # back: the sentence as it was stored
    with told.db.connect() as conn:
        rows = conn.execute(text("SELECT message_key, text FROM notifications ORDER BY id"))
        assert [tuple(r) for r in rows] == [(None, written), (None, other)]
    assert [n.said for n in told.notifications.for_user("zhou")] == [None, None]
    migrate.upgrade(told.db)
