"""POST /api/v1/processes/{key}/migrations: designers move a version's running cases to another
version (a dry run first says which can move and, in the caller's language, why the others
cannot); the answer is as the OpenAPI document describes it."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.api import Engine
from engine.definitions.validation import SourceFile
from tests.test_api_helpers import APPROVAL_WORLD, Api, api_of, error_of
from tests.test_ui_versions import AUTOMATIC
from web.api.openapi import OPENAPI

pytestmark = APPROVAL_WORLD


@pytest.fixture
def api(engine: Engine) -> Api:
    return api_of(engine)


def conforms(body: Any) -> None:
    schema = {"$ref": "#/components/schemas/MigrationReport",
              "components": OPENAPI["components"]}
    Draft202012Validator(schema).validate(body)


def two_cases_then_v2(api: Api) -> tuple[int, int]:
    """A case at 提出处置意见 (can move) and one at 审批 (cannot: the system approves in v2)."""
    at_propose = api.start()["id"]
    at_approve = api.start()
    assert api.post(f"/tasks/{at_approve['tasks'][0]['id']}/complete", "li",
                    json={"data": {"proposal": "转办"}}).status_code == 200
    api.engine.deploy([SourceFile("approval.bpmn", AUTOMATIC)], "des")
    return at_propose, at_approve["id"]


def test_a_dry_run_then_the_migration(api: Api) -> None:
    at_propose, at_approve = two_cases_then_v2(api)
    dry = api.client.post("/api/v1/processes/approval/migrations",
                          json={"from_version": 1, "dry_run": True},
                          headers={**api.headers("des"), "Accept-Language": "zh"})
    assert dry.status_code == 200, dry.text
    body = dry.get_json()
    conforms(body)
    assert (body["to_version"], body["dry_run"], body["moved"], body["refused"]) == (
        2, True, 1, 1)
    by_case = {o["instance_id"]: o for o in body["outcomes"]}
    assert by_case[at_approve]["reasons"] == [
        '任务 "approve" (审批)（待办）的类型已改变（user task → script task）']
    assert api.engine.instance(at_propose).version == 1
    done = api.post("/processes/approval/migrations", "des", json={"from_version": 1})
    assert done.status_code == 200
    conforms(done.get_json())
    assert [(o["instance_id"], o["status"]) for o in done.get_json()["outcomes"]] == [
        (at_propose, "migrated"), (at_approve, "cannot migrate")]
    assert api.engine.instance(at_propose).version == 2
    assert api.engine.verify() == (2, [])


def test_only_designers_and_known_versions(api: Api) -> None:
    at_propose, _ = two_cases_then_v2(api)
    for user in ("li", "wang", "sun"):
        refused = api.post("/processes/approval/migrations", user, json={})
        assert error_of(refused, 403)["key"] == "migrate.designer_only"
    assert api.engine.instance(at_propose).version == 1
    error_of(api.post("/processes/approval/migrations", "des", json={"from_version": 7}), 404)
    error_of(api.post("/processes/nothing/migrations", "des", json={}), 404)
    error_of(api.post("/processes/approval/migrations", "des", json={"from_version": 0}), 400)
    error_of(api.post("/processes/approval/migrations", "des", json={"to": 2}), 400)
    error_of(api.post("/processes/approval/migrations", "des",
                      json={"from_version": 2**40}), 400)
