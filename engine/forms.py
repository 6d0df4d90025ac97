"""JSON Schema forms (draft 2020-12): check a form document, validate submitted data.

Field errors come back in Chinese, keyed by field name, for the inbox to show beside each
field; the CLI and API return the same mapping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaViolation

from engine.errors import InvalidData

_formats = FormatChecker(formats=())


@_formats.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


_TYPE_NAMES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
}


def check_form(text: str) -> list[str]:
    """Problems with a form document (empty when it is a valid form)."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"line {exc.lineno}: not valid JSON: {exc.msg}"]
    if not isinstance(schema, dict):
        return ["a form must be a JSON object"]
    problems: list[str] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        problems.append(f"not a valid JSON Schema: {exc.message}")
    if schema.get("type", "object") != "object":
        problems.append('a form schema must have "type": "object"')
    if not isinstance(schema.get("properties", {}), dict):
        problems.append('"properties" must be an object')
    for name in schema.get("required", []) or []:
        if name not in (schema.get("properties") or {}):
            problems.append(f'required field "{name}" is not in "properties"')
    return problems


def field_errors(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    validator = Draft202012Validator(schema, format_checker=_formats)
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        field = _field_of(error)
        errors.setdefault(field, _message(error))
    return errors


def validate(schema: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Raise InvalidData with every field's error, or return when the data fits the form."""
    if not isinstance(data, Mapping):
        raise InvalidData({"_": "提交的数据必须是对象"})
    errors = field_errors(schema, data)
    if errors:
        raise InvalidData(errors, "表单填写有误")


def _field_of(error: SchemaViolation) -> str:
    if error.validator == "required":
        missing = error.message.split("'")
        return missing[1] if len(missing) > 2 else "_"
    if error.validator == "additionalProperties":
        return "_"
    return ".".join(str(p) for p in error.absolute_path) or "_"


def _message(error: SchemaViolation) -> str:
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        return "此项为必填项"
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return "应为" + "或".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)
    if kind in ("enum", "oneOf", "anyOf", "const"):
        return "不是有效的选项"
    if kind == "format":
        return {"date": "日期格式应为 YYYY-MM-DD", "date-time": "时间格式应为 ISO 8601"}.get(
            str(value), f"格式应为 {value}"
        )
    if kind == "minLength":
        return "此项为必填项" if value == 1 else f"至少 {value} 个字符"
    if kind == "maxLength":
        return f"最多 {value} 个字符"
    if kind == "minimum":
        return f"不能小于 {value}"
    if kind == "maximum":
        return f"不能大于 {value}"
    if kind == "pattern":
        return "格式不正确"
    if kind == "additionalProperties":
        return "包含表单中没有的字段"
    return str(error.message)
