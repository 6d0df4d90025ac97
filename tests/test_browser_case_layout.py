"""A task page's case at both widths in real Chromium (1366 px and a 390 px phone): a table
wider than the 案件信息 panel shows that it scrolls sideways (a shadow on the edge with more,
the hint 左右滑动查看); an amount, a date or a code in 办理经过 is never broken in the middle; the
diagram's hint names the gestures the screen has (a touch screen's two fingers, not Ctrl), and
two fingers do move and pinch it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.process_helpers import load_units
from tests.test_process_subsidies import GXJ, THREE, payout_for, subsidy_files
from tests.test_ui_support import PASSWORD, frozen, make_engine

INFO = "section.card:has(> h2:text-is('案件信息'))"
HISTORY = "section.card:has(> h2:text-is('办理经过'))"
# the text pieces of the value, one per line it takes
LINES = """dd => { const range = document.createRange(); range.selectNodeContents(dd);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A 免申即享 batch of three enterprises confirmed, the first payout done; ``gxj`` holds
    the other two."""
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy(subsidy_files())
    load_units(engine)
    engine.add_user("gxj", ["policy_dept"], unit=GXJ, password=PASSWORD)
    engine.start("subsidy_automatic", {"policy_id": "MS-001", "batch_note": "2026年第3批"},
                 "gxj")
    [confirm] = [t for t in engine.inbox.for_user("gxj") if t.name == "confirm_enterprises"]
    engine.complete(confirm.id, {"enterprises": THREE,
                                 "confirmation_basis": "统计部门共享的2026年新入规企业名单"}, "gxj")
    paid = next(t for t in engine.inbox.for_user("gxj")
                if THREE[2]["name"] in t.title)  # 80,000.50
    enterprise = engine.task_data(paid.id, "gxj")["enterprise"]
    engine.complete(paid.id, payout_for(enterprise, "2026-09-30", "PZ-2026-0930-000123456"),
                    "gxj")
    yield from serve(engine, clock)


def open_payout(page: Any, server: Server) -> None:
    task = next(t for t in server.engine.inbox.for_user("gxj") if t.name == "pay_enterprise")
    sign_in(page, server, "gxj")
    page.goto(f"{server.url}/tasks/{task.id}")
    page.wait_for_selector("#diagram[data-ready=true]")


def test_on_a_phone(browser: Any, server: Server) -> None:
    with error_watched_page(browser, viewport={"width": 390, "height": 844}, locale="zh-CN",
                            is_mobile=True, has_touch=True) as page:
        open_payout(page, server)
        # the enterprises run off the panel's right edge: it says so
        frame = page.locator(f"{INFO} .grid-frame")
        assert page.is_visible(f"{INFO} .scroll-hint")
        assert page.inner_text(f"{INFO} .scroll-hint") == "表格较宽，左右滑动查看"
        assert frame.evaluate("f => [...f.classList]") == ["grid-frame", "watched", "more-right"]
        shadow = frame.evaluate("f => getComputedStyle(f, '::after').opacity")
        assert shadow == "1"
        frame.locator(".grid-scroll").evaluate("box => box.scrollLeft = box.scrollWidth")
        page.wait_for_function("f => f.classList.contains('more-left') && "
                               "!f.classList.contains('more-right')", arg=frame.element_handle())

        # 办理经过: the payout's amount, date and codes each on one line
        page.locator(f"{HISTORY} details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        values = page.locator(f"{HISTORY} dl.data-entries dd")
        shown = {values.nth(n).inner_text(): values.nth(n).evaluate(LINES)
                 for n in range(values.count())}
        for value in ("91360200MA35A00034", "80,000.50", "2026-09-30",
                      "PZ-2026-0930-000123456"):
            assert shown[value] == 1, (value, shown)

        # the diagram's hint is a touch screen's, and two fingers pinch the diagram
        assert page.is_hidden(".legend .mouse-help")
        hint = page.inner_text(".legend .touch-help")
        assert "双指" in hint and "Ctrl" not in hint
        box = page.locator("#diagram").bounding_box()
        page.evaluate("y => window.scrollTo(0, y)", box["y"] - 100)
        box = page.locator("#diagram").bounding_box()
        before = zoom(page)
        page.context.new_cdp_session(page).send("Input.synthesizePinchGesture", {
            "x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2,
            "scaleFactor": 2.0, "gestureSourceType": "touch"})
        page.wait_for_function(f"() => {ZOOM} > {before} * 1.5")


def test_at_1366(browser: Any, server: Server) -> None:
    with error_watched_page(browser, viewport={"width": 1366, "height": 900},
                            locale="zh-CN") as page:
        open_payout(page, server)
        # the same table fits the panel here: no shadow, no hint
        assert page.is_hidden(f"{INFO} .scroll-hint")
        frame = page.locator(f"{INFO} .grid-frame")
        assert frame.evaluate("f => [...f.classList]") == ["grid-frame", "watched"]
        assert page.is_visible(".legend .mouse-help") and page.is_hidden(".legend .touch-help")
        assert "Ctrl" in page.inner_text(".legend .mouse-help")
        # a narrower window squeezes the panel: the hint comes without a reload
        page.set_viewport_size({"width": 900, "height": 900})
        page.wait_for_selector(f"{INFO} .scroll-hint", state="visible")


ZOOM = ("document.querySelector('#diagram svg .viewport').transform.baseVal"
        ".consolidate().matrix.a")


def zoom(page: Any) -> float:
    return float(page.evaluate(f"() => {ZOOM}"))
