"""Cross-field form checks (``x-checks``, engine/definitions/form_checks.py) and a field's own
pattern message, on the shipped forms: a payout above the approved amount is refused, one
below it is a warning the clerk may confirm, a receipt time in the future and a contact that
is neither a phone number nor an e-mail address are refused; a malformed rule fails deploy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.form_checks import CheckContext
from engine.definitions.forms import check_form, validate
from engine.errors import InvalidData
from engine.queries.worklists import Reduction
from engine.time.clock import FixedClock
from tests.process_helpers import at, inbox, task
from tests.test_process_clue_triage import REGISTRATION, clues  # noqa: F401  # fixture
from tests.test_process_clue_triage import WORLD as CLUES
from tests.test_process_subsidies import PAYOUT, application, hq  # noqa: F401  # fixture
from tests.test_process_subsidies import WORLD as SUBSIDIES


def payout_task(hq: Engine, clock: FixedClock) -> str:  # noqa: F811
    hq.start("subsidy_instant", application("JS-002"), "qiye")
    clock.set(at("2026-10-09T10:00:00+08:00"))
    hq.complete(task(hq, "swj", "approve").id, {"decision": "approve",
                                               "approved_amount": 36000}, "swj")
    clock.set(at("2026-10-10T11:00:00+08:00"))
    return task(hq, "swj", "pay").id


def refused(engine: Engine, task_id: str, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidData) as err:
        engine.complete(task_id, data, "swj")
    return err.value.field_errors


@SUBSIDIES
def test_a_payout_above_the_approved_amount_is_refused(hq: Engine,  # noqa: F811
                                                        clock: FixedClock) -> None:
    pay = payout_task(hq, clock)
    errors = refused(hq, pay, {**PAYOUT, "paid_amount": 36000.5})
    assert errors == {"paid_amount": "实际兑付金额不能超过核定兑现金额（36,000元）"}
    # confirming a partial payment does not let an amount above the approved one through
    assert refused(hq, pay, {**PAYOUT, "paid_amount": 40000,
                             "partial_payment_confirmed": True}) == errors


@SUBSIDIES
def test_a_payout_below_the_approved_amount_needs_a_confirmation(hq: Engine,  # noqa: F811
                                                                 clock: FixedClock) -> None:
    pay = payout_task(hq, clock)
    errors = refused(hq, pay, {**PAYOUT, "paid_amount": 30000})
    assert errors["paid_amount"].startswith("实际兑付金额低于核定兑现金额（36,000元）")
    view = hq.complete(pay, {**PAYOUT, "paid_amount": 30000,
                             "partial_payment_confirmed": True}, "swj")
    assert view.data["report"]["paid_amount"] == 30000
    assert hq.verify() == (1, [])


@SUBSIDIES
def test_a_payout_dated_tomorrow_is_refused(hq: Engine, clock: FixedClock) -> None:  # noqa: F811
    pay = payout_task(hq, clock)
    assert refused(hq, pay, {**PAYOUT, "paid_on": "2026-10-11"}) == {
        "paid_on": "拨付日期不能晚于今天"}
    hq.complete(pay, {**PAYOUT, "paid_on": "2026-10-10"}, "swj")  # today is fine


@CLUES
def test_a_clue_received_in_the_future_or_with_a_bad_contact_is_refused(
        clues: Engine) -> None:  # noqa: F811
    with pytest.raises(InvalidData) as err:  # the fixture's clock: 2026-09-30 16:00
        clues.start("clue_triage", {**REGISTRATION, "received_at": "2026-09-30T16:30:00+08:00",
                                    "anonymous": False, "reporter_contact": "abc"}, "li")
    assert err.value.field_errors == {
        "received_at": "收到时间不能晚于当前时间",
        "reporter_contact": "请填写电话号码（数字，可含 + - 括号和空格）或电子邮箱"}
    for contact in ("0798-8221234", "+86 138 0000 0000", "li@example.cn"):
        clues.start("clue_triage", {**REGISTRATION, "anonymous": False,
                                    "reporter_contact": contact}, "li")


def form(**extra: Any) -> str:
    return json.dumps({"type": "object", "properties": {
        "amount": {"type": "number", "title": "金额"},
        "ok": {"type": "boolean", "title": "确认"},
        "note": {"type": "string", "title": "说明"}}, **extra}, ensure_ascii=False)


@pytest.mark.parametrize(("rules", "problem"), [
    ({"field": "amount"}, 'give exactly one of "at_most", "at_least", "before", "after"'),
    ({"field": "nope", "at_most": 1, "message": "x"}, '"field" must name a field'),
    ({"field": "amount", "at_most": 1}, '"message"'),
    ({"field": "amount", "at_most": [1], "message": "x"}, '"now", a field name or a number'),
    ({"field": "amount", "at_most": 1, "message": "x", "confirmed_by": "note"},
     '"confirmed_by" must name a boolean field'),
    ({"field": "amount", "below": 1, "message": "x"}, "unknown key(s): below"),
    ({"field": "amount", "at_most": 1, "message": "x", "explained_by": "ok"},
     '"explained_by" must name a text field'),
])
def test_a_malformed_rule_is_a_deploy_problem(rules: dict[str, Any], problem: str) -> None:
    [found] = map(str, check_form(form(**{"x-checks": [rules]})))
    assert problem in found and "x-checks" in found


def test_a_well_formed_rule_is_no_problem() -> None:
    assert check_form(form(**{"x-checks": [
        {"field": "amount", "at_most": 100, "message": "不超过{limit}", "confirmed_by": "ok"}]}
    )) == []


def test_an_object_fields_own_rules_are_checked_at_deploy() -> None:
    payment = {"type": "object", "title": "兑付", "properties": {
        "amount": {"type": "number", "title": "核定金额"},
        "paid": {"type": "number", "title": "实付金额"}},
        "x-checks": [{"field": "paid", "at_most": "amount"}]}  # no message
    [found] = map(str, check_form(json.dumps(
        {"type": "object", "properties": {"payment": payment}}, ensure_ascii=False)))
    assert '"message"' in found and "x-checks" in found


@pytest.mark.parametrize(("limit", "said"), [
    (12000.5, "12,000.50"), (36000, "36,000"), (36000.0, "36,000"), (0.125, "0.125")])
def test_a_limit_is_said_as_the_pages_show_amounts(limit: float, said: str) -> None:
    schema = {"type": "object", "properties": {
        "paid": {"type": "number"}, "approved": {"type": "number", "readOnly": True}},
        "x-checks": [{"field": "paid", "at_most": "approved", "message": "不能超过{limit}元"}]}
    context = CheckContext({"approved": limit}, at("2026-10-10T11:00:00+08:00"))
    with pytest.raises(InvalidData) as err:
        validate(schema, {"paid": limit + 1}, context)
    assert err.value.field_errors == {"paid": f"不能超过{said}元"}


@SUBSIDIES
def test_an_amount_approved_below_the_one_applied_for_needs_the_reason(
        hq: Engine, clock: FixedClock) -> None:  # noqa: F811
    """核减: 30,000 of the 36,000 applied for is refused, beside 审批意见, until it says why;
    the enterprise reads the amount with that reason, and the full amount needs none."""
    view = hq.start("subsidy_instant", application("JS-002"), "qiye")
    approve = task(hq, "swj", "approve").id
    cut = {"decision": "approve", "approved_amount": 30000}
    for blank in ({}, {"opinion": "  "}):
        assert refused(hq, approve, {**cut, **blank}) == {
            "opinion": "核定兑现金额低于申请金额（36,000元）：须在审批意见中写明核减理由，"
                       "申请企业将看到该理由"}
    reason = "保费发票中6,000元为2025年度保费，不属本年度支持范围。"
    hq.complete(approve, {**cut, "opinion": reason}, "swj")
    [applied] = hq.worklists.applications("qiye")
    assert applied.reduced == Reduction(30000, 36000, reason)
    said = next(n.text_in("zh") for n in hq.notifications.for_user("qiye")
                if n.kind == "decided")
    assert said.endswith("已审核通过，核定兑现金额 30,000.00 元（申请 36,000.00 元），"
                         f"核减理由：{reason}。兑付后另行通知。")
    assert view.business_key in said
    # the full amount needs no reason
    hq.start("subsidy_instant", application("JS-002"), "qiye")
    full = next(t for t in inbox(hq, "swj") if t.instance_id != view.id)
    hq.complete(full.id, {"decision": "approve", "approved_amount": 36000}, "swj")
