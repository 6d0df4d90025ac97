"""The everyday operations in a real browser (Chromium through Playwright, a real server with
CSRF on and the strict content security policy): send back with a reason the receiver sees,
transfer, urge, copy with its read mark, comment, withdraw and terminate, each through the
page's own forms, with no policy violation on the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.test_ui_support import FULIANG, PASSWORD, frozen, make_engine, start_case, task_of


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    yield from serve(make_engine(tmp_path, clock), clock)


def open_form(page: Any, details: str) -> None:
    page.click(f"#{details} summary")


def test_send_back_transfer_and_urge(page: Any, server: Server) -> None:
    eng = server.engine
    instance_id = start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    sign_in(page, server, "wang")
    page.goto(f"{server.url}/tasks/{approve}")
    open_form(page, "op-send-back")
    page.fill("#op-send-back textarea[name=reason]", "处置理由不充分，请补充")
    page.click("#op-send-back button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert "已退回" in page.inner_text(".flash")

    sign_in(page, server, "li")
    propose = task_of(eng, "li", "propose")
    page.goto(f"{server.url}/tasks/{propose}")
    assert "处置理由不充分，请补充" in page.inner_text("#sent-back-reason")
    page.select_option("#f-proposal", "转办")
    page.click("button.primary:text-is('提交')")
    page.wait_for_url(server.url + "/")
    eng.complete(task_of(eng, "wang", "approve"), {"approved": True}, "wang")

    eng.add_user("zhao2", ["handler"], unit=FULIANG, password=PASSWORD)
    handle = task_of(eng, "zhao", "handle")
    sign_in(page, server, "zhao")
    page.goto(f"{server.url}/tasks/{handle}")
    open_form(page, "op-transfer")
    page.fill("#op-transfer input[name=to]", "zhao2")
    page.fill("#op-transfer textarea[name=reason]", "本人出差，请同事办理")
    page.click("#op-transfer button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert eng.inbox.task(handle, "zhao2").assignee == "zhao2"

    sign_in(page, server, "sun")
    page.goto(f"{server.url}/instances/{instance_id}")
    page.fill(f"#urge-{handle} input[name=note]", "请本周内办结")
    page.click(f"#urge-{handle} button[type=submit]")
    page.wait_for_url(f"**/instances/{instance_id}")
    assert "已催办 1 次" in page.inner_text("main")
    page.goto(f"{server.url}/board/")
    assert page.inner_text("#total-urged") == "1"
    page.goto(f"{server.url}/instances/{instance_id}")
    timeline = page.inner_text(".timeline")
    sign_in(page, server, "zhao2")
    page.goto(f"{server.url}/tasks/{handle}")
    assert "已被催办 1 次" in page.inner_text("#urged")
    assert all(word in timeline for word in ("退回", "转办", "催办", "本人出差，请同事办理"))


def test_copy_comment_withdraw_and_terminate(page: Any, server: Server) -> None:
    eng = server.engine
    instance_id = start_case(eng)
    propose = task_of(eng, "li", "propose")
    eng.complete(propose, {"proposal": "转办"}, "li")
    sign_in(page, server, "li")
    page.goto(f"{server.url}/instances/{instance_id}")
    withdraw_asked: list[str] = []

    def answer_withdraw(dialog: Any) -> None:  # the page asks before it takes a step back
        withdraw_asked.append(dialog.message)
        dialog.dismiss() if len(withdraw_asked) == 1 else dialog.accept()

    page.on("dialog", answer_withdraw)
    page.click("form.withdraw button")  # dismissed: nothing happens
    assert withdraw_asked and "确定撤回吗" in withdraw_asked[0]
    assert task_of(eng, "wang", "approve")
    page.click("form.withdraw button")  # confirmed
    page.wait_for_url(f"**/instances/{instance_id}")
    page.remove_listener("dialog", answer_withdraw)
    assert "已撤回" in page.inner_text(".flash")
    open_form(page, "op-cc")
    page.fill("#op-cc input[name=to]", "zhao")
    page.click("#op-cc button[type=submit]")
    page.wait_for_url(f"**/instances/{instance_id}")

    sign_in(page, server, "zhao")
    page.click("nav.main a:text-is('抄送我的')")
    assert "未阅" in page.inner_text("#copies")
    page.click("#copies a")
    page.click("#op-read button")
    page.wait_for_url(f"**/instances/{instance_id}")
    open_form(page, "op-comment")
    page.fill("#op-comment textarea[name=text]", "建议先约谈企业")
    page.click("#op-comment button[type=submit]")
    page.wait_for_url(f"**/instances/{instance_id}")
    assert "建议先约谈企业" in page.inner_text(".timeline")

    sign_in(page, server, "sun")
    page.goto(f"{server.url}/instances/{instance_id}")
    open_form(page, "op-terminate")
    page.fill("#op-terminate textarea[name=reason]", "重复登记")
    asked: list[str] = []

    def answer(dialog: Any) -> None:  # the page asks before it ends a case
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click("#op-terminate button[type=submit]")  # dismissed: nothing happens
    assert asked and "确定终止吗" in asked[0]
    assert eng.instance(instance_id).status == "running"
    page.click("#op-terminate button[type=submit]")  # confirmed
    page.wait_for_url(f"**/instances/{instance_id}")
    assert eng.instance(instance_id).status == "cancelled"
    assert "案件已终止" in page.inner_text(".flash")


def test_delegate_and_co_sign(page: Any, server: Server) -> None:
    eng = server.engine
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.complete(task_of(eng, "wang", "approve"), {"approved": True}, "wang")
    handle = task_of(eng, "zhao", "handle")
    sign_in(page, server, "zhao")
    page.goto(f"{server.url}/tasks/{handle}")
    open_form(page, "op-add-signer")
    page.fill("#op-add-signer input[name=to]", "wang")
    page.check("#op-add-signer input[name=parallel]")
    page.click("#op-add-signer button[type=submit]")
    page.wait_for_url(f"**/tasks/{handle}")
    assert "wang" in page.inner_text("#co-signing")

    sign_in(page, server, "wang")  # the co-signer finds it in the inbox and signs
    page.click(f"a[href='/tasks/{handle}']")
    page.wait_for_url(f"**/tasks/{handle}")
    page.select_option("#f-result", "属实")
    page.click("button.primary:text-is('提交')")
    page.wait_for_url(server.url + "/")

    sign_in(page, server, "zhao")
    page.goto(f"{server.url}/tasks/{handle}")
    assert page.locator("#co-signing").count() == 0
    open_form(page, "op-delegate")
    page.fill("#op-delegate input[name=to]", "qian")
    page.fill("#op-delegate textarea[name=reason]", "请协助核查")
    page.click("#op-delegate button[type=submit]")
    page.wait_for_url(f"**/tasks/{handle}")
    assert eng.inbox.task(handle, "qian").assignee == "qian"
    kinds = [e.type for e in eng.history(eng.inbox.task(handle, "zhao").instance_id)]
    assert kinds[-3:] == ["signer_added", "signed", "delegated"]


def test_the_co_sign_checkbox_sits_on_its_words_line(page: Any, server: Server) -> None:
    eng = server.engine
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.complete(task_of(eng, "wang", "approve"), {"approved": True}, "wang")
    sign_in(page, server, "zhao")
    page.goto(f"{server.url}/tasks/{task_of(eng, 'zhao', 'handle')}")
    open_form(page, "op-add-signer")
    label = page.locator("#op-add-signer label.check")
    box = label.locator("input[name=parallel]").bounding_box()
    whole = label.bounding_box()
    assert box is not None and whole is not None
    # was a row of its own, centred above the words: the label twice a line's height
    assert whole["height"] < 2 * box["height"] + 8, whole
    assert box["x"] - whole["x"] < 12, (box, whole)  # not centred: first
