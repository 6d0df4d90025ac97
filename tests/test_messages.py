"""What the engine says reaches a person in their language: every message key has an English
and a Chinese text, and pages, the API and the designer render it in the reader's language."""

from __future__ import annotations

import ast
import io
import re
import string
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from engine import MESSAGES, ROLES, Conflict, msg, role_name
from engine.api import Engine
from engine.definitions.xsd_messages import schema_message
from tests.test_api_helpers import START
from tests.test_ui_support import PASSWORD, as_user, choose_language
from web import tokens

pytest_plugins = ["tests.test_ui_support"]

ROOT = Path(__file__).resolve().parent.parent
ERRORS = {"NotFound", "PermissionDenied", "Conflict", "EngineError", "ScriptError",
          "CalendarError", "UnsafeInput", "CaseHidden", "Throttled", "InvalidData", "refused",
          "Problem", "ValidationFailed", "ApiError", "bad_request", "_unauthorized",
          "RowProblem"}
MESSAGE_ARG = {"InvalidData": 1, "refused": 1, "Problem": 3, "ApiError": 2, "_unauthorized": 1,
               "RowProblem": 1}


def _calls(folder: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _keys_used() -> dict[str, str]:
    """Every literal key given to msg() in engine/ and web/, with where."""
    used = {}
    for where, call in _calls("engine") + _calls("web"):
        if isinstance(call.func, ast.Name) and call.func.id == "msg":
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                used[first.value] = where
            elif isinstance(first, ast.JoinedStr):  # msg(f"task_status.{status}")
                prefix = first.values[0]
                assert isinstance(prefix, ast.Constant), where
                used[str(prefix.value) + "*"] = where
    return used


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_has_english_and_chinese_with_the_same_parameters() -> None:
    for key, text in MESSAGES.items():
        assert text.en and text.zh, key
        assert _names(text.en) == _names(text.zh), key
    for key, where in _keys_used().items():
        if key.endswith("*"):
            assert any(k.startswith(key[:-1]) for k in MESSAGES), where
        else:
            assert key in MESSAGES, f"{where}: {key} has no text in the catalogue"


def test_the_engine_and_the_api_raise_no_free_text() -> None:
    """An error or problem the engine (or the API's own input checks) raises names a catalogue
    key, never a literal text."""
    for where, call in _calls("engine") + _calls("web/api"):
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name not in ERRORS:
            continue
        index = MESSAGE_ARG.get(name, 0)
        if len(call.args) > index:
            arg = call.args[index]
            literal = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str))
            assert not literal, f"{where}: {name} with a literal text; use msg(key, ...)"


def test_a_message_renders_in_either_language() -> None:
    said = msg("task.signers_pending", signers=["chen", "zhao"], signer_names=["陈静", "赵敏"])
    assert said.render("zh") == "还有加签人未签署：陈静、赵敏"
    assert said.render("en") == "co-signers have not signed yet: 陈静, 赵敏"
    assert Conflict(said).message == said.english
    assert Conflict(said).key == "task.signers_pending"


def test_each_role_has_a_name_in_either_language(app: Flask) -> None:
    """Pages and the engine's messages name a role from one place (``role.<id>``)."""
    for role in ROLES:
        assert role_name(role.id).render("zh") == role.name
        assert role_name(role.id).render("en").isascii(), role.id
    assert role_name("no_such_role").render("en") == "no_such_role"
    chinese = as_user(app, "li").get("/account/profile").text
    assert re.search(r'id="profile-roles">受理员<', chinese)
    english = _english(as_user(app, "li")).get("/account/profile").text
    assert re.search(r'id="profile-roles">Intake Clerk<', english)


def test_a_list_on_a_page_is_joined_as_its_language_lists(app: Flask, eng: Engine) -> None:
    eng.add_user("dual", ["intake", "approver"], password=PASSWORD, display_name="dual")
    chinese = as_user(app, "dual").get("/account/profile").text
    assert 'id="profile-roles">分管领导、受理员<' in chinese
    english = _english(as_user(app, "dual")).get("/account/profile").text
    assert 'id="profile-roles">Approving Leader, Intake Clerk<' in english


def _page_message(html: str) -> str:
    found = re.search(r'<p class="message">(.*?)</p>', html)
    assert found, html
    return found.group(1)


def _english(client: FlaskClient) -> FlaskClient:
    choose_language(client)
    return client


