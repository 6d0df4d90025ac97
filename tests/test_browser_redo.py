"""A proposal sent back for a wrong registration, redone in a real browser (Chromium, a real
server with CSRF on): the redone 提出处置意见 offers the registration's facts at the case's
values, the clerk corrects 被反映单位 through the page's own form, and the approver's page
shows what it was before; on a phone the form fits the screen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.browser_support import phone_page as phone_page
from tests.demo_support import CLUE, FULIANG, demo_engine
from web.demo import DEMO_PASSWORD

SHOTS = os.environ.get("KUAIBAN_SHOTS")  # a folder to save the pages' screenshots in


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def sent_back(server: Server) -> tuple[int, str]:
    """A clue proposed and sent back by 退回重拟: (case id, the redone proposal's task id)."""
    eng = server.engine
    case = eng.start("clue_triage", dict(CLUE, summary="审批窗口多次退回材料。"), "intake").id
    propose = next(t.id for t in eng.instance(case).tasks if t.name == "propose")
    eng.complete(propose, {"disposal": "转办", "handler_unit": FULIANG,
                           "proposal_reason": "建议转办。"}, "intake")
    approve = next(t.id for t in eng.instance(case).tasks if t.name == "approve")
    eng.complete(approve, {"approved": False, "approve_comment": "被反映单位登记有误。"},
                 "approver")
    return case, next(t.id for t in eng.instance(case).tasks if t.name == "propose")


def shot(pg: Any, name: str, part: str | None = None) -> None:
    """The page (or its element ``part``) saved as ``name``.png when KUAIBAN_SHOTS says where."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        path = str(Path(SHOTS) / f"{name}.png")
        if part is None:
            pg.screenshot(path=path, full_page=True)
        else:
            pg.locator(part).screenshot(path=path)


def test_the_clerk_corrects_the_registration_in_the_redone_proposal(page: Any,
                                                                    server: Server) -> None:
    case, redo = sent_back(server)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, server, "intake", DEMO_PASSWORD)
    page.goto(f"{server.url}/tasks/{redo}")
    assert page.input_value("[name=accused_unit]") == "浮梁县某局"
    assert page.input_value("[name=summary]") == "审批窗口多次退回材料。"
    assert page.input_value("[name=proposal_reason]") == "建议转办。"
    page.fill("[name=accused_unit]", "浮梁县自然资源局")
    shot(page, "redo-1366")
    page.click("button.primary:text-is('提交')")
    page.wait_for_url(server.url + "/")
    data = server.engine.instance(case).data
    assert (data["accused_unit"], data["summary"]) == ("浮梁县自然资源局", "审批窗口多次退回材料。")

    approve = next(t.id for t in server.engine.instance(case).tasks if t.name == "approve")
    sign_in(page, server, "approver", DEMO_PASSWORD)
    page.goto(f"{server.url}/tasks/{approve}")
    assert page.locator(".timeline .changed").all_inner_texts() == ["改动：被反映单位"]
    assert "原为：浮梁县某局" in page.inner_text("#previous-round")
    assert page.locator(".timeline small.was").all_inner_texts() == ["原为：浮梁县某局"]
    page.locator(".timeline .changed").scroll_into_view_if_needed()
    shot(page, "approve-1366")


def test_the_redone_proposal_and_its_approval_fit_a_phone(phone_page: Any,
                                                         server: Server) -> None:
    case, redo = sent_back(server)
    sign_in(phone_page, server, "intake", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/tasks/{redo}")
    assert phone_page.is_visible("#redo-fields [name=accused_unit]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(phone_page, "redo-390")
    shot(phone_page, "redo-390-fields", "#redo-fields")
    phone_page.fill("[name=accused_unit]", "浮梁县自然资源局")
    phone_page.click("button.primary:text-is('提交')")
    phone_page.wait_for_url(server.url + "/")
    approve = next(t.id for t in server.engine.instance(case).tasks if t.name == "approve")
    sign_in(phone_page, server, "approver", DEMO_PASSWORD)
    phone_page.goto(f"{server.url}/tasks/{approve}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(phone_page, "approve-390")
    shot(phone_page, "approve-390-round", "#previous-round")
