"""A list of objects on a form is a table, not JSON to type: the 免申即享 batch's 符合条件的
企业名单 on the 核定 task. The server reads the table's inputs and rows pasted from a
spreadsheet (with or without a header line), leaves empty and removed rows out, and a bad cell
comes back in its row and column with the rows as entered."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from engine import SourceFile, msg
from engine.api import Engine
from tests.process_helpers import load_units
from tests.test_process_subsidies import GXJ, subsidy_files
from tests.test_ui_support import PASSWORD, as_user, choose_language, task_of
from web.ui import form_posts, form_rows, forms

pytest_plugins = ["tests.test_ui_support"]

JIA = ["景德镇甲陶瓷有限公司", "91360200MA35A0001X", "100,000", "", "2026年8月纳入规上统计"]
YI = ["景德镇乙机械有限公司", "91360200ma35a00021", "80000.5", "中国银行 6217001", ""]
HEADER = ["企业名称", "统一社会信用代码", "核定兑付金额（元）", "开户银行及账号", "认定事实"]
BASIS = "统计部门共享的2026年新入规企业名单"


@pytest.fixture
def batch(eng: Engine) -> str:
    """A 免申即享 batch of 市工信局's MS-001 waiting for its list: the 核定 task's id."""
    eng.deploy(subsidy_files())
    load_units(eng)
    eng.add_user("gxj", ["policy_dept"], unit=GXJ, password=PASSWORD)
    eng.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    return task_of(eng, "gxj", "confirm_enterprises")


@pytest.fixture
def clerk(app: Flask, batch: str) -> FlaskClient:  # batch: the user exists
    return as_user(app, "gxj")


def tsv(*lines: list[str]) -> str:
    return "\r\n".join("\t".join(line) for line in lines) + "\r\n"


def listed(eng: Engine, task_id: str) -> list[dict[str, object]]:
    """The batch's list as the 核定 task left it."""
    instance = eng.instance(eng.inbox.task(task_id, "gxj").instance_id)
    return list(instance.data["enterprises"])


def test_the_list_is_a_table_with_a_column_per_property_and_says_what_each_means(
        clerk: FlaskClient, batch: str) -> None:
    page = clerk.get(f"/tasks/{batch}").text
    assert '<textarea id="f-enterprises" name="enterprises"' not in page  # no JSON box
    heads = re.findall(r'<th scope="col" data-column="(\w+)"', page)
    assert heads == ["name", "credit_code", "amount", "bank_account", "eligibility_fact"]
    assert 'name="enterprises[0][amount]"' in page and 'inputmode="decimal"' in page
    assert 'name="enterprises[paste]"' in page
    guide = page.split('class="column-guide"')[1].split("</details>")[0]
    assert "<dt>认定事实</dt>" in guide and "选填。如入规时间、上市日期、认定文号" in guide
    assert "<dt>核定兑付金额（元）</dt>" in guide and "必填。填数字，可带小数。" in guide
    assert "必填。企业全称，与营业执照一致" in guide  # the schema's description


