"""The notification centre in a real browser (Chromium through Playwright, a real server
with CSRF on): the bell shows the unread count, the list opens from it, opening a notice
leads to its task, and marking read lowers the count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import page as page  # the fixture
from tests.test_ui_support import frozen, make_engine, start_case


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.add_user("xu", ["intake"])  # starts the cases: li is told of their first step
    yield from serve(engine, clock)


def bell_count(page: Any) -> int:
    badge = page.locator("#bell-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_the_bell_the_list_and_marking_read(page: Any, server: Server) -> None:
    for summary in ("窗口推诿", "拖延办理", "吃拿卡要"):
        start_case(server.engine, summary=summary, by="xu")
    sign_in(page, server, "li")
    assert bell_count(page) == 3
    page.click("#bell")
    page.wait_for_url("**/notifications")
    assert page.locator("#notices li.unread").count() == 3
    assert "新待办" in page.inner_text("#notices")

    # marking one read lowers the count
    page.locator("#notices li.unread button.mark-read").first.click()
    page.wait_for_url("**/notifications")
    assert bell_count(page) == 2
    assert page.locator("#notices li.unread").count() == 2

    # opening one leads to its task and reads it
    page.locator("#notices li.unread .text a").first.click()
    page.wait_for_url("**/tasks/**")
    assert "提出处置意见" in page.inner_text("main")
    assert bell_count(page) == 1

    page.click("#bell")
    page.click("#read-all")
    page.wait_for_url("**/notifications")
    assert bell_count(page) == 0
    assert page.locator("#notices li.unread").count() == 0
    assert "已将 1 条通知标为已读" in page.inner_text(".flash")


def test_choosing_channels(page: Any, server: Server) -> None:
    sign_in(page, server, "zhao")
    page.goto(server.url + "/notifications/settings")
    box = page.locator("input[value='email.task_arrived']")
    assert not box.is_checked()
    box.check()
    page.click("button:text-is('保存')")
    page.wait_for_url("**/notifications/settings")
    assert "提醒设置已保存" in page.inner_text(".flash")
    assert page.locator("input[value='email.task_arrived']").is_checked()
    assert server.engine.notifications.preferences("zhao").choices["email"]["task_arrived"]


def test_each_reader_reads_a_notice_in_their_language(page: Any, browser: Any,
                                                      server: Server) -> None:
    engine = server.engine
    first = engine.instance(start_case(engine, summary="窗口推诿", by="xu")).business_key
    start_case(engine, summary="拖延办理", by="xu")
    [propose] = [t for t in engine.inbox.for_user("li") if t.business_key == first]
    engine.complete(propose.id, {"proposal": "转办"}, "li")

    sign_in(page, server, "li")
    assert bell_count(page) == 1  # the first case's step is done: its notice is not counted
    page.click("#bell")
    page.wait_for_url("**/notifications")
    said = f"新的待办“提出处置意见”（{first}）已到达，办理期限 9月30日 17:30。"
    assert said in page.inner_text("#notices")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        reader = context.new_page()
        sign_in(reader, server, "wang")
        reader.click("form.lang button[lang=en]")
        reader.wait_for_load_state()
        reader.click("#bell")
        reader.wait_for_url("**/notifications")
        notices = reader.inner_text("#notices")
        assert f'A new task "审批" ({first}) has arrived; it is due Sep 30, 17:30.' in notices
        assert "新的待办" not in notices and "New task" in notices
    finally:
        context.close()
