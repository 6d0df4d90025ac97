"""暂存 in real Chromium (CSRF on, the strict CSP watched): what is typed into a task's form
and saved with 暂存 is back after a reload, with when it was saved; 放弃暂存 asks first,
then the form shows the case's values again. The task stays open throughout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.test_ui_support import frozen, make_engine, start_case, task_of


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen()
    engine = make_engine(tmp_path, clock)
    yield from serve(engine, clock)


def test_type_save_reload_and_the_values_are_back(page: Any, server: Server) -> None:
    engine = server.engine
    start_case(engine)
    engine.complete(task_of(engine, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(engine, "wang", "approve")
    sign_in(page, server, "wang")
    page.goto(f"{server.url}/tasks/{approve}")
    page.fill("#f-comment", "初核意见：基本属实，待补充材料")
    page.click("#save-draft")  # 同意 is required and left blank: 暂存 does not mind
    page.wait_for_selector("#draft-notice", state="visible")
    assert "已恢复您于 2026-09-30 16:00 暂存的内容" in page.inner_text("#draft-notice")
    page.reload()
    page.wait_for_selector("#draft-notice", state="visible")
    assert page.input_value("#f-comment") == "初核意见：基本属实，待补充材料"
    assert engine.inbox.task(approve, "wang").status == "ready"
    page.goto(server.url + "/")
    assert page.inner_text(f"tr[data-task='{approve}'] .draft-tag") == "已暂存"

    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{server.url}/tasks/{approve}")
    page.click("#discard-draft button")
    page.wait_for_selector(".flash.success", state="visible")
    assert asked and "确定放弃吗" in asked[0]
    assert page.is_hidden("#draft-notice")
    assert page.input_value("#f-comment") == ""
    assert engine.drafts.get(approve, "wang") is None

    asked.clear()  # typed and neither submitted nor saved: leaving asks first
    page.type("#f-comment", "尚未暂存的意见")
    page.click("a.brand")
    page.wait_for_url(server.url + "/")
    assert [a.split(":")[0] for a in asked] == ["beforeunload"]
