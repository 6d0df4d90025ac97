"""常用意见: the shipped defaults of each role until a user changes them; a user's own list
(added to, removed from, reordered, reset; trimmed, length-limited, deduplicated, at most
MAX_PHRASES), only ever their own; the page and the picker beside comment fields that declare
``"x-phrases": true``, a keyword deploy checks."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, NotFound, ValidationFailed
from engine.org import phrases
from tests.conftest import DIAGRAMS
from tests.demo_support import demo, signed_in  # noqa: F401  # fixture
from tests.process_helpers import PROCESSES
from tests.test_ui_support import PASSWORD, as_user, choose_language, csrf_token, make_app, task_of

pytest_plugins = ["tests.test_ui_support"]


def test_defaults_follow_the_roles_until_the_user_changes_them(people: Engine) -> None:
    approver = people.accounts.phrases("wang")
    assert approver.own is False and approver.items[0] == "同意。"
    assert "不同意，退回重拟。" in approver.items
    intake = people.accounts.phrases("li").items
    assert "材料不全，请补正。" in intake and "同意。" not in intake
    assert "经核查，反映问题不属实。" in people.accounts.phrases("zhao").items
    assert "已纳入问题台账跟踪管理。" in people.accounts.phrases("sun").items
    assert people.accounts.phrases("audit").items == ()  # writes no comments on tasks
    people.add_user("both", ["intake", "approver"])
    both = people.accounts.phrases("both").items
    assert set(both) == {*phrases.DEFAULTS["intake"], *phrases.DEFAULTS["approver"]}
    assert len(both) == len(set(both))  # merged, each once
    people.add_user("other", ["style_group"])
    assert people.accounts.phrases("other").items == phrases.GENERAL


def test_a_user_adds_removes_and_reorders_their_own_list(people: Engine) -> None:
    accounts = people.accounts
    defaults = accounts.phrases("wang").items
    added = accounts.add_phrase("wang", "  请于3个工作日内反馈。 ")
    assert added.own and added.items == (*defaults, "请于3个工作日内反馈。")  # trimmed
    accounts.move_phrase("wang", "请于3个工作日内反馈。", -1)
    assert accounts.phrases("wang").items[-2:] == ("请于3个工作日内反馈。", defaults[-1])
    accounts.move_phrase("wang", defaults[0], -1)  # stops at the top
    assert accounts.phrases("wang").items[0] == defaults[0]
    accounts.move_phrase("wang", defaults[0], 1)
    assert accounts.phrases("wang").items[:2] == (defaults[1], defaults[0])
    kept = accounts.remove_phrase("wang", "同意。")
    assert "同意。" not in kept.items and len(kept.items) == len(defaults)
    assert accounts.phrases("wang") == kept  # stored
    assert accounts.phrases("chen").items == defaults and not accounts.phrases("chen").own
    reset = accounts.reset_phrases("wang")
    assert reset.items == defaults and reset.own is False


def test_phrases_are_checked_and_limited(people: Engine) -> None:
    accounts = people.accounts
    for text, said in (("   ", "常用意见不能为空"),
                       ("长" * (phrases.MAX_LENGTH + 1), "常用意见最多 200 个字，这条有 201 个字"),
                       (" 同意。", "“同意。”已在常用意见中")):
        with pytest.raises(InvalidData) as refused:
            accounts.add_phrase("wang", text)
        assert refused.value.field_errors == {"phrase": said}
    assert accounts.add_phrase("wang", "长" * phrases.MAX_LENGTH).own
    while len(accounts.phrases("wang").items) < phrases.MAX_PHRASES:
        accounts.add_phrase("wang", f"意见{len(accounts.phrases('wang').items)}")
    with pytest.raises(InvalidData) as full:
        accounts.add_phrase("wang", "再加一条")
    assert full.value.field_errors_in("en") == {"phrase": "at most 50 phrases: remove one first"}
    with pytest.raises(NotFound):
        accounts.remove_phrase("wang", "没有这条")
    with pytest.raises(NotFound):
        accounts.move_phrase("chen", "意见10", 1)  # another user's phrase is not chen's


def test_the_page_changes_only_the_signed_in_users_phrases(app: Flask, eng: Engine) -> None:
    client = as_user(app, "wang")
    assert 'href="/account/phrases"' in client.get("/account/profile").text
    assert 'href="/account/phrases"' in client.get("/notifications/settings").text
    page = client.get("/account/phrases").text
    assert "同意，请按规定程序办理。" in page and "角色默认的常用意见" in page
    response = client.post("/account/phrases", data={
        "action": "add", "phrase": "请抓紧办理。", "username": "li"})
    assert response.status_code == 302
    assert eng.accounts.phrases("wang").items[-1] == "请抓紧办理。"
    assert "请抓紧办理。" not in eng.accounts.phrases("li").items  # no name is taken
    client.post("/account/phrases", data={"action": "up", "phrase": "请抓紧办理。"})
    assert eng.accounts.phrases("wang").items[-2] == "请抓紧办理。"
    # li removing a phrase of wang's list removes nothing of it
    other = as_user(app, "li")
    assert other.post("/account/phrases", data={
        "action": "remove", "phrase": "请抓紧办理。"}).status_code == 404
    assert "请抓紧办理。" in eng.accounts.phrases("wang").items
    client.post("/account/phrases", data={"action": "remove", "phrase": "同意。"})
    assert "同意。" not in eng.accounts.phrases("wang").items
    refused = client.post("/account/phrases", data={"action": "add", "phrase": "请抓紧办理。"})
    assert refused.status_code == 422 and "“请抓紧办理。”已在常用意见中" in refused.text
    assert 'value="请抓紧办理。"' in refused.text  # what was typed, shown again
    choose_language(client)
    english = client.post("/account/phrases", data={"action": "add", "phrase": ""})
    assert english.status_code == 422 and "a phrase cannot be empty" in english.text
    buttons = client.get("/account/phrases").text
    assert ">Delete</button>" in buttons and "Removed" not in buttons  # an action, not a state
    client.post("/account/phrases", data={"action": "reset"})
    assert eng.accounts.phrases("wang").own is False


def test_the_page_is_csrf_protected(eng: Engine) -> None:
    client = make_app(eng, csrf=True).test_client()
    client.post("/login", data={"username": "wang", "password": PASSWORD,
                                "csrf_token": csrf_token(client.get("/login").text)})
    page = client.get("/account/phrases").text
    assert page.count('name="csrf_token"') == len(re.findall(r'<form method="post"', page))
    assert client.post("/account/phrases", data={"action": "add", "phrase": "好"}
                       ).status_code == 400
    token = csrf_token(client.get("/account/phrases").text)
    assert client.post("/account/phrases", data={"action": "add", "phrase": "好",
                                                  "csrf_token": token}).status_code == 302
    assert eng.accounts.phrases("wang").items[-1] == "好"


APPROVE = {"title": "审批", "type": "object", "required": ["approved"], "properties": {
    "approved": {"type": "boolean", "title": "同意"},
    "comment": {"type": "string", "title": "意见", "x-widget": "textarea", "x-phrases": True}}}


def deploy_phrased_approval(engine: Engine) -> None:
    engine.deploy([SourceFile("test_approve.json", json.dumps(APPROVE, ensure_ascii=False))])


def test_a_comment_field_offers_the_users_phrases(app: Flask, eng: Engine) -> None:
    client = as_user(app, "wang")
    eng.start("approval", {"summary": "拖延办理", "unit": "浮梁县纪委监委"}, "li")
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    first = task_of(eng, "wang", "approve")
    before = client.get(f"/tasks/{first}").text
    assert "phrase-picker" not in before and "phrases.js" not in before  # not declared
    eng.complete(first, {"approved": True}, "wang")
    deploy_phrased_approval(eng)
    eng.accounts.add_phrase("wang", "请<b>抓紧</b>")
    eng.start("approval", {"summary": "拖延办理", "unit": "浮梁县纪委监委"}, "li")
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    page = client.get(f"/tasks/{task_of(eng, 'wang', 'approve')}").text
    picker = page.split('class="phrase-picker" data-for="f-comment"', 1)[1].split("</div>")[0]
    assert '<option value="同意，请按规定程序办理。">' in picker
    assert "请&lt;b&gt;抓紧&lt;/b&gt;" in picker and "<b>" not in picker
    assert re.search(r'<select class="phrase-select"[^>]*hidden>', picker)  # shown by script
    assert 'name="' not in picker.split("</select>")[0]  # nothing of it is submitted
    assert "<li>同意。</li>" in picker  # to copy without scripts
    assert 'href="/account/phrases"' in picker
    assert "js/phrases.js" in page


def test_the_pickers_read_the_users_list_as_it_is_now(app: Flask, eng: Engine) -> None:
    wang = as_user(app, "wang")
    first = wang.get("/account/phrases.json")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert first.get_json() == {"phrases": list(eng.accounts.phrases("wang").items)}
    eng.accounts.add_phrase("wang", "请抓紧办理。")  # as from another tab
    assert wang.get("/account/phrases.json").get_json()["phrases"][-1] == "请抓紧办理。"
    # only ever one's own list, and only signed in
    assert "请抓紧办理。" not in as_user(app, "li").get("/account/phrases.json").get_json()[
        "phrases"]
    anonymous = app.test_client().get("/account/phrases.json")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_deleting_a_phrase_asks_first(app: Flask, eng: Engine) -> None:
    page = as_user(app, "wang").get("/account/phrases").text
    items = eng.accounts.phrases("wang").items
    asked = re.findall(r'<form method="post" action="/account/phrases" '
                       r'data-confirm="删除常用意见“([^"]*)”？">', page)
    assert asked == list(items)  # each 删除, naming its phrase; 上移 and 下移 ask nothing
    assert page.count("data-confirm=") == len(items)  # (恢复默认 only once the list is one's own)


def test_deploy_checks_the_phrases_keyword() -> None:
    def problems(prop: dict[str, object]) -> list[str]:
        form = {"type": "object", "properties": {"note": prop}}
        return [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]

    assert problems({"type": "string", "x-widget": "textarea", "x-phrases": True}) == []
    assert problems({"type": "string", "x-phrases": False}) == []
    assert problems({"type": "string", "x-phrases": ["材料不全，不予兑现。"]}) == []
    wrong = '"x-phrases" of "note" must be true, false or a list of phrases (texts)'
    assert problems({"type": "string", "x-phrases": "yes"}) == [f"line 6: {wrong}"]
    for bad in ([], [" "], [1], ["x" * (phrases.MAX_LENGTH + 1)]):
        assert [p.split(": ", 1)[1] for p in problems({"type": "string", "x-phrases": bad})
                ] == [wrong], bad
    assert "only a text field" in problems({"type": "integer", "x-phrases": True})[0]
    assert "only a text field" in problems({"type": "string", "format": "date",
                                            "x-phrases": True})[0]


def test_deploy_refuses_a_form_with_a_bad_phrases_value(people: Engine) -> None:
    bad = {**APPROVE, "properties": {**APPROVE["properties"], "comment": {
        "type": "string", "title": "意见", "x-phrases": "true"}}}
    text = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
    forms = [SourceFile(p.name, p.read_text(encoding="utf-8"))
             for p in (DIAGRAMS / "forms").glob("test_*.json") if p.name != "test_approve.json"]
    with pytest.raises(ValidationFailed) as refused:
        people.deploy([SourceFile("approval.bpmn", text), *forms,
                       SourceFile("test_approve.json", json.dumps(bad, ensure_ascii=False))])
    said = [p.message for p in refused.value.problems]
    assert any('"x-phrases" of "comment" must be true, false or' in s for s in said), said


def test_shipped_comment_fields_offer_phrases() -> None:
    forms = PROCESSES.parent / "forms"
    marked = {(p.stem, name) for p in forms.glob("*.json")
              for name, prop in json.loads(p.read_text(encoding="utf-8"))["properties"].items()
              if prop.get("x-phrases")}
    assert {("clue_approve", "approve_comment"), ("clue_propose", "proposal_reason"),
            ("escalation_approve", "esc_leader_comment"), ("subsidy_instant_approve", "opinion"),
            ("report_review", "review_comment")} <= marked
    for form in {form for form, _ in marked}:
        assert check_form((forms / f"{form}.json").read_text(encoding="utf-8")) == []


REFUSALS = {("subsidy_instant_approve", "reject_reason"),
            ("subsidy_instant_approve", "policy_explanation"),
            ("subsidy_commitment_decide", "reject_reason"),
            ("subsidy_commitment_decide", "policy_explanation"),
            ("credit_repair_decide", "reject_reason"), ("credit_repair_decide", "reject_basis")}


def test_a_refusals_fields_offer_their_own_phrases_never_an_approval() -> None:
    forms = PROCESSES.parent / "forms"
    for form, name in REFUSALS:
        own = json.loads((forms / f"{form}.json").read_text(encoding="utf-8"))[
            "properties"][name]["x-phrases"]
        assert isinstance(own, list) and own, (form, name)
        assert not any("同意" in p for p in own), (form, name)


def test_the_refusal_fields_of_an_approval_offer_refusals(demo: Engine) -> None:  # noqa: F811
    approve = next(t.id for t in demo.inbox.for_user("policy_sw") if t.name == "approve")
    page = signed_in(demo, "policy_sw").get(f"/tasks/{approve}").text

    def picker(field: str) -> str:
        return page.split(f'class="phrase-picker" data-for="f-{field}"', 1)[1].split("</div>")[0]

    assert "同意兑现" in picker("opinion") and "data-url=" in picker("opinion")  # the user's
    for field in ("reject_reason", "policy_explanation"):
        assert "同意" not in picker(field) and "data-url=" not in picker(field)
        assert 'href="/account/phrases"' not in picker(field)  # not the user's to manage
    assert '<option value="不符合该政策的享受对象条件，不予兑现。">' in picker("reject_reason")


def test_a_batchs_note_is_no_opinion(demo: Engine) -> None:  # noqa: F811
    """批次说明 names a batch (2026年第3批): an approval's 同意兑现 has no place beside it."""
    page = signed_in(demo, "policy_gx").get("/start/subsidy_automatic").text
    assert 'id="f-batch_note"' in page
    assert "phrase-picker" not in page and "同意兑现" not in page
