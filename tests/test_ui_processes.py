"""The UI on the shipped procedures (processes/, forms/): the window clerk starts a subsidy
application on an enterprise's behalf, and the policy department of the right unit sees it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import Application, TaskView
from engine.api import Engine
from tests.demo_support import SHIPPED_AT, shipped_engine
from tests.test_ui_support import frozen, make_app
from web.demo import DEMO_PASSWORD


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    engine = shipped_engine(tmp_path, frozen(SHIPPED_AT))
    yield make_app(engine)
    engine.close()


def as_user(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": DEMO_PASSWORD}).status_code == 302
    return client


APPLICATION = {
    "policy_id": "JS-001", "enterprise_name": "景德镇某瓷业有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "张三",  # the demo enterprise's
    "contact_phone": "0798-8888888", "bank_account": "景德镇农商行 6228000000000000",
    "requested_amount": "50,000", "application_summary": "申请技术改造补助。",
}


def test_window_starts_a_subsidy_application_for_an_enterprise(app: Flask) -> None:
    window = as_user(app, "window")
    listing = window.get("/start")
    assert "/start/subsidy_instant" in listing.text
    assert "/start/clue_triage" not in listing.text
    form = window.get("/start/subsidy_instant")
    assert "专窗代为受理" in form.text
    assert re.search(r'<option value="一窗"\s+selected>', form.text)
    assert re.search(r'name="materials" type="file" multiple', form.text)
    assert 'enctype="multipart/form-data"' in form.text
    response = window.post("/start/subsidy_instant", data=dict(APPLICATION, channel="一窗"))
    assert response.status_code == 302, response.text
    case = window.get(response.location, follow_redirects=True)
    assert case.status_code == 200
    assert "景德镇某瓷业有限公司" in case.text


def test_window_application_errors_are_shown(app: Flask) -> None:
    window = as_user(app, "window")
    bad = dict(APPLICATION, channel="一窗", credit_code="123", requested_amount="五万")
    response = window.post("/start/subsidy_instant", data=bad)
    assert response.status_code == 422
    assert "应为数字" in response.text and 'data-field="credit_code"' in response.text
    assert "统一社会信用代码应为18位，现为3位" in response.text
    assert 'value="五万"' in response.text


def test_a_credit_code_typed_full_width_or_in_lower_case_is_taken(app: Flask) -> None:
    window = as_user(app, "window")
    for typed in ("９１３６０２００ＭＡ３５ＸＸＸＸ１５", " 91360200ma35xxxx15"):
        response = window.post("/start/subsidy_instant",
                               data=dict(APPLICATION, channel="一窗", credit_code=typed))
        assert response.status_code == 302, response.text
        case = window.get(response.location, follow_redirects=True)
        assert "91360200MA35XXXX15" in case.text


COMMITMENT = {**APPLICATION, "channel": "一网", "project_name": "窑炉节能改造",
              "commitment_accepted": "true", "commitment_signer": "张三",
              "commitment_signed_on": "2026-09-30"}


def test_the_policy_is_picked_from_the_policies_of_the_flow(app: Flask) -> None:
    enterprise = as_user(app, "enterprise")
    form = enterprise.get("/start/subsidy_commitment").text
    picker = re.search(r'<select id="[^"]*" name="policy_id".*?</select>', form, re.S)
    assert picker is not None
    offered = re.findall(r'<option value="([A-Z]{2}-\d{3})"', picker.group(0))
    assert offered == ["CN-001", "CN-002"]
    assert "工业企业技术改造项目补助（承诺兑现，市工信局）" in picker.group(0)
    assert 'href="/policies"' in form  # the catalogue is one click away

    response = enterprise.post("/start/subsidy_commitment",
                               data=dict(COMMITMENT, policy_id="JS-001"))
    assert response.status_code == 422
    error = re.search(r'data-field="policy_id".*?</', response.text, re.S)
    assert error is not None and "即申即享" in response.text
    assert "请通过“惠企政策兑现：即申即享”流程申请" in response.text
    assert "/applications" in response.text and enterprise.get("/applications").text.count(
        "data-instance=") == 0  # nothing was started


def test_the_enterprise_browses_and_searches_the_policy_catalogue(app: Flask) -> None:
    enterprise = as_user(app, "enterprise")
    page = enterprise.get("/policies")
    assert page.status_code == 200
    rows = re.findall(r'data-policy="([A-Z]{2}-\d{3})"', page.text)
    assert {"MS-001", "JS-001", "JS-002", "CN-001", "CN-002"} <= set(rows)
    assert "15个工作日" in page.text and "市工信局" in page.text
    found = enterprise.get("/policies", query_string={"q": "商务"}).text
    assert re.findall(r'data-policy="([A-Z]{2}-\d{3})"', found) == ["JS-002", "CN-002"]
    mode = enterprise.get("/policies", query_string={"mode": "承诺兑现", "q": "技术改造"}).text
    assert re.findall(r'data-policy="([A-Z]{2}-\d{3})"', mode) == ["CN-001"]
    assert "没有符合条件的政策" in enterprise.get("/policies", query_string={"q": "无此政策"}).text
    # 申请 opens the policy's procedure with the policy chosen, online (一网) for an enterprise
    assert 'href="/start/subsidy_instant?policy_id=JS-002"' in found
    assert 'href="/start/subsidy_commitment?policy_id=CN-002"' in found
    assert "?policy_id=MS-001" not in page.text  # 免申即享: nothing to apply for
    form = enterprise.get("/start/subsidy_instant?policy_id=JS-002").text
    assert re.search(r'<option value="JS-002"[^>]*selected', form)
    assert re.search(r'<option value="一网"[^>]*selected', form)
    assert 'href="/start/subsidy' not in as_user(app, "approver").get("/policies").text


def test_the_policy_department_reaches_the_catalogue_its_batch_form_points_to(
        app: Flask) -> None:
    """The 免申即享 batch form tells the clerk to look the policy up on the 惠企政策清单 page:
    the nav links it for the departments that own the policies and the data bureau, not for
    the discipline staff."""
    for user in ("policy_gx", "data_bureau"):
        form = as_user(app, user).get("/start/subsidy_automatic" if user == "policy_gx" else "/")
        assert re.search(r'<a href="/policies"[^>]*id="nav-policies"', form.text), user
        assert 'id="nav-applications"' not in form.text, user  # no applications of their own
    assert 'href="/policies"' not in as_user(app, "intake").get("/").text


def commitment_application(app: Flask) -> tuple[FlaskClient, TestResponse, Engine,
                                                Application, TaskView]:
    """The enterprise applies for CN-002 through 承诺兑现 on its page: its browser, the
    answer (a redirect to the case), the engine, the application and its review task."""
    enterprise = as_user(app, "enterprise")
    started = enterprise.post("/start/subsidy_commitment",
                              data=dict(COMMITMENT, policy_id="CN-002"))
    assert started.status_code == 302, started.text
    eng = app.extensions["kuaiban"]
    [case] = eng.worklists.applications("enterprise")
    review = next(t for t in eng.instance(case.case.instance_id).tasks if t.name == "review")
    return enterprise, started, eng, case, review


def test_the_enterprise_sees_a_refusal_with_its_reason_and_explanation(app: Flask) -> None:
    enterprise, started, eng, case, review = commitment_application(app)
    eng.complete(review.id, {"review_method": "评估评审", "review_date": "2026-09-30",
                             "reviewers": "专家组", "findings": "投资额不足",
                             "commitment_consistent": True}, "policy_sw")
    decide = next(t for t in eng.instance(case.case.instance_id).tasks if t.name == "decide")
    eng.complete(decide.id, {"decision": "reject", "reject_reason": "实际投资额未达到500万元",
                             "policy_explanation": "依据政策第二条，投资额须达到500万元"},
                 "policy_sw")
    listing = enterprise.get("/applications").text
    page = enterprise.get(started.location).text
    for text in (listing, page):
        assert "不予兑现" in text and "实际投资额未达到500万元" in text
        assert "依据政策第二条，投资额须达到500万元" in text
    assert 'id="outcome"' in page


def test_intake_registers_a_clue_with_the_real_form(app: Flask) -> None:
    intake = as_user(app, "intake")
    form = intake.get("/start/clue_triage")
    assert 'type="datetime-local"' in form.text and "问题摘要" in form.text
    response = intake.post("/start/clue_triage", data={
        "channel": "12345热线", "received_at": "2026-09-30T09:15", "accused_unit": "某局",
        "problem_type": "推诿拖延刁难", "summary": "三次往返", "owner": "intake"})
    assert response.status_code == 302
    page = intake.get(response.location)
    assert "ZF-2026-000001" in page.text and "提出处置意见" in page.text
    assert "2026-09-30 09:15" in page.text  # received_at shown in local time
    assert as_user(app, "enterprise").get("/start/clue_triage").status_code == 403


def test_an_untrue_commitment_is_refused_to_the_enterprise_and_reaches_the_credit_department(
        app: Flask) -> None:
    enterprise, started, eng, _, review = commitment_application(app)
    eng.complete(review.id, {"review_method": "现场勘查", "review_date": "2026-09-30",
                             "reviewers": "勘查组", "site_address": "昌江区某工业园",
                             "findings": "生产线尚未投产", "commitment_consistent": False,
                             "untrue_facts": "生产线尚未投产"},
                 "policy_sw")
    page = enterprise.get(started.location).text
    assert "不予兑现" in page and "实际情况与企业承诺不一致：生产线尚未投产" in page
    inbox = as_user(app, "credit_fgw").get("/").text
    assert "不实承诺记入信用记录" in inbox
    assert "不实承诺记入信用记录" not in as_user(app, "policy_sw").get("/").text


def _channel_options(page: str) -> tuple[list[str], bool]:
    """The values the start page's 渠道 select offers, and whether it is fixed (disabled)."""
    select = re.search(r'<select id="[^"]*" name="channel"([^>]*)>(.*?)</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]+)"', select.group(2)), "disabled" in select.group(1)


