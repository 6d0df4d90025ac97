"""Real-browser test of a list field as a table (js/rows.js): a 市工信局 clerk starts a
免申即享 batch, pastes two rows copied from a spreadsheet into the 核定 task's paste box, sees
them in the table, and the batch goes on with those two enterprises. Skipped like
tests/test_browser.py without Chromium or Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.browser_support import csp_watched_page as csp_watched_page  # page
from tests.browser_support import phone_page as phone_page  # the fixture
from tests.process_helpers import load_units
from tests.test_process_subsidies import GXJ, subsidy_files
from tests.test_ui_support import PASSWORD, frozen, make_engine

ROWS = [["景德镇甲陶瓷有限公司", "91360200MA35A0001X", "100,000", "", "2026年8月纳入规上统计"],
        ["景德镇乙机械有限公司", "91360200MA35A00021", "80000.5", "中国银行 6217001", ""]]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy(subsidy_files())
    load_units(engine)
    engine.add_user("gxj", ["policy_dept"], unit=GXJ, password=PASSWORD)
    yield from serve(engine, clock)


def paste(page: Any, selector: str, text: str) -> None:
    """Put ``text`` on the clipboard and paste it with the keyboard, as a clerk does."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.focus(selector)
    page.keyboard.press("Control+V")


def open_confirmation(page: Any, server: Server) -> Any:
    """A 免申即享 batch started by the clerk, its 核定 task open on ``page``; the task."""
    server.engine.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    [confirm] = [t for t in server.engine.inbox.for_user("gxj")
                 if t.name == "confirm_enterprises"]
    sign_in(page, server, "gxj")
    page.goto(f"{server.url}/tasks/{confirm.id}")
    return confirm


def test_pasted_spreadsheet_rows_fill_the_table_and_start_the_payouts(
        page: Any, server: Server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=server.url)
    sign_in(page, server, "gxj")
    page.goto(server.url + "/start/subsidy_automatic")
    page.select_option("#f-policy_id", "MS-001")
    page.click("form.schema-form button[type=submit].primary")
    page.wait_for_selector("[data-rows=enterprises] button.fill-rows",
                            state="visible")  # rows.js has run (添加一行 is there without it)
    assert not page.is_visible(".remove-box")

    paste(page, "#f-enterprises-paste", "\r\n".join("\t".join(r) for r in ROWS) + "\r\n")
    page.wait_for_function("document.querySelector('#f-enterprises-0-name').value !== ''")
    assert page.input_value("#f-enterprises-paste") == ""  # moved into the table
    for n, row in enumerate(ROWS):
        assert page.input_value(f"#f-enterprises-{n}-name") == row[0]
        assert page.input_value(f"#f-enterprises-{n}-amount") == row[2]
    rows = page.locator("table.rows-table tbody tr")
    assert rows.count() == 2  # the one blank row, and one added

    page.click("button.add-row")  # a row added and removed again changes nothing
    assert rows.count() == 3
    rows.last.locator("button.remove-row").click()
    assert rows.count() == 2

    page.fill("#f-confirmation_basis", "统计部门共享的2026年新入规企业名单")
    page.click("form.schema-form button[type=submit].primary")
    page.wait_for_url(lambda url: "/tasks/" not in url)
    payouts = [t for t in server.engine.inbox.for_user("gxj") if t.name == "pay_enterprise"]
    assert len(payouts) == 2
    [case] = {t.instance_id for t in payouts}
    listed = server.engine.instance(case).data["enterprises"]
    assert [(e["name"], e["amount"]) for e in listed] == [
        (ROWS[0][0], 100000), (ROWS[1][0], 80000.5)]


def test_at_phone_width_each_row_is_a_card_within_the_screen(
        phone_page: Any, server: Server) -> None:
    open_confirmation(phone_page, server)
    phone_page.fill("#f-enterprises-paste", "\t".join(ROWS[0]) + "\n" + "\t".join(ROWS[1]))
    phone_page.click("button.fill-rows")
    assert phone_page.input_value("#f-enterprises-1-credit_code") == ROWS[1][1]
    assert not phone_page.is_visible("table.rows-table thead")  # each cell says its column
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_without_javascript_the_blank_rows_and_the_paste_box_are_read_by_the_server(
        browser: Any, server: Server) -> None:
    """添加一行 sends the form to be shown again: what was typed and pasted is in the table,
    with blank rows to type more, and the task is still open until 提交 (which Enter in a
    cell presses, as on any form)."""
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        confirm = open_confirmation(page, server)
        rows = page.locator("table.rows-table tbody tr")
        assert rows.count() == 3  # blank rows to type in
        assert page.is_visible("button.add-row") and page.is_visible(".remove-box")
        for column, cell in zip(("name", "credit_code", "amount"), ROWS[0], strict=False):
            page.fill(f"#f-enterprises-0-{column}", cell)
        page.fill("#f-enterprises-paste", "\t".join(ROWS[1]))
        page.fill("#f-confirmation_basis", "统计部门共享的2026年新入规企业名单")
        page.click("button.add-row")
        page.wait_for_load_state()
        assert "/tasks/" in page.url and rows.count() == 2 + 3  # a blank row more
        assert page.input_value("#f-enterprises-1-name") == ROWS[1][0]  # the pasted row
        assert page.input_value("#f-enterprises-paste") == ""
        assert page.input_value("#f-confirmation_basis") == "统计部门共享的2026年新入规企业名单"
        assert [t.id for t in server.engine.inbox.for_user("gxj")
                if t.name == "confirm_enterprises"] == [confirm.id]
        page.fill("#f-enterprises-2-name", "景德镇丙瓷业有限公司")
        page.fill("#f-enterprises-2-credit_code", "91360200MA35A00034")
        page.fill("#f-enterprises-2-amount", "5000")
        page.press("#f-enterprises-2-amount", "Enter")  # Enter is 提交, not 添加一行
        page.wait_for_url(lambda url: "/tasks/" not in url)
    finally:
        context.close()
    listed = server.engine.instance(confirm.instance_id).data["enterprises"]
    assert [e["name"] for e in listed] == [ROWS[0][0], ROWS[1][0], "景德镇丙瓷业有限公司"]


