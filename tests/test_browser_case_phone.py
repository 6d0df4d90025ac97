"""A case page at phone width: its files and documents are cards of labelled lines (file,
source, size, uploader, time) like the inbox, not five squeezed columns. In real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.demo_support import demo_engine
from web.demo import DEMO_PASSWORD


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def test_a_cases_files_are_cards_on_a_phone(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, server, "handler_fl", DEMO_PASSWORD)
        case = next(t.instance_id for t in server.engine.inbox.for_user("handler_fl")
                    if t.name == "outcome")  # ZF-2026-000001, with its 交办函
        page.goto(f"{server.url}/instances/{case}")
        assert page.is_hidden("#files thead")
        cell = page.locator("#files tbody td").first.bounding_box()
        assert cell is not None and cell["width"] > 300, cell  # was a column of ~80px
        label = page.evaluate("""() => getComputedStyle(
            document.querySelector('#files tbody td'), '::before').content""")
        assert label == '"文件"'
        document = page.locator("#files tr", has_text="交办函").first
        assert document.locator("a.print-link").is_visible()
    finally:
        context.close()
