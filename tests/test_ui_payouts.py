"""The 免申即享 payouts on the pages: one task per enterprise (a parallel multi-instance task),
each shown and prefilled with its own enterprise."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import Markup

from engine.api import Engine
from engine.errors import InvalidData
from tests.demo_support import demo, signed_in  # noqa: F401  # fixture
from tests.test_ui_support import choose_language, csrf_token
from web.ui.fmt import unbroken

THREE = [
    {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000,
     "bank_account": "中国银行景德镇分行 6216000000000001",
     "eligibility_fact": "2026年8月纳入规上统计"},
    {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 100000},
    {"name": "景德镇丙新材料有限公司", "credit_code": "91360200MA35A00034", "amount": 80000.5},
]


def batch(engine: Engine) -> tuple[int, dict[str, str]]:
    """A 免申即享 batch of THREE confirmed by 市工信局: the case and its payout tasks by
    enterprise name."""
    case = engine.start("subsidy_automatic", {"policy_id": "MS-001", "batch_note": "第3批"},
                        "policy_gx")
    confirm = next(t for t in engine.inbox.for_user("policy_gx")
                   if t.instance_id == case.id and t.name == "confirm_enterprises")
    engine.complete(confirm.id, {"enterprises": THREE, "confirmation_basis": "部门数据比对"},
                    "policy_gx")
    payouts = [t for t in engine.inbox.for_user("policy_gx")
               if t.instance_id == case.id and t.name == "pay_enterprise"]
    assert len(payouts) == 3
    return case.id, {engine.task_data(t.id, "policy_gx")["enterprise"]["name"]: t.id
                     for t in payouts}


@pytest.fixture
def gx(demo: Engine) -> Iterator[tuple[Engine, FlaskClient]]:  # noqa: F811
    yield demo, signed_in(demo, "policy_gx")


def form_of(page: str) -> str:
    """The task's form, without the case data shown beside it."""
    match = re.search(r'<form method="post" action="/tasks/[^"]+" class="schema-form".*?</form>',
                      page, re.S)
    assert match, "no task form"
    return match.group(0)


def paid(enterprise: dict[str, Any], voucher: str) -> dict[str, Any]:
    return {"enterprise": {**enterprise, "paid_amount": enterprise["amount"],
                           "paid_on": "2026-09-30", "payment_voucher": voucher,
                           "notice_channel": "短信"}}


def test_each_payout_task_page_shows_its_own_enterprise(gx: tuple[Engine, FlaskClient]
                                                        ) -> None:
    engine, web = gx
    _, tasks = batch(engine)
    for e in THREE:
        page = form_of(web.get(f"/tasks/{tasks[e['name']]}").text)
        assert e["credit_code"] in page, e["name"]
        others = [o["credit_code"] for o in THREE if o is not e]
        assert not any(code in page for code in others), e["name"]
    # one paid: the others still show their own enterprise, not the paid one's payment
    first = THREE[0]
    engine.complete(tasks[first["name"]], paid(first, "PZ-0001"), "policy_gx")
    page = form_of(web.get(f"/tasks/{tasks[THREE[1]['name']]}").text)
    assert THREE[1]["credit_code"] in page
    assert "PZ-0001" not in page and first["credit_code"] not in page


