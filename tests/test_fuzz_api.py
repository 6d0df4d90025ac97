"""Fuzzing /api/v1 from its own OpenAPI description (schemathesis, in-process over WSGI).

Every operation of /api/v1/openapi.json gets a fixed number of generated requests, both
schema-valid and schema-violating ones, deterministically (Hypothesis ``derandomize``), sent
with a bearer token of a user holding many roles; the operations on one instance or task are
fuzzed once more on a real instance and a real task. The operations are shared out among a
few tests, each with an app of its own. Every response must:

- not be a 5xx, and carry no stack trace ("Traceback", 'File "');
- when it is an error, be JSON of the error shape
  ``{"error": {"code", "message", "details", "key", "params"}}``;
- match the description: a documented status code, content type and schema.

Text with NUL characters is left out of the generated "valid" data: the API refuses NUL
everywhere (documented in the description), which the schema language cannot say per field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from engine.api import Engine
from tests.test_api_helpers import START, UNIT, make_api

EXAMPLES = 10  # per operation and mode: the whole run stays well under a minute
PARTS = 3  # the operations are fuzzed in parts (every third one), which parallel workers share
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def load_schema(app: Flask) -> Any:
    config = SchemathesisConfig()
    config.projects.default.generation.update(allow_x00=False, codec="utf-8")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def shape_problem(status: int, content_type: str, text: str) -> str | None:
    """What is wrong with a response beyond the description, or None."""
    if status >= 500:
        return f"server error {status}"
    if "Traceback" in text or 'File "' in text:
        return "a stack trace in the body"
    if status < 400:
        return None
    if not content_type.startswith("application/json"):
        return f"an error that is not JSON ({content_type})"
    try:
        body = json.loads(text)
    except ValueError:
        return "an error body that does not parse as JSON"
    if not (isinstance(body, dict) and set(body) == {"error"} and isinstance(body["error"], dict)
            and set(body["error"]) == {"code", "message", "details", "key", "params"}
            and isinstance(body["error"]["code"], str) and body["error"]["code"]
            and isinstance(body["error"]["message"], str) and body["error"]["message"]):
        return f"not the error shape: {text[:200]}"
    return None


def _content_type(headers: Any) -> str:
    value = headers.get("Content-Type") or headers.get("content-type") or ""
    return str(value[0] if isinstance(value, list) and value else value)


def fuzz(strategy: Any, failures: list[str], label: str) -> int:
    """Run ``EXAMPLES`` generated requests; record the first problem. The number of
    requests sent."""
    sent = 0

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        response = case.call()
        sent += 1
        problem = shape_problem(response.status_code, _content_type(response.headers),
                                response.content.decode("utf-8", "replace"))
        if problem is None:
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis' failure group: report it as text
                problem = str(exc)[:800]
        if problem is not None:
            raise AssertionError(f"{label}: {problem}\n{case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable as exc:
        failures.append(f"{label}: no input could be generated ({exc})")
    except AssertionError as exc:
        failures.append(str(exc))
    return sent


def negatable(op: Any) -> bool:
    """Whether a schema-violating request can be made (a body, a query, a typed path part)."""
    return bool(list(op.body) or list(op.query) or any(
        p.definition.get("schema") != {"type": "string"} for p in op.path_parameters))


@pytest.mark.parametrize("part", range(PARTS), ids=lambda n: f"part{n + 1}")
def test_every_operation_survives_generated_input(people: Engine, part: int) -> None:
    api = make_api(people)
    people.add_user("fuzz", ["intake", "approver", "handler", "designer", "auditor"], unit=UNIT)
    token = api.token("fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    instance = api.start("fuzz", START)
    real: dict[str, dict[str, Any]] = {
        "/instances/{id}": {"id": instance["id"]},
        "/tasks/{id}": {"id": instance["tasks"][0]["id"]},
        "/processes/{key}/instances": {"key": "approval"},
    }
    schema = load_schema(api.app)
    failures: list[str] = []
    sent = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13, [op.label for op in operations]
    operations = operations[part::PARTS]
    for op in operations:
        modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * negatable(op)
        for mode in modes:
            sent += fuzz(op.as_strategy(generation_mode=mode, headers=headers), failures,
                         f"{op.label} ({mode.value})")
        for prefix, params in real.items():
            if op.path.startswith(prefix):
                sent += fuzz(op.as_strategy(headers=headers, path_parameters=params),
                             failures, f"{op.label} on a real {next(iter(params))}")
    assert failures == [], "\n\n".join(failures)
    assert sent >= len(operations) * EXAMPLES


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic Zm9vOmJhcg=="},
])
def test_without_a_valid_token_every_operation_answers_401_json(people: Engine,
                                                                headers: dict[str, str]) -> None:
    api = make_api(people)
    schema = load_schema(api.app)
    failures: list[str] = []
    for op in (result.ok() for result in schema.get_all_operations()):
        public = op.definition.raw.get("security") == []
        response = api.client.open("/api/v1" + op.path.replace("{id}", "1")
                                   .replace("{key}", "approval").replace("{sha256}", "0" * 64),
                                   method=op.method.upper(), headers=headers)
        text = response.get_data(as_text=True)
        if public:
            if response.status_code >= 500:
                failures.append(f"{op.label}: {response.status_code}")
            continue
        problem = shape_problem(response.status_code, response.content_type, text)
        if response.status_code != 401 or problem is not None:
            failures.append(f"{op.label}: {response.status_code} {problem or ''}")
        elif "Bearer" not in response.headers.get("WWW-Authenticate", ""):
            failures.append(f"{op.label}: no WWW-Authenticate challenge")
    assert failures == []
