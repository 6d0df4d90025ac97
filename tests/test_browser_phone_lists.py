"""Lists at phone width in real Chromium (the layout is CSS, only a browser computes it): a
notice's words take the card's width on a line of their own, the 超期看板's counts keep
their badge's size instead of a bar across the card, a case's 事由 stays under its number
(not in the label column), and a task form with long 常用意见 stays within the screen."""

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


def test_a_notice_reads_across_the_phone(phone_page: Any, server: Server) -> None:
    sign_in(phone_page, server, "intake", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/notifications")
    notice = phone_page.locator("#notices li").first
    words = notice.locator(".text").bounding_box()
    card = notice.bounding_box()
    assert words and card
    assert words["width"] >= 0.8 * card["width"], (words, card)  # was a 80 px column


def test_the_boards_counts_stay_badges_on_a_phone(phone_page: Any, server: Server) -> None:
    sign_in(phone_page, server, "case_manager", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/board/")
    badges = phone_page.locator("#board a.due")
    assert badges.count() > 0
    for i in range(badges.count()):
        box = badges.nth(i).bounding_box()
        assert box and box["width"] < 80, box  # a number in a badge, not the card's width


def test_a_cases_subject_stays_under_its_number_on_a_phone(phone_page: Any,
                                                           server: Server) -> None:
    sign_in(phone_page, server, "enterprise", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/applications")
    cell = phone_page.locator("#applications tbody tr").first.locator("td").nth(1)
    number = cell.locator("a").bounding_box()
    subject = cell.locator(".subject").bounding_box()
    assert number and subject
    assert abs(subject["x"] - number["x"]) < 2, (number, subject)  # was under the label


def test_a_task_form_with_long_phrases_fits_a_phone(phone_page: Any, server: Server) -> None:
    task = next(t for t in server.engine.inbox.for_user("policy_sw") if t.name == "approve")
    sign_in(phone_page, server, "policy_sw", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/tasks/{task.id}")
    phone_page.select_option("#f-decision", "reject")  # 政策解释 is asked only then
    phone_page.wait_for_selector("#f-policy_explanation-phrases")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the 政策解释 phrases' select made the page 647 px wide
