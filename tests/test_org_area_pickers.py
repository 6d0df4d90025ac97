"""Unit fields within the case's area (``"x-org-unit": {"within": "case_area"}``): a county's
handler names the 整改单位 among the county's units only, on the page and on the server; the
city's handler among the whole city's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.errors import InvalidData
from engine.org import pickers
from engine.org.directory import Directory, parse
from tests.process_helpers import PROCESSES, case_task, clue_files, transferred_clue
from tests.test_ui_support import PASSWORD, as_user, make_app

FULIANG, CITY_OFFICE = "浮梁县纪委监委", "市纪委市监委监督检查室"
SHIPPED = Directory(parse((PROCESSES / "units.csv").read_text(encoding="utf-8")))
CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "浮梁县市场监管局", "problem_type": "推诿拖延刁难", "summary": "拖延"}
OUTCOME: dict[str, Any] = {"instruments": ["提醒函"], "publicize": False,
                           "rectify_due": "2026-11-02", "outcome_summary": "制发提醒函"}


def test_within_the_case_area_keeps_to_the_county_or_offers_the_city() -> None:
    spec = {"within": "case_area"}
    county = {u.name for u in pickers.choices(SHIPPED, spec, FULIANG)}
    assert county == {u.name for u in SHIPPED.units if u.id == "fl" or u.parent == "fl"}
    assert "浮梁县市场监管局" in county and "乐平市市场监管局" not in county
    assert "市市场监管局" not in county
    # from an office of the county body, or a county department, the same county
    assert {u.name for u in pickers.choices(SHIPPED, spec, "浮梁县财政局")} == county
    # the city's: every unit; a unit the directory lacks or none: no limit either
    assert len(pickers.choices(SHIPPED, spec, CITY_OFFICE)) == len(SHIPPED.units)
    assert len(pickers.choices(SHIPPED, spec, None)) == len(SHIPPED.units)
    # combined with tags: the county's units of the list
    both = pickers.choices(SHIPPED, {"within": "case_area", "tags": ["县区纪委监委"]}, FULIANG)
    assert [u.name for u in both] == [FULIANG]


def test_forms_declare_within_with_a_known_value() -> None:
    form = {"type": "object", "properties": {
        "a": {"type": "string", "x-org-unit": {"within": "case_area"}},
        "b": {"type": "string", "x-org-unit": {"within": "case_area", "kinds": ["县直部门"]}},
        "c": {"type": "string", "x-org-unit": {"within": "province"}},
        "d": {"type": "string", "x-org-unit": {"within": ["case_area"]}}}}
    problems = [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]
    assert len(problems) == 2
    assert '"x-org-unit" of "c"' in problems[0] and '"x-org-unit" of "d"' in problems[1]


@pytest.fixture
def county(engine: Engine) -> Engine:
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    for name, role, unit in (("intake_fl", "intake", FULIANG), ("approver_fl", "approver",
                                                               FULIANG),
                             ("handler_fl", "handler", FULIANG),
                             ("intake_city", "intake", "市纪委市监委信访室"),
                             ("approver_city", "approver", "市纪委市监委"),
                             ("handler_city", "handler", CITY_OFFICE)):
        engine.add_user(name, [role], unit=unit, password=PASSWORD)
    return engine


def _at_outcome(engine: Engine, place: str, handler_unit: str) -> tuple[int, str]:
    case = transferred_clue(engine, CLUE, place, handler_unit)
    engine.complete(case_task(engine, case, "verify"), {
        "verify_result": "属实", "verify_facts": "属实", "measures": "责令整改",
        "fault_tolerance_claimed": False}, f"handler_{place}")
    return case, case_task(engine, case, "outcome")


def test_a_county_handler_names_a_rectifying_unit_of_the_county_only(county: Engine) -> None:
    case, outcome = _at_outcome(county, "fl", FULIANG)
    with pytest.raises(InvalidData) as refused:
        county.complete(outcome, {**OUTCOME, "rectify_unit": "乐平市市场监管局"}, "handler_fl")
    assert "不在此处可选的单位之列" in refused.value.field_errors["rectify_unit"]
    with pytest.raises(InvalidData):
        county.complete(outcome, {**OUTCOME, "rectify_unit": "市市场监管局"}, "handler_fl")
    county.complete(outcome, {**OUTCOME, "rectify_unit": "浮梁县市场监督管理局"}, "handler_fl")
    assert county.instance(case).data["rectify_unit"] == "浮梁县市场监管局"  # by its name


def test_the_city_s_handler_may_name_any_unit(county: Engine) -> None:
    case, outcome = _at_outcome(county, "city", CITY_OFFICE)
    county.complete(outcome, {**OUTCOME, "rectify_unit": "乐平市市场监管局"}, "handler_city")
    assert county.instance(case).data["rectify_unit"] == "乐平市市场监管局"


def test_the_task_page_offers_the_county_s_units(county: Engine) -> None:
    _, outcome = _at_outcome(county, "fl", FULIANG)
    page = as_user(make_app(county), "handler_fl").get(f"/tasks/{outcome}").text
    assert 'list="f-rectify_unit-units"' in page
    assert '<option value="浮梁县市场监管局">' in page and '<option value="浮梁县">' in page
    assert '<option value="乐平市市场监管局">' not in page
    assert '<option value="市市场监管局">' not in page
    offered = page.split('id="f-rectify_unit-units"')[1].split("</datalist>")[0]
    assert offered.count("<option") == sum(1 for u in SHIPPED.units
                                           if u.id == "fl" or u.parent == "fl")
