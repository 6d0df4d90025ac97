"""A user's stored language and own contact details (engine/org/profile.py), and notices sent
out in the recipient's language: each e-mail in its recipient's, the Kuaiban JSON webhook
(one POST per recipient) too, a group robot's text in Chinese for the whole group."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from engine.api import Engine
from engine.errors import InvalidData
from engine.messages import msg
from engine.notify import Settings, notify
from tests.conftest import diagram_files
from tests.notify_support import MailServer, hook_server, mail_server

FULIANG = "浮梁县纪委监委"


@pytest.fixture
def mail() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


@pytest.fixture
def shared(people: Engine) -> tuple[Engine, int]:
    """A task of 浮梁's handlers, who are zhou (English) and wu (no language chosen), both with
    an e-mail address; the case's id."""
    people.deploy(diagram_files("reminders.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, email="zhou@example.gov.cn",
                    display_name="Zhou Min", language="en")
    people.add_user("wu", ["handler"], unit=FULIANG, email="wu@example.gov.cn",
                    display_name="吴芳")
    view = people.start("reminders", {"unit": FULIANG, "due": "2026-10-16T17:30:00+08:00"},
                        "zhou")
    return people, view.id


def urge(engine: Engine, instance_id: int, *who: str) -> None:
    [task] = engine.instance(instance_id).tasks
    with engine.transaction() as session:
        notify(session, "urged", list(who),
               said=msg("notice.urged", by="孙七", reason="请于今日内办结。"),
               task_id=task.id, instance_id=instance_id, actor="sun")


def by_recipient(mail: MailServer) -> dict[str, EmailMessage]:
    return {str(m["To"]): m for m in mail.messages}


# -- the stored language ----------------------------------------------------------------------

def test_a_user_keeps_a_language(people: Engine) -> None:
    assert people.user("zhao").language is None  # none chosen: Chinese
    assert people.add_user("zhao", ["handler"], unit=FULIANG, language="en").language == "en"
    assert people.user("zhao").language == "en"
    people.add_user("zhao", ["handler"], unit=FULIANG)  # not given: kept
    assert people.user("zhao").language == "en"
    people.accounts.set_language("zhao", "zh")
    assert people.user("zhao").language == "zh"
    assert people.accounts.profile("zhao").language == "zh"
    people.add_user("zhao", ["handler"], unit=FULIANG, language="")  # removed
    assert people.user("zhao").language is None
    with pytest.raises(InvalidData) as refused:
        people.add_user("zhao", ["handler"], unit=FULIANG, language="fr")
    assert refused.value.field_said == {"language": msg("field.bad_language")}
    with pytest.raises(InvalidData):
        people.accounts.set_language("zhao", "de")
    assert people.user("zhao").language is None


def test_signing_in_returns_the_stored_language(people: Engine) -> None:
    people.add_user("li", ["intake"], language="en")
    user = people.authenticate("li", "pw-li")
    assert user is not None and user.language == "en"


# -- the user's own profile -------------------------------------------------------------------

def test_a_profile_shows_the_account_and_saves_the_users_own_details(people: Engine) -> None:
    people.add_user("zhao", ["handler"], unit=FULIANG, display_name="赵敏",
                    email="zhao@example.gov.cn")
    found = people.accounts.profile("zhao")
    assert (found.display_name, found.unit, found.roles, found.email, found.phone,
            found.language) == ("赵敏", FULIANG, ("handler",), "zhao@example.gov.cn", None,
                                None)
    saved = people.accounts.update_profile("zhao", " zhao.min@jdz.gov.cn ", "+86 798-2600101",
                                           "en")
    assert (saved.email, saved.phone, saved.language) == (
        "zhao.min@jdz.gov.cn", "+86 798-2600101", "en")
    assert people.user("zhao").language == "en"
    cleared = people.accounts.update_profile("zhao", "", "", "")
    assert (cleared.email, cleared.phone, cleared.language) == (None, None, None)
    assert cleared.display_name == "赵敏" and cleared.roles == ("handler",)


def test_a_profile_names_every_refused_field_and_changes_nothing(people: Engine) -> None:
    people.accounts.update_profile("zhao", "zhao@example.gov.cn", "0798-2600101", "zh")
    with pytest.raises(InvalidData) as refused:
        people.accounts.update_profile("zhao", "zhao@", "请拨总机", "fr")
    assert refused.value.field_said == {"email": msg("field.bad_email"),
                                        "phone": msg("field.bad_phone"),
                                        "language": msg("field.bad_language")}
    assert refused.value.said == msg("profile.invalid")
    kept = people.accounts.profile("zhao")
    assert (kept.email, kept.phone, kept.language) == ("zhao@example.gov.cn", "0798-2600101",
                                                       "zh")


@pytest.mark.parametrize(("phone", "problem"), [
    ("0798-8200101", None), ("+86 798 8200101", None), ("13800138000", None),
    ("0798-8200101-8012", None),
    ("12345", msg("field.phone_length", least=7, most=20)),
    ("+86 0798 8200 1010 1234 5", msg("field.phone_length", least=7, most=20)),
    ("0798--8200101", msg("field.bad_phone")), ("++86 798 8200101", msg("field.bad_phone")),
    ("0798-8200101-", msg("field.bad_phone")), ("798+8200101", msg("field.bad_phone")),
    ("(0798) 8200101", msg("field.bad_phone")), ("-------", msg("field.bad_phone")),
])
def test_what_an_office_telephone_may_look_like(people: Engine, phone: str,
                                                problem: object) -> None:
    if problem is None:
        assert people.accounts.update_profile("zhao", "", phone, "").phone == phone
        return
    with pytest.raises(InvalidData) as refused:
        people.accounts.update_profile("zhao", "", phone, "")
    assert refused.value.field_said == {"phone": problem}


@pytest.mark.parametrize(("typed", "kept"), [
    ("０７９８-８２００１０１", "0798-8200101"), ("０７９８－８２００１０１", "0798-8200101"),
    ("0798—8200101", "0798-8200101"), ("0798–8200101", "0798-8200101"),
    ("0798——8200101", "0798-8200101"),  # a Chinese input method's Shift+-
    ("＋８６　７９８　８２００１０１", "+86 798 8200101"),
])
def test_a_telephone_typed_with_a_chinese_input_method_is_kept_in_ascii(
        people: Engine, typed: str, kept: str) -> None:
    assert people.accounts.update_profile("zhao", "", typed, "").phone == kept
    people.add_user("li", ["intake"], phone=typed)
    assert people.accounts.profile("li").phone == kept


def test_an_e_mail_address_too_long_says_so(people: Engine) -> None:
    with pytest.raises(InvalidData) as refused:
        people.accounts.update_profile("zhao", "a" * 250 + "@x.cn", "", "")
    assert refused.value.field_said == {"email": msg("field.email_too_long", most=254)}


# -- notices sent out in the recipient's language ---------------------------------------------

def test_each_e_mail_is_in_its_recipients_language(shared: tuple[Engine, int],
                                                    mail: MailServer) -> None:
    engine, instance_id = shared
    engine.notifications.settings = mail.settings(base_url="https://kuaiban.example.gov.cn/")
    urge(engine, instance_id, "zhou", "wu")
    case = engine.instance(instance_id).business_key
    assert engine.notifications.work().delivery.sent == 2
    sent = by_recipient(mail)
    english, chinese = sent["zhou@example.gov.cn"], sent["wu@example.gov.cn"]
    assert english["Subject"] == f"[Kuaiban] Urged: 核查 ({case})"
    assert english["Content-Language"] == "en"
    text = english.get_content().replace("\r\n", "\n")
    assert text.startswith("Dear Zhou Min,\n")
    assert '孙七 urges you to deal with "核查" (TX-2026-000001): 请于今日内办结。' in text
    assert f"Case number: {case}" in text and "Open: https://kuaiban.example.gov.cn/" in text
    assert "please do not reply" in text and "您好" not in text
    assert chinese["Subject"] == f"【快办】催办：核查（{case}）"
    assert chinese["Content-Language"] == "zh-CN"
    text = chinese.get_content().replace("\r\n", "\n")
    assert text.startswith("吴芳，您好：\n")
    assert "孙七 催办“核查”（TX-2026-000001）：请于今日内办结。" in text
    assert f"案件编号：{case}" in text and "查看：https://kuaiban.example.gov.cn/" in text
    assert "urges" not in text


def test_the_language_is_read_when_the_e_mail_is_sent(shared: tuple[Engine, int],
                                                      mail: MailServer) -> None:
    """A notice is worded when it goes out: a user who switched to English before the worker's
    round gets it in English."""
    engine, instance_id = shared
    engine.notifications.settings = mail.settings()
    urge(engine, instance_id, "wu")
    engine.accounts.set_language("wu", "en")
    engine.notifications.work()
    [message] = mail.messages
    assert message["Subject"].startswith("[Kuaiban] Urged: 核查")


def test_the_kuaiban_webhook_speaks_to_its_recipient_and_a_robot_to_the_group(
        shared: tuple[Engine, int]) -> None:
    engine, instance_id = shared
    with hook_server() as hook:
        engine.notifications.settings = Settings(webhook_url=hook.url)
        urge(engine, instance_id, "zhou", "wu")
        assert engine.notifications.work().delivery.sent == 2
        posts = {p.json()["recipient"]["username"]: p.json() for p in hook.posts}
    english, chinese = posts["zhou"], posts["wu"]
    assert (english["language"], english["text"], english["label"]) == (
        "en", '孙七 urges you to deal with "核查" (TX-2026-000001): 请于今日内办结。', "催办")
    assert (chinese["language"], chinese["text"]) == (
        "zh", "孙七 催办“核查”（TX-2026-000001）：请于今日内办结。")
    assert set(english) == set(chinese) == {
        "id", "notification_id", "kind", "label", "recipient", "title", "text", "case_no",
        "instance_id", "task_id", "created_at", "url", "language", "message"}
    assert english["message"] == chinese["message"]
    with hook_server() as hook:
        engine.notifications.settings = Settings(webhook_url=hook.url, webhook_format="robot")
        urge(engine, instance_id, "zhou")
        engine.notifications.work()
        [post] = hook.posts
    assert post.json()["text"]["content"] == (
        "【快办·催办】Zhou Min：孙七 催办“核查”（TX-2026-000001）：请于今日内办结。")
