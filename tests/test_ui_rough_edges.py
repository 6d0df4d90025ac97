"""What a new user trips over, on the shipped procedures with the demo users: the payout form
refuses an amount above the approved one in Chinese, the two times on a task page say which
is which, 发起 only for those who may start something, an index of ledgers, the board's crumb,
the favicon, a header that names a unit once, a unit shown once beside a field, and the
supervision office's copy of a clue showing the clue's fields by their titles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.demo_support import SHIPPED_AT, shipped_engine
from tests.test_process_subsidies import application
from tests.test_ui_support import choose_language, frozen, make_app
from web.demo import DEMO_PASSWORD

START = SHIPPED_AT


@pytest.fixture
def shipped(tmp_path: Path) -> Iterator[tuple[Engine, FixedClock, Flask]]:
    clock = frozen(START)
    engine = shipped_engine(tmp_path, clock)
    yield engine, clock, make_app(engine)
    engine.close()


def as_user(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": DEMO_PASSWORD}).status_code == 302
    return client


def one_task(engine: Engine, user: str, name: str) -> str:
    [found] = [t.id for t in engine.inbox.for_user(user) if t.name == name]
    return found


def test_the_payout_form_refuses_more_than_the_approved_amount(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    engine, _, app = shipped
    engine.start("subsidy_instant", application("JS-002"), "enterprise")
    engine.complete(one_task(engine, "policy_sw", "approve"),
                    {"decision": "approve", "approved_amount": 36000}, "policy_sw")
    pay = one_task(engine, "policy_sw", "pay")
    client = as_user(app, "policy_sw")
    page = client.get(f"/tasks/{pay}")
    assert "确认按低于核定金额兑付" in page.text
    form = {"paid_amount": "40000", "paid_on": "2026-09-30", "payment_voucher": "SW-1",
            "notice_channel": "短信", "revision": str(engine.instance(
                engine.inbox.task(pay, "policy_sw").instance_id).revision)}
    refused = client.post(f"/tasks/{pay}", data=form)
    assert refused.status_code == 422
    assert "实际兑付金额不能超过核定兑现金额（36,000元）" in refused.text
    assert 'value="40000"' in refused.text  # what the clerk typed stays
    later = client.post(f"/tasks/{pay}", data={**form, "paid_on": "2026-10-01"})
    assert "拨付日期不能晚于今天" in later.text


def test_a_task_page_says_which_time_is_which(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    engine, _, app = shipped
    engine.start("clue_triage", {
        "channel": "来信来访", "received_at": "2026-09-29T09:00:00+08:00", "accused_unit": "某局",
        "problem_type": "推诿拖延刁难", "summary": "三次往返", "owner": "intake"}, "intake")
    page = as_user(app, "intake").get(f"/tasks/{one_task(engine, 'intake', 'propose')}")
    assert "任务到达时间：2026-09-30 10:00" in page.text
    assert re.search(r"收到时间</dt><dd>2026-09-29 09:00", page.text)


def test_labels_end_with_the_colon_of_the_page_language(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """Chinese labels end with a full-width colon; English ones with ': ', not the Chinese one."""
    engine, _, app = shipped
    case = engine.start("clue_triage", {
        "channel": "来信来访", "received_at": "2026-09-29T09:00:00+08:00", "accused_unit": "某局",
        "problem_type": "推诿拖延刁难", "summary": "三次往返", "owner": "intake"}, "intake")
    client = as_user(app, "intake")
    task_page = f"/tasks/{one_task(engine, 'intake', 'propose')}"
    assert "认领人：" in client.get(task_page).text
    choose_language(client)
    for path in (task_page, f"/instances/{case.id}"):
        text = client.get(path).text
        assert "Task arrived: 2026-09-30 10:00" in text or "Started: 2026-09-30 10:00" in text
        assert not re.search(r"[A-Za-z]：", text), re.findall(r".{20}[A-Za-z]：.{10}", text)


def test_a_required_mark_follows_its_label_without_a_space(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """申请金额（元）* as a form prints it, not 申请金额（元） *."""
    page = as_user(shipped[2], "enterprise").get("/start/subsidy_instant").text
    marks = re.findall(r'(.)<span class="req"', page)
    assert marks and " " not in marks, marks
    assert '（元）<span class="req"' in page


@pytest.mark.parametrize(("user", "offered"), [
    ("intake", True), ("window", True), ("enterprise", True),
    ("auditor", False), ("designer", False), ("approver", False)])
def test_start_is_offered_only_to_those_who_may_start(
        shipped: tuple[Engine, FixedClock, Flask], user: str, offered: bool) -> None:
    page = as_user(shipped[2], user).get("/", follow_redirects=True)  # an enterprise's: 我的申请
    assert ('href="/start"' in page.text) is offered


def test_ledgers_have_an_index(shipped: tuple[Engine, FixedClock, Flask]) -> None:
    app = shipped[2]
    page = as_user(app, "supervision").get("/ledgers/")
    assert page.status_code == 200
    assert "问题线索台账" in page.text and "“新官不理旧账”问题台账" in page.text
    assert 'href="/ledgers/clue"' in page.text and "流程：问题线索受理" in page.text
    assert 'href="/ledgers/"' in page.text  # the navigation leads here
    scoped = as_user(app, "handler_fl").get("/ledgers/")
    assert scoped.status_code == 200 and "只列出本单位（浮梁县纪委监委）的记录" in scoped.text
    assert as_user(app, "enterprise").get("/ledgers/").status_code == 403


def test_board_tasks_without_a_unit_has_a_whole_crumb(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    page = as_user(shipped[2], "case_manager").get("/board/tasks?when=open")
    crumb = re.search(r'<nav class="crumbs">(.*?)</nav>', page.text, re.S)
    assert crumb is not None
    assert crumb.group(1).endswith("› （未分单位）"), crumb.group(1)  # no unit: city-level steps


def test_favicon(shipped: tuple[Engine, FixedClock, Flask]) -> None:
    client = as_user(shipped[2], "intake")
    assert 'rel="icon" type="image/svg+xml" href="/static/favicon.svg"' in client.get("/").text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data


def test_the_header_names_a_unit_once(shipped: tuple[Engine, FixedClock, Flask]) -> None:
    page = as_user(shipped[2], "policy_gx").get("/")
    who = re.search(r'<span class="who"[^>]*>(.*?)</span>', page.text)
    assert who is not None and who.group(1) == "政策主管部门 市工信局"
    page = as_user(shipped[2], "handler_fl").get("/")
    who = re.search(r'<span class="who"[^>]*>(.*?)</span>', page.text)
    assert who is not None and who.group(1) == "承办部门 赵磊（浮梁） · 浮梁县纪委监委"


def test_a_unit_in_the_title_is_not_shown_again(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    page = as_user(shipped[2], "window").get("/start/subsidy_instant")
    label = re.search(r'<label for="[^"]*requested_amount">(.*?)</label>', page.text, re.S)
    assert label is not None and "申请金额（元）" in label.group(1)
    assert "unit" not in label.group(1)


def transferred_clue(engine: Engine) -> None:
    """A clue registered by the city's intake and transferred to 浮梁县纪委监委."""
    engine.start("clue_triage", {
        "channel": "来信来访", "received_at": "2026-09-29T09:00:00+08:00",
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "施工许可拖延两个月", "owner": "intake"}, "intake")
    engine.complete(one_task(engine, "intake", "propose"),
                    {"disposal": "转办", "handler_unit": "浮梁县纪委监委",
                     "proposal_reason": "转浮梁县纪委监委核查"}, "intake")
    engine.complete(one_task(engine, "approver", "approve"), {"approved": True}, "approver")
    engine.complete(one_task(engine, "intake", "transfer"), {}, "intake")


