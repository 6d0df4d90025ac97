"""Real-browser tests of what the diagram of a case, a task and a step gone back to (time
travel) shows first (web/static/js/diagram.js, web/static/js/diagram-view.js): always at a
readable zoom (0.8 or more), the case's step in view; the pool's left edge, with the names of
its lanes (the roles), in view too when the step is near it; a procedure whose lanes fit the
canvas's height at 100 %; a finished case at its start. On a 390 px phone the step wins.

On the demo's cases: 问题线索受理处置 (clue_triage, the widest procedure) at 提出处置意见 (near
its left edge) and at 结果运用 (far right); 免申即享 (subsidy_automatic, a short one) at its
first task; a finished 即申即享 (subsidy_instant). Screenshots go to the test's tmp_path
(pytest --basetemp=DIR keeps them). Skipped, with the reason, without /usr/bin/chromium,
Playwright or the npm packages, unless KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.demo_support import demo_engine
from tests.test_browser_modeler import browser as browser  # the fixture: bpmn-js required
from web.demo import DEMO_PASSWORD

READABLE = 0.8
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
# the demo's cases (tests/demo_support.py)
FAR = 1  # clue_triage at 结果运用, in the sub-process far right
NEAR = 3  # clue_triage at 提出处置意见, near the left edge
APPROVE = 5  # clue_triage at 审批处置意见, a little further right
SHORT_PROCEDURE_DONE = 7  # subsidy_instant, finished here


@dataclass
class Cases:
    server: Server
    short: int  # subsidy_automatic at 核定符合条件的企业


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cases]:
    engine, clock = demo_engine(tmp_path_factory.mktemp("first-view"))
    record = next(t for t in engine.inbox.for_user("data_bureau") if t.name == "record_result")
    assert record.instance_id == SHORT_PROCEDURE_DONE
    engine.complete(record.id, {"recorded": True}, "data_bureau")
    short = engine.start("subsidy_automatic", {"policy_id": "MS-001",
                                               "batch_note": "2026年第3批"}, "policy_gx").id
    served = serve(engine, clock)
    yield Cases(next(served), short)
    served.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, viewport=DESKTOP, locale="zh-CN") as page:
        yield page


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    size = {"width": PHONE["width"], "height": PHONE["height"]}
    with error_watched_page(browser, viewport=size, locale="zh-CN", is_mobile=True,
                            has_touch=True) as page:
        yield page


def opened(page: Any, server: Server, user: str, path: str, shot: Path) -> float:
    """Open ``path`` as ``user``, the diagram scrolled into the window; its zoom."""
    sign_in(page, server, user, DEMO_PASSWORD)
    page.goto(server.url + path)
    page.wait_for_selector("#diagram[data-ready=true]")
    page.locator("#diagram").scroll_into_view_if_needed()
    page.locator(".diagram-box").screenshot(path=str(shot))
    return float(page.evaluate("document.querySelector('#diagram .viewport').transform"
                               ".baseVal.consolidate().matrix.a"))


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def drawn(page: Any, element_id: str) -> dict[str, float]:
    return box(page, f"#diagram .djs-element[data-element-id={element_id}] .djs-visual")


def label(page: Any, lane: str) -> dict[str, float]:
    """Where a lane's (or pool's) name is written, down its left edge."""
    return box(page, f"#diagram .djs-element[data-element-id={lane}] > .djs-visual > text")


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            and outer["y"] <= inner["y"]
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"])


def test_a_step_near_the_start_opens_with_the_lane_names(cases: Cases, desktop: Any,
                                                         tmp_path: Path) -> None:
    server = cases.server
    scale = opened(desktop, server, "intake", f"/instances/{NEAR}", tmp_path / "near.png")
    canvas = box(desktop, "#diagram")
    assert scale >= READABLE, scale
    assert inside(drawn(desktop, "propose"), canvas)
    # the pool's left edge: its name and its lanes' names (the step's 受理员 among them)
    assert canvas["x"] <= drawn(desktop, "Participant_clue_triage")["x"]
    assert inside(label(desktop, "Participant_clue_triage"), canvas)
    assert inside(label(desktop, "Lane_intake"), canvas)

    # 适应窗口 still shows the whole procedure, smaller than readable
    desktop.click(".diagram-box [data-zoom=fit]")
    whole = float(desktop.evaluate("document.querySelector('#diagram .viewport').transform"
                                   ".baseVal.consolidate().matrix.a"))
    assert whole < READABLE
    assert inside(drawn(desktop, "Participant_clue_triage"), canvas)
    assert inside(drawn(desktop, "Participant_clue_ledger_copy"), canvas)

    # its task page (a lower canvas) and the step gone back to (审批处置意见, 分管领导's)
    task = next(t for t in server.engine.inbox.for_user("intake")
                if t.instance_id == NEAR and t.name == "propose")
    scale = opened(desktop, server, "intake", f"/tasks/{task.id}", tmp_path / "task.png")
    canvas = box(desktop, "#diagram")
    assert scale >= READABLE, scale
    assert inside(drawn(desktop, "propose"), canvas)
    assert inside(label(desktop, "Lane_intake"), canvas)
    scale = opened(desktop, server, "handler_fl", f"/instances/{FAR}?at=2",
                   tmp_path / "travel.png")
    canvas = box(desktop, "#diagram")
    assert scale >= READABLE, scale
    assert inside(drawn(desktop, "approve"), canvas)
    assert inside(label(desktop, "Lane_approver"), canvas)


def test_a_narrower_window_zooms_out_a_little_for_the_lane_names(
        cases: Cases, browser: Any, tmp_path: Path) -> None:
    """At 800 px 审批处置意见 and the pool's left edge fit side by side only below the 0.85 a
    tall pool opens at: a little smaller, still readable, both in view."""
    with error_watched_page(browser, viewport={"width": 800, "height": 768},
                            locale="zh-CN") as page:
        scale = opened(page, cases.server, "approver_fl", f"/instances/{APPROVE}",
                       tmp_path / "narrow.png")
        canvas = box(page, "#diagram")
        assert READABLE <= scale < 0.85, scale
        assert inside(drawn(page, "approve"), canvas)
        assert inside(label(page, "Lane_approver"), canvas)


def test_a_step_far_right_wins_over_the_lane_names(cases: Cases, desktop: Any,
                                                   tmp_path: Path) -> None:
    scale = opened(desktop, cases.server, "handler_fl", f"/instances/{FAR}",
                   tmp_path / "far.png")
    canvas = box(desktop, "#diagram")
    assert scale >= READABLE, scale
    # the step, not the sub-process around it (wider than the canvas) nor its boundary events
    assert inside(drawn(desktop, "outcome"), canvas)
    assert drawn(desktop, "Participant_clue_triage")["x"] < canvas["x"]


def test_a_short_procedure_opens_at_full_size_its_lanes_whole(cases: Cases, desktop: Any,
                                                              tmp_path: Path) -> None:
    scale = opened(desktop, cases.server, "policy_gx", f"/instances/{cases.short}",
                   tmp_path / "short.png")
    canvas = box(desktop, "#diagram")
    assert scale == pytest.approx(1)  # its two lanes fit the canvas's height at 100 %
    assert inside(drawn(desktop, "confirm_enterprises"), canvas)
    for lane in ("Lane_policy_dept", "Lane_data_bureau"):
        assert inside(label(desktop, lane), canvas), lane
    pool = drawn(desktop, "Participant_subsidy_automatic")
    assert canvas["y"] <= pool["y"] and pool["y"] + pool["height"] <= canvas["y"] + canvas["height"]


def test_a_finished_case_opens_at_its_start(cases: Cases, desktop: Any, tmp_path: Path) -> None:
    scale = opened(desktop, cases.server, "data_bureau", f"/instances/{SHORT_PROCEDURE_DONE}",
                   tmp_path / "finished.png")
    canvas = box(desktop, "#diagram")
    assert desktop.locator("#diagram .djs-element.kb-active").count() == 0
    assert scale >= READABLE, scale
    assert inside(drawn(desktop, "start_online"), canvas)
    assert inside(label(desktop, "Participant_subsidy_instant"), canvas)


def test_on_a_phone_the_step_wins(cases: Cases, phone: Any, tmp_path: Path) -> None:
    server = cases.server
    for user, case, step in (("handler_fl", FAR, "outcome"), ("intake", NEAR, "propose"),
                             ("policy_gx", cases.short, "confirm_enterprises")):
        scale = opened(phone, server, user, f"/instances/{case}", tmp_path / f"phone-{step}.png")
        assert scale >= READABLE, (step, scale)
        assert inside(drawn(phone, step), box(phone, "#diagram")), step
