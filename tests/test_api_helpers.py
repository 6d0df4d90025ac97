"""Helpers for the /api/v1 tests (test_api*.py): a client that signs in as any test user.

Tokens for most users are minted with web.tokens (the users of the ``people`` fixture have
no passwords); tests/test_api.py checks POST /auth/token itself.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from engine.api import Engine
from tests.conftest import add_people, diagram_files, seeded
from web import tokens
from web.app import create_app

UNIT = "浮梁县纪委监委"
OTHER_UNIT = "乐平市纪委监委"
START = {"summary": "不作为", "unit": UNIT}


class Api:
    """The Flask test client, with paths relative to /api/v1 and ``user=`` for a token."""

    def __init__(self, app: Flask, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self.client = app.test_client()

    def token(self, user: str) -> str:
        return tokens.issue(self.app.config["SECRET_KEY"], user)

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"} if user else {}

    def get(self, path: str, user: str | None = None, **kw: Any) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self.headers(user), **kw)

    def post(self, path: str, user: str | None = None, **kw: Any) -> TestResponse:
        return self.client.post("/api/v1" + path, headers=self.headers(user), **kw)

    def start(self, user: str = "li", data: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post("/processes/approval/instances", "li" if user is None else user,
                             json={"data": START if data is None else data})
        assert response.status_code == 201, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body

    def only_task(self, user: str) -> dict[str, Any]:
        tasks = self.get("/tasks", user).get_json()["tasks"]
        assert len(tasks) == 1, tasks
        task: dict[str, Any] = tasks[0]
        return task

    def to_handling(self) -> tuple[int, str]:
        """Start a case and walk it to the handler's task in 浮梁县; (instance id, task id)."""
        instance = self.start()
        assert self.post(f"/tasks/{instance['tasks'][0]['id']}/complete", "li",
                         json={"data": {"proposal": "转办"}}).status_code == 200
        approve = self.only_task("wang")["id"]
        assert self.post(f"/tasks/{approve}/complete", "wang",
                         json={"data": {"approved": True}}).status_code == 200
        return instance["id"], self.only_task("zhao")["id"]


def make_api(people: Engine) -> Api:
    """The approval test process deployed; users of ``people`` plus designer "des"."""
    add_designer_and_approval(people)
    return api_of(people)


def add_designer_and_approval(engine: Engine) -> None:
    engine.add_user("des", ["designer"])
    engine.deploy(diagram_files("approval.bpmn"))


def approval_world(engine: Engine) -> None:
    """What ``make_api`` adds to the ``people`` fixture's engine, built on an empty one."""
    add_people(engine)
    add_designer_and_approval(engine)


# A module of tests of ``make_api``'s world marked so has it made once per process.
APPROVAL_WORLD = seeded(approval_world)


def api_of(engine: Engine) -> Api:
    return Api(create_app(engine, secret_key="test", testing=True), engine)


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    """The error object of a JSON error response with ``status``; never a stack trace."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.is_json, text
    assert "Traceback" not in text and 'File "' not in text
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details", "key", "params"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error
