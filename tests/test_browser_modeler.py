"""Real-browser tests of the modeler (web/ui/modeler.py, web/static/js/modeler.js): Debian's
Chromium through Playwright against a real server with CSRF on, as in tests/test_browser.py.

Open a deployed version in the bpmn-js Modeler, edit it (through the bpmn-js API and through
the side panel), see the engine's validation errors appear as markers on the very elements,
fix them, edit a form beside its live preview, deploy from the browser, and see the new version
and what changed, drawn in colour.

Skipped, with the reason, without /usr/bin/chromium, Playwright or the npm packages, unless
KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.definitions.validation import SourceFile
from engine.definitions.version_diff import diff_versions
from tests.browser_support import Server, chromium, error_watched_page, serve, sign_in
from tests.test_ui_support import frozen, make_engine
from web.ui.assets import ROOT as REPO

MODELER_JS = REPO / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.production.min.js"
CAMUNDA = REPO / "node_modules" / "camunda-bpmn-moddle" / "resources" / "camunda.json"

# A small procedure with diagram interchange (the modeler edits what it can draw): two lanes,
# propose (受理员) then approve (分管领导), the test forms of tests/diagrams/forms.
DEMO = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_demo" targetNamespace="http://kuaiban.local/test">
  <bpmn:collaboration id="Collab_demo">
    <bpmn:participant id="Participant_demo" name="建模测试" processRef="modeler_demo" />
  </bpmn:collaboration>
  <bpmn:process id="modeler_demo" name="建模测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_demo">
      <bpmn:lane id="Lane_intake" name="受理员">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>propose</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_approver" name="分管领导">
        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始" />
    <bpmn:userTask id="propose" name="提出处置意见" camunda:formKey="test_propose"
                   camunda:dueDate="same_day_close()" />
    <bpmn:userTask id="approve" name="审批" camunda:formKey="test_approve"
                   camunda:dueDate="workday_close(1)" />
    <bpmn:endEvent id="end" name="结束" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="propose" />
    <bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="approve" />
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_demo">
    <bpmndi:BPMNPlane id="Plane_demo" bpmnElement="Collab_demo">
      <bpmndi:BPMNShape id="Participant_demo_di" bpmnElement="Participant_demo" isHorizontal="true">
        <dc:Bounds x="120" y="60" width="640" height="300" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_intake_di" bpmnElement="Lane_intake" isHorizontal="true">
        <dc:Bounds x="150" y="60" width="610" height="150" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_approver_di" bpmnElement="Lane_approver" isHorizontal="true">
        <dc:Bounds x="150" y="210" width="610" height="150" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="192" y="117" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="propose_di" bpmnElement="propose">
        <dc:Bounds x="280" y="95" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve">
        <dc:Bounds x="450" y="245" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="632" y="267" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="228" y="135" />
        <di:waypoint x="280" y="135" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="380" y="135" />
        <di:waypoint x="415" y="135" />
        <di:waypoint x="415" y="285" />
        <di:waypoint x="450" y="285" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3">
        <di:waypoint x="550" y="285" />
        <di:waypoint x="632" y="285" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    npm = "bpmn-js / camunda-bpmn-moddle are not installed: run scripts/setup-frontend"
    with chromium((MODELER_JS, npm), (CAMUNDA, npm)) as launched:
        yield launched


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy([SourceFile("modeler_demo.bpmn", DEMO)])
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                  accept_downloads=True) as pg:
        yield pg


def open_modeler(page: Any, server: Server, path: str) -> None:
    sign_in(page, server, "design")
    page.goto(server.url + path)
    page.wait_for_selector("#modeler[data-ready=true]")
    page.wait_for_selector("#problems[data-state=ok]")


def settled(page: Any, state: str) -> None:
    """Wait for the debounced validation after the last edit to answer with ``state``."""
    page.wait_for_function(
        "s => { const box = document.getElementById('problems');"
        " return box.dataset.state === s"
        " && box.dataset.seq === String(window.kuaiban.state.seq); }",
        arg=state)


def marker(element_id: str, css: str) -> str:
    return f".djs-element[data-element-id={element_id}].{css}"


def select(page: Any, element_id: str) -> None:
    page.evaluate("id => { const m = window.kuaibanModeler;"
                  " m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
    page.wait_for_selector(f"#panel[data-element={element_id}]")


def confirm_deploy(page: Any) -> str:
    """Deploy from the modeler: the confirmation of what changes comes first (its text)."""
    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-confirm[data-state=asking]:not([hidden])")
    shown = str(page.inner_text("#deploy-confirm"))
    page.click("#btn-confirm-deploy")
    return shown


def test_edit_see_errors_on_elements_fix_and_deploy(page: Any, server: Server) -> None:
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    assert page.locator(".djs-element[data-element-id=approve]").count() == 1
    assert page.locator(".kb-error").count() == 0

    # a lane renamed (through the bpmn-js API) to a name that maps to no role
    page.evaluate("""() => {
        const m = window.kuaibanModeler;
        m.get('modeling').updateProperties(m.get('elementRegistry').get('Lane_approver'),
                                           { name: '无此角色' });
    }""")
    page.wait_for_selector(marker("Lane_approver", "kb-error"))
    settled(page, "errors")
    problems = page.inner_text("#problem-list")
    assert "无此角色" in problems and "没有对应的角色" in problems
    assert page.locator(".kb-problem-badge[data-element=Lane_approver]").count() == 1
    assert page.is_disabled("#btn-deploy")
    assert "1 个错误" in page.inner_text("#status")

    # fixed in the side panel: the marker goes away
    select(page, "Lane_approver")
    assert "没有对应的角色" in page.inner_text("#panel")
    page.fill("#p-name", "分管领导")
    page.press("#p-name", "Enter")
    settled(page, "ok")
    assert page.locator(marker("Lane_approver", "kb-error")).count() == 0
    assert page.locator(".kb-problem-badge.error").count() == 0

    # a due date that does not parse, then a form that does not exist
    select(page, "approve")
    page.fill("#p-due-date", "workday_close(")
    page.press("#p-due-date", "Enter")
    page.wait_for_selector(marker("approve", "kb-error"))
    settled(page, "errors")
    assert "due date" in page.inner_text("#problem-list")
    page.fill("#p-due-date", "workday_close(3)")
    page.press("#p-due-date", "Enter")
    settled(page, "ok")
    page.fill("#p-form-key", "approve_opinion")
    page.press("#p-form-key", "Enter")
    page.wait_for_selector(marker("approve", "kb-error"))
    settled(page, "errors")
    assert "找不到表单“approve_opinion”" in page.inner_text("#problem-list")

    # create that form beside the diagram; the preview renders it as the task page would
    page.click("#p-edit-form")
    page.wait_for_selector("#form-list [data-form=approve_opinion]")
    settled(page, "ok")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "审批",
              "type": "object", "required": ["opinion"],
              "properties": {"opinion": {"type": "string", "title": "审批意见",
                                         "x-widget": "textarea"},
                             "approved": {"type": "boolean", "title": "是否同意"}}}
    page.fill("#form-text", json.dumps(schema, ensure_ascii=False, indent=2))
    page.wait_for_selector("#form-preview[data-state=ready] textarea#f-opinion")
    assert "审批意见" in page.inner_text("#form-preview")
    assert page.locator("#form-preview input[name=approved][value=true]").count() == 1
    settled(page, "ok")
    # a broken form is an error on the task that uses it, and in the preview
    page.fill("#form-text", '{"type": "object", "properties": {"x": {"type": "nonsense"}}}')
    page.wait_for_selector(marker("approve", "kb-error"))
    settled(page, "errors")
    assert "approve_opinion.json" in page.inner_text("#problem-list")
    page.wait_for_selector("#form-preview .preview-problems")
    page.fill("#form-text", json.dumps(schema, ensure_ascii=False))
    settled(page, "ok")

    # deploy from the browser: first what would change, and nothing live; cancel, then confirm
    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-confirm[data-state=asking]:not([hidden])")
    asked = page.inner_text("#deploy-confirm")
    assert "将新建第 2 版" in asked and "modeler_demo" in asked
    assert "workday_close(3)" in asked and "approve_opinion" in asked  # the due date, the form
    assert [v.version for v in server.engine.process_versions("modeler_demo")] == [1]
    page.click("#btn-cancel-deploy")
    assert page.is_hidden("#deploy-confirm") and "已取消部署" in page.inner_text("#status")
    assert [v.version for v in server.engine.process_versions("modeler_demo")] == [1]
    confirm_deploy(page)
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "modeler_demo v2" in page.inner_text("#deploy-result")
    versions = server.engine.process_versions("modeler_demo")
    assert [v.version for v in versions] == [1, 2]
    started = server.engine.start("modeler_demo", {}, "li")
    server.engine.complete(server.engine.inbox.for_user("li")[0].id, {"proposal": "转办"}, "li")
    task = server.engine.inbox.for_user("wang")[0]
    assert task.name == "approve"
    # workday_close(3) from Wed 09-30: 10-08, 10-09 and the working Saturday 10-10
    assert task.due_at == datetime.fromisoformat("2026-10-10T17:30:00+08:00")
    server.engine.complete(task.id, {"opinion": "同意", "approved": True}, "wang")
    assert server.engine.instance(started.id).status == "completed"

    # the new version opens in the modeler, and what changed is drawn in colour
    page.click("#deployed-list a:text-is('图形对比')")
    page.wait_for_selector("#diff[data-ready=true]")
    assert page.locator("#diff-new " + marker("approve", "kb-diff-changed")).count() == 1
    assert page.locator("#diff-old " + marker("approve", "kb-diff-changed")).count() == 1
    assert page.locator("#diff-new " + marker("propose", "kb-diff-changed")).count() == 0
    changed = page.inner_text("#diff-changed")
    assert "workday_close(3)" in changed and "approve_opinion" in changed
    page.goto(server.url + "/designer/modeler/modeler_demo/v2")
    page.wait_for_selector("#modeler[data-ready=true]")
    page.wait_for_selector("#problems[data-state=ok]")
    assert page.locator("#form-list [data-form=approve_opinion]").count() == 1


def test_blank_diagram_unsafe_script_and_download(page: Any, server: Server,
                                                  tmp_path: Path) -> None:
    open_modeler(page, server, "/designer/modeler/new?key=brand_new&name=全新流程")
    assert page.locator(".djs-element[data-element-id=register]").count() == 1
    # an unsafe script task, added through the bpmn-js API
    page.evaluate("""() => {
        const m = window.kuaibanModeler;
        const registry = m.get('elementRegistry'), factory = m.get('elementFactory');
        const bo = m.get('bpmnFactory').create('bpmn:ScriptTask', {
            id: 'unsafe', name: '脚本', script: "__import__('os').system('true')" });
        const shape = factory.createShape({ type: 'bpmn:ScriptTask', businessObject: bo });
        m.get('modeling').createShape(shape, { x: 650, y: 240 },
                                      registry.get('Participant_brand_new'));
    }""")
    page.wait_for_selector(marker("unsafe", "kb-error"))
    settled(page, "errors")
    assert "script" in page.inner_text("#problem-list")
    select(page, "unsafe")
    page.fill("#p-script", "total = 1")
    page.locator("#p-script").blur()
    page.wait_for_function("() => !document.querySelector("
                           "'.djs-element[data-element-id=unsafe].kb-error')")
    settled(page, "ok")
    with page.expect_download() as info:
        page.click("#btn-download-bpmn")
    path = tmp_path / "brand_new.bpmn"
    info.value.save_as(path)
    assert info.value.suggested_filename == "brand_new.bpmn"
    text = path.read_text(encoding="utf-8")
    assert 'id="brand_new"' in text and "total = 1" in text and "bpmndi:BPMNShape" in text
    with page.expect_download() as zipped:
        page.click("#btn-download-zip")
    assert zipped.value.suggested_filename == "brand_new.zip"
    archive = tmp_path / "brand_new.zip"
    zipped.value.save_as(archive)
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == ["processes/brand_new.bpmn"]
        assert z.read("processes/brand_new.bpmn").decode("utf-8") == text
    assert "首次部署，第 1 版" in confirm_deploy(page)
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "brand_new v1" in page.inner_text("#deploy-result")
    assert server.engine.process_versions("brand_new")[0].name == "全新流程"


def test_a_version_without_diagram_interchange_keeps_its_bpmn(page: Any,
                                                              server: Server) -> None:
    """tests/diagrams/approval.bpmn has no BPMNDiagram: bpmn-js cannot draw it, so the page
    says so, keeps the BPMN exactly as deployed, and still validates and deploys its forms."""
    open_modeler(page, server, "/designer/modeler/approval/v1")
    assert "没有图形信息" in page.inner_text("#no-di")
    assert page.locator("#zoom-controls [data-zoom]:visible").count() == 0  # nothing to zoom
    page.click("#form-list [data-form=test_handle]")
    page.wait_for_selector("#form-preview[data-form=test_handle] #f-result")
    handle = json.loads(page.input_value("#form-text"))
    handle["properties"]["remark"] = {"type": "string", "title": "备注"}
    page.fill("#form-text", json.dumps(handle, ensure_ascii=False))
    page.wait_for_selector("#form-preview #f-remark")
    settled(page, "ok")
    asked = confirm_deploy(page)
    assert "修改表单：test_handle" in asked and "只有图形布局有变化" not in asked
    assert "新增字段「备注」（文本，选填）" in asked  # in words, not the form's JSON
    assert '"type"' not in asked
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "approval v2" in page.inner_text("#deploy-result")
    diff = diff_versions(server.engine, "approval", 1, 2)
    assert diff.added == diff.removed == diff.changed == []
    assert list(diff.forms_changed) == ["test_handle"]


def test_the_form_preview_follows_the_choices_as_the_task_page_does(
        page: Any, server: Server) -> None:
    open_modeler(page, server, "/designer/modeler/approval/v1")
    page.click("#form-list [data-form=test_handle]")
    page.wait_for_selector("#form-preview[data-form=test_handle] #f-result")
    shipped = REPO / "forms" / "subsidy_instant_approve.json"
    page.fill("#form-text", shipped.read_text(encoding="utf-8"))
    page.wait_for_selector("#form-preview[data-state=ready] #f-decision")
    assert not page.is_visible("#form-preview #f-reject_reason")
    page.select_option("#form-preview #f-decision", "reject")
    page.wait_for_selector("#form-preview #f-reject_reason", state="visible")
    assert not page.is_visible("#form-preview #f-approved_amount")


def test_a_task_whose_form_changed_is_marked_changed(page: Any, server: Server) -> None:
    """提出处置意见's diagram attributes are the same in v2, its form test_propose is not: the
    diagram marks it 修改 with the form's changes in words, as 变更清单 names it."""
    propose = json.loads((REPO / "tests" / "diagrams" / "forms" / "test_propose.json")
                         .read_text(encoding="utf-8"))
    propose["required"] = []
    server.engine.deploy([SourceFile("modeler_demo.bpmn", DEMO),
                          SourceFile("test_propose.json", json.dumps(propose))])
    sign_in(page, server, "design")
    page.goto(server.url + "/designer/modeler/modeler_demo/diff?old=1&new=2")
    page.wait_for_selector("#diff[data-ready=true]")
    for pane in ("#diff-old", "#diff-new"):
        assert page.locator(f"{pane} " + marker("propose", "kb-diff-changed")).count() == 1
        assert page.locator(f"{pane} " + marker("approve", "kb-diff-changed")).count() == 0
        badge = page.locator(f"{pane} .djs-overlays[data-container-id=propose] .kb-diff-badge")
        assert badge.inner_text() == "±1"
        assert badge.get_attribute("title") == (
            "修改表单 test_propose：\n· 字段「处置意见」：必填 → 选填")
    assert "提出处置意见" in page.inner_text(".form-users [data-element=propose]")
    assert page.locator("#diff-changed").count() == 0  # no attribute of it changed


