"""/api/v1/tasks/{id}/draft: 暂存 over the API — PUT saves the caller's draft (the form's
checks do not apply, the task stays open), GET reads it back (only the caller's), DELETE
discards it; errors in the API's shape and the request's language."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import TestResponse

from engine.api import Engine
from tests.test_api_helpers import APPROVAL_WORLD, Api, api_of, error_of
from web.api.openapi import OPENAPI

pytestmark = APPROVAL_WORLD


@pytest.fixture
def api(engine: Engine) -> Api:
    return api_of(engine)


def put(api: Api, task_id: str, user: str | None, body: Any, **headers: str) -> TestResponse:
    return api.client.put(f"/api/v1/tasks/{task_id}/draft", json=body,
                          headers={**api.headers(user), **headers})


def delete(api: Api, task_id: str, user: str) -> TestResponse:
    return api.client.delete(f"/api/v1/tasks/{task_id}/draft", headers=api.headers(user))


def to_approval(api: Api) -> tuple[int, str]:
    instance = api.start()
    assert api.post(f"/tasks/{instance['tasks'][0]['id']}/complete", "li",
                    json={"data": {"proposal": "转办"}}).status_code == 200
    return instance["id"], api.only_task("wang")["id"]


def test_put_get_and_delete_a_draft(api: Api) -> None:
    case, approve = to_approval(api)
    revision = api.engine.instance(case).revision
    assert api.get(f"/tasks/{approve}/draft", "wang").get_json() == {"draft": None}
    saved = put(api, approve, "wang", {"data": {"comment": "拟同意", "unknown": 1}})
    assert saved.status_code == 200, saved.text
    draft = {"task_id": approve, "data": {"comment": "拟同意"},
             "saved_at": "2026-09-30T16:00:00+08:00"}
    # a pool task: claimed for wang first (the claim's event and revision), else unchanged
    assert saved.get_json() == {"draft": draft, "claimed": True}
    assert api.get(f"/tasks/{approve}/draft", "wang").get_json() == {"draft": draft}
    assert api.only_task("wang")["assignee"] == "wang"
    assert api.engine.instance(case).revision == revision + 1
    assert api.engine.history(case)[-1].type == "claimed"
    again = put(api, approve, "wang", {"data": {"comment": "拟同意"}})
    assert again.get_json() == {"draft": draft, "claimed": False}
    assert api.engine.instance(case).revision == revision + 1
    assert api.get(f"/tasks/{approve}/draft", "chen").get_json() == {"draft": None}
    gone = delete(api, approve, "wang")
    assert gone.status_code == 204 and gone.get_data() == b""
    assert api.get(f"/tasks/{approve}/draft", "wang").get_json() == {"draft": None}
    assert delete(api, approve, "wang").status_code == 204


def test_the_draft_is_gone_once_the_task_is_completed(api: Api) -> None:
    _, approve = to_approval(api)
    put(api, approve, "wang", {"data": {"comment": "x"}})
    assert api.post(f"/tasks/{approve}/complete", "wang",
                    json={"data": {"approved": True}}).status_code == 200
    assert api.get(f"/tasks/{approve}/draft", "wang").get_json() == {"draft": None}
    error = error_of(put(api, approve, "wang", {"data": {"comment": "x"}}), 409)
    assert error["key"] == "task.already_status"


def test_who_may_save_and_read(api: Api) -> None:
    _, approve = to_approval(api)
    assert error_of(put(api, approve, None, {"data": {}}), 401)["code"]
    error_of(put(api, approve, "qian", {"data": {}}), 404)  # no part in the case
    error_of(api.get(f"/tasks/{approve}/draft", "qian"), 404)
    error_of(delete(api, approve, "qian"), 404)
    assert error_of(put(api, approve, "audit", {"data": {}}), 403)["key"] == "task.role_needed"
    assert api.post(f"/tasks/{approve}/claim", "wang", json={}).status_code == 200
    refused = error_of(put(api, approve, "chen", {"data": {"comment": "x"}}), 409)
    assert refused["key"] == "task.claimed_by"
    assert refused["params"] == {"assignee": "wang", "assignee_name": "wang"}
    error_of(put(api, "no-such-task", "wang", {"data": {}}), 404)


def test_bad_drafts_are_refused_in_the_requests_language(api: Api) -> None:
    _, approve = to_approval(api)
    missing = error_of(put(api, approve, "wang", {}), 400)
    assert set(missing["details"]) == {"data"}
    wrong = error_of(put(api, approve, "wang", {"data": {"approved": [1]}},
                         **{"Accept-Language": "en"}), 422)
    assert wrong["key"] == "draft.refused"
    assert wrong["message"] == ("some fields hold values they cannot hold; the draft was not "
                                "saved")
    chinese = error_of(put(api, approve, "wang", {"data": {"approved": [1]}},
                           **{"Accept-Language": "zh"}), 422)
    assert chinese["message"] == "部分字段的值类型不符，未暂存"
    assert chinese["details"] == {"approved": "此项不能暂存这样的值"}
    # text where a yes or no is due is kept, as typed
    assert put(api, approve, "wang", {"data": {"approved": "再议"}}).status_code == 200


def test_the_openapi_description_has_the_draft() -> None:
    path = OPENAPI["paths"]["/tasks/{id}/draft"]
    assert set(path) == {"get", "put", "delete"}
    assert set(path["delete"]["responses"]) >= {"204", "404"}
    assert {"Draft", "DraftResult", "DraftRequest", "DraftSaved"} <= set(
        OPENAPI["components"]["schemas"])
    saved = path["put"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert saved == {"$ref": "#/components/schemas/DraftSaved"}