def test_inbox_and_case_page_name_each_payout_tasks_enterprise(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    case, _ = batch(engine)
    inbox = web.get("/").text
    case_page = web.get(f"/instances/{case}").text
    for e in THREE:
        assert f"兑付资金并通知企业（{e['name']}）" in inbox, e["name"]
        assert f"兑付资金并通知企业（{e['name']}）" in case_page, e["name"]


def test_the_payout_form_is_a_fieldset_of_facts_and_payment_inputs(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    _, tasks = batch(engine)
    form = form_of(web.get(f"/tasks/{tasks[THREE[0]['name']]}").text)
    assert '<textarea id="f-enterprise" name="enterprise"' not in form  # no JSON to edit
    assert "<legend>兑付企业" in form
    assert "<dt>核定兑付金额（元）</dt><dd>120,000</dd>" in form  # facts as text, by title
    assert "<dt>统一社会信用代码</dt><dd>91360200MA35A0001X</dd>" in form
    assert 'name="enterprise[name]"' not in form  # facts are not inputs
    assert 'name="enterprise[paid_amount]"' in form
    assert re.search(r'<input id="f-enterprise\[paid_on\]" name="enterprise\[paid_on\]" '
                     r'type="date"', form)
    assert re.search(r'<select id="f-enterprise\[notice_channel\]"[^>]*>.*“景快办”平台消息', form,
                     re.S)


def test_a_payout_submits_the_tasks_own_facts_not_the_posted_ones(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    _, tasks = batch(engine)
    task_id = tasks[THREE[1]["name"]]
    token = csrf_token(web.get(f"/tasks/{task_id}").text)
    answer = web.post(f"/tasks/{task_id}", data={
        "csrf_token": token, "enterprise[name]": "改名企业", "enterprise[amount]": "999999",
        "enterprise[paid_amount]": "100,000", "enterprise[paid_on]": "2026-09-30",
        "enterprise[payment_voucher]": "PZ-0002", "enterprise[notice_channel]": "电话"})
    assert answer.status_code == 302, answer.text
    done = engine.task_data(task_id, "policy_gx")["enterprise"]
    assert done["name"] == THREE[1]["name"] and done["amount"] == 100000
    assert done["paid_amount"] == 100000 and done["notice_channel"] == "电话"
    assert done["payment_voucher"] == "PZ-0002"


def test_a_refused_payout_shows_its_own_facts_and_each_error_beside_its_input(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    _, tasks = batch(engine)
    engine.complete(tasks[THREE[0]["name"]], paid(THREE[0], "PZ-0001"), "policy_gx")
    task_id = tasks[THREE[2]["name"]]
    token = csrf_token(web.get(f"/tasks/{task_id}").text)
    answer = web.post(f"/tasks/{task_id}", data={
        "csrf_token": token, "enterprise[paid_amount]": "-1", "enterprise[paid_on]": "",
        "enterprise[payment_voucher]": "PZ-0003", "enterprise[notice_channel]": "短信"})
    assert answer.status_code == 422
    form = form_of(answer.text)
    assert "<dt>统一社会信用代码</dt><dd>91360200MA35A00034</dd>" in form
    assert "PZ-0001" not in form and THREE[0]["credit_code"] not in form
    assert 'value="PZ-0003"' in form and 'value="-1"' in form  # as typed
    for part in ("paid_amount", "paid_on"):
        beside = re.search(rf'data-field="enterprise\[{part}\]".*?</div>', form, re.S)
        assert beside and 'class="field-error"' in beside.group(0), part


def test_the_case_shows_the_enterprise_list_as_a_table_and_no_stray_enterprise(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    case, tasks = batch(engine)
    engine.complete(tasks[THREE[0]["name"]], paid(THREE[0], "PZ-0001"), "policy_gx")
    page = web.get(f"/instances/{case}").text
    assert "credit_code:" not in page and "name: " not in page  # no raw keys
    data = page[page.index('<dl class="data">'):page.index("</dl>", page.index("grid-row"))]
    heads = re.findall(r"<th scope=\"col\">([^<]+)</th>", data)
    assert heads[:3] == ["企业名称", "统一社会信用代码", "核定兑付金额（元）"]
    # each code and amount kept on one line in a narrow column (web/ui/fmt.py unbroken)
    assert ('<td>景德镇丙新材料有限公司</td><td><span class="nb">91360200MA35A00034</span></td>'
            '<td><span class="nb">80,000.50</span></td>') in data
    # the paid enterprise is the task's, not the case's: no 兑付企业 row with the last one
    assert "<dt>兑付企业</dt>" not in data
    # the step's submitted data shows it, a line per property by title
    assert re.search(r"<dt>兑付企业</dt><dd><dl class=\"data-entries\">.*?"
                     r'<div><dt>拨付凭证号</dt><dd><span class="nb">PZ-0001</span></dd></div>',
                     page, re.S)
    assert '<div><dt>实际兑付金额（元）</dt><dd><span class="nb">120,000</span></dd></div>' in page
    assert "<div><dt>通知企业方式</dt><dd>短信</dd></div>" in page
    # the step is named by its enterprise in the history too
    assert "</strong> · 兑付资金并通知企业（景德镇甲陶瓷有限公司）" in page


def test_a_payout_above_its_approved_amount_or_dated_tomorrow_is_refused_beside_its_input(
        gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    _, tasks = batch(engine)
    task_id = tasks[THREE[1]["name"]]  # 核定 100,000
    token = csrf_token(web.get(f"/tasks/{task_id}").text)
    tomorrow = (engine.clock.now() + timedelta(days=1)).date().isoformat()
    answer = web.post(f"/tasks/{task_id}", data={
        "csrf_token": token, "enterprise[paid_amount]": "200000",
        "enterprise[paid_on]": tomorrow, "enterprise[payment_voucher]": "PZ-0002",
        "enterprise[notice_channel]": "短信"})
    assert answer.status_code == 422
    form = form_of(answer.text)
    for part, said in (("paid_amount", "实际兑付金额不能超过核定兑付金额（100,000元）"),
                       ("paid_on", "拨付日期不能晚于今天")):
        beside = re.search(rf'data-field="enterprise\[{part}\]".*?</div>', form, re.S)
        assert beside and said in beside.group(0), part
    with pytest.raises(InvalidData) as refused:  # the API alike
        engine.complete(task_id, {"enterprise": {**THREE[1], "paid_amount": 200000,
                                                 "paid_on": "2026-09-30",
                                                 "payment_voucher": "PZ-0002",
                                                 "notice_channel": "短信"}}, "policy_gx")
    assert set(refused.value.field_errors) == {"enterprise.paid_amount"}


def payout_rows(page: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The 兑付结果 table: its heads, its rows' cells and its 合计 row's cells, as text."""
    match = re.search(r'<section class="card" id="payout-results">(.*?)</section>', page, re.S)
    assert match, "no 兑付结果"
    table = match.group(1)

    def cells(html: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", c).strip()
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]

    body = table[table.index("<tbody>"):table.index("</tbody>")]
    foot = table[table.index("<tfoot>"):table.index("</tfoot>")]
    return (cells(table[:table.index("<tbody>")]),
            [cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)], cells(foot))


def test_the_case_shows_each_enterprises_payout_in_list_order_with_totals(
        demo: Engine) -> None:  # noqa: F811
    case, tasks = batch(demo)
    web = signed_in(demo, "policy_gx")
    heads, rows, total = payout_rows(web.get(f"/instances/{case}").text)
    assert heads == ["企业名称", "统一社会信用代码", "核定金额（元）", "实际兑付金额（元）",
                     "拨付日期", "凭证号", "状态"]
    assert [r[:3] for r in rows] == [[e["name"], e["credit_code"], money] for e, money in
                                     zip(THREE, ("120,000", "100,000", "80,000.50"),
                                         strict=True)]
    assert {r[-1] for r in rows} == {"待兑付（市工信局）"}
    assert total == ["合计", "", "300,000.50", "0", "", "", "已兑付 0 户，共 3 户"]

    demo.claim(tasks[THREE[0]["name"]], "policy_gx")
    second = paid(THREE[1], "PZ-0002")
    second["enterprise"]["paid_amount"] = 90000.5
    demo.complete(tasks[THREE[1]["name"]], second, "policy_gx")
    _, rows, total = payout_rows(web.get(f"/instances/{case}").text)
    assert rows == [
        [THREE[0]["name"], THREE[0]["credit_code"], "120,000", "", "", "",
         "待兑付（政策主管部门 市工信局）"],  # claimed: by whom
        [THREE[1]["name"], THREE[1]["credit_code"], "100,000", "90,000.50", "2026-09-30",
         "PZ-0002", "已兑付"],
        [THREE[2]["name"], THREE[2]["credit_code"], "80,000.50", "", "", "",
         "待兑付（市工信局）"]]
    assert total == ["合计", "", "300,000.50", "90,000.50", "", "", "已兑付 1 户，共 3 户"]

    # every enterprise paid: the report reaches 市政数局, who reads the same table
    for n in (0, 2):
        demo.complete(tasks[THREE[n]["name"]], paid(THREE[n], f"PZ-000{n + 1}"), "policy_gx")
    bureau = signed_in(demo, "data_bureau")
    _, rows, total = payout_rows(bureau.get(f"/instances/{case}").text)
    assert [(r[0], r[3], r[5], r[6]) for r in rows] == [
        (THREE[0]["name"], "120,000", "PZ-0001", "已兑付"),
        (THREE[1]["name"], "90,000.50", "PZ-0002", "已兑付"),
        (THREE[2]["name"], "80,000.50", "PZ-0003", "已兑付")]
    assert total == ["合计", "", "300,000.50", "290,001", "", "", "已兑付 3 户，共 3 户"]
    choose_language(bureau)
    heads, rows, total = payout_rows(bureau.get(f"/instances/{case}").text)
    assert heads == ["Enterprise", "Unified social credit code", "Approved amount (yuan)",
                     "Amount paid (yuan)", "Date paid", "Voucher no.", "Status"]
    assert {r[-1] for r in rows} == {"Paid"}
    assert total == ["Total", "", "300,000.50", "290,001", "", "", "3 of 3 enterprises paid"]


def test_a_case_without_a_batch_has_no_payout_results(gx: tuple[Engine, FlaskClient]) -> None:
    engine, web = gx
    case = engine.start("subsidy_automatic", {"policy_id": "MS-001", "batch_note": "第4批"},
                        "policy_gx")  # not confirmed yet: no list
    assert 'id="payout-results"' not in web.get(f"/instances/{case.id}").text


def test_the_payout_count_drills_down_to_its_payouts_not_its_cases(
        demo: Engine) -> None:  # noqa: F811
    """兑付笔数 of 免申即享 counts two payouts of one batch: its link lists those two."""
    _, tasks = batch(demo)
    for n, voucher in ((2, "PZ-0003"), (0, "PZ-0001")):
        demo.complete(tasks[THREE[n]["name"]], paid(THREE[n], voucher), "policy_gx")
    web = signed_in(demo, "data_bureau")
    page = html.unescape(web.get("/stats/").text)
    table = page[page.index('data-figure="subsidy_payouts"'):]
    row = table[table.index('data-key="subsidy_automatic"'):]
    link = re.search(r'data-column="paid"><a href="([^"]+)">(\d+)</a>', row)
    assert link and link.group(2) == "2"
    drill = web.get(link.group(1)).text
    assert "共 2 笔" in drill and 'id="stats-cases"' not in drill
    listed = drill[drill.index('id="stats-payouts"'):drill.index("</table>")]
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r,
                                                                    re.S)]
             for r in re.findall(r"<tr>(.*?)</tr>", listed, re.S)[1:]]
    assert sorted(c[1:] for c in cells) == sorted([
        ["惠企政策兑现：免申即享", THREE[0]["name"], "120,000", "2026-09-30"],
        ["惠企政策兑现：免申即享", THREE[2]["name"], "80,000.50", "2026-09-30"]])
    assert {c[0] for c in cells} == {"MSJX-2026-000001"}
    choose_language(web)
    english = web.get(link.group(1)).text
    assert "2 payouts" in english and "Enterprise" in english


def test_numbers_dates_and_codes_are_kept_whole_and_the_rest_escaped() -> None:
    kept = unbroken("拨付凭证号 PZ-2026-0930-01，金额 80,000.50 元，<b>第3批</b>")
    assert kept == ('拨付凭证号 <span class="nb">PZ-2026-0930-01</span>，金额 '
                    '<span class="nb">80,000.50</span> 元，&lt;b&gt;第3批&lt;/b&gt;')
    assert unbroken("a" * 30 + "1" * 20) == "a" * 30 + "1" * 20  # too long: may break
    assert unbroken(Markup("<i>1</i>")) == "<i>1</i>"  # already HTML
