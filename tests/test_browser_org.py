"""Two counties side by side in a real browser: each county's 受理员 registers a clue and sees
only their own in the inbox; a typo in the 承办部门 picker is refused beside the field with the
closest directory entries, and a unit picked from the list goes through. The 专人管理 picker
offers the county's own people by name and username and refuses anyone else beside the
field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import page as page  # the fixture
from tests.process_helpers import PROCESSES, clue_files
from tests.test_ui_support import PASSWORD, frozen

FULIANG, LEPING = "浮梁县纪委监委", "乐平市纪委监委"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = Engine(f"sqlite:///{tmp_path / 'org.db'}", clock=clock)
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    for name, unit in (("intake_fl", FULIANG), ("intake_lp", LEPING)):
        engine.add_user(name, ["intake"], unit=unit, password=PASSWORD, display_name=name)
    engine.add_user("cm_fl", ["case_manager"], unit=FULIANG, display_name="周敏")
    engine.add_user("cm_lp", ["case_manager"], unit=LEPING, display_name="何静")
    yield from serve(engine, clock)


def register(page: Any, server: Server, summary: str, owner: str) -> str:
    """Register a clue from the start form (``owner``: the 专人's username); its case
    number."""
    page.goto(server.url + "/start/clue_triage")
    page.select_option("#f-channel", "举报直通车")
    page.fill("#f-received_at", "2026-09-30T09:12")
    page.check("input[name=anonymous][value=true]")
    page.fill("#f-accused_unit", "某县行政审批局")
    page.select_option("#f-problem_type", "推诿拖延刁难")
    page.fill("#f-summary", summary)
    page.fill("#f-owner", owner)
    page.click("form.schema-form button:text-is('提交')")
    page.wait_for_url("**/tasks/**")  # straight to the intake's proposal
    found = re.search(r"ZF-2026-\d{6}", page.inner_text("main"))
    assert found is not None
    return found.group(0)


def inbox(page: Any, server: Server) -> str:
    page.goto(server.url + "/")
    return str(page.inner_text("main"))


def test_two_counties_never_see_each_other_s_clues(page: Any, server: Server) -> None:
    sign_in(page, server, "intake_fl")
    fuliang = register(page, server, "浮梁的线索", "cm_fl")
    # the picker offers the directory's handler units (each with its other names to search)
    options = page.eval_on_selector_all("#f-handler_unit-units option",
                                        "os => os.map(o => o.value)")
    assert FULIANG in options and LEPING in options and "市财政局" not in options
    page.select_option("#f-disposal", "转办")
    page.fill("#f-handler_unit", "乐平纪委监委")  # a typo
    page.fill("#f-proposal_reason", "可查性强")
    page.click("form.schema-form button:text-is('提交')")
    error = page.inner_text(".field-error")
    assert "单位名录中没有“乐平纪委监委”" in error and LEPING in error
    page.fill("#f-handler_unit", LEPING)
    page.click("form.schema-form button:text-is('提交')")
    page.wait_for_url(server.url + "/")

    sign_in(page, server, "intake_lp")
    leping = register(page, server, "乐平的线索", "cm_lp")
    assert leping in inbox(page, server) and fuliang not in inbox(page, server)
    page.goto(server.url + "/instances/" + str(server.engine.instance_ids()[0]))
    assert fuliang not in page.inner_text("body")  # the other county's case is not there

    sign_in(page, server, "intake_fl")
    assert leping not in inbox(page, server)


def test_the_owner_is_picked_from_the_county_s_people(page: Any, server: Server) -> None:
    sign_in(page, server, "intake_fl")
    page.goto(server.url + "/start/clue_triage")
    options = page.eval_on_selector_all(
        "#f-owner-users option", "os => os.map(o => [o.value, o.textContent])")
    # by name and unit, as the picker fills it in: no username
    assert [f"周敏（{FULIANG}）", ""] in options
    assert not [value for value, _ in options if "cm_" in value]
    assert "何静" not in str(options)  # the other county's
    page.select_option("#f-channel", "举报直通车")
    page.fill("#f-received_at", "2026-09-30T09:12")
    page.check("input[name=anonymous][value=true]")
    page.fill("#f-accused_unit", "某县行政审批局")
    page.select_option("#f-problem_type", "推诿拖延刁难")
    page.fill("#f-summary", "专人管理")
    page.fill("#f-owner", f"周敏（{FULIANG}）")  # as picked: the name and unit of one offered
    page.click("form.schema-form button:text-is('提交')")
    page.wait_for_url("**/tasks/**")
    assert server.engine.instance(server.engine.instance_ids()[0]).data["owner"] == "cm_fl"