def test_the_deploy_confirmation_reads_in_english(page: Any, server: Server) -> None:
    """What modeler.js writes around the server's texts follows the page's language too."""
    sign_in(page, server, "design")
    page.goto(server.url + "/lang/en?next=/designer/modeler/modeler_demo/v1")
    page.click("#switch-language")
    page.wait_for_selector("#modeler[data-ready=true]")
    page.wait_for_selector("#problems[data-state=ok]")
    page.evaluate("""() => {
        const m = window.kuaibanModeler, registry = m.get('elementRegistry');
        const modeling = m.get('modeling'), factory = m.get('elementFactory');
        modeling.updateProperties(registry.get('approve'), { name: 'Approve' });
        ['note_a', 'note_b'].forEach((id, i) => {
            const bo = m.get('bpmnFactory').create('bpmn:Task', { id: id, name: id });
            modeling.createShape(factory.createShape({ type: 'bpmn:Task',
                                                      businessObject: bo }),
                                 { x: 300 + 120 * i, y: 300 }, registry.get('Participant_demo'));
        });
    }""")
    settled(page, "ok")
    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-confirm[data-state=asking]:not([hidden])")
    asked = page.inner_text("#deploy-confirm")
    assert "Changed elements:" in asked and "Approve (User task):" in asked
    assert "Added elements: note_a (Task), note_b (Task)" in asked
    assert not set("：（）、") & set(asked), asked