def test_the_supervision_copy_shows_the_clue_by_field_titles(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    engine, _, app = shipped
    transferred_clue(engine)
    copy = one_task(engine, "supervision", "copy_ledger")
    page = as_user(app, "supervision").get(f"/tasks/{copy}")
    assert page.status_code == 200
    data = page.text.split('<dl class="data">', 1)[1].split("</dl>", 1)[0]
    for title, value in (("被反映单位", "某县行政审批局"), ("问题摘要", "施工许可拖延两个月"),
                         ("承办部门", "浮梁县纪委监委")):
        assert re.search(f"{title}</dt><dd>{value}", data), title
    assert "流程变量" not in page.text and "accused_unit" not in data
    # as the clue's own forms show them: the person by name, the decision by its label
    assert re.search("专人管理[^<]*</dt><dd>受理员 李明（市纪委信访室）</dd>", data)
    assert re.search("审批结果</dt><dd>同意", data)


def test_a_subsidy_case_names_its_policy_and_leaves_out_what_says_nothing(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    engine, _, app = shipped
    case = engine.start("subsidy_instant", application("JS-002"), "enterprise")
    page = as_user(app, "enterprise").get(f"/instances/{case.id}")
    data = page.text.split('<dl class="data">', 1)[1].split("</dl>", 1)[0]
    assert re.search("政策[^<]*</dt><dd>JS-002 出口信用保险保费补贴</dd>", data)
    assert "所属纪委监委" not in data  # a clue's matter, not a subsidy's
    assert "<dd></dd>" not in data and "<dd>None</dd>" not in data


def test_an_error_page_says_in_chinese_what_the_engine_said(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """A county's approver opening a case of the city: 404 in Chinese (the case does not
    exist for them), in English once they chose English."""
    engine, _, app = shipped
    case = engine.start("subsidy_instant", application("JS-002"), "enterprise")
    page = as_user(app, "approver_fl").get(f"/instances/{case.id}")
    assert page.status_code == 404
    message = re.search(r'<p class="message">(.*?)</p>', page.text)
    assert message and message.group(1) == f"没有编号为 {case.id} 的案件"
    assert 'class="hint"' not in page.text
    english = as_user(app, "approver_fl")
    choose_language(english)
    assert f"no instance {case.id}" in english.get(f"/instances/{case.id}").text


def test_the_style_group_starts_an_escalation_from_the_page(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """The start page names the clue: a wrong number, or a clue not yet handled, comes back
    beside the field, typed input kept; a right one starts the escalation under the clue's
    number."""
    engine, _, app = shipped
    clue = engine.start("clue_triage", {
        "channel": "来信来访", "received_at": "2026-09-29T09:00:00+08:00",
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "施工许可拖延两个月", "owner": "intake"}, "intake")
    client = as_user(app, "style_group")
    page = client.get("/start/city_escalation")
    assert page.status_code == 200 and "问题线索案件编号" in page.text
    refused = client.post("/start/city_escalation",
                          data={"esc_case_no": "ZF-26-1", "esc_reason": "典型问题"})
    assert refused.status_code == 422
    assert "请填写问题线索的案件编号" in refused.text and "典型问题" in refused.text
    assert "ScriptError" not in refused.text
    early = client.post("/start/city_escalation",
                        data={"esc_case_no": clue.business_key, "esc_reason": "典型问题"})
    assert early.status_code == 422 and "典型问题" in early.text
    assert f"问题线索受理处置案件“{clue.business_key}”还在「提出处置意见」，暂不能发起提级核查，" \
        "待其办到「优先核查 快办快结」后才可以" in early.text
    engine.complete(one_task(engine, "intake", "propose"),
                    {"disposal": "转办", "handler_unit": "浮梁县纪委监委",
                     "proposal_reason": "转浮梁县纪委监委核查"}, "intake")
    engine.complete(one_task(engine, "approver", "approve"), {"approved": True}, "approver")
    engine.complete(one_task(engine, "intake", "transfer"), {}, "intake")
    done = client.post("/start/city_escalation",
                       data={"esc_case_no": clue.business_key, "esc_reason": "典型问题"})
    assert done.status_code == 302
    again = client.post("/start/city_escalation",
                        data={"esc_case_no": clue.business_key, "esc_reason": "典型问题"})
    assert again.status_code == 422 and "不能重复发起" in again.text


def test_a_past_rectification_deadline_comes_back_beside_the_field(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    engine, _, app = shipped
    transferred_clue(engine)
    engine.complete(one_task(engine, "handler_fl", "verify"), {
        "verify_result": "属实", "verify_facts": "属实", "fault_tolerance_claimed": False},
        "handler_fl")
    outcome = one_task(engine, "handler_fl", "outcome")
    client = as_user(app, "handler_fl")
    revision = engine.instance(engine.inbox.task(outcome, "handler_fl").instance_id).revision
    refused = client.post(f"/tasks/{outcome}", data={
        "instruments": "提醒函", "rectify_unit": "浮梁县人民政府", "rectify_due": "2020-01-01",
        "outcome_summary": "制发提醒函", "revision": str(revision)})
    assert refused.status_code == 422
    assert "整改期限须晚于今天" in refused.text and "2020-01-01" in refused.text


def test_the_campaign_start_page_asks_for_the_year_and_a_confirmation(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    _, _, app = shipped
    client = as_user(app, "reform_group")
    page = client.get("/start/legacy_campaign")
    assert page.status_code == 200
    assert "行动年度" in page.text and "各单位将立即收到本年度行动的任务" in page.text
    refused = client.post("/start/legacy_campaign", data={"campaign_year": "2026"})
    assert refused.status_code == 422
    started = client.post("/start/legacy_campaign",
                          data={"campaign_year": "2026", "start_confirmed": "true"})
    assert started.status_code == 302
    again = client.post("/start/legacy_campaign",
                        data={"campaign_year": "2026", "start_confirmed": "true"})
    assert again.status_code == 422 and "已有以 2026 发起的案件" in again.text


def test_the_cases_jurisdiction_is_named_for_its_procedure(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """The engine's jurisdiction is a 纪委监委 in the discipline procedures only: a 工信局's
    subsidy batch names it 所属单位, its start data and its time travel alike."""
    engine, _, app = shipped
    case = engine.start("subsidy_automatic", {"policy_id": "MS-001"}, "policy_gx")
    assert engine.instance(case.id).data["jurisdiction"] == "市工信局"
    client = as_user(app, "policy_gx")
    for page in (f"/instances/{case.id}", f"/instances/{case.id}?at=1"):
        text = client.get(page).text
        assert "所属纪委监委" not in text and "<dt>所属单位</dt><dd>市工信局</dd>" in text, page
    clue = engine.start("clue_triage", {
        "channel": "来信来访", "received_at": "2026-09-29T09:00:00+08:00",
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "施工许可拖延两个月", "owner": "intake"}, "intake")
    text = as_user(app, "intake").get(f"/instances/{clue.id}").text
    assert "<dt>所属纪委监委</dt>" in text and "所属单位" not in text


def test_a_case_shows_its_data_in_the_order_it_was_worked(
        shipped: tuple[Engine, FixedClock, Flask]) -> None:
    """What the clue came with first, then each step's answers as the steps came: not by the
    forms' keys (clue_approve sorts before clue_register)."""
    engine, _, app = shipped
    transferred_clue(engine)
    copy = engine.inbox.task(one_task(engine, "supervision", "copy_ledger"), "supervision")
    [case] = [c.id for c in engine.related(copy.instance_id) if c.process_key == "clue_triage"]
    client = as_user(app, "case_manager")
    for url in (f"/instances/{case}", f"/instances/{case}/print"):
        page = client.get(url).text
        order = [page.index(title) for title in ("线索来源", "问题摘要", "处置方式", "审批结果")]
        assert order == sorted(order), url
