"""Fields that follow a choice (engine/definitions/form_branches.py): which fields a form's
if/then/else hides for each choice, walked over every shipped form that has one, and the
rule's edges on small forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import hidden_fields, shown_when
from engine.definitions.forms import field_errors

FORMS = Path(__file__).resolve().parents[1] / "forms"
SUBSIDY_DECISION = [
    ({}, {"approved_amount", "reject_reason", "policy_explanation",  # 审批结果 first
          "supplement_items"}),
    ({"decision": "approve"}, {"reject_reason", "policy_explanation", "supplement_items"}),
    ({"decision": "reject"}, {"approved_amount", "supplement_items"}),
    ({"decision": "supplement"}, {"approved_amount", "reject_reason", "policy_explanation"}),
]
RETURN_COMMENT = [({}, {"review_comment"}), ({"accepted": True}, {"review_comment"}),
                  ({"accepted": False}, set())]
# each shipped form with an if: choices made -> the fields they hide
WALK: dict[str, list[tuple[dict[str, Any], set[str]]]] = {
    "subsidy_instant_approve": SUBSIDY_DECISION,
    "subsidy_commitment_decide": SUBSIDY_DECISION,
    "credit_repair_decide": [({"decision": "approve"}, {"reject_reason", "reject_basis"}),
                             ({"decision": "reject"}, set())],
    "clue_propose": [({"disposal": "转办"}, set()), ({"disposal": "直接核查"}, set()),
                     ({"disposal": "予以了结"}, {"handler_unit"})],
    "commitment_check_online": [
        ({"online_result": "consistent"}, {"next_method", "assist_unit", "assist_request"}),
        ({"online_result": "unverifiable"}, {"assist_unit", "assist_request"}),
        ({"online_result": "unverifiable", "next_method": "onsite"},
         {"assist_unit", "assist_request"}),
        ({"online_result": "unverifiable", "next_method": "assist"}, set()),
        # a hidden choice is no choice: 请求协查 left over from before shows nothing
        ({"online_result": "false", "next_method": "assist"},
         {"next_method", "assist_unit", "assist_request"}),
    ],
    "hotline_classify": [({"category": "转办责任单位"}, {"answer", "involved_unit"}),
                         ({"category": "直接答复"}, {"handling_unit", "involved_unit"}),
                         ({"category": "作风问题"}, {"answer", "handling_unit"})],
    # 评价意见 is named by both branches: shown for any rating
    "hotline_rating": [({"rating": "满意"}, {"reopen"}), ({"rating": "不满意"}, set()),
                       ({"rating": "非常不满意"}, set())],
    "indicator_review": RETURN_COMMENT,
    "report_review": RETURN_COMMENT,
    "self_inspection_receive": RETURN_COMMENT,
    "intermediary_classify": [
        ({"classify_decision": "accept"}, {"reply_text"}),
        ({"classify_decision": "reject"}, {"problem_category", "responsible_unit"})],
    "intermediary_clue_report": [({"anonymous": True}, {"reporter_name", "contact_phone"}),
                                 ({"anonymous": False}, set())],
    "intermediary_confirm": [({"confirm_decision": "confirm"}, {"redo_deadline"}),
                             ({"confirm_decision": "return"}, set())],
    "self_inspection_rectify": [({"all_closed": True}, {"open_items"}),
                                ({"all_closed": False}, set())],
    "subsidy_commitment_review": [
        ({"review_method": "评估评审"}, {"site_address", "untrue_facts"}),
        ({"review_method": "现场勘查"}, {"untrue_facts"}),
        ({"review_method": "评估评审", "commitment_consistent": False}, {"site_address"}),
        ({"review_method": "评估评审", "commitment_consistent": True},
         {"site_address", "untrue_facts"})],
    # tests of something other than a choice (minItems, minimum): every field shows
    "clue_outcome": [({}, set()), ({"instruments": ["提醒函"]}, set())],
    "self_inspection_check": [({}, set()), ({"problem_count": 0}, set())],
}


def form(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def test_the_walk_covers_every_shipped_form_with_an_if() -> None:
    with_if = {p.stem for p in FORMS.glob("*.json") if '"if"' in p.read_text(encoding="utf-8")}
    assert with_if == set(WALK)


@pytest.mark.parametrize(("name", "chosen", "hidden"),
                         [(n, c, h) for n, cases in WALK.items() for c, h in cases])
def test_each_shipped_choice_hides_the_fields_of_the_branch_not_taken(
        name: str, chosen: dict[str, Any], hidden: set[str]) -> None:
    schema = form(name)
    assert hidden_fields(shown_when(schema), chosen) == hidden
    if not chosen:
        return
    # what the choice shows is all it asks for: the choices kept (a hidden one is left out)
    # never make a field they hide required
    errors = field_errors(schema, {k: v for k, v in chosen.items() if k not in hidden})
    assert not hidden & {key.split(".")[0] for key in errors}, errors


def test_a_hidden_field_is_left_out_whatever_it_holds() -> None:
    schema = form("subsidy_instant_approve")
    stale = {"decision": "approve", "approved_amount": 36000, "reject_reason": "材料不全",
             "policy_explanation": "见政策文件"}
    assert hidden_fields(shown_when(schema), stale) == {"reject_reason", "policy_explanation",
                                                        "supplement_items"}


def choice_form(**extra: Any) -> dict[str, Any]:
    """A form whose 结果 (pass/fail) decides between a 理由 and an 金额."""
    return {"type": "object", "properties": {
        "result": {"type": "string", "enum": ["pass", "fail"]},
        "reason": {"type": "string"}, "amount": {"type": "number"},
        "note": {"type": "string"}, "flag": {"type": "boolean", "x-widget": "checkbox"}},
        "if": {"properties": {"result": {"const": "fail"}}, "required": ["result"]},
        "then": {"required": ["reason"]}, "else": {"required": ["amount"]}, **extra}


def test_a_choice_the_form_requires_shows_neither_branch_until_it_is_made() -> None:
    ways = shown_when(choice_form(required=["result"]))
    assert hidden_fields(ways, {}) == {"reason", "amount"}
    assert hidden_fields(ways, {"result": "fail"}) == {"amount"}
    ways = shown_when(choice_form())  # optional: JSON Schema's if fails, so else is taken
    assert hidden_fields(ways, {}) == {"reason"}
    unrequired_if = choice_form(**{"if": {"properties": {"result": {"const": "fail"}}}})
    assert hidden_fields(shown_when(unrequired_if), {}) == {"amount"}  # the if holds


def test_each_way_says_whether_its_branch_requires_the_field() -> None:
    ways = shown_when(choice_form(then={"required": ["reason"], "properties": {"note": {}}}))
    assert [w.required for w in ways["reason"]] == [True]
    assert [w.required for w in ways["note"]] == [False]  # shown with fail, optional


def test_a_field_both_branches_name_is_starred_where_one_requires_it() -> None:
    """回访's 评价意见: shown for any rating, required (and starred) for a 差评 only."""
    schema = json.loads((FORMS / "hotline_rating.json").read_text(encoding="utf-8"))
    ways = shown_when(schema)["rating_comment"]
    assert hidden_fields({"rating_comment": ways}, {}) == set()
    starred = [w for w in ways if w.required]
    assert [w.holds({"rating": r}) for w in starred for r in ("满意", "不满意", "")] == [
        False, True, False]


