"""Real-browser tests of what a wide diagram shows first (web/static/js/diagram-view.js): in the
modeler, the version page and the comparison of two versions, the widest shipped procedure
opens at a readable zoom, its pool's names clear of the modeler's palette, and the zoom buttons
and Shift 1 show the whole of it.

At a laptop's 1366×768. Skipped, with the reason, without /usr/bin/chromium, Playwright or the
npm packages, unless KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.definitions.validation import SourceFile
from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.test_browser_modeler import browser as browser  # the fixture: bpmn-js required
from tests.test_ui_support import frozen, make_engine
from web.ui.assets import ROOT as REPO

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC"}
READABLE = 0.8  # diagram-view.js: the smallest zoom that reads without effort


def width(path: Path) -> float:
    bounds = etree.parse(str(path)).iterfind(".//bpmndi:BPMNShape/dc:Bounds", DI)
    edges = [(float(b.get("x", 0)), float(b.get("x", 0)) + float(b.get("width", 0)))
             for b in bounds]
    return max(right for _, right in edges) - min(left for left, _ in edges)


WIDEST = max(sorted((REPO / "processes").glob("*.bpmn")), key=width)
POOLS = [str(p.get("id")) for p in etree.parse(str(WIDEST)).iterfind(f".//{{{BPMN}}}participant")]


def renamed(path: Path) -> tuple[str, str, str]:
    """The procedure with its first user task renamed (a second version to compare): the
    BPMN, the process key and the task's id."""
    tree = etree.parse(str(path))
    process = next(tree.iterfind(f".//{{{BPMN}}}process"))
    task = next(tree.iterfind(f".//{{{BPMN}}}userTask"))
    task.set("name", task.get("name", "") + "（改）")
    xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode()
    return xml, process.get("id", ""), task.get("id", "")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy_directory(REPO / "processes", REPO / "forms")
    xml, _, _ = renamed(WIDEST)
    engine.deploy([SourceFile(WIDEST.name, xml)])
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, viewport={"width": 1366, "height": 768}, locale="zh-CN") as pg:
        yield pg


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    """A screenshot to look at (pytest --basetemp=DIR keeps them in DIR)."""
    page.screenshot(path=str(tmp_path / f"{name}.png"))


def zoom(page: Any, diagram: str) -> float:
    """The zoom a diagram is drawn at, read from its viewport's transform."""
    return float(page.evaluate(
        "sel => document.querySelector(sel + ' .viewport').transform.baseVal"
        ".consolidate().matrix.a", diagram))


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def shape(page: Any, diagram: str, element_id: str) -> dict[str, float]:
    return box(page, f"{diagram} .djs-element[data-element-id={element_id}] .djs-visual")


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            and outer["y"] <= inner["y"]
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"])


def in_view(page: Any) -> list[float]:
    """The point of the diagram at the middle of the modeler's canvas right of its palette."""
    return list(page.evaluate("""() => {
        const container = window.kuaibanModeler.get('canvas').getContainer();
        const m = container.querySelector('.viewport').transform.baseVal.consolidate().matrix;
        const box = container.getBoundingClientRect();
        const palette = container.querySelector('.djs-palette').getBoundingClientRect();
        const x = (box.width + palette.right - box.left) / 2, y = box.height / 2;
        return [(x - m.e) / m.a, (y - m.f) / m.d];
    }"""))


