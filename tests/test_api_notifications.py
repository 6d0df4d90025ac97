"""/api/v1/notifications: the caller's own, newest first, with the unread count; marking one
read; nobody else's."""

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


def _valid(name: str, value: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    Draft202012Validator(schema).validate(value)


def test_the_callers_notifications_and_marking_them_read(api: Api) -> None:
    api.to_handling()  # li starts it: li is not told of its proposal step, zhao of 办理
    api.engine.add_user("xu", ["intake"])
    api.start("xu")
    api.start("xu")
    body = api.get("/notifications", "li").get_json()
    _valid("NotificationList", body)
    # two cases xu started, each with its proposal step for li
    assert body["unread"] == 2
    first = body["notifications"][0]
    assert first["kind"] == "task_arrived" and first["read"] is False
    case = first["business_key"]
    assert case.startswith("TS-")
    assert first["text"] == f"新的待办“提出处置意见”（{case}）已到达，办理期限 9月30日 17:30。"
    assert first["message"] == {"key": "notice.task_arrived_due", "params": {
        "title": "提出处置意见", "business_key": case, "due_at": "2026-09-30T17:30:00+08:00"}}
    english = api.client.get("/api/v1/notifications", headers={
        **api.headers("li"), "Accept-Language": "en"}).get_json()
    assert english["notifications"][0]["text"] == (
        f'A new task "提出处置意见" ({case}) has arrived; it is due Sep 30, 17:30.')
    newest, older = body["notifications"][0]["id"], body["notifications"][1]["id"]
    assert newest > older

    read = api.post(f"/notifications/{older}/read", "li")
    assert read.status_code == 200
    _valid("Notification", read.get_json())
    assert read.get_json()["read"] is True and read.get_json()["read_at"]
    again = api.post(f"/notifications/{older}/read", "li", json={})
    assert again.get_json()["read_at"] == read.get_json()["read_at"]  # changes nothing
    assert api.get("/notifications", "li").get_json()["unread"] == 1
    unread = api.get("/notifications?unread=true", "li").get_json()["notifications"]
    assert older not in [n["id"] for n in unread]
    page = api.get(f"/notifications?before={newest}&limit=1", "li").get_json()
    assert [n["id"] for n in page["notifications"]] == [older]

    # another's notification is not found, like one that does not exist
    assert error_of(api.post(f"/notifications/{newest}/read", "wang"), 404)["code"] == (
        "not_found")
    error_of(api.post("/notifications/2147483648/read", "li"), 404)
    assert api.get("/notifications", "li").get_json()["unread"] == 1
    assert all(n["username"] == "zhao"
               for n in api.get("/notifications", "zhao").get_json()["notifications"])


@pytest.mark.parametrize("query", ["unread=maybe", "before=-1", "limit=201", "limit=x",
                                   "colour=red"])
def test_bad_filters_are_400(api: Api, query: str) -> None:
    error_of(api.get(f"/notifications?{query}", "li"), 400)


def test_marking_read_takes_no_body(api: Api) -> None:
    api.engine.add_user("xu", ["intake"])
    api.start("xu")  # li is told
    [note] = api.get("/notifications", "li").get_json()["notifications"]
    error_of(api.post(f"/notifications/{note['id']}/read", "li", json={"read": False}), 400)


def test_a_notice_names_its_sender_with_the_unit_and_lists_filter_by_kind(api: Api) -> None:
    """``actor_name``: 姓名（单位） beside ``actor`` (the user name, kept as it was); ``kind``
    keeps one kind of notice."""
    api.engine.add_user("zhou", ["handler"], unit="浮梁县纪委监委", display_name="周敏")
    _, task_id = api.to_handling()
    assert api.post(f"/tasks/{task_id}/transfer", "zhao",
                    json={"to": "zhou", "reason": "出差"}).status_code == 200
    body = api.get("/notifications?kind=transferred", "zhou").get_json()
    _valid("NotificationList", body)
    [note] = body["notifications"]
    assert (note["kind"], note["actor"], note["actor_name"]) == (
        "transferred", "zhao", "zhao（浮梁县纪委监委）")  # no display name: the user name
    # a sender without a unit is named as they are; a notice nobody caused names no one
    assert api.post(f"/tasks/{task_id}/send-back", "zhou",
                    json={"reason": "请补充意见"}).status_code == 200
    [back] = api.get("/notifications?kind=sent_back", "wang").get_json()["notifications"]
    assert (back["actor"], back["actor_name"]) == ("zhou", "周敏（浮梁县纪委监委）")
    arrived = api.get("/notifications?kind=task_arrived", "zhao").get_json()["notifications"]
    assert arrived and all(n["kind"] == "task_arrived" and n["actor_name"] is None
                           for n in arrived)
    assert api.get("/notifications?kind=cc", "zhou").get_json()["notifications"] == []
    wrong = error_of(api.get("/notifications?kind=nope", "zhou"), 400)
    assert "nope" in wrong["message"] and set(wrong["details"]) == {"kind"}
