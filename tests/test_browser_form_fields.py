"""The modeler's 字段 table (web/static/js/form-fields.js) in the real browser: a form's fields
edited as cells and as JSON text, each following the other, keywords the table does not edit
kept, and the form deployed. Debian's Chromium through Playwright against a real server with
CSRF on, as in tests/test_browser_modeler.py.

Skipped, with the reason, without /usr/bin/chromium, Playwright or the npm packages, unless
KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from engine.errors import InvalidData
from tests.browser_support import Server, error_watched_page
from tests.test_browser_modeler import browser as browser  # the fixtures
from tests.test_browser_modeler import (
    confirm_deploy,
    open_modeler,
    settled,
)
from tests.test_browser_modeler import server as server


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, viewport={"width": 1366, "height": 900},
                            locale="zh-CN") as pg:
        yield pg


def form_text(page: Any) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(page.input_value("#form-text"))
    return schema


def cell(name: str, column: str) -> str:
    return f"#form-fields tr[data-field={name}] [data-col={column}]"


def form_text_of(schema: dict[str, Any], comment: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the comment field as the table last left it."""
    return {**schema, "properties": {**schema["properties"], "comment": comment}}


def open_approval_form(page: Any, server: Server) -> None:
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    page.click("#form-list .form-name[data-form=test_approve]")
    page.wait_for_selector("#form-fields[data-state=ready] tr[data-field=comment]")


def test_a_required_choice_added_in_the_table_is_in_the_json_the_preview_and_the_deploy(
        page: Any, server: Server) -> None:
    open_approval_form(page, server)
    assert page.locator("#form-fields tbody tr").count() == 2

    page.click("#btn-add-field")
    added = "#form-fields tbody tr:last-child [data-col=name]"
    page.wait_for_selector(f"{added}:focus")
    page.fill(added, "decision")
    page.keyboard.press("Tab")  # the name is taken when the cell is left
    # and the keyboard is where Tab took it: typing goes into the 标题, not back into the name
    page.wait_for_selector(f'{cell("decision", "title")}:focus')
    page.keyboard.type("处理结果")
    assert page.input_value(cell("decision", "title")) == "处理结果"
    page.select_option(cell("decision", "kind"), "choice")
    page.check(cell("decision", "required"))
    page.fill(cell("decision", "options"), "转办\nreject = 不予受理\n")
    assert page.get_attribute(cell("decision", "options"), "aria-label") == "选项 · decision"
    # another type drops the options; back to 选择 (as arrow keys in the menu do) they return
    page.select_option(cell("decision", "kind"), "textarea")
    assert form_text(page)["properties"]["decision"] == {
        "type": "string", "x-widget": "textarea", "title": "处理结果"}
    page.select_option(cell("decision", "kind"), "choice")
    assert page.input_value(cell("decision", "options")) == "转办\nreject = 不予受理"

    schema = form_text(page)
    assert list(schema["properties"]) == ["approved", "comment", "decision"]
    assert schema["properties"]["decision"] == {
        "type": "string", "title": "处理结果",
        "oneOf": [{"const": "转办", "title": "转办"}, {"const": "reject", "title": "不予受理"}]}
    assert schema["required"] == ["approved", "decision"]
    page.wait_for_selector("#form-preview[data-state=ready] select#f-decision "
                           "option[value=reject]:text-is('不予受理')", state="attached")
    assert "处理结果" in page.inner_text("#form-preview")

    # the JSON edited by hand: the table follows, and marks what only the JSON edits
    schema["properties"]["comment"] = {"type": "string", "title": "意见", "maxLength": 200,
                                       "x-phrases": True}
    schema["properties"]["remark"] = {"type": "string", "title": "备注", "x-widget": "textarea"}
    page.fill("#form-text", json.dumps(schema, ensure_ascii=False, indent=2))
    page.wait_for_selector("#form-fields tr[data-field=remark][data-kind=textarea]")
    advanced = page.inner_text("#form-fields tr[data-field=comment] .field-advanced")
    assert "高级（仅在 JSON 中编辑）" in advanced and "x-phrases" in advanced
    assert page.locator("#form-fields tr[data-field=remark] .field-advanced").count() == 0

    # a table edit keeps the keywords it does not know
    page.fill(cell("comment", "title"), "审批意见")
    comment = form_text(page)["properties"]["comment"]
    assert comment == {"type": "string", "title": "审批意见", "maxLength": 200,
                       "x-phrases": True}

    # JSON that does not parse: the table says so and waits, read-only; nothing is lost
    broken = page.input_value("#form-text")[:-4]
    page.fill("#form-text", broken)
    page.wait_for_selector("#form-fields[data-state=broken] #form-fields-broken")
    assert page.is_disabled(cell("comment", "title"))
    assert page.is_disabled("#btn-add-field")
    assert page.input_value("#form-text") == broken
    page.fill("#form-text", json.dumps(form_text_of(schema, comment), ensure_ascii=False))
    page.wait_for_selector("#form-fields[data-state=ready]")
    assert page.is_enabled(cell("comment", "title"))

    # moved up, and a titled field removed after a confirmation
    page.click(cell("decision", "up"))
    page.wait_for_selector(f"{cell('decision', 'up')}:focus")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(cell("remark", "remove"))
    page.wait_for_selector(cell("remark", "remove"), state="detached")
    assert list(form_text(page)["properties"]) == ["approved", "decision", "comment"]

    settled(page, "ok")
    assert "test_approve" in confirm_deploy(page)
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "modeler_demo v2" in page.inner_text("#deploy-result")
    engine = server.engine
    engine.start("modeler_demo", {}, "li")
    engine.complete(engine.inbox.for_user("li")[0].id, {"proposal": "转办"}, "li")
    task = engine.inbox.for_user("wang")[0]
    with pytest.raises(InvalidData):  # 处理结果 is required now
        engine.complete(task.id, {"approved": True}, "wang")
    engine.complete(task.id, {"approved": True, "decision": "reject",
                              "comment": "不予受理"}, "wang")