def test_the_modeler_opens_a_wide_diagram_readable_and_clear_of_the_palette(
        page: Any, server: Server, tmp_path: Path) -> None:
    sign_in(page, server, "design")
    key = renamed(WIDEST)[1]
    page.goto(server.url + f"/designer/modeler/{key}/v1")
    page.wait_for_selector("#modeler[data-ready=true]")
    shoot(page, "modeler-first-view", tmp_path)
    scale = float(page.evaluate("window.kuaibanModeler.get('canvas').zoom()"))
    assert scale >= READABLE, scale
    assert zoom(page, "#modeler") == pytest.approx(scale)
    palette = box(page, "#modeler .djs-palette")
    canvas = box(page, "#modeler")
    assert POOLS
    for pool in POOLS:  # the pools' names (and so the lanes' beside them) are not under it
        assert shape(page, "#modeler", pool)["x"] > palette["x"] + palette["width"], pool
    # it opens at the top left: the first start event is in view, right of the palette
    start = page.evaluate("""() => window.kuaibanModeler.get('elementRegistry')
        .filter(e => e.type === 'bpmn:StartEvent').sort((a, b) => a.x - b.x)[0].id""")
    drawn = shape(page, "#modeler", start)
    assert inside(drawn, canvas) and drawn["x"] > palette["x"] + palette["width"]

    # 适应窗口 shows the whole diagram, still clear of the palette; 放大 and 缩小 step the zoom
    page.click("#zoom-controls [data-zoom=fit]")
    whole = zoom(page, "#modeler")
    assert whole < READABLE
    for pool in POOLS:
        drawn = shape(page, "#modeler", pool)
        assert inside(drawn, canvas) and drawn["x"] > palette["x"] + palette["width"]
    shoot(page, "modeler-fit", tmp_path)
    middle = in_view(page)
    page.click("#zoom-controls [data-zoom=in]")
    assert zoom(page, "#modeler") > whole
    # around the middle of what is in view right of the palette: the diagram does not slide
    # under the palette
    assert in_view(page) == pytest.approx(middle, abs=1)
    page.focus("#modeler svg")
    page.keyboard.press("Control+Equal")  # bpmn-js's own key, the same way
    assert in_view(page) == pytest.approx(middle, abs=1)
    page.click("#zoom-controls [data-zoom=fit]")
    page.click("#zoom-controls [data-zoom=out]")
    page.click("#zoom-controls [data-zoom=out]")
    smaller = zoom(page, "#modeler")
    assert smaller < whole
    # and from the keyboard, the canvas focused: Ctrl + (bpmn-js's own), Shift 1 the whole
    page.focus("#modeler svg")
    page.keyboard.press("Control+Equal")
    assert zoom(page, "#modeler") > smaller
    page.keyboard.press("Shift+Digit1")
    assert zoom(page, "#modeler") == pytest.approx(whole, rel=0.01)


def test_the_viewers_open_a_wide_diagram_readable(page: Any, server: Server,
                                                   tmp_path: Path) -> None:
    sign_in(page, server, "design")
    _, key, task = renamed(WIDEST)
    page.goto(server.url + f"/designer/processes/{key}/v1")  # no step to show: its top left
    page.wait_for_selector("#diagram[data-ready=true]")
    page.locator("#diagram").scroll_into_view_if_needed()
    shoot(page, "version-first-view", tmp_path)
    assert zoom(page, "#diagram") >= READABLE
    canvas = box(page, "#diagram")
    assert all(shape(page, "#diagram", pool)["x"] > canvas["x"]
               for pool in POOLS)
    # the modeler's zoom buttons: 放大, 缩小 and 适应窗口
    buttons = page.locator(".diagram-box [data-zoom]")
    assert [buttons.nth(n).text_content() for n in range(buttons.count())] == [
        "放大", "缩小", "适应窗口"]
    page.wait_for_selector(".diagram-box [data-zoom=in]", state="visible")
    opened = zoom(page, "#diagram")
    page.click(".diagram-box [data-zoom=in]")
    assert zoom(page, "#diagram") > opened
    page.click(".diagram-box [data-zoom=out]")
    page.click(".diagram-box [data-zoom=out]")
    assert zoom(page, "#diagram") < opened
    page.click(".diagram-box [data-zoom=fit]")
    whole = zoom(page, "#diagram")
    assert whole < READABLE
    page.focus("#diagram svg")  # the viewer has no zoom keys of its own: diagram-view.js's
    page.keyboard.press("Control+Equal")
    assert zoom(page, "#diagram") > whole
    page.keyboard.press("Shift+Digit1")
    assert zoom(page, "#diagram") == pytest.approx(whole, rel=0.01)

    # the comparison opens each version on what changed, at a readable zoom
    page.goto(server.url + f"/designer/modeler/{key}/diff?old=1&new=2")
    page.wait_for_selector("#diff[data-ready=true]")
    page.locator("#diff").scroll_into_view_if_needed()
    shoot(page, "diff-first-view", tmp_path)
    for side in ("#diff-old", "#diff-new"):
        assert zoom(page, side) >= READABLE, side
        assert inside(shape(page, side, task), box(page, side)), side
    page.uncheck("#sync-zoom")  # each version on its own (linked: tests/test_browser_diff_zoom.py)
    page.click("#diff-new >> xpath=.. >> [data-zoom=fit]")
    assert zoom(page, "#diff-new") < READABLE <= zoom(page, "#diff-old")
