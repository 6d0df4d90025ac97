"""Forms: JSON Schema 2020-12 documents, checked at deploy; submitted data validated with
Chinese messages per field, RFC 3339 dates and conditional (if/then) requirements."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions import forms
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData
from tests.conftest import DIAGRAMS, diagram_files

UNIT = "浮梁县纪委监委"

# A decision form: 不予受理 needs a reason, 转办 needs the unit and a deadline date.
DECISION: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "受理决定",
    "type": "object",
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "title": "决定", "oneOf": [
            {"const": "受理", "title": "受理"},
            {"const": "不予受理", "title": "不予受理"},
            {"const": "转办", "title": "转办"},
        ]},
        "reason": {"type": "string", "title": "理由", "minLength": 1, "x-widget": "textarea"},
        "unit": {"type": "string", "title": "承办单位"},
        "deadline": {"type": "string", "format": "date", "title": "办结期限"},
        "received_at": {"type": "string", "format": "date-time", "title": "收到时间"},
        "count": {"type": "integer", "title": "件数", "minimum": 1, "maximum": 99},
        "tags": {"type": "array", "title": "标签", "items": {"type": "string"},
                 "minItems": 1, "uniqueItems": True},
    },
    "allOf": [
        {"if": {"properties": {"decision": {"const": "不予受理"}}, "required": ["decision"]},
         "then": {"required": ["reason"]}},
        {"if": {"properties": {"decision": {"const": "转办"}}, "required": ["decision"]},
         "then": {"required": ["unit", "deadline"]}},
    ],
    "additionalProperties": False,
}


def errors(data: dict[str, Any], schema: dict[str, Any] = DECISION) -> dict[str, str]:
    """The field errors in Chinese, the forms' language."""
    return {name: said.render("zh") for name, said in forms.field_errors(schema, data).items()}


# -- check_form ----------------------------------------------------------------------------


def test_the_test_forms_and_the_decision_form_are_valid() -> None:
    for path in sorted((DIAGRAMS / "forms").glob("*.json")):
        assert forms.check_form(path.read_text(encoding="utf-8")) == [], path.name
    assert forms.check_form(json.dumps(DECISION, ensure_ascii=False, indent=1)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "object",\n "properties": {\n', "line 3: not valid JSON: "),
        ("[]", "a form must be a JSON object"),
        ('"表单"', "a form must be a JSON object"),
        ('{"type": "array"}', 'a form schema must have "type": "object"'),
        ('{"type": "object", "properties": []}', '"properties" must be an object'),
        ('{"type": "object", "required": ["a"], "properties": {"b": {}}}',
         'line 1: required field "a" is not in "properties"'),
        ('{"type": "object",\n "properties": {"a": {"type": "text"}}}',
         "line 2: not a valid JSON Schema at properties/a/type: "),
        ('{"type": "object", "properties": {"a": {"minLength": -1}}}',
         "not a valid JSON Schema at properties/a/minLength"),
        ('{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}',
         '"$schema" must be "https://json-schema.org/draft/2020-12/schema"'),
        ('{"type": "object",\n "properties": {"mail": {"type": "string", "format": "email"}}}',
         'line 2: format "email" is not checked by Kuaiban'),
        ('{"type": "object",\n "properties": {"n": {"type": "string", "x-case-of": []}}}',
         'line 2: "x-case-of" of "n" must name a procedure'),
        ('{"type": "object",\n "properties": {"n": {"type": "integer", "x-case-of": "a"}}}',
         'line 2: "x-case-of" of "n" must name a procedure'),
        ('{"type": "object",\n "properties": {"s": {"type": "string", "x-redo": "yes"}}}',
         'line 2: "x-redo" of "s" can only be true'),
        ('{"type": "object",\n "properties": {"s": {"type": "string", "readOnly": true,\n'
         ' "x-redo": true}}}', '"x-redo" of "s" can only be true'),
        ('{"type": "object",\n "properties": {"ok": {"type": "boolean",\n'
         ' "x-acknowledgement": true}}}', '"x-acknowledgement" of "ok" can only be true'),
        ('{"type": "object",\n "properties": {"ok": {"type": "string", "const": true,\n'
         ' "x-acknowledgement": true}}}', '"x-acknowledgement" of "ok" can only be true'),
    ],
)
def test_check_form_problems(text: str, expected: str) -> None:
    problems = [str(p) for p in forms.check_form(text)]
    assert any(expected in p for p in problems), problems


def test_check_form_reports_every_problem() -> None:
    text = ('{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",\n'
            ' "required": ["x"],\n "properties": {"d": {"type": "string", "format": "uri"}}}')
    problems = forms.check_form(text)
    assert [p.line for p in problems] == [1, 2, 3]
    assert [str(p).split(":")[0] for p in problems] == ["line 1", "line 2", "line 3"]


