"""The 免申即享 payouts through the JSON API: an enterprise's facts (name, credit code,
approved amount) are the task's own; a changed one is refused beside it, a left-out one kept."""

from __future__ import annotations

from engine.api import Engine
from tests.demo_support import demo  # noqa: F401  # fixture
from tests.test_api_helpers import api_of, error_of
from tests.test_ui_payouts import THREE, batch, paid


def test_the_api_refuses_a_changed_approved_amount_beside_it_and_changes_nothing(
        demo: Engine) -> None:  # noqa: F811
    api = api_of(demo)
    case, tasks = batch(demo)
    task_id = tasks[THREE[1]["name"]]
    before = demo.instance(case, "policy_gx").revision
    body = paid(THREE[1], "PZ-0002")
    body["enterprise"].update(amount=999999, paid_amount=999999)
    error = error_of(api.post(f"/tasks/{task_id}/complete", "policy_gx", json={"data": body}),
                     422)
    assert error["code"] == "invalid_data"
    assert set(error["details"]) == {"enterprise.amount"}
    english = api.client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {
        "enterprise": {**paid(THREE[1], "PZ-0002")["enterprise"], "name": "改名企业"}}},
        headers={**api.headers("policy_gx"), "Accept-Language": "en"})
    assert error_of(english, 422)["details"] == {
        "enterprise.name": "read-only: it must stay as the task has it"}
    assert demo.instance(case, "policy_gx").revision == before


def test_the_api_keeps_the_tasks_own_facts_when_only_the_payment_is_sent(
        demo: Engine) -> None:  # noqa: F811
    api = api_of(demo)
    _, tasks = batch(demo)
    task_id = tasks[THREE[2]["name"]]
    payment = {"paid_amount": 80000.5, "paid_on": "2026-09-30", "payment_voucher": "PZ-0003",
               "notice_channel": "短信"}
    answer = api.post(f"/tasks/{task_id}/complete", "policy_gx",
                      json={"data": {"enterprise": payment}})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    done = demo.task_data(task_id, "policy_gx")["enterprise"]
    assert (done["name"], done["credit_code"], done["amount"]) == (
        THREE[2]["name"], THREE[2]["credit_code"], THREE[2]["amount"])
    assert done["payment_voucher"] == "PZ-0003"
