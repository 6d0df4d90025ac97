"""Unicode edge cases round-trip intact: start (API) → task data (API) → task page → submit
(page and API) → instance page (HTML-escaped) → history → ledger (engine.queries.ledger, the ledger
page, its .csv and .xlsx). Nothing is normalized, trimmed inside, or mangled. NUL and the other
control characters, lone surrogates and bytes that are not UTF-8 are refused cleanly (400 with
the field named, or a 400 page) and change nothing.

The case is a real shipped clue_triage: its ledger (问题线索台账) lists the accused unit.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from engine.api import Engine
from engine.definitions.validation import SourceFile
from tests.conftest import DIAGRAMS, seeded, source
from tests.test_api_helpers import Api, error_of
from web.app import create_app
from web.ui.auth import session_values

ROOT = Path(__file__).resolve().parent.parent
FULIANG = "浮梁县纪委监委"

# Each under 120 characters (pages shorten longer values), none starting or ending with white
# space (single-line fields are trimmed at their ends, as a convenience).
SAMPLES = {
    "chinese": "景德镇市浮梁县：企业反映“拖延办理”营业执照，已逾两个月【急】",
    "emoji": "👩🏽‍💻提交材料🚀🇨🇳❤️‍🔥 👨‍👩‍👧‍👦",
    "combining": "Ame\u0301lie Z\u0324\u0354\u0367\u0311a\u0308lgo \u1112\u1161\u11ab",
    "rtl": "مرحبا بالعالم שלום \u202eevil\u202c \u200fend",
    "zero_width": "a\u200db\u200cc\u200bd\u2060e\ufefff",
    "full_width": "编号１２３４５６ＡＢＣ　全角空格＃",
    "astral": "𠀀𪚥𝒳𝟘 〇",
    "html": "<script>alert('x')</script> & \"q\" </textarea>{{ 7*7 }}",
    "separators": "line\u2028para\u2029tab\tend",
    "nfc_vs_nfd": "\u00e9=e\u0301 \u212b=\u00c5 \ufb01",
}

CLUE_START: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "某县行政审批局", "accused_person": "张某", "problem_type": "推诿拖延刁难",
    "summary": "拖延两个月未办结", "owner": "li",
}


def clue_files() -> list[SourceFile]:
    files = [source(ROOT / "processes" / n) for n in ("clue_triage.bpmn",
                                                      "city_escalation.bpmn")]
    for pattern in ("clue_*.json", "escalation_*.json"):
        files += [source(p) for p in sorted((ROOT / "forms").glob(pattern))]
    return files


def _world(engine: Engine) -> None:
    engine.deploy(clue_files())
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    engine.add_user("zhao", ["handler"], unit=FULIANG)
    engine.add_user("audit", ["auditor"])


pytestmark = seeded(_world)  # made once per process, copied for each test


@pytest.fixture
def api(engine: Engine) -> Api:
    api = Api(create_app(engine, secret_key="unicode", testing=True), engine)
    api.app.config["WTF_CSRF_ENABLED"] = False
    return api


def page_client(api: Api, username: str) -> FlaskClient:
    """A browser signed in as ``username`` (the session holds what signing in puts there)."""
    client = api.app.test_client()
    with client.session_transaction() as session:
        session.update(session_values(api.engine.user(username)))
    return client


def shown(response: TestResponse, value: str) -> str:
    """The page shows ``value`` HTML-escaped, and nothing of it unescaped."""
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert str(escape(value)) in html, value  # ({{ 7*7 }} is shown, not evaluated)
    assert "<script>alert" not in html and "</textarea>{{" not in html
    return html


def only_task(api: Api, instance_id: int, name: str) -> str:
    [task] = [t for t in api.engine.instance(instance_id).tasks if t.name == name]
    return task.id


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_text_round_trips_through_api_pages_history_and_ledger(api: Api, name: str) -> None:
    text = SAMPLES[name]
    # start, through the API
    response = api.post("/processes/clue_triage/instances", "li", json={"data": {
        **CLUE_START, "summary": text, "accused_unit": text, "accused_person": text}})
    assert response.status_code == 201, response.get_data(as_text=True)
    instance = response.get_json()
    instance_id, case_no = instance["id"], instance["business_key"]
    assert instance["data"]["summary"] == text
    assert api.get(f"/instances/{instance_id}", "li").get_json()["data"]["accused_unit"] == text
    propose = only_task(api, instance_id, "propose")
    task = api.get(f"/tasks/{propose}", "li").get_json()
    assert (task["data"]["summary"], task["data"]["accused_person"]) == (text, text)

    # the task page shows it escaped; submitting the form keeps it exactly
    shown(page_client(api, "li").get(f"/tasks/{propose}"), text)
    submitted = page_client(api, "li").post(f"/tasks/{propose}", data={
        "disposal": "转办", "handler_unit": FULIANG, "proposal_reason": text})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:500]
    assert api.engine.instance(instance_id).data["proposal_reason"] == text

    # approve and transfer through the API, verify on the page
    approve = only_task(api, instance_id, "approve")
    assert api.post(f"/tasks/{approve}/complete", "wang", json={"data": {
        "approved": True, "approve_comment": text}}).status_code == 200
    transfer = only_task(api, instance_id, "transfer")
    assert api.post(f"/tasks/{transfer}/complete", "li", json={"data": {
        "transfer_note": text}}).status_code == 200
    verify = only_task(api, instance_id, "verify")
    verified = page_client(api, "zhao").post(f"/tasks/{verify}", data={
        "verify_result": "属实", "verify_facts": text, "measures": text,
        "fault_tolerance_claimed": "false"})
    assert verified.status_code == 302, verified.get_data(as_text=True)[:500]

    data = api.get(f"/instances/{instance_id}", "audit").get_json()["data"]
    for field in ("summary", "accused_unit", "proposal_reason", "approve_comment",
                  "transfer_note", "verify_facts", "measures"):
        assert data[field] == text, field

    # the instance page, the auditor's page
    shown(page_client(api, "audit").get(f"/instances/{instance_id}"), text)
    shown(page_client(api, "audit").get(f"/audit/instances/{instance_id}"), text)

    # the history: every event carries what was submitted
    events = api.get(f"/instances/{instance_id}/history", "audit").get_json()["events"]
    submitted_data = [e["payload"].get("data") or {} for e in events]
    assert submitted_data[0]["summary"] == text
    assert any(d.get("proposal_reason") == text for d in submitted_data)
    assert any(d.get("verify_facts") == text for d in submitted_data)

    # the ledger: engine.queries.ledger, the ledger page, .csv and .xlsx
    ledger = api.engine.ledger("clue", user="audit")
    column = ledger.headers.index("被反映单位")
    [row] = [r for r in ledger.rows if r[0] == case_no]
    assert row[column] == text
    rows = list(csv.reader(io.StringIO(ledger.to_csv().decode("utf-8-sig"), newline="")))
    assert [r[column] for r in rows if r[0] == case_no] == [text]
    sheet = load_workbook(io.BytesIO(ledger.to_xlsx())).active
    assert [r[column] for r in sheet.iter_rows(values_only=True) if r[0] == case_no] == [text]
    shown(page_client(api, "audit").get("/ledgers/clue"), text)
    download = page_client(api, "audit").get("/ledgers/clue?format=csv")
    assert download.status_code == 200 and download.data == ledger.to_csv()


def test_business_keys_and_units_are_kept_exactly(api: Api) -> None:
    """A business key with full-width digits and an emoji (given to a case of a process that
    does not number its cases: clue_triage numbers its own), a unit name with a zero-width
    joiner: stored and matched as given, never normalized."""
    business_key = "案-２０２６-👩🏽‍💻-001"
    api.engine.deploy([source(DIAGRAMS / "messages.bpmn"),
                       source(DIAGRAMS / "forms" / "test_city_result.json")])
    response = api.post("/processes/waiter/instances", "li", json={
        "business_key": business_key})
    assert response.status_code == 201, response.get_data(as_text=True)
    waiting = response.get_json()["id"]
    [task] = [t for t in api.get("/tasks", "li").get_json()["tasks"]
              if t["instance_id"] == waiting]
    assert task["business_key"] == business_key
    shown(page_client(api, "li").get("/"), business_key)
    assert api.engine.instance(waiting).business_key == business_key
    unit = "第１监督检查室\u200d"
    api.engine.add_user("wu", ["handler"], unit=unit)
    response = api.post("/processes/clue_triage/instances", "li", json={"data": CLUE_START})
    assert response.status_code == 201
    instance_id, number = response.get_json()["id"], response.get_json()["business_key"]
    propose = only_task(api, instance_id, "propose")
    api.engine.complete(propose, {"disposal": "转办", "proposal_reason": "可查",
                                  "handler_unit": unit}, "li")
    api.engine.complete(only_task(api, instance_id, "approve"), {"approved": True}, "wang")
    api.engine.complete(only_task(api, instance_id, "transfer"), {}, "li")
    [verify] = api.get("/tasks", "wu").get_json()["tasks"]
    assert (verify["unit"], verify["business_key"]) == (unit, number)
    assert api.get("/tasks", "zhao").get_json()["tasks"] == []


def test_start_page_keeps_text_exactly(api: Api) -> None:
    text = "｜".join(SAMPLES.values())[:400]
    response = page_client(api, "li").post("/start/clue_triage", data={
        "channel": "举报直通车", "received_at": "2026-09-30T09:12", "anonymous": "true",
        "accused_unit": SAMPLES["emoji"], "problem_type": "推诿拖延刁难", "summary": text,
        "owner": "li"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    [instance_id] = api.engine.instance_ids()[:1]
    data = api.engine.instance(instance_id).data
    assert (data["summary"], data["accused_unit"]) == (text, SAMPLES["emoji"])


# -- refused cleanly --------------------------------------------------------------------------

REFUSED_TEXT = {
    "nul": "a\x00b",
    "control": "a\x0bb",  # vertical tab, pasted from a word processor
    "escape": "\x1b[31mred",
    "lone_high_surrogate": "a\ud800b",
    "lone_low_surrogate": "\udc80",
}


def _state(api: Api) -> tuple[Any, ...]:
    ids = api.engine.instance_ids()
    return tuple((i, api.engine.instance(i).revision, len(api.engine.history(i))) for i in ids)


@pytest.mark.parametrize("name", sorted(REFUSED_TEXT))
def test_bad_text_is_refused_by_the_api_with_the_field_named(api: Api, name: str) -> None:
    bad = REFUSED_TEXT[name]
    instance_id = api.engine.start("clue_triage", CLUE_START, "li").id
    propose = only_task(api, instance_id, "propose")
    before = _state(api)
    start = "/processes/clue_triage/instances"
    cases: list[tuple[TestResponse, str]] = [
        (api.post(start, "li", json={"data": {**CLUE_START, "summary": bad}}), "data.summary"),
        (api.post(start, "li", json={"data": CLUE_START, "business_key": bad}), "business_key"),
        (api.post(start, "li", json={"data": {**CLUE_START, bad: "x"}}), "data"),
        (api.post(f"/tasks/{propose}/complete", "li", json={"data": {
            "disposal": "转办", "proposal_reason": bad}}), "data.proposal_reason"),
        (api.post("/messages", "li", json={"name": bad}), "name"),
        (api.post("/auth/token", json={"username": bad, "password": "x"}), "username"),
    ]
    for response, field in cases:
        details = error_of(response, 400)["details"]
        assert field in details, (field, details)
    assert _state(api) == before


@pytest.mark.parametrize("query", ["process=a%00b", "role=%0B", "process=%1B"])
def test_bad_text_in_a_query_is_refused_by_the_api(api: Api, query: str) -> None:
    error_of(api.get(f"/tasks?{query}", "li"), 400)


def test_bodies_that_are_not_utf8_are_refused_by_the_api(api: Api) -> None:
    start = "/processes/clue_triage/instances"
    for raw in (b'{"data": {"summary": "\xed\xa0\x80"}}', b'{"data": {"summary": "\xff"}}',
                "{\"data\": {}}".encode("utf-16")):
        error = error_of(api.post(start, "li", data=raw, content_type="application/json"), 400)
        assert "UTF-8" in error["message"] or "JSON" in error["message"]
    assert api.engine.instance_ids() == []


@pytest.mark.parametrize("name", ["nul", "control", "escape"])
def test_bad_text_is_refused_by_the_pages(api: Api, name: str) -> None:
    bad = REFUSED_TEXT[name]
    instance_id = api.engine.start("clue_triage", CLUE_START, "li").id
    propose = only_task(api, instance_id, "propose")
    before = _state(api)
    clerk = page_client(api, "li")
    for response in (
        clerk.post(f"/tasks/{propose}", data={"disposal": "转办", "proposal_reason": bad}),
        clerk.post("/start/clue_triage", data={**CLUE_START, "anonymous": "true",
                                               "received_at": "2026-09-30T09:12",
                                               "summary": bad}),
        clerk.post(f"/tasks/{propose}/claim", data={"next": bad}),
        clerk.get("/", query_string={"process": bad}),
        api.app.test_client().post("/login", data={"username": bad, "password": "x"}),
    ):
        assert response.status_code == 400, response.status_code
        html = response.get_data(as_text=True)
        assert 'class="error-page"' in html and "Traceback" not in html
    assert _state(api) == before


def test_bytes_that_are_not_utf8_in_a_page_form_never_store_a_surrogate(api: Api) -> None:
    """A browser cannot send a lone surrogate (it encodes U+FFFD); bytes that are not UTF-8
    are kept as their percent escapes by Werkzeug: stored text is always valid Unicode."""
    instance_id = api.engine.start("clue_triage", CLUE_START, "li").id
    propose = only_task(api, instance_id, "propose")
    body = ("disposal=%E8%BD%AC%E5%8A%9E&handler_unit=" + "%E6%B5%AE%E6%A2%81%E5%8E%BF"
            "%E7%BA%AA%E5%A7%94%E7%9B%91%E5%A7%94&proposal_reason=a%ED%A0%80b%FF")
    response = page_client(api, "li").post(
        f"/tasks/{propose}", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400, 422), response.status_code
    data = api.engine.instance(instance_id).data
    reason = data.get("proposal_reason", "")
    reason.encode("utf-8")  # no lone surrogate
    assert "\ud800" not in reason


def test_ledger_xlsx_survives_control_characters_in_case_data(api: Api) -> None:
    api.engine.start("clue_triage", {**CLUE_START, "accused_unit": "某局\x0b办公室"}, "li")
    response = page_client(api, "audit").get("/ledgers/clue?format=xlsx")
    assert response.status_code == 200