# -- field_errors: Chinese messages by field -----------------------------------------------


def test_valid_data_has_no_errors() -> None:
    assert errors({"decision": "受理"}) == {}
    assert errors({"decision": "不予受理", "reason": "不属于受理范围"}) == {}
    assert errors({"decision": "转办", "unit": UNIT, "deadline": "2026-10-08",
                   "received_at": "2026-09-30T16:00:00+08:00", "count": 3,
                   "tags": ["作风"]}) == {}


def test_messages_are_chinese_and_by_field() -> None:
    assert errors({}) == {"decision": "此项为必填项"}
    assert errors({"decision": "随便"}) == {"decision": "不是有效的选项"}
    assert errors({"decision": 1}) == {"decision": "应为文本"}
    assert errors({"decision": "受理", "count": "三"}) == {"count": "应为整数"}
    assert errors({"decision": "受理", "count": 0}) == {"count": "不能小于 1"}
    assert errors({"decision": "受理", "count": 100}) == {"count": "不能大于 99"}
    assert errors({"decision": "受理", "reason": ""}) == {"reason": "此项为必填项"}
    assert errors({"decision": "受理", "tags": []}) == {"tags": "此项为必填项"}
    assert errors({"decision": "受理", "tags": ["a", "a"]}) == {"tags": "不能有重复的项"}
    assert errors({"decision": "受理", "tags": [1]}) == {"tags.0": "应为文本"}
    assert errors({"decision": "受理", "hacker": 1, "x": 2}) == {
        "_": "包含表单中没有的字段：hacker、x"}
    schema = {"type": "object", "properties": {
        "n": {"type": ["integer", "null"], "multipleOf": 5, "exclusiveMinimum": 0},
        "s": {"type": "string", "maxLength": 2, "pattern": "^[A-Z]+$"}}}
    assert errors({"n": "x", "s": "abc"}, schema) == {"n": "应为整数或null", "s": "最多 2 个字符"}
    assert errors({"n": 7, "s": "ab"}, schema) == {"n": "应为 5 的整数倍", "s": "格式不正确"}
    assert errors({"n": 0}, schema) == {"n": "应大于 0"}
    for message in [*errors({"n": 7, "s": "abc"}, schema).values(),
                    *errors({"decision": 5, "count": 1.5, "tags": "x"}).values()]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_a_forms_validator_is_made_once_and_each_form_checks_by_its_own() -> None:
    one = {"type": "object", "properties": {"n": {"type": "integer"}}}
    other = {"type": "object", "properties": {"n": {"type": "string"}}}
    assert forms._validator(one) is forms._validator(one)
    assert forms._validator(one) is not forms._validator(dict(one))  # by the object
    for _ in range(2):
        assert errors({"n": "x"}, one) == {"n": "应为整数"}
        assert errors({"n": 1}, other) == {"n": "应为文本"}


def test_nested_required_fields_are_named_by_path() -> None:
    schema = {"type": "object", "required": ["applicant"], "properties": {
        "applicant": {"type": "object", "required": ["name", "phone"],
                      "properties": {"name": {"type": "string"}, "phone": {"type": "string"}}}}}
    assert errors({"applicant": {}}, schema) == {
        "applicant.name": "此项为必填项", "applicant.phone": "此项为必填项"}


@pytest.mark.parametrize("value", ["2026-09-30", "2026-02-28", "2028-02-29"])
def test_good_dates(value: str) -> None:
    assert errors({"decision": "转办", "unit": UNIT, "deadline": value}) == {}


@pytest.mark.parametrize(
    "value", ["20260930", "2026-9-30", "2026-02-30", "2026-W40-3", "30/09/2026",
              "2026-09-30T00:00:00+08:00", "明天", ""],
)
def test_bad_dates(value: str) -> None:
    assert errors({"decision": "转办", "unit": UNIT, "deadline": value}) == {
        "deadline": "日期格式应为 YYYY-MM-DD"}


@pytest.mark.parametrize(
    "value",
    ["2026-09-30T16:00:00+08:00", "2026-09-30T08:00:00Z", "2026-09-30T16:00+08:00",
     "2026-09-30 16:00:00+08:00", "2026-09-30T16:00:00.123+08:00"],
)
def test_good_date_times(value: str) -> None:
    assert errors({"decision": "受理", "received_at": value}) == {}


@pytest.mark.parametrize(
    "value",
    ["2026-09-30T16:00:00", "2026-09-30", "20260930T160000+0800", "2026-09-30T25:00:00+08:00",
     "2026-13-30T16:00:00+08:00", "yesterday"],
)
def test_bad_date_times(value: str) -> None:
    (message,) = errors({"decision": "受理", "received_at": value}).values()
    assert message.startswith("时间格式应为 ISO 8601") and "+08:00" in message


