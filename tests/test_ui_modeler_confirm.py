"""The modeler from the designer pages: each process links to it, page titles name the
process, and a deploy is previewed first (POST /designer/modeler/preview: the version it would
make and what changes, nothing deployed). The confirmation itself is clicked in
tests/test_browser_modeler.py."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from tests.test_ui_designer import upload
from tests.test_ui_modeler import APPROVAL, files
from tests.test_ui_support import as_user

pytest_plugins = ["tests.test_ui_support"]  # eng, app, designer (signed in as a designer)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1).strip()


def test_designer_pages_link_the_modeler_and_name_the_process(designer: FlaskClient,
                                                              eng: Engine) -> None:
    index = designer.get("/designer/").text
    assert 'href="/designer/modeler/"' in index
    assert 'href="/designer/modeler/approval/v1">在建模器中编辑' in index
    versions = designer.get("/designer/processes/approval")
    assert versions.status_code == 200, versions.status_code
    assert 'href="/designer/modeler/approval/v1"' in versions.text
    assert title(versions.text).startswith("测试审批")
    version = designer.get("/designer/processes/approval/v1").text
    assert title(version).startswith("测试审批 v1")
    assert 'href="/designer/modeler/approval/v1"' in version
    modeler = designer.get("/designer/modeler/approval/v1").text
    assert title(modeler).startswith("建模器 · 测试审批 v1")
    assert "approval" not in title(modeler)


def test_the_preview_says_what_a_deploy_would_change_and_deploys_nothing(
        designer: FlaskClient, eng: Engine) -> None:
    edited = APPROVAL.replace('name="测试审批"', 'name="测试审批（修订）"', 1)
    assert edited != APPROVAL
    answer = designer.post("/designer/modeler/preview", json={"files": files(edited)})
    assert answer.status_code == 200, answer.text
    [process] = answer.get_json()["processes"]
    assert (process["key"], process["name"], process["version"], process["created"],
            process["first"]) == ("approval", "测试审批（修订）", 2, True, False)
    assert process["diff"]["added"] == process["diff"]["removed"] == []
    assert [v.version for v in eng.process_versions("approval")] == [1]  # nothing live
    assert eng.processes()[0].name == "测试审批"
    same = designer.post("/designer/modeler/preview", json={"files": files()}).get_json()
    assert [(p["version"], p["created"], p["diff"]) for p in same["processes"]] == [
        (1, False, None)]
    # the real deploy after the preview makes the version the preview announced
    deployed = designer.post("/designer/modeler/deploy", json={"files": files(edited)})
    assert deployed.get_json()["deployed"][0]["version"] == 2
    assert deployed.get_json()["deployed"][0]["name"] == "测试审批（修订）"


def test_a_preview_of_a_broken_draft_lists_the_problems(designer: FlaskClient) -> None:
    broken = APPROVAL.replace('camunda:formKey="test_handle"', 'camunda:formKey="nope"')
    answer = designer.post("/designer/modeler/preview", json={"files": files(broken)})
    assert answer.status_code == 422
    assert any("nope" in p["message"] for p in answer.get_json()["problems"])


def test_only_designers_preview(app: Flask) -> None:
    client = as_user(app, "li")
    answer = client.post("/designer/modeler/preview", json={"files": files()})
    assert answer.status_code == 403


def test_validating_an_upload_shows_what_its_deploy_would_change(designer: FlaskClient,
                                                                 eng: Engine) -> None:
    changed = APPROVAL.replace('camunda:dueDate="workday_close(1)"',
                               'camunda:dueDate="workday_close(2)"')
    assert changed != APPROVAL
    status, page = upload(designer, {"approval.bpmn": changed}, action="validate")
    assert status == 200
    preview = page.split('id="preview"', 1)[1]
    assert "将新建第 2 版" in preview and "测试审批" in preview
    assert "workday_close(1)" in preview and "workday_close(2)" in preview
    assert [v.version for v in eng.process_versions("approval")] == [1]
    status, page = upload(designer, {"approval.bpmn": APPROVAL}, action="validate")
    assert "内容未变，不会新建版本" in page.split('id="preview"', 1)[1]
