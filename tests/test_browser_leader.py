"""The city leader in real Chromium: signing in leads to the 领导工作台 (the 提级核查 awaiting
approval, how long it has waited, the escalations under way, the city's overdue counts), and
the approval's page shows the clue it is about beside the form, on a desk and on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import page as page
from tests.browser_support import phone_page as phone_page
from tests.demo_support import demo_engine
from web.demo import DEMO_PASSWORD

ESC = "city_escalation"


def _do(engine: Engine, user: str, name: str, data: dict[str, Any]) -> None:
    task = next(t.id for t in engine.inbox.for_user(user, None) if t.name == name
                and t.process_key == ESC)
    engine.complete(task, data, user)


def escalated(engine: Engine) -> str:
    """The demo's verified clue, its escalation agreed and at the leader; its number."""
    clue = next(t for t in engine.inbox.for_user("handler_fl") if t.name == "outcome")
    assert clue.business_key is not None
    engine.start(ESC, {"esc_case_no": clue.business_key, "esc_typical": True,
                       "esc_reason": "同类问题反复出现，属典型问题。"}, "style_group")
    _do(engine, "style_group", "draft", {"esc_opinion": "建议由市纪委市监委直接核查。",
                                         "esc_withdrawn": False})
    _do(engine, "intake", "concur_intake", {"esc_intake_agree": True})
    _do(engine, "case_manager", "concur_cm", {"esc_cm_agree": True})
    return clue.business_key


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def test_the_leader_lands_on_the_approval_and_decides_with_the_clue_in_view(
        page: Any, server: Server) -> None:
    number = escalated(server.engine)
    sign_in(page, server, "city_leader", DEMO_PASSWORD)
    assert page.url.endswith("/leader/")
    awaiting = page.locator("#awaiting-tasks tbody tr")
    assert awaiting.count() == 1
    assert number in awaiting.inner_text() and "今日到达" in awaiting.inner_text()
    assert number in page.locator("#overseen-cases").inner_text()
    assert page.locator("#overseen-summary").inner_text().startswith("共 1 件 · 审批提级核查 1")
    assert int(page.locator("#board-open").inner_text()) > 0
    awaiting.locator("a", has_text="审批提级核查").click()
    page.wait_for_url("**/tasks/**")
    box = page.locator("#case-ref-esc_case_no")
    said = box.inner_text()
    for fact in (number, "被反映单位", "浮梁县某局", "问题摘要", "三次退回", "所属纪委监委",
                 "浮梁县纪委监委", "结果运用"):
        assert fact in said, fact
    # the box comes before the decision, and the form is on the same page
    assert box.bounding_box()["y"] < page.locator("form.schema-form").bounding_box()["y"]
    assert page.locator("[name=esc_approved]").count() >= 1
    box.locator("h2 a").click()
    page.wait_for_url("**/instances/**")
    assert number in page.locator("h1").inner_text()


def test_the_leader_s_pages_fit_a_phone(phone_page: Any, server: Server) -> None:
    escalated(server.engine)
    sign_in(phone_page, server, "city_leader", DEMO_PASSWORD)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert phone_page.is_hidden("#awaiting-tasks thead")  # labelled lines, as the inbox
    phone_page.locator("#awaiting-tasks a", has_text="审批提级核查").click()
    phone_page.wait_for_url("**/tasks/**")
    assert phone_page.locator("#case-ref-esc_case_no").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
