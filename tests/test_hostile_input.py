"""Hostile input through the API and the pages: bodies over the size limit, hostile BPMN
uploads (refused fast and in bounded memory), form data of the wrong types, overflowing
numbers and ids. Never a 500, never a stack trace; nothing changes.

Time and memory of a refusal are measured around the whole request: the process's CPU seconds
(what a hostile input makes the server compute; unlike wall time, it does not grow when the
machine is busy with other work), the peak of Python allocations (tracemalloc) and
the growth of the process's peak resident size (libxml2 allocates outside Python's view).
"""

from __future__ import annotations

import io
import json
import re
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from engine.api import Engine
from tests.conftest import DIAGRAMS, add_people, seeded, source
from tests.process_helpers import units_by_name
from tests.test_api_helpers import START, Api, add_designer_and_approval, api_of, error_of
from web.ui.auth import session_values

ROOT = Path(__file__).resolve().parent.parent
BAD = DIAGRAMS / "bad"
APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
LIMIT = 8 * 1024 * 1024  # web/app.py MAX_CONTENT_LENGTH
FAST = 5.0  # CPU seconds for a refusal (a billion-laughs expansion would take minutes)
SMALL = 64 * 1024 * 1024  # bytes of Python memory a refusal may take at most
RSS = 256 * 1024 * 1024  # growth of the peak resident size a refusal may cause at most
SWJ = "市商务局"
SUBSIDY_START: dict[str, Any] = {
    "policy_id": "JS-002", "channel": "一网", "enterprise_name": "景德镇某陶瓷有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "王经理",
    "contact_phone": "0798-8888888", "bank_account": "中国银行景德镇分行 1234567890",
    "requested_amount": 36000, "application_summary": "2026年投保出口信用保险",
}


@dataclass(frozen=True)
class Cost:
    seconds: float
    python_peak: int
    rss_growth: int

    def check(self, what: str) -> None:
        assert self.seconds < FAST, f"{what} took {self.seconds:.1f} CPU s"
        assert self.python_peak < SMALL, f"{what} took {self.python_peak >> 20} MB"
        assert self.rss_growth < RSS, f"{what} grew the process by {self.rss_growth >> 20} MB"


def measured(request: Callable[[], TestResponse]) -> tuple[TestResponse, Cost]:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    began = time.process_time()
    try:
        response = request()
        response.get_data()
        seconds = time.process_time() - began
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return response, Cost(seconds, peak, rss_after - rss_before)


def page_client(app: Flask, username: str | None) -> FlaskClient:
    """A browser signed in as ``username``: the session holds what signing in puts there
    (the users of the ``people`` fixture have no passwords)."""
    client = app.test_client()
    if username is not None:
        with client.session_transaction() as session:
            session.update(session_values(app.extensions["kuaiban"].user(username)))
    return client


def no_trace(response: TestResponse) -> str:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return text