def test_if_then_makes_fields_required_only_when_the_condition_holds() -> None:
    assert errors({"decision": "不予受理"}) == {"reason": "此项为必填项"}
    assert errors({"decision": "转办"}) == {"unit": "此项为必填项", "deadline": "此项为必填项"}
    assert errors({"decision": "转办", "unit": UNIT, "deadline": "明天"}) == {
        "deadline": "日期格式应为 YYYY-MM-DD"}
    assert errors({"decision": "受理"}) == {}  # neither condition: nothing more needed


def test_dependent_required() -> None:
    schema = {"type": "object", "properties": {"paid": {"type": "boolean"},
                                               "amount": {"type": "number"}},
              "dependentRequired": {"paid": ["amount"]}}
    assert errors({"paid": True}, schema) == {"amount": "此项为必填项"}
    assert errors({}, schema) == {}


def test_validate_raises_invalid_data_with_every_field() -> None:
    with pytest.raises(InvalidData) as err:
        forms.validate(DECISION, {"decision": "转办", "count": 0})
    assert err.value.key == "form.invalid" and err.value.said.render("zh") == "表单填写有误"
    assert err.value.field_errors == {
        "unit": "此项为必填项", "deadline": "此项为必填项", "count": "不能小于 1"}
    with pytest.raises(InvalidData) as err:
        forms.validate(DECISION, ["not", "an", "object"])  # type: ignore[arg-type]
    assert err.value.field_errors == {"_": "提交的数据必须是对象"}
    forms.validate(DECISION, {"decision": "受理"})


# -- forms in a deployed process -----------------------------------------------------------


def test_conditional_start_form_in_a_deployed_process(people: Engine) -> None:
    register = {
        "title": "登记", "type": "object", "required": ["summary", "unit", "channel"],
        "properties": {
            "summary": {"type": "string", "title": "摘要", "minLength": 1},
            "unit": {"type": "string", "title": "承办单位"},
            "channel": {"type": "string", "title": "来源", "enum": ["来信", "来电", "网络"]},
            "phone": {"type": "string", "title": "来电号码", "pattern": "^[0-9-]{7,}$"},
            "received_on": {"type": "string", "format": "date", "title": "收到日期"},
        },
        "if": {"properties": {"channel": {"const": "来电"}}, "required": ["channel"]},
        "then": {"required": ["phone"]},
    }
    files = [f for f in diagram_files("approval.bpmn") if f.name != "test_register.json"]
    files.append(SourceFile("test_register.json", json.dumps(register, ensure_ascii=False)))
    people.deploy(files)
    base = {"summary": "反映问题", "unit": UNIT}
    with pytest.raises(InvalidData) as err:
        people.start("approval", {**base, "channel": "来电", "received_on": "9月30日"}, "li")
    assert err.value.field_errors == {"phone": "此项为必填项",
                                      "received_on": "日期格式应为 YYYY-MM-DD"}
    view = people.start("approval", {**base, "channel": "来信", "received_on": "2026-09-30"},
                        "li")
    assert view.data["received_on"] == "2026-09-30"
    view = people.start("approval", {**base, "channel": "来电", "phone": "0798-1234567"}, "li")
    assert view.status == "running"


def test_read_only_fields_cannot_be_submitted() -> None:
    from engine.definitions.forms import validate_submission

    schema = {"type": "object", "properties": {
        "unit": {"type": "string", "readOnly": True}, "note": {"type": "string"}}}
    validate_submission(schema, {"note": "ok"})
    with pytest.raises(InvalidData) as err:
        validate_submission(schema, {"unit": "乐平市纪委监委", "note": "x"})
    assert err.value.field_errors == {"unit": "此字段只读"}


def test_a_start_form_default_fills_a_field_left_out() -> None:
    """A script may read an optional field whose start form gives a default: left out, it
    has the default; given, its value; a read-only field's default is no data."""
    schema = {"type": "object", "properties": {
        "approval_item": {"type": "string", "default": ""},
        "urgent": {"type": "boolean", "default": False},
        "shown": {"type": "string", "readOnly": True, "default": "x"},
        "note": {"type": "string"}}}
    assert forms.with_defaults(schema, {"note": "n"}) == {
        "approval_item": "", "urgent": False, "note": "n"}
    assert forms.with_defaults(schema, {"approval_item": "环评审批", "urgent": True}) == {
        "approval_item": "环评审批", "urgent": True}
    assert forms.with_defaults(None, {"a": 1}) == {"a": 1}
