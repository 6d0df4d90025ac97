"""Search, 已办 and 我的申请 (engine/queries/search.py, worklists.py) on both databases, with
the shipped procedures: a user finds exactly the cases they may read, by case number, names
or any text of the data, Chinese words of two characters and longer; confidential fields are
never found; the search text follows every command; the done list and the applications show
each case as it stands, a refused application with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from engine.api import Engine
from engine.cli import main
from engine.definitions.validation import SourceFile
from engine.errors import CaseHidden, PermissionDenied
from engine.queries import search
from engine.queries.search import excerpt
from engine.runtime import search_text
from tests.conftest import DIAGRAMS, seeded
from tests.process_helpers import clue_files, do, units_by_name
from tests.test_process_clue_triage import FULIANG, LEPING, REGISTRATION, add_people
from tests.test_process_subsidies import application, subsidy_files
from web import tokens
from web.app import create_app
from web.ui.auth import session_values

USERS = ("li", "wang", "zhao", "qian", "sun", "zhou", "audit", "qiye", "swj", "gxj")
FIRST = {**REGISTRATION, "anonymous": False, "reporter": "张举报",
         "reporter_contact": "13800001234",
         "summary": "企业办理施工许可被要求补充清单外材料,拖延两个月未办结。<b>急</b>"}
SECOND = {**REGISTRATION, "accused_unit": "乐平市某服务中心", "problem_type": "吃拿卡要",
          "summary": "窗口人员推诿扯皮,群众多次往返。"}


def _transferred(engine: Engine, data: dict[str, Any], unit: str) -> int:
    case = engine.start("clue_triage", data, "li").id
    do(engine, "li", "propose", {"disposal": "转办", "proposal_reason": "可查",
                                 "handler_unit": unit}, process="clue_triage")
    do(engine, "wang", "approve", {"approved": True}, process="clue_triage")
    do(engine, "li", "transfer", {"transfer_note": "请按期办理"}, process="clue_triage")
    return case


WORLD: dict[str, int] = {}  # the cases the build made, by what they are


def _world(engine: Engine) -> None:
    """Two clues at the handlers of two counties, two applications of one enterprise at two
    departments, both refused: one with a reason, one with a reason and a policy
    explanation."""
    engine.deploy(clue_files() + units_by_name(subsidy_files()))
    add_people(engine)
    engine.add_user("audit", ["auditor"])
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    engine.add_user("swj", ["policy_dept"], unit="市商务局")
    engine.add_user("gxj", ["policy_dept"], unit="市工信局")
    engine.add_user("rsj", ["policy_dept"], unit="市人社局")
    first = _transferred(engine, FIRST, FULIANG)
    second = _transferred(engine, SECOND, LEPING)
    refused = engine.start("subsidy_instant", application("JS-002"), "qiye").id
    do(engine, "swj", "approve", {"decision": "reject", "reject_reason": "保单不在补贴年度内"},
       process="subsidy_instant")
    explained = engine.start("subsidy_instant", application("JS-001"), "qiye").id
    do(engine, "rsj", "approve", {"decision": "reject", "reject_reason": "新吸纳人员未缴纳社会保险",
                                  "policy_explanation": EXPLANATION}, process="subsidy_instant")
    WORLD.update(first=first, second=second, refused=refused, explained=explained)


pytestmark = seeded(_world)  # made once per process and backend, copied for each test


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    return dict(WORLD)


EXPLANATION = "依据政策第三条，补贴对象须为按规定缴纳社会保险的新吸纳人员"


def found(engine: Engine, query: str, user: str) -> list[int]:
    return [hit.instance_id for hit in engine.search.find(query, user).hits]


def readable(engine: Engine, instance_id: int, user: str) -> bool:
    try:
        engine.check_read(instance_id, user)
        return True
    except CaseHidden:
        return False


def test_each_user_finds_exactly_the_cases_they_may_read(engine: Engine,
                                                         world: dict[str, int]) -> None:
    everything = set(engine.instance_ids())  # with the ledger copies the clues started
    assert set(world.values()) < everything
    for user in USERS:  # "2026" is in every case (its number or dates)
        expected = {i for i in everything if readable(engine, i, user)}
        assert set(found(engine, "2026", user)) == expected, user
    first, second = world["first"], world["second"]
    assert found(engine, "施工许可", "zhao") == [first]  # 浮梁县's handler
    assert found(engine, "施工许可", "qian") == []  # 乐平市's handler: not theirs
    assert found(engine, "施工许可", "qiye") == []
    assert found(engine, "推诿扯皮", "qian") == [second]
    copy = second + 1  # the ledger copy the transfer started for the supervision office
    assert engine.instance(copy).process_key == "clue_ledger_copy"
    assert sorted(found(engine, "推诿扯皮", "sun")) == [second, copy]  # reads every case
    assert found(engine, "推诿扯皮", "zhao") == []
    assert sorted(found(engine, "景德镇某陶瓷", "qiye")) == [world["refused"],
                                                          world["explained"]]
    assert found(engine, "景德镇某陶瓷", "swj") == [world["refused"]]  # its department's
    assert found(engine, "景德镇某陶瓷", "gxj") == []


def test_chinese_words_of_two_and_more_characters(engine: Engine,
                                                  world: dict[str, int]) -> None:
    first, second = world["first"], world["second"]
    short = engine.search.find("拖延", "li")  # below the trigram: LIKE over the newest cases
    assert [h.instance_id for h in short.hits] == [first] and not short.partial
    assert found(engine, "推诿", "li") == [second, first]  # most recently changed first
    assert found(engine, "乐平 推诿", "li") == [second]  # every word must be in the case
    assert found(engine, "乐平市某服务中心", "li") == [second]  # a unit's full name
    assert found(engine, "服务中心 扯皮", "li") == [second]
    assert found(engine, FULIANG, "li") == [first]  # the handler unit chosen in a form
    assert found(engine, "问题线索受理处置", "li") == [second, first]  # the procedure's name
    assert found(engine, "施工许可证", "li") == []  # the whole word, not some of its trigrams
    assert found(engine, "   ", "li") == []
    hit = engine.search.find("施工许可", "li").hits[0]
    assert "<mark>施工许可</mark>" in hit.snippet_html
    assert "&lt;b&gt;急&lt;/b&gt;" in hit.snippet_html and "<b>" not in hit.snippet_html
    assert hit.process_name == "问题线索受理处置" and hit.status == "running"


def test_the_case_number_comes_first_and_ascii_is_case_insensitive(
        engine: Engine, world: dict[str, int]) -> None:
    numbers = {k: engine.instance(i).business_key for k, i in world.items()}
    assert found(engine, str(numbers["second"]), "li") == [world["second"]]
    assert found(engine, str(numbers["first"]).lower(), "li") == [world["first"]]
    both = found(engine, "zf-2026", "li")
    assert sorted(both) == sorted([world["first"], world["second"]])
    assert sorted(found(engine, "JSJX", "qiye")) == [world["refused"], world["explained"]]


def test_a_case_number_typed_without_hyphens_finds_the_case(
        engine: Engine, world: dict[str, int]) -> None:
    number = str(engine.instance(world["second"]).business_key)
    assert found(engine, number.replace("-", ""), "li") == [world["second"]]
    assert found(engine, number.replace("-", "").lower(), "li") == [world["second"]]
    assert found(engine, number.replace("-", "", 1), "li") == [world["second"]]
    assert found(engine, number.replace("-", "") + " 推诿", "li") == [world["second"]]
    assert found(engine, "ZF2026999999", "li") == []


def test_confidential_fields_are_never_found_nor_shown(engine: Engine,
                                                       world: dict[str, int]) -> None:
    for user in USERS:  # not even the intake office, who may read the reporter
        assert found(engine, "张举报", user) == []
        assert found(engine, "13800001234", user) == []
        for hit in engine.search.find("施工许可", user).hits:
            assert "张举报" not in hit.snippet_text


def test_a_field_marked_confidential_later_stops_being_found(
        engine: Engine, world: dict[str, int]) -> None:
    assert {world["first"], world["second"]} <= set(found(engine, "张某(科长)", "li"))
    files: list[SourceFile] = []
    for f in clue_files():
        if f.name.endswith("clue_register.json"):
            schema = json.loads(f.content)
            schema["properties"]["accused_person"]["x-confidential"] = ["intake", "auditor"]
            f = SourceFile(f.name, json.dumps(schema, ensure_ascii=False))
        files.append(f)
    engine.deploy(files)  # a new version of clue_triage: its older cases are rewritten too
    assert found(engine, "张某(科长)", "li") == []  # nor in the ledger copies that carry it
    assert world["first"] in found(engine, "施工许可", "li")


def test_the_search_text_follows_each_command(engine: Engine, world: dict[str, int]) -> None:
    assert found(engine, "经核查情况属实", "zhao") == []
    do(engine, "zhao", "verify", {"verify_result": "属实", "verify_facts": "经核查情况属实",
                                  "fault_tolerance_claimed": False}, process="clue_triage")
    assert found(engine, "经核查情况属实", "zhao") == [world["first"]]
    assert found(engine, "经核查情况属实", "qian") == []


def test_instants_are_written_as_people_write_them(engine: Engine,
                                                  world: dict[str, int]) -> None:
    """A received-at time is found, and shown in the excerpt, as the pages show it."""
    assert world["first"] in found(engine, "2026-09-30 09:12", "li")
    hit = next(h for h in engine.search.find("2026-09-30", "li").hits
               if h.instance_id == world["first"])
    assert "2026-09-30 09:12" in hit.snippet_text and "T09:12" not in hit.snippet_text


def test_reindex_writes_the_texts_of_cases_from_before_search(
        engine: Engine, world: dict[str, int]) -> None:
    with engine.db.begin() as conn:
        conn.execute(text("DELETE FROM case_search"))
    assert found(engine, "施工许可", "li") == []
    assert engine.search.reindex() == len(engine.instance_ids())
    assert world["first"] in found(engine, "施工许可", "li")
    assert engine.search.reindex("subsidy_instant") == 2


def test_done_list_shows_completed_tasks_and_started_cases_as_they_stand(
        engine: Engine, world: dict[str, int]) -> None:
    first, second = world["first"], world["second"]
    done = engine.worklists.done("li")
    assert sorted((t.case.instance_id, t.task.name) for t in done.tasks) == [
        (first, "propose"), (first, "transfer"), (second, "propose"), (second, "transfer")]
    assert all(t.task.completed_by == "li" and t.task.status == "completed"
               for t in done.tasks)
    assert [c.instance_id for c in done.started] == [second, first]
    assert {(c.status, c.open_tasks) for c in done.started} == {("running", ("优先核查",))}
    assert sorted((t.case.instance_id, t.task.name) for t in engine.worklists.done("wang").tasks
                  ) == [(first, "approve"), (second, "approve")]
    assert engine.worklists.done("zhao").tasks == [] and engine.worklists.done("zhao").started == []
    do(engine, "zhao", "verify", {"verify_result": "属实", "verify_facts": "属实",
                                  "fault_tolerance_claimed": False}, process="clue_triage")
    [verified] = engine.worklists.done("zhao").tasks
    assert verified.task.name == "verify" and verified.case.instance_id == first
    assert verified.case.open_tasks != ("优先核查",)  # where the case went on to
    assert {t.case.open_tasks for t in engine.worklists.done("li").tasks
            if t.case.instance_id == first} == {verified.case.open_tasks}
    [qiye_refused] = [c for c in engine.worklists.done("qiye").started
                      if c.instance_id == world["refused"]]
    assert qiye_refused.open_tasks == ("登记兑付结果",) or qiye_refused.status == "completed"


def test_applications_show_outcome_and_the_reason_of_a_refusal(
        engine: Engine, world: dict[str, int]) -> None:
    apps = {a.case.instance_id: a for a in engine.worklists.applications("qiye")}
    assert sorted(apps) == [world["refused"], world["explained"]]
    refused = apps[world["refused"]]
    assert (refused.outcome, refused.refused, refused.reason) == (
        "不予兑现", True, "保单不在补贴年度内")
    assert refused.case.process_name and refused.case.business_key
    explained = apps[world["explained"]]
    assert explained.case.status == "running" and explained.refused  # at the data bureau
    assert (explained.reason, explained.explanation) == ("新吸纳人员未缴纳社会保险", EXPLANATION)
    pending = engine.start("subsidy_instant", application("JS-002"), "qiye").id
    [new] = [a for a in engine.worklists.applications("qiye") if a.case.instance_id == pending]
    assert (new.outcome, new.refused, new.reason, new.case.status) == (
        None, False, None, "running")
    with pytest.raises(PermissionDenied):
        engine.worklists.applications("li")


# -- the API, the pages and the command line ---------------------------------------------------

def _app(engine: Engine) -> Flask:
    return create_app(engine, secret_key="search", testing=True)


def _api(app: Flask, path: str, user: str, status: int = 200) -> Any:
    response = app.test_client().get("/api/v1" + path, headers={
        "Authorization": f"Bearer {tokens.issue('search', user)}"})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_api_search_done_and_applications(engine: Engine, world: dict[str, int]) -> None:
    app = _app(engine)
    body = _api(app, "/search?q=施工许可", "zhao")
    assert [r["instance_id"] for r in body["results"]] == [world["first"]]
    assert "<mark>施工许可</mark>" in body["results"][0]["highlight"]
    assert "&lt;b&gt;" in body["results"][0]["highlight"] and body["partial"] is False
    assert _api(app, "/search?q=施工许可", "qian")["results"] == []
    assert _api(app, "/search?q=%20", "li", 400)["error"]["details"] == {
        "q": "请给出要搜索的词"}  # the default language of the API
    assert _api(app, "/search?q=" + "长" * 201, "li", 400)["error"]["code"] == "bad_request"
    assert _api(app, "/search?q=2026&limit=0", "li", 400)["error"]["code"] == "bad_request"
    assert len(_api(app, "/search?q=2026&limit=1", "li")["results"]) == 1
    done = _api(app, "/tasks?done=true", "wang")
    assert [t["name"] for t in done["tasks"]] == ["approve", "approve"]
    assert done["tasks"][0]["case"]["open_tasks"] == ["优先核查"] and done["started"] == []
    assert _api(app, "/tasks?done=true&role=approver", "wang", 400)["error"]["details"] == {
        "role": "不能与 done 同用"}
    apps = _api(app, "/applications", "qiye")["applications"]
    assert [(a["outcome"], a["reason"]) for a in apps][1] == ("不予兑现", "保单不在补贴年度内")
    assert _api(app, "/applications", "li", 403)["error"]["code"] == "permission_denied"


def test_pages_escape_and_highlight(engine: Engine, world: dict[str, int]) -> None:
    app = _app(engine)
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(session_values(engine.user("li")))
    page = client.get("/search?q=施工许可").get_data(as_text=True)
    assert "<mark>施工许可</mark>" in page and "&lt;b&gt;急&lt;/b&gt;" in page
    assert f'href="/instances/{world["first"]}"' in page
    assert 'id="search-q"' in page and 'value="施工许可"' in page
    short = client.get("/search?q=" + "推诿").get_data(as_text=True)
    assert f'href="/instances/{world["second"]}"' in short
    done = client.get("/done").get_data(as_text=True)
    assert "提出处置意见" in done and "优先核查" in done and "我发起的案件" in done
    assert client.get("/applications").status_code == 403
    with client.session_transaction() as session:  # an approver starts nothing
        session.update(session_values(engine.user("wang")))
    approved = client.get("/done").get_data(as_text=True)
    assert "我办理的任务" in approved and "我发起的案件" not in approved
    with client.session_transaction() as session:
        session.update(session_values(engine.user("qiye")))
    apps = client.get("/applications").get_data(as_text=True)
    assert "保单不在补贴年度内" in apps and "不予兑现" in apps and 'id="nav-applications"' in apps
    assert apps.count("办理中") == apps.count('class="status running"')  # said once a row


def test_short_words_alone_search_the_newest_cases_and_many_matches_say_so(
        engine: Engine, world: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    newest = max(engine.instance_ids())
    monkeypatch.setattr(search, "SHORT_WINDOW", newest - world["second"])
    short = engine.search.find("推诿", "li")  # the second clue is just outside the window
    assert short.hits == [] and short.partial and not short.more
    assert found(engine, "推诿扯皮", "li") == [world["second"]]  # a long word: every case
    monkeypatch.setattr(search, "CANDIDATES", 2)
    many = engine.search.find("2026", "audit")  # reads every case
    assert len(many.hits) == 2 and many.more and not many.partial
    # the newest two matches were ranked (by the database's score)
    assert sorted(h.instance_id for h in many.hits) == sorted(engine.instance_ids())[-2:]


def test_cli_search_and_done(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("deploy", str(DIAGRAMS / "approval.bpmn"), str(DIAGRAMS / "forms"))
    run("users", "add", "li", "--role", "intake", "--password", "Kb-search-2026!x")
    run("users", "add", "zhao", "--role", "handler", "--unit", FULIANG,
        "--password", "Kb-search-2026!y")
    case = run("start", "approval", "--data",
               json.dumps({"summary": "瓷器出口退税拖延", "unit": FULIANG}), "--as", "li").strip()
    out = run("search", "出口退税", "--as", "li")
    assert f"#{case}" in out and "【出口退税】" in out
    hits = json.loads(run("search", "退税", "--as", "li", "--json"))
    assert [h["instance_id"] for h in hits["results"]] == [int(case)]
    assert json.loads(run("search", "退税", "--as", "zhao", "--json"))["results"] == []
    [task] = json.loads(run("tasks", "--as", "li", "--json"))
    run("complete", task["id"], "--data", '{"proposal": "转办"}', "--as", "li")
    done = json.loads(run("tasks", "--done", "--as", "li", "--json"))
    assert [(t["name"], t["case"]["open_tasks"]) for t in done] == [("propose", ["审批"])]
    assert "started cases (1)" in run("tasks", "--done", "--as", "li")
    assert "--done needs --as" in run("tasks", "--done", code=1)
    assert "rewritten for 1 cases" in run("reindex")


def test_a_person_is_found_and_shown_by_name_not_username(engine: Engine,
                                                          world: dict[str, int]) -> None:
    """The 专人管理 of a clue is stored as a username and shown as the person's name."""
    engine.add_user("zhangsan", ["intake"], display_name="张受理")
    case = engine.start("clue_triage", {**SECOND, "summary": "办事群众反映窗口推诿。",
                                        "owner": "zhangsan"}, "li").id
    hits = [h for h in engine.search.find("张受理", "li").hits if h.instance_id == case]
    assert len(hits) == 1 and "张受理" in hits[0].snippet_text
    assert case not in found(engine, "zhangsan", "li")
    assert case in found(engine, "窗口推诿", "li")


def test_an_excerpt_begins_and_ends_at_the_edge_of_a_value() -> None:
    body = "\n".join(["JZ-2026-000001", "问题线索处置", "12345热线", "2026-09-30 08:40",
                      "浮梁县某局", "某科长", "推诿拖延刁难", "企业办理施工许可，窗口三次退回。"])
    text = "".join(piece for piece, _ in excerpt(body, re.compile("推诿")))
    assert text.startswith("… · ") and "08:40" in text and "2026-09-30 08:40" in text
    assert text.endswith("企业办理施工许可，窗口三次退回。")


def test_engine_names_are_not_search_text() -> None:
    text = search_text.text_of("JZ-1", "问题线索处置",
                               {"source_process": "clue_triage", "summary": "窗口推诿"},
                               frozenset())
    assert "clue_triage" not in text and "窗口推诿" in text