@pytest.mark.parametrize(("change", "why"), [
    ({"required": ["reason"]}, "the form requires it"),
    ({"else": {"required": ["amount"], "properties": {"reason": {}}}}, "named by both branches"),
    ({"allOf": [{"if": {"properties": {"note": {"minLength": 3}}},
                 "then": {"required": ["reason"]}}]}, "an if of another shape names it"),
])
def test_a_field_is_never_hidden_when(change: dict[str, Any], why: str) -> None:
    ways = shown_when(choice_form(**change))
    for choice in ({}, {"result": "pass"}, {"result": "fail"}):
        assert "reason" not in hidden_fields(ways, choice), why
    assert hidden_fields(ways, {"result": "pass"}) <= {"amount"}


@pytest.mark.parametrize("control", [
    {"type": "string"},  # typed, not chosen
    {"type": "string", "enum": ["pass", "fail"], "readOnly": True},
    {"type": "string", "enum": ["pass", "fail"], "x-hidden": True},
])
def test_only_a_choice_the_clerk_makes_hides_fields(control: dict[str, Any]) -> None:
    schema = choice_form()
    schema["properties"]["result"] = control
    assert shown_when(schema) == {}


@pytest.mark.parametrize("test", [
    {"properties": {"result": {"const": "fail"}, "note": {"const": "x"}}},  # two fields
    {"properties": {"result": {"const": "fail", "type": "string"}}},  # more than a const
    {"properties": {"result": {"const": "fail"}}, "required": ["result", "note"]},
    {"properties": {"result": {"const": "fail"}}, "not": {}},
])
def test_an_if_of_another_shape_hides_nothing(test: dict[str, Any]) -> None:
    assert shown_when(choice_form(**{"if": test})) == {}


def test_a_box_ticked_is_true_not_one() -> None:
    schema = choice_form(**{"if": {"properties": {"flag": {"const": False}}},
                            "then": {"required": ["note"]}, "else": {}})
    ways = shown_when(schema)
    assert hidden_fields(ways, {"flag": False}) == set()
    assert hidden_fields(ways, {"flag": True}) == {"note"}
    enum_one = choice_form(**{"if": {"properties": {"flag": {"enum": [1]}}},
                              "then": {"required": ["note"]}})
    assert hidden_fields(shown_when(enum_one), {"flag": True}) == {"note"}


def test_a_condition_never_hides_its_own_choice() -> None:
    schema = choice_form(then={"required": ["reason", "result"]})
    assert "result" not in shown_when(schema)


def test_any_condition_that_takes_a_fields_branch_shows_it() -> None:
    schema = choice_form(**{"if": {"properties": {"result": {"const": "fail"}}},
                            "then": {"required": ["reason"]}, "else": {},
                            "allOf": [{"if": {"properties": {"flag": {"const": True}}},
                                       "then": {"required": ["reason"]}}]})
    ways = shown_when(schema)
    assert hidden_fields(ways, {"result": "pass", "flag": False}) == {"reason"}
    assert hidden_fields(ways, {"result": "pass", "flag": True}) == set()
    assert hidden_fields(ways, {"result": "fail", "flag": False}) == set()
