"""The browser UI through Flask's test client: sign-in, inbox, claim, task pages, start,
instance pages, permissions (role and unit), CSRF, errors and language."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from engine.time.schedule import Schedule
from tests.conftest import diagram_files
from tests.demo_support import demo_engine, signed_in
from tests.test_ui_support import (
    FULIANG,
    LEPING,
    as_user,
    choose_language,
    csrf_token,
    make_app,
    start_case,
    task_of,
    transfer,
)

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# -- sign-in -------------------------------------------------------------------------------

def test_pages_need_sign_in(client: FlaskClient) -> None:
    for path in ("/", "/start", "/instances/1", "/designer/", "/audit/", "/board/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/login?next="), path


def test_sign_in_and_out(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and "登录快办" in page.text
    bad = client.post("/login", data={"username": "li", "password": "wrong"})
    assert bad.status_code == 401 and "用户名或密码不正确" in bad.text
    assert client.get("/").status_code == 302
    ok = client.post("/login", data={"username": "li", "password": "pw-ui-test",
                                     "next": "/start"})
    assert ok.status_code == 302 and ok.location == "/start"
    assert client.get("/").status_code == 200
    out = client.post("/logout")
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_an_enterprise_signs_in_to_its_applications(client: FlaskClient) -> None:
    ok = client.post("/login", data={"username": "ent", "password": "pw-ui-test"})
    assert ok.status_code == 302 and ok.location == "/applications"
    assert "我的申请" in client.get(ok.location).text
    client.post("/logout")
    ok = client.post("/login", data={"username": "li", "password": "pw-ui-test"})
    assert ok.location == "/"  # a clerk to the inbox


def test_sign_in_never_redirects_off_site(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "li", "password": "pw-ui-test",
                                           "next": "//evil.example/x"})
    assert response.location == "/"


def test_unknown_user_and_empty_form(client: FlaskClient) -> None:
    assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code == 401
    assert client.post("/login", data={}).status_code == 401


# -- inbox -----------------------------------------------------------------------------------

def test_inbox_columns_and_countdown(app: Flask, eng: Engine) -> None:
    start_case(eng)
    client = as_user(app, "li")
    page = client.get("/")
    assert page.status_code == 200
    for header in ("案件编号", "事项", "任务", "任务到达时间", "办理期限", "认领人"):
        assert header in page.text
    assert "TS-2026-000001" in page.text
    assert "测试审批" in page.text  # the procedure's name
    assert "提出处置意见" in page.text
    assert "2026-09-30 17:30" in page.text  # same_day_close
    assert "今日到期" in page.text
    assert "待认领" in page.text
    assert 'id="count-today">1<' in page.text


def test_inbox_counts_working_days(app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    transfer(eng)  # handle: workday_close(1) from 2026-09-30 -> 2026-10-08 17:30
    client = as_user(app, "zhao")
    assert "剩余 1 个工作日" in client.get("/").text  # 10-01..07 are the National Day holiday
    ui_clock.advance(timedelta(days=9))  # 2026-10-09 16:00: one working day late
    page = client.get("/")
    assert "已超期 1 个工作日" in page.text
    assert 'id="count-overdue">1<' in page.text
    ui_clock.advance(timedelta(days=1))  # Saturday 2026-10-10 is an adjusted working day
    assert "已超期 2 个工作日" in client.get("/").text


def test_a_deadline_in_a_year_without_its_schedule_says_so(
        app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    note = "（节假日安排未公布，按法定节假日计算）"
    ui_clock.set(datetime.fromisoformat("2026-12-07T10:00:00+08:00"))
    start_case(eng, summary="今年")  # due 2026-12-07 17:30: 2026's schedule is bundled
    ui_clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))  # after close
    case = start_case(eng, summary="跨年")  # 元旦 (Friday) and the weekend are off
    task_id = next(t.id for t in eng.inbox.for_user("li") if t.instance_id == case)
    client = as_user(app, "li")
    inbox = client.get("/").text
    assert '2027-01-04 17:30<small class="provisional" title="' in inbox
    assert inbox.count(note) == 1  # only the case due in 2027
    assert note in client.get(f"/tasks/{task_id}").text
    assert note in client.get(f"/instances/{case}").text

    eng.import_calendar_year(Schedule(2027, {date(2027, 1, 1): False}, {}))
    assert note not in client.get("/").text
    assert note not in client.get(f"/tasks/{task_id}").text


def test_a_deadline_moved_by_the_calendar_says_so_in_the_history(
        app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    ui_clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))  # after close
    case = start_case(eng, summary="跨年")  # due Monday 2027-01-04 17:30
    eng.set_calendar_day(date(2027, 1, 4), False, "元旦调休")
    client = as_user(app, "li")
    assert "2027-01-05 17:30" in client.get("/").text
    page = client.get(f"/instances/{case}").text
    assert "期限调整" in page
    assert "2027-01-04 17:30 → 2027-01-05 17:30（2027-01-04调整为休息日）" in page


def test_a_timer_moved_by_the_calendar_says_so_in_the_history(
        app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    eng.deploy(diagram_files("timers.bpmn"))
    ui_clock.set(datetime.fromisoformat("2026-12-31T18:00:00+08:00"))
    case = eng.start("timers", {}, "zhao")
    eng.complete(case.tasks[0].id, {}, "zhao")  # 次日: the close of Monday 2027-01-04
    eng.set_calendar_day(date(2027, 1, 4), False, "元旦调休")
    page = as_user(app, "zhao").get(f"/instances/{case.id}").text
    assert "定时调整" in page
    assert "次日 2027-01-04 17:30 → 2027-01-05 17:30（2027-01-04调整为休息日）" in page


def test_inbox_filters(app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    transfer(eng)
    ui_clock.advance(timedelta(days=9))
    start_case(eng, summary="第二件")  # due today for li
    client = as_user(app, "li")
    assert "TS-2026-000002" in client.get("/?show=today").text
    assert "TS-2026-000002" not in client.get("/?show=overdue").text
    assert "TS-2026-000002" not in client.get("/?show=mine").text
    assert "TS-2026-000002" in client.get("/?process=approval").text
    assert "TS-2026-000002" not in client.get("/?process=other").text
    assert client.get("/?show=bogus").status_code == 200
    handler = as_user(app, "zhao")
    assert "TS-2026-000001" in handler.get("/?show=overdue").text
    assert "TS-2026-000001" not in handler.get("/?show=today").text


def test_inbox_is_sorted_by_due_date(app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    start_case(eng, summary="早")
    ui_clock.advance(timedelta(hours=18))  # next day 10:00: due 2026-10-08 17:30
    start_case(eng, summary="晚")
    page = as_user(app, "li").get("/").text
    assert page.index("TS-2026-000001") < page.index("TS-2026-000002")


def test_unit_scoping_in_inbox(app: Flask, eng: Engine) -> None:
    transfer(eng, FULIANG)
    assert "TS-2026-000001" in as_user(app, "zhao").get("/").text
    assert "TS-2026-000001" not in as_user(app, "qian").get("/").text


def test_claim_and_unclaim(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    client = as_user(app, "li")
    response = client.post(f"/tasks/{task_id}/claim", data={"next": "/?show=mine"})
    assert response.status_code == 302 and response.location == "/?show=mine"
    page = client.get("/?show=mine")
    assert "TS-2026-000001" in page.text and 'id="count-mine">1<' in page.text
    assert eng.inbox.task(task_id, "li").assignee == "li"
    client.post(f"/tasks/{task_id}/unclaim")
    assert eng.inbox.task(task_id, "li").assignee is None


def test_claim_taken_by_someone_else(app: Flask, eng: Engine) -> None:
    eng.add_user("li2", ["intake"], password="pw-ui-test")
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    eng.claim(task_id, "li2")
    client = as_user(app, "li")
    response = client.post(f"/tasks/{task_id}/claim", follow_redirects=True)
    assert response.status_code == 200
    assert "他人已先行办理或认领" in response.text
    assert eng.inbox.task(task_id, "li2").assignee == "li2"


def test_claim_denied_for_other_unit(app: Flask, eng: Engine) -> None:
    transfer(eng, FULIANG)
    task_id = task_of(eng, "zhao", "handle")
    response = as_user(app, "qian").post(f"/tasks/{task_id}/claim")
    assert response.status_code == 404  # no part in the case: as if the task did not exist
    assert "未找到" in response.text
    assert "Traceback" not in response.text
    assert eng.inbox.task(task_id, "zhao").assignee is None


# -- task page ------------------------------------------------------------------------------

def test_task_page_renders_form_and_case(app: Flask, eng: Engine) -> None:
    instance_id = start_case(eng)
    task_id = task_of(eng, "li", "propose")
    page = as_user(app, "li").get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert '<select id="f-proposal" name="proposal"' in page.text
    assert '<option value="转办"' in page.text and "予以了结" in page.text
    assert "拖延办理营业执照" in page.text  # key data
    assert "摘要" in page.text  # labelled from the start form
    assert "发起" in page.text  # the timeline
    assert f'data-url="/instances/{instance_id}/diagram.json"' in page.text
    assert 'data-current="propose"' in page.text
    assert 'name="csrf_token"' in page.text


def test_task_submit_moves_the_case_on(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    client = as_user(app, "li")
    response = client.post(f"/tasks/{task_id}", data={"proposal": "转办"})
    assert response.status_code == 302 and response.location == "/"
    assert "已提交" in client.get("/").text
    approve = task_of(eng, "wang", "approve")
    page = as_user(app, "wang").get(f"/tasks/{approve}")
    assert 'type="radio" name="approved" value="true"' in page.text
    done = as_user(app, "wang").post(f"/tasks/{approve}", data={"approved": "true",
                                                                "comment": "同意转办"})
    assert done.status_code == 302
    assert task_of(eng, "zhao", "handle")


def test_validation_errors_beside_fields_and_input_kept(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    client = as_user(app, "li")
    missing = client.post(f"/tasks/{task_id}", data={"proposal": ""})
    assert missing.status_code == 422
    assert "此项为必填项" in missing.text
    assert 'class="field has-error kind-select" data-field="proposal"' in missing.text
    wrong = client.post(f"/tasks/{task_id}", data={"proposal": "随便"})
    assert wrong.status_code == 422 and "不是有效的选项" in wrong.text
    approve_case = start_case(eng, summary="二")
    assert approve_case
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    typed = as_user(app, "wang").post(f"/tasks/{approve}",
                                      data={"comment": "请补充材料后再报"})
    assert typed.status_code == 422
    assert "请补充材料后再报" in typed.text  # what the user typed is kept
    assert 'data-field="approved"' in typed.text and "此项为必填项" in typed.text


def test_stale_submit_keeps_the_input(app: Flask, eng: Engine) -> None:
    eng.add_user("chen", ["approver"], password="pw-ui-test")
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    wang = as_user(app, "wang")
    page = wang.get(f"/tasks/{approve}")
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    eng.complete(approve, {"approved": False, "comment": "退回"}, "chen")  # someone else first
    stale = wang.post(f"/tasks/{approve}", data={"approved": "true", "comment": "我的意见很长",
                                                 "revision": revision.group(1)})
    assert stale.status_code == 409
    assert "他人已先行办理" in stale.text
    assert "我的意见很长" in stale.text
    assert 'value="true" checked' in stale.text


def test_a_second_tab_s_submission_says_it_was_the_user_s_own(app: Flask, eng: Engine) -> None:
    """Submitted in one tab, then in another: the page does not blame someone else."""
    start_case(eng)
    propose = task_of(eng, "li", "propose")
    li = as_user(app, "li")
    first, second = li.get(f"/tasks/{propose}"), li.get(f"/tasks/{propose}")
    revision = re.search(r'name="revision" value="(\d+)"', second.text)
    assert first.status_code == 200 and revision
    assert li.post(f"/tasks/{propose}", data={"proposal": "转办",
                                               "revision": revision.group(1)}).status_code == 302
    stale = li.post(f"/tasks/{propose}", data={"proposal": "暂存",
                                                "revision": revision.group(1)})
    assert stale.status_code == 409
    assert "您已在另一个窗口或页面中提交过此任务" in stale.text
    assert "他人已先行办理此案件" not in stale.text


def test_stale_revision_of_a_ready_task(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    client = as_user(app, "li")
    page = client.get(f"/tasks/{task_id}")
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    eng.claim(task_id, "li")
    eng.unclaim(task_id, "li")  # the case changed since the page was shown
    stale = client.post(f"/tasks/{task_id}", data={"proposal": "转办",
                                                   "revision": revision.group(1)})
    assert stale.status_code == 409 and 'value="转办" selected' in stale.text
    new_revision = re.search(r'name="revision" value="(\d+)"', stale.text)
    assert new_revision and new_revision.group(1) != revision.group(1)
    again = client.post(f"/tasks/{task_id}", data={"proposal": "转办",
                                                   "revision": new_revision.group(1)})
    assert again.status_code == 302


def test_task_page_denied_to_wrong_role_and_unit(app: Flask, eng: Engine) -> None:
    transfer(eng, FULIANG)
    task_id = task_of(eng, "zhao", "handle")
    # no part in the case: as if the task did not exist
    assert as_user(app, "qian").get(f"/tasks/{task_id}").status_code == 404  # other unit
    assert as_user(app, "ent").get(f"/tasks/{task_id}").status_code == 404  # other role
    post = as_user(app, "qian").post(f"/tasks/{task_id}", data={"result": "属实"})
    assert post.status_code == 404
    assert as_user(app, "sun").get(f"/tasks/{task_id}").status_code == 403  # reads the case
    assert as_user(app, "zhao").get(f"/tasks/{task_id}").status_code == 200


def test_unknown_task_is_404_without_a_trace(app: Flask) -> None:
    page = as_user(app, "li").get("/tasks/no-such-task")
    assert page.status_code == 404 and "未找到" in page.text
    assert "Traceback" not in page.text


def test_completed_task_page_says_so(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    eng.complete(task_id, {"proposal": "转办"}, "li")
    page = as_user(app, "li").get(f"/tasks/{task_id}")
    assert page.status_code == 200 and "此任务已办结或已撤销" in page.text
    assert 'name="proposal"' not in page.text


# -- start ----------------------------------------------------------------------------------

def test_start_list_and_form(app: Flask) -> None:
    client = as_user(app, "li")
    listing = client.get("/start")
    assert "测试审批" in listing.text and "/start/approval" in listing.text
    form = client.get("/start/approval")
    assert form.status_code == 200 and 'name="summary"' in form.text
    assert "/start/approval" not in as_user(app, "ent").get("/start").text
    assert as_user(app, "ent").get("/start/approval").status_code == 403
    assert as_user(app, "ent").post("/start/approval", data={}).status_code == 403


def test_start_submits_and_opens_the_first_task(app: Flask, eng: Engine) -> None:
    client = as_user(app, "li")
    response = client.post("/start/approval", data={"summary": "门槛过高", "unit": FULIANG})
    assert response.status_code == 302
    assert response.location.startswith("/tasks/")
    page = client.get(response.location)
    assert "门槛过高" in page.text and "TS-2026-000001" in page.text


def test_start_validation_errors(app: Flask) -> None:
    client = as_user(app, "li")
    response = client.post("/start/approval", data={"summary": "", "unit": LEPING})
    assert response.status_code == 422
    assert "此项为必填项" in response.text
    assert f'value="{LEPING}"' in response.text


# -- instance page --------------------------------------------------------------------------

def test_instance_page_and_diagram(app: Flask, eng: Engine) -> None:
    instance_id = transfer(eng)
    client = as_user(app, "zhao")
    page = client.get(f"/instances/{instance_id}")
    assert page.status_code == 200
    assert "办理中" in page.text and "TS-2026-000001" in page.text
    assert "核查" in page.text and "审批" in page.text
    data = client.get(f"/instances/{instance_id}/diagram.json").get_json()
    assert "<bpmn:definitions" in data["xml"]
    assert data["active"] == ["handle"]
    assert {"start", "propose", "approve", "decide", "mark"} <= set(data["completed"])
    assert {"f1", "f2", "f3", "f_ok", "f4"} <= set(data["flows"])
    assert "f_back" not in data["flows"]


def test_instance_page_denied_to_outsiders(app: Flask, eng: Engine) -> None:
    instance_id = transfer(eng, FULIANG)
    # as if the case did not exist
    assert as_user(app, "qian").get(f"/instances/{instance_id}").status_code == 404
    assert as_user(app, "qian").get(f"/instances/{instance_id}/diagram.json").status_code == 404
    assert as_user(app, "audit").get(f"/instances/{instance_id}").status_code == 200
    assert as_user(app, "li").get("/instances/999").status_code == 404


# -- CSRF, errors, language -------------------------------------------------------------------

def test_csrf_is_enforced(eng: Engine) -> None:
    app = make_app(eng, csrf=True)
    client = app.test_client()
    refused = client.post("/login", data={"username": "li", "password": "pw-ui-test"})
    assert refused.status_code == 400 and "安全令牌" in refused.text
    token = csrf_token(client.get("/login").text)
    ok = client.post("/login", data={"username": "li", "password": "pw-ui-test",
                                     "csrf_token": token})
    assert ok.status_code == 302
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    assert client.post(f"/tasks/{task_id}/claim").status_code == 400
    assert client.post(f"/tasks/{task_id}", data={"proposal": "转办"}).status_code == 400
    assert client.post("/logout").status_code == 400
    page = client.get(f"/tasks/{task_id}")
    token = csrf_token(page.text)
    done = client.post(f"/tasks/{task_id}", data={"proposal": "转办", "csrf_token": token})
    assert done.status_code == 302


def test_every_form_carries_a_csrf_token(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    pages = {"li": ["/", f"/tasks/{task_id}", "/start/approval"],
             "design": ["/designer/upload"]}
    for user, paths in pages.items():
        client = as_user(app, user)
        for path in paths:
            html = client.get(path).text
            posts = len(re.findall(r'<form method="post"', html))
            assert posts and posts == html.count('name="csrf_token"'), path


def test_unknown_page_is_a_page_not_a_trace(app: Flask) -> None:
    page = as_user(app, "li").get("/no/such/page")
    assert page.status_code == 404 and "<html" in page.text


def test_language_switch(app: Flask) -> None:
    client = as_user(app, "li")
    assert "待办事项" in client.get("/").text
    assert choose_language(client, "en", "/start") == "/start"
    page = client.get("/")
    assert "Inbox" in page.text and "待办事项" not in page.text
    assert "Sign out" in page.text
    # the brand once: its Latin name is set small under 快办 only
    assert ">Kuaiban</a>" in page.text and "<small>Kuaiban</small>" not in page.text
    choose_language(client, "zh")
    assert "待办事项" in client.get("/").text
    assert "快办 <small>Kuaiban</small></a>" in client.get("/").text
    assert client.get("/lang/xx").status_code == 404
    assert client.post("/lang/xx").status_code == 404


def test_phone_width_styles_are_served(client: FlaskClient) -> None:
    css = client.get("/static/css/kuaiban.css")
    assert css.status_code == 200 and b"@media (max-width: 720px)" in css.data
    page = client.get("/login")
    assert 'name="viewport" content="width=device-width' in page.text


def test_diagram_path_shows_a_loop_back_only_when_taken(app: Flask, eng: Engine) -> None:
    instance_id = start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.complete(task_of(eng, "wang", "approve"), {"approved": False}, "wang")  # sent back
    client = as_user(app, "li")
    data = client.get(f"/instances/{instance_id}/diagram.json").get_json()
    assert data["active"] == ["propose"]
    assert "f_back" in data["flows"] and "f_ok" not in data["flows"]
    assert "mark" not in data["completed"] and "handle" not in data["completed"]
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.complete(task_of(eng, "wang", "approve"), {"approved": True}, "wang")
    data = client.get(f"/instances/{instance_id}/diagram.json").get_json()
    assert data["active"] == ["handle"]
    assert {"f_ok", "f4"} <= set(data["flows"])
    eng.complete(task_of(eng, "zhao", "handle"), {"result": "属实"}, "zhao")
    done = as_user(app, "audit").get(f"/instances/{instance_id}/diagram.json").get_json()
    assert done["active"] == [] and "end" in done["completed"] and "f5" in done["flows"]


def test_unexpected_errors_never_show_a_trace(eng: Engine) -> None:
    app = make_app(eng)

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    page = app.test_client().get("/boom")
    assert page.status_code == 500 and "系统出错" in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text


def test_the_case_page_links_only_the_tasks_the_reader_may_open(app: Flask, eng: Engine) -> None:
    """The intake clerk follows the case it sent to 浮梁: the handler's task is named, not
    linked to a page that answers 403; the handler gets the link."""
    instance_id = transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    li = as_user(app, "li")
    assert li.get(f"/tasks/{handle}").status_code == 403
    page = li.get(f"/instances/{instance_id}").text
    assert f'href="/tasks/{handle}"' not in page and '<span class="task-name">' in page
    assert f'href="/tasks/{handle}"' in as_user(app, "zhao").get(f"/instances/{instance_id}").text


def test_a_task_page_offers_claim_and_submit_only_to_who_may_use_them(
        app: Flask, eng: Engine) -> None:
    eng.add_user("li2", ["intake"], password="pw-ui-test")
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    auditor = as_user(app, "audit")
    page = auditor.get(f"/tasks/{task_id}").text
    assert f"/tasks/{task_id}/claim" not in page and ">提交<" not in page
    assert "您只能查看此任务：它由受理员办理。" in page and "已由他人认领" not in page
    assert re.search(r'<select id="f-proposal" name="proposal"\s+disabled', page), page
    refused = auditor.post(f"/tasks/{task_id}/claim")
    assert refused.status_code == 403 and "此任务由受理员办理" in refused.text
    assert "intake" not in refused.text.split("<main", 1)[-1]
    mine = as_user(app, "li").get(f"/tasks/{task_id}").text
    assert f"/tasks/{task_id}/claim" in mine and ">提交<" in mine and "只能查看" not in mine
    eng.claim(task_id, "li2")
    taken = as_user(app, "li").get(f"/tasks/{task_id}").text
    assert "此任务已由li2认领，您只能查看。" in taken and ">提交<" not in taken


def test_the_case_page_lists_steps_done_in_one_minute_in_the_order_done(tmp_path: Path) -> None:
    """The demo's first clue went through four steps in the same minute: 已办任务 lists them
    as its history did them, not by their ids."""
    engine, _ = demo_engine(tmp_path)
    page = signed_in(engine, "intake").get("/instances/1").get_data(as_text=True)
    done = page[page.index("已办任务"):]
    done = done[:done.index("</ul>")]
    steps = re.findall(r"<li>([^<·]+?) ·", done)
    assert [s.strip() for s in steps] == ["提出处置意见", "审批处置意见", "转办到位", "优先核查"]
    engine.close()
