"""The designer's comparisons (变更清单, 图形对比) and deploy previews (upload, modeler) tell a
form's changes in words, in the reader's language, and never show its JSON."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from lxml import html as lxml_html

from engine.api import Engine
from engine.definitions.validation import SourceFile
from tests.test_ui_designer import upload
from tests.test_ui_modeler import APPROVAL, FORMS, files
from tests.test_ui_support import choose_language

pytest_plugins = ["tests.test_ui_support"]  # eng, app, designer (signed in as a designer)

HANDLE = json.loads(FORMS["test_handle.json"])
EDITED = {**HANDLE, "required": [],
          "properties": {"result": {**HANDLE["properties"]["result"], "title": "核查结论",
                                    "enum": ["属实", "部分属实", "不属实", "退回"]},
                         "remark": {"type": "string", "title": "备注", "maxLength": 500,
                                    "x-widget": "textarea"}}}
SAID_ZH = ["字段「核查结论」：必填 → 选填", "字段「核查结论」：标题 “核查结果” → “核查结论”",
           "字段「核查结论」：选项增加「退回」", "新增字段「备注」（文本，选填）"]
SAID_EN = ['field "核查结论": required → optional',
           'field "核查结论": title "核查结果" → "核查结论"',
           'field "核查结论": option "退回" added', 'new field "备注" (text, optional)']
EDITED_TEXT = json.dumps(EDITED, ensure_ascii=False)


def form_changes(page: str) -> list[str]:
    """The listed changes of form test_handle on a page."""
    tree = lxml_html.fromstring(page)
    return [li.text_content().strip() for li in
            tree.xpath("//ul[@class='form-changes'][@data-form='test_handle']/li")]


def no_json(page: str) -> None:
    section = page.split("修改表单", 1)[1] if "修改表单" in page else page
    for raw in ('"enum"', "&#34;enum&#34;", '"title":', "&#34;title&#34;", "properties.result",
                "[&#34;", '{"'):
        assert raw not in section, raw


def test_both_comparisons_tell_a_forms_changes_in_words(designer: FlaskClient,
                                                        eng: Engine) -> None:
    eng.deploy([SourceFile("approval.bpmn", APPROVAL),
                SourceFile("test_handle.json", EDITED_TEXT)])
    for page in ("/designer/processes/approval/diff?old=1&new=2",
                 "/designer/modeler/approval/diff?old=1&new=2"):
        answer = designer.get(page)
        assert answer.status_code == 200, page
        assert form_changes(answer.text) == SAID_ZH, page
        no_json(answer.text)
    choose_language(designer)
    english = designer.get("/designer/processes/approval/diff?old=1&new=2").text
    assert form_changes(english) == SAID_EN
    no_json(english)


def test_a_task_whose_form_changed_is_changed_in_both_comparisons(designer: FlaskClient,
                                                                  eng: Engine) -> None:
    """核查 (handle) shows test_handle: 图形对比 marks it changed with the form's changes in
    words, and both pages name it beside the form."""
    eng.deploy([SourceFile("approval.bpmn", APPROVAL),
                SourceFile("test_handle.json", EDITED_TEXT)])
    drawn = designer.get("/designer/modeler/approval/diff.json?old=1&new=2").get_json()
    assert drawn["changed"] == ["handle"] and drawn["details"] == {}
    assert drawn["forms"] == {"handle": {"key": "test_handle", "changes": SAID_ZH}}
    for page in ("/designer/processes/approval/diff?old=1&new=2",
                 "/designer/modeler/approval/diff?old=1&new=2"):
        tree = lxml_html.fromstring(designer.get(page).text)
        [users] = tree.xpath("//p[@class='form-users']")
        assert users.text_content() == "用于：核查 handle", page
        assert users.xpath("span/@data-element") == ["handle"]
    choose_language(designer)
    drawn = designer.get("/designer/modeler/approval/diff.json?old=1&new=2").get_json()
    assert drawn["forms"]["handle"]["changes"] == SAID_EN
    english = lxml_html.fromstring(designer.get("/designer/processes/approval/diff").text)
    assert english.xpath("string(//p[@class='form-users'])") == "Used by: 核查 handle"


def test_the_deploy_previews_tell_a_forms_changes_in_words(designer: FlaskClient,
                                                           eng: Engine) -> None:
    status, page = upload(designer, {"approval.bpmn": APPROVAL,
                                     "test_handle.json": EDITED_TEXT}, action="validate")
    assert status == 200
    preview = page.split('id="preview"', 1)[1]
    assert form_changes(preview) == SAID_ZH
    no_json(preview)
    answer = designer.post("/designer/modeler/preview",
                           json={"files": files(test_handle=EDITED_TEXT)})
    assert answer.status_code == 200, answer.text
    [process] = answer.get_json()["processes"]
    assert process["diff"]["forms_changed"] == ["test_handle"]
    assert process["diff"]["form_changes"] == {"test_handle": SAID_ZH}
    assert [v.version for v in eng.process_versions("approval")] == [1]
    choose_language(designer)
    english = designer.post("/designer/modeler/preview",
                            json={"files": files(test_handle=EDITED_TEXT)})
    assert english.get_json()["processes"][0]["diff"]["form_changes"] == {
        "test_handle": SAID_EN}
    assert not re.search(r"properties\.", json.dumps(english.get_json()))