def test_the_start_page_offers_the_channels_the_form_gives_each_starter(app: Flask) -> None:
    """The choices come from the form's ``x-starter``: an enterprise's own channel is fixed,
    a window's one channel too, an office picks among its own channels only."""
    pages = {(user, key): as_user(app, user).get(f"/start/{key}").text
             for user, key in (("enterprise", "intermediary_clue"),
                               ("enterprise", "subsidy_instant"),
                               ("data_bureau", "intermediary_clue"),
                               ("window", "subsidy_instant"), ("credit_window", "credit_repair"))}
    assert _channel_options(pages["enterprise", "intermediary_clue"]) == (["网上征集"], True)
    assert _channel_options(pages["enterprise", "subsidy_instant"]) == (["一网"], True)
    assert _channel_options(pages["data_bureau", "intermediary_clue"]) == (
        ["投诉电话", "电子邮箱", "12345热线", "来信来访"], False)
    assert _channel_options(pages["window", "subsidy_instant"]) == (["一窗"], True)
    assert _channel_options(pages["credit_window", "credit_repair"]) == (["一窗"], True)
    # a refused submission shows the fixed channel again
    window = as_user(app, "window")
    again = window.post("/start/subsidy_instant", data=dict(APPLICATION, requested_amount="五万"))
    assert again.status_code == 422
    assert re.search(r'<option value="一窗"\s+selected>', again.text)


