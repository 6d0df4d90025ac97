"""The OpenAPI description of moving running cases to another version (web/api/processes.py
``migrate_instances``), merged into web/api/openapi.py's document."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
_REF = "#/components/schemas/"
_VERSION = {"type": "integer", "minimum": 1, "maximum": 2147483647}

SCHEMAS: dict[str, Any] = {
    "MigrationRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "from_version": {**_VERSION, "description": "only the cases on this version "
                                                        "(default: every other version)"},
            "to_version": {**_VERSION, "description": "the version they move to (default: "
                                                      "the newest)"},
            "dry_run": {"type": "boolean", "description": "change nothing; say which cases "
                                                          "can move and why others cannot"},
        },
    },
    "MigrationOutcome": {
        "type": "object", "additionalProperties": False,
        "required": ["instance_id", "business_key", "from_version", "to_version", "status",
                     "reasons", "changes"],
        "properties": {
            "instance_id": {"type": "integer"},
            "business_key": {"type": ["string", "null"]},
            "from_version": {"type": "integer"}, "to_version": {"type": "integer"},
            "status": {"type": "string",
                       "enum": ["migrated", "can migrate", "cannot migrate", "skipped"]},
            "reasons": {"type": "array", "items": {"type": "string"},
                        "description": "why the case cannot move (or was skipped), in the "
                                       "language of Accept-Language"},
            "changes": {"type": "array", "items": {"type": "string"},
                        "description": "what changes for its open tasks (English)"},
        },
    },
    "MigrationReport": {
        "type": "object", "additionalProperties": False,
        "required": ["key", "to_version", "dry_run", "moved", "refused", "outcomes"],
        "properties": {
            "key": {"type": "string"}, "to_version": {"type": "integer"},
            "dry_run": {"type": "boolean"},
            "moved": {"type": "integer", "description": "cases moved (in a dry run: that "
                                                        "can move)"},
            "refused": {"type": "integer", "description": "cases that cannot move"},
            "outcomes": {"type": "array", "items": {"$ref": _REF + "MigrationOutcome"}},
        },
    },
}


def paths(key: dict[str, Any], errors: Any) -> dict[str, Any]:
    """``errors(*codes)`` gives an operation's error responses."""
    return {"/processes/{key}/migrations": {"post": {
        "summary": "Move running cases to another version", "tags": ["processes"],
        "parameters": [key],
        "description": "Designers only. Each running case moves in its own transaction with "
                       "a `migrated` event in its history (its audit chain goes on); a case "
                       "whose open steps have no counterpart in the target version stays "
                       "where it is, with the reasons. `dry_run` first to see which cases "
                       "can move.",
        "requestBody": {"required": False, "description": "which cases, where to",
                        "content": {JSON: {"schema": {"$ref": _REF + "MigrationRequest"}}}},
        "responses": {"200": {"description": "what happened to each case", "content": {
            JSON: {"schema": {"$ref": _REF + "MigrationReport"}}}},
            **errors(401, 403, 404, 415)},
    }}}