def test_a_404_page_in_chinese_and_in_english(app: Flask) -> None:
    chinese = as_user(app, "li").get("/instances/999999")
    assert chinese.status_code == 404
    assert _page_message(chinese.text) == "没有编号为 999999 的案件"
    english = _english(as_user(app, "li")).get("/instances/999999")
    assert english.status_code == 404
    assert _page_message(english.text) == "no instance 999999"


def test_a_409_page_in_chinese_and_in_english(app: Flask, eng: Engine) -> None:
    case = eng.start("approval", START, "li")
    task = case.tasks[0].id
    eng.complete(task, {"proposal": "转办"}, "li")

    def complete_again() -> str:  # the engine's own refusal, on an error page
        eng.complete(task, {"proposal": "转办"}, "li")
        return "unreachable"

    app.add_url_rule("/test/complete-again", view_func=complete_again)
    chinese = as_user(app, "li").get("/test/complete-again")
    assert chinese.status_code == 409
    assert _page_message(chinese.text) == "任务已办结"
    english = _english(as_user(app, "li")).get("/test/complete-again")
    assert english.status_code == 409
    assert _page_message(english.text) == "task is already completed"


def test_an_api_409_in_the_requested_language(app: Flask, eng: Engine) -> None:
    case = eng.start("approval", START, "li")
    task = case.tasks[0].id
    eng.complete(task, {"proposal": "转办"}, "li")
    client = app.test_client()
    bearer = {"Authorization": "Bearer " + tokens.issue(app.config["SECRET_KEY"], "li")}
    for language, text in (("zh-CN,zh;q=0.9", "任务已办结"),
                           ("en-US,en;q=0.8", "task is already completed")):
        response = client.post(f"/api/v1/tasks/{task}/complete", json={"data": {}},
                               headers={**bearer, "Accept-Language": language})
        assert response.status_code == 409, response.text
        error = response.get_json()["error"]
        assert error["code"] == "conflict" and error["message"] == text
        assert error["key"] == "task.already_status"
        assert error["params"] == {"status": "completed"}


def _upload_broken(client: FlaskClient) -> str:
    data = {"action": "validate",
            "files": [(io.BytesIO(b"<definitions><process id='p'>"), "broken.bpmn")]}
    response = client.post("/designer/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    return response.text


def test_a_broken_bpmn_upload_is_explained_in_the_readers_language(app: Flask) -> None:
    assert "XML 格式不正确" in _upload_broken(as_user(app, "design"))
    english = _upload_broken(_english(as_user(app, "design")))
    assert "not well-formed XML" in english and "XML 格式不正确" not in english


SCHEMA_BROKEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                 b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
                 b'  <process id="p" isExecutable="maybe"><startEvent id="s"/></process>\n'
                 b'</definitions>\n')


def _upload_schema_broken(client: FlaskClient) -> str:
    data = {"action": "validate", "files": [(io.BytesIO(SCHEMA_BROKEN), "broken.bpmn")]}
    response = client.post("/designer/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    return response.text


def test_schema_errors_are_said_in_the_readers_language_on_their_line(app: Flask) -> None:
    """The XML Schema's common complaints come in the page's language, each on its line and
    element; the library's English and namespaces stay off a Chinese page."""
    chinese = _upload_schema_broken(as_user(app, "design"))
    assert "<td>2</td><td><code>d</code></td><td>元素 definitions 缺少必填的属性 " \
           "targetNamespace</td>" in chinese
    assert "<td>3</td><td><code>p</code></td><td>元素 process 的属性 isExecutable " \
           "的值“maybe”不是有效的 boolean</td>" in chinese
    assert "required but missing" not in chinese and "omg.org" not in chinese
    english = _upload_schema_broken(_english(as_user(app, "design")))
    assert "element definitions lacks the required attribute targetNamespace" in english


def test_an_unknown_schema_error_keeps_the_librarys_text_after_a_lead_in() -> None:
    said = schema_message("Element '{urn:x}a': Something the catalogue does not know.")
    assert said.render("zh") == "不符合 XML 架构：Element 'a': Something the catalogue does not " \
                                "know."
    unexpected = schema_message("Element '{urn:x}b': This element is not expected. Expected is "
                                "one of ( {urn:x}c, {urn:x}d ).")
    assert unexpected.render("zh") == "此处不应出现元素 b（此处可以是：c、d）"
