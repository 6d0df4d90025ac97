"""/api/v1: tokens, processes and uploads, instances, history, messages, errors, OpenAPI.

Tasks (inbox, claim, complete) are in test_api_tasks.py.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

from engine.api import Engine
from engine.definitions.validation import SourceFile
from tests.conftest import DIAGRAMS
from tests.process_helpers import load_units
from tests.test_api_helpers import APPROVAL_WORLD, START, UNIT, Api, api_of, error_of
from web import tokens
from web.api.openapi import OPENAPI

pytestmark = APPROVAL_WORLD


@pytest.fixture
def api(engine: Engine) -> Api:
    return api_of(engine)


# -- tokens ---------------------------------------------------------------------------------


def test_token_from_password_opens_the_api(api: Api) -> None:
    response = api.client.post("/api/v1/auth/token", json={"username": "li", "password": "pw-li"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    listed = api.client.get("/api/v1/processes",
                            headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200


@pytest.mark.parametrize("credentials", [
    {"username": "li", "password": "wrong"},
    {"username": "nobody", "password": "pw-li"},
    {"username": "wang", "password": ""},  # no password set: never signs in
    {"username": "wang", "password": "x"},
])
def test_bad_credentials_are_401(api: Api, credentials: dict[str, str]) -> None:
    error = error_of(api.client.post("/api/v1/auth/token", json=credentials),
                     401 if credentials["password"] else 400)
    if credentials["password"]:
        assert error["code"] == "invalid_credentials"


def test_token_request_field_errors(api: Api) -> None:
    error = error_of(api.client.post("/api/v1/auth/token", json={"username": 7, "pw": "x"}), 400)
    assert set(error["details"]) == {"username", "password", "pw"}
    error_of(api.client.post("/api/v1/auth/token", data="{", content_type="application/json"),
             400)
    error_of(api.client.post("/api/v1/auth/token", data="username=li&password=pw-li",
                             content_type="application/x-www-form-urlencoded"), 415)


PROTECTED = [
    ("get", "/processes"), ("post", "/processes"), ("post", "/processes/approval/instances"),
    ("get", "/instances/1"), ("get", "/instances/1/history"), ("get", "/tasks"),
    ("get", "/tasks/x"), ("post", "/tasks/x/claim"), ("post", "/tasks/x/unclaim"),
    ("post", "/tasks/x/complete"), ("post", "/messages"), ("get", "/notifications"),
    ("post", "/notifications/1/read"),
]


def _expired_token(api: Api, user: str) -> str:
    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - tokens.DEFAULT_MAX_AGE - 60

    old = tokens.URLSafeTimedSerializer(api.app.config["SECRET_KEY"], salt=tokens.SALT,
                                        signer=Earlier)
    return old.dumps({"sub": user})


def test_every_endpoint_needs_a_valid_token(api: Api) -> None:
    forged = tokens.issue("another-secret", "li")
    cases = {
        "missing_token": {},
        "invalid_token": {"Authorization": "Bearer not-a-token"},
        "token_expired": {"Authorization": f"Bearer {_expired_token(api, 'li')}"},
    }
    for method, path in PROTECTED:
        for code, headers in cases.items():
            response = getattr(api.client, method)("/api/v1" + path, headers=headers)
            assert error_of(response, 401)["code"] == code, (method, path, code)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        for headers in ({"Authorization": f"Bearer {forged}"},
                        {"Authorization": f"Basic {api.token('li')}"},
                        {"Authorization": f"Bearer {api.token('ghost')}"}):
            response = getattr(api.client, method)("/api/v1" + path, headers=headers)
            error_of(response, 401)
    assert api.engine.inbox.for_user("li") == []  # nothing was started


# -- processes ------------------------------------------------------------------------------


def test_list_processes(api: Api) -> None:
    (process,) = api.get("/processes", "wang").get_json()["processes"]
    assert (process["key"], process["version"], process["name"], process["start_form_key"]) == (
        "approval", 1, "测试审批", "test_register")


def _upload(api: Api, user: str, *files: tuple[str, bytes]) -> TestResponse:
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return api.post("/processes", user, data=data, content_type="multipart/form-data")


def test_designer_uploads_a_new_version(api: Api) -> None:
    text = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
    same = _upload(api, "des", ("approval.bpmn", text.encode()))
    assert same.status_code == 201
    assert same.get_json() == {"versions": [{"key": "approval", "version": 1, "created": False}]}
    changed = text.replace('name="测试审批"', 'name="测试审批二"')
    response = _upload(api, "des", ("approval.bpmn", changed.encode()))
    assert response.status_code == 201
    assert response.get_json() == {
        "versions": [{"key": "approval", "version": 2, "created": True}]}
    (process,) = api.get("/processes", "li").get_json()["processes"]
    assert (process["version"], process["name"]) == (2, "测试审批二")


def test_upload_needs_the_designer_role(api: Api) -> None:
    text = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
    changed = text.replace('name="测试审批"', 'name="改过"').encode()
    for user in ("li", "audit", "sun"):
        assert error_of(_upload(api, user, ("approval.bpmn", changed)), 403)["code"] == (
            "permission_denied")
    assert [p.version for p in api.engine.process_versions("approval")] == [1]


def test_bad_upload_lists_every_error_with_file_and_line(api: Api) -> None:
    bad = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_bad" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="bad" name="bad" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_x" name="nobody_role">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>work</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" name="w" camunda:formKey="no_such_form"
                   camunda:dueDate="().__class__" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
    response = _upload(api, "des", ("bad.bpmn", bad), ("broken.json", b'{"title": "x",\n "t": }'),
                       ("latin1.json", "{\"title\": \"é\"}".encode("latin-1")))
    error = error_of(response, 422)
    assert error["code"] == "validation_failed"
    found = {(p["file"], p["line"], p["element"]) for p in error["details"]}
    assert {("bad.bpmn", 7, "Lane_x"), ("bad.bpmn", 15, "work"), ("broken.json", 2, None),
            ("latin1.json", None, None)} <= found
    messages = " | ".join(p["message"] for p in error["details"])
    assert "nobody_role" in messages and "no_such_form" in messages and "UTF-8" in messages
    assert all(set(p) >= {"file", "line", "element", "message"} for p in error["details"])
    assert [p.key for p in api.engine.processes()] == ["approval"]


def test_xxe_upload_is_refused_with_a_clear_message(api: Api, tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    evil = f"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="x"><bpmn:process id="evil" name="&xxe;" /></bpmn:definitions>
""".encode()
    response = _upload(api, "des", ("evil.bpmn", evil))
    error = error_of(response, 422)
    assert "TOP-SECRET" not in response.get_data(as_text=True)
    (problem,) = error["details"]
    assert (problem["file"], problem["line"]) == ("evil.bpmn", 2)
    assert "DTD" in problem["message"] and "DTD" in error["message"]
    assert [p.key for p in api.engine.processes()] == ["approval"]


