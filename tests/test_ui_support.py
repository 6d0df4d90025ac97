"""Helpers and fixtures for the UI tests (no tests here): an app on a temp SQLite database with
a frozen clock, users in two handler units, and signing in through the real form.

A test module takes the fixtures (``ui_clock``, ``eng``, ``app``, ``designer``) with
``pytest_plugins = ["tests.test_ui_support"]``."""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from web.app import create_app

PASSWORD = "pw-ui-test"
FULIANG = "浮梁县纪委监委"
LEPING = "乐平市纪委监委"
USERS: tuple[tuple[str, list[str], str | None], ...] = (
    ("li", ["intake"], None),
    ("wang", ["approver"], None),
    ("zhao", ["handler"], FULIANG),
    ("qian", ["handler"], LEPING),
    ("sun", ["case_manager"], None),
    ("audit", ["auditor"], None),
    ("design", ["designer"], None),
    ("ent", ["enterprise"], None),
)


@functools.cache
def _template_db() -> Path:
    """Users and the test diagram, made once (scrypt hashing is slow on purpose) and copied
    for each test."""
    folder = Path(tempfile.mkdtemp(prefix="kuaiban-ui-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "template.db"
    engine = Engine(f"sqlite:///{path}", clock=frozen())
    for name, roles, unit in USERS:
        engine.add_user(name, roles, unit=unit, password=PASSWORD, display_name=name)
    engine.deploy(diagram_files("approval.bpmn"))
    engine.close()
    return path


def make_engine(tmp_path: Path, clock: FixedClock) -> Engine:
    path = tmp_path / "ui.db"
    shutil.copyfile(_template_db(), path)
    return Engine(f"sqlite:///{path}", clock=clock)


def make_app(engine: Engine, csrf: bool = False) -> Flask:
    app = create_app(engine, secret_key="test-secret", testing=True)
    app.config["WTF_CSRF_ENABLED"] = csrf
    return app


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.text


def as_user(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def choose_language(client: FlaskClient, code: str = "en", next_page: str = "") -> str | None:
    """Switch the pages' language as the header's button does (a POST with the page's CSRF
    token); the address it goes back to."""
    form = client.get(f"/lang/{code}")
    done = client.post(f"/lang/{code}", data={"csrf_token": csrf_token(form.text),
                                               "next": next_page})
    assert done.status_code == 302, done.status_code
    return done.location


def start_case(engine: Engine, unit: str = FULIANG, summary: str = "拖延办理营业执照",
               by: str = "li") -> int:
    """``by``: the intake clerk who registers it (not told of its first step)."""
    return engine.start("approval", {"summary": summary, "unit": unit}, by).id


def task_of(engine: Engine, user: str, name: str) -> str:
    tasks = [t for t in engine.inbox.for_user(user) if t.name == name]
    assert tasks, f"{user} has no {name} task"
    return tasks[0].id


def transfer(engine: Engine, unit: str = FULIANG) -> int:
    """A case through propose and approve: the handle task waits in ``unit``."""
    instance_id = start_case(engine, unit)
    engine.complete(task_of(engine, "li", "propose"), {"proposal": "转办"}, "li")
    engine.complete(task_of(engine, "wang", "approve"), {"approved": True}, "wang")
    return instance_id


def frozen(iso: str = "2026-09-30T16:00:00+08:00") -> FixedClock:
    return FixedClock(datetime.fromisoformat(iso))


@pytest.fixture
def ui_clock() -> FixedClock:
    return frozen()


@pytest.fixture
def eng(tmp_path: Path, ui_clock: FixedClock) -> Iterator[Engine]:
    engine = make_engine(tmp_path, ui_clock)
    yield engine
    engine.close()


@pytest.fixture
def app(eng: Engine) -> Flask:
    return make_app(eng)


@pytest.fixture
def designer(app: Flask) -> FlaskClient:
    return as_user(app, "design")