def test_a_paste_wider_than_the_table_is_refused_before_anything_is_sent(
        page: Any, server: Server) -> None:
    open_confirmation(page, server)
    page.wait_for_selector("[data-rows=enterprises] button.fill-rows", state="visible")
    wide = "\t".join(ROWS[0]) + "\n" + "\t".join([*ROWS[1], "备注"])
    page.fill("#f-enterprises-paste", wide)
    page.click("button.fill-rows")
    error = page.wait_for_selector(".paste-error", state="visible")
    assert error.text_content() == ("未填入粘贴的内容：表格有 5 列，第 2 行却有 6 列；"
                                    "请只复制表格的各列，或连同标题行一起复制")
    assert page.input_value("#f-enterprises-paste") == wide  # kept, to fix
    assert page.input_value("#f-enterprises-0-name") == ""  # nothing filled
    page.fill("#f-confirmation_basis", "统计部门共享的2026年新入规企业名单")
    page.click("form.schema-form button[type=submit].primary")
    assert page.evaluate("document.activeElement.id") == "f-enterprises-paste"
    assert "/tasks/" in page.url
    page.fill("#f-enterprises-paste", "企业名称\t备注\t统一社会信用代码\n甲\t乙\t丙")
    page.click("button.fill-rows")
    assert page.text_content(".paste-error") == (
        "未填入粘贴的内容：标题行中的 备注 不是表格的列；表格的列为：企业名称、统一社会信用代码、"
        "核定兑付金额（元）、开户银行及账号、认定事实")
    page.fill("#f-enterprises-paste", "企业名称\t\t统一社会信用代码\n甲\t乙\t丙")
    page.click("button.fill-rows")
    assert page.text_content(".paste-error") == (
        "未填入粘贴的内容：第 2 行第 2 列有内容，但这一列的标题是空的；请补上标题或不复制这一列")
    page.fill("#f-enterprises-paste", "\t".join(ROWS[1]))  # fixed: fills, and the error goes
    page.click("button.fill-rows")
    assert page.input_value("#f-enterprises-0-name") == ROWS[1][0]
    assert not page.is_visible(".paste-error")


def test_a_paste_headed_in_english_fills_the_columns_it_names(
        page: Any, server: Server) -> None:
    """No. (the English page's 序号) or #, and the columns' names as English words, a unit
    after them or not: the script reads the title line as the server does."""
    open_confirmation(page, server)
    page.wait_for_selector("[data-rows=enterprises] button.fill-rows", state="visible")
    for row_no in ("No.", "#"):
        page.fill("#f-enterprises-paste", f"{row_no}\tAmount (yuan)\tCredit Code\tName\n"
                  f"1\t{ROWS[1][2]}\t{ROWS[1][1]}\t{ROWS[1][0]}")
        page.click("button.fill-rows")
        assert not page.is_visible(".paste-error")
        assert page.input_value("#f-enterprises-paste") == ""
        assert page.input_value("#f-enterprises-0-name") == ROWS[1][0]
        assert page.input_value("#f-enterprises-0-credit_code") == ROWS[1][1]
        assert page.input_value("#f-enterprises-0-amount") == ROWS[1][2]
        page.locator("table.rows-table tbody tr").last.locator("button.remove-row").click()


def test_enter_in_a_cell_goes_down_a_row_and_never_sends_the_batch(
        page: Any, server: Server) -> None:
    confirm = open_confirmation(page, server)
    page.wait_for_selector("[data-rows=enterprises] button.fill-rows", state="visible")
    rows = page.locator("table.rows-table tbody tr")
    assert rows.count() == 1
    page.fill("#f-confirmation_basis", "统计部门共享的2026年新入规企业名单")
    page.fill("#f-enterprises-0-amount", "5000")
    page.press("#f-enterprises-0-amount", "Enter")  # the last row: a new one, same column
    assert page.evaluate("document.activeElement.id") == "f-enterprises-1-amount"
    assert rows.count() == 2
    page.press("#f-enterprises-0-name", "Enter")  # not the last row: the next one
    assert page.evaluate("document.activeElement.id") == "f-enterprises-1-name"
    assert rows.count() == 2
    assert "/tasks/" in page.url and page.input_value("#f-enterprises-0-amount") == "5000"
    assert [t.id for t in server.engine.inbox.for_user("gxj")
            if t.name == "confirm_enterprises"] == [confirm.id]
