"""Start-form fields whose value follows who starts the case (``x-starter``): the 申请渠道 of
the subsidy applications and the 线索来源 of the 中介服务 clue. An enterprise starting a case
itself gets its online channel whichever way it starts (the pages, the API, the command line,
a bulk start); staff choose among theirs; a designer is told of a wrong use at deploy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import BatchRow, check_form
from engine.api import Engine
from engine.cli import main
from engine.definitions.files import SourceFile
from engine.errors import InvalidData, ValidationFailed
from tests.conftest import diagram_files
from tests.demo_support import APPLICATION, SHIPPED_AT, shipped_engine
from tests.test_api_helpers import Api, error_of
from tests.test_ui_support import frozen, make_app

CLUE = {"anonymous": False, "reporter_name": "景德镇某建材有限公司",
        "contact_phone": "13800000000", "intermediary_name": "某工程咨询有限公司",
        "approval_dept": "浮梁县某审批股", "problem_category": "市场秩序",
        "problem_description": "窗口工作人员要求必须委托某工程咨询有限公司编制报告"}
SUBSIDY = {k: v for k, v in {**APPLICATION, "policy_id": "JS-002"}.items() if k != "channel"}


@pytest.fixture
def shipped(tmp_path: Path) -> Iterator[Engine]:
    """The shipped procedures and the demo users: ``enterprise`` (企业), ``window`` (惠企政策
    兑现专窗) and ``data_bureau`` (市政数局, who registers the office's clues)."""
    engine = shipped_engine(tmp_path, frozen(SHIPPED_AT))
    yield engine
    engine.close()


def test_an_enterprise_sending_an_office_channel_through_the_api_is_refused(
        shipped: Engine) -> None:
    api = Api(make_app(shipped), shipped)
    path = "/processes/intermediary_clue/instances"
    refused = api.post(path, "enterprise", json={"data": {**CLUE, "channel": "投诉电话"}})
    error = error_of(refused, 422)
    assert error["details"] == {"channel": "企业自行发起时此项为“网上征集”，不能选择“投诉电话”"}
    english = api.client.post("/api/v1" + path, json={"data": {**CLUE, "channel": "来信来访"}},
                              headers={**api.headers("enterprise"), "Accept-Language": "en"})
    assert error_of(english, 422)["details"] == {
        "channel": 'an enterprise starting the case itself files it as "网上征集", not "来信来访"'}
    assert shipped.worklists.applications("enterprise") == []  # nothing was started

    left_out = api.post(path, "enterprise", json={"data": CLUE})
    assert left_out.status_code == 201, left_out.text
    assert left_out.get_json()["data"]["channel"] == "网上征集"


def test_the_office_chooses_among_its_channels_and_not_the_enterprises(
        shipped: Engine) -> None:
    api = Api(make_app(shipped), shipped)
    path = "/processes/intermediary_clue/instances"
    for channel in ("投诉电话", "来信来访"):
        started = api.post(path, "data_bureau", json={"data": {**CLUE, "channel": channel}})
        assert started.status_code == 201, started.text
        assert started.get_json()["data"]["channel"] == channel
    online = api.post(path, "data_bureau", json={"data": {**CLUE, "channel": "网上征集"}})
    assert error_of(online, 422)["details"] == {"channel": (
        "工作人员发起时不能选择“网上征集”（企业自行发起的为“网上征集”），请从以下选项中选择："
        "投诉电话、电子邮箱、12345热线、来信来访")}
    with pytest.raises(InvalidData) as err:  # the office has several: it must say which
        shipped.start("intermediary_clue", CLUE, "data_bureau")
    assert err.value.field_errors == {"channel": "此项为必填项"}


def test_the_window_takes_in_applications_through_the_window_only(shipped: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        shipped.start("subsidy_instant", {**SUBSIDY, "channel": "一网"}, "window")
    assert err.value.field_errors == {"channel": (
        "工作人员发起时不能选择“一网”（企业自行发起的为“一网”），请从以下选项中选择：一窗")}
    assert shipped.start("subsidy_instant", SUBSIDY, "window").data["channel"] == "一窗"
    with pytest.raises(InvalidData) as err:
        shipped.start("subsidy_instant", {**SUBSIDY, "channel": "一窗"}, "enterprise")
    assert err.value.field_errors == {"channel": "企业自行发起时此项为“一网”，不能选择“一窗”"}
    assert shipped.start("subsidy_instant", SUBSIDY, "enterprise").data["channel"] == "一网"
    # a value that is no channel at all is the form's own error, whoever sends it
    with pytest.raises(InvalidData) as err:
        shipped.start("subsidy_instant", {**SUBSIDY, "channel": "微信"}, "enterprise")
    assert err.value.field_errors == {"channel": "不是有效的选项"}


def test_the_command_line_starts_by_the_same_rule(shipped: Engine, tmp_path: Path) -> None:
    shipped.close()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'shipped.db'}",
           "KUAIBAN_NOW": SHIPPED_AT, "KUAIBAN_CLI_LANGUAGE": "zh"}
    runner = CliRunner()
    refused = runner.invoke(main, ["start", "credit_repair", "--as", "enterprise", "--data",
                                   json.dumps({**_credit_repair(), "channel": "一窗"})], env=env)
    assert refused.exit_code != 0
    assert "企业自行发起时此项为“一网”，不能选择“一窗”" in refused.output
    started = runner.invoke(main, ["start", "credit_repair", "--as", "credit_window", "--data",
                                   json.dumps(_credit_repair())], env=env)
    assert started.exit_code == 0, started.output
    again = Engine(env["KUAIBAN_DATABASE_URL"], clock=frozen(SHIPPED_AT))
    try:
        assert again.instance(int(started.output)).data["channel"] == "一窗"
    finally:
        again.close()


