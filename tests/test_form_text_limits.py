"""The shipped forms bound their free texts: a clue's 问题摘要 of 54,000 characters is refused
on the page and by the API, saying the limit, and the page says it before anything is typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from engine.api import Engine
from tests.process_helpers import ROOT, clue_files
from tests.test_api_helpers import error_of, make_api
from tests.test_hostile_input import page_client
from web.app import create_app

FORM = {"channel": "来信来访", "received_at": "2026-09-30T09:00", "anonymous": "true",
        "accused_unit": "某局", "problem_type": "其他", "summary": "拖延", "owner": "li"}
CLUE = {"channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "拖延办理施工许可", "owner": "li"}
TOO_LONG = "拖" * 54_000


@pytest.fixture
def app(people: Engine) -> Flask:
    people.deploy(clue_files())
    flask_app = create_app(people, secret_key="limits", testing=True)
    flask_app.config["WTF_CSRF_ENABLED"] = False
    return flask_app


def test_the_page_says_the_limit_and_refuses_an_over_long_summary(app: Flask,
                                                                  people: Engine) -> None:
    li = page_client(app, "li")
    assert "最多 4000 个字" in li.get("/start/clue_triage").text
    refused = li.post("/start/clue_triage", data={**FORM, "summary": TOO_LONG})
    assert refused.status_code == 422
    assert "最多 4000 个字符" in refused.text
    assert people.instance_ids() == []
    assert li.post("/start/clue_triage", data={**FORM, "summary": "拖" * 4000}).status_code == 302


def test_the_api_refuses_an_over_long_summary_naming_the_field(people: Engine) -> None:
    people.deploy(clue_files())
    api = make_api(people)
    response = api.post("/processes/clue_triage/instances", "li",
                        json={"data": {**CLUE, "summary": TOO_LONG}})
    error = error_of(response, 422)
    assert "最多 4000 个字符" in error["details"]["summary"]
    assert people.instance_ids() == []


def _texts(props: dict[str, object], path: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for name, prop in props.items():
        if not isinstance(prop, dict):
            continue
        if prop.get("type") == "string":
            out.append((f"{path}.{name}", prop))
        nested = prop.get("items") if prop.get("type") == "array" else prop
        if isinstance(nested, dict) and isinstance(nested.get("properties"), dict):
            out.extend(_texts(nested["properties"], f"{path}.{name}"))
    return out


def test_every_free_text_a_shipped_form_asks_for_is_bounded() -> None:
    """A text field one types freely (not a choice, a date, a person, a unit, a policy, a
    file or a read-only copy of an earlier step's answer) says how long it may be."""
    bounded_otherwise = ("enum", "oneOf", "const", "format", "pattern", "readOnly",
                         "x-user", "x-org-unit", "x-policy", "contentMediaType", "x-hidden")
    unbounded = [where for form in sorted(Path(ROOT, "forms").glob("*.json"))
                 for where, prop in _texts(json.loads(form.read_text())["properties"],
                                           form.stem)
                 if "maxLength" not in prop and not any(k in prop for k in bounded_otherwise)]
    assert unbounded == []
