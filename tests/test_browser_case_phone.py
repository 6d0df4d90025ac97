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
from tests.test_ui_payouts import THREE, batch, paid
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
    # its print view reads on the phone's own width (printing keeps A4)
    phone_page.goto(server.url + str(document.locator("a.print-link").get_attribute("href")))
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert phone_page.locator(".sheet").bounding_box()["width"] < 390


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


def test_a_batchs_payout_results_scroll_in_their_box_on_a_phone(phone_page: Any,
                                                                server: Server) -> None:
    """Seven columns of 兑付结果 scroll within the table's box; the page itself does not run
    off the screen sideways."""
    case, _ = batch(server.engine)
    sign_in(phone_page, server, "policy_gx", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/instances/{case}")
    assert phone_page.locator("#payout-results tbody tr").count() == 3
    assert phone_page.locator("#payout-results tfoot th").inner_text() == "合计"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    box = phone_page.evaluate("""() => {
        const box = document.querySelector('#payout-results .grid-scroll');
        return [box.scrollWidth, box.clientWidth]; }""")
    assert box[0] > box[1], box  # wider than the screen: scrolled within its box


def test_an_audited_event_s_data_reads_on_a_phone(phone_page: Any, server: Server) -> None:
    """The 事件记录's content on a phone: a list of enterprises stays a table under its
    titles (scrolling in its box), a paid enterprise's fields take the card's width; before,
    each nested level halved the width down to a character a line, past the screen."""
    case, tasks = batch(server.engine)
    first = THREE[0]
    server.engine.complete(tasks[first["name"]], paid(first, "PZ-0001"), "policy_gx")
    sign_in(phone_page, server, "auditor", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/audit/instances/{case}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    grid = phone_page.locator("table.events table.data-grid").first
    assert grid.locator("thead th").first.is_visible()  # its titles, not hidden cards
    heights = phone_page.evaluate("""() => [...document.querySelectorAll('table.events dd')]
        .filter(d => !d.querySelector('dl, table') && /91360200MA35A0001X|PZ-0001/
                 .test(d.textContent))
        .map(d => d.getBoundingClientRect().height)""")
    assert len(heights) == 2 and max(heights) < 30, heights  # each code on one line


def test_a_related_case_s_status_keeps_its_word_on_a_phone(phone_page: Any,
                                                            server: Server) -> None:
    """The line of a related case wraps where it must, never inside its status (办理/中)."""
    sign_in(phone_page, server, "case_manager", DEMO_PASSWORD)
    clue = next(t.instance_id for t in server.engine.inbox.for_user("handler_fl")
                if t.name == "outcome")  # ZF-2026-000001, with its ledger copy
    phone_page.goto(f"{server.url}/instances/{clue}")
    lines = phone_page.eval_on_selector_all(
        "#related-cases .status", "els => els.map(e => e.getClientRects().length)")
    assert lines and all(n == 1 for n in lines), lines
