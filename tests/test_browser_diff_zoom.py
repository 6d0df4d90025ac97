"""Real-browser tests of 图形对比's two panes moving together (web/static/js/diagram-view.js,
``link``): zooming or panning one version zooms or pans the other by the same factor and the
same distance on screen, until 同步缩放 is unticked.

Skipped, with the reason, without /usr/bin/chromium, Playwright or the npm packages, unless
KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.definitions.validation import SourceFile
from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.test_browser_modeler import DEMO
from tests.test_browser_modeler import browser as browser  # the fixture: bpmn-js required
from tests.test_ui_support import frozen, make_engine

OLD, NEW = "#diff-old", "#diff-new"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy([SourceFile("modeler_demo.bpmn", DEMO)])
    # v2 renames 审批 and draws it far to the right: each pane has it somewhere else
    edited = DEMO.replace('name="审批"', 'name="审批（修订）"', 1).replace(
        '<dc:Bounds x="450" y="245"', '<dc:Bounds x="1450" y="245"')
    assert edited.count("1450") == 1
    engine.deploy([SourceFile("modeler_demo.bpmn", edited)])
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with error_watched_page(browser, viewport={"width": 1366, "height": 900},
                            locale="zh-CN") as pg:
        sign_in(pg, server, "design")
        pg.goto(server.url + "/designer/modeler/modeler_demo/diff?old=1&new=2")
        pg.wait_for_selector("#diff[data-ready=true]")
        pg.locator("#diff").scroll_into_view_if_needed()
        yield pg


def view(page: Any, pane: str) -> tuple[float, float, float]:
    """(scale, x, y) of a pane's drawing on screen: a diagram point p shows at scale * p + x."""
    matrix = page.evaluate(
        "sel => { const m = document.querySelector(sel + ' .viewport').transform.baseVal"
        ".consolidate().matrix; return [m.a, m.e, m.f]; }", pane)
    return float(matrix[0]), float(matrix[1]), float(matrix[2])


def moved_alike(before: dict[str, tuple[float, float, float]],
                after: dict[str, tuple[float, float, float]], by: str) -> None:
    """The other pane moved as ``by`` did: the same factor, the same shift on screen."""
    (s0, x0, y0), (s1, x1, y1) = before[by], after[by]
    factor = s1 / s0
    other = NEW if by == OLD else OLD
    (t0, u0, v0), (t1, u1, v1) = before[other], after[other]
    assert t1 == pytest.approx(t0 * factor, rel=0.005)
    assert u1 == pytest.approx(factor * u0 + (x1 - factor * x0), abs=1.5)
    assert v1 == pytest.approx(factor * v0 + (y1 - factor * y0), abs=1.5)


def both(page: Any) -> dict[str, tuple[float, float, float]]:
    return {OLD: view(page, OLD), NEW: view(page, NEW)}


def zoom_buttons(pane: str) -> str:
    return f"{pane} >> xpath=.. >> "


def drag(page: Any, pane: str, dx: float, dy: float) -> None:
    box = page.locator(pane).bounding_box()
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def test_both_versions_open_on_one_view(page: Any) -> None:
    """What is drawn at the same place in both versions opens at the same place in both panes
    (each version's own fit would set 开始 and 提出处置意见 apart: v2 is wider), and what moved
    shows where it moved to."""
    assert view(page, OLD) == pytest.approx(view(page, NEW), abs=0.5)
    for element in ("start", "propose", "Lane_intake"):
        assert on_screen(page, OLD, element) == pytest.approx(
            on_screen(page, NEW, element), abs=1), element
    assert on_screen(page, OLD, "approve")[0] < on_screen(page, NEW, "approve")[0] - 500 * view(
        page, NEW)[0]
    assert in_view(page, NEW, "approve")  # the change it opens on


def on_screen(page: Any, pane: str, element: str) -> tuple[float, float, float, float]:
    """Where a pane shows an element, from the pane's own top left corner."""
    shape = page.locator(f"{pane} [data-element-id={element}]").bounding_box()
    box = page.locator(pane).bounding_box()
    return (shape["x"] - box["x"], shape["y"] - box["y"], shape["width"], shape["height"])


def test_zooming_or_panning_one_version_moves_the_other_alike(page: Any) -> None:
    assert page.is_checked("#sync-zoom") and page.is_visible("label.sync-zoom")
    assert "同步缩放" in page.inner_text("label.sync-zoom")
    before = both(page)
    page.click(zoom_buttons(OLD) + "[data-zoom=in]")
    after = both(page)
    assert after[OLD][0] > before[OLD][0] * 1.05  # the left one zoomed in
    moved_alike(before, after, OLD)
    before = after
    page.mouse.move(0, 0)
    box = page.locator(OLD).bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 200)  # Ctrl + wheel: zoom out around the pointer
    page.keyboard.up("Control")
    page.wait_for_function(
        "([sel, s]) => document.querySelector(sel + ' .viewport').transform.baseVal"
        ".consolidate().matrix.a < s", arg=[OLD, before[OLD][0]])
    after = both(page)
    moved_alike(before, after, OLD)
    before = after
    drag(page, NEW, -120, -40)  # the right one panned by hand
    after = both(page)
    assert after[NEW][1] == pytest.approx(before[NEW][1] - 120, abs=2)
    assert after[OLD][1] == pytest.approx(before[OLD][1] - 120, abs=2)
    assert after[OLD][2] == pytest.approx(before[OLD][2] - 40, abs=2)
    assert after[OLD][0] == pytest.approx(before[OLD][0])


def test_unticked_each_version_moves_alone_and_ticked_again_together(page: Any) -> None:
    page.uncheck("#sync-zoom")
    before = both(page)
    page.click(zoom_buttons(OLD) + "[data-zoom=in]")
    drag(page, OLD, 80, 30)
    after = both(page)
    assert after[OLD][0] > before[OLD][0] * 1.05 and after[OLD][1] != before[OLD][1]
    assert after[NEW] == before[NEW]  # the right one stayed where it was
    page.check("#sync-zoom")  # linked again from where each one is
    before = after
    page.click(zoom_buttons(NEW) + "[data-zoom=out]")
    after = both(page)
    assert after[NEW][0] < before[NEW][0]
    moved_alike(before, after, NEW)


def test_a_listed_change_brings_each_version_to_it_without_moving_the_other_twice(
        page: Any) -> None:
    """Clicking an element in the lists scrolls each pane to its own element (drawn elsewhere
    in each version); the other pane does not follow that scroll as well."""
    page.uncheck("#sync-zoom")
    page.click(zoom_buttons(OLD) + "[data-zoom=fit]")  # 审批 in view on the left
    drag(page, NEW, 500, 0)  # and out of view on the right
    assert not in_view(page, NEW, "approve")
    page.check("#sync-zoom")
    before = view(page, OLD)
    page.click("#diff-changed h3[data-element=approve]")
    assert in_view(page, NEW, "approve")
    assert view(page, OLD) == pytest.approx(before, abs=0.5)  # the left one stayed
    assert in_view(page, OLD, "approve")


def in_view(page: Any, pane: str, element: str) -> bool:
    shape = page.locator(f"{pane} [data-element-id={element}]").bounding_box()
    box = page.locator(pane).bounding_box()
    return bool(box["x"] <= shape["x"] and shape["x"] + shape["width"] <= box["x"] + box["width"]
                and box["y"] <= shape["y"]
                and shape["y"] + shape["height"] <= box["y"] + box["height"])