def test_upload_without_files_is_400(api: Api) -> None:
    assert error_of(api.post("/processes", "des", json={}), 400)["details"] == {
        "files": "请求中没有文件"}
    assert error_of(_upload(api, "des", ("notes.txt", b"hi")), 422)["code"] == (
        "validation_failed")


# -- instances ------------------------------------------------------------------------------


def test_start_returns_201_with_the_instance(api: Api) -> None:
    response = api.post("/processes/approval/instances", "li", json={"data": START})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/instances/{body['id']}")
    assert (body["status"], body["business_key"], body["version"]) == (
        "running", "TS-2026-000001", 1)
    assert body["data"]["summary"] == "不作为"
    (task,) = body["tasks"]
    assert (task["name"], task["role"], task["due_at"]) == (
        "propose", "intake", "2026-09-30T17:30:00+08:00")
    # approval numbers its cases (TS-...): a caller may not choose the number
    chosen = api.post("/processes/approval/instances", "li",
                      json={"data": START, "business_key": "TS-2026-000002"})
    assert "由系统编号" in error_of(chosen, 422)["message"]
    assert "business_key" in error_of(chosen, 422)["details"]


def test_start_errors(api: Api) -> None:
    start = "/processes/approval/instances"
    assert error_of(api.post(start, "wang", json={"data": START}), 403)["code"] == (
        "permission_denied")
    assert error_of(api.post("/processes/nope/instances", "li", json={"data": START}), 404)
    assert error_of(api.post("/processes/" + "k" * 300 + "/instances", "li", json={}), 404)
    form = error_of(api.post(start, "li", json={"data": {"summary": ""}}), 422)
    assert form["code"] == "invalid_data" and set(form["details"]) == {"summary", "unit"}
    assert error_of(api.post(start, "li", json={"data": [1, 2]}), 400)["details"] == {
        "data": "应为对象，而不是数组"}
    assert set(error_of(api.post(start, "li", json={"data": START, "business_key": 5}),
                        400)["details"]) == {"business_key"}
    assert error_of(api.post(start, "li", json={"data": START, "business_key": "x" * 65}), 400)
    assert error_of(api.post(start, "li", json={"data": {**START, "summary": "a\u0000b"}}),
                    400)["details"] == {"data.summary": "不能包含 NUL 字符"}
    assert error_of(api.post(start, "li", data='{"data": {"a": "\\ud800"}}',
                             content_type="application/json"), 400)
    assert error_of(api.post(start, "li", data='{"data": {"n": NaN}}',
                             content_type="application/json"), 400)
    deep = '{"data": {"deep": ' + "[" * 40 + "]" * 40 + "}}"
    assert "嵌套超过 32 层" in str(error_of(api.post(start, "li", data=deep,
                                             content_type="application/json"), 400))
    deeper = '{"data": {"deep": ' + "[" * 5000 + "]" * 5000 + "}}"
    assert error_of(api.post(start, "li", data=deeper, content_type="application/json"), 400)
    assert error_of(api.post(start, "li", data="[", content_type="application/json"), 400)
    assert api.engine.inbox.for_user("li") == []  # nothing was started


