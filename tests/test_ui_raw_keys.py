"""No raw keys in front of users: procedures by their names, data by the titles of the forms
that declared it (engine variables only for auditors and designers), time travel showing the
case as it stood then and nothing of today beside it."""

from __future__ import annotations

from flask import Flask

from engine.api import Engine
from tests.test_ui_support import as_user, start_case, task_of, transfer

pytest_plugins = ["tests.test_ui_support"]  # eng, app


def test_engine_variables_are_for_auditors_and_designers(app: Flask, eng: Engine) -> None:
    case = transfer(eng)  # the script task sets status and transfers: no form names them
    clerk = as_user(app, "sun").get(f"/instances/{case}").text
    assert "流程变量" not in clerk and "transfers" not in clerk
    assert "<dt>摘要</dt>" in clerk
    auditor = as_user(app, "audit").get(f"/instances/{case}").text
    assert "流程变量" in auditor and "transfers" in auditor
    # time travel keeps them apart too: the forms' fields first, the variables under 流程变量
    then = as_user(app, "audit").get(f"/instances/{case}?at=3").text
    travel = then.split('id="time-travel"', 1)[1].split("</section>", 1)[0]
    fields, other = travel.split('<details class="other-data">', 1)
    assert "<dt>摘要</dt>" in fields and "transfers" not in fields
    assert "流程变量" in other and "<dt><code>transfers</code></dt>" in other
    clerk_then = as_user(app, "sun").get(f"/instances/{case}?at=3").text
    assert "transfers" not in clerk_then and "流程变量" not in clerk_then


def test_time_travel_shows_the_snapshot_only(app: Flask, eng: Engine) -> None:
    case = start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    client = as_user(app, "sun")
    now = client.get(f"/instances/{case}").text
    assert "当前任务" in now
    then = client.get(f"/instances/{case}?at=1").text
    assert 'id="time-travel"' in then
    assert "当前任务" not in then and "已办任务" not in then  # not today's tasks beside it
    travel = then.split('id="time-travel"', 1)[1].split("</section>", 1)[0]
    assert "<dt>summary</dt>" not in travel and "<dt>unit</dt>" not in travel
    assert "<dt>摘要</dt><dd>拖延办理营业执照</dd>" in travel


def test_the_audit_list_and_start_list_name_procedures(app: Flask, eng: Engine) -> None:
    start_case(eng)
    audit = as_user(app, "audit").get("/audit/").text
    listed = audit.split("<tbody>", 1)[1]
    assert "测试审批" in listed and ">approval<" not in listed
    start = as_user(app, "li").get("/start").text
    assert "测试审批" in start and "approval ·" not in start


def test_procedure_versions_are_for_designers_and_auditors(app: Flask, eng: Engine) -> None:
    """A clerk starts and works cases without a version number to puzzle over; those who
    design the procedures and audit the cases still read which version a case runs."""
    case = start_case(eng)
    start = as_user(app, "li").get("/start").text
    assert "测试审批" in start and "第 1 版" not in start
    for user in ("li", "wang", "sun"):
        page = as_user(app, user).get(f"/instances/{case}").text
        assert "流程版本" not in page and 'id="process-version"' not in page, user
    page = as_user(app, "audit").get(f"/instances/{case}").text
    assert '<span id="process-version">流程版本：v1</span>' in page
