"""A case page at phone width: its files and documents are cards of labelled lines (file,
source, size, uploader, time) like the inbox, not five squeezed columns; so is the 已办 list.
In real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import phone_page as phone_page
from tests.demo_support import demo_engine
from web.demo import DEMO_PASSWORD


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def test_a_cases_files_are_cards_on_a_phone(phone_page: Any, server: Server) -> None:
    sign_in(phone_page, server, "handler_fl", DEMO_PASSWORD)
    case = next(t.instance_id for t in server.engine.inbox.for_user("handler_fl")
                if t.name == "outcome")  # ZF-2026-000001, with its 交办函
    phone_page.goto(f"{server.url}/instances/{case}")
    assert phone_page.is_hidden("#files thead")
    cell = phone_page.locator("#files tbody td").first.bounding_box()
    assert cell is not None and cell["width"] > 300, cell  # was a column of ~80px
    label = phone_page.evaluate("""() => getComputedStyle(
        document.querySelector('#files tbody td'), '::before').content""")
    assert label == '"文件"'
    document = phone_page.locator("#files tr", has_text="交办函").first
    assert document.locator("a.print-link").is_visible()


def test_the_done_list_is_cards_on_a_phone(phone_page: Any, server: Server) -> None:
    """Five columns ran off a phone's screen in English; they are labelled lines now."""
    sign_in(phone_page, server, "handler_fl", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/lang/en?next=/done")  # the page with the switch's button
    phone_page.click("#switch-language")
    phone_page.wait_for_url("**/done")
    assert phone_page.is_hidden("#done-tasks thead")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    label = phone_page.evaluate("""() => getComputedStyle(
        document.querySelector('#done-tasks tbody td'), '::before').content""")
    assert label == '"When"'
