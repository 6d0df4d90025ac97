"""Notifications in the engine: who is told when a task arrives, a case operation's notices,
the applicant hearing of a decision, read marks, and which outside channels a notice goes to
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.api import Engine
from engine.definitions.files import SourceFile
from engine.errors import InvalidData, NotFound
from engine.messages import msg
from engine.notify import Settings, arrivals_as, notify, task_recipients
from engine.storage.schema import OutboxEntry
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"
DUE = "2026-10-16T17:30:00+08:00"


@pytest.fixture
def told(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn", "reminders.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, email="zhou@example.gov.cn")
    return people


def kinds(engine: Engine, user: str) -> list[tuple[str, str | None]]:
    return sorted((n.kind, n.business_key) for n in engine.notifications.for_user(user))


def outbox(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.transaction() as session:
        rows = session.execute(select(OutboxEntry).order_by(OutboxEntry.id)).scalars()
        return [(r.channel, r.status, r.address) for r in rows]


def test_a_new_task_tells_everyone_who_sees_it(told: Engine) -> None:
    told.add_user("li2", ["intake"])
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "li")
    case = view.business_key
    assert kinds(told, "li2") == [("task_arrived", case)]
    [arrived] = told.notifications.for_user("li2")
    assert arrived.task_id == view.tasks[0].id and arrived.title == "提出处置意见"
    assert arrived.text_in("zh") == (
        f"新的待办“提出处置意见”（{case}）已到达，办理期限 9月30日 17:30。")
    told.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    assert kinds(told, "wang") == kinds(told, "chen") == [("task_arrived", case)]
    [approve] = told.instance(view.id).tasks
    told.claim(approve.id, "wang")
    told.complete(approve.id, {"approved": True}, "wang")
    # the handlers of the case's unit, not those of another unit
    assert kinds(told, "zhao") == kinds(told, "zhou") == [("task_arrived", case)]
    assert kinds(told, "qian") == [] and kinds(told, "sun") == []
    [handle] = told.instance(view.id).tasks
    with told.transaction() as session:
        assert task_recipients(session, handle.id) == ["zhao", "zhou"]
    told.claim(handle.id, "zhou")
    with told.transaction() as session:
        assert task_recipients(session, handle.id) == ["zhou"]
        with pytest.raises(NotFound):
            task_recipients(session, "no-such-task")


def test_other_commands_tell_people_in_their_own_transaction(told: Engine) -> None:
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "li")
    task = view.tasks[0].id
    with told.transaction() as session:
        ids = notify(session, "urged", [*task_recipients(session, task), "nobody", "system"],
                     said=msg("notice.urged", by="孙七", reason="请尽快提出处置意见。"),
                     instance_id=view.id, task_id=task, actor="sun")
    assert len(ids) == 1  # li only: unknown users and the system are nobody to tell
    [urged] = [n for n in told.notifications.for_user("li") if n.kind == "urged"]
    assert (urged.business_key, urged.title, urged.actor) == (view.business_key,
                                                              "提出处置意见", "sun")
    with pytest.raises(RuntimeError), told.transaction() as session:
        notify(session, "cc", ["wang"], said=msg("notice.cc", by="孙七"), instance_id=view.id)
        raise RuntimeError("the command failed")
    assert kinds(told, "wang") == []  # rolled back with it
    with told.transaction() as session:
        notify(session, "cc", ["wang"], said=msg("notice.cc", by="孙七"), instance_id=view.id)
        with pytest.raises(ValueError, match="unknown notification kind"):
            notify(session, "gossip", ["wang"], said=msg("notice.cc", by="孙七"))
    [cc] = told.notifications.for_user("wang")
    assert (cc.kind, cc.title, cc.task_id) == ("cc", "测试审批", None)


def test_a_command_may_name_the_notice_for_the_tasks_it_creates(told: Engine) -> None:
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "li")
    told.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    [approve] = told.instance(view.id).tasks
    with told.transaction() as session:  # what a send-back does: one notice, "sent back"
        arrivals_as(session, "sent_back", msg("notice.sent_back", by="王五",
                                              reason="请补充处置理由。"), actor="wang")
        told.runtime.complete(session, approve.id, {"approved": False}, told.user("wang"))
    [back] = [n for n in told.notifications.for_user("li") if n.kind != "task_arrived"]
    assert (back.kind, back.text_in("zh"), back.actor, back.title) == (
        "sent_back", "王五 将“提出处置意见”（TS-2026-000001）退回给您：请补充处置理由。", "wang",
        "提出处置意见")
    assert len(told.notifications.for_user("li")) == 1  # li started it: not told of it
    told.complete(told.instance(view.id).tasks[0].id, {"proposal": "转办"}, "li")
    assert [n.kind for n in told.notifications.for_user("wang")] == ["task_arrived"] * 2


def test_who_made_a_task_arrive_is_not_told_of_it(told: Engine) -> None:
    """The clerk who registers a case and holds its next step is looking at it: no 新待办
    for them; the others who see the task are told. Nor is the approver whose approval
    makes the next step a pool they are in."""
    told.add_user("li2", ["intake"])
    told.add_user("wz", ["approver", "handler"], unit=FULIANG)
    view = told.start("approval", {"summary": "x", "unit": FULIANG}, "li")
    case = view.business_key
    assert kinds(told, "li") == [] and kinds(told, "li2") == [("task_arrived", case)]
    told.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    [approve] = told.instance(view.id).tasks
    assert kinds(told, "wz") == [("task_arrived", case)]  # li made it, wz is told
    told.claim(approve.id, "wz")
    told.complete(approve.id, {"approved": True}, "wz")
    assert kinds(told, "wz") == [("task_arrived", case)]  # not of the 办理 wz made arrive
    assert kinds(told, "zhao") == [("task_arrived", case)]


def test_read_marks_and_the_unread_count(told: Engine, clock: FixedClock) -> None:
    told.add_user("li2", ["intake"])  # li starts the cases: li2 is told of their tasks
    told.start("approval", {"summary": "x", "unit": FULIANG}, "li")
    told.start("approval", {"summary": "y", "unit": FULIANG}, "li")
    assert told.notifications.unread_count("li2") == 2
    newest, oldest = told.notifications.for_user("li2")
    assert newest.id > oldest.id
    read = told.notifications.mark_read(oldest.id, "li2")
    assert read.read and read.read_at == clock.now()
    assert told.notifications.unread_count("li2") == 1
    assert [n.id for n in told.notifications.for_user("li2", unread=True)] == [newest.id]
    assert [n.id for n in told.notifications.for_user("li2", before=newest.id)] == [oldest.id]
    with pytest.raises(NotFound):  # another's notification is no different from none
        told.notifications.mark_read(newest.id, "wang")
    assert told.notifications.mark_all_read("li2") == 1
    assert told.notifications.unread_count("li2") == 0
    assert told.notifications.for_user("li2")[0].as_json()["read"] is True


def test_the_applicant_hears_of_the_decision(told: Engine) -> None:
    view = told.start("reminders", {"unit": FULIANG, "due": DUE}, "zhou")
    told.complete(view.tasks[0].id, {}, "zhou")
    decided = [n for n in told.notifications.for_user("zhou") if n.kind == "decided"]
    assert [(n.title, n.task_id) for n in decided] == [("提醒测试", None)]
    assert "已有办理结果" in decided[0].text_in("zh")


def test_outside_channels_follow_the_settings_and_each_users_choices(told: Engine) -> None:
    told.notifications.settings = Settings(smtp_host="127.0.0.1", smtp_sender="k@example.gov.cn",
                                           webhook_url="http://127.0.0.1:9/hook")
    told.add_user("zhao", ["handler"], unit=FULIANG, email="zhao@example.gov.cn")
    view = told.start("reminders", {"unit": FULIANG, "due": DUE}, "zhou")
    assert outbox(told) == []  # a new task of the pool: in-app only, by default
    task = view.tasks[0].id
    with told.transaction() as session:
        notify(session, "urged", ["zhou", "li"], said=msg("notice.urged", by="孙七"),
               task_id=task)
    # urged: e-mail to those with an address, the webhook for everyone
    assert outbox(told) == [("email", "pending", "zhou@example.gov.cn"),
                            ("webhook", "pending", None), ("webhook", "pending", None)]
    prefs = told.notifications.set_preferences("zhao", {"email": {"task_arrived": True},
                                                        "webhook": {"urged": False}})
    assert prefs.choices["email"]["task_arrived"] and not prefs.choices["webhook"]["urged"]
    assert prefs.available == ("email", "webhook") and prefs.email == "zhao@example.gov.cn"
    assert told.notifications.preferences("zhou").choices["email"]["task_arrived"] is False
    told.start("reminders", {"unit": FULIANG, "due": DUE}, "zhou")
    assert outbox(told)[3:] == [("email", "pending", "zhao@example.gov.cn")]
    with pytest.raises(InvalidData):
        told.notifications.set_preferences("zhao", {"sms": {"urged": True}})
    told.notifications.settings = Settings()  # all off: nothing goes out any more
    with told.transaction() as session:
        notify(session, "urged", ["zhou"], said=msg("notice.urged", by="孙七"), task_id=task)
    assert len(outbox(told)) == 4


def test_e_mail_addresses_are_checked(told: Engine) -> None:
    with pytest.raises(InvalidData):
        told.add_user("bad", ["intake"], email="not an address")
    told.add_user("zhou", ["handler"], unit=FULIANG, email="")
    assert told.notifications.preferences("zhou").email is None


def test_settings_from_the_environment() -> None:
    assert Settings.from_env({}).channels == ()
    settings = Settings.from_env({
        "KUAIBAN_SMTP_HOST": "mail.example.gov.cn", "KUAIBAN_SMTP_SECURITY": "starttls",
        "KUAIBAN_SMTP_SENDER": "kuaiban@example.gov.cn", "KUAIBAN_REMINDER_TIME": "08:30",
        "KUAIBAN_WEBHOOK_URL": "https://oapi.example.com/robot/send?access_token=x",
        "KUAIBAN_WEBHOOK_FORMAT": "robot"})
    assert settings.channels == ("email", "webhook")
    assert (settings.smtp_port, settings.reminder_time.isoformat()) == (587, "08:30:00")
    for bad in ({"KUAIBAN_SMTP_HOST": "mail"}, {"KUAIBAN_WEBHOOK_URL": "file:///etc/passwd"},
                {"KUAIBAN_REMINDER_TIME": "9am"}, {"KUAIBAN_SMTP_PORT": "0"},
                {"KUAIBAN_SMTP_SECURITY": "ssl3"}):
        with pytest.raises(Exception, match="KUAIBAN_"):
            Settings.from_env(bad)
    assert Settings().backoff(1).total_seconds() == 60
    assert Settings().backoff(3).total_seconds() == 240
    assert Settings().backoff(30).total_seconds() == 6 * 3600


def test_a_diagram_may_ask_only_for_the_decided_notice(people: Engine) -> None:
    files = diagram_files("reminders.bpmn")
    files[0] = SourceFile(files[0].name, files[0].content.replace(
        'value="decided"', 'value="gossip"'))
    checked = people.validate(files)
    assert any('notify "gossip"' in p.message for p in checked.problems)