def friendly_page(response: TestResponse, status: int) -> str:
    """An HTML error page of the app (not Werkzeug's), without a stack trace."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    text = no_trace(response)
    assert 'class="error-page"' in text and f'<span class="code">{status}</span>' in text
    return text


def _world(engine: Engine) -> None:
    """The approval test process and the shipped subsidy_instant; the approval case's users,
    a designer, an enterprise and the policy department 市商务局."""
    add_people(engine)
    add_designer_and_approval(engine)
    names = ["subsidy_instant.bpmn", "policy_catalogue.dmn"]
    files = [source(ROOT / "processes" / n) for n in names]
    files += [source(p) for p in sorted((ROOT / "forms").glob("subsidy_*.json"))]
    engine.deploy(units_by_name(files))
    engine.add_user("ent", ["enterprise"])
    engine.add_user("swj", ["policy_dept"], unit=SWJ)


pytestmark = seeded(_world)  # made once per process, copied for each test


@pytest.fixture
def api(engine: Engine) -> Api:
    api = api_of(engine)
    api.app.config["WTF_CSRF_ENABLED"] = False
    return api


def versions(engine: Engine) -> list[tuple[str, int]]:
    return [(p.key, p.version) for p in engine.processes()]


# -- bodies over the limit --------------------------------------------------------------------

def _multipart(name: str, content: bytes) -> bytes:
    return (b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="' + name.encode()
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content
            + b"\r\n--xyz--\r\n")


def _chunked(client: FlaskClient, path: str, body: bytes,
             headers: dict[str, str] | None = None) -> TestResponse:
    """A multipart body sent without Content-Length (chunked, as a proxy passes it on)."""
    return client.post(path, input_stream=io.BytesIO(body), headers={
        **(headers or {}), "Transfer-Encoding": "chunked",
        "Content-Type": "multipart/form-data; boundary=xyz"},
        environ_overrides={"wsgi.input_terminated": True})


OVER = b"x" * (LIMIT + 1024)


@pytest.mark.parametrize("how", ["upload", "upload_chunked", "complete_json", "token_json",
                                 "start_json"])
def test_api_bodies_over_the_limit_are_413_json(api: Api, how: str) -> None:
    task_id = api.start()["tasks"][0]["id"]
    before = versions(api.engine)
    json_body = b'{"data": {"summary": "' + OVER + b'"}}'
    requests: dict[str, Callable[[], TestResponse]] = {
        "upload": lambda: api.post("/processes", "des", data={
            "files": (io.BytesIO(OVER), "big.bpmn")}, content_type="multipart/form-data"),
        "upload_chunked": lambda: _chunked(api.client, "/api/v1/processes",
                                           _multipart("big.bpmn", OVER), api.headers("des")),
        "complete_json": lambda: api.post(f"/tasks/{task_id}/complete", "li", data=json_body,
                                          content_type="application/json"),
        "token_json": lambda: api.post("/auth/token", data=b'{"username": "' + OVER + b'"}',
                                       content_type="application/json"),
        "start_json": lambda: api.post("/processes/approval/instances", "li", data=json_body,
                                       content_type="application/json"),
    }
    response, cost = measured(requests[how])
    error = error_of(response, 413)
    assert error["code"] == "request_entity_too_large"
    cost.check(how)
    assert versions(api.engine) == before
    assert api.engine.instance_ids() == [1]


@pytest.mark.parametrize("how", ["designer_upload", "designer_upload_chunked", "login",
                                 "task_form", "start_form"])
def test_pages_over_the_limit_get_a_friendly_413_page(api: Api, how: str) -> None:
    task_id = api.start()["tasks"][0]["id"]
    before = versions(api.engine)
    designer, clerk = page_client(api.app, "des"), page_client(api.app, "li")
    huge = OVER.decode()
    requests: dict[str, Callable[[], TestResponse]] = {
        "designer_upload": lambda: designer.post("/designer/upload", data={
            "files": (io.BytesIO(OVER), "big.bpmn"), "action": "deploy"},
            content_type="multipart/form-data"),
        "designer_upload_chunked": lambda: _chunked(designer, "/designer/upload",
                                                    _multipart("big.bpmn", OVER)),
        "login": lambda: page_client(api.app, None).post("/login", data={
            "username": huge, "password": "x"}),
        "task_form": lambda: clerk.post(f"/tasks/{task_id}", data={"proposal": huge}),
        "start_form": lambda: clerk.post("/start/approval", data={"summary": huge,
                                                                   "unit": "浮梁县纪委监委"}),
    }
    response, cost = measured(requests[how])
    text = friendly_page(response, 413)
    assert "上传的文件太大" in text
    cost.check(how)
    assert versions(api.engine) == before
    assert api.engine.instance_ids() == [1]
    assert api.engine.instance(1).revision == 1


FORM_LIMIT = 500_000  # Flask's MAX_FORM_MEMORY_SIZE: a URL-encoded form, a multipart field
ESCAPES = b"%41" * ((LIMIT - 1024) // 3)  # just under 8 MB of percent escapes


@pytest.mark.parametrize("how", ["login", "task_form", "start_form", "task_multipart_field",
                                 "login_chunked"])
def test_forms_over_the_form_limit_are_refused_before_decoding(api: Api, how: str) -> None:
    """Decoding 8 MB of ``%41`` took half a gigabyte and seconds (2.7 million escapes): a form
    body over 500 kB is refused before it is decoded, signed in or not."""
    task_id = api.start()["tasks"][0]["id"]
    clerk = page_client(api.app, "li")
    urlencoded = "application/x-www-form-urlencoded"
    requests: dict[str, Callable[[], TestResponse]] = {
        "login": lambda: page_client(api.app, None).post(
            "/login", data=b"username=" + ESCAPES, content_type=urlencoded),
        "task_form": lambda: clerk.post(f"/tasks/{task_id}", data=b"proposal=" + ESCAPES,
                                        content_type=urlencoded),
        "start_form": lambda: clerk.post("/start/approval", data=b"summary=" + ESCAPES,
                                         content_type=urlencoded),
        "task_multipart_field": lambda: clerk.post(
            f"/tasks/{task_id}", data={"proposal": "转" * (FORM_LIMIT // 3 + 10)},
            content_type="multipart/form-data"),
        "login_chunked": lambda: page_client(api.app, None).post(
            "/login", input_stream=io.BytesIO(b"username=" + ESCAPES), headers={
                "Transfer-Encoding": "chunked", "Content-Type": urlencoded},
            environ_overrides={"wsgi.input_terminated": True}),
    }
    response, cost = measured(requests[how])
    friendly_page(response, 413)
    cost.check(how)  # chunked: decoded up to the limit (500 kB) before the refusal
    if how != "login_chunked":
        assert cost.python_peak < 16 * 1024 * 1024, cost  # refused before decoding
    assert api.engine.instance(1).revision == 1 and api.engine.instance_ids() == [1]


def test_a_form_just_under_the_form_limit_is_read(api: Api) -> None:
    task_id = api.start()["tasks"][0]["id"]
    body = b"proposal=" + b"%E8%BD%AC" * ((FORM_LIMIT - 100) // 9)  # 转转转...
    response = page_client(api.app, "li").post(
        f"/tasks/{task_id}", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422  # read, and judged: not one of the choices
    assert "不是有效的选项" in response.get_data(as_text=True)


def test_a_body_just_under_the_limit_is_read_and_judged(api: Api) -> None:
    """The limit is where it is documented: 8 MB - a little is parsed and judged (422)."""
    instance = api.engine.start("subsidy_instant", SUBSIDY_START, "ent")
    task_id = instance.tasks[0].id
    opinion = "意" * ((LIMIT - 4096) // 3)  # 3 bytes each in UTF-8
    body = json.dumps({"data": {"decision": "approve", "approved_amount": 1,
                                "opinion": opinion}}, ensure_ascii=False).encode()
    assert LIMIT - 8192 < len(body) <= LIMIT
    response, cost = measured(lambda: api.post(f"/tasks/{task_id}/complete", "swj", data=body,
                                               content_type="application/json"))
    assert error_of(response, 422)["details"] == {"opinion": "最多 4000 个字符"}
    assert cost.seconds < FAST


# -- hostile BPMN -----------------------------------------------------------------------------

FOUR_MB = "A" * (4 * 1024 * 1024)


def hostile_documents() -> dict[str, bytes]:
    deep = "<bpmn:extensionElements>" + "<x>" * 100_000 + "</x>" * 100_000
    many = "".join(f'<bpmn:textAnnotation id="t{i}" />' for i in range(12_000))
    return {
        "xxe": (BAD / "xxe.bpmn").read_bytes(),
        "billion_laughs": (BAD / "billion_laughs.bpmn").read_bytes(),
        "external_dtd": APPROVAL.replace(
            "<bpmn:definitions", '<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
            "<bpmn:definitions", 1).encode(),
        "parameter_entities": (
            '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % p SYSTEM '
            '"file:///etc/passwd"> %p;]>\n' + APPROVAL.split("?>", 1)[1]).encode(),
        "deep_nesting": APPROVAL.replace("</bpmn:process>", deep
                                         + "</bpmn:extensionElements></bpmn:process>").encode(),
        "10000_elements": APPROVAL.replace("</bpmn:process>", many + "</bpmn:process>").encode(),
        "4mb_attribute": APPROVAL.replace('<bpmn:startEvent id="start"',
                                          f'<bpmn:startEvent id="start" x="{FOUR_MB}"').encode(),
        "4mb_id": APPROVAL.replace('id="handle"', f'id="h{FOUR_MB}"').encode(),
        "6mb_file": APPROVAL.replace("</bpmn:definitions>",
                                     f"<!-- {FOUR_MB}{FOUR_MB[:2_000_000]} -->"
                                     "</bpmn:definitions>").encode(),
        "not_utf8": APPROVAL.encode("utf-16"),
    }


HOSTILE = hostile_documents()


def _upload_api(api: Api, content: bytes) -> TestResponse:
    return api.post("/processes", "des", data={"files": (io.BytesIO(content), "hostile.bpmn")},
                    content_type="multipart/form-data")


def _upload_page(api: Api, content: bytes) -> TestResponse:
    return page_client(api.app, "des").post("/designer/upload", data={
        "files": (io.BytesIO(content), "hostile.bpmn"), "action": "deploy"},
        content_type="multipart/form-data")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bpmn_upload_through_the_api_is_refused_fast(api: Api, name: str) -> None:
    before = versions(api.engine)
    response, cost = measured(lambda: _upload_api(api, HOSTILE[name]))
    error = error_of(response, 422)
    assert error["code"] in ("validation_failed", "unsafe_input")
    assert "hostile.bpmn" in json.dumps(error["details"], ensure_ascii=False)
    assert len(response.get_data()) < 64 * 1024, "the refusal echoes the hostile input"
    assert "root:" not in response.get_data(as_text=True)  # no file content leaked
    cost.check(name)
    assert versions(api.engine) == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bpmn_upload_through_the_designer_page_is_refused_fast(api: Api,
                                                                       name: str) -> None:
    before = versions(api.engine)
    response, cost = measured(lambda: _upload_page(api, HOSTILE[name]))
    assert response.status_code == 422
    text = no_trace(response)
    assert "hostile.bpmn" in text and "root:" not in text
    assert len(text) < 256 * 1024, "the refusal echoes the hostile input"
    cost.check(name)
    assert versions(api.engine) == before


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - {"not_utf8"}))
def test_hostile_bpmn_in_the_modeler_is_refused_fast(api: Api, name: str) -> None:
    """The in-browser modeler sends the diagram as JSON text (validate, then deploy)."""
    before = versions(api.engine)
    body = {"files": [{"name": "hostile.bpmn", "content": HOSTILE[name].decode()}]}
    designer = page_client(api.app, "des")
    for action in ("validate", "deploy"):
        response, cost = measured(partial(designer.post, f"/designer/modeler/{action}",
                                          json=body))
        assert response.status_code in (200, 422), response.status_code
        result = json.loads(no_trace(response))
        assert result.get("ok") is False or result.get("deployed") == [], result
        assert result["problems"], result
        cost.check(f"{name} ({action})")
    assert versions(api.engine) == before


LONG_NAMES = {
    "process_id_200": APPROVAL.replace('"approval"', '"a' + "x" * 200 + '"'),
    "process_name_4mb": APPROVAL.replace('name="测试审批"', f'name="{FOUR_MB}"'),
    "task_name_300": APPROVAL.replace('name="提出处置意见"', 'name="' + "提" * 300 + '"'),
}


@pytest.mark.parametrize("name", sorted(LONG_NAMES))
def test_names_longer_than_the_database_holds_are_refused_at_deploy(api: Api,
                                                                    name: str) -> None:
    response = _upload_api(api, LONG_NAMES[name].encode())
    if response.status_code == 201:  # deployed: then starting a case must still not fail
        started = api.post("/processes/approval/instances", "li", json={"data": START})
        assert started.status_code < 500, "a deployed diagram cannot be started"
    error_of(response, 422)


# -- form data of the wrong types -------------------------------------------------------------

def _subsidy_task(engine: Engine) -> tuple[int, str]:
    instance = engine.start("subsidy_instant", SUBSIDY_START, "ent")
    return instance.id, instance.tasks[0].id


def _approval_task(api: Api) -> tuple[int, str]:
    """The approval test process at its 审批 (approved: boolean, comment: string)."""
    instance = api.start()
    api.engine.complete(instance["tasks"][0]["id"], {"proposal": "转办"}, "li")
    [task] = api.engine.instance(instance["id"]).tasks
    return instance["id"], task.id


OK_SUBSIDY = {"decision": "approve", "approved_amount": 36000}

# (task, data or raw body, status, field named in the details)
API_CASES: list[tuple[str, Any, int, str]] = [
    ("approval", {"approved": "true"}, 422, "approved"),  # a string for a boolean
    ("approval", {"approved": 1}, 422, "approved"),
    ("approval", {"approved": None}, 422, "approved"),
    ("approval", {"approved": True, "comment": ["同意"]}, 422, "comment"),  # a list for a string
    ("approval", {"approved": True, "comment": {"text": "同意"}}, 422, "comment"),
    ("approval", {"approved": True, "comment": 5}, 422, "comment"),
    ("subsidy", {"decision": ["approve"], "approved_amount": 1}, 422, "decision"),
    ("subsidy", {"decision": True, "approved_amount": 1}, 422, "decision"),
    ("subsidy", {"decision": "maybe", "approved_amount": 1}, 422, "decision"),
    ("subsidy", {**OK_SUBSIDY, "approved_amount": "36000"}, 422, "approved_amount"),
    ("subsidy", {**OK_SUBSIDY, "approved_amount": True}, 422, "approved_amount"),
    ("subsidy", {**OK_SUBSIDY, "approved_amount": -5}, 422, "approved_amount"),  # out of range
    ("subsidy", {**OK_SUBSIDY, "approved_amount": 0}, 422, "approved_amount"),
    ("subsidy", {**OK_SUBSIDY, "opinion": "意" * 4001}, 422, "opinion"),
    ("subsidy", {**OK_SUBSIDY, "opinion": "意" * 1_000_000}, 422, "opinion"),  # huge string
    ("subsidy", {**OK_SUBSIDY, "unit": "市工信局"}, 422, "unit"),  # not a field of the form
    ("subsidy", '{"data": {"decision": "approve", "approved_amount": 1e400}}', 400, "body"),
    ("subsidy", '{"data": {"decision": "approve", "approved_amount": -1e999}}', 400, "body"),
    ("subsidy", '{"data": {"decision": "approve", "approved_amount": NaN}}', 400, "body"),
    ("subsidy", '{"data": {"decision": "approve", "approved_amount": 1' + "0" * 200 + "}}",
     400, "body"),
    ("subsidy", '{"data": {"decision": "approve", "approved_amount": 1' + "0" * 5000 + "}}",
     400, "body"),
    ("subsidy", '{"data": "approve"}', 400, "data"),
    ("subsidy", '{"data": [1, 2]}', 400, "data"),
    ("subsidy", '{"data": {}, "revision": "1"}', 400, "revision"),
    ("subsidy", '{"data": {}, "revision": 1.5}', 400, "revision"),
    ("subsidy", "[" * 100_000 + "]" * 100_000, 400, ""),
    ("subsidy", '{"data": {"a": ' + "[" * 40 + "]" * 40 + "}}", 400, "data.a"),
]


@pytest.mark.parametrize("task, data, status, field", API_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(API_CASES)])
def test_api_form_data_of_the_wrong_type_is_refused_with_field_errors(
        api: Api, task: str, data: Any, status: int, field: str) -> None:
    instance_id, task_id = _subsidy_task(api.engine) if task == "subsidy" else _approval_task(api)
    user = "swj" if task == "subsidy" else "wang"
    before = api.engine.instance(instance_id)
    events = len(api.engine.history(instance_id))
    kwargs: dict[str, Any] = (
        {"data": data, "content_type": "application/json"} if isinstance(data, str)
        else {"json": {"data": data}})
    response, cost = measured(lambda: api.post(f"/tasks/{task_id}/complete", user, **kwargs))
    error = error_of(response, status)
    details = error["details"] or {}
    assert any(name.startswith(field) for name in details) if field else True, error
    assert all(isinstance(v, str) and v for v in details.values()), details
    cost.check(f"{task} {field}")
    after = api.engine.instance(instance_id)
    assert (after.revision, after.data) == (before.revision, before.data)
    assert len(api.engine.history(instance_id)) == events


@pytest.mark.parametrize("query, field", [
    ("instance=99999999999", "instance"), ("instance=2147483648", "instance"),
    ("instance=-1", "instance"), ("instance=1e3", "instance"), ("instance=１２", "instance"),
    ("overdue=2", "overdue"), ("assignee=you", "assignee"),
])
def test_api_filters_out_of_range_are_400(api: Api, query: str, field: str) -> None:
    assert field in error_of(api.get(f"/tasks?{query}", "li"), 400)["details"]


@pytest.mark.parametrize("path", [
    "/instances/2147483648", "/instances/99999999999999999999", "/instances/-1",
    "/instances/1.5", "/instances/99999999999999999999/history", "/tasks/" + "x" * 5000,
])
def test_api_ids_out_of_range_are_404(api: Api, path: str) -> None:
    error_of(api.get(path, "audit"), 404)


# Posted strings, as a browser sends them (a repeated key is a list).
PAGE_CASES: list[tuple[str, list[tuple[str, str]], str, str]] = [
    ("approval", [("approved", "maybe")], "approved", "应为是/否"),
    ("approval", [("approved", "true"), ("approved", "false")], "approved", "应为是/否"),
    ("approval", [("approved", "true"), ("comment", "a"), ("comment", "b")], "comment",
     "应为文本"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "nan")], "approved_amount",
     "应为数字"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "inf")], "approved_amount",
     "应为数字"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "1e400")], "approved_amount",
     "应为数字"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "1" + "0" * 5000)],
     "approved_amount", "应为数字"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "-5")], "approved_amount",
     "应大于 0"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "三万")], "approved_amount",
     "应为数字"),
    ("subsidy", [("decision", "whatever"), ("approved_amount", "1")], "decision",
     "不是有效的选项"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "1"), ("opinion", "意" * 4001)],
     "opinion", "最多 4000 个字符"),
    ("subsidy", [("decision", "approve"), ("approved_amount", "1"),
                 ("opinion", "意" * 50_000)], "opinion", "最多 4000 个字符"),  # 450 kB posted
]


@pytest.mark.parametrize("task, form, field, message", PAGE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(PAGE_CASES)])
def test_page_form_data_of_the_wrong_type_is_shown_beside_the_field(
        api: Api, task: str, form: list[tuple[str, str]], field: str, message: str) -> None:
    instance_id, task_id = _subsidy_task(api.engine) if task == "subsidy" else _approval_task(api)
    client = page_client(api.app, "swj" if task == "subsidy" else "wang")
    before = api.engine.instance(instance_id)
    revision = before.revision
    assert client.get(f"/tasks/{task_id}").status_code == 200  # templates compiled before
    response, cost = measured(lambda: client.post(
        f"/tasks/{task_id}", data=MultiDict([*form, ("revision", str(revision))])))
    assert response.status_code == 422, response.status_code
    text = no_trace(response)
    beside = text.split(f'data-field="{field}"', 1)[1].split('class="field ', 1)[0]
    assert 'class="field-error"' in beside and message in beside
    cost.check(field)
    after = api.engine.instance(instance_id)
    assert (after.revision, after.data) == (revision, before.data)


@pytest.mark.parametrize("form, field", [
    ({"summary": "x", "unit": ["浮梁县纪委监委", "乐平市纪委监委"]}, "unit"),
    ({"summary": "x" * 20, "unit": "浮梁县纪委监委", "extra": "1"}, None),
    ({"summary": " ", "unit": "浮梁县纪委监委"}, "summary"),
])
def test_page_start_form_of_the_wrong_type_is_422(api: Api, form: dict[str, Any],
                                                  field: str | None) -> None:
    response = page_client(api.app, "li").post("/start/approval", data=form)
    if field is None:  # fields the form does not have are not read
        assert response.status_code == 302
        return
    assert response.status_code == 422
    text = no_trace(response)
    assert 'class="field-error"' in text.split(f'data-field="{field}"', 1)[1]
    assert api.engine.instance_ids() == []


@pytest.mark.parametrize("path, user", [
    ("/instances/99999999999999999999", "audit"), ("/instances/2147483648", "audit"),
    ("/instances/99999999999999999999/diagram.json", "audit"),
    ("/audit/instances/99999999999999999999", "audit"),
    ("/designer/processes/approval/v99999999999999999999", "des"),
    ("/designer/processes/approval/v99999999999999999999/diagram.json", "des"),
    ("/tasks/" + "x" * 5000, "li"), ("/designer/processes/" + "x" * 5000, "des"),
])
def test_page_ids_out_of_range_are_404_pages(api: Api, path: str, user: str) -> None:
    friendly_page(page_client(api.app, user).get(path), 404)


@pytest.mark.parametrize("path", ["/?process=a%00b", "/audit/?q=%00", "/audit/?process=x%00",
                                  "/designer/processes/a%00b", "/tasks/a%00b",
                                  "/ledgers/clue?unit=%00", "/board/tasks?unit=%00"])
def test_nul_in_a_page_url_is_a_400_page(api: Api, path: str) -> None:
    user = "des" if path.startswith("/designer") else "audit"
    friendly_page(page_client(api.app, user).get(path), 400)


def test_nul_in_a_login_form_is_a_400_page(api: Api) -> None:
    response = page_client(api.app, None).post("/login", data={"username": "li\x00",
                                                               "password": "pw-li"})
    friendly_page(response, 400)


def test_a_unit_longer_than_the_database_holds_is_refused_with_422(api: Api) -> None:
    statuses = []
    response = api.post("/processes/approval/instances", "li", json={
        "data": {"summary": "不作为", "unit": "单" * 200}})
    statuses.append(response.status_code)
    if response.status_code == 201:
        propose = response.get_json()["tasks"][0]["id"]
        statuses.append(api.post(f"/tasks/{propose}/complete", "li",
                                 json={"data": {"proposal": "转办"}}).status_code)
        [approve] = api.get("/tasks", "wang").get_json()["tasks"]
        statuses.append(api.post(f"/tasks/{approve['id']}/complete", "wang",
                                 json={"data": {"approved": True}}).status_code)
    assert 500 not in statuses and 422 in statuses, statuses


# -- redirects: only same-origin paths, judged as the browser reads them -------------------------

def _browser_target(location: str) -> tuple[str, str]:
    """(host, path) a browser goes to from ``location`` on http://kuaiban.local/: it drops
    tabs and line breaks, trims spaces and control characters, and reads a backslash as a
    slash (the WHATWG URL parser)."""
    from urllib.parse import urljoin, urlsplit

    cleaned = "".join(c for c in location if c not in "\t\r\n").strip("\x00 \x01\x02\x03\x04"
                                                                        "\x05\x06\x07\x08\x0b"
                                                                        "\x0c\x0e\x0f\x1f")
    resolved = urlsplit(urljoin("http://kuaiban.local/x/y", cleaned.replace("\\", "/")))
    return resolved.netloc, resolved.path


OFF_SITE = ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
            "//evil.example", "/\\evil.example", "\\/evil.example", "https://evil.example",
            " //evil.example", "/\t\\evil.example", "http:evil.example", "\x01//evil.example",
            "javascript:alert(1)", "/%2F/evil.example/../"]
CRLF = ["/\r\nSet-Cookie: session=forged", "/x\rLocation: //evil.example", "/\x00"]


@pytest.mark.parametrize("target", OFF_SITE + CRLF)
def test_language_switch_never_leaves_the_site(api: Api, target: str) -> None:
    response = page_client(api.app, None).post("/lang/en", data={"next": target})
    assert response.status_code in (302, 400), response.status_code
    no_trace(response)
    if response.status_code == 302:
        host, _ = _browser_target(response.headers["Location"])
        assert host == "kuaiban.local", response.headers["Location"]
        assert "Set-Cookie" not in response.headers or "forged" not in str(response.headers)


@pytest.mark.parametrize("target", OFF_SITE + CRLF)
def test_sign_in_never_sends_the_browser_off_site(api: Api, target: str) -> None:
    api.engine.add_user("li", ["intake"], password="pw-li")
    client = page_client(api.app, None)
    response = client.post("/login", data={"username": "li", "password": "pw-li",
                                           "next": target})
    assert response.status_code in (302, 400), response.status_code
    no_trace(response)
    if response.status_code == 302:
        host, _ = _browser_target(response.headers["Location"])
        assert host == "kuaiban.local", response.headers["Location"]
    page = client.get("/login", query_string={"next": target})
    assert page.status_code in (200, 400)
    kept = re.findall(r'name="next" value="([^"]*)"', no_trace(page))
    assert all(_browser_target(v)[0] == "kuaiban.local" for v in kept), kept


def test_a_local_next_with_chinese_text_is_kept(api: Api) -> None:
    response = page_client(api.app, None).post("/lang/en", data={"next": "/?process=线索"})
    assert response.status_code == 302
    assert _browser_target(response.headers["Location"]) == ("kuaiban.local", "/")
    assert response.headers["Location"].startswith("/?process=%E7%BA%BF")


# -- case numbers: never chosen where the process numbers its cases, never twice -------------------

def _count(engine: Engine) -> int:
    return len(engine.instance_ids())


@pytest.mark.parametrize("key", ["TS-2026-000001", "TS-2026-000004", "anything"])
def test_a_caller_cannot_choose_a_case_number(api: Api, key: str) -> None:
    """approval numbers its cases (TS-...): choosing one once made a duplicate number, or made
    the sequence issue the chosen one again later."""
    first = api.start()
    assert first["business_key"] == "TS-2026-000001"
    response = api.post("/processes/approval/instances", "li",
                        json={"data": START, "business_key": key})
    error = error_of(response, 422)
    assert error["key"] == "case.numbered_by_system" and "business_key" in error["details"]
    assert _count(api.engine) == 1
    numbers = [api.start()["business_key"] for _ in range(4)]
    assert numbers == [f"TS-2026-00000{i}" for i in range(2, 6)]


def test_the_database_refuses_a_case_number_twice(api: Api) -> None:
    """Even if the sequence went back (restored from an old backup, edited by hand), a
    number is never issued twice: 409, nothing saved."""
    api.start()
    with api.engine.transaction() as session:
        session.execute(text("UPDATE case_sequences SET last_value = 0"))
    response = api.post("/processes/approval/instances", "li", json={"data": START})
    assert error_of(response, 409)["code"] == "conflict"
    assert _count(api.engine) == 1


# -- messages: to exactly one case; what comes from outside is checked like a form -----------------

@pytest.fixture
def messages(api: Api) -> Api:
    """tests/diagrams/messages.bpmn (waiter: its boundary event's message form has "verdict";
    opened: a message start event without a form) and the shipped clue_triage."""
    clue = [source(ROOT / "processes" / "clue_triage.bpmn")]
    clue += [source(p) for pattern in ("clue_*.json", "escalation_*.json")
             for p in sorted((ROOT / "forms").glob(pattern))]
    api.engine.deploy([source(DIAGRAMS / "messages.bpmn"),
                       source(DIAGRAMS / "forms" / "test_city_result.json"), *clue])
    return api


def _send(api: Api, body: dict[str, Any], user: str = "li") -> TestResponse:
    return api.post("/messages", user, json=body)


def test_a_message_reaches_one_case_or_none(messages: Api) -> None:
    engine = messages.engine
    one = engine.start("waiter", {}, "li", business_key="B-1").id
    two = engine.start("waiter", {}, "li", business_key="B-2").id
    with engine.transaction() as session:  # two cases under one key, as old data may have
        session.execute(text("UPDATE instances SET business_key = 'B-1' WHERE id = :i"),
                        {"i": two})
        session.execute(text("UPDATE message_subscriptions SET business_key = 'B-1' "
                             "WHERE instance_id = :i"), {"i": two})
    before = [engine.instance(i).revision for i in (one, two)]
    for correlation in ({"business_key": "B-1"}, {}):
        response = _send(messages, {"name": "city_result", "correlation": correlation})
        assert error_of(response, 409)["key"] == "message.ambiguous"
    assert [engine.instance(i).revision for i in (one, two)] == before


def test_a_message_start_carries_only_what_its_form_declares(messages: Api) -> None:
    """hotline_clue starts clue_triage; from outside it is checked against the start form
    (clue_register): no extra field, no forged case number, no chosen number."""
    forged = {"channel": "12345热线", "received_at": "2026-09-30T09:00:00+08:00",
              "anonymous": True, "accused_unit": "某局", "problem_type": "推诿拖延刁难",
              "summary": "x", "owner": "li"}
    cases = [({**forged, "evil_extra_field": "x"}, {}, "evil_extra_field"),
             ({**forged, "source_case_no": "RX-2026-000001"}, {}, "source_case_no"),
             ({**forged, "case_no": "ZF-2026-000002"}, {}, "case_no"),
             ({**forged, "anonymous": "yes"}, {}, "anonymous"),
             (forged, {"business_key": "ZF-2026-000002"}, "business_key")]
    for data, correlation, field in cases:
        response = _send(messages, {"name": "hotline_clue", "correlation": correlation,
                                    "data": data})
        assert field in error_of(response, 422)["details"], field
    assert _count(messages.engine) == 0


def test_a_message_to_an_event_without_a_form_carries_no_data(messages: Api) -> None:
    response = _send(messages, {"name": "open_case", "data": {"anything": 1}})
    assert error_of(response, 422)["key"] == "message.no_form"
    assert _count(messages.engine) == 0
    assert _send(messages, {"name": "open_case"}).status_code == 200


def test_a_message_to_a_waiting_case_is_checked_against_its_form(messages: Api) -> None:
    engine = messages.engine
    waiting = engine.start("waiter", {}, "li", business_key="B-7").id
    revision = engine.instance(waiting).revision
    for data, field in (({"verdict": ["属实"]}, "verdict"), ({"verdict": "属实", "unit": "x"},
                                                           "unit"),
                        ({"case_no": "B-8"}, "case_no")):
        response = _send(messages, {"name": "city_result",
                                    "correlation": {"business_key": "B-7"}, "data": data})
        assert field in error_of(response, 422)["details"]
    assert engine.instance(waiting).revision == revision
    ok = _send(messages, {"name": "city_result", "correlation": {"business_key": "B-7"},
                          "data": {"verdict": "属实"}})
    assert ok.status_code == 200 and engine.instance(waiting).data["verdict"] == "属实"


@pytest.mark.parametrize("key", [["ZF-2026-000001"], {"k": 1}, 7, True, "", "x" * 65])
def test_a_correlation_business_key_that_is_not_text_is_422(messages: Api, key: Any) -> None:
    messages.engine.start("waiter", {}, "li", business_key="B-9")
    for name in ("city_result", "open_case"):  # a waiting case; a message start
        response = _send(messages, {"name": name, "correlation": {"business_key": key}})
        assert "correlation.business_key" in error_of(response, 422)["details"], name
    nested = _send(messages, {"name": "city_result", "correlation": {"unit": {"a": [1]}}})
    assert "correlation.unit" in error_of(nested, 422)["details"]
    assert _count(messages.engine) == 1


@pytest.mark.parametrize("field", ["case_no", "source_case_no"])
def test_a_start_cannot_set_the_engines_own_fields(messages: Api, field: str) -> None:
    for path in ("/processes/approval/instances", "/processes/waiter/instances"):
        data = {**START, field: "ZF-2026-000001"} if "approval" in path else {field: "x"}
        response = messages.post(path, "li", json={"data": data})
        assert field in error_of(response, 422)["details"], path
    assert _count(messages.engine) == 0


# -- scripts that would store or compute without bound ---------------------------------------------

@pytest.mark.parametrize("script, message", [
    ("s = 'a' * 1000000\nx = [s] * 200", "bytes"),  # was: 201 after 7.6 s, 201 MB stored
    ("s = 'a' * 1000000\nx = [s] * 100000", "bytes"),
    ("for i in range(45000):\n    x = workday_close(2400)", "at most 1250"),  # was: 122 s
    ("for i in range(45000):\n    x = workday_close(1200)", "step limit"),
])
def test_a_script_that_would_store_or_compute_without_bound_is_refused_fast(
        api: Api, script: str, message: str) -> None:
    from tests.test_command_limits import diagram

    api.engine.deploy([diagram(script)])
    if message == "bytes":  # time and memory (tracing memory slows the interpreter down)
        response, cost = measured(lambda: api.post("/processes/cost/instances", "li", json={}))
        cost.check("the refusal")
    else:
        began = time.process_time()
        response = api.post("/processes/cost/instances", "li", json={})
        assert time.process_time() - began < FAST
    assert message in error_of(response, 422)["message"]
    assert len(response.get_data()) < 2000  # never echoes what the script built
    assert api.engine.instance_ids() == []


# -- guessing passwords ---------------------------------------------------------------------------

def test_guessing_passwords_is_throttled_on_the_api_and_the_page(api: Api) -> None:
    """Was: 100 wrong passwords at ~25/s, all 401, then the right one worked."""
    token_statuses = [api.post("/auth/token", json={"username": "li", "password": f"x{i}"})
                      .status_code for i in range(30)]
    assert 429 in token_statuses and 500 not in token_statuses
    right = api.post("/auth/token", json={"username": "li", "password": "pw-li"})
    assert error_of(right, 429)["code"] == "too_many_attempts"
    assert int(right.headers["Retry-After"]) > 0
    client = page_client(api.app, None)
    page_statuses = [client.post("/login", data={"username": "wang", "password": f"x{i}"},
                                 environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
                     for i in range(30)]
    assert 429 in page_statuses and 500 not in page_statuses
