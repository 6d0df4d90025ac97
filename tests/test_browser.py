"""Real-browser tests: Playwright's sync API driving Debian's Chromium against a real server
(werkzeug on 127.0.0.1, a thread) on a temp SQLite database with a frozen clock.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing, unless
KUAIBAN_REQUIRE_BROWSER=1 (then they fail). ``KUAIBAN_SCREENSHOTS=1`` writes the screenshots
to docs/screenshots/ (scripts/screenshots does that); otherwise they go to a temp folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.browser_support import Server, serve, sign_in, unavailable
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.conftest import DIAGRAMS
from tests.demo_support import APPLICATION
from tests.test_ui_support import FULIANG, LEPING, frozen, make_engine
from web.demo import DEMO_PASSWORD, create_demo_users
from web.ui.assets import ROOT as REPO

SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWER = REPO / "node_modules" / "bpmn-js" / "dist" / "bpmn-navigated-viewer.production.min.js"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    yield from serve(make_engine(tmp_path, clock), clock)


def open_task(page: Any, title: str) -> None:
    page.click(f"#inbox a:text-is('{title}')")
    page.wait_for_selector("form.schema-form")


# -- the flows -----------------------------------------------------------------------------

def test_register_approve_and_transfer_to_the_handler_unit(page: Any, server: Server) -> None:
    sign_in(page, server, "li")
    page.click("nav.main >> text=发起")
    page.click("text=测试审批")
    page.fill("#f-summary", "窗口推诿，企业三次往返")
    page.fill("#f-unit", FULIANG)
    page.click("button:text-is('提交')")
    page.wait_for_url("**/tasks/**")  # straight to the intake's next task
    assert "TS-2026-000001" in page.inner_text("main")
    page.select_option("#f-proposal", "转办")
    page.click("button:text-is('提交')")
    page.wait_for_url(server.url + "/")
    assert "已提交" in page.inner_text(".flash")

    sign_in(page, server, "wang")
    assert "TS-2026-000001" in page.inner_text("#inbox")
    open_task(page, "审批")
    page.check("input[name=approved][value=true]")
    page.fill("#f-comment", "同意转办")
    page.click("button:text-is('提交')")
    page.wait_for_url(server.url + "/")

    sign_in(page, server, "zhao")  # 浮梁县纪委监委
    row = page.locator("#inbox tr.task", has_text="TS-2026-000001")
    assert row.count() == 1
    assert "核查" in row.inner_text() and "剩余 1 个工作日" in row.inner_text()
    row.locator("button:text-is('认领')").click()
    page.wait_for_selector("text=已认领")
    assert "zhao" in page.locator("#inbox tr.task", has_text="TS-2026-000001").inner_text()

    sign_in(page, server, "qian")  # 乐平市纪委监委: not theirs
    assert "TS-2026-000001" not in page.inner_text("main")
    assert "没有符合条件的待办事项" in page.inner_text("main")


def test_overdue_task_with_a_frozen_clock(page: Any, server: Server) -> None:
    engine = server.engine
    engine.start("approval", {"summary": "逾期测试", "unit": LEPING}, "li")
    task = engine.inbox.for_user("li")[0]
    engine.complete(task.id, {"proposal": "转办"}, "li")
    engine.complete(engine.inbox.for_user("wang")[0].id, {"approved": True}, "wang")
    server.clock.advance(timedelta(days=10))  # 2026-10-10 (调休 Saturday) 10:00
    sign_in(page, server, "qian")
    row = page.locator("#inbox tr.task", has_text="TS-2026-000001")
    assert "overdue" in (row.get_attribute("class") or "")
    assert "已超期 2 个工作日" in row.inner_text()  # due 10-08 17:30; 10-09, 10-10 worked
    assert page.inner_text("#count-overdue") == "1"
    page.click("nav.main a.sub:has-text('已超期')")
    assert "TS-2026-000001" in page.inner_text("#inbox")


def test_form_validation_errors_in_the_browser(page: Any, server: Server) -> None:
    sign_in(page, server, "li")
    page.goto(server.url + "/start/approval")
    page.fill("#f-unit", "乐平市纪委监委")
    page.click("button:text-is('提交')")
    error = page.locator(".field.has-error[data-field=summary] .field-error")
    assert error.inner_text() == "此项为必填项"
    assert page.input_value("#f-unit") == "乐平市纪委监委"  # kept
    assert "表单填写有误" in page.inner_text(".flash.error")


def test_designer_upload_error(page: Any, server: Server, tmp_path: Path) -> None:
    broken = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8").replace(
        'camunda:formKey="test_approve"', 'camunda:formKey="missing_form"')
    path = tmp_path / "approval.bpmn"
    path.write_text(broken, encoding="utf-8")
    sign_in(page, server, "design")
    page.click("nav.main >> text=流程设计")
    page.click("text=上传并校验 / 部署")
    page.set_input_files("#files", str(path))
    page.click("button[value=deploy]")
    problems = page.inner_text("#problems")
    assert "approval.bpmn" in problems and "missing_form" in problems
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if "missing_form" in x)
    assert str(line) in problems


# -- screenshots ---------------------------------------------------------------------------

@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    """The shipped procedures with demo users and a few cases in different states."""
    clock = frozen("2026-09-30T09:00:00+08:00")
    engine = Engine(f"sqlite:///{tmp_path / 'demo.db'}", clock=clock)
    create_demo_users(engine)
    engine.deploy_directory(REPO / "processes", REPO / "forms")
    _demo_cases(engine, clock)
    yield from serve(engine, clock)


CLUE = {"channel": "12345热线", "received_at": "2026-09-30T08:40:00+08:00",
        "accused_unit": "浮梁县某局", "accused_person": "某科长", "problem_type": "推诿拖延刁难",
        "summary": "企业办理施工许可，窗口以材料不全为由三次退回，未一次性告知。",
        "owner": "intake"}


def _demo_cases(engine: Engine, clock: FixedClock) -> None:
    def task(user: str, name: str) -> str:
        return next(t.id for t in engine.inbox.for_user(user) if t.name == name)

    engine.start("clue_triage", CLUE, "intake")
    proposal = {"disposal": "转办", "handler_unit": FULIANG,
                "proposal_reason": "属推诿拖延问题，转承办部门核查。"}
    engine.complete(task("intake", "propose"), proposal, "intake")
    approval = {"approved": True, "approve_comment": "同意，优先核查。"}
    engine.complete(task("approver", "approve"), approval, "approver")
    clock.advance(timedelta(hours=2))
    engine.start("clue_triage", dict(CLUE, channel="举报直通车", problem_type="吃拿卡要",
                                     summary="反映审批人员索要好处费。"), "intake")
    clock.advance(timedelta(hours=1))
    engine.start("clue_triage", dict(CLUE, channel="来信来访", problem_type="新官不理旧账",
                                     summary="招商引资奖励政策迟迟不兑现。"), "intake")


def _shoot(page: Any, name: str, tmp_path: Path) -> Path:
    folder = SCREENSHOTS if os.environ.get("KUAIBAN_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_screenshots(browser: Any, demo_server: Server, tmp_path: Path) -> None:
    if not VIEWER.is_file():
        unavailable("bpmn-js is not installed: run scripts/setup-frontend")
    server = demo_server
    server.clock.advance(timedelta(hours=5))  # 2026-09-30 15:00: the proposals are due today
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, server, "intake", DEMO_PASSWORD)
        assert page.locator("#inbox tr.task").count() >= 3
        shots = [_shoot(page, "inbox", tmp_path)]
        page.click("#inbox a:text-is('提出处置意见') >> nth=0")
        page.wait_for_selector("#diagram[data-ready=true]")
        assert page.locator(".djs-element.kb-current").count() == 1
        shots.append(_shoot(page, "task", tmp_path))
        page.click(".task-meta a")  # the case page
        page.wait_for_url("**/instances/**")
        wide = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN",
                                   device_scale_factor=2)
        page = wide.new_page()
        sign_in(page, server, "intake", DEMO_PASSWORD)
        page.goto(server.url + "/instances/1")  # the transferred case: a longer path
        page.wait_for_selector("#diagram[data-ready=true]")
        assert page.locator(".djs-element.kb-done").count() >= 3
        assert page.locator(".djs-element.kb-active").count() >= 1
        # a wide procedure opens on the case's open step at a readable size, not shrunk whole
        scale = page.evaluate("document.querySelector('#diagram .viewport')"
                              ".transform.baseVal.consolidate().matrix.a")
        assert scale >= 0.8, scale
        box = page.locator("#diagram").bounding_box()
        step = page.locator(".djs-element.kb-active").first.bounding_box()
        assert box is not None and step is not None
        assert box["x"] <= step["x"] and step["x"] + step["width"] <= box["x"] + box["width"]
        assert box["y"] <= step["y"] and step["y"] + step["height"] <= box["y"] + box["height"]
        diagram = page.locator(".diagram-box")
        folder = SCREENSHOTS if os.environ.get("KUAIBAN_SCREENSHOTS") == "1" else tmp_path
        diagram.screenshot(path=str(folder / "instance-diagram.png"))
        shots.append(folder / "instance-diagram.png")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                    device_scale_factor=2, is_mobile=True, has_touch=True)
        small = phone.new_page()
        sign_in(small, server, "intake", DEMO_PASSWORD)
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the inbox scrolls sideways on a phone ({width}px)"
        shots.append(_shoot(small, "inbox-phone", tmp_path))
        server.engine.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002"},
                            "enterprise")
        applicant = phone.new_page()  # 我的申请 at phone width: one card a case, numbers whole
        sign_in(applicant, server, "enterprise", DEMO_PASSWORD)
        applicant.goto(server.url + "/applications")
        number = applicant.locator("#applications td a").first
        line = float(number.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)"))
        box = number.bounding_box()
        assert box is not None and box["height"] < 1.5 * line, box
        # on a desktop a long refusal takes the 结果 column; times and numbers stay on one line
        approve = next(t for t in server.engine.inbox.for_user("policy_sw")
                       if t.name == "approve")
        server.engine.complete(approve.id, {
            "decision": "reject", "reject_reason": "未提供保费缴纳凭证。" * 12,
            "policy_explanation": "须已投保并实缴保费。" * 12}, "policy_sw")
        desk = context.new_page()
        sign_in(desk, server, "enterprise", DEMO_PASSWORD)
        desk.goto(server.url + "/applications")
        lines = ("e => { const r = document.createRange(); r.selectNodeContents(e);"
                 " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
        for cell in desk.locator("#applications td:nth-child(1), #applications td:nth-child(2) a,"
                                 " #applications td:nth-child(4)").all():
            assert cell.evaluate(lines) == 1, cell.inner_text()
        phone.close()
        wide.close()
        for shot in shots:
            assert shot.stat().st_size > 10_000, shot
    finally:
        context.close()
