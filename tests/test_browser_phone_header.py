"""At phone width the header is one line (brand, bell, language, sign-out, menu) instead of a
third of the screen; the menu unfolds with the user's name, the profile and the password links
in it. The favicon loads. In real Chromium: the layout is CSS, only a browser computes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import phone_page as phone_page
from tests.test_ui_support import frozen, make_engine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen()
    engine = make_engine(tmp_path, clock)
    engine.add_user("zhao", ["handler"], unit="浮梁县纪委监委",
                    display_name="承办部门 赵磊（浮梁县纪委监委）")
    yield from serve(engine, clock)


@pytest.mark.parametrize("user", ["zhao", "li"])
def test_the_phone_header_is_one_line(phone_page: Any, server: Server, user: str) -> None:
    sign_in(phone_page, server, user)
    header = phone_page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 60, header  # was a third: ~280px
    assert phone_page.is_hidden(".session .who") and phone_page.is_hidden("nav.main")
    assert phone_page.is_visible("#bell") and phone_page.is_visible(".nav-button")
    assert phone_page.is_hidden("form.search-box")
    phone_page.click(".nav-button")
    assert phone_page.is_visible("nav.main") and phone_page.is_visible("form.search-box")
    account = phone_page.locator("nav.main a.phone-only", has_text="修改密码")
    assert account.is_visible()
    assert phone_page.locator("nav.main a.phone-only", has_text="个人信息").is_visible()
    icon = phone_page.evaluate("""() => fetch(document.querySelector('link[rel=icon]').href)
        .then(r => r.status + ' ' + r.headers.get('content-type'))""")
    assert icon.startswith("200 image/svg+xml")


def test_the_desktop_header_keeps_the_name_and_no_phone_link(browser: Any,
                                                             server: Server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, server, "zhao")
        assert page.is_visible(".session .who") and page.is_hidden("nav.main a.phone-only")
        # the display name already names the unit: it is not repeated after it
        assert page.inner_text(".session .who") == "承办部门 赵磊（浮梁县纪委监委）"
    finally:
        context.close()
