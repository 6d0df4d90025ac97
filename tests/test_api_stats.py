"""GET /api/v1/stats...: the supervisors' figures over known data (tests/stats_support.py)
as JSON matching the OpenAPI schemas, the cases behind a count, the .xlsx export, filters
checked, and who may call them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.stats_support import ALL_READER, intermediary_data, known_data
from tests.test_api_helpers import Api, error_of
from web.api.openapi import OPENAPI
from web.app import create_app


@pytest.fixture
def api(engine: Engine, clock: FixedClock) -> Api:
    known_data(engine, clock)
    return Api(create_app(engine, secret_key="test", testing=True), engine)


def valid(name: str, value: Any) -> Any:
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    Draft202012Validator(schema).validate(value)
    return value


def figure(body: dict[str, Any], key: str) -> dict[str | None, Any]:
    [found] = [f for f in body["figures"] if f["key"] == key]
    return {r["key"]: r["values"] for r in found["rows"]}


def test_figures_as_json(api: Api) -> None:
    response = api.get("/stats", "chu")
    assert response.status_code == 200
    body = valid("Stats", response.get_json())
    assert body["sections"] == ["timeliness", "clues", "intermediary", "legacy", "subsidy",
                                "hotline"]
    assert figure(body, "on_time_by_process")["clue_triage"] == {
        "done": 5, "on_time": 4, "late": 1, "rate": 66.7, "overdue_open": 1}
    assert figure(body, "subsidy_payouts")["subsidy_instant"]["amount"] == 36000.0
    october = api.get("/stats/clues?from=2026-10-01&to=2026-10-31", "sun").get_json()
    assert valid("Stats", october)["sections"] == ["clues"]
    assert october["filter"] == {"from": "2026-10-01", "to": "2026-10-31", "unit": None,
                                 "process": None}
    assert figure(october, "clues_by_source") == {
        "12345热线": {"total": 1, "closed": 0, "open": 1, "ended": 0, "rate": 0.0}}
    unit = api.get("/stats/legacy", "gaige", query_string={"unit": "浮梁县"}).get_json()
    assert list(figure(unit, "legacy_by_type")) == ["招商引资政策不兑现"]


def test_cases_behind_a_count(api: Api) -> None:
    response = api.get("/stats/cases", "zhou", query_string={
        "figure": "on_time_by_process", "key": "clue_triage", "measure": "overdue_open"})
    body = valid("StatsCases", response.get_json())
    assert [c["business_key"] for c in body["cases"]] == ["ZF-2026-000002"]
    # a count of tasks lists its tasks too: clue B's transfer, open past its due time
    [late] = body["tasks"]
    assert (late["business_key"], late["unit"], late["due_at"], late["completed_at"]) == (
        "ZF-2026-000002", None, "2026-10-10T09:30:00+00:00", None)
    none = valid("StatsCases", api.get("/stats/cases", ALL_READER, query_string={
        "figure": "on_time_by_unit", "key": "", "measure": "done"}).get_json())
    assert len(none["tasks"]) == 10 and len(none["cases"]) == 5  # a case's steps each count
    # the supervision office lists those of the cases it reads: not the legacy cases'
    theirs = api.get("/stats/cases", "zhou", query_string={
        "figure": "on_time_by_unit", "key": "", "measure": "done"}).get_json()
    assert 0 < len(theirs["tasks"]) < 10
    error_of(api.get("/stats/cases?figure=nope&measure=x", "zhou"), 404)
    error_of(api.get("/stats/cases", "zhou", query_string={
        "figure": "subsidy_payouts", "key": "subsidy_instant", "measure": "paid"}), 403)


def test_a_count_of_payouts_lists_its_payouts(api: Api) -> None:
    body = valid("StatsCases", api.get("/stats/cases", "sjj", query_string={
        "figure": "subsidy_payouts", "key": "subsidy_instant", "measure": "paid"}).get_json())
    [paid] = body["payouts"]
    assert (paid["process_key"], paid["enterprise"], paid["credit_code"], paid["paid_amount"],
            paid["paid_on"]) == ("subsidy_instant", "景德镇某陶瓷有限公司",
                                 "91360200MA35B0001M", 36000, "2026-10-10")
    assert [c["id"] for c in body["cases"]] == [paid["instance_id"]]
    assert "tasks" not in body
    cases = api.get("/stats/cases", "chu", query_string={
        "figure": "on_time_by_process", "key": "subsidy_instant", "measure": "done"})
    assert "payouts" not in valid("StatsCases", cases.get_json())


def test_export_is_a_workbook(api: Api) -> None:
    response = api.get("/stats/export?from=2026-01-01", "gaige")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["统计说明", "各单位按期办结率", "各流程按期办结率",
                               "中介服务问题线索按中介服务事项", "中介服务问题线索按问题类别",
                               "中介服务问题线索按责任单位", "中介服务问题线索各单位按期办结率",
                               "“新官不理旧账”问题按类型", "2026年“新官不理旧账”各阶段化解率",
                               "惠企政策兑现"]


def test_bad_filters_and_sections(api: Api) -> None:
    assert set(error_of(api.get("/stats?from=2026-13-01", "chu"), 422)["details"]) == {"from"}
    assert set(error_of(api.get("/stats?from=2026-10-02&to=2026-10-01", "chu"),
                        422)["details"]) == {"from"}
    assert set(error_of(api.get("/stats?unit=" + "x" * 129, "chu"), 422)["details"]) == {
        "unit"}
    error_of(api.get("/stats?month=2026-10", "chu"), 400)
    error_of(api.get("/stats/nope", "chu"), 404)
    error_of(api.get("/stats/legacy", "sun"), 403)


def test_other_roles_get_403(api: Api) -> None:
    for path in ("/stats", "/stats/timeliness", "/stats/export",
                 "/stats/cases?figure=on_time_by_unit&measure=done"):
        for user in ("zhao", "li", "swj", "qiye", "audit"):
            error_of(api.get(path, user), 403)
        error_of(api.get(path), 401)


def test_the_data_bureau_reads_the_intermediary_section(engine: Engine, clock: FixedClock) -> None:
    intermediary_data(engine, clock)
    api = Api(create_app(engine, secret_key="test", testing=True), engine)
    body = valid("Stats", api.get("/stats", "zhuanban").get_json())
    assert body["sections"] == ["intermediary", "subsidy", "hotline"]
    assert figure(body, "intermediary_by_unit")["浮梁县"] == {
        "total": 1, "declined": 0, "closed": 0, "open": 1, "overdue": 1, "rate": 0.0}
    assert figure(body, "intermediary_on_time_by_unit")["市住建局"]["late"] == 1
    cases = valid("StatsCases", api.get("/stats/cases", "zhuanban", query_string={
        "figure": "intermediary_by_item", "key": "", "measure": "overdue"}).get_json())
    assert [c["business_key"] for c in cases["cases"]] == ["ZJXS-2026-000002"]
    county = api.get("/stats/intermediary", "fl_sjj").get_json()
    assert county["filter"]["unit"] == "浮梁县"
    assert list(figure(county, "intermediary_by_unit")) == ["浮梁县"]
    error_of(api.get("/stats/timeliness", "zhuanban"), 403)
    error_of(api.get("/stats/legacy", "zhuanban"), 403)
    assert api.get("/stats/subsidy", "zhuanban").status_code == 200
    error_of(api.get("/stats/intermediary", "audit"), 403)