def test_an_unedited_diagram_deploys_as_unchanged(page: Any, server: Server) -> None:
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    assert "内容未变，不会新建版本" in confirm_deploy(page)
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "内容未变" in page.inner_text("#deploy-result")
    assert [v.version for v in server.engine.process_versions("modeler_demo")] == [1]


def test_a_long_form_name_stays_in_the_form_list(page: Any, server: Server) -> None:
    """clue_fault_tolerance_approve.json and the like wrap in their column instead of running
    under the form's text."""
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    key = "clue_fault_tolerance_approve_by_the_city"
    page.fill("#new-form-key", key)
    page.click("#btn-new-form")
    page.wait_for_selector(f"#form-list .form-name[data-form={key}]")
    overflow = page.evaluate(
        "() => { const list = document.getElementById('form-list').getBoundingClientRect();"
        " return [...document.querySelectorAll('#form-list .form-name')]"
        ".filter(b => b.getBoundingClientRect().right > list.right + 1)"
        ".map(b => b.textContent); }")
    assert overflow == []


def exported(page: Any) -> str:
    xml: str = page.evaluate("() => window.kuaibanModeler.saveXML({ format: true })"
                             ".then(r => r.xml)")
    return xml


def test_the_side_panel_edits_lanes_properties_and_the_process(page: Any,
                                                               server: Server) -> None:
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    select(page, "approve")
    assert page.input_value("#p-lane") == "Lane_approver"
    page.select_option("#p-lane", "Lane_intake")  # moves the task into the other lane
    page.wait_for_function("() => document.querySelector('#p-lane').value === 'Lane_intake'")
    page.fill("#p-unit", "handler_unit")
    page.press("#p-unit", "Enter")
    select(page, "Participant_demo")
    page.fill("#p-case-prefix", "JM")
    page.press("#p-case-prefix", "Enter")
    page.fill("#p-subject", "{summary}")
    page.press("#p-subject", "Enter")
    page.fill("#p-process-id", "modeler_copy")
    page.press("#p-process-id", "Enter")
    page.fill("#p-process-name", "建模副本")
    page.press("#p-process-name", "Enter")
    settled(page, "ok")
    xml = exported(page)
    intake = xml.split('<bpmn:lane id="Lane_intake"', 1)[1].split("</bpmn:lane>", 1)[0]
    assert "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>" in intake
    assert '<camunda:property name="unit" value="handler_unit" />' in xml
    assert '<camunda:property name="case_prefix" value="JM" />' in xml
    assert '<camunda:property name="subject" value="{summary}" />' in xml
    assert '<bpmn:process id="modeler_copy" name="建模副本"' in xml
    assert 'processRef="modeler_copy"' in xml
    with page.expect_download() as info:
        page.click("#btn-download-bpmn")
    assert info.value.suggested_filename == "modeler_copy.bpmn"
    confirm_deploy(page)
    page.wait_for_selector("#deploy-result[data-state=deployed]")
    assert "modeler_copy v1" in page.inner_text("#deploy-result")
    server.engine.add_user("design2", ["intake"])
    started = server.engine.start("modeler_copy", {"summary": "窗口推诿"}, "design2")
    assert started.business_key == "JM-2026-000001"
    assert server.engine.instance(started.id).subject == "窗口推诿"