def test_a_field_with_a_wrong_or_taken_name_is_not_renamed(page: Any, server: Server) -> None:
    open_approval_form(page, server)
    before = page.input_value("#form-text")
    page.fill(cell("comment", "name"), "approved")
    page.keyboard.press("Tab")
    problem = "#form-fields tr[data-field=comment] .field-problem"
    page.wait_for_selector(f"{problem}:text('已有同名字段')")
    page.fill(cell("comment", "name"), "2nd")
    page.keyboard.press("Tab")
    page.wait_for_selector(f"{problem}:text('字母')")
    assert page.input_value("#form-text") == before
    page.fill(cell("comment", "name"), "opinion")
    page.keyboard.press("Tab")
    page.wait_for_selector(cell("opinion", "name"))
    assert list(form_text(page)["properties"]) == ["approved", "opinion"]


def test_the_field_table_fits_a_laptop_and_a_phone(page: Any, server: Server) -> None:
    """No cell runs past the page at 1366 px, and at 390 px the table turns into cards
    without widening the page."""
    open_approval_form(page, server)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        wider = page.evaluate("() => document.documentElement.scrollWidth")
        assert wider <= width, (width, wider)
        box = page.locator("#form-fields").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_field_table_reads_in_english_on_an_english_page(page: Any, server: Server) -> None:
    open_approval_form(page, server)
    page.goto(server.url + "/lang/en?next=/designer/modeler/modeler_demo/v1")
    page.click("#switch-language")
    page.wait_for_selector("#modeler[data-ready=true]")
    page.click("#form-list .form-name[data-form=test_approve]")
    page.wait_for_selector("#form-fields[data-state=ready] tr[data-field=comment]")
    heads = page.locator("#form-fields th").all_inner_texts()
    assert heads == ["Field id", "Title", "Type", "Required", "Options", "Description",
                     "Actions"]
    assert page.get_attribute(cell("comment", "title"), "aria-label") == "Title · comment"
    assert page.input_value(cell("approved", "kind")) == "boolean"
    assert "Yes/no" in page.inner_text(cell("approved", "kind"))
    assert page.inner_text("#btn-add-field") == "Add a field"
