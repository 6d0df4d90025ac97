"""The modeler's endpoints (web/ui/modeler.py) through Flask's test client: drafts of deployed
versions and blank diagrams, live validation answering with the element ids problems concern,
form previews rendered like the task page, deploy, download, "what changed", and who may use
any of it (designers only; CSRF on every POST)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import Problem
from tests.conftest import DIAGRAMS
from tests.test_ui_support import as_user, choose_language, csrf_token, make_app
from web.ui import modeler

pytest_plugins = ["tests.test_ui_support"]  # eng, app, designer (signed in as a designer)

APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
FORMS = {p.name: p.read_text(encoding="utf-8") for p in sorted((DIAGRAMS / "forms").glob("*.json"))}
TIMER = """<bpmn:boundaryEvent id="remind" attachedToRef="handle" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="end" />"""


def files(bpmn: str = APPROVAL, **forms: str) -> list[dict[str, str]]:
    out = [{"name": "approval.bpmn", "content": bpmn}]
    out += [{"name": name, "content": text} for name, text in FORMS.items()
            if name.removesuffix(".json") not in forms]
    out += [{"name": f"{key}.json", "content": text} for key, text in forms.items()]
    return out


def check(client: FlaskClient, payload: list[dict[str, str]]) -> dict[str, Any]:
    response = client.post("/designer/modeler/validate", json={"files": payload})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.get_json()
    return body


def problems_of(body: dict[str, Any], severity: str = "error") -> dict[str, list[str]]:
    """element id -> messages."""
    out: dict[str, list[str]] = {}
    for p in body["problems"]:
        if p["severity"] == severity:
            out.setdefault(p["element"] or p["file"], []).append(p["message"])
    return out


# -- pages and drafts -------------------------------------------------------------------------

def test_modeler_pages_and_the_draft_of_a_version(app: Flask, designer: FlaskClient) -> None:
    index = designer.get("/designer/modeler/")
    assert index.status_code == 200
    assert 'href="/designer/modeler/approval/v1"' in index.text
    page = designer.get("/designer/modeler/approval/v1")
    assert page.status_code == 200
    assert 'data-draft-url="/designer/modeler/approval/v1/draft.json"' in page.text
    assert 'name="csrf-token"' in page.text
    with app.app_context():
        installed = modeler.modeler_installed()
    if installed:
        assert "bpmn-modeler.production.min.js" in page.text and "js/modeler.js" in page.text
    draft = designer.get("/designer/modeler/approval/v1/draft.json").get_json()
    assert draft["main"] == "approval.bpmn" and draft["version"] == 1
    by_name = {f["name"]: f for f in draft["files"]}
    assert by_name["approval.bpmn"]["content"] == APPROVAL
    assert {"test_propose.json", "test_handle.json"} <= set(by_name)
    assert by_name["test_handle.json"]["kind"] == "form"
    assert "test_follow" in draft["known_forms"]  # deployed, not used by approval
    assert {"id": "intake", "name": "受理员"} in draft["roles"]
    assert designer.get("/designer/modeler/approval/v9").status_code == 404
    assert designer.get("/designer/modeler/approval/v9/draft.json").status_code == 404
    assert designer.get("/designer/modeler/nothing/v1").status_code == 404


def test_without_the_npm_packages_the_page_says_so(app: Flask, designer: FlaskClient,
                                                  tmp_path: Path) -> None:
    app.config["KUAIBAN_NODE_MODULES"] = str(tmp_path)
    page = designer.get("/designer/modeler/approval/v1")
    assert page.status_code == 200 and "scripts/setup-frontend" in page.text
    assert "bpmn-modeler" not in page.text
    assert designer.get("/designer/modeler/camunda.json").status_code == 404


def test_a_blank_diagram_is_valid_and_deployable(designer: FlaskClient, eng: Engine) -> None:
    assert designer.get("/designer/modeler/new?key=brand_new&name=全新").status_code == 200
    draft = designer.get("/designer/modeler/new/draft.json?key=brand_new&name=全新").get_json()
    assert draft["main"] == "brand_new.bpmn" and draft["version"] is None
    (bpmn,) = draft["files"]
    assert 'id="brand_new" name="全新"' in bpmn["content"] and "bpmndi:BPMNShape" in bpmn["content"]
    body = check(designer, [{"name": bpmn["name"], "content": bpmn["content"]}])
    assert body["ok"] is True and body["errors"] == 0
    assert body["processes"] == [{"key": "brand_new", "name": "全新", "file": "brand_new.bpmn"}]
    deployed = designer.post("/designer/modeler/deploy", json={"files": [
        {"name": bpmn["name"], "content": bpmn["content"]}]})
    assert deployed.status_code == 200
    assert deployed.get_json()["deployed"][0]["key"] == "brand_new"
    assert eng.process_versions("brand_new")[0].name == "全新"
    assert designer.get("/designer/modeler/new?key=1bad key").status_code == 400
    escaped = designer.get('/designer/modeler/new/draft.json?key=k&name=<a href="x">').get_json()
    text = escaped["files"][0]["content"]
    assert "<a href" not in text and "&lt;a href=&quot;x&quot;&gt;" in text
    assert check(designer, [{"name": "k.bpmn", "content": text}])["ok"] is True


# -- live validation --------------------------------------------------------------------------

def test_validation_names_the_elements(designer: FlaskClient) -> None:
    choose_language(designer)  # the engine's own wording (Chinese is tests/test_messages.py's)
    assert check(designer, files())["ok"] is True
    broken = (APPROVAL
              .replace('name="approver"', 'name="无此角色"')
              .replace('camunda:formKey="test_approve"', 'camunda:formKey="no_such_form"')
              .replace('camunda:dueDate="workday_close(1)"', 'camunda:dueDate="workday_close("')
              .replace("transfers = len(unit)", "transfers = __import__('os').system('x')")
              .replace('<bpmn:endEvent id="end" />', TIMER.format("P7D")))
    body = check(designer, files(broken))
    assert body["ok"] is False and body["errors"] >= 5
    errors = problems_of(body)
    assert any("maps to no role" in m for m in errors["Lane_approver"])
    assert any('form "no_such_form" not found' in m for m in errors["approve"])
    assert any(m.startswith("due date:") for m in errors["handle"])
    assert any(m.startswith("script:") for m in errors["mark"])
    assert any(m.startswith("timer:") and "'P7D'" in m for m in errors["remind"])
    for p in body["problems"]:
        assert p["file"] == "approval.bpmn" and isinstance(p["line"], int)
    fixed = broken.replace('name="无此角色"', 'name="分管领导"')
    assert "Lane_approver" not in problems_of(check(designer, files(fixed)))
    quoted = APPROVAL.replace('<bpmn:endEvent id="end" />', TIMER.format("'P7D'"))
    assert check(designer, files(quoted))["ok"] is True


def test_form_problems_name_the_form_file(designer: FlaskClient) -> None:
    choose_language(designer)
    body = check(designer, files(test_handle='{"type": "object", "properties": {"x": 1}'))
    assert body["ok"] is False
    errors = problems_of(body)
    assert "test_handle.json" in errors
    assert any('form "test_handle" is invalid' in m for m in errors["handle"])
    # a new form in the draft makes a task's new form key valid
    renamed = APPROVAL.replace('camunda:formKey="test_handle"', 'camunda:formKey="verify"')
    assert problems_of(check(designer, files(renamed)))["handle"] == ['form "verify" not found']
    schema = json.dumps({"title": "核查", "type": "object",
                         "properties": {"result": {"type": "string", "title": "核查结果"}}})
    assert check(designer, files(renamed, verify=schema))["ok"] is True


def test_a_problem_with_a_line_only_gets_the_element_at_that_line() -> None:
    source = SourceFile("approval.bpmn", APPROVAL)
    line = next(i for i, x in enumerate(APPROVAL.splitlines(), 1) if "transfers" in x)
    item = modeler._with_element({"file": "approval.bpmn", "line": line, "element": None,
                                  "message": "x", "severity": "error"}, [source])
    assert item["element"] == "mark"
    first = modeler._with_element({"file": "approval.bpmn", "line": 1, "element": None},
                                  [source])
    assert first["element"] is None  # the XML declaration: no element
    other = modeler._with_element({"file": "x.json", "line": 3, "element": None}, [source])
    assert other["element"] is None


def test_lint_findings_are_warnings_and_never_block(designer: FlaskClient, eng: Engine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def lint(given: list[SourceFile]) -> list[Problem]:
        assert {f.name for f in given} >= {"approval.bpmn", "test_handle.json"}
        return [Problem("approval.bpmn", 30, None, "gateway without default", "error"),
                Problem("approval.bpmn", None, "propose", "no due date", "warning")]

    monkeypatch.setattr(eng, "lint", lint, raising=False)
    body = check(designer, files())
    assert body["ok"] is True and body["errors"] == 0 and body["warnings"] == 2
    warned = {p["message"]: p for p in body["problems"]}
    assert warned["no due date"]["element"] == "propose"
    assert warned["gateway without default"]["severity"] == "warning"
    assert warned["gateway without default"]["element"]  # the element at line 30

    def broken(given: list[SourceFile]) -> list[Problem]:
        raise RuntimeError("lint crashed")

    monkeypatch.setattr(eng, "lint", broken, raising=False)
    assert check(designer, files())["ok"] is True  # validation still answers


def test_lint_repeating_validation_errors_are_shown_once(designer: FlaskClient) -> None:
    broken = APPROVAL.replace('name="approver"', 'name="无此角色"')
    body = check(designer, files(broken))
    lane = [p for p in body["problems"] if p["element"] == "Lane_approver"]
    assert len(lane) == 1 and lane[0]["severity"] == "error"


def test_bad_payloads_are_refused(designer: FlaskClient) -> None:
    url = "/designer/modeler/validate"
    assert designer.post(url, data="not json", content_type="text/plain").status_code == 400
    assert designer.post(url, json={"files": []}).status_code == 400
    assert designer.post(url, json={"files": [{"name": "a.txt", "content": ""}]}).status_code \
        == 400
    twice = [{"name": "a.bpmn", "content": ""}, {"name": "dir/a.bpmn", "content": ""}]
    assert designer.post(url, json={"files": twice}).status_code == 400
    assert designer.post(url, json={"files": [{"name": "a.bpmn"}]}).status_code == 400
    many = [{"name": f"f{i}.json", "content": "{}"} for i in range(modeler.MAX_FILES + 1)]
    assert designer.post(url, json={"files": many}).status_code == 400


def test_hostile_xml_is_a_problem_not_a_leak(designer: FlaskClient) -> None:
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    response = designer.post("/designer/modeler/validate",
                             json={"files": [{"name": "evil.bpmn", "content": evil}]})
    assert response.status_code == 200
    assert response.get_json()["ok"] is False and "root:" not in response.text


# -- forms ------------------------------------------------------------------------------------

def test_form_preview_renders_like_the_task_page(designer: FlaskClient) -> None:
    schema = {"title": "核查<b>", "type": "object", "required": ["result"],
              "properties": {"result": {"type": "string", "title": "核查结果",
                                        "oneOf": [{"const": "属实", "title": "属实"},
                                                  {"const": "不属实", "title": "不属实"}]},
                             "note": {"type": "string", "title": "说明<script>",
                                      "x-widget": "textarea"}}}
    response = designer.post("/designer/modeler/form-preview",
                             json={"schema": json.dumps(schema, ensure_ascii=False)})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["X-Form-Problems"] == "0"
    html = response.text
    assert '<select id="f-result" name="result"' in html and '<option value="属实"' in html
    assert '<textarea id="f-note"' in html
    assert "<script>" not in html and "说明&lt;script&gt;" in html and "核查&lt;b&gt;" in html
    bad = designer.post("/designer/modeler/form-preview", json={"schema": "{not json"})
    assert bad.status_code == 200 and bad.headers["X-Form-Problems"] == "1"
    assert "第 1 行：不是有效的 JSON" in bad.text
    wrong = designer.post("/designer/modeler/form-preview",
                          json={"schema": '{"type": "object", "properties": {"x": {"type": 5}}}'})
    assert wrong.headers["X-Form-Problems"] != "0" and "JSON Schema" in wrong.text


def test_form_preview_marks_the_fields_that_follow_a_choice(designer: FlaskClient) -> None:
    """As the task page does (js/branches.js hides them in the preview too)."""
    text = (DIAGRAMS.parent.parent / "forms" / "subsidy_instant_approve.json").read_text(
        encoding="utf-8")
    html = designer.post("/designer/modeler/form-preview", json={"schema": text}).text
    marked = re.findall(r'data-field="(\w+)" data-shown-when=', html)
    assert marked == ["supplement_items", "approved_amount", "reject_reason", "policy_explanation"]
    assert 'id="f-decision"' in html and 'id="f-reject_reason"' in html  # shown without it


# -- deploy and download ----------------------------------------------------------------------

def test_deploy_from_the_modeler(designer: FlaskClient, eng: Engine) -> None:
    changed = APPROVAL.replace('camunda:dueDate="workday_close(1)"',
                               'camunda:dueDate="workday_close(2)"')
    response = designer.post("/designer/modeler/deploy", json={"files": files(changed)})
    assert response.status_code == 200, response.text
    (deployed,) = response.get_json()["deployed"]
    assert deployed == {"key": "approval", "name": "测试审批", "version": 2, "created": True,
                        "modeler_url": "/designer/modeler/approval/v2",
                        "version_url": "/designer/processes/approval/v2",
                        "diff_url": "/designer/modeler/approval/diff?old=1&new=2"}
    again = designer.post("/designer/modeler/deploy", json={"files": files(changed)})
    assert again.get_json()["deployed"][0]["created"] is False
    broken = changed.replace('name="承办部门"', 'name="没有"')
    refused = designer.post("/designer/modeler/deploy", json={"files": files(broken)})
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["deployed"] == [] and body["problems"][0]["element"] == "Lane_handler"
    assert [v.version for v in eng.process_versions("approval")] == [1, 2]


def test_download_the_files_laid_out_like_the_repository(designer: FlaskClient) -> None:
    response = designer.post("/designer/modeler/download",
                             json={"key": "approval", "files": files()})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "approval.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = set(archive.namelist())
        assert "processes/approval.bpmn" in names and "forms/test_handle.json" in names
        assert archive.read("processes/approval.bpmn").decode("utf-8") == APPROVAL
    odd = designer.post("/designer/modeler/download", json={"key": "../x", "files": files()})
    assert "process.zip" in odd.headers["Content-Disposition"]


# -- what changed -----------------------------------------------------------------------------

def test_what_changed_lists_and_colours(designer: FlaskClient, eng: Engine) -> None:
    changed = (APPROVAL
               .replace('camunda:dueDate="workday_close(1)"', 'camunda:dueDate="workday_close(2)"')
               .replace('<bpmn:endEvent id="end" />', TIMER.format("'P7D'")))
    eng.deploy([SourceFile("approval.bpmn", changed)])
    page = designer.get("/designer/modeler/approval/diff?old=1&new=2")
    assert page.status_code == 200
    assert 'data-url="/designer/modeler/approval/diff.json?old=1&amp;new=2"' in page.text
    assert "workday_close(1)" in page.text and "workday_close(2)" in page.text
    assert 'data-element="remind"' in page.text
    data = designer.get("/designer/modeler/approval/diff.json?old=1&new=2").get_json()
    assert data["added"] == ["remind"] and data["removed"] == []
    assert data["changed"] == ["handle"]
    assert data["details"]["handle"] == [{"what": "camunda:dueDate",
                                          "before": "workday_close(1)",
                                          "after": "workday_close(2)"}]
    assert data["old_xml"] == APPROVAL and data["new_xml"] == changed
    default = designer.get("/designer/modeler/approval/diff.json").get_json()
    assert (default["old"], default["new"]) == (1, 2)
    assert designer.get("/designer/modeler/approval/diff?old=1&new=7").status_code == 422
    assert designer.get("/designer/modeler/approval/diff.json?old=0&new=2").status_code == 422
    assert designer.get("/designer/modeler/nothing/diff").status_code == 404


# -- who may ----------------------------------------------------------------------------------

GETS = ("/designer/modeler/", "/designer/modeler/new", "/designer/modeler/new/draft.json",
        "/designer/modeler/approval/v1", "/designer/modeler/approval/v1/draft.json",
        "/designer/modeler/camunda.json", "/designer/modeler/approval/diff",
        "/designer/modeler/approval/diff.json")
POSTS = ("/designer/modeler/validate", "/designer/modeler/deploy",
         "/designer/modeler/download", "/designer/modeler/form-preview")


@pytest.mark.parametrize("username", ["li", "audit", "sun", "ent"])
def test_only_designers(app: Flask, eng: Engine, username: str) -> None:
    client = as_user(app, username)
    for path in GETS:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        response = client.post(path, json={"files": files(), "schema": "{}"})
        assert response.status_code == 403, path
    assert [v.version for v in eng.process_versions("approval")] == [1]


def test_signed_out_is_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    for path in GETS:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert client.post("/designer/modeler/deploy", json={"files": files()}).status_code == 302


def test_posts_need_the_csrf_token(eng: Engine) -> None:
    app = make_app(eng, csrf=True)
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"username": "design", "password": "pw-ui-test",
                                           "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    changed = APPROVAL.replace("workday_close(1)", "workday_close(2)")
    for path in POSTS:
        refused = client.post(path, json={"files": files(changed), "schema": "{}"})
        assert refused.status_code == 400, path
        wrong = client.post(path, json={"files": files(changed), "schema": "{}"},
                            headers={"X-CSRFToken": "forged"})
        assert wrong.status_code == 400, path
    assert [v.version for v in eng.process_versions("approval")] == [1]
    modeler_page = client.get("/designer/modeler/approval/v1").text
    token = modeler_page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    ok = client.post("/designer/modeler/deploy", json={"files": files(changed)},
                     headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    assert [v.version for v in eng.process_versions("approval")] == [1, 2]


def test_unchanged_is_said_in_the_brackets_of_the_page_language(designer: FlaskClient) -> None:
    """A deploy's 内容未变 note is bracketed by the message: full width in Chinese, plain in
    English (not '（unchanged, no new version）')."""
    def unchanged() -> str:
        page = designer.get("/designer/modeler/approval/v1").text
        messages = page.split('id="modeler-messages">', 1)[1].split("</script>", 1)[0]
        return str(json.loads(messages)["unchanged"])
    assert unchanged() == "（内容未变，未新建版本）"
    choose_language(designer)
    assert unchanged() == "(unchanged, no new version)"
    script = (Path(modeler.__file__).parents[1] / "static" / "js" / "modeler.js").read_text()
    assert "'（' + t('unchanged')" not in script


DIFF_LINK = r'<a [^>]*href="(/designer/[^"]*/diff\b[^"]*)"[^>]*>([^<]+)</a>'


def test_each_comparison_link_is_named_as_the_page_it_opens(designer: FlaskClient,
                                                            eng: Engine) -> None:
    """图形对比 draws the two diagrams side by side; 变更清单 lists the changes as text."""
    eng.deploy([SourceFile("approval.bpmn", APPROVAL.replace(
        'camunda:dueDate="workday_close(1)"', 'camunda:dueDate="workday_close(2)"'))])
    pages = ("/designer/modeler/approval/v2", "/designer/modeler",
             "/designer/processes/approval", "/designer/modeler/approval/diff?old=1&new=2",
             "/designer/processes/approval/diff?old=1&new=2")
    seen = set()
    for page in pages:
        html = designer.get(page).text
        for href, text in re.findall(DIFF_LINK, html):
            opened = designer.get(href.replace("&amp;", "&")).text
            title = re.search(r"<h1>([^<]+?) <small>", opened)
            assert title and title.group(1) == text, (page, href, text)
            seen.add(text)
    assert seen == {"图形对比", "变更清单"}
    assert 'id="diff-old"' in designer.get("/designer/modeler/approval/diff?old=1&new=2").text