def test_a_timer_start_names_the_case_it_starts(page: Any, server: Server) -> None:
    """The business_key property of a timer start event (as legacy_campaign.bpmn's yearly
    start has it): the panel offers it for timer starts only."""
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    select(page, "start")
    assert page.locator("#p-business-key").count() == 0  # not a timer start
    page.evaluate("""() => {
        const m = window.kuaibanModeler;
        const shape = m.get('elementFactory').createShape({
            type: 'bpmn:StartEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' });
        m.get('modeling').createShape(shape, { x: 250, y: 300 },
                                      m.get('elementRegistry').get('Participant_demo'));
        m.get('modeling').updateProperties(shape, { id: 'yearly' });
    }""")
    select(page, "yearly")
    page.select_option("#p-timer-kind", "timeCycle")
    page.fill("#p-timer", "'R/2026-03-01T09:00:00+08:00/P1Y'")
    page.press("#p-timer", "Enter")
    page.fill("#p-business-key", "now()[0:4]")
    page.press("#p-business-key", "Enter")
    select(page, "start")
    select(page, "yearly")  # drawn again from the model
    assert page.input_value("#p-business-key") == "now()[0:4]"
    yearly = exported(page).split('<bpmn:startEvent id="yearly"', 1)[1].split(
        "</bpmn:startEvent>", 1)[0]
    assert '<camunda:property name="business_key" value="now()[0:4]" />' in yearly
    assert "'R/2026-03-01T09:00:00+08:00/P1Y'" in yearly
    page.fill("#p-business-key", "")  # emptied: the property goes
    page.press("#p-business-key", "Enter")
    assert "business_key" not in exported(page)


