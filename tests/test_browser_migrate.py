"""Moving a version's running cases to the newest version in a real browser (Chromium through
Playwright, a real server with CSRF on and the strict content security policy): from the
versions page to the preview, which names the case that cannot move and why, then the
confirmation; the moved case goes on along the new version and `kuaiban verify` finds every
audit chain whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.test_ui_support import frozen, make_engine
from tests.test_ui_versions import cases_on_v1, deploy_v2, open_task


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    yield from serve(make_engine(tmp_path, clock), clock)


def test_a_designer_previews_and_moves_the_cases_of_an_old_version(
        page: Any, server: Server, tmp_path: Path) -> None:
    eng = server.engine
    at_propose, at_approve = cases_on_v1(eng)
    deploy_v2(eng)
    sign_in(page, server, "design")
    page.goto(f"{server.url}/designer/processes/approval")
    assert page.inner_text("#v2 .deployer") == "邓设计"
    assert page.inner_text("#v1 .deployer") == "—"
    assert (page.inner_text("#v1 .open-cases"), page.inner_text("#v1 .finished-cases")) == (
        "2", "1")
    page.click("#migrate-link")
    page.select_option("select[name=from_version]", "1")
    page.click("#migrate-preview button[value=preview]")
    refused = page.locator(f"#outcomes tr[data-instance='{at_approve}']")
    assert "不能迁移" in refused.inner_text() and "类型已改变" in refused.inner_text()
    assert "可以迁移" in page.inner_text(f"#outcomes tr[data-instance='{at_propose}']")
    assert eng.instance(at_propose).version == 1  # a preview moves nothing
    page.click("#migrate-confirm button")
    assert "已迁移 1 个案件，1 个案件不能迁移。" in page.inner_text(".flash")
    assert "已迁移" in page.inner_text(f"#outcomes tr[data-instance='{at_propose}']")
    assert (eng.instance(at_propose).version, eng.instance(at_approve).version) == (2, 1)
    page.goto(f"{server.url}/designer/processes/approval")
    assert page.inner_text("#v2 .open-cases") == "1"
    # the moved case goes on along version 2: approved by the system, on to 核查
    eng.complete(open_task(eng, at_propose), {"proposal": "转办"}, "li")
    assert [t.name for t in eng.instance(at_propose).tasks] == ["handle"]
    verified = CliRunner().invoke(main, ["verify"], env={
        "KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'ui.db'}"})
    assert verified.exit_code == 0, verified.output
    assert "3 instance(s) checked, 0 broken" in verified.output
