"""The operations on a subsidy application through /api/v1 and the command line: 撤回申请 by
the applicant, 退回补正 by the department at its decision step, and the applicant's
resubmission. Same rules as the case page; refusals in the API's error shape, and on the
command line one line and exit 1."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.api import Engine
from engine.cli import main
from engine.time.clock import FixedClock
from tests.process_helpers import load_units
from tests.test_api_helpers import Api, api_of, error_of
from tests.test_api_operations import valid
from tests.test_process_subsidies import ASKED, application, subsidy_files, subsidy_world
from web.api.openapi import OPENAPI

SUPPLIED = {"requested_amount": 30000, "application_summary": "已补齐保费发票",
            "supplement_note": "补交保费发票和开户许可证"}


@pytest.fixture
def api(engine: Engine) -> Api:
    subsidy_world(engine)
    engine.add_user("qiye_c", ["enterprise"], credit_code="91360200MA35A0001X")
    return api_of(engine)


def _approve_task(api: Api, instance_id: int) -> str:
    tasks = api.get(f"/instances/{instance_id}", "swj").get_json()["tasks"]
    [found] = [t["id"] for t in tasks if t["name"] == "approve"]
    return str(found)


def test_the_applicant_withdraws_its_application(api: Api) -> None:
    case = api.engine.start("subsidy_instant", application("JS-002"), "qiye").id
    path = f"/instances/{case}/withdraw-application"
    error_of(api.post(path, "qiye_c", json={"reason": "不需要了"}), 404)  # not its case
    assert "只有申请人" in error_of(api.post(path, "swj", json={"reason": "x"}), 403)["message"]
    assert error_of(api.post(path, "qiye", json={}), 400)["details"] == {"reason": "此项为必填项"}
    error_of(api.post(path, "qiye", json={"reason": "  "}), 400)
    done = api.post(path, "qiye", json={"reason": "已另行申请同类政策"})
    assert done.status_code == 200
    valid("Instance", done.get_json())
    assert (done.get_json()["status"], done.get_json()["tasks"]) == ("cancelled", [])
    again = error_of(api.post(path, "qiye", json={"reason": "再撤一次"}), 409)
    assert "不能撤回" in again["message"]


def test_the_department_asks_for_supplements_and_the_applicant_resubmits(api: Api) -> None:
    case = api.engine.start("subsidy_instant", application("JS-002"), "qiye").id
    approve = _approve_task(api, case)
    ask = f"/tasks/{approve}/request-supplement"
    resubmit = f"/instances/{case}/resubmit"
    assert "没有待补正" in error_of(api.post(resubmit, "qiye", json={"data": SUPPLIED}),
                                   409)["message"]
    error_of(api.post(ask, "qiye", json={"items": ASKED}), 403)  # not the department
    error_of(api.post(ask, "gxj", json={"items": ASKED}), 404)  # another department's case
    assert error_of(api.post(ask, "swj", json={}), 400)["details"] == {"items": "此项为必填项"}
    error_of(api.post(ask, "swj", json={"items": " "}), 400)
    asked = api.post(ask, "swj", json={"items": ASKED, "opinion": "请一次补齐"})
    assert asked.status_code == 200
    valid("Instance", asked.get_json())
    [step] = asked.get_json()["tasks"]
    assert (step["name"], step["assignee"]) == ("supplement", "qiye")
    [told] = api.get("/notifications?kind=supplement", "qiye").get_json()["notifications"]
    assert told["text"].endswith(f"材料不全，请一次补齐以下材料后重新提交：{ASKED}")
    english = api.client.get("/api/v1/notifications?kind=supplement", headers={
        **api.headers("qiye"), "Accept-Language": "en"}).get_json()["notifications"]
    assert "lacks materials" in english[0]["text"]
    data = api.get(f"/instances/{case}", "swj").get_json()["data"]
    assert (data["decision"], data["supplement_items"]) == ("supplement", ASKED)
    # the 补正材料 step offers no 退回补正 of its own
    assert "不能退回补正" in error_of(api.post(f"/tasks/{step['id']}/request-supplement",
                                               "qiye", json={"items": "x"}), 409)["message"]

    assert "只有申请人" in error_of(api.post(resubmit, "swj", json={"data": SUPPLIED}),
                                   403)["message"]
    missing = error_of(api.post(resubmit, "qiye", json={"data": {"requested_amount": 1}}), 422)
    assert "supplement_note" in missing["details"]
    back = api.post(resubmit, "qiye", json={"data": SUPPLIED})
    assert back.status_code == 200
    assert [t["name"] for t in back.get_json()["tasks"]] == ["approve"]
    assert api.engine.instance(case).data["supplements"][0]["items"] == ASKED


def test_the_operations_are_documented() -> None:
    paths = OPENAPI["paths"]
    assert paths["/instances/{id}/withdraw-application"]["post"]["requestBody"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/ReasonRequest"}
    assert paths["/tasks/{id}/request-supplement"]["post"]["requestBody"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/SupplementRequest"}
    assert "multipart/form-data" in paths["/instances/{id}/resubmit"]["post"]["requestBody"][
        "content"]


# -- the command line ---------------------------------------------------------------------

def _run(runner: CliRunner, env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = runner.invoke(main, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == code, (args, result.exit_code, result.output)
    return result


def test_the_command_line_withdraws_asks_and_resubmits(tmp_path: Path) -> None:
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}
    engine = Engine(env["KUAIBAN_DATABASE_URL"],
                    FixedClock(datetime.fromisoformat(env["KUAIBAN_NOW"])))
    engine.deploy(subsidy_files())
    for name, role, unit in (("swj", "policy_dept", "市商务局"),
                             ("qiye", "enterprise", "景德镇某陶瓷有限公司")):
        engine.add_user(name, [role], unit=unit)
    load_units(engine)
    runner = CliRunner()
    first = engine.start("subsidy_instant", application("JS-002"), "qiye").id
    second = engine.start("subsidy_instant", application("JS-002"), "qiye").id
    engine.close()

    refused = _run(runner, env, "withdraw-application", str(first), "--as", "swj",
                   "--reason", "x", code=1)
    assert refused.output == "error: only the applicant may withdraw its application\n"
    _run(runner, env, "withdraw-application", str(first), "--as", "qiye", code=2)  # no reason
    done = _run(runner, env, "withdraw-application", str(first), "--as", "qiye",
                "--reason", "已另行申请")
    assert done.output == f"withdrew application {first}; instance {first} is cancelled\n"

    tasks = json.loads(_run(runner, env, "tasks", "--as", "swj", "--json").output)
    [approve] = [t["id"] for t in tasks if t["instance_id"] == second]
    early = _run(runner, env, "resubmit", str(second), "--as", "qiye", "--data",
                 json.dumps(SUPPLIED), code=1)
    assert early.output == "error: no supplements are asked of this application now\n"
    blank = _run(runner, env, "request-supplement", approve, "--items", " ", "--as", "swj",
                 code=1)
    assert blank.output == "error: please list the materials to supply\n"
    asked = _run(runner, env, "request-supplement", approve, "--items", ASKED, "--as", "swj")
    assert asked.output.endswith(f"instance {second} is running; open: supplement→qiye\n")
    back = _run(runner, env, "resubmit", str(second), "--as", "qiye", "--data",
                json.dumps(SUPPLIED))
    assert back.output.endswith("open: approve→swj\n")
