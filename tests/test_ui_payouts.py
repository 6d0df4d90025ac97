"""The 免申即享 payouts on the pages: one task per enterprise (a parallel multi-instance task),
each shown and prefilled with its own enterprise."""

from __future__ import annotations

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
from tests.test_ui_support import csrf_token
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


def test_numbers_dates_and_codes_are_kept_whole_and_the_rest_escaped() -> None:
    kept = unbroken("拨付凭证号 PZ-2026-0930-01，金额 80,000.50 元，<b>第3批</b>")
    assert kept == ('拨付凭证号 <span class="nb">PZ-2026-0930-01</span>，金额 '
                    '<span class="nb">80,000.50</span> 元，&lt;b&gt;第3批&lt;/b&gt;')
    assert unbroken("a" * 30 + "1" * 20) == "a" * 30 + "1" * 20  # too long: may break
    assert unbroken(Markup("<i>1</i>")) == "<i>1</i>"  # already HTML