def test_rows_typed_into_the_table_become_the_list(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    posted = {"confirmation_basis": BASIS, "enterprises[paste]": "",
              "enterprises[0][name]": JIA[0], "enterprises[0][credit_code]": JIA[1],
              "enterprises[0][amount]": JIA[2], "enterprises[0][eligibility_fact]": JIA[4],
              "enterprises[1][name]": " ", "enterprises[1][amount]": "",  # an empty row
              "enterprises[2][name]": YI[0], "enterprises[2][credit_code]": YI[1],
              "enterprises[2][amount]": YI[2], "enterprises[2][bank_account]": YI[3]}
    response = clerk.post(f"/tasks/{batch}", data=posted)
    assert response.status_code == 302, response.text
    assert listed(eng, batch) == [
        {"name": JIA[0], "credit_code": JIA[1], "amount": 100000,
         "eligibility_fact": JIA[4]},
        {"name": YI[0], "credit_code": "91360200MA35A00021", "amount": 80000.5,
         "bank_account": YI[3]}]
    assert len([t for t in eng.inbox.for_user("gxj") if t.name == "pay_enterprise"]) == 2


@pytest.mark.parametrize("header", [False, True])
def test_pasted_spreadsheet_rows_become_the_list(
        eng: Engine, clerk: FlaskClient, batch: str, header: bool) -> None:
    pasted = tsv(HEADER, JIA, YI) if header else tsv(JIA, ["", "", "", "", ""], YI)
    response = clerk.post(f"/tasks/{batch}", data={
        "confirmation_basis": BASIS, "enterprises[paste]": pasted})
    assert response.status_code == 302, response.text
    assert [(e["name"], e["amount"]) for e in listed(eng, batch)] == [
        (JIA[0], 100000), (YI[0], 80000.5)]


def test_a_header_in_another_order_names_the_columns(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    """序号 names no column and is skipped; 核定兑付金额 without its unit is the amount."""
    pasted = tsv(["序号", "统一社会信用代码", "企业名称", "核定兑付金额"],
                 ["1", JIA[1], JIA[0], "￥1,000.00"])
    response = clerk.post(f"/tasks/{batch}", data={
        "confirmation_basis": BASIS, "enterprises[paste]": pasted})
    assert response.status_code == 302, response.text
    assert listed(eng, batch) == [{"name": JIA[0], "credit_code": JIA[1], "amount": 1000}]


def test_a_bad_amount_comes_back_in_its_row_and_column_with_the_rows_as_entered(
        clerk: FlaskClient, batch: str) -> None:
    posted = {"confirmation_basis": BASIS,
              "enterprises[0][name]": JIA[0], "enterprises[0][credit_code]": JIA[1],
              "enterprises[0][amount]": JIA[2],
              "enterprises[paste]": tsv([YI[0], YI[1], "八万元", YI[3]])}
    response = clerk.post(f"/tasks/{batch}", data=posted)
    assert response.status_code == 422
    page = response.text
    # the pasted row is now the table's second row, as typed, its cell marked
    assert re.search(r'name="enterprises\[1\]\[amount\]" type="text" value="八万元"', page)
    assert re.search(r'name="enterprises\[0\]\[amount\]" type="text" value="100,000"', page)
    assert "第 2 行“核定兑付金额（元）”：应为数字" in page
    assert "enterprises.1.amount" not in page  # not again as a raw key above the form
    assert len(re.findall(r'<textarea id="f-enterprises-paste" name="enterprises\[paste\]"'
                          r'[^>]*></textarea>', page)) == 1  # emptied
    choose_language(clerk)
    english = clerk.post(f"/tasks/{batch}", data=posted).text
    assert "Row 2, 核定兑付金额（元）: must be a number" in english


def test_a_row_ticked_for_removal_is_left_out(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    posted = MultiDict([("confirmation_basis", BASIS), ("enterprises[paste]", ""),
                        ("enterprises[0][name]", "删掉的企业"), ("enterprises[0][amount]", "x"),
                        ("enterprises[1][name]", YI[0]), ("enterprises[1][credit_code]", YI[1]),
                        ("enterprises[1][amount]", YI[2]), ("enterprises[remove]", "0")])
    response = clerk.post(f"/tasks/{batch}", data=posted)
    assert response.status_code == 302, response.text
    assert [e["name"] for e in listed(eng, batch)] == [YI[0]]


def test_an_empty_table_is_a_missing_list(clerk: FlaskClient, batch: str) -> None:
    response = clerk.post(f"/tasks/{batch}", data={
        "confirmation_basis": BASIS, "enterprises[paste]": "\r\n\t\t\r\n",
        "enterprises[0][name]": "", "enterprises[0][amount]": ""})
    assert response.status_code == 422
    block = response.text.split('data-field="enterprises"')[1].split("</fieldset>")[0]
    assert "此项为必填项" in block


def test_only_lists_of_objects_are_tables() -> None:
    schema = {"type": "object", "properties": {
        "people": {"type": "array", "items": {"type": "object", "properties": {
            "who": {"type": "string", "title": "姓名"},
            "sex": {"type": "string", "enum": ["男", "女"], "title": "性别"},
            "adult": {"type": "boolean", "title": "成年"}}}},
        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}}
    people, grid = forms.fields_of(schema)
    assert (people.kind, [c.kind for c in people.columns]) == (
        "rows", ["text", "select", "boolean"])
    assert grid.kind == "json"  # a list of lists has no columns
    pasted = MultiDict({"people[paste]": "张三\t女\t是\n李四\t男\t否"})
    data, _ = form_posts.coerce([people], pasted)
    assert data == {"people": [{"who": "张三", "sex": "女", "adult": True},
                               {"who": "李四", "sex": "男", "adult": False}]}
    shown = forms.display_values([people], data)
    assert shown["people"] == [{"who": "张三", "sex": "女", "adult": "true"},
                               {"who": "李四", "sex": "男", "adult": "false"}]


# -- a paste that does not fit the table is refused, never cut short -----------------------

def paste_error(page: str) -> str:
    found = re.search(r'<p class="field-error paste-error"[^>]*>([^<]*)</p>', page)
    assert found, page
    return found[1]


def test_pasted_columns_beyond_the_table_refuse_the_paste_and_keep_it(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    """Five columns, and line 2 has a sixth: nothing is taken, the task stays open, the table
    and the box keep what was typed, and the box says why, in either language."""
    pasted = tsv(JIA, [*YI, "多出的一列"])
    posted = {"confirmation_basis": BASIS, "enterprises[paste]": pasted,
              "enterprises[0][name]": "景德镇丙瓷业有限公司", "enterprises[0][amount]": "5"}
    response = clerk.post(f"/tasks/{batch}", data=posted)
    assert response.status_code == 422
    page = response.text
    assert paste_error(page) == ("未填入粘贴的内容：表格有 5 列，第 2 行却有 6 列；"
                                 "请只复制表格的各列，或连同标题行一起复制")
    box = r'name="enterprises\[paste\]"[^>]*aria-invalid="true"[^>]*>'
    kept = re.escape(pasted.replace("\r\n", "\n").rstrip("\n"))
    assert re.search(box + kept, page.replace("\r\n", "\n"))
    assert 'value="景德镇丙瓷业有限公司"' in page and 'value="' + BASIS + '"' not in page
    assert BASIS in page  # the other fields as typed (a textarea)
    assert JIA[0] not in page.split('<table class="rows-table')[1].split("</table>")[0]
    assert [t.id for t in eng.inbox.for_user("gxj") if t.name == "confirm_enterprises"] == [batch]
    choose_language(clerk)
    english = paste_error(clerk.post(f"/tasks/{batch}", data=posted).text)
    assert english == ("nothing was pasted: the table has 5 columns, line 2 has 6; copy only "
                       "the table&#39;s columns, or copy their title line with them")


def test_a_title_line_naming_columns_the_table_lacks_is_refused_by_name(
        clerk: FlaskClient, batch: str) -> None:
    pasted = tsv(["序号", "企业名称", "统一社会信用代码", "备注", "联系人"],
                 ["1", *JIA[:2], "x", "y"])
    response = clerk.post(f"/tasks/{batch}", data={
        "confirmation_basis": BASIS, "enterprises[paste]": pasted})
    assert response.status_code == 422
    assert paste_error(response.text) == (
        "未填入粘贴的内容：标题行中的 备注、联系人 不是表格的列；表格的列为：企业名称、"
        "统一社会信用代码、核定兑付金额（元）、开户银行及账号、认定事实")


def test_what_a_paste_may_hold() -> None:
    columns = [form_rows.Column("a", "甲"), form_rows.Column("b", "乙")]
    # a copied range ending in empty cells is as wide as its last filled cell
    assert form_rows.read_paste("1\t2\t\t\n3\t\t\n", columns) == (
        [{"a": "1", "b": "2"}, {"a": "3", "b": ""}], None)
    assert form_rows.read_paste("1\t2\n\n3\t4\t5\n", columns) == ([], msg(
        "field.paste_too_many_columns", line=3, found=3, expected=2))
    # under a title line, a line is as wide as its titles
    assert form_rows.read_paste("乙\n1\t2\n", columns) == ([], msg(
        "field.paste_beyond_titles", line=2, found=2, expected=1))
    assert form_rows.read_paste("乙\t甲\n1\t2\n", columns) == ([{"b": "1", "a": "2"}], None)
    # nor is anything under a blank title lost (序号 aside)
    assert form_rows.read_paste("序号\t乙\t\t甲\n1\t2\t\t3\n", columns) == (
        [{"b": "2", "a": "3"}], None)
    assert form_rows.read_paste("乙\t\t甲\n1\t\t3\n2\t备注\t4\n", columns) == ([], msg(
        "field.paste_untitled_column", line=3, column=2))


@pytest.mark.parametrize("row_no", ["序号", "No.", "no", "#"])
def test_a_title_line_in_english_names_the_columns(row_no: str) -> None:
    """A sheet kept by the English page (No. for 序号) or headed by the columns' names as
    English words, a unit after them or not."""
    columns = [form_rows.Column("credit_code", "统一社会信用代码"),
               form_rows.Column("amount", "核定兑付金额（元）")]
    pasted = f"{row_no}\tAmount (yuan)\tCredit Code\n1\t5\t91360200MA35A0001X\n"
    assert form_rows.read_paste(pasted, columns) == (
        [{"amount": "5", "credit_code": "91360200MA35A0001X"}], None)
    assert form_rows.read_paste("#\tcredit_code\tAMOUNT\n1\tx\t5\n", columns) == (
        [{"credit_code": "x", "amount": "5"}], None)


def test_a_pasted_sheet_headed_in_english_becomes_the_list(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    pasted = tsv(["No.", "Name", "Credit code", "Amount", "Bank account", "Eligibility fact"],
                 ["1", *JIA], ["2", *YI])
    response = clerk.post(f"/tasks/{batch}", data={
        "confirmation_basis": BASIS, "enterprises[paste]": pasted})
    assert response.status_code == 302, paste_error(response.text)
    assert [(e["name"], e["amount"]) for e in listed(eng, batch)] == [
        (JIA[0], 100000), (YI[0], 80000.5)]


# -- 添加一行 without the page's script ----------------------------------------------------

def test_add_row_shows_everything_typed_again_with_a_blank_row_more(
        eng: Engine, clerk: FlaskClient, batch: str) -> None:
    """Three rows typed into the three blank ones and 添加一行 pressed: nothing is submitted;
    the page shows the basis, the three rows, a pasted fourth and blank rows to type more."""
    page = clerk.get(f"/tasks/{batch}").text
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision
    posted = MultiDict([("revision", revision[1]), ("confirmation_basis", BASIS),
                        ("enterprises[paste]", tsv(YI)), ("enterprises[add]", "1")])
    for i, name in enumerate(["甲", "乙", "丙"]):
        posted.add(f"enterprises[{i}][name]", f"景德镇{name}公司")
        posted.add(f"enterprises[{i}][amount]", str(i + 1))
    response = clerk.post(f"/tasks/{batch}", data=posted)
    assert response.status_code == 200
    page = response.text
    assert BASIS in page and 'name="revision" value="' + revision[1] + '"' in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].count('<tr class="row"')
    assert rows == 4 + 2  # the four filled, two blank
    assert 'name="enterprises[3][name]" type="text" value="' + YI[0] + '"' in page
    assert 'name="enterprises[2][amount]" type="text" value="3"' in page
    assert 'name="enterprises[5][name]" type="text" value=""' in page
    assert 'class="field-error"' not in page.split('class="schema-form')[1].split("</form>")[0]
    assert [t.id for t in eng.inbox.for_user("gxj") if t.name == "confirm_enterprises"] == [batch]
    assert "enterprises" not in listed_data(eng, batch)

    # one row filled of three: three blank after it now; the next submit completes the task
    again = MultiDict([("revision", revision[1]), ("confirmation_basis", BASIS),
                       ("enterprises[0][name]", JIA[0]), ("enterprises[0][credit_code]", JIA[1]),
                       ("enterprises[0][amount]", JIA[2]), ("enterprises[1][name]", ""),
                       ("enterprises[2][name]", ""), ("enterprises[add]", "1")])
    page = clerk.post(f"/tasks/{batch}", data=again).text
    assert page.split("<tbody>")[1].split("</tbody>")[0].count('<tr class="row"') == 1 + 3
    del again["enterprises[add]"]
    assert clerk.post(f"/tasks/{batch}", data=again).status_code == 302
    assert listed(eng, batch) == [{"name": JIA[0], "credit_code": JIA[1], "amount": 100000}]


def listed_data(eng: Engine, task_id: str) -> dict[str, object]:
    return dict(eng.instance(eng.inbox.task(task_id, "gxj").instance_id).data)


def test_a_start_form_adds_rows_and_refuses_a_wide_paste_without_starting_a_case(
        eng: Engine, app: Flask) -> None:
    """The same on a start form: 添加一行 and a refused paste show the form again; no case."""
    files = []
    for f in subsidy_files():
        if f.name.endswith("subsidy_automatic_start.json"):
            schema = json.loads(f.content)
            schema["properties"]["contacts"] = {
                "type": "array", "title": "联系人", "items": {"type": "object", "properties": {
                    "who": {"type": "string", "title": "姓名"},
                    "phone": {"type": "string", "title": "电话"}}}}
            f = SourceFile(f.name, json.dumps(schema, ensure_ascii=False))
        files.append(f)
    eng.deploy(files)
    load_units(eng)
    eng.add_user("gxj", ["policy_dept"], unit=GXJ, password=PASSWORD)
    clerk = as_user(app, "gxj")
    posted = {"policy_id": "MS-001", "batch_note": "九月批次", "contacts[0][who]": "张三",
              "contacts[paste]": "", "contacts[add]": "1"}
    page = clerk.post("/start/subsidy_automatic", data=posted)
    assert page.status_code == 200
    assert "九月批次" in page.text
    assert 'name="contacts[0][who]" type="text" value="张三"' in page.text
    assert page.text.split("<tbody>")[1].split("</tbody>")[0].count('<tr class="row"') == 1 + 2
    del posted["contacts[add]"]
    posted["contacts[paste]"] = "李四\t139\t多余"
    page = clerk.post("/start/subsidy_automatic", data=posted)
    assert page.status_code == 422
    assert paste_error(page.text) == ("未填入粘贴的内容：表格有 2 列，第 1 行却有 3 列；"
                                      "请只复制表格的各列，或连同标题行一起复制")
    assert eng.inbox.for_user("gxj") == []  # no batch started
