"""The case operations through /api/v1: each answers with the instance (or its own result),
matches the OpenAPI description, and is refused with the right status and a clear message
where it does not apply."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.api import Engine
from tests.test_api_helpers import Api, error_of, make_api
from web.api.openapi import OPENAPI


@pytest.fixture
def api(people: Engine) -> Api:
    return make_api(people)


def valid(name: str, value: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    Draft202012Validator(schema).validate(value)


def test_send_back_and_withdraw(api: Api) -> None:
    instance = api.start()
    propose = instance["tasks"][0]["id"]
    refused = error_of(api.post(f"/tasks/{propose}/send-back", "li",
                                json={"reason": "退回"}), 409)
    assert "没有可退回的上一环节" in refused["message"]
    assert api.get(f"/tasks/{propose}/send-back", "li").get_json() == {"steps": []}
    api.post(f"/tasks/{propose}/complete", "li", json={"data": {"proposal": "转办"}})
    approve = api.only_task("wang")["id"]
    steps = api.get(f"/tasks/{approve}/send-back", "wang").get_json()
    valid("SendBackSteps", steps)
    assert steps["steps"][0] == {"element_id": "propose", "name": "提出处置意见"}
    assert error_of(api.post(f"/tasks/{approve}/send-back", "wang", json={}), 400)[
        "details"] == {"reason": "此项为必填项"}
    wrong = error_of(api.post(f"/tasks/{approve}/send-back", "wang",
                              json={"reason": "x", "to": "handle"}), 422)
    assert "可退回到：提出处置意见（propose）" in wrong["message"]
    error_of(api.post(f"/tasks/{approve}/send-back", "wang",
                      json={"reason": "x", "revision": 0}), 409)  # stale
    back = api.post(f"/tasks/{approve}/send-back", "wang", json={"reason": "理由不充分"})
    assert back.status_code == 200
    valid("Instance", back.get_json())
    again = back.get_json()["tasks"][0]
    assert (again["name"], again["assignee"]) == ("propose", "li")
    api.post(f"/tasks/{again['id']}/complete", "li", json={"data": {"proposal": "转办"}})
    error_of(api.post(f"/tasks/{again['id']}/withdraw", "wang", json={}), 403)
    withdrawn = api.post(f"/tasks/{again['id']}/withdraw", "li", json={})
    assert withdrawn.status_code == 200
    assert [t["name"] for t in withdrawn.get_json()["tasks"]] == ["propose"]


def test_transfer_delegate_co_sign_and_urge(api: Api) -> None:
    _, task_id = api.to_handling()
    api.engine.add_user("zhao2", ["handler"], unit="浮梁县纪委监委")
    error_of(api.post(f"/tasks/{task_id}/transfer", "zhao", json={"to": "nobody",
                                                                  "reason": "x"}), 422)
    moved = api.post(f"/tasks/{task_id}/transfer", "zhao", json={"to": "zhao2",
                                                                 "reason": "出差"})
    assert moved.status_code == 200 and moved.get_json()["tasks"][0]["assignee"] == "zhao2"
    error_of(api.post(f"/tasks/{task_id}/transfer", "zhao", json={"to": "zhao",
                                                                  "reason": "x"}), 409)
    assert api.post(f"/tasks/{task_id}/add-signer", "zhao2",
                    json={"to": "wang"}).status_code == 200
    task = api.get(f"/tasks/{task_id}", "wang").get_json()
    assert (task["assignee"], task["owner"], task["signers"]) == ("wang", "zhao2", [])
    api.post(f"/tasks/{task_id}/complete", "wang", json={"data": {}})
    assert api.post(f"/tasks/{task_id}/delegate", "zhao2",
                    json={"to": "zhao", "reason": "请协助"}).status_code == 200
    error_of(api.post(f"/tasks/{task_id}/urge", "zhao", json={}), 403)
    urged = api.post(f"/tasks/{task_id}/urge", "sun", json={"note": "请抓紧"})
    assert urged.status_code == 200
    assert api.get(f"/tasks/{task_id}", "zhao").get_json()["urged_count"] == 1


def test_copy_comment_and_terminate(api: Api) -> None:
    instance_id, _ = api.to_handling()
    copied = api.post(f"/instances/{instance_id}/cc", "li", json={"to": "qian"})
    valid("CcResult", copied.get_json())
    assert copied.get_json()["copied_to"] == ["qian"]
    copies = api.get("/copies", "qian").get_json()
    valid("CopyList", copies)
    assert [(c["instance_id"], c["read_at"]) for c in copies["copies"]] == [(instance_id, None)]
    assert api.get(f"/instances/{instance_id}", "qian").status_code == 200  # may read it now
    read = api.post(f"/instances/{instance_id}/cc/read", "qian")
    assert read.get_json() == {"instance_id": instance_id, "marked": 1}
    commented = api.post(f"/instances/{instance_id}/comments", "qian", json={"text": "已阅"})
    assert commented.status_code == 201
    error_of(api.post(f"/instances/{instance_id}/terminate", "li", json={"reason": "x"}), 403)
    done = api.post(f"/instances/{instance_id}/terminate", "sun", json={"reason": "重复登记"})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    history = api.get(f"/instances/{instance_id}/history", "sun").get_json()["events"]
    assert [e["type"] for e in history][-3:] == ["copied", "commented", "terminated"]


def test_parallel_co_signers(api: Api) -> None:
    _, task_id = api.to_handling()
    for name in ("wang", "sun"):
        assert api.post(f"/tasks/{task_id}/add-signer", "zhao",
                        json={"to": name, "parallel": True}).status_code == 200
    assert error_of(api.post(f"/tasks/{task_id}/add-signer", "zhao",
                             json={"to": "li", "parallel": "yes"}), 400)["details"] == {
        "parallel": "应为是/否（true 或 false），而不是文本"}
    assert task_id in [t["id"] for t in api.get("/tasks", "sun").get_json()["tasks"]]
    assert "未签署" in error_of(api.post(f"/tasks/{task_id}/complete", "zhao",
                                         json={"data": {}}), 409)["message"]
    for name in ("sun", "wang"):
        assert api.post(f"/tasks/{task_id}/complete", name, json={"data": {}}).status_code == 200
    assert api.get(f"/tasks/{task_id}", "zhao").get_json()["owner"] is None


def test_a_refusal_names_the_holder_and_carries_the_username(api: Api) -> None:
    """The message says who holds the task as staff know them; ``params`` keeps the username
    for a client that reads it."""
    _, task_id = api.to_handling()
    api.engine.add_user("zhao2", ["handler"], unit="浮梁县纪委监委", display_name="赵敏")
    moved = api.post(f"/tasks/{task_id}/transfer", "zhao", json={"to": "zhao2", "reason": "出差"})
    assert moved.status_code == 200
    held = error_of(api.post(f"/tasks/{task_id}/transfer", "zhao",
                             json={"to": "zhao", "reason": "x"}), 409)
    assert held["message"] == "任务已由 赵敏（浮梁县纪委监委） 办理，不能转办"
    assert held["params"]["assignee"] == "zhao2"
    assert held["params"]["assignee_name"] == "赵敏（浮梁县纪委监委）"
    claimed = error_of(api.client.post(f"/api/v1/tasks/{task_id}/claim", json={}, headers={
        **api.headers("zhao"), "Accept-Language": "en"}), 409)
    assert claimed["message"] == "task is already claimed by 赵敏（浮梁县纪委监委）"
    assert (claimed["key"], claimed["params"]["assignee"]) == ("task.already_claimed", "zhao2")
    signer = error_of(api.post(f"/tasks/{task_id}/add-signer", "zhao2", json={"to": "zhao2"}),
                      422)
    assert signer["message"] == "赵敏（浮梁县纪委监委） 已在会签人中"
    assert signer["params"]["username"] == "zhao2"
