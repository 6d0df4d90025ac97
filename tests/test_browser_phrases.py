"""常用意见 in real Chromium (CSRF on, the strict CSP watched): a phrase added on the 常用意见 page
(from 个人信息) and one of the role's defaults, picked beside a comment field, are inserted at
the cursor, and the comment is submitted with the task; the picker reads the list afresh when
opened, so a phrase added or deleted in another tab (删除 asking first) is there at once; a
field's error is said under the field, above its picker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixtures
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.demo_support import demo_engine
from tests.test_phrases import deploy_phrased_approval
from tests.test_ui_support import FULIANG, frozen, make_engine, task_of
from web.demo import DEMO_PASSWORD


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen()
    engine = make_engine(tmp_path, clock)
    deploy_phrased_approval(engine)
    engine.start("approval", {"summary": "拖延办理营业执照", "unit": FULIANG}, "li")
    engine.complete(task_of(engine, "li", "propose"), {"proposal": "转办"}, "li")
    yield from serve(engine, clock)


def test_picking_a_phrase_puts_it_in_the_comment(page: Any, server: Server) -> None:
    task = task_of(server.engine, "wang", "approve")
    (case,) = {t.instance_id for t in server.engine.inbox.for_user("wang")}
    sign_in(page, server, "wang")
    page.click("#profile-link")
    page.click("#phrases-link")
    page.fill("#f-phrase", "  请于三个工作日内反馈。 ")
    page.click("#phrase-add-button")
    page.wait_for_selector(".flash.success", state="visible")
    assert page.inner_text("#phrases li:last-child .phrase-text") == "请于三个工作日内反馈。"
    page.goto(f"{server.url}/tasks/{task}")
    page.wait_for_selector("#f-comment-phrases", state="visible")  # shown by the script
    assert page.is_hidden(".phrase-list")  # the list to copy from is for pages without it
    page.fill("#f-comment", "经研究，。")
    page.eval_on_selector("#f-comment", "box => box.setSelectionRange(4, 4)")
    page.select_option("#f-comment-phrases", "同意，请按规定程序办理。")
    assert page.input_value("#f-comment") == "经研究，同意，请按规定程序办理。。"
    assert page.input_value("#f-comment-phrases") == ""  # ready for the next one
    page.keyboard.press("Backspace")  # the cursor stayed after the phrase
    assert page.input_value("#f-comment") == "经研究，同意，请按规定程序办理。"
    page.press("#f-comment", "End")
    page.select_option("#f-comment-phrases", "请于三个工作日内反馈。")  # the one added
    assert page.input_value("#f-comment") == \
        "经研究，同意，请按规定程序办理。请于三个工作日内反馈。"
    page.check("input[name=approved][value=true]")
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/tasks/" not in url)
    assert server.engine.instance(case).data["comment"] == \
        "经研究，同意，请按规定程序办理。请于三个工作日内反馈。"


def test_the_picker_follows_changes_made_in_another_tab(page: Any, server: Server) -> None:
    task = task_of(server.engine, "wang", "approve")
    added = "请于三个工作日内反馈。"
    sign_in(page, server, "wang")
    page.goto(f"{server.url}/tasks/{task}")
    page.wait_for_selector("#f-comment-phrases", state="visible")
    assert page.locator(f'#f-comment-phrases option[value="{added}"]').count() == 0
    other = page.context.new_page()  # the 常用意见 page in another tab
    other.goto(f"{server.url}/account/phrases")
    other.fill("#f-phrase", added)
    other.click("#phrase-add-button")
    other.wait_for_selector(".flash.success", state="visible")
    page.bring_to_front()
    page.focus("#f-comment-phrases")  # opened: the list as it is now, without a reload
    page.wait_for_selector(f'#f-comment-phrases option[value="{added}"]', state="attached")
    page.select_option("#f-comment-phrases", added)
    assert page.input_value("#f-comment") == added

    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def reply(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return reply

    row = f'#phrases li:has(.phrase-text:text-is("{added}"))'
    other.bring_to_front()
    other.once("dialog", answer(False))
    other.click(f"{row} button[value=remove]")  # asked first; declined, nothing is deleted
    assert asked == [f"删除常用意见“{added}”？"]
    assert added in server.engine.accounts.phrases("wang").items
    other.once("dialog", answer(True))
    other.click(f"{row} button[value=remove]")
    other.wait_for_selector(".flash.success", state="visible")
    assert added not in server.engine.accounts.phrases("wang").items
    page.bring_to_front()
    page.focus("#f-comment")
    page.focus("#f-comment-phrases")
    page.wait_for_selector(f'#f-comment-phrases option[value="{added}"]', state="detached")
    assert page.locator("#f-comment-phrases option").count() > 1  # the rest still offered


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    engine, clock = demo_engine(tmp_path)
    yield from serve(engine, clock)


def test_a_fields_error_is_said_under_it_not_under_its_picker(page: Any,
                                                              demo_server: Server) -> None:
    """拟办意见及理由 left empty: 此项为必填项 right under its box, above the 常用意见 picker,
    and the picker is not marked wrong with it."""
    task = task_of(demo_server.engine, "intake", "propose")
    sign_in(page, demo_server, "intake", DEMO_PASSWORD)
    page.goto(f"{demo_server.url}/tasks/{task}")
    page.select_option("#f-disposal", "予以了结")
    page.click("button[type=submit].primary")
    # measured once the page's scripts have run: hiding the fields the choice makes
    # irrelevant (js/branches.js) moves the ones below
    page.wait_for_load_state("load")
    field = page.locator(".field[data-field=proposal_reason]")
    error = field.locator(".field-error")
    assert error.inner_text() == "此项为必填项"
    box, said, picker = (page.locator(s).bounding_box() for s in (
        "#f-proposal_reason", ".field[data-field=proposal_reason] .field-error",
        "#f-proposal_reason-phrases"))
    assert box and said and picker
    assert box["y"] + box["height"] <= said["y"] < picker["y"]
    border = "el => getComputedStyle(el).borderTopColor"
    assert page.eval_on_selector("#f-proposal_reason-phrases", border) != \
        page.eval_on_selector("#f-proposal_reason", border)
