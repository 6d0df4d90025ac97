"""个人信息 in real Chromium (CSRF on, the strict CSP watched): from the header's link, a
telephone refused beside its field, then a good one saved and shown again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.test_ui_support import FULIANG, frozen, make_engine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen()
    engine = make_engine(tmp_path, clock)
    engine.add_user("zhao", ["handler"], unit=FULIANG, display_name="赵敏")
    yield from serve(engine, clock)


def test_changing_ones_office_telephone(page: Any, server: Server) -> None:
    sign_in(page, server, "zhao")
    page.click("#profile-link")
    page.wait_for_selector("#profile-form", state="visible")
    assert page.inner_text("#profile-name") == "赵敏"
    page.fill("#f-phone", "0798 -- 2600101")
    page.click("#profile-save")
    page.wait_for_selector("[data-field=phone] .field-error", state="visible")
    assert "不是有效的电话号码" in page.inner_text("[data-field=phone] .field-error")
    assert server.engine.accounts.profile("zhao").phone is None
    page.fill("#f-phone", "0798-2600101")
    page.click("#profile-save")
    page.wait_for_selector(".flash.success", state="visible")
    assert "个人信息已保存" in page.inner_text(".flash.success")
    assert page.input_value("#f-phone") == "0798-2600101"
    assert page.is_hidden("[data-field=phone] .field-error")
    assert server.engine.accounts.profile("zhao").phone == "0798-2600101"


def test_the_headers_language_button_switches_without_the_pages_script(
        browser: Any, server: Server) -> None:
    """The switch is a form posted with the page's token: it works with JavaScript off, stays
    on the page it was pressed on, and keeps the choice for the next sign-in."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, server, "zhao")
        page.goto(server.url + "/done")
        assert server.engine.user("zhao").language is None
        page.click("form.lang button[lang=en]")
        page.wait_for_load_state()
        assert page.url == server.url + "/done"
        assert page.locator("html").get_attribute("lang") == "en"
        assert server.engine.user("zhao").language == "en"
        page.click("form.lang button[lang=zh]")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert server.engine.user("zhao").language == "zh"
    finally:
        context.close()
