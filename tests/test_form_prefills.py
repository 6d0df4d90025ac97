"""A field that starts from another (``"x-default": {"from": ...}``, engine/definitions/
prefills.py): refused at deploy unless well formed, and shown on the form until the field
has a value of its own (tests/test_form_diff.py says how a version difference reads it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine import check_form
from web.ui import forms

PAYOUT = {"type": "object", "properties": {
    "approved_amount": {"type": "number", "readOnly": True},
    "paid_amount": {"type": "number", "title": "实际兑付金额",
                    "x-default": {"from": "approved_amount"}},
    "enterprise": {"type": "object", "title": "兑付企业", "properties": {
        "amount": {"type": "number", "title": "核定兑付金额", "readOnly": True},
        "paid_amount": {"type": "number", "title": "实际兑付金额",
                        "x-default": {"from": "amount"}}}}}}


def problems(schema: dict[str, Any]) -> list[str]:
    return [str(p) for p in check_form(json.dumps(schema, ensure_ascii=False, indent=1))]


def test_a_field_and_an_objects_property_may_start_from_another() -> None:
    assert problems(PAYOUT) == []


def with_paid(default: Any, **prop: Any) -> dict[str, Any]:
    schema = json.loads(json.dumps(PAYOUT))
    schema["properties"]["paid_amount"] = {"type": "number", **prop, "x-default": default}
    return schema


@pytest.mark.parametrize(("default", "prop", "said"), [
    ({"from": "approved amount"}, {}, '{"from": "approved amount"} is not {"from": "<field>"}'),
    ({"from": ""}, {}, "is not"),
    ({"from": 3}, {}, '{"from": 3} is not'),
    ({"from": ["approved_amount"]}, {}, "is not"),
    ({"from": "approved_amount", "or": 0}, {}, "is not"),
    ({"field": "approved_amount"}, {}, "is not"),
    ({"from": "paid_amount"}, {}, "names the field itself"),
    ({"from": "approved_amount"}, {"readOnly": True}, "that is not read-only"),
    ({"from": "approved_amount"}, {"type": "array", "items": {"type": "number"}},
     "that is not read-only"),
    ({"from": "approved_amount"}, {"type": "array", "items": {"type": "string"},
                                   "x-file": {}}, "that is not read-only"),
    ("approved_amount", {}, 'can only be "blank", "now" on a date'),
])
def test_a_malformed_start_is_refused_at_its_line(default: Any, prop: dict[str, Any],
                                                  said: str) -> None:
    schema = with_paid(default, **prop)
    [problem] = [p for p in problems(schema) if "x-default" in p]
    line, _, rest = problem.partition(": ")
    lines = json.dumps(schema, ensure_ascii=False, indent=1).splitlines()
    assert '"x-default"' in lines[int(line.removeprefix("line ")) - 1], problem
    assert rest.startswith('"x-default" of "paid_amount"') and said in rest, problem


def test_an_objects_property_starts_from_another_only() -> None:
    schema = json.loads(json.dumps(PAYOUT))
    schema["properties"]["enterprise"]["properties"]["paid_amount"]["x-default"] = "blank"
    [problem] = problems(schema)
    assert '"x-default" of "enterprise.paid_amount": an object\'s property can only start' \
        in problem
    schema["properties"]["enterprise"]["properties"]["paid_amount"]["x-default"] = {"from": 1}
    assert 'of "enterprise.paid_amount": {"from": 1} is not' in problems(schema)[0]


def test_the_form_shows_the_value_it_starts_from_until_the_field_has_its_own() -> None:
    fields = forms.fields_of(PAYOUT)
    case = {"approved_amount": 36000, "enterprise": {"amount": 80000.5}}
    shown = forms.display_values(fields, case, PAYOUT)
    assert shown["paid_amount"] == "36000"
    assert shown["enterprise"] == {"amount": "80000.5", "paid_amount": "80000.5"}
    paid = {"approved_amount": 36000, "paid_amount": 30000,
            "enterprise": {"amount": 80000.5, "paid_amount": 70000}}
    again = forms.display_values(fields, paid, PAYOUT)  # a payout sent back: as paid
    assert again["paid_amount"] == "30000"
    assert again["enterprise"] == {"amount": "80000.5", "paid_amount": "70000"}
    assert "paid_amount" not in forms.display_values(fields, {}, PAYOUT)  # nothing to start at
