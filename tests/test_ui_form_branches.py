"""The shipped subsidy forms on their pages: the approval's fields follow 审批结果 (every field
shown without scripts, each following one marked for js/branches.js) and what the branch not
taken holds is left out of the submission and of a 暂存; the payouts start at the approved
amount ("x-default": {"from": ...})."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from engine.api import Engine
from tests.conftest import seeded, seeded_with
from tests.process_helpers import task
from tests.test_process_subsidies import (
    REVIEW,
    application,
    apply_commitment,
    subsidy_world,
)
from tests.test_ui_support import PASSWORD, login, make_app

THREE = [{"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000},
         {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 80000.5}]


def world(engine: Engine) -> None:
    subsidy_world(engine)
    for user in ("swj", "gxj"):
        engine.accounts.set_password(user, PASSWORD)


WORLD = seeded(world)
pytestmark = WORLD


@pytest.fixture
def hq(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    if not seeded_with(request, WORLD):
        world(engine)
    return engine


def signed_in(engine: Engine, user: str) -> FlaskClient:
    web = make_app(engine).test_client()
    login(web, user)
    return web


def form_of(page: str) -> str:
    match = re.search(r'<form method="post" action="/tasks/[^"]+" class="schema-form".*?</form>',
                      page, re.S)
    assert match, "no task form"
    return match.group(0)


def box(form: str, name: str) -> str:
    """The opening tag of a field's box."""
    match = re.search(rf'<div class="field[^"]*"[^>]* data-field="{name}"[^>]*>', form)
    assert match, name
    return match.group(0)


def ways(form: str, name: str) -> list[dict[str, object]]:
    found = re.search(r'data-shown-when="([^"]*)"', box(form, name))
    return json.loads(html.unescape(found.group(1))) if found else []


def approval(hq: Engine, requested: int = 36000) -> tuple[int, str]:
    case = hq.start("subsidy_instant", application("JS-002", requested_amount=requested),
                    "qiye")
    return case.id, task(hq, "swj", "approve", instance_id=case.id).id


def test_the_approval_shows_every_field_and_marks_those_following_the_decision(
        hq: Engine) -> None:
    _, approve = approval(hq)
    page = signed_in(hq, "swj").get(f"/tasks/{approve}").text
    form = form_of(page)
    assert ways(form, "decision") == [] and ways(form, "opinion") == []
    assert ways(form, "approved_amount") == [
        {"field": "decision", "in": ["approve"], "not": False, "empty": False, "required": True}]
    assert ways(form, "supplement_items") == [
        {"field": "decision", "in": ["supplement"], "not": False, "empty": False,
         "required": True}]
    assert ways(form, "reject_reason") == [
        {"field": "decision", "in": ["reject"], "not": False, "empty": False, "required": True}]
    assert ways(form, "policy_explanation")[0]["required"] is False
    # without scripts all of them show; the script hides and stars them
    assert "not-chosen" not in form and " hidden>" not in box(form, "reject_reason")
    assert 'id="f-reject_reason"' in form and 'id="f-approved_amount"' in form
    assert re.search(r'不予兑现原因<span class="req when-shown" title="必填" hidden>\*</span>',
                     form)
    assert 'src="/static/js/branches.js"' in page


def test_approving_leaves_out_what_the_rejection_was_typed_with(hq: Engine) -> None:
    case, approve = approval(hq)
    done = signed_in(hq, "swj").post(f"/tasks/{approve}", data={
        "decision": "approve", "approved_amount": "30,000", "opinion": "按实缴保费核定",
        "reject_reason": "理" * 4001,  # too long: refused, were it checked
        "policy_explanation": "同一事项不得重复享受。"})
    assert done.status_code == 302, done.text
    data = hq.instance(case).data
    assert (data["decision"], data["approved_amount"]) == ("approve", 30000)
    assert "reject_reason" not in data
    assert data["policy_explanation"] == ""  # as the case was registered, not as typed