def test_get_instance_and_who_may_read_it(api: Api) -> None:
    instance_id, task_id = api.to_handling()
    body = api.get(f"/instances/{instance_id}", "zhao").get_json()
    assert (body["id"], body["status"], body["business_key"], body["version"]) == (
        instance_id, "running", "TS-2026-000001", 1)
    assert body["data"]["proposal"] == "转办" and body["data"]["approved"] is True
    assert [t["id"] for t in body["tasks"]] == [task_id]
    for reader in ("li", "wang", "audit", "sun"):  # sun: a supervising case manager
        assert api.get(f"/instances/{instance_id}", reader).status_code == 200
    api.engine.add_user("ent", ["enterprise"])
    missing = error_of(api.get("/instances/999", "qian"), 404)
    # other unit; a role with no part in the case; a designer, who works on diagrams
    for outsider in ("qian", "ent", "des"):
        # answered as if the case did not exist: its id tells an outsider nothing
        hidden = error_of(api.get(f"/instances/{instance_id}", outsider), 404)
        assert hidden == {**missing, "message": f"没有编号为 {instance_id} 的案件",
                          "params": {"instance_id": instance_id}}
        error_of(api.get(f"/instances/{instance_id}/history", outsider), 404)


@pytest.mark.parametrize("path", ["/instances/999", "/instances/abc", "/instances/-1",
                                  "/instances/1.5", "/instances/99999999999999999999999",
                                  "/instances/999/history", "/instances/%00/history"])
def test_unknown_instance_ids_are_404(api: Api, path: str) -> None:
    assert error_of(api.get(path, "audit"), 404)["code"] == "not_found"