def test_layout_warnings_are_listed_live_and_go_when_fixed(page: Any, server: Server) -> None:
    """The layout check of scripts/diagram-pictures (web/static/js/diagram-layout.js) runs in
    the modeler after each change: a warning, never an error, on the element and in the list."""
    label = ('<dc:Bounds x="192" y="117" width="36" height="36" />\n'
             '        <bpmndi:BPMNLabel><dc:Bounds x="300" y="128" width="44" height="14" />'
             '</bpmndi:BPMNLabel>')  # 开始, drawn on 提出处置意见
    server.engine.deploy([SourceFile("modeler_demo.bpmn", DEMO.replace(
        '<dc:Bounds x="192" y="117" width="36" height="36" />', label))])
    open_modeler(page, server, "/designer/modeler/modeler_demo/v2")
    layout = "#problem-list li[data-kind=layout]"
    assert page.locator(layout).count() == 1
    item = page.inner_text(layout)
    assert "标签压住了 propose \"提出处置意见\"" in item and "布局" in item
    assert page.locator(f"{layout}.warning[data-element=start]").count() == 1
    assert page.locator(marker("start", "kb-warning")).count() == 1
    assert "1 个提醒" in page.inner_text("#status")
    assert page.is_enabled("#btn-deploy")
    page.click(layout)  # selects the element, as for the engine's problems
    page.wait_for_selector("#panel[data-element=start]")
    assert "标签压住了" in page.inner_text("#panel")

    # the label dragged (through the bpmn-js API) back under its event: the warning goes
    page.evaluate("""() => {
        const m = window.kuaibanModeler;
        m.get('modeling').moveShape(m.get('elementRegistry').get('start_label'),
                                    { x: -110, y: 35 });
    }""")
    settled(page, "ok")
    assert page.locator(layout).count() == 0
    assert page.locator(marker("start", "kb-warning")).count() == 0
    assert "没有发现问题" in page.inner_text("#problem-list")

    # and a shape dropped onto another is reported as soon as it lands
    page.evaluate("""() => {
        const m = window.kuaibanModeler;
        m.get('modeling').moveShape(m.get('elementRegistry').get('end'), { x: -160, y: 0 });
    }""")
    settled(page, "ok")
    assert page.locator(f"{layout}[data-element=approve]").count() == 1
    assert "图形与 end \"结束\" 重叠" in page.inner_text(layout)


