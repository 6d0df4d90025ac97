"""Ledgers at phone width: each case a card of labelled lines, nothing scrolling sideways; on a
desktop the table. In real Chromium (the layout is CSS, only a browser computes it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import phone_page as phone_page
from tests.demo_support import demo_engine
from tests.process_helpers import at
from web.demo import DEMO_PASSWORD


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def test_ledger_rows_are_cards_on_a_phone(phone_page: Any, server: Server) -> None:
    sign_in(phone_page, server, "auditor", DEMO_PASSWORD)
    phone_page.goto(server.url + "/ledgers/clue")
    assert phone_page.is_hidden("#ledger thead")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the ledger scrolls sideways on a phone ({width}px)"
    rows = phone_page.locator("#ledger tbody tr")
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first is not None and second is not None
    assert first["width"] <= 390 and second["y"] >= first["y"] + first["height"]
    label = phone_page.evaluate("""() => getComputedStyle(
        document.querySelector('#ledger tbody td'), '::before').content""")
    assert label == '"登记时间"'
    assert phone_page.locator("#ledger tbody tr >> nth=0 >> th.case-no a").is_visible()


def test_ledger_is_a_table_on_a_desktop(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, server, "auditor", DEMO_PASSWORD)
        page.goto(server.url + "/ledgers/clue")
        assert page.is_visible("#ledger thead")
        page.click("#ledger tbody th.case-no a >> nth=0")
        page.wait_for_url("**/instances/**")
    finally:
        context.close()


# how many lines each cell's text takes
LINES = """(selector) => [...document.querySelectorAll(selector)].map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def test_the_person_in_charge_keeps_to_one_line_at_1366(browser: Any, server: Server) -> None:
    """The clue ledger is wider than a 1366 px screen and scrolls sideways; 责任人 (a name
    with its unit) is not broken over lines to make room, nor is a time's date; a missed
    deadline is in the overdue colour."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        server.clock.set(at("2026-10-09T09:00:00+08:00"))  # past the demo's first deadlines
        sign_in(page, server, "case_manager", DEMO_PASSWORD)
        page.goto(server.url + "/ledgers/clue")
        lines = {kind: page.evaluate(LINES, selector) for kind, selector in (
            ("person", '#ledger td[data-label="责任人"]'), ("time", "#ledger td.time"))}
        assert lines["person"] and set(lines["person"]) == {1}, lines
        assert lines["time"] and set(lines["time"]) == {2}, lines  # 2026-09-30 / 17:30
        # a deadline missed stands out (the page marks 否（超期） and 已超期 late)
        late = page.evaluate("""() => [...document.querySelectorAll('#ledger td.late')].map(
            td => getComputedStyle(td).color)""")
        assert late and set(late) == {"rgb(180, 35, 24)"}, late
    finally:
        context.close()
