"""The case-operation commands of ``kuaiban`` (transfer, delegate, send-back, withdraw,
add-signer, urge, cc, comment, terminate): each works, refuses clearly where it does not
apply, and leaves a chain that verifies and replays."""

from __future__ import annotations

import pytest

from tests.conftest import DIAGRAMS
from tests.test_cli import Run, as_json, cli  # noqa: F401 - the fixture


@pytest.fixture
def case(cli: Run) -> tuple[Run, str]:  # noqa: F811 - the fixture above
    cli("deploy", str(DIAGRAMS / "sendback.bpmn"))
    for name, role in (("li", "intake"), ("wang", "approver"), ("chen", "approver"),
                       ("sun", "case_manager")):
        cli("users", "add", name, "--role", role, "--password", "Qx7-tasks-pass-" + str(len(name)))
    # a county's intake clerk: a copy to the county's unit reaches who may take part in the case
    cli("users", "add", "zhao", "--role", "intake", "--unit", "浮梁县纪委监委",
        "--password", "Qx7-tasks-pass-9")
    instance = cli("start", "sendback", "--data", '{"rounds": 0}', "--as", "li").stdout.strip()
    return cli, instance


def task_of(cli: Run, instance: str, element: str) -> str:  # noqa: F811
    tasks = as_json(cli("tasks", "--instance", instance, "--json"))
    return str(next(t["id"] for t in tasks if t["name"] == element))


def test_send_back_withdraw_and_terminate(case: tuple[Run, str]) -> None:
    cli, instance = case  # noqa: F811
    draft = task_of(cli, instance, "draft")
    refused = cli("send-back", draft, "--as", "li", "--reason", "退回", code=1)
    assert "no earlier step to send back to" in refused.output
    cli("complete", draft, "--as", "li")
    cli("withdraw", draft, "--as", "li")
    draft = task_of(cli, instance, "draft")
    cli("complete", draft, "--as", "li")
    check_b = task_of(cli, instance, "check_b")
    wrong = cli("send-back", check_b, "--to", "check_a", "--as", "wang", "--reason", "x", code=1)
    assert wrong.output == "error: cannot send back to check_a; possible: 登记（draft）\n"
    out = cli("send-back", check_b, "--as", "wang", "--reason", "材料不全").stdout
    assert "open: draft→li" in out
    cli("terminate", instance, "--as", "li", "--reason", "不办了", code=1)
    cli("terminate", instance, "--as", "sun", "--reason", "重复登记")
    shown = as_json(cli("show", instance, "--json"))
    assert shown["status"] == "cancelled" and shown["tasks"] == []
    cli("verify")
    cli("replay", instance)


def test_hand_on_urge_copy_and_comment(case: tuple[Run, str]) -> None:
    cli, instance = case  # noqa: F811
    cli("complete", task_of(cli, instance, "draft"), "--as", "li")
    check_b = task_of(cli, instance, "check_b")
    cli("transfer", check_b, "--to", "chen", "--as", "wang", "--reason", "出差")
    taken = cli("transfer", check_b, "--to", "wang", "--as", "wang", "--reason", "x", code=1)
    assert "being handled by chen" in taken.output
    cli("add-signer", check_b, "--to", "sun", "--as", "chen")
    cli("complete", check_b, "--as", "sun")
    cli("delegate", check_b, "--to", "wang", "--as", "chen")
    cli("complete", check_b, "--as", "wang")
    cli("complete", check_b, "--as", "chen")
    check_a = task_of(cli, instance, "check_a")
    assert "only" in cli("urge", check_a, "--as", "li", code=1).output
    cli("urge", check_a, "--as", "sun", "--note", "请抓紧")
    assert as_json(cli("tasks", "--instance", instance, "--json"))[0]["urged_count"] == 1
    assert as_json(cli("cc", instance, "--to", "浮梁县纪委监委", "--as", "li", "--json")) == [
        "zhao"]
    cli("comment", instance, "--as", "zhao", "--text", "已阅")
    kinds = [e["type"] for e in as_json(cli("history", instance, "--json"))]
    assert kinds[-9:] == ["transferred", "signer_added", "signed", "delegated", "resolved",
                          "completed", "urged", "copied", "commented"]
    cli("verify")
    cli("replay", instance)
