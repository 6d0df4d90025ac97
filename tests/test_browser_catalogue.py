"""Real-browser test of a catalogue choice (``x-catalogue``, js/catalogue.js) on the 中介线索's
分类 page: picking another 中介服务事项 shows that item's details and moves the proposed 责任单位
along; with no item the details are hidden. Skipped like tests/test_browser.py without
Chromium or Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.process_helpers import load_units
from tests.test_process_intermediary_clue import REPORT, clue_files
from tests.test_ui_support import PASSWORD, frozen, make_engine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy(clue_files())
    engine.add_user("qiye_b", ["enterprise"], unit="景德镇某建材有限公司", password=PASSWORD)
    engine.add_user("zhuanban_b", ["data_bureau"], password=PASSWORD)
    load_units(engine)
    yield from serve(engine, clock)


def open_classify(page: Any, server: Server, case_id: int) -> None:
    [task] = [t for t in server.engine.instance(case_id).tasks if t.name == "classify"]
    server.engine.claim(task.id, "zhuanban_b")
    sign_in(page, server, "zhuanban_b")
    page.goto(f"{server.url}/tasks/{task.id}")
    page.wait_for_selector("form.schema-form")


def test_picking_another_item_refreshes_its_details_and_the_proposed_unit(
        page: Any, server: Server) -> None:
    case = server.engine.start("intermediary_clue", {**REPORT, "intermediary_item": "ZJ-001"},
                               "qiye_b")
    open_classify(page, server, case.id)
    assert not page.is_visible("#f-responsible_unit")  # asked with 受理 only
    page.select_option("#f-classify_decision", "accept")
    assert page.input_value("#f-item_name") == "建设工程施工图设计文件审查"
    assert page.input_value("#f-responsible_unit") == "市住建局"
    page.select_option("#f-intermediary_item", "ZJ-008")
    assert page.input_value("#f-item_name") == "涉路工程安全技术评价"
    assert page.input_value("#f-item_dept") == "市交通运输局"
    assert page.input_value("#f-responsible_unit") == "市交通运输局"  # the proposal follows
    page.fill("#f-responsible_unit", "浮梁县")  # a unit the clerk chose stays
    page.select_option("#f-intermediary_item", "ZJ-001")
    assert page.input_value("#f-responsible_unit") == "浮梁县"
    assert page.input_value("#f-item_name") == "建设工程施工图设计文件审查"
    page.select_option("#f-intermediary_item", "")
    assert not page.is_visible("#f-item_name") and not page.is_visible("#f-item_days")


def test_without_an_item_no_empty_details_are_shown(page: Any, server: Server) -> None:
    case = server.engine.start("intermediary_clue", REPORT, "qiye_b")
    open_classify(page, server, case.id)
    for name in ("item_name", "item_charged", "item_days"):
        assert not page.is_visible(f"#f-{name}"), name
    page.select_option("#f-intermediary_item", "ZJ-004")
    assert page.is_visible("#f-item_name") and page.input_value("#f-item_days") == "7"
    assert page.input_value("#f-responsible_unit") == ""  # nothing was proposed: not filled
