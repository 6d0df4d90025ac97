"""暂存 on the pages: the task page's 暂存 button keeps what was typed without completing the
task or checking the form, the task page shows it again with when it was saved and a 放弃暂存
button, the inbox tags the task 已暂存; nobody else sees it, and it is gone once the task is
completed or transferred."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.test_ui_support import (
    LEPING,
    PASSWORD,
    as_user,
    choose_language,
    csrf_token,
    make_app,
    start_case,
    task_of,
    transfer,
)

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app

SAVE = {"save_draft": "1"}


def to_approval(eng: Engine) -> str:
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    return task_of(eng, "wang", "approve")



def approval_with_form(eng: Engine, form: dict[str, Any]) -> str:
    """The approval diagram deployed with ``form`` as its approval's form; a case at it."""
    eng.deploy([f if f.name != "test_approve.json" else
                SourceFile(f.name, json.dumps(form, ensure_ascii=False))
                for f in diagram_files("approval.bpmn")])
    return to_approval(eng)

def test_save_keeps_the_values_without_completing_or_checking(app: Flask, eng: Engine,
                                                              ui_clock: FixedClock) -> None:
    approve = to_approval(eng)
    wang = as_user(app, "wang")
    page = wang.get(f"/tasks/{approve}").text
    assert 'name="save_draft"' in page and "暂存" in page
    assert "保存已填写的内容并认领此任务" in page  # in the pool: the button says it claims
    assert "已恢复" not in page
    case = eng.inbox.task(approve, "wang").instance_id
    events = len(eng.history(case))
    # 同意 (approved) is required: 暂存 leaves it out and is not refused for it
    saved = wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "初核报告写到一半",
                                                  "approved": ""})
    assert saved.status_code == 302 and saved.location == f"/tasks/{approve}"
    task = eng.inbox.task(approve, "wang")
    assert task.status == "ready" and task.assignee == "wang"  # claimed, not completed
    # the claim's event and nothing more
    assert [e.type for e in eng.history(case)[events:]] == ["claimed"]
    shown = wang.get(f"/tasks/{approve}").text
    assert "已暂存，并已为您认领此任务。" in shown and "此项为必填项" not in shown
    assert "保存已填写的内容并认领此任务" not in shown
    assert "已恢复您于 2026-09-30 16:00 暂存的内容。" in shown
    assert 'name="comment" type="text" value="初核报告写到一半"' in shown
    assert 'id="discard-draft"' in shown and "放弃暂存" in shown
    assert "暂存不保存附件" not in shown  # the form has no file field
    # the inbox marks it
    inbox = wang.get("/").text
    assert re.search(r'data-task="' + approve + r'".*?class="draft-tag"', inbox, re.S)
    # the English page says the same
    choose_language(wang)
    english = wang.get(f"/tasks/{approve}").text
    assert "Restored what you saved on 2026-09-30 16:00." in english
    assert "Save draft" in english
    # saved again, the task already wang's: no claim to tell of
    choose_language(wang, "zh")
    wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "写完了"})
    again = wang.get(f"/tasks/{approve}").text
    assert "已暂存。您可以稍后回到此任务继续填写。" in again and "已为您认领" not in again
    assert [e.type for e in eng.history(case)[events:]] == ["claimed"]


def test_a_pool_task_one_may_not_claim_is_not_saved(app: Flask, eng: Engine) -> None:
    approve = to_approval(eng)
    refused = as_user(app, "audit").post(f"/tasks/{approve}", data={**SAVE, "comment": "x"})
    assert refused.status_code == 403
    assert eng.inbox.task(approve, "wang").assignee is None
    assert eng.drafts.get(approve, "audit") is None


def test_a_field_cleared_before_saving_is_restored_empty(app: Flask, eng: Engine) -> None:
    form = {"title": "审批", "type": "object", "required": ["approved"], "properties": {
        "approved": {"type": "boolean", "title": "同意", "default": True},
        "comment": {"type": "string", "title": "意见", "default": "拟同意"}}}
    approve = approval_with_form(eng, form)
    wang = as_user(app, "wang")
    first = wang.get(f"/tasks/{approve}").text
    assert 'name="comment" type="text" value="拟同意"' in first
    assert re.search(r'name="approved"[^>]*value="true"[^>]*checked', first)
    wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "", "approved": ""})
    draft = eng.drafts.get(approve, "wang")
    assert draft is not None and draft.data == {"comment": "", "approved": ""}
    shown = wang.get(f"/tasks/{approve}").text
    assert "已恢复" in shown
    assert 'name="comment" type="text" value=""' in shown and "拟同意" not in shown
    assert not re.search(r'name="approved"[^>]*value="true"[^>]*checked', shown)