def test_history_in_order(api: Api) -> None:
    instance_id, task_id = api.to_handling()
    api.post(f"/tasks/{task_id}/claim", "zhao")
    body = api.get(f"/instances/{instance_id}/history", "audit").get_json()
    assert body["instance_id"] == instance_id
    events = body["events"]
    assert [e["type"] for e in events] == ["started", "completed", "completed", "claimed"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert [e["user"] for e in events] == ["li", "li", "wang", "zhao"]
    assert events[0]["at"].endswith("+08:00")


# -- messages -------------------------------------------------------------------------------


def test_message_reaches_the_waiting_instance(api: Api) -> None:
    api.engine.deploy([*_message_files()])
    waiting = api.engine.start("waiter", {}, "li", business_key="B-1")
    response = api.post("/messages", "li", json={
        "name": "city_result", "correlation": {"business_key": "B-1"}, "data": {"verdict": "属实"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"name": "city_result", "instances": [waiting.id]}
    after = api.get(f"/instances/{waiting.id}", "li").get_json()
    assert [t["name"] for t in after["tasks"]] == ["notified"]
    assert after["data"]["verdict"] == "属实"
    nobody = api.post("/messages", "li", json={"name": "city_result",
                                                "correlation": {"business_key": "B-404"}})
    assert error_of(nobody, 404)["code"] == "not_found"


def _message_files() -> list[Any]:
    from tests.conftest import diagram_files

    return diagram_files("messages.bpmn")


def test_message_bad_input(api: Api) -> None:
    assert set(error_of(api.post("/messages", "li", json={"correlation": []}), 400)[
        "details"]) == {"name", "correlation"}
    assert error_of(api.post("/messages", "li", json={"name": "x", "data": "s"}), 400)


# -- errors ---------------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_json(api: Api) -> None:
    assert error_of(api.get("/no/such/thing", "li"), 404)["code"] == "not_found"
    assert error_of(api.client.get("/api/v2/tasks"), 404)
    response = api.client.delete("/api/v1/tasks", headers=api.headers("li"))
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_unexpected_errors_are_a_generic_500(api: Api, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(api.engine, "processes", broken)
    response = api.get("/processes", "li")
    error = error_of(response, 500)
    assert error["code"] == "internal_error"
    assert "hunter2" not in response.get_data(as_text=True)
    assert "hunter2" in caplog.text  # logged for the operators


def test_too_large_body_is_413(api: Api) -> None:
    api.app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post("/processes/approval/instances", "li",
                        json={"data": {**START, "summary": "x" * 5000}})
    assert error_of(response, 413)["code"] == "request_entity_too_large"
    assert error_of(_upload(api, "des", ("big.bpmn", b"x" * 5000)), 413)


# -- OpenAPI and docs -----------------------------------------------------------------------

# design.md section 3.
CONTRACT = {
    ("post", "/instances/{id}/replay"),
    ("post", "/auth/token"), ("post", "/auth/logout"), ("get", "/processes"),
    ("post", "/processes"),
    ("post", "/processes/{key}/instances:batch"), ("post", "/processes/{key}/migrations"),
    ("post", "/processes/{key}/instances"), ("get", "/instances/{id}"), ("get", "/tasks"),
    ("get", "/tasks/{id}"), ("post", "/tasks/{id}/claim"), ("post", "/tasks/{id}/unclaim"),
    ("post", "/tasks/{id}/complete"), ("post", "/messages"), ("get", "/instances/{id}/history"),
    ("get", "/instances/{id}/related"),
    ("get", "/openapi.json"), ("get", "/docs"), ("get", "/notifications"),
    ("post", "/notifications/{id}/read"),
    ("get", "/instances/{id}/attachments"), ("post", "/instances/{id}/attachments"),
    ("get", "/attachments/{sha256}"), ("post", "/instances/{id}/documents"),
    ("get", "/search"), ("get", "/applications"), ("get", "/policies"),
    ("get", "/applications/payouts/{id}"), ("get", "/applications/payouts/{id}/letters/{sha256}"),
    ("post", "/tasks/{id}/transfer"), ("post", "/tasks/{id}/delegate"),
    ("post", "/tasks/{id}/add-signer"), ("post", "/tasks/{id}/send-back"),
    ("get", "/tasks/{id}/send-back"), ("post", "/tasks/{id}/withdraw"),
    ("post", "/tasks/{id}/urge"), ("get", "/tasks/{id}/draft"), ("put", "/tasks/{id}/draft"),
    ("delete", "/tasks/{id}/draft"), ("post", "/instances/{id}/cc"),
    ("post", "/instances/{id}/cc/read"), ("post", "/instances/{id}/comments"),
    ("post", "/instances/{id}/terminate"), ("get", "/copies"),
    ("post", "/instances/{id}/withdraw-application"), ("post", "/tasks/{id}/request-supplement"),
    ("post", "/instances/{id}/resubmit"),
    ("get", "/units"),
    ("get", "/stats"), ("get", "/stats/{section}"), ("get", "/stats/cases"),
    ("get", "/stats/export"),
}


def _documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in doc["paths"].items() for method in item}


def _routes(api: Api) -> set[tuple[str, str]]:
    out = set()
    for rule in api.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for name in ("{instance_id}", "{task_id}", "{notification_id}"):
                path = path.replace(name, "{id}")
            out |= {(m.lower(), path) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    return out


def test_openapi_documents_exactly_the_contract(api: Api) -> None:
    response = api.client.get("/api/v1/openapi.json")  # no token needed
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert _documented(doc) == CONTRACT == _routes(api)
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    text = response.get_data(as_text=True)
    refs = set(re.findall(r'"\$ref": ?"#/components/(\w+)/(\w+)"', text))
    assert refs and all(name in doc["components"][kind] for kind, name in refs)
    for path, item in doc["paths"].items():
        for op in item.values():
            assert op["responses"] and op["summary"], path
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), path


def _validate(doc: dict[str, Any], name: str, value: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    Draft202012Validator(schema).validate(value)


def test_responses_match_the_documented_schemas(api: Api) -> None:
    doc = OPENAPI
    instance_id, task_id = api.to_handling()
    _validate(doc, "Instance", api.get(f"/instances/{instance_id}", "zhao").get_json())
    _validate(doc, "RelatedCases",
              api.get(f"/instances/{instance_id}/related", "zhao").get_json())
    tasks = api.get("/tasks", "zhao").get_json()
    _validate(doc, "TaskList", tasks)
    task_props = set(doc["components"]["schemas"]["Task"]["properties"])
    assert set(tasks["tasks"][0]) == task_props
    detail = api.get(f"/tasks/{task_id}", "zhao").get_json()
    _validate(doc, "TaskDetail", detail)
    _validate(doc, "History", api.get(f"/instances/{instance_id}/history", "zhao").get_json())
    _validate(doc, "ProcessList", api.get("/processes", "zhao").get_json())
    _validate(doc, "Error", api.get("/tasks/nope", "zhao").get_json())
    _validate(doc, "Error", api.post("/tasks/nope/complete", "zhao", json=[]).get_json())
    _validate(doc, "Error", _upload(api, "des", ("x.bpmn", b"<x")).get_json())
    token = api.client.post("/api/v1/auth/token", json={"username": "li", "password": "pw-li"})
    _validate(doc, "Token", token.get_json())


def test_docs_page_lists_every_endpoint_without_scripts(api: Api) -> None:
    response = api.client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    for _method, path in CONTRACT:
        assert f"<code>/api/v1{path}</code>" in html, path
    for name in OPENAPI["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert UNIT not in html  # nothing from the database


def test_replay_endpoint_is_for_auditors(api: Api) -> None:
    instance_id = api.engine.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li").id
    denied = api.post(f"/instances/{instance_id}/replay", "li")
    assert denied.status_code == 403
    ok = api.post(f"/instances/{instance_id}/replay", "audit")
    assert ok.status_code == 200
    assert ok.get_json() == {"ok": True, "events": 1, "diverged_at": None, "message": ""}
    missing = api.post("/instances/999/replay", "audit")
    assert missing.status_code == 404


def test_policies_lists_the_deployed_catalogue_by_text_and_mode(api: Api) -> None:
    assert api.get("/policies", "li").get_json() == {"policies": []}  # none deployed
    catalogue = DIAGRAMS.parents[1] / "processes" / "policy_catalogue.dmn"
    load_units(api.engine).deploy([SourceFile(str(catalogue),
                                              catalogue.read_text(encoding="utf-8"))])
    listed = api.get("/policies", "li").get_json()["policies"]
    assert {p["policy_mode"] for p in listed} == {"免申即享", "即申即享", "承诺兑现"}
    found = api.get("/policies?q=商务&mode=承诺兑现", "li").get_json()["policies"]
    assert [(p["policy_id"], p["owning_dept"], p["time_limit_days"]) for p in found] == [
        ("CN-002", "市商务局", 20)]
    assert "mode" in error_of(api.get("/policies?mode=先享后审", "li"), 400)["details"]
    assert "limit" in error_of(api.get("/policies?limit=3", "li"), 400)["details"]