def pad_and_palette(page: Any) -> tuple[str, dict[str, str], list[str]]:
    """The side panel's heading with ``approve`` selected, its context pad's tooltips by
    action, and the palette's."""
    select(page, "approve")
    page.wait_for_selector(".djs-context-pad .entry")
    heading = str(page.inner_text("#panel h3"))
    pad = page.evaluate("() => Object.fromEntries([...document.querySelectorAll("
                        "'.djs-context-pad .entry')].map(e => [e.dataset.action, e.title]))")
    palette = page.evaluate("() => [...document.querySelectorAll('.djs-palette .entry')]"
                            ".map(e => e.title)")
    return heading, pad, palette


def test_the_modeler_speaks_the_pages_language(page: Any, server: Server) -> None:
    """bpmn-js's palette, context pad and the panel's heading in Chinese on a Chinese page,
    in English on an English one."""
    open_modeler(page, server, "/designer/modeler/modeler_demo/v1")
    heading, pad, palette = pad_and_palette(page)
    assert heading.startswith("人工任务")
    assert pad["append.append-task"] == "追加任务" and pad["delete"] == "删除"
    assert palette and all(palette), palette  # each tool says what it does
    latin = [t for t in [*pad.values(), *palette] if re.search(r"[A-Za-z]", t)]
    assert latin == []
    page.goto(server.url + "/lang/en?next=/designer/modeler/modeler_demo/v1")
    page.click("#switch-language")
    page.wait_for_selector("#modeler[data-ready=true]")
    heading, pad, palette = pad_and_palette(page)
    assert heading.startswith("User task") and pad["delete"] == "Delete"
    assert "Create task" in palette