def test_the_approval_says_how_its_return_differs_from_sending_back(app: Flask) -> None:
    """审批处置意见 offers 退回重拟 in its form (the approver's decision, kept in the case) and
    其他操作 › 退回 (the step undone, no decision): the page says which is which."""
    eng: Engine = app.extensions["kuaiban"]
    case = eng.start("clue_triage", {
        "channel": "12345热线", "received_at": "2026-09-30T08:40:00+08:00",
        "accused_unit": "浮梁县某局", "problem_type": "推诿拖延刁难", "summary": "三次退回材料。",
        "owner": "intake"}, "intake")
    propose = next(t for t in eng.instance(case.id).tasks if t.name == "propose")
    eng.complete(propose.id, {"disposal": "转办", "handler_unit": "浮梁县纪委监委",
                              "proposal_reason": "转承办部门核查。"}, "intake")
    approve = next(t for t in eng.instance(case.id).tasks if t.name == "approve")
    page = as_user(app, "approver").get(f"/tasks/{approve.id}").text
    assert re.search(r'<option value="false"[^>]*>退回重拟</option>', page)
    send_back = page[page.index('id="op-send-back"'):]
    send_back = send_back[:send_back.index("</details>")]
    assert 'id="send-back-what"' in send_back
    hint = send_back.split('id="send-back-what">')[1].split("</p>")[0]
    assert hint == ("此处退回不记办理结果，只把原因告诉原办理人。"
                    "要把退回作为本环节的决定连同意见记入案件，"
                    "请在表单中选择（如审批的“退回重拟”）后提交。")