def test_a_restored_draft_can_be_discarded(app: Flask, eng: Engine) -> None:
    approve = to_approval(eng)
    wang = as_user(app, "wang")
    wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "先存一下", "approved": "true"})
    shown = wang.get(f"/tasks/{approve}").text
    assert 'value="true" checked' in shown
    gone = wang.post(f"/tasks/{approve}/draft/discard")
    assert gone.status_code == 302 and gone.location == f"/tasks/{approve}"
    page = wang.get(f"/tasks/{approve}").text
    assert "已放弃暂存的内容" in page
    assert "先存一下" not in page and "已恢复" not in page
    assert 'value="true" checked' not in page
    assert 'class="draft-tag"' not in wang.get("/").text


def test_discarding_needs_the_csrf_token(eng: Engine) -> None:
    approve = to_approval(eng)
    app = make_app(eng, csrf=True)
    client = app.test_client()
    login_page = client.get("/login").text
    client.post("/login", data={"username": "wang", "password": PASSWORD,
                                "csrf_token": csrf_token(login_page)})
    page = client.get(f"/tasks/{approve}").text
    token = csrf_token(page)
    client.post(f"/tasks/{approve}", data={**SAVE, "comment": "x", "csrf_token": token})
    assert client.post(f"/tasks/{approve}/draft/discard").status_code == 400
    assert eng.drafts.get(approve, "wang") is not None
    form = re.search(r'<form method="post" action="/tasks/' + approve
                     + r'/draft/discard".*?</form>', client.get(f"/tasks/{approve}").text, re.S)
    assert form and 'name="csrf_token"' in form.group(0)
    assert client.post(f"/tasks/{approve}/draft/discard",
                       data={"csrf_token": token}).status_code == 302
    assert eng.drafts.get(approve, "wang") is None


def test_nobody_else_sees_or_saves_it(app: Flask, eng: Engine) -> None:
    eng.add_user("chen", ["approver"], password=PASSWORD)
    approve = to_approval(eng)
    as_user(app, "wang").post(f"/tasks/{approve}", data={**SAVE, "comment": "王的草稿"})
    chen = as_user(app, "chen")
    page = chen.get(f"/tasks/{approve}").text  # the same pool's other approver
    assert "王的草稿" not in page and "已恢复" not in page
    assert 'class="draft-tag"' not in chen.get("/").text
    # a reader of the case who may not work the step, and a stranger to the case
    assert as_user(app, "audit").post(f"/tasks/{approve}", data={**SAVE, "comment": "x"}
                                      ).status_code == 403
    assert as_user(app, "qian").post(f"/tasks/{approve}", data={**SAVE, "comment": "x"}
                                     ).status_code == 404
    eng.claim(approve, "wang")
    refused = chen.post(f"/tasks/{approve}", data={**SAVE, "comment": "陈的草稿"})
    assert refused.status_code == 409 and "暂存未成功" in refused.text
    assert "陈的草稿" in refused.text  # what was typed stays on the page
    assert eng.drafts.get(approve, "chen") is None
    assert eng.drafts.get(approve, "wang") is not None


def test_a_value_no_field_can_hold_is_named_beside_it(app: Flask, eng: Engine) -> None:
    approve = to_approval(eng)
    wang = as_user(app, "wang")
    twice = wang.post(f"/tasks/{approve}", data={**SAVE, "comment": ["甲", "乙"]})
    assert twice.status_code == 422 and "此项不能暂存这样的值" in twice.text
    assert eng.drafts.get(approve, "wang") is None


def test_the_draft_is_gone_after_completion(app: Flask, eng: Engine) -> None:
    approve = to_approval(eng)
    wang = as_user(app, "wang")
    wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "同意"})
    done = wang.post(f"/tasks/{approve}", data={"approved": "true", "comment": "同意"})
    assert done.status_code == 302
    assert eng.drafts.get(approve, "wang") is None
    assert "已恢复" not in wang.get(f"/tasks/{approve}").text


def test_the_draft_is_gone_after_transfer(app: Flask, eng: Engine) -> None:
    transfer(eng)
    handle = task_of(eng, "zhao", "handle")
    zhao = as_user(app, "zhao")
    zhao.post(f"/tasks/{handle}", data={**SAVE, "result": "属实"})
    assert eng.drafts.get(handle, "zhao") is not None
    eng.ops.transfer(handle, "zhao", "属乐平管辖", to_unit=LEPING)
    assert eng.drafts.marked([handle], "zhao") == frozenset()
    page = as_user(app, "qian").get(f"/tasks/{handle}").text
    assert "已恢复" not in page


def test_the_notice_says_files_are_not_kept(app: Flask, eng: Engine) -> None:
    form = {"title": "审批", "type": "object", "required": ["approved"], "properties": {
        "approved": {"type": "boolean", "title": "同意"},
        "comment": {"type": "string", "title": "意见"},
        "scan": {"type": "array", "items": {"type": "string"}, "title": "扫描件",
                 "x-file": {"accept": ["pdf"]}}}}
    approve = approval_with_form(eng, form)
    wang = as_user(app, "wang")
    wang.post(f"/tasks/{approve}", data={**SAVE, "comment": "附件稍后补"})
    page = wang.get(f"/tasks/{approve}").text
    assert "已恢复您于 2026-09-30 16:00 暂存的内容。暂存不保存附件，提交前请重新选择文件。" in page
