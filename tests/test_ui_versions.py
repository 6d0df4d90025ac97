"""A procedure's versions page (who deployed each version, its open and finished cases) and
moving a version's running cases to the newest from the designer pages: the preview lists the
cases that cannot move with the engine's reasons, the confirmation moves the others, which go
on along the new version with their audit chains intact; designers only, as the API's
POST /processes/{key}/migrations."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from lxml import html as lxml_html

from engine import SourceFile
from engine.api import Engine
from tests.conftest import DIAGRAMS
from tests.test_ui_support import (
    PASSWORD,
    as_user,
    choose_language,
    csrf_token,
    make_app,
    start_case,
)

pytest_plugins = ["tests.test_ui_support"]  # eng, app, designer (signed in as a designer)

APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
# version 2: the approval is decided by the system (a script task in its place); a case waiting
# at the approval cannot move, a case still at 提出处置意见 can, and goes on to 核查 at once
AUTOMATIC = APPROVAL.replace(
    """<bpmn:userTask id="approve" name="审批" camunda:formKey="test_approve"
                   camunda:dueDate="same_day_close()" />""",
    """<bpmn:scriptTask id="approve" name="自动审批"><bpmn:script>approved = True</bpmn:script>
    </bpmn:scriptTask>""")


def deploy_v2(eng: Engine) -> None:
    eng.add_user("deng", ["designer"], display_name="邓设计")
    [deployed] = eng.deploy([SourceFile("approval.bpmn", AUTOMATIC)], "deng")
    assert (deployed.version, deployed.created) == (2, True)


def cases_on_v1(eng: Engine) -> tuple[int, int]:
    """One case at 提出处置意见 (can move), one at 审批 (cannot), one finished."""
    at_propose = start_case(eng)
    at_approve = start_case(eng, summary="久拖不办")
    [propose] = eng.instance(at_approve).tasks
    eng.complete(propose.id, {"proposal": "转办"}, "li")
    ended = start_case(eng, summary="重复登记")
    eng.ops.terminate(ended, "sun", "重复登记")
    return at_propose, at_approve


def open_task(eng: Engine, instance_id: int) -> str:
    [task] = eng.instance(instance_id).tasks
    return task.id


def row(page: str, version: int) -> dict[str, str]:
    [tr] = lxml_html.fromstring(page).xpath(f"//tr[@id='v{version}']")
    return {td.get("class"): td.text_content().strip() for td in tr.xpath("td[@class]")}


def test_the_versions_page_names_the_deployer_and_counts_the_cases(designer: FlaskClient,
                                                                   eng: Engine) -> None:
    cases_on_v1(eng)
    deploy_v2(eng)
    start_case(eng, summary="新版本上的案件")
    page = designer.get("/designer/processes/approval")
    assert page.status_code == 200
    first, second = row(page.text, 1), row(page.text, 2)
    assert (first["deployer"], first["open-cases"], first["finished-cases"]) == ("—", "2", "1")
    assert (second["deployer"], second["open-cases"], second["finished-cases"]) == (
        "邓设计", "1", "0")
    assert "2026-09-30 16:00" in page.text  # deployed at, Beijing time
    assert 'href="/designer/processes/approval/diff?old=1&amp;new=2"' in page.text
    assert 'href="/designer/processes/approval/migrate?from_version=1"' in page.text


def test_the_preview_lists_refusals_and_moves_nothing(designer: FlaskClient,
                                                       eng: Engine) -> None:
    at_propose, at_approve = cases_on_v1(eng)
    deploy_v2(eng)
    form = designer.get("/designer/processes/approval/migrate")
    assert form.status_code == 200 and 'name="from_version"' in form.text
    page = designer.post("/designer/processes/approval/migrate",
                         data={"from_version": "1", "action": "preview"})
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    [refused] = tree.xpath("//tr[@class='refused']")
    assert refused.get("data-instance") == str(at_approve)
    assert ('任务 "approve" (审批)（待办）的类型已改变（user task → script task）'
            in refused.text_content())
    [movable] = tree.xpath("//tr[@class='movable']")
    assert movable.get("data-instance") == str(at_propose)
    assert tree.xpath("//form[@id='migrate-confirm']")
    assert {eng.instance(at_propose).version, eng.instance(at_approve).version} == {1}


def test_confirming_moves_the_cases_that_can_move_and_they_go_on(designer: FlaskClient,
                                                                   eng: Engine) -> None:
    at_propose, at_approve = cases_on_v1(eng)
    deploy_v2(eng)
    page = designer.post("/designer/processes/approval/migrate",
                         data={"from_version": "1", "to_version": "2", "action": "confirm"})
    assert page.status_code == 200
    assert "已迁移 1 个案件，1 个案件不能迁移。" in page.text
    assert (eng.instance(at_propose).version, eng.instance(at_approve).version) == (2, 1)
    assert [e.type for e in eng.history(at_propose)][-1] == "migrated"
    assert eng.history(at_propose)[-1].user == "design"
    # the moved case follows version 2: approved by the system, on to 核查
    eng.complete(open_task(eng, at_propose), {"proposal": "转办"}, "li")
    assert [t.name for t in eng.instance(at_propose).tasks] == ["handle"]
    assert row(designer.get("/designer/processes/approval").text, 2)["open-cases"] == "1"
    assert eng.verify() == (3, []) and eng.replay(at_propose).ok


def test_a_confirmation_after_a_newer_deploy_only_previews(designer: FlaskClient,
                                                            eng: Engine) -> None:
    at_propose, _ = cases_on_v1(eng)
    deploy_v2(eng)
    eng.deploy([SourceFile("approval.bpmn", AUTOMATIC.replace("自动审批", "自动审批（第三版）"))])
    page = designer.post("/designer/processes/approval/migrate",
                         data={"from_version": "1", "to_version": "2", "action": "confirm"})
    assert "预览之后又部署了新版本" in page.text and "migrate-confirm" in page.text
    assert eng.instance(at_propose).version == 1


def test_only_designers_migrate(app: Flask, eng: Engine) -> None:
    at_propose, _ = cases_on_v1(eng)
    deploy_v2(eng)
    for name in ("li", "sun", "audit"):
        client = as_user(app, name)
        assert client.get("/designer/processes/approval").status_code == 403
        assert client.get("/designer/processes/approval/migrate").status_code == 403
        answer = client.post("/designer/processes/approval/migrate",
                             data={"from_version": "1", "to_version": "2", "action": "confirm"})
        assert answer.status_code == 403
    assert eng.instance(at_propose).version == 1
    designer = as_user(app, "design")
    assert designer.get("/designer/processes/nothing/migrate").status_code == 404
    bad = designer.post("/designer/processes/approval/migrate",
                        data={"from_version": "2", "action": "preview"})
    assert bad.status_code == 422  # not older than the newest


def test_the_confirmation_needs_its_csrf_token(eng: Engine) -> None:
    at_propose, _ = cases_on_v1(eng)
    deploy_v2(eng)
    client = make_app(eng, csrf=True).test_client()
    signed_in = client.post("/login", data={"username": "design", "password": PASSWORD,
                                            "csrf_token": csrf_token(client.get("/login").text)})
    assert signed_in.status_code == 302
    data = {"from_version": "1", "to_version": "2", "action": "confirm"}
    assert client.post("/designer/processes/approval/migrate", data=data).status_code == 400
    assert eng.instance(at_propose).version == 1
    token = csrf_token(client.get("/designer/processes/approval/migrate").text)
    done = client.post("/designer/processes/approval/migrate", data={**data, "csrf_token": token})
    assert done.status_code == 200 and eng.instance(at_propose).version == 2


def test_the_pages_in_english(designer: FlaskClient, eng: Engine) -> None:
    cases_on_v1(eng)
    deploy_v2(eng)
    choose_language(designer)
    versions = designer.get("/designer/processes/approval").text
    assert "Deployed by" in versions and "Cases under way" in versions
    page = designer.post("/designer/processes/approval/migrate",
                         data={"from_version": "1", "action": "preview"}).text
    assert "Can move: 1" in page and "Cannot move: 1" in page
    assert ('READY task "approve" (审批) changed type (user task → script task)'
            in lxml_html.fromstring(page).text_content())
