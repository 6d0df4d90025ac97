"""Real-browser test of fields that follow a choice (js/branches.js) on the 即申即享 approval:
审核不通过 brings 不予兑现原因 (starred 必填) and takes 核定兑现金额 away, and the case is
decided without the amount typed before; without scripts every field shows. Skipped like
tests/test_browser.py without Chromium or Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.process_helpers import load_units, task
from tests.test_process_subsidies import application, subsidy_files
from tests.test_ui_support import PASSWORD, frozen, make_engine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy(subsidy_files())
    engine.add_user("swj", ["policy_dept"], unit="市商务局", password=PASSWORD)
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    load_units(engine)
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, viewport={"width": 1280, "height": 900},
                            locale="zh-CN") as pg:
        yield pg


def open_approval(page: Any, server: Server) -> int:
    case = server.engine.start("subsidy_instant", application("JS-002"), "qiye")
    approve = task(server.engine, "swj", "approve", instance_id=case.id)
    sign_in(page, server, "swj")
    page.goto(f"{server.url}/tasks/{approve.id}")
    page.wait_for_selector("form.schema-form")
    return case.id


def test_rejecting_brings_the_reason_and_takes_the_amount_away(page: Any,
                                                               server: Server) -> None:
    case = open_approval(page, server)
    assert page.is_visible("#f-decision") and page.is_visible("#f-opinion")
    for name in ("approved_amount", "reject_reason", "policy_explanation"):
        assert not page.is_visible(f"#f-{name}"), name  # 审批结果 first
    page.select_option("#f-decision", "approve")
    assert page.is_visible("#f-approved_amount") and not page.is_visible("#f-reject_reason")
    assert page.is_visible("[data-field=approved_amount] .req")  # 必填 with 审核通过
    page.fill("#f-approved_amount", "36000")
    page.select_option("#f-decision", "reject")
    page.wait_for_selector("#f-reject_reason", state="visible")
    assert not page.is_visible("#f-approved_amount")
    assert page.is_visible("#f-policy_explanation")
    assert page.is_visible("[data-field=reject_reason] .req")
    assert not page.is_visible("[data-field=policy_explanation] .req")  # optional
    page.fill("#f-reject_reason", "不符合该政策的享受对象条件，不予兑现。")
    page.click("form.schema-form button.primary")
    page.wait_for_url(lambda url: "/tasks/" not in url)
    data = server.engine.instance(case).data
    assert data["outcome"] == "不予兑现" and "approved_amount" not in data
    assert data["reject_reason"] == "不符合该政策的享受对象条件，不予兑现。"


def test_without_scripts_every_field_shows(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        open_approval(page, server)
        for name in ("decision", "approved_amount", "opinion", "reject_reason",
                     "policy_explanation"):
            assert page.is_visible(f"#f-{name}"), name
        assert not page.is_visible("[data-field=reject_reason] .req")  # not always required
    finally:
        context.close()
