"""The OpenAPI description of 暂存, the caller's draft of a task (web/api/tasks.py
``task_draft``), merged into web/api/openapi.py's document."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
_REF = "#/components/schemas/"

SCHEMAS: dict[str, Any] = {
    "Draft": {
        "type": "object", "additionalProperties": False,
        "required": ["task_id", "data", "saved_at"],
        "description": "What the caller saved of the task's form to finish later: the form's "
                       "own fields as saved (no files), private to them.",
        "properties": {
            "task_id": {"type": "string"},
            "data": {"type": "object"},
            "saved_at": {"type": "string", "format": "date-time"},
        },
    },
    "DraftResult": {
        "type": "object", "additionalProperties": False, "required": ["draft"],
        "properties": {"draft": {"oneOf": [{"$ref": _REF + "Draft"}, {"type": "null"}],
                                 "description": "null: the caller has no draft of the task"}},
    },
    "DraftSaved": {
        "type": "object", "additionalProperties": False, "required": ["draft", "claimed"],
        "properties": {"draft": {"$ref": _REF + "Draft"},
                       "claimed": {"type": "boolean",
                                   "description": "true: the task was in the pool and saving "
                                                  "claimed it for the caller (a 认领 event)"}},
    },
    "DraftRequest": {
        "type": "object", "additionalProperties": False, "required": ["data"],
        "properties": {"data": {
            "type": "object",
            "description": "the form's fields as typed so far: the form's checks do not apply "
                           "(required fields may be missing); each value is text or of its "
                           "field's JSON type (422 names the fields that are neither); "
                           "unknown keys, file fields and nulls are dropped (\"\" keeps a "
                           "field cleared, shown empty rather than as the form's default); at "
                           "most the case-size limit"}},
    },
}


def paths(task_id: dict[str, Any], errors: Any) -> dict[str, Any]:
    """``errors(*codes)`` gives an operation's error responses."""
    found = {"description": "the caller's draft, or null", "content": {
        JSON: {"schema": {"$ref": _REF + "DraftResult"}}}}
    return {"/tasks/{id}/draft": {
        "get": {
            "summary": "暂存: the caller's draft of a task", "tags": ["tasks"],
            "parameters": [task_id],
            "description": "Of a task the caller may see. Only the caller's own draft; none "
                           "once the task is not theirs to complete (completed, cancelled, "
                           "claimed by someone else, transferred, delegated).",
            "responses": {"200": found, **errors(401, 403, 404)},
        },
        "put": {
            "summary": "暂存: save a draft of a task", "tags": ["tasks"],
            "parameters": [task_id],
            "description": "Only whoever may complete the task now (403, or 404 for a case "
                           "the caller has no part in; 409 when someone else holds it or it "
                           "is no longer open). A task still in the pool is claimed for the "
                           "caller first, as by the claim operation (its rules and its event; "
                           "403 for whoever may not claim it), so no colleague takes it "
                           "meanwhile. Replaces the caller's draft before. The task is not "
                           "completed, the case's data not changed (no event but the claim); "
                           "the draft is deleted when the task is completed or cancelled or "
                           "leaves the caller.",
            "requestBody": {"required": True, "description": "the draft",
                            "content": {JSON: {"schema": {"$ref": _REF + "DraftRequest"}}}},
            "responses": {"200": {"description": "the draft saved", "content": {
                JSON: {"schema": {"$ref": _REF + "DraftSaved"}}}},
                **errors(400, 401, 403, 404, 409, 415, 422)},
        },
        "delete": {
            "summary": "放弃暂存: discard the caller's draft of a task", "tags": ["tasks"],
            "parameters": [task_id],
            "description": "Of a task the caller may see; 204 whether there was one or not.",
            "responses": {"204": {"description": "no draft any more"},
                          **errors(401, 403, 404)},
        },
    }}
