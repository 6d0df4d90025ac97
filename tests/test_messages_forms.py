"""Form documents, form submissions and the API's own input checks are explained in the
reader's language: each problem ``check_form`` finds has its own key, and so has each field
error of a submission and each detail of a refused request."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import InvalidData, msg
from engine.api import Engine
from engine.definitions.forms import check_form, validate
from engine.org.directory import Directory, Unit
from tests.test_ui_support import as_user, choose_language, start_case, task_of
from web import tokens

pytest_plugins = ["tests.test_ui_support"]

BROKEN_FORM = json.dumps({"type": "object", "properties": {
    "a": {"type": "string", "x-org-unit": {"tag": "县区"}},
    "b": {"type": "string", "x-user": {"roles": ["no_such_role"]}}}}, indent=1)


def _english(client: FlaskClient) -> FlaskClient:
    choose_language(client)
    return client


def test_each_form_problem_has_its_own_key_and_parameters() -> None:
    first, second = check_form(BROKEN_FORM)
    assert (first.line, first.problem.key, dict(first.problem.params)) == (
        6, "form.org_unit_shape", {"name": "a"})
    assert second.problem.key == "form.user_unknown_roles"
    assert second.said.render("zh") == '第 12 行：字段“b”的 "x-user" 含有未知角色：no_such_role'
    assert str(second) == 'line 12: "x-user" of "b" names unknown roles: no_such_role'
    [rule] = check_form(json.dumps({"type": "object", "properties": {"n": {"type": "number"}},
                                    "x-checks": [{"field": "n", "below": 1}]}))
    assert rule.problem.key == "form.checks_rule"
    assert rule.said.render("zh") == '第 1 行："x-checks" 第 1 条规则：未知的键：below'
    assert str(rule) == 'line 1: "x-checks" rule 1: unknown key(s): below'


def test_the_form_preview_in_chinese_and_in_english(designer: FlaskClient, app: Flask) -> None:
    chinese = designer.post("/designer/modeler/form-preview", json={"schema": BROKEN_FORM})
    assert chinese.headers["X-Form-Problems"] == "2"
    assert "第 6 行：字段“a”的 &#34;x-org-unit&#34; 应为 true" in chinese.text
    assert "must be true" not in chinese.text
    english = _english(as_user(app, "design")).post("/designer/modeler/form-preview",
                                                    json={"schema": BROKEN_FORM})
    assert "line 6: &#34;x-org-unit&#34; of &#34;a&#34; must be true" in english.text
    assert "应为" not in english.text


def _upload(client: FlaskClient, headers: dict[str, str], language: str) -> dict[str, object]:
    data = {"file": (io.BytesIO(BROKEN_FORM.encode()), "broken_form.json")}
    response = client.post("/api/v1/processes", data=data, content_type="multipart/form-data",
                           headers={**headers, "Accept-Language": language})
    assert response.status_code == 422, response.text
    error: dict[str, object] = response.get_json()["error"]
    return error


def test_a_broken_form_deployed_through_the_api_in_either_language(app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": "Bearer " + tokens.issue(app.config["SECRET_KEY"], "design")}
    chinese = _upload(client, bearer, "zh-CN")
    details = chinese["details"]
    assert isinstance(details, list)
    assert [(d["line"], d["key"]) for d in details] == [
        (6, "form.org_unit_shape"), (12, "form.user_unknown_roles")]
    assert details[1]["message"] == '字段“b”的 "x-user" 含有未知角色：no_such_role'
    assert details[1]["params"] == {"name": "b", "roles": ["no_such_role"]}
    english = _upload(client, bearer, "en")
    details = english["details"]
    assert isinstance(details, list)
    assert details[1]["message"] == '"x-user" of "b" names unknown roles: no_such_role'


def test_the_apis_field_details_in_the_requested_language(app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": "Bearer " + tokens.issue(app.config["SECRET_KEY"], "li")}

    def details(path: str, language: str) -> object:
        response = client.get(path, headers={**bearer, "Accept-Language": language})
        assert response.status_code == 400, response.text
        return response.get_json()["error"]["details"]

    assert details("/api/v1/tasks?overdue=perhaps", "en") == {"overdue": "must be true or false"}
    assert details("/api/v1/tasks?overdue=perhaps", "zh-CN") == {"overdue": "应为 true 或 false"}
    assert details("/api/v1/tasks?instance=x", "en") == {"instance": "must be a positive integer"}
    assert details("/api/v1/tasks?instance=x", "zh") == {"instance": "应为正整数"}
    wrong = {"data": [1], "business_key": 5}
    for language, expected in (
            ("en", {"data": "must be a JSON object, not a JSON array",
                    "business_key": "must be a string, not a number"}),
            ("zh", {"data": "应为对象，而不是数组", "business_key": "应为文本，而不是数字"})):
        response = client.post("/api/v1/processes/approval/instances", json=wrong,
                               headers={**bearer, "Accept-Language": language})
        assert response.status_code == 400, response.text
        assert response.get_json()["error"]["details"] == expected


def test_a_task_forms_field_errors_in_the_readers_language(app: Flask, eng: Engine) -> None:
    start_case(eng)
    task_id = task_of(eng, "li", "propose")
    chinese = as_user(app, "li").post(f"/tasks/{task_id}", data={"proposal": "随便"})
    assert chinese.status_code == 422 and "不是有效的选项" in chinese.text
    english = _english(as_user(app, "li")).post(f"/tasks/{task_id}", data={"proposal": "随便"})
    assert english.status_code == 422
    assert "not one of the options" in english.text and "不是有效的选项" not in english.text
    missing = _english(as_user(app, "li")).post("/start/approval", data={"summary": ""})
    assert missing.status_code == 422
    assert "this field is required" in missing.text and "此项为必填项" not in missing.text


def test_the_apis_form_errors_in_the_requested_language(app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": "Bearer " + tokens.issue(app.config["SECRET_KEY"], "li")}
    body = {"data": {"summary": 5}}
    for language, expected in (
            ("en", {"summary": "must be text", "unit": "this field is required"}),
            ("zh-CN", {"summary": "应为文本", "unit": "此项为必填项"}),
            (None, {"summary": "应为文本", "unit": "此项为必填项"})):
        headers = {**bearer, **({"Accept-Language": language} if language else {})}
        response = client.post("/api/v1/processes/approval/instances", json=body,
                               headers=headers)
        assert response.status_code == 422, response.text
        error = response.get_json()["error"]
        assert error["code"] == "invalid_data" and error["details"] == expected


def test_field_errors_keep_their_chinese_mapping_and_carry_keys() -> None:
    schema = {"type": "object", "required": ["n"],
              "properties": {"n": {"type": ["integer", "string"], "maximum": 3},
                             "tags": {"type": "array", "minItems": 2}}}
    with pytest.raises(InvalidData) as refused:
        validate(schema, {"tags": ["a"]})
    assert refused.value.field_errors == {"n": "此项为必填项", "tags": "至少选择 2 项"}
    assert refused.value.field_said["tags"] == msg("field.min_items", limit=2)
    assert refused.value.field_errors_in("en") == {"n": "this field is required",
                                                   "tags": "choose at least 2"}
    with pytest.raises(InvalidData) as typed:
        validate(schema, {"n": True})
    assert typed.value.field_errors == {"n": "应为整数或文本"}
    assert typed.value.field_errors_in("en") == {"n": "must be a whole number or text"}


def test_a_unit_field_naming_no_unit_in_either_language() -> None:
    found = Directory([Unit("fl", "浮梁县纪委监委", "浮梁县纪律检查委员会", kind="纪委监委")])
    with pytest.raises(InvalidData) as refused:
        found.resolve("浮梁县纪委", "handler_unit")
    assert refused.value.field_errors == {
        "handler_unit": "单位名录中没有“浮梁县纪委”，您是否要找：浮梁县纪委监委"}
    assert refused.value.field_errors_in("en") == {
        "handler_unit": 'the directory has no unit "浮梁县纪委"; did you mean: 浮梁县纪委监委'}


def test_the_engines_own_field_errors_are_keyed_too(eng: Engine) -> None:
    with pytest.raises(InvalidData) as refused:
        eng.add_user("xu", ["no_such_role"])
    assert refused.value.field_errors == {"role": "未知的角色：no_such_role"}
    assert refused.value.field_errors_in("en") == {"role": "unknown roles: no_such_role"}
    assert refused.value.field_said["role"].key == "field.unknown_roles"


def test_a_refused_batch_row_in_the_requested_language(app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": "Bearer " + tokens.issue(app.config["SECRET_KEY"], "li")}
    rows = {"rows": [{"summary": 5, "unit": "浮梁县纪委监委"}]}
    said = {}
    for language in ("en", "zh"):
        response = client.post("/api/v1/processes/approval/instances:batch", json=rows,
                               headers={**bearer, "Accept-Language": language})
        assert response.status_code == 422, response.text
        said[language] = response.get_json()["error"]["details"]["1"]
    assert said["en"] == "line 1: The form has errors (summary: must be text)"
    assert said["zh"] == "line 1: 表单填写有误 (summary: 应为文本)"