def _credit_repair() -> dict[str, Any]:
    return {"enterprise_name": "景德镇某瓷业有限公司", "credit_code": "91360200MA35B0001M",
            "contact_person": "王经理", "contact_phone": "0798-8888888",
            "record_type": "行政处罚信息", "record_no": "景市监罚〔2026〕12号",
            "record_summary": "未按规定公示年度报告", "corrective_actions": "已补报并缴纳罚款",
            "commitment_accepted": True, "commitment_signer": "张三（法定代表人）"}


def test_a_bulk_start_checks_every_row_by_the_rule(shipped: Engine) -> None:
    rows = [BatchRow(2, SUBSIDY, "w:2"), BatchRow(3, {**SUBSIDY, "channel": "一网"}, "w:3"),
            BatchRow(4, {**SUBSIDY, "channel": "一窗"}, "w:4")]
    report = shipped.start_batch("subsidy_instant", rows, "window")
    assert report.refused and not report.started
    [bad] = report.invalid
    assert bad.line == 3 and bad.fields["channel"].startswith("工作人员发起时不能选择“一网”")
    report = shipped.start_batch("subsidy_instant", rows, "window", skip_invalid=True)
    assert [s.line for s in report.started] == [2, 4]
    assert {shipped.instance(s.instance_id).data["channel"] for s in report.started} == {"一窗"}
    mine = shipped.start_batch("subsidy_instant", [BatchRow(2, {**SUBSIDY, "channel": "一窗"},
                                                            "e:2")], "enterprise")
    assert mine.refused and mine.invalid[0].fields == {
        "channel": "企业自行发起时此项为“一网”，不能选择“一窗”"}


# -- what the designer is told ---------------------------------------------------------------

def _form(channel: dict[str, Any]) -> str:
    return json.dumps({"type": "object", "properties": {"channel": channel}},
                      ensure_ascii=False, indent=1)


def _line_of_starter(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if '"x-starter"' in line)


CHOICE = {"type": "string", "enum": ["一网", "一窗"]}


@pytest.mark.parametrize(("rule", "said"), [
    ("一网", '"x-starter" of "channel" must be {"enterprise": value, "staff": [values]}'),
    ({"staff": ["一窗"]}, '"x-starter" of "channel" must be {"enterprise"'),
    ({"enterprise": "一网", "staff": []}, '"x-starter" of "channel" must be'),
    ({"enterprise": "一网", "window": ["一窗"]}, '"x-starter" of "channel" must be'),
    ({"enterprise": "一网", "staff": ["一窗", "柜台"]},
     '"x-starter" of "channel" names 柜台, not among the field\'s options 一网, 一窗'),
    ({"enterprise": "网上"}, "names 网上, not among"),
])
def test_a_malformed_starter_rule_is_refused_at_its_line(rule: Any, said: str) -> None:
    text = _form({**CHOICE, "x-starter": rule})
    [problem] = check_form(text)
    assert problem.line == _line_of_starter(text) and said in str(problem)


def test_a_starter_rule_needs_a_field_of_choices() -> None:
    text = _form({"type": "string", "x-starter": {"enterprise": "一网"}})
    [problem] = check_form(text)
    assert '"x-starter" of "channel": the field must list its values' in str(problem)
    assert problem.line == _line_of_starter(text) and problem.said.render("zh").endswith(
        '字段“channel”的 "x-starter"：该字段须列出可选值（"enum"，或含 "const" 的 "oneOf"）')
    assert check_form(_form({**CHOICE, "x-starter": {"enterprise": "一网"}})) == []


def test_a_starter_rule_on_a_tasks_form_is_refused_at_deploy(people: Engine) -> None:
    propose = {"title": "处置意见", "type": "object", "required": ["proposal"],
               "properties": {"proposal": {"type": "string", "title": "处置意见",
                                           "enum": ["转办", "予以了结"],
                                           "x-starter": {"enterprise": "转办"}}}}
    files = [f for f in diagram_files("approval.bpmn") if f.name != "test_propose.json"]
    files.append(SourceFile("test_propose.json", json.dumps(propose, ensure_ascii=False)))
    with pytest.raises(ValidationFailed) as err:
        people.deploy(files)
    [problem] = err.value.problems
    assert (problem.file, problem.element) == ("approval.bpmn", "propose")
    assert problem.said.render("zh").startswith(
        '表单“test_propose”在字段“proposal”上声明了 "x-starter"，但它是任务表单')
