"""The notification centre in the browser UI (Flask's test client): the bell's count on
every page, the list, opening a notice, marking read, and the channel settings."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from engine.api import Engine
from engine.notify import Settings
from tests.conftest import diagram_files
from tests.test_ui_support import (
    FULIANG,
    PASSWORD,
    as_user,
    choose_language,
    csrf_token,
    make_app,
    start_case,
    task_of,
    transfer,
)

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app


@pytest.fixture(autouse=True)
def xu(eng: Engine) -> None:
    """Another intake clerk, who starts the cases: li is told of their first step."""
    eng.add_user("xu", ["intake"])


def bell(html: str) -> int:
    """The unread count the header shows (0 when it shows none)."""
    assert 'id="bell"' in html
    found = re.search(r'id="bell-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_the_bell_counts_unread_notices_on_every_page(app: Flask, eng: Engine) -> None:
    li = as_user(app, "li")
    assert bell(li.get("/").text) == 0
    start_case(eng, by="xu")
    start_case(eng, by="xu")
    for path in ("/", "/start", "/notifications", "/notifications/settings"):
        assert bell(li.get(path).text) == 2, path
    assert bell(as_user(app, "wang").get("/").text) == 0


def test_the_list_opening_a_notice_and_marking_read(app: Flask, eng: Engine) -> None:
    instance_id = transfer(eng)
    zhao = as_user(app, "zhao")
    page = zhao.get("/notifications").text
    [note] = [n for n in eng.notifications.for_user("zhao")]
    assert note.text_in("zh") in page and "新待办" in page
    # opening it reads it and leads to the task
    opened = zhao.get(f"/notifications/{note.id}/open")
    assert opened.status_code == 302
    assert opened.location == f"/tasks/{task_of(eng, 'zhao', 'handle')}"
    assert bell(zhao.get("/notifications").text) == 0
    # once the task is done, the notice leads to the case
    eng.complete(task_of(eng, "zhao", "handle"), {"result": "属实"}, "zhao")
    assert zhao.get(f"/notifications/{note.id}/open").location == f"/instances/{instance_id}"
    # another's notice is no different from none
    assert as_user(app, "qian").get(f"/notifications/{note.id}/open").status_code == 404

    li = as_user(app, "li")
    start_case(eng, by="xu")
    [first] = eng.notifications.for_user("li")
    response = li.post(f"/notifications/{first.id}/read", data={"next": "/start"})
    assert response.location == "/start"
    start_case(eng, by="xu")
    start_case(eng, by="xu")
    assert bell(li.get("/").text) == 2
    assert li.get("/notifications?show=unread").text.count('class="notice unread"') == 2
    assert li.post("/notifications/read-all").status_code == 302
    assert bell(li.get("/notifications").text) == 0
    assert as_user(app, "wang").post(f"/notifications/{first.id}/read").status_code == 404


def test_opening_the_task_reads_its_notices(app: Flask, eng: Engine) -> None:
    """Whoever opens a task from the inbox has seen it: the bell stops counting its notices
    (another task's stay unread), and the list names who acted by name, not login."""
    transfer(eng)
    transfer(eng)
    zhao = as_user(app, "zhao")
    assert bell(zhao.get("/").text) == 2
    first, second = sorted(t.id for t in eng.inbox.for_user("zhao") if t.name == "handle")
    eng.ops.urge(first, "wang", "今日内办结")
    assert bell(zhao.get("/").text) == 3
    assert bell(zhao.get(f"/tasks/{first}").text) == 1  # the page's own header says so
    unread = [n for n in eng.notifications.for_user("zhao", unread=True)]
    assert [n.task_id for n in unread] == [second]
    page = zhao.get("/notifications").text
    assert "催办“" in page and 'class="by"' not in page and ">wang<" not in page


def test_the_list_goes_back_a_page_at_a_time(app: Flask, eng: Engine) -> None:
    for _ in range(32):
        start_case(eng, by="xu")
    li = as_user(app, "li")
    first = li.get("/notifications").text
    assert first.count('class="notice unread"') == 30
    older = re.search(r'href="(/notifications\?before=\d+)" rel="next"', first)
    assert older is not None
    assert li.get(older.group(1)).text.count('class="notice unread"') == 2
    assert li.get("/notifications?before=99999999999").status_code == 200


def test_channel_settings(eng: Engine) -> None:
    eng.add_user("zhao", ["handler"], unit="浮梁县纪委监委", email="zhao@example.gov.cn")
    eng.notifications.settings = Settings(smtp_host="127.0.0.1", smtp_sender="k@example.gov.cn")
    app = make_app(eng, csrf=True)
    zhao = app.test_client()
    signed_in = zhao.post("/login", data={"username": "zhao", "password": PASSWORD,
                                          "csrf_token": csrf_token(zhao.get("/login").text)})
    assert signed_in.status_code == 302
    page = zhao.get("/notifications/settings").text
    assert "zhao@example.gov.cn" in page
    assert 'value="email.overdue" checked' in page
    assert 'value="email.task_arrived" aria-label' in page  # not checked by default
    assert "系统尚未开通工作群机器人" in page  # the webhook is off
    refused = zhao.post("/notifications/settings", data={"on": ["email.task_arrived"]})
    assert refused.status_code == 400  # no CSRF token
    saved = zhao.post("/notifications/settings", data={
        "csrf_token": csrf_token(page), "on": ["email.task_arrived", "webhook.urged"]})
    assert saved.status_code == 302
    prefs = eng.notifications.preferences("zhao")
    assert prefs.choices["email"] == {k: k == "task_arrived" for k in prefs.choices["email"]}
    assert prefs.choices["webhook"]["urged"] and not prefs.choices["webhook"]["overdue"]
    assert 'value="email.task_arrived" checked' in zhao.get("/notifications/settings").text


@pytest.mark.parametrize("path", ["/notifications", "/notifications/settings",
                                  "/notifications/1/open"])
def test_notification_pages_need_sign_in(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_bell_stops_counting_a_task_once_it_is_done_or_taken(app: Flask,
                                                                 eng: Engine) -> None:
    start_case(eng, by="xu")
    start_case(eng, by="xu")
    li = as_user(app, "li")
    assert bell(li.get("/").text) == 2
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    assert bell(li.get("/").text) == 1  # the header, on the next page
    assert li.get("/notifications?show=unread").text.count('class="notice unread"') == 1
    eng.add_user("chen", ["approver"], password=PASSWORD)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    chen = as_user(app, "chen")
    assert bell(chen.get("/").text) == 1  # the second case's approval, in the pool
    for task in [t.id for t in eng.inbox.for_user("wang") if t.name == "approve"]:
        eng.claim(task, "wang")  # both approvals are wang's now: out of chen's inbox
    assert bell(chen.get("/").text) == 0 and bell(as_user(app, "wang").get("/").text) == 2


def test_a_decision_leads_to_the_case_without_asking_to_sign_in(app: Flask,
                                                                 eng: Engine) -> None:
    """The reader of the centre is signed in: the notice offers the case, where an e-mail
    would tell them to sign in."""
    eng.deploy(diagram_files("reminders.bpmn"))
    view = eng.start("reminders", {"unit": FULIANG, "due": "2026-10-16T17:30:00+08:00"}, "zhao")
    eng.complete(view.tasks[0].id, {}, "zhao")
    [note] = [n for n in eng.notifications.for_user("zhao") if n.kind == "decided"]
    zhao = as_user(app, "zhao")
    page = zhao.get("/notifications").text
    assert f"“提醒测试”申请（{view.business_key}）已有办理结果。" in page
    assert "请登录" not in page
    [link] = re.findall(r'<a class="see-result" href="([^"]+)">查看办理结果 ›</a>', page)
    assert link == f"/notifications/{note.id}/open"
    assert zhao.get(link).location == f"/instances/{view.id}"
    assert page.count('class="see-result"') == 1  # not on the new-task notice
    choose_language(zhao)
    page = zhao.get("/notifications").text
    assert "See the decision ›" in page and "sign in" not in page


def test_english(app: Flask, eng: Engine) -> None:
    case = eng.instance(start_case(eng, by="xu")).business_key
    li = as_user(app, "li")
    assert f"新的待办“提出处置意见”（{case}）已到达，办理期限" in li.get("/notifications").text
    choose_language(li)
    page = li.get("/notifications").text
    assert "New task" in page and "Mark all read" in page
    assert f"A new task &#34;提出处置意见&#34; ({case}) has arrived; it is due" in page


def test_the_list_names_the_sender_with_the_unit_and_filters_by_kind(
        app: Flask, eng: Engine) -> None:
    eng.add_user("zhou", ["handler"], unit=FULIANG, display_name="周敏", password=PASSWORD)
    instance_id = transfer(eng)
    eng.ops.transfer(task_of(eng, "zhao", "handle"), "zhao", "出差", to_user="zhou")
    zhou = as_user(app, "zhou")
    page = zhou.get("/notifications").text
    assert f"发送人：zhao（{FULIANG}）" in page
    assert '<option value="supplement" >补正通知</option>' in page
    only = zhou.get("/notifications?kind=transferred").text
    assert '<option value="transferred" selected>转办</option>' in only
    assert "转办给您" in only and f"发送人：zhao（{FULIANG}）" in only
    none = zhou.get("/notifications?kind=cc").text
    assert "没有这类通知。" in none and "转办给您" not in none
    # a notice that names its sender with the unit already does not name them twice
    eng.add_user("lin", ["case_manager"], unit=FULIANG, display_name="案件监督管理室 林悦（浮梁）")
    eng.ops.urge(task_of(eng, "zhou", "handle"), "lin", "今日内办结")
    urged = zhou.get("/notifications?kind=urged").text
    assert "案件监督管理室 林悦（浮梁） 催办" in urged and "发送人：" not in urged
    assert "转办给您" in zhou.get("/notifications?kind=nonsense").text  # every kind
    assert eng.instance(instance_id).status == "running"
    choose_language(zhou)
    english = zhou.get("/notifications?kind=cc").text
    assert "Supplements requested" in english and "There are no notifications of this kind." \
        in english
    assert f"From: zhao（{FULIANG}）" in zhou.get("/notifications").text
