"""Designer pages: processes and versions, uploads (validate, or preview what a deploy would
change and confirm it) with every problem by file and line, diagrams, version differences;
and who may not see them."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from lxml import html as lxml_html
from werkzeug.datastructures import MultiDict

from engine import SourceFile, version_diagram
from engine.api import Engine
from tests.conftest import DIAGRAMS
from tests.test_ui_support import as_user

pytest_plugins = ["tests.test_ui_support"]  # eng, app, designer (signed in as a designer)

APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")


def upload(client: FlaskClient, files: dict[str, str], action: str = "deploy"
           ) -> tuple[int, str]:
    data = {"action": action,
            "files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]}
    response = client.post("/designer/upload", data=data, content_type="multipart/form-data")
    return response.status_code, response.text


def confirm(client: FlaskClient, page: str) -> tuple[int, str]:
    """Press 确认部署 on an upload's preview: the form posts back the files it showed."""
    [form] = lxml_html.fromstring(page).xpath("//form[@id='confirm-deploy']")
    fields = [(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")]
    data = MultiDict([*fields, ("action", "confirm")])
    response = client.post("/designer/upload", data=data)
    return response.status_code, response.text


def test_designer_lists_processes_and_versions(designer: FlaskClient) -> None:
    page = designer.get("/designer/")
    assert page.status_code == 200 and "测试审批" in page.text and "approval" in page.text
    versions = designer.get("/designer/processes/approval")
    assert versions.status_code == 200 and "v1" in versions.text
    assert designer.get("/designer/processes/nothing").status_code == 404


def test_version_diagram(designer: FlaskClient) -> None:
    page = designer.get("/designer/processes/approval/v1")
    assert page.status_code == 200
    assert 'data-url="/designer/processes/approval/v1/diagram.json"' in page.text
    assert "提出处置意见" in page.text and "排他网关" in page.text
    data = designer.get("/designer/processes/approval/v1/diagram.json").get_json()
    assert data["xml"].startswith("<?xml")
    assert designer.get("/designer/processes/approval/v9").status_code == 404


def test_upload_errors_are_listed_by_file_and_line(designer: FlaskClient, eng: Engine) -> None:
    broken = APPROVAL.replace('camunda:formKey="test_handle"', 'camunda:formKey="no_such_form"')
    broken = broken.replace("same_day_close()", "same_day_close(", 1)
    status, html = upload(designer, {"broken.bpmn": broken, "bad.json": "{not json"})
    assert status == 422
    assert "校验发现的问题" in html
    assert "<code>broken.bpmn</code>" in html and "<code>bad.json</code>" in html
    assert "no_such_form" in html
    line = broken.splitlines().index(next(x for x in broken.splitlines()
                                          if "no_such_form" in x)) + 1
    assert f"<td>{line}</td>" in html
    assert eng.process_versions("approval")[-1].version == 1  # nothing deployed


def test_upload_rejects_unknown_types_and_bad_encoding(designer: FlaskClient) -> None:
    status, html = upload(designer, {"notes.txt": "hello"})
    assert status == 422 and "不支持的文件类型" in html
    data = {"action": "validate", "files": [(io.BytesIO("流程".encode("gbk")), "gbk.bpmn")]}
    response = designer.post("/designer/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "UTF-8" in response.text
    empty = designer.post("/designer/upload", data={"action": "validate"})
    assert empty.status_code == 422 and "请选择至少一个" in empty.text


def test_upload_refuses_hostile_xml(designer: FlaskClient) -> None:
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    status, html = upload(designer, {"evil.bpmn": evil})
    assert status == 422
    assert "root:" not in html


def test_validate_only_then_deploy_then_diff(designer: FlaskClient, eng: Engine) -> None:
    changed = APPROVAL.replace('name="核查" camunda:formKey="test_handle"\n'
                               '                   camunda:dueDate="workday_close(1)"',
                               'name="核查处理" camunda:formKey="test_handle"\n'
                               '                   camunda:dueDate="workday_close(2)"')
    assert changed != APPROVAL
    status, html = upload(designer, {"approval.bpmn": changed}, action="validate")
    assert status == 200 and "校验通过" in html
    assert 'id="confirm-deploy"' in html  # 只校验 keeps the files: 确认部署 deploys them
    assert "确认部署" in html.split('id="confirm-deploy"', 1)[1]
    assert eng.process_versions("approval")[-1].version == 1
    status, html = upload(designer, {"approval.bpmn": changed})  # 校验并部署: the preview
    assert status == 200 and "将新建第 2 版" in html and "workday_close(2)" in html
    assert eng.process_versions("approval")[-1].version == 1  # nothing live before confirming
    status, html = confirm(designer, html)
    assert status == 200 and "<code>approval</code> v2" in html and "已部署" in html
    assert eng.process_versions("approval")[-1].version == 2
    assert version_diagram(eng, "approval", 2).xml == changed  # exactly the file previewed
    status, html = upload(designer, {"approval.bpmn": changed})  # the same again
    assert "内容未变" in html and "无需部署" in html and 'id="confirm-deploy"' not in html
    diff = designer.get("/designer/processes/approval/diff?old=1&new=2")
    assert diff.status_code == 200
    assert "修改元素" in diff.text and "<code>handle</code>" in diff.text
    assert "期限 <small><code>camunda:dueDate</code></small>" in diff.text  # in words
    assert "workday_close(1)" in diff.text and "workday_close(2)" in diff.text
    assert "核查处理" in diff.text
    default = designer.get("/designer/processes/approval/diff")
    assert "v1 → v2" in default.text
    bad = designer.get("/designer/processes/approval/diff?old=1&new=7")
    assert bad.status_code == 422


def test_a_confirmation_after_another_deploy_shows_the_new_changes(designer: FlaskClient,
                                                                   eng: Engine) -> None:
    changed = APPROVAL.replace('camunda:dueDate="workday_close(1)"',
                               'camunda:dueDate="workday_close(2)"')
    _, preview = upload(designer, {"approval.bpmn": changed})
    assert "将新建第 2 版" in preview
    other = APPROVAL.replace('camunda:dueDate="workday_close(1)"',
                             'camunda:dueDate="workday_close(3)"')
    eng.deploy([SourceFile("approval.bpmn", other)])  # someone else's v2 went live meanwhile
    status, html = confirm(designer, preview)
    assert status == 200 and "已有新版本" in html and "将新建第 3 版" in html
    assert eng.process_versions("approval")[-1].version == 2  # not deployed unseen
    status, html = confirm(designer, html)
    assert "<code>approval</code> v3" in html


def test_designer_pages_need_the_designer_role(app: Flask) -> None:
    client = as_user(app, "li")
    for path in ("/designer/", "/designer/upload", "/designer/processes/approval",
                 "/designer/processes/approval/v1", "/designer/processes/approval/diff"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "无权访问" in response.text
    assert client.post("/designer/upload", data={}).status_code == 403
    assert "/designer/" not in client.get("/").text  # no menu entry either


def test_each_version_draws_its_own_diagram_once(eng: Engine) -> None:
    """A deployed version's drawing is kept (its files never change); another version, or
    the same files deployed again under a new number, is drawn from its own files."""
    first = version_diagram(eng, "approval", 1)
    assert version_diagram(eng, "approval", 1) is first
    renamed = APPROVAL.replace('name="提出处置意见"', 'name="提出处置建议"')
    eng.deploy([SourceFile("approval.bpmn", renamed)])
    second = version_diagram(eng, "approval", 2)
    assert second is not first and second.xml == renamed
    assert "提出处置建议" in {e.name for e in second.elements.values()}
    assert "提出处置意见" in {e.name for e in version_diagram(eng, "approval", 1).elements.values()}
    eng.deploy([SourceFile("approval.bpmn", APPROVAL)])  # back to the first content, as v3
    third = version_diagram(eng, "approval", 3)
    assert third.version == 3 and third is not first and third.xml == APPROVAL
