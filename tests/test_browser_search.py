"""The search box in a real browser (Chromium through Playwright, a real server under the
strict CSP): typed in the header of any page, it lists the cases the user may read with the
matches highlighted and the rest escaped, and leads to the case; 已办 is one click away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import page as page  # the fixture
from tests.test_ui_support import LEPING, frozen, make_engine, start_case, task_of


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    yield from serve(make_engine(tmp_path, clock), clock)


def search(page: Any, words: str) -> list[str]:
    """Type ``words`` in the header's box, press Enter: the case numbers listed."""
    page.fill("#search-q", words)
    page.press("#search-q", "Enter")
    page.wait_for_url("**/search?q=*")
    return [a.inner_text() for a in page.locator("#search-results a.case").all()]


def test_search_box_finds_readable_cases_highlights_and_escapes(page: Any,
                                                               server: Server) -> None:
    engine = server.engine
    ours = start_case(engine, summary="瓷器出口退税拖延<img src=x id=injected>")
    theirs = start_case(engine, unit=LEPING, summary="乐平窗口推诿出口退税")
    for _ in (ours, theirs):  # both on to the handlers of their units
        engine.complete(task_of(engine, "li", "propose"), {"proposal": "转办"}, "li")
        engine.complete(task_of(engine, "wang", "approve"), {"approved": True}, "wang")
    numbers = {i: engine.instance(i).business_key for i in (ours, theirs)}

    sign_in(page, server, "zhao")  # the handler of 浮梁县: only the first case is theirs
    assert search(page, "出口退税") == [numbers[ours]]
    hit = page.locator("#search-results li").first
    assert hit.locator("mark").first.inner_text() == "出口退税"
    assert "<img src=x id=injected>" in hit.locator(".snippet").inner_text()
    assert page.locator("#injected").count() == 0  # shown as text, never as markup
    assert page.input_value("#search-q") == "出口退税"
    assert search(page, "推诿") == []  # two characters; the other county's case stays hidden
    assert "没有找到您可查看的案件" in page.inner_text("#search-none")
    page.click("#nav-done")
    page.wait_for_url("**/done")
    assert "还没有办理过任务" in page.inner_text("main")

    sign_in(page, server, "li")  # the intake office started both
    assert search(page, "出口 退税") == [numbers[theirs], numbers[ours]]
    assert search(page, "推诿") == [numbers[theirs]]
    page.click(f"#search-results a.case:text-is('{numbers[theirs]}')")
    page.wait_for_url(f"**/instances/{theirs}")
    page.click("#nav-done")
    page.wait_for_url("**/done")
    assert page.locator("#done-tasks tbody tr").count() == 2
    assert page.locator("#done-started tbody tr").count() == 2
