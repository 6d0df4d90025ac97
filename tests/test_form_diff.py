"""A form's changes between two versions read as a designer says them (engine/definitions/
form_diff.py): one keyed message per change, in Chinese and English, never the JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine import MESSAGES
from engine.definitions.form_diff import describe_form_change
from engine.definitions.form_words import DESCRIBERS
from engine.messages import Msg

FORMS = Path(__file__).resolve().parent.parent / "forms"


def form(**props: Any) -> dict[str, Any]:
    return {"title": "办理", "type": "object", "properties": props}


def zh(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [m.render("zh") for m in describe_form_change(before, after)]


def en(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [m.render("en") for m in describe_form_change(before, after)]


OPINION = {"type": "string", "title": "意见", "x-widget": "textarea", "maxLength": 200}


def test_the_examples_designers_gave() -> None:
    before = {**form(opinion=OPINION, remark={"type": "string", "title": "备注"},
                     decision={"type": "string", "title": "结论",
                               "oneOf": [{"const": "同意", "title": "同意"}]}),
              "required": ["opinion", "decision"]}
    after = {**form(opinion={**OPINION, "title": "处理意见", "maxLength": 500},
                    decision={"type": "string", "title": "结论",
                              "oneOf": [{"const": "同意", "title": "同意"},
                                        {"const": "退回", "title": "退回"}]},
                    files={"type": "array", "title": "附件", "items": {"type": "string"},
                           "x-file": {"accept": ["pdf"]}}),
             "required": ["decision", "files"]}
    assert zh(before, after) == [
        "字段「处理意见」：必填 → 选填",
        "字段「处理意见」：标题 “意见” → “处理意见”",
        "字段「处理意见」：最大长度 200 → 500",
        "字段「结论」：选项增加「退回」",
        "新增字段「附件」（文件，必填）",
        "删除字段「备注」",
    ]
    assert en(before, after) == [
        'field "处理意见": required → optional',
        'field "处理意见": title "意见" → "处理意见"',
        'field "处理意见": maximum length 200 → 500',
        'field "结论": option "退回" added',
        'new field "附件" (file, required)',
        'field "备注" removed',
    ]


def test_unchanged_forms_say_nothing() -> None:
    for path in sorted(FORMS.glob("*.json"))[:20]:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert describe_form_change(schema, copy.deepcopy(schema)) == [], path.name


@pytest.mark.parametrize(("before", "after", "said"), [
    ({"minLength": 1}, {"minLength": 2}, "最小长度 1 → 2"),
    ({}, {"maxLength": 50}, "最大长度 不限 → 50"),
    ({"maxLength": 50}, {}, "最大长度 50 → 不限"),
    ({"description": "写明理由"}, {"description": "写明理由和依据"},
     "说明 “写明理由” → “写明理由和依据”"),
    ({"pattern": "\\S"}, {"pattern": "^\\d+$"}, "格式规则 “\\S” → “^\\d+$”"),
    ({}, {"x-pattern-message": "只填数字"}, "格式提示 无 → “只填数字”"),
    ({"x-widget": "textarea"}, {}, "输入方式 多行文本框 → 默认"),
    ({}, {"x-phrases": True}, "提供常用意见 否 → 是"),
    ({}, {"readOnly": True}, "只读 否 → 是"),
    ({"default": ""}, {"default": "无"}, "默认值 “” → “无”"),
    ({}, {"x-default": "blank"}, "预填 无 → 每次留空"),
    ({}, {"x-default": {"from": "approved_amount"}}, "预填 无 → “approved_amount”的值"),
    ({}, {"x-confidential": ["intake", "auditor"]}, "可见角色 所有人 → 受理员、审计/监督"),
    ({}, {"x-starter": {"enterprise": "一网"}}, "设置按发起人取值"),
    ({}, {"x-case-of": "clue_triage"}, "设置所指案件的流程"),
    ({"x-case-of": "clue_triage"}, {"x-case-of": "clue_triage",
                                    "x-case-awaits": "escalation_approved"},
     "设置所指案件须正在等待的消息"),
    ({"x-brand-new": 1}, {"x-brand-new": 2}, "其他修改：x-brand-new"),
])
def test_each_keyword_of_a_text_field(before: dict[str, Any], after: dict[str, Any],
                                      said: str) -> None:
    text = {"type": "string", "title": "理由"}
    assert zh(form(reason={**text, **before}), form(reason={**text, **after})) == [
        f"字段「理由」：{said}"]


def test_in_english_roles_and_lists_read_in_english() -> None:
    text = {"type": "string", "title": "理由"}
    confidential = {**text, "x-confidential": ["intake", "auditor"]}
    assert en(form(r=text), form(r=confidential)) == [
        'field "理由": visible to everyone → Intake Clerk, Auditor']
    assert en(form(r=confidential), form(r={**text, "x-confidential": ["auditor"]})) == [
        'field "理由": visible to Intake Clerk, Auditor → Auditor']
    files = {"type": "array", "title": "附件", "items": {"type": "string"},
             "x-file": {"accept": ["pdf", "image"]}}
    assert en(form(f=files), form(f={**files, "x-file": {"accept": ["pdf"]}})) == [
        'field "附件": file types pdf, image → pdf']


def test_a_long_list_is_cut() -> None:
    text = {"type": "string", "title": "x"}
    many = [f"选项{i:02d}" for i in range(40)]
    [said] = zh(form(x=text), form(x={**text, "default": many}))
    assert said.startswith("字段「x」：默认值 无 → 选项00、选项01、") and said.endswith("、…")
    assert len(said) < 120


@pytest.mark.parametrize(("before", "after", "said"), [
    ({"minimum": 0}, {"minimum": 1}, "最小值 0 → 1"),
    ({"maximum": 100.0}, {"maximum": 1000.5}, "最大值 100 → 1000.5"),
    ({"exclusiveMinimum": 0}, {}, "须大于 0 → 不限"),
    ({}, {"exclusiveMaximum": 10}, "须小于 不限 → 10"),
    ({}, {"multipleOf": 0.01}, "须为倍数 不限 → 0.01"),
    ({"x-unit": "元"}, {"x-unit": "万元"}, "计量单位 “元” → “万元”"),
    ({"type": "number"}, {"type": "integer"}, "类型 数字 → 整数"),
])
def test_each_keyword_of_a_number_field(before: dict[str, Any], after: dict[str, Any],
                                        said: str) -> None:
    number = {"type": "number", "title": "金额"}
    assert zh(form(amount={**number, **before}), form(amount={**number, **after})) == [
        f"字段「金额」：{said}"]


def test_a_new_kind_says_so_once() -> None:
    text = {"type": "string", "title": "日期"}
    assert zh(form(on=text), form(on={**text, "format": "date"})) == [
        "字段「日期」：类型 文本 → 日期"]
    assert zh(form(on={**text, "format": "date"}), form(on={**text, "format": "date-time"})) \
        == ["字段「日期」：类型 日期 → 日期时间"]
    assert zh(form(on=text), form(on={**text, "x-org-unit": True})) == [
        "字段「日期」：类型 文本 → 单位"]
    assert zh(form(on=text), form(on={**text, "x-user": {"roles": ["intake"]}})) == [
        "字段「日期」：类型 文本 → 人员"]
    assert zh(form(on=text), form(on={**text, "x-policy": {"modes": ["免申即享"]}})) == [
        "字段「日期」：类型 文本 → 政策"]
    assert zh(form(on=text), form(on={**text, "format": "email"})) == [
        "字段「日期」：格式 无 → “email”"]  # a format Kuaiban does not name: as written
    assert zh(form(on=text), form(on={**text, "enum": ["甲", "乙"]})) == [
        "字段「日期」：类型 文本 → 单选", "字段「日期」：选项增加「甲」",
        "字段「日期」：选项增加「乙」"]


def test_pickers_changed_in_place_are_named_not_dumped() -> None:
    unit = {"type": "string", "title": "承办单位", "x-org-unit": {"tags": ["承办部门"]}}
    assert zh(form(u=unit), form(u={**unit, "x-org-unit": {"tags": ["牵头部门"]}})) == [
        "字段「承办单位」：单位选择范围已修改"]
    person = {"type": "string", "title": "经办人", "x-user": True}
    assert en(form(p=person), form(p={**person, "x-user": {"same_unit": True}})) == [
        'field "经办人": the people offered changed']
    catalogue = {"type": "string", "title": "事项", "x-catalogue": "catalogue_a"}
    assert zh(form(c=catalogue), form(c={**catalogue, "x-catalogue": "catalogue_b"})) == [
        "字段「事项」：目录决策表 “catalogue_a” → “catalogue_b”"]


def test_choices_from_enum_enum_names_and_one_of() -> None:
    enum = {"type": "string", "title": "结果", "enum": ["属实", "部分属实", "不属实"]}
    assert zh(form(r=enum), form(r={**enum, "enum": ["不属实", "属实", "查无此事"]})) == [
        "字段「结果」：选项增加「查无此事」", "字段「结果」：选项删除「部分属实」",
        "字段「结果」：选项顺序调整"]
    named = {**enum, "enum": [1, 2], "enumNames": ["一级", "二级"]}
    assert zh(form(r=named), form(r={**named, "enumNames": ["一级", "二级（重点）"]})) == [
        "字段「结果」：选项「二级」改为「二级（重点）」"]
    one_of = {"type": "string", "title": "方式",
              "oneOf": [{"const": "sms", "title": "短信"}, {"const": "tel", "title": "电话"}]}
    as_enum = {"type": "string", "title": "方式", "enum": ["sms", "tel"]}
    assert zh(form(m=one_of), form(m=as_enum)) == [
        "字段「方式」：选项「短信」改为「sms」", "字段「方式」：选项「电话」改为「tel」"]
    boxes = {"type": "array", "title": "渠道", "x-widget": "checkboxes",
             "items": {"type": "string", "enum": ["网站", "电话"]}}
    assert zh(form(c=boxes), form(c={**boxes, "items": {"type": "string",
                                                         "enum": ["网站", "电话", "信件"]}})) == [
        "字段「渠道」：选项增加「信件」"]
    alternatives = {"type": "string", "title": "号码", "anyOf": [{"pattern": "a"}]}
    assert zh(form(n=alternatives), form(n={**alternatives, "anyOf": [{"pattern": "b"}]})) == [
        "字段「号码」：其他修改：anyOf"]


def test_file_fields_say_each_limit() -> None:
    files = {"type": "array", "title": "附件", "items": {"type": "string"},
             "x-file": {"accept": ["pdf", "image"]}}
    assert zh(form(f=files), form(f={**files, "x-file": {"accept": ["pdf"], "max_files": 3,
                                                            "max_mb": 20}})) == [
        "字段「附件」：文件类型 pdf、image → pdf",
        "字段「附件」：文件数上限 默认 → 3",
        "字段「附件」：单个文件大小上限（MB） 默认 → 20"]


def test_fields_inside_an_object_field_are_named_by_their_path() -> None:
    group = {"type": "object", "title": "企业", "required": ["name"],
             "properties": {"name": {"type": "string", "title": "企业名称", "maxLength": 100},
                            "phone": {"type": "string", "title": "电话"}}}
    edited = copy.deepcopy(group)
    edited["properties"]["name"]["maxLength"] = 200
    edited["properties"]["code"] = {"type": "string", "title": "信用代码",
                                    "format": "credit-code"}
    del edited["properties"]["phone"]
    edited["required"] = ["name", "code"]
    edited["title"] = "申请企业"
    assert zh(form(firm=group), form(firm=edited)) == [
        "字段「申请企业」：标题 “企业” → “申请企业”",
        "字段「申请企业 › 企业名称」：最大长度 100 → 200",
        "新增字段「申请企业 › 信用代码」（统一社会信用代码，必填）",
        "删除字段「申请企业 › 电话」"]


def test_the_columns_of_a_table_and_the_rules_of_its_rows() -> None:
    row = {"type": "object", "title": "企业", "required": ["name"],
           "properties": {"name": {"type": "string", "title": "企业名称"},
                          "amount": {"type": "number", "title": "核定金额"},
                          "paid": {"type": "number", "title": "实付金额"}}}
    table = {"type": "array", "title": "兑付名单", "minItems": 1, "items": row}
    edited = copy.deepcopy(table)
    edited["maxItems"] = 500
    edited["items"]["title"] = "单位"
    edited["items"]["required"] = []
    edited["items"]["properties"]["paid"]["x-unit"] = "元"
    edited["items"]["x-checks"] = [{"field": "paid", "at_most": "amount",
                                    "message": "不能超过{limit}"}]
    assert zh(form(rows=table), form(rows=edited)) == [
        "字段「兑付名单」：最多项数 不限 → 500",
        "字段「兑付名单」：每项：标题 “企业” → “单位”",
        "字段「兑付名单 › 企业名称」：必填 → 选填",
        "字段「兑付名单 › 实付金额」：计量单位 无 → “元”",
        "字段「兑付名单」：新增校验：「实付金额」不超过「核定金额」（提示“不能超过{limit}”）"]
    assert zh(form(rows=table), form(rows={**table, "items": {"type": "string"}})) == [
        "字段「兑付名单」：类型 表格 → 列表",
        "删除字段「兑付名单 › 企业名称」", "删除字段「兑付名单 › 核定金额」",
        "删除字段「兑付名单 › 实付金额」"]


def test_the_forms_own_rules_and_keywords() -> None:
    before = {**form(paid={"type": "number", "title": "实付金额"},
                     on={"type": "string", "format": "date", "title": "拨付日期"},
                     ok={"type": "boolean", "title": "确认部分兑付"}),
              "additionalProperties": False,
              "x-checks": [{"field": "on", "at_most": "now", "message": "不能晚于今天"}]}
    after = {**before, "title": "兑付", "description": "一个工作日内兑付",
             "additionalProperties": True, "if": {"required": ["ok"]},
             "x-checks": [{"field": "paid", "at_least": "approved", "confirmed_by": "ok",
                           "message": "低于核定金额"}]}
    assert zh(before, after) == [
        "表单：标题 “办理” → “兑付”",
        "表单：接收表单外的字段 否 → 是",
        "表单：说明 无 → “一个工作日内兑付”",
        "表单：其他修改：if",
        "表单：删除校验：「拨付日期」不超过当前时间（提示“不能晚于今天”）",
        "表单：新增校验：「实付金额」不低于「approved」，勾选「确认部分兑付」可继续（提示“低于核定金额”）"]


PAYOUT = form(paid={"type": "number", "title": "实付金额"},
              approved={"type": "number", "title": "核定金额"},
              on={"type": "string", "format": "date", "title": "拨付日期"},
              ok={"type": "boolean", "title": "确认部分兑付"})
AT_MOST = {"field": "paid", "at_most": "approved", "message": "不能超过{limit}"}
AT_LEAST = {"field": "paid", "at_least": "approved", "confirmed_by": "ok",
            "message": "低于核定金额，请勾选确认"}
NOT_LATER = {"field": "on", "at_most": "now", "message": "不能晚于今天"}


def test_an_edited_rule_is_one_change_not_one_removed_and_one_added() -> None:
    before = {**PAYOUT, "x-checks": [AT_MOST, AT_LEAST, NOT_LATER]}
    after = {**PAYOUT, "x-checks": [  # the same message, a new bound
        AT_MOST, AT_LEAST, {"field": "on", "before": "now", "message": "不能晚于今天"}]}
    assert zh(before, after) == [
        "表单：修改校验：「拨付日期」不超过当前时间（提示“不能晚于今天”）"
        " → 「拨付日期」早于当前时间（提示“不能晚于今天”）"]
    after = {**PAYOUT, "x-checks": [  # what it checks kept, a new message
        {**AT_MOST, "message": "实付金额不能超过核定金额{limit}"}, AT_LEAST, NOT_LATER]}
    assert zh(before, after) == [
        "表单：修改校验：「实付金额」不超过「核定金额」（提示“不能超过{limit}”）"
        " → 「实付金额」不超过「核定金额」（提示“实付金额不能超过核定金额{limit}”）"]
    assert en(before, after) == [
        'form: check changed: "实付金额" at most "核定金额" (message "不能超过{limit}")'
        ' → "实付金额" at most "核定金额" (message "实付金额不能超过核定金额{limit}")']


def test_rules_are_paired_by_message_first_and_what_is_new_stays_new() -> None:
    before = {**PAYOUT, "x-checks": [AT_MOST, AT_LEAST]}
    after = {**PAYOUT, "x-checks": [  # both edited, the messages kept; one new rule
        {**AT_LEAST, "at_least": 0}, {**AT_MOST, "at_most": 100000},
        {"field": "paid", "at_most": "approved", "message": "另一条"}]}
    assert zh(before, after) == [
        "表单：修改校验：「实付金额」不低于「核定金额」，勾选「确认部分兑付」可继续"
        "（提示“低于核定金额，请勾选确认”） → 「实付金额」不低于0，勾选「确认部分兑付」可继续"
        "（提示“低于核定金额，请勾选确认”）",
        "表单：修改校验：「实付金额」不超过「核定金额」（提示“不能超过{limit}”）"
        " → 「实付金额」不超过100000（提示“不能超过{limit}”）",
        "表单：新增校验：「实付金额」不超过「核定金额」（提示“另一条”）"]


def test_the_edited_rule_of_a_tables_rows_is_named_by_the_table() -> None:
    row = {"type": "object", "properties": PAYOUT["properties"], "x-checks": [AT_MOST]}
    table = {"type": "array", "title": "兑付名单", "items": row}
    edited = copy.deepcopy(table)
    edited["items"]["x-checks"][0]["message"] = "超过了核定金额"
    assert zh(form(rows=table), form(rows=edited)) == [
        "字段「兑付名单」：修改校验：「实付金额」不超过「核定金额」（提示“不能超过{limit}”）"
        " → 「实付金额」不超过「核定金额」（提示“超过了核定金额”）"]


def test_a_long_text_is_cut_and_no_value_is_shown_as_json() -> None:
    long = "很长的说明" * 30
    [said] = zh(form(x={"type": "string", "title": "x"}),
                form(x={"type": "string", "title": "x", "description": long}))
    assert said.endswith("…”") and len(said) < 120
    shaped = {"type": "string", "title": "x", "default": {"a": [1]}}
    [said] = zh(form(x={"type": "string", "title": "x"}), form(x=shaped))
    assert said == '字段「x」：默认值 无 → “{"a": [1]}”'  # an odd default, quoted as written


def test_every_message_it_can_say_is_in_the_catalogue() -> None:
    keys = [key for key in MESSAGES if key.startswith("form_diff.")]
    assert {f"form_diff.kw.{k}" for k in DESCRIBERS} - {"form_diff.kw.x-file"} <= set(keys)
    before = json.loads((FORMS / "subsidy_payout.json").read_text(encoding="utf-8"))
    after = copy.deepcopy(before)
    after["properties"]["paid_amount"]["x-unit"] = "万元"
    for said in describe_form_change(before, after):
        assert isinstance(said, Msg)
        for language in ("zh", "en"):
            text = said.render(language)
            assert "form_diff." not in text and "{" not in text, text
