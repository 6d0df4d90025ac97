"""/api/v1/tasks: the inbox and its filters, one task, claim, unclaim, complete."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import DIAGRAMS, diagram_files
from tests.test_api_helpers import APPROVAL_WORLD, OTHER_UNIT, UNIT, Api, api_of, error_of
from web.api.openapi import OPENAPI

pytestmark = APPROVAL_WORLD


@pytest.fixture
def api(engine: Engine) -> Api:
    return api_of(engine)


def _state(api: Api, instance_id: int) -> tuple[int, list[tuple[str, str | None]], int]:
    """(revision, open tasks as (id, assignee), number of events) — to check nothing changed."""
    view = api.engine.instance(instance_id)
    return (view.revision, [(t.id, t.assignee) for t in view.tasks],
            len(api.engine.history(instance_id)))


# -- inbox ----------------------------------------------------------------------------------


def test_inbox_shows_the_callers_tasks_as_task_objects(api: Api) -> None:
    instance = api.start()
    response = api.get("/tasks", "li")
    assert response.status_code == 200
    (task,) = response.get_json()["tasks"]
    assert set(OPENAPI["components"]["schemas"]["Task"]["required"]) <= set(task)
    assert (task["instance_id"], task["process_key"], task["business_key"], task["name"],
            task["title"], task["role"], task["unit"], task["assignee"], task["status"],
            task["form_key"], task["overdue"]) == (
        instance["id"], "approval", "TS-2026-000001", "propose", "提出处置意见", "intake",
        None, None, "ready", "test_propose", False)
    assert task["created_at"] == "2026-09-30T16:00:00+08:00"
    assert task["due_at"] == "2026-09-30T17:30:00+08:00"
    for user in ("wang", "zhao", "qian", "sun"):
        assert api.get("/tasks", user).get_json() == {"tasks": []}


def test_inbox_is_scoped_by_unit(api: Api) -> None:
    _, task_id = api.to_handling()
    assert [t["id"] for t in api.get("/tasks", "zhao").get_json()["tasks"]] == [task_id]
    assert api.get("/tasks", "qian").get_json()["tasks"] == []


def test_inbox_filters(api: Api, clock: FixedClock) -> None:
    first = api.start()
    clock.advance(timedelta(hours=2))  # 18:00: the first case's proposal is overdue
    second = api.start()
    ids = {first["id"]: first["tasks"][0]["id"], second["id"]: second["tasks"][0]["id"]}

    def listed(query: str, user: str = "li") -> list[str]:
        response = api.get("/tasks" + query, user)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [t["id"] for t in response.get_json()["tasks"]]

    assert listed("") == [ids[first["id"]], ids[second["id"]]]  # soonest due first
    assert listed("?overdue=true") == [ids[first["id"]]]
    assert listed("?overdue=false") == [ids[second["id"]]]
    assert listed("?role=intake&process=approval") == list(ids.values())
    assert listed("?role=approver") == []
    assert listed("?process=other") == []
    assert listed(f"?instance={second['id']}") == [ids[second["id"]]]
    assert listed("?assignee=me") == []
    api.post(f"/tasks/{ids[second['id']]}/claim", "li")
    assert listed("?assignee=me") == [ids[second["id"]]]
    overdue = api.get("/tasks?overdue=true", "li").get_json()["tasks"][0]
    assert overdue["overdue"] is True


@pytest.mark.parametrize("query, field", [
    ("?overdue=maybe", "overdue"), ("?assignee=wang", "assignee"), ("?instance=x", "instance"),
    ("?colour=red", "colour"), ("?role=a%00b", "role"),
])
def test_inbox_bad_filters_are_400(api: Api, query: str, field: str) -> None:
    assert field in error_of(api.get("/tasks" + query, "li"), 400)["details"]


# -- one task -------------------------------------------------------------------------------


def test_task_with_its_form_and_data(api: Api) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    body = api.get(f"/tasks/{task_id}", "li").get_json()
    assert body["id"] == task_id and body["name"] == "propose"
    form = json.loads((DIAGRAMS / "forms" / "test_propose.json").read_text(encoding="utf-8"))
    assert body["form"] == form
    assert body["data"]["summary"] == "不作为" and body["data"]["case_no"] == "TS-2026-000001"
    assert body["revision"] == instance["revision"]


def test_task_form_comes_from_the_version_the_instance_runs(api: Api) -> None:
    instance = api.start()
    files = diagram_files("approval.bpmn")
    changed = [f if f.name != "test_propose.json" else
               type(f)(f.name, f.content.replace('"处置意见"', '"新的处置意见"', 1))
               for f in files]
    assert api.engine.deploy(changed)[0].version == 2
    old = api.get(f"/tasks/{instance['tasks'][0]['id']}", "li").get_json()
    assert old["form"]["title"] == "处置意见"
    new = api.start()
    assert api.get(f"/tasks/{new['tasks'][0]['id']}", "li").get_json()["form"]["title"] == (
        "新的处置意见")


def test_task_access_is_checked_by_role_and_unit(api: Api) -> None:
    _, task_id = api.to_handling()
    assert api.get(f"/tasks/{task_id}", "zhao").status_code == 200
    assert api.get(f"/tasks/{task_id}", "audit").status_code == 200
    for reader in ("wang", "sun"):  # read the case (approved it; supervise), not this task
        assert error_of(api.get(f"/tasks/{task_id}", reader), 403)["code"] == (
            "permission_denied")
    # no part in the case: as if the task did not exist (task ids follow case ids)
    missing = error_of(api.get("/tasks/no-such-task", "qian"), 404)
    assert error_of(api.get(f"/tasks/{task_id}", "qian"), 404) == {
        **missing, "message": f"没有编号为 {task_id} 的任务", "params": {"task_id": task_id}}


@pytest.mark.parametrize("task_id", ["no-such-task", "%00", "x" * 300, "a%20b", "é"])
def test_unknown_tasks_are_404(api: Api, task_id: str) -> None:
    for response in (api.get(f"/tasks/{task_id}", "li"),
                     api.post(f"/tasks/{task_id}/claim", "li"),
                     api.post(f"/tasks/{task_id}/unclaim", "li"),
                     api.post(f"/tasks/{task_id}/complete", "li", json={"data": {}})):
        error = error_of(response, 400 if task_id == "%00" else 404)
        assert error["code"] in ("not_found", "bad_request")


# -- claim, unclaim -------------------------------------------------------------------------


def test_claim_and_unclaim(api: Api) -> None:
    instance = api.start()
    api.post(f"/tasks/{instance['tasks'][0]['id']}/complete", "li",
             json={"data": {"proposal": "转办"}})
    task_id = api.only_task("wang")["id"]
    claimed = api.post(f"/tasks/{task_id}/claim", "wang")
    assert claimed.status_code == 200
    assert [t["assignee"] for t in claimed.get_json()["tasks"]] == ["wang"]
    assert api.get("/tasks", "chen").get_json()["tasks"] == []
    before = _state(api, instance["id"])
    assert error_of(api.post(f"/tasks/{task_id}/claim", "chen"), 409)["code"] == "conflict"
    assert error_of(api.post(f"/tasks/{task_id}/unclaim", "chen"), 403)
    assert error_of(api.post(f"/tasks/{task_id}/complete", "chen",
                             json={"data": {"approved": True}}), 409)
    assert _state(api, instance["id"]) == before
    unclaimed = api.post(f"/tasks/{task_id}/unclaim", "wang",
                         json={"revision": claimed.get_json()["revision"]})
    assert unclaimed.status_code == 200
    assert [t["id"] for t in api.get("/tasks", "chen").get_json()["tasks"]] == [task_id]


def test_claim_stale_revision_and_bad_body(api: Api) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    stale = api.post(f"/tasks/{task_id}/claim", "li", json={"revision": instance["revision"] - 1})
    assert error_of(stale, 409)["code"] == "conflict"
    assert error_of(api.post(f"/tasks/{task_id}/claim", "li", json={"revision": "1"}), 400)
    assert error_of(api.post(f"/tasks/{task_id}/claim", "li", json={"assignee": "x"}), 400)
    assert api.engine.instance(instance["id"]).tasks[0].assignee is None


def test_other_unit_cannot_claim_unclaim_or_complete(api: Api) -> None:
    instance_id, task_id = api.to_handling()
    assert (api.engine.user("qian").unit, api.engine.user("zhao").unit) == (OTHER_UNIT, UNIT)
    before = _state(api, instance_id)
    for command, body in (("claim", None), ("unclaim", None),
                          ("complete", {"data": {"result": "属实"}})):
        response = api.post(f"/tasks/{task_id}/{command}", "qian", json=body)
        # qian has no part in the case: as if the task did not exist
        assert error_of(response, 404)["code"] == "not_found", command
    assert _state(api, instance_id) == before
    assert api.engine.instance(instance_id).status == "running"


# -- complete -------------------------------------------------------------------------------


def test_complete_walks_the_case_to_its_end(api: Api) -> None:
    instance_id, task_id = api.to_handling()
    response = api.post(f"/tasks/{task_id}/complete", "zhao", json={"data": {"result": "属实"}})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["tasks"]) == (instance_id, "completed", [])
    assert body["data"]["result"] == "属实" and body["data"]["status"] == "transferred"
    again = api.post(f"/tasks/{task_id}/complete", "zhao", json={"data": {"result": "属实"}})
    assert error_of(again, 409)["code"] == "conflict"
    done = api.get(f"/tasks/{task_id}", "zhao").get_json()
    assert (done["status"], done["completed_by"]) == ("completed", "zhao")


def test_complete_field_errors_are_422_and_change_nothing(api: Api) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    before = _state(api, instance["id"])
    error = error_of(api.post(f"/tasks/{task_id}/complete", "li",
                              json={"data": {"proposal": "随便"}}), 422)
    assert error["code"] == "invalid_data" and "proposal" in error["details"]
    error = error_of(api.post(f"/tasks/{task_id}/complete", "li", json={"data": {}}), 422)
    assert "proposal" in error["details"]
    assert _state(api, instance["id"]) == before


@pytest.mark.parametrize("body, field", [
    ({"data": ["转办"]}, "data"), ({"data": "转办"}, "data"), ({"data": {}, "revision": "3"},
                                                               "revision"),
    ({"data": {}, "revision": True}, "revision"), ({"data": {}, "revison": 1}, "revison"),
])
def test_complete_bad_request_bodies_are_400(api: Api, body: object, field: str) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    error = error_of(api.post(f"/tasks/{task_id}/complete", "li", json=body), 400)
    assert field in error["details"]
    assert error_of(api.post(f"/tasks/{task_id}/complete", "li", data="{\"data\": {",
                             content_type="application/json"), 400)
    assert error_of(api.post(f"/tasks/{task_id}/complete", "li", data="proposal=转办",
                             content_type="application/x-www-form-urlencoded"), 415)
    assert _state(api, instance["id"])[0] == instance["revision"]


def test_complete_with_a_stale_revision_is_409(api: Api) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    api.post(f"/tasks/{task_id}/claim", "li")  # the revision moves on
    stale = api.post(f"/tasks/{task_id}/complete", "li",
                     json={"data": {"proposal": "转办"}, "revision": instance["revision"]})
    assert error_of(stale, 409)["code"] == "conflict"
    assert api.only_task("li")["id"] == task_id
    fresh = api.get(f"/tasks/{task_id}", "li").get_json()["revision"]
    ok = api.post(f"/tasks/{task_id}/complete", "li",
                  json={"data": {"proposal": "转办"}, "revision": fresh})
    assert ok.status_code == 200 and ok.get_json()["revision"] == fresh + 1


def test_complete_needs_the_role(api: Api) -> None:
    instance = api.start()
    task_id = instance["tasks"][0]["id"]
    before = _state(api, instance["id"])
    for user, status in (("wang", 404), ("zhao", 404), ("audit", 403), ("des", 404)):
        response = api.post(f"/tasks/{task_id}/complete", user,
                            json={"data": {"proposal": "转办"}})
        # 404 for those with no part in the case (a designer reads none); 403 for an auditor
        assert error_of(response, status)["code"] == (
            "permission_denied" if status == 403 else "not_found"), user
    assert _state(api, instance["id"]) == before