def test_rejecting_leaves_out_an_amount_typed_before(hq: Engine) -> None:
    """An amount above the request would be refused (x-checks) were it kept: it is not."""
    case, approve = approval(hq)
    done = signed_in(hq, "swj").post(f"/tasks/{approve}", data={
        "decision": "reject", "approved_amount": "99,000", "reject_reason": "不符合享受对象条件。"})
    assert done.status_code == 302, done.text
    data = hq.instance(case).data
    assert "approved_amount" not in data and data["outcome"] == "不予兑现"
    assert data["notices"][-1]["reason"] == "不符合享受对象条件。"


def test_a_refused_form_keeps_what_a_hidden_field_holds(hq: Engine) -> None:
    _, approve = approval(hq)
    refused = signed_in(hq, "swj").post(f"/tasks/{approve}", data={
        "decision": "approve", "reject_reason": "先写的理由"})
    assert refused.status_code == 422
    form = form_of(refused.text)
    assert 'has-error' in box(form, "approved_amount")
    assert re.search(r'<textarea id="f-reject_reason"[^>]*>先写的理由</textarea>', form)


def test_a_draft_keeps_no_field_of_the_branch_not_taken(hq: Engine) -> None:
    _, approve = approval(hq)
    saved = signed_in(hq, "swj").post(f"/tasks/{approve}", data={
        "decision": "reject", "approved_amount": "36000", "reject_reason": "材料不全",
        "save_draft": "1"})
    assert saved.status_code == 302, saved.text
    draft = hq.drafts.get(approve, "swj")
    assert draft is not None
    assert draft.data["reject_reason"] == "材料不全" and "approved_amount" not in draft.data


def test_the_instant_payout_starts_at_the_approved_amount(hq: Engine) -> None:
    case, approve = approval(hq)
    hq.complete(approve, {"decision": "approve", "approved_amount": 30000,
                          "opinion": "按实缴保费核定"}, "swj")
    pay = task(hq, "swj", "pay", instance_id=case).id
    form = form_of(signed_in(hq, "swj").get(f"/tasks/{pay}").text)
    assert re.search(r'<input id="f-paid_amount" name="paid_amount" type="text" value="30000"',
                     form)


def test_the_commitment_payout_starts_at_the_approved_amount(hq: Engine) -> None:
    case = apply_commitment(hq).id
    hq.complete(task(hq, "gxj", "review", instance_id=case).id, REVIEW, "gxj")
    hq.complete(task(hq, "gxj", "decide", instance_id=case).id,
                {"decision": "approve", "approved_amount": 640000,
                 "opinion": "按核定投资额的8%补助"}, "gxj")
    pay = task(hq, "gxj", "pay", instance_id=case).id
    web = signed_in(hq, "gxj")
    form = form_of(web.get(f"/tasks/{pay}").text)
    assert 'name="paid_amount" type="text" value="640000"' in form
    # what the clerk changes it to is what is paid
    done = web.post(f"/tasks/{pay}", data={
        "paid_amount": "600000", "paid_on": "2026-09-30", "payment_voucher": "PZ-1",
        "notice_channel": "短信", "partial_payment_confirmed": "true"})
    assert done.status_code == 302, done.text
    assert hq.instance(case).data["paid_amount"] == 600000


def test_each_automatic_payout_starts_at_its_enterprises_amount(hq: Engine) -> None:
    case = hq.start("subsidy_automatic", {"policy_id": "MS-001", "batch_note": "第3批"}, "gxj")
    hq.complete(task(hq, "gxj", "confirm_enterprises", instance_id=case.id).id,
                {"enterprises": THREE, "confirmation_basis": "部门数据比对"}, "gxj")
    web = signed_in(hq, "gxj")
    shown = {}
    for payout in [t for t in hq.inbox.for_user("gxj") if t.name == "pay_enterprise"]:
        form = form_of(web.get(f"/tasks/{payout.id}").text)
        found = re.search(r'name="enterprise\[paid_amount\]" type="text" value="([^"]*)"', form)
        assert found, form
        shown[hq.task_data(payout.id, "gxj")["enterprise"]["name"]] = found.group(1)
    assert shown == {"景德镇甲陶瓷有限公司": "120000", "景德镇乙机械有限公司": "80000.5"}
