"""The OpenAPI 3.1 description of /api/v1, written by hand (served as /api/v1/openapi.json and
rendered as /api/v1/docs). tests/test_api.py checks it names exactly the routes the app has and
that real responses match its schemas."""

from __future__ import annotations

from typing import Any

from engine import NOTIFICATION_KINDS
from web.api import openapi_drafts, openapi_migrations, openapi_operations, openapi_stats

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: str, description: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "description": description,
            "content": {JSON: {"schema": _ref(schema)}}}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict[str, Any]:
    """The error responses of an operation; 400 is always among them (every path part and
    query value is checked for text that is not allowed)."""
    return {str(c): {"$ref": f"#/components/responses/{_RESPONSE_NAMES[c]}"}
            for c in sorted({400, *codes})}


_RESPONSE_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                   409: "Conflict", 413: "TooLarge", 415: "UnsupportedMediaType",
                   422: "Unprocessable", 429: "TooManyRequests"}

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_TIME = {"type": "string", "format": "date-time"}
# A required text field: blank (only white space) counts as missing.
_TEXT = {"type": "string", "minLength": 1, "pattern": "\\S"}
_REVISION = {"type": "integer", "description": "The instance revision the caller last saw "
             "(optimistic locking): a stale one is refused with 409."}
_SUBJECT = openapi_stats.SUBJECT

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every error response. `message` is in the request's language "
                       "(Accept-Language: zh or en; without it, the language chosen in the web "
                       "pages' session, else Chinese). `key` and `params` name the engine's "
                       "message, so that a client may word it itself: `key` is stable (for "
                       "example `task.already_claimed` with `params` {\"assignee\": \"li\", "
                       "\"assignee_name\": \"李娜（信访室）\"}: a person is named in "
                       "the text as staff know them, and by username in a param of their own; "
                       "`request.*` keys for requests refused before the engine sees them; `text`, "
                       "with params {\"text\": ...}, for a text given as it is). "
                       "`details` is null, an object of field name to message "
                       "(form and request errors; field errors are Chinese, like the forms), or "
                       "a list of ValidationProblem.",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message", "details", "key", "params"],
            "properties": {
                "code": {"type": "string", "examples": [
                    "bad_request", "missing_token", "invalid_token", "token_expired",
                    "invalid_credentials", "permission_denied", "not_found", "conflict",
                    "invalid_data", "validation_failed", "unsafe_input", "too_many_attempts",
                    "internal_error"]},
                "message": {"type": "string"},
                "key": {"type": "string",
                        "description": "the message's key in the engine's catalogue"},
                "params": {"type": "object",
                           "description": "the values the message names"},
                "details": {"oneOf": [
                    {"type": "null"},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                    {"type": "array", "items": _ref("ValidationProblem")},
                ]},
            },
        }},
    },
    "ValidationProblem": {
        "type": "object",
        "description": "One problem of an uploaded definition file; `message` in the "
                       "request's language, `key` and `params` as in Error.",
        "required": ["file", "line", "element", "message"],
        "properties": {
            "file": {"type": "string"},
            "line": {"type": ["integer", "null"]},
            "element": {"type": ["string", "null"], "description": "the element id"},
            "message": {"type": "string"},
            "key": {"type": "string"},
            "params": {"type": "object"},
            "severity": {"type": "string", "enum": ["error", "warning"]},
        },
    },
    "TokenRequest": {
        "type": "object", "required": ["username", "password"],
        "additionalProperties": False,
        "properties": {"username": {**_TEXT, "maxLength": 64},
                       "password": {**_TEXT, "maxLength": 1024}},
    },
    "LogoutRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"everywhere": {"type": "boolean", "description": "also revoke every "
                                      "other token and browser session of the user"}},
    },
    "SignedOut": {
        "type": "object", "required": ["signed_out", "everywhere"],
        "properties": {"signed_out": {"const": True}, "everywhere": {"type": "boolean"}},
    },
    "Token": {
        "type": "object", "required": ["token", "token_type", "expires_in"],
        "properties": {
            "token": {"type": "string", "description": "send as `Authorization: Bearer TOKEN`"},
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer", "description": "seconds"},
            "username": {"type": "string"},
        },
    },
    "Process": {
        "type": "object", "required": ["key", "version", "name", "start_form_key"],
        "properties": {
            "key": {"type": "string"}, "version": {"type": "integer"},
            "name": {"type": "string"}, "start_form_key": _NULLABLE_STRING,
            "deployed_at": _TIME,
        },
    },
    "Unit": {
        "type": "object",
        "required": ["id", "name", "full_name", "aliases", "kind", "parent", "tags", "fields",
                     "doc_code"],
        "properties": {
            "id": {"type": "string", "description": "stable id (never reused)"},
            "name": {"type": "string", "description": "the name tasks and users carry"},
            "full_name": {"type": "string"},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "kind": {"type": "string",
                     "description": "行政区, 纪委监委, 内设机构, 派驻机构, 人民政府, 市直部门, "
                                    "县直部门, 园区管委会 ..."},
            "parent": _NULLABLE_STRING,
            "tags": {"type": "array", "items": {"type": "string"},
                     "description": "the lists it is on: 市直各单位, 县区, 园区 ..."},
            "fields": {"type": "array", "items": {"type": "string"},
                       "description": "a 行业主管部门's fields"},
            "doc_code": {"type": "string",
                         "description": "the 发文代字 its official documents are numbered "
                                        "under (浮纪: 浮纪交〔2026〕1号); empty for none"},
        },
    },
    "Policy": {
        "description": "One policy of the 惠企政策清单 (processes/policy_catalogue.dmn).",
        "type": "object",
        "required": ["policy_id", "policy_name", "policy_basis", "eligible_subjects",
                     "policy_mode", "time_limit_days", "owning_dept", "amount_rule"],
        "properties": {
            "policy_id": {"type": "string", "description": "the number a form's "
                          "`x-policy` field takes"},
            "policy_name": {"type": "string"},
            "policy_basis": {"type": "string", "description": "设立依据"},
            "eligible_subjects": {"type": "string", "description": "享受对象"},
            "policy_mode": {"type": "string", "enum": ["免申即享", "即申即享", "承诺兑现"],
                            "description": "兑现方式: which procedure handles it"},
            "time_limit_days": {"type": "integer", "description": "规定时限 in working days"},
            "owning_dept": {"type": "string", "description": "政策主管部门"},
            "amount_rule": {"type": "string", "description": "兑现标准"},
        },
    },
    "PolicyList": {
        "type": "object", "required": ["policies"],
        "properties": {"policies": {"type": "array", "items": _ref("Policy")}},
    },
    "UnitList": {
        "type": "object", "required": ["units"],
        "properties": {"units": {"type": "array", "items": _ref("Unit")}},
    },
    "ProcessList": {
        "type": "object", "required": ["processes"],
        "properties": {"processes": {"type": "array", "items": _ref("Process")}},
    },
    "Upload": {
        "type": "object", "required": ["files"],
        "properties": {"files": {
            "type": "array", "minItems": 1, "items": {"type": "string", "contentMediaType":
                                       "application/octet-stream"},
            "description": "BPMN (.bpmn), DMN (.dmn) and form (.json) files, UTF-8",
        }},
    },
    "Deployment": {
        "type": "object", "required": ["versions"],
        "properties": {"versions": {"type": "array", "items": {
            "type": "object", "required": ["key", "version", "created"],
            "properties": {
                "key": {"type": "string"}, "version": {"type": "integer"},
                "created": {"type": "boolean",
                            "description": "false when identical content was already deployed"},
            },
        }}},
    },
    "StartRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "data": {"type": "object", "description": "checked against the start form"},
            "business_key": {"type": "string", "maxLength": 64, "description":
                             "a key for the case, only for a process that does not number "
                             "its cases (one with a case prefix refuses it: 422); unique "
                             "within the process (409)"},
        },
    },
    "BatchRequest": {
        "type": "object", "additionalProperties": False, "required": ["rows"],
        "properties": {
            "rows": {"type": "array", "minItems": 1, "maxItems": 10000,
                     "items": {"type": "object"},
                     "description": "one object per case: its start form's data"},
            "batch_id": {"type": "string", "maxLength": 128, "description":
                         "names the batch for good: row N is keyed by the process, this id "
                         "and N, and a row whose key has a case already is not started again"},
            "skip_invalid": {"type": "boolean", "description":
                             "start the good rows even when some are bad (default: none "
                             "starts while any row is bad, 422)"},
        },
    },
    "BatchReport": {
        "type": "object",
        "required": ["process_key", "rows", "started", "already_started", "invalid",
                     "refused", "stopped"],
        "properties": {
            "process_key": {"type": "string"}, "rows": {"type": "integer"},
            "started": {"type": "array", "items": _ref("BatchStarted")},
            "already_started": {"type": "array", "items": _ref("BatchStarted"),
                                "description": "rows of an earlier call with the same batch_id"},
            "invalid": {"type": "array", "items": _ref("BatchProblem")},
            "refused": {"type": "boolean"},
            "stopped": {"type": "boolean", "description":
                        "a row failed while starting: the rows after it did not start; send "
                        "the same batch again to go on"},
        },
    },
    "BatchStarted": {
        "type": "object", "required": ["line", "id", "business_key"],
        "properties": {"line": {"type": "integer", "description": "the row's number, from 1"},
                       "id": {"type": "integer"},
                       "business_key": {"type": ["string", "null"]}},
    },
    "BatchProblem": {
        "type": "object", "required": ["line", "message", "fields"],
        "properties": {"line": {"type": "integer"}, "message": {"type": "string"},
                       "fields": {"type": "object",
                                  "additionalProperties": {"type": "string"}}},
    },
    "Task": {
        "type": "object",
        "description": "A user task. Times are ISO 8601 with the +08:00 offset.",
        "required": ["id", "instance_id", "process_key", "business_key", "name", "title",
                     "role", "unit", "assignee", "status", "created_at", "due_at", "overdue",
                     "form_key"],
        "properties": {
            "id": {"type": "string"},
            "instance_id": {"type": "integer"},
            "process_key": {"type": "string"},
            "business_key": {**_NULLABLE_STRING, "description": "the case number"},
            "name": {"type": "string", "description": "the BPMN element id"},
            "title": {"type": "string", "description": "the task's (Chinese) name"},
            "role": _NULLABLE_STRING,
            "unit": _NULLABLE_STRING,
            "assignee": _NULLABLE_STRING,
            "status": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
            "created_at": _TIME,
            "due_at": _NULLABLE_TIME,
            "overdue": {"type": "boolean"},
            "form_key": _NULLABLE_STRING,
            "completed_at": _NULLABLE_TIME,
            "completed_by": _NULLABLE_STRING,
            "owner": {**_NULLABLE_STRING, "description": "whom a delegated or co-signed task "
                                                         "returns to"},
            "signers": {"type": "array", "items": {"type": "string"},
                        "description": "co-signers still to sign after the assignee"},
            "urged_count": {"type": "integer", "description": "times the task was urged"},
            "urged_at": _NULLABLE_TIME,
            "returned_by": {**_NULLABLE_STRING, "description": "who sent the task back to be "
                                                               "done again (退回)"},
            "subject": _SUBJECT,
        },
    },
    "TaskDetail": {
        "description": "A task with its form and the data of its instance.",
        "allOf": [_ref("Task"), {
            "type": "object", "required": ["form", "data", "revision"],
            "properties": {
                "form": {"type": ["object", "null"], "description": "the task's form: a JSON "
                         "Schema (draft 2020-12) of the version the instance runs on"},
                "data": {"type": "object"},
                "revision": _REVISION,
            },
        }],
    },
    "TaskList": {
        "type": "object", "required": ["tasks"],
        "properties": {
            "tasks": {"type": "array", "items": _ref("Task"), "description": "with done=true: "
                      "what the caller did to tasks, newest first: each task as it stands now "
                      "with `action` (the history's event: completed, sent_back, withdrawn, "
                      "transferred, delegated, resolved, signer_added, signed), `acted_at` "
                      "and its `case`; a task acted on twice is listed twice"},
            "started": {"type": "array", "items": _ref("CaseState"),
                        "description": "with done=true: the cases the caller started"},
        },
    },
    "Instance": {
        "type": "object",
        "required": ["id", "process_key", "version", "business_key", "status", "revision",
                     "data", "created_at", "updated_at", "tasks"],
        "properties": {
            "id": {"type": "integer"},
            "process_key": {"type": "string"},
            "version": {"type": "integer", "description": "the process version it runs on"},
            "business_key": _NULLABLE_STRING,
            "status": {"type": "string",
                       "enum": ["running", "completed", "cancelled", "error"]},
            "revision": {"type": "integer"},
            "data": {"type": "object"},
            "created_at": _TIME,
            "updated_at": _TIME,
            "tasks": {"type": "array", "items": _ref("Task"), "description": "open tasks"},
            "subject": _SUBJECT,
            "urged": {"type": "object",
                      "additionalProperties": {"type": "array", "items": {"type": "string"}},
                      "description": "a completion's ticked boxes that urge (x-urges): field "
                                     "-> the ids of the open tasks urged (empty: none was "
                                     "open to urge)"},
        },
    },
    "RevisionRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"revision": _REVISION},
    },
    "CompleteRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"data": {"type": "object", "description": "checked against the form"},
                       "revision": _REVISION},
    },
    "MessageRequest": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {
            "name": {**_TEXT, "maxLength": 128, "description": "the BPMN message name"},
            "correlation": {"type": "object", "description":
                            '`{"business_key": "<text, at most 64>"}` and plain data values '
                            "to match"},
            "data": {"type": "object", "description": "merged into the receiving case's "
                     "data; only the fields of the form the catching event declares "
                     "(message_form; a message start event: else the start form; no form: "
                     "no data), never case_no or source_case_no"},
        },
    },
    "MessageResult": {
        "type": "object", "required": ["name", "instances"],
        "properties": {"name": {"type": "string"},
                       "instances": {"type": "array", "items": {"type": "integer"},
                                     "description": "instances that received it or started"}},
    },
    "Event": {
        "type": "object",
        "required": ["seq", "type", "task_id", "payload", "user", "at", "state_digest", "hash"],
        "properties": {
            "seq": {"type": "integer"}, "type": {"type": "string"},
            "task_id": _NULLABLE_STRING, "payload": {"type": "object"},
            "user": _NULLABLE_STRING, "at": _TIME,
            "state_digest": {"type": "string"},
            "hash": {"type": "string", "description": "sha256(prev_hash + canonical event)"},
        },
    },
    "RelatedCases": {
        "type": "object", "required": ["instance_id", "related"],
        "properties": {
            "instance_id": {"type": "integer"},
            "related": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "process_key", "process", "business_key", "status",
                             "created_at", "steps", "subject"],
                "properties": {
                    "id": {"type": "integer"}, "process_key": {"type": "string"},
                    "process": {"type": "string", "description": "the procedure's name"},
                    "business_key": {"type": "string"}, "status": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "steps": {"type": "array", "items": {"type": "string"},
                              "description": "its open steps, by name"},
                    "subject": _SUBJECT}}}},
    },
    "History": {
        "type": "object", "required": ["instance_id", "events"],
        "properties": {"instance_id": {"type": "integer"},
                       "events": {"type": "array", "items": _ref("Event")}},
    },
    "Attachment": {
        "type": "object",
        "description": "A file of a case: from a form's file field (`field`), attached to the "
                       "case (`field` null), or an official document the engine issued "
                       "(`document` names its template, `doc_no` is its 文号).",
        "required": ["id", "instance_id", "seq", "sha256", "name", "size", "media_type",
                     "field", "task_id", "document", "doc_no", "uploaded_by", "uploaded_at",
                     "url"],
        "properties": {
            "id": {"type": "integer"}, "instance_id": {"type": "integer"},
            "seq": {"type": "integer", "description": "the event that recorded the file"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "name": {"type": "string", "description": "sanitized; its extension fits the "
                     "content"},
            "size": {"type": "integer", "description": "bytes"},
            "media_type": {"type": "string", "description": "as checked on the content"},
            "field": _NULLABLE_STRING, "task_id": _NULLABLE_STRING,
            "document": _NULLABLE_STRING, "doc_no": _NULLABLE_STRING,
            "uploaded_by": _NULLABLE_STRING, "uploaded_at": _TIME,
            "url": {"type": "string", "description": "where to download it"},
        },
    },
    "AttachmentList": {
        "type": "object", "required": ["instance_id", "attachments"],
        "properties": {"instance_id": {"type": "integer"},
                       "attachments": {"type": "array", "items": _ref("Attachment")}},
    },
    "AttachmentUpload": {
        "type": "object", "required": ["files"], "additionalProperties": False,
        "properties": {"files": {
            "type": "array", "minItems": 1,
            "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            "description": "one part per file: PDF, PNG/JPEG/GIF/WebP, Office (OOXML or "
                           "legacy) or zip, checked on the content; size limits per file and "
                           "per case (docs/operations.md)"}},
    },
    "DocumentRequest": {
        "type": "object", "required": ["template"], "additionalProperties": False,
        "properties": {
            "template": {**_TEXT, "maxLength": 64, "description": "the template's key in "
                         "processes/documents/documents.json, e.g. jiaoban_han"},
            "revision": _REVISION,
        },
    },
    "DocumentResult": {
        "type": "object", "required": ["instance_id", "document"],
        "properties": {"instance_id": {"type": "integer"}, "document": _ref("Attachment")},
    },
    "CompleteMultipart": {
        "type": "object",
        "description": "Completing a task with files: a text part `data` (the form data as a "
                       "JSON object; a file field may list sha256s of files the case has "
                       "already), an optional text part `revision`, and one file part per "
                       "file, named by the form's file field (several parts of one name for "
                       "several files). The files are appended to their field's list.",
        "properties": {
            "data": {"type": "string", "contentMediaType": "application/json"},
            "revision": {"type": "string", "pattern": "^[0-9]{1,10}$"},
        },
    },
    "StartMultipart": {
        "type": "object",
        "description": "Starting with files: text parts `data` (JSON object) and "
                       "`business_key`, and one file part per file, named by the start "
                       "form's file field.",
        "properties": {
            "data": {"type": "string", "contentMediaType": "application/json"},
            "business_key": {"type": "string", "maxLength": 64},
        },
    },
    "ReplayResult": {
        "type": "object", "required": ["ok", "events", "diverged_at"],
        "properties": {
            "ok": {"type": "boolean", "description": "history and stored state agree"},
            "events": {"type": "integer", "description": "events replayed"},
            "diverged_at": {"type": ["integer", "null"],
                            "description": "seq of the first event that diverges"},
            "message": {"type": "string"},
        },
    },
    "Notification": {
        "type": "object",
        "description": "One notice to the caller. `text` says it in the request's language "
                       "(Accept-Language, else the chosen one; Chinese by default); `message` "
                       "names it in the messages' catalogue, for a client that says it in its "
                       "own words (null for notices from before the catalogue named them).",
        "required": ["id", "kind", "instance_id", "task_id", "business_key", "title", "text",
                     "message", "actor", "created_at", "read_at", "read", "subject"],
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "kind": {"type": "string", "enum": list(NOTIFICATION_KINDS), "description":
                     "task_arrived: a task arrived in the inbox; due_tomorrow, due_today, "
                     "overdue: reminders; urged, cc, sent_back, transferred, delegated: case "
                     "operations; decided: the caller's application was decided; "
                     "supplement: it was sent back for supplements (补正通知)"},
            "instance_id": {"type": ["integer", "null"], "description": "the case; for a "
                            "免申即享 payout's notice (notice.paid) the batch, whose case the "
                            "enterprise does not read: its own payout is "
                            "/applications/payouts/{id}"},
            "task_id": _NULLABLE_STRING,
            "business_key": {**_NULLABLE_STRING, "description": "the case number"},
            "title": {"type": "string", "description": "the task's or the procedure's name"},
            "text": {"type": "string"},
            "message": {
                "type": ["object", "null"], "required": ["key", "params"],
                "properties": {
                    "key": {"type": "string", "description": "e.g. notice.task_arrived_due"},
                    "params": {"type": "object", "description":
                               "title, business_key, and per key: due_at (ISO time), by "
                               "(who caused it), reason"},
                },
            },
            "actor": {**_NULLABLE_STRING, "description": "who caused it, if anyone (user "
                      "name)"},
            "actor_name": {**_NULLABLE_STRING, "description": "who caused it as staff see "
                           "them: the name with the unit, 姓名（单位）, where they have one"},
            "created_at": _TIME,
            "read_at": _NULLABLE_TIME,
            "read": {"type": "boolean"},
            "subject": {**_SUBJECT, "description": "its case's subject (事由) while the caller "
                        "may read the case; null otherwise or when it has none"},
        },
    },
    "NotificationList": {
        "type": "object", "required": ["notifications", "unread"],
        "properties": {
            "notifications": {"type": "array", "items": _ref("Notification")},
            "unread": {"type": "integer", "description": "all the caller's unread ones"},
        },
    },
    "CaseState": {
        "type": "object", "description": "A case as it stands now.",
        "required": ["instance_id", "process_key", "process_name", "business_key", "status",
                     "created_at", "updated_at", "open_tasks"],
        "properties": {
            "instance_id": {"type": "integer"},
            "process_key": {"type": "string"},
            "process_name": {"type": "string"},
            "business_key": {**_NULLABLE_STRING, "description": "the case number"},
            "status": {"type": "string",
                       "enum": ["running", "completed", "cancelled", "error"]},
            "created_at": _TIME,
            "updated_at": _TIME,
            "open_tasks": {"type": "array", "items": {"type": "string"},
                           "description": "the titles of its open tasks"},
            "subject": _SUBJECT,
        },
    },
    "Application": {
        "description": "One of the caller's applications (我的申请); for an enterprise also "
                       "each of its items of a 免申即享 batch, which it never applied for "
                       "(`payout` set: of the batch only its number, procedure, policy "
                       "(`subject`) and status are given, no open tasks, `updated_at` when "
                       "its own item last changed).",
        "allOf": [_ref("CaseState"), {
            "type": "object", "required": ["outcome", "refused", "reason", "explanation"],
            "properties": {
                "outcome": {**_NULLABLE_STRING, "description": "what the procedure decided "
                            "(已兑付, 不予兑现, 不予受理 ...); null while undecided"},
                "refused": {"type": "boolean"},
                "reason": {**_NULLABLE_STRING, "description": "why it was refused"},
                "explanation": {**_NULLABLE_STRING,
                                "description": "the policy explanation given with a refusal"},
                "paid_amount": {"type": ["number", "null"],
                                "description": "what was paid (元), once paid"},
                "reduced": {"oneOf": [{
                    "type": "object", "required": ["approved", "requested", "reason"],
                    "properties": {"approved": {"type": "number"},
                                   "requested": {"type": "number"},
                                   "reason": _NULLABLE_STRING}}, {"type": "null"}],
                            "description": "approved for less than applied for (元), with "
                                           "the department's reason (审批意见)"},
                "untrue_commitment": {"oneOf": [{
                    "type": "object", "required": ["credit_dept", "record_no", "listed_on"],
                    "properties": {"credit_dept": {"type": "string"},
                                   "record_no": _NULLABLE_STRING,
                                   "listed_on": _NULLABLE_STRING}}, {"type": "null"}],
                    "description": "承诺兑现 refused because the review found the commitment "
                                   "untrue: the credit department that records it and, once "
                                   "recorded, the 信用记录编号 and date"},
                "supplement": {**_NULLABLE_STRING, "description": "退回补正: the materials "
                               "the department asked for at once, until they are supplied"},
                "payout": {"oneOf": [_ref("OwnPayout"), {"type": "null"}],
                           "description": "免申即享: the caller's own item of a batch"},
            },
        }],
    },
    "OwnPayout": {
        "type": "object",
        "description": "An enterprise's own item of a 免申即享 batch: the item as the policy's "
                       "department confirmed it and its payout; never another enterprise's.",
        "required": ["instance_id", "business_key", "process_key", "process_name",
                     "policy_id", "policy_name", "department", "name", "credit_code",
                     "approved_amount", "status", "confirmed_at", "due_at", "paid_amount",
                     "paid_on", "payment_voucher", "paid_at", "notice_text", "letter"],
        "properties": {
            "instance_id": {"type": "integer", "description": "the batch"},
            "business_key": {**_NULLABLE_STRING, "description": "the batch's number"},
            "process_key": {"type": "string"},
            "process_name": {"type": "string"},
            "policy_id": _NULLABLE_STRING,
            "policy_name": _NULLABLE_STRING,
            "department": {**_NULLABLE_STRING, "description": "the policy's department"},
            "name": {**_NULLABLE_STRING, "description": "the enterprise, as listed"},
            "credit_code": _NULLABLE_STRING,
            "bank_account": _NULLABLE_STRING,
            "eligibility_fact": {**_NULLABLE_STRING, "description": "认定事实"},
            "approved_amount": {"type": ["number", "null"], "description": "核定兑付金额 (元)"},
            "status": {"type": "string", "enum": ["paid", "open", "unpaid"], "description":
                       "paid; open: to be paid; unpaid: the batch ended without paying it"},
            "confirmed_at": {**_TIME, "description": "when the list naming it was confirmed"},
            "due_at": {**_NULLABLE_TIME, "description": "open: by when it is to be paid"},
            "paid_amount": {"type": ["number", "null"], "description": "实际兑付金额 (元)"},
            "paid_on": {**_NULLABLE_STRING, "description": "拨付日期 (YYYY-MM-DD)"},
            "payment_voucher": {**_NULLABLE_STRING, "description": "拨付凭证号"},
            "paid_at": _NULLABLE_TIME,
            "notice_text": {**_NULLABLE_STRING,
                            "description": "what the department wrote to the enterprise"},
            "letter": {
                "type": ["object", "null"], "description": "its 兑付通知书, once paid",
                "required": ["doc_no", "name", "sha256", "issued_at", "url"],
                "properties": {"doc_no": _NULLABLE_STRING, "name": {"type": "string"},
                               "sha256": {"type": "string"}, "issued_at": _TIME,
                               "url": {"type": "string", "description": "where to fetch it"}},
            },
        },
    },
    "OwnPayoutList": {
        "type": "object", "required": ["instance_id", "payouts"],
        "properties": {"instance_id": {"type": "integer"},
                       "payouts": {"type": "array", "minItems": 1,
                                   "items": _ref("OwnPayout")}},
    },
    "ApplicationList": {
        "type": "object", "required": ["applications"],
        "properties": {"applications": {"type": "array", "items": _ref("Application")}},
    },
    "SearchHit": {
        "type": "object",
        "required": ["instance_id", "process_key", "process_name", "business_key", "status",
                     "updated_at", "snippet", "highlight"],
        "properties": {
            "instance_id": {"type": "integer"},
            "process_key": {"type": "string"},
            "process_name": {"type": "string"},
            "business_key": _NULLABLE_STRING,
            "status": {"type": "string"},
            "updated_at": _TIME,
            "subject": _SUBJECT,
            "snippet": {"type": "string", "description": "an excerpt of the case's text"},
            "highlight": {"type": "string", "description": "the excerpt as HTML: escaped, "
                          "each match in <mark>"},
        },
    },
    "SearchResult": {
        "type": "object", "required": ["query", "partial", "more", "results"],
        "properties": {
            "query": {"type": "string"},
            "partial": {"type": "boolean", "description": "true when the query had only words "
                        "shorter than 3 characters and only the newest 100,000 cases were "
                        "searched"},
            "more": {"type": "boolean", "description": "true when more than 500 readable "
                     "cases matched: the newest 500 were ranked; add a word to narrow"},
            "results": {"type": "array", "items": _ref("SearchHit")},
        },
    },
}

RESPONSES: dict[str, Any] = {
    name: {"description": text, "content": {JSON: {"schema": _ref("Error")}}}
    for name, text in (
        ("BadRequest", "Malformed request: not JSON, wrong types, unknown or missing fields, "
                       "text that is not allowed (details: field → message)."),
        ("Unauthorized", "No token, or a bad or expired one."),
        ("Forbidden", "The caller's role or unit does not allow this."),
        ("NotFound", "No such process, instance, task or endpoint; also a case (or a task of "
                     "one) the caller has no part in, answered exactly as one that does not "
                     "exist."),
        ("Conflict", "Someone acted first: a stale revision, or a task already completed "
                     "or claimed."),
        ("TooLarge", "The request body is larger than the server accepts."),
        ("UnsupportedMediaType", "The body is not application/json."),
        ("Unprocessable", "The data fails the form (details: field → message), or uploaded "
                          "files fail validation (details: list of ValidationProblem)."),
        ("TooManyRequests", "Too many failed sign-ins for this user name or from this "
                            "address: wait the seconds the Retry-After header gives."),
    )
}
RESPONSES["TooManyRequests"]["headers"] = {"Retry-After": {
    "schema": {"type": "integer"}, "description": "seconds to wait"}}

_TASK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "task id"}
_INSTANCE_ID = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647},
                "description": "instance id"}
_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "process key (the BPMN process id)"}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _task_command(summary: str, body: str, description: str,
                  multipart: str | None = None) -> dict[str, Any]:
    request = _body(body, "optional", required=False)
    if multipart is not None:
        request["content"]["multipart/form-data"] = {"schema": _ref(multipart)}
    return {"post": {
        "summary": summary, "description": description, "tags": ["tasks"],
        "parameters": [_TASK_ID],
        "requestBody": request,
        "responses": {"200": _ok("Instance", "the instance after the command"),
                      **_errors(400, 401, 403, 404, 409, 415, 422)},
    }}


PATHS: dict[str, Any] = {
    "/auth/token": {"post": {
        "summary": "Get a bearer token", "tags": ["auth"], "security": [],
        "description": "Exchange a user name and password for a signed token that expires. "
                       "5 failures for one user name, or 20 from one address, within 15 "
                       "minutes lock it for 15 minutes: 429 with Retry-After.",
        "requestBody": _body("TokenRequest", "credentials"),
        "responses": {"200": _ok("Token", "a token"), **_errors(400, 401, 415, 429)},
    }},
    "/auth/logout": {"post": {
        "summary": "Revoke the bearer token", "tags": ["auth"],
        "description": "The token sent with this call stops working at once; with "
                       '`{"everywhere": true}` every other token and browser session of the '
                       "user too (as after a password change).",
        "requestBody": _body("LogoutRequest", "optional", required=False),
        "responses": {"200": _ok("SignedOut", "signed out"), **_errors(400, 401, 415)},
    }},
    "/units": {"get": {
        "summary": "The unit directory", "tags": ["units"],
        "description": "Every unit in the directory's order (any signed-in user). A form "
                       "field with `x-org-unit` takes a unit's id or any of its names (with "
                       "`within: case_area`, one of the task's county-level area); a field "
                       "with `x-user` takes a user's username, or a name that names exactly "
                       "one of the users it offers.",
        "parameters": [_query("kind", "only units of this kind"),
                       _query("tag", "only units with this tag"),
                       _query("q", "only units with a name containing this text")],
        "responses": {"200": _ok("UnitList", "units"), **_errors(401)},
    }},
    "/policies": {"get": {
        "summary": "The 惠企政策清单", "tags": ["units"],
        "description": "The deployed policy catalogue in its order (any signed-in user): each "
                       "policy's mode, conditions and time limit. A start form's `x-policy` "
                       "field takes a `policy_id` of the mode its procedure handles.",
        "parameters": [_query("q", "only policies whose number, name, mode, department or "
                              "eligible subjects contain this text"),
                       _query("mode", "only policies of this mode",
                              type="string", enum=["免申即享", "即申即享", "承诺兑现"])],
        "responses": {"200": _ok("PolicyList", "policies"), **_errors(400, 401)},
    }},
    "/processes": {
        "get": {
            "summary": "Deployed processes", "tags": ["processes"],
            "description": "The latest version of every deployed process.",
            "responses": {"200": _ok("ProcessList", "processes"), **_errors(401)},
        },
        "post": {
            "summary": "Upload and deploy definition files", "tags": ["processes"],
            "description": "Designers only. Validates every file (XSD, lanes are roles, forms, "
                           "expressions, timers, safe XML: no DTDs or entities) and deploys; "
                           "every problem is listed with file, line and element.",
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": _ref("Upload")}}},
            "responses": {"201": _ok("Deployment", "deployed versions"),
                          **_errors(400, 401, 403, 413, 422)},
        },
    },
    "/processes/{key}/instances": {"post": {
        "summary": "Start an instance", "tags": ["processes"], "parameters": [_KEY],
        "description": "Needs the role of the start event's lane. With files for the start "
                       "form's file fields: multipart/form-data (StartMultipart). A field "
                       "whose value follows who starts the case (the form's x-starter, such "
                       "as 申请渠道) may be left out: an enterprise starting the case itself "
                       "gets its value, staff the one value they may give; any other value "
                       "they may not give is refused (422, the field named in details).",
        "requestBody": {"required": False, "description": "start data", "content": {
            JSON: {"schema": _ref("StartRequest")},
            "multipart/form-data": {"schema": _ref("StartMultipart")}}},
        "responses": {
            "201": {**_ok("Instance", "the new instance"), "headers": {"Location": {
                "schema": {"type": "string"}, "description": "the instance's URL"}}},
            **_errors(400, 401, 403, 404, 409, 415, 422)},
    }},
    "/processes/{key}/instances:batch": {"post": {
        "summary": "Start one instance per row (bulk start)", "tags": ["processes"],
        "parameters": [_KEY],
        "description": "Needs the role of the start event's lane. Every row is checked "
                       "against the start form first; unless skip_invalid, a bad row "
                       "refuses the whole batch (422, details keyed by row number) and "
                       "nothing starts. 201 when cases started, 200 when every row had "
                       "started before (same batch_id).",
        "requestBody": _body("BatchRequest", "the rows"),
        "responses": {"201": _ok("BatchReport", "what started"),
                      "200": _ok("BatchReport", "nothing new to start"),
                      **_errors(401, 403, 404, 409, 415, 422)},
    }},
    "/instances/{id}": {"get": {
        "summary": "One instance", "tags": ["instances"], "parameters": [_INSTANCE_ID],
        "description": "Status, business key, data, open tasks and version; only for users "
                       "with a part in the case.",
        "responses": {"200": _ok("Instance", "the instance"), **_errors(401, 403, 404)},
    }},
    "/instances/{id}/history": {"get": {
        "summary": "An instance's events, in order", "tags": ["instances"],
        "parameters": [_INSTANCE_ID],
        "responses": {"200": _ok("History", "events"), **_errors(401, 403, 404)},
    }},
    "/instances/{id}/related": {"get": {
        "summary": "The other cases under its case number", "tags": ["instances"],
        "parameters": [_INSTANCE_ID],
        "description": "A clue, its ledger copy and its 提级核查 share the clue's case number; "
                       "each is listed only if the caller may read it, oldest first.",
        "responses": {"200": _ok("RelatedCases", "the cases"), **_errors(401, 403, 404)},
    }},
    "/instances/{id}/replay": {"post": {
        "summary": "Replay an instance from its version and events", "tags": ["instances"],
        "parameters": [_INSTANCE_ID],
        "description": "Auditors only. Rebuilds the instance with the clock at each event's "
                       "time and compares the state digest after every event.",
        "responses": {"200": _ok("ReplayResult", "the replay's verdict"),
                      **_errors(401, 403, 404)},
    }},
    "/instances/{id}/attachments": {
        "get": {
            "summary": "A case's files", "tags": ["files"], "parameters": [_INSTANCE_ID],
            "description": "Files of its forms, files attached to the case, and its issued "
                           "documents; for users who may read the case.",
            "responses": {"200": _ok("AttachmentList", "the files"), **_errors(401, 403, 404)},
        },
        "post": {
            "summary": "Attach files to a case (附件)", "tags": ["files"],
            "parameters": [_INSTANCE_ID],
            "description": "For users with a part in the running case (or supervising it): "
                           "one `attached` event naming every file (sha256, name, size, type).",
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": _ref("AttachmentUpload")}}},
            "responses": {"201": _ok("AttachmentList", "the files attached"),
                          **_errors(401, 403, 404, 409, 413, 415, 422)},
        },
    },
    "/attachments/{sha256}": {"get": {
        "summary": "Download a file", "tags": ["files"],
        "parameters": [
            {"name": "sha256", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "the file's sha256"},
            _query("instance", "the case it belongs to (default: the first the caller may "
                   "read)", type="integer", minimum=0, maximum=2147483647)],
        "description": "Only for users who may read a case that has the file (otherwise "
                       "404). Sent as `Content-Disposition: attachment` with the type its "
                       "content was checked to be and `X-Content-Type-Options: nosniff`.",
        "responses": {"200": {"description": "the file", "content": {
            "application/octet-stream": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string"}},
            "image/*": {"schema": {"type": "string"}},
            "application/*": {"schema": {"type": "string"}}}},
            **_errors(401, 404)},
    }},
    "/instances/{id}/documents": {"post": {
        "summary": "Issue an official document", "tags": ["files"],
        "parameters": [_INSTANCE_ID],
        "description": "Fills the template from the case as the caller may see it, numbers "
                       "it (文号, per template prefix and year) and stores it with the case's "
                       "files (a `document` event). For users with a part in the running case.",
        "requestBody": _body("DocumentRequest", "the template"),
        "responses": {"201": _ok("DocumentResult", "the document"),
                      **_errors(401, 403, 404, 409, 415, 422)},
    }},
    "/tasks": {"get": {
        "summary": "The caller's inbox", "tags": ["tasks"],
        "description": "Open tasks the caller may work on: their own, and unclaimed ones of "
                       "their roles in their unit; soonest due first.",
        "parameters": [
            _query("role", "only tasks of this role id"),
            _query("process", "only tasks of this process key"),
            _query("overdue", "true: only overdue tasks; false: only those not overdue",
                   type="boolean"),
            _query("assignee", "me: only tasks the caller has claimed", type="string",
                   enum=["me"]),
            _query("instance", "only tasks of this instance", type="integer", minimum=0,
                   maximum=2147483647),
            _query("done", "true: 已办 instead of the inbox: the tasks the caller acted on "
                   "and the cases they started (no other filter with it)", type="boolean"),
        ],
        "responses": {"200": _ok("TaskList", "tasks"), **_errors(400, 401)},
    }},
    "/applications": {"get": {
        "summary": "The caller's applications (我的申请)", "tags": ["instances"],
        "description": "The cases an enterprise (or the window, for one) started, newest "
                       "first, with the outcome and, when refused, the reason; for an "
                       "enterprise also its items of 免申即享 batches (`payout`).",
        "responses": {"200": _ok("ApplicationList", "applications"),
                      **_errors(401, 403)},
    }},
    "/applications/payouts/{id}": {"get": {
        "summary": "The caller's own payout of a 免申即享 batch", "tags": ["instances"],
        "parameters": [_INSTANCE_ID],
        "description": "For an enterprise whose items the batch has (usually one): each as "
                       "confirmed, with its payout and its 兑付通知书 once paid; never the "
                       "batch's other enterprises. 403 for a user who is no enterprise; 404 "
                       "for a batch without an item of the caller's, as for none at all.",
        "responses": {"200": _ok("OwnPayoutList", "the caller's items of the batch"),
                      **_errors(401, 403, 404)},
    }},
    "/applications/payouts/{id}/letters/{sha256}": {"get": {
        "summary": "The 兑付通知书 of the caller's own payout", "tags": ["files"],
        "parameters": [_INSTANCE_ID, {
            "name": "sha256", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "the letter's sha256 (its `letter` in the payout)"}],
        "description": "The Word document (DOCX), as a download; refused as the payout is.",
        "responses": {"200": {"description": "the letter", "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string"}}}},
            **_errors(401, 403, 404)},
    }},
    "/search": {"get": {
        "summary": "Search cases", "tags": ["instances"],
        "description": "Cases the caller may read whose case number, procedure, enterprise "
                       "or unit names or data contain every word of `q` (substrings, Chinese "
                       "included), best first, with a highlighted excerpt. Confidential "
                       "fields are never searched.",
        "parameters": [
            {**_query("q", "the words, separated by spaces", type="string", minLength=1,
                      maxLength=200), "required": True},
            _query("limit", "at most this many results (default 20)", type="integer",
                   minimum=1, maximum=50),
        ],
        "responses": {"200": _ok("SearchResult", "the cases found"), **_errors(400, 401)},
    }},
    "/tasks/{id}": {"get": {
        "summary": "One task, its form and data", "tags": ["tasks"], "parameters": [_TASK_ID],
        "responses": {"200": _ok("TaskDetail", "the task"), **_errors(401, 403, 404)},
    }},
    "/tasks/{id}/claim": _task_command(
        "Claim a task", "RevisionRequest", "Take the task: it leaves the others' inboxes."),
    "/tasks/{id}/unclaim": _task_command(
        "Unclaim a task", "RevisionRequest", "Give a claimed task back to its role."),
    "/tasks/{id}/complete": _task_command(
        "Complete a task", "CompleteRequest",
        "Submit the form data; 422 lists field errors (a file refused: its field), 409 when "
        "someone acted first. With files: multipart/form-data (CompleteMultipart).",
        multipart="CompleteMultipart"),
    "/messages": {"post": {
        "summary": "Send a message", "tags": ["messages"],
        "description": "Delivered to the one instance waiting for the message whose business "
                       "key (and other correlation values) match: 409 when several match. When "
                       "none waits, a process started by the message is started (a process "
                       "that numbers its cases gives the number; a business key is refused "
                       "there, 422). 404 when nothing receives it. The data is checked like a "
                       "form submission: 422 with the fields at fault.",
        "requestBody": _body("MessageRequest", "the message"),
        "responses": {"200": _ok("MessageResult", "delivered"),
                      **_errors(400, 401, 403, 404, 409, 415, 422)},
    }},
    "/notifications": {"get": {
        "summary": "The caller's notifications", "tags": ["notifications"],
        "description": "Newest first, a page at a time (`before`: the last id of the page "
                       "before), with the count of all unread ones.",
        "parameters": [
            _query("unread", "true: only unread ones", type="boolean"),
            _query("before", "only notifications older than this id", type="integer",
                   minimum=0, maximum=2147483647),
            _query("limit", "at most this many (default 50)", type="integer", minimum=0,
                   maximum=200),
            _query("kind", "only notifications of this kind (400 for another value)",
                   type="string", enum=list(NOTIFICATION_KINDS)),
        ],
        "responses": {"200": _ok("NotificationList", "notifications"), **_errors(400, 401)},
    }},
    "/notifications/{id}/read": {"post": {
        "summary": "Mark a notification read", "tags": ["notifications"],
        "parameters": [{"name": "id", "in": "path", "required": True, "description":
                        "notification id", "schema": {"type": "integer", "minimum": 0,
                                                      "maximum": 2147483647}}],
        "description": "Only the caller's own; another's answers 404 like one that does not "
                       "exist. Marking a read one again changes nothing.",
        "requestBody": {"required": False, "description": "none, or an empty object",
                        "content": {JSON: {"schema": {"type": "object",
                                                      "additionalProperties": False}}}},
        "responses": {"200": _ok("Notification", "the notification"),
                      **_errors(400, 401, 404, 415)},
    }},
    "/openapi.json": {"get": {
        "summary": "This document", "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1",
                              "content": {JSON: {"schema": {"type": "object"}}}}},
    }},
    "/docs": {"get": {
        "summary": "This document as an HTML page", "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "HTML",
                              "content": {"text/html": {"schema": {"type": "string"}}}}},
    }},
}

SCHEMAS.update(openapi_operations.SCHEMAS)
PATHS.update(openapi_operations.paths(_TASK_ID, _INSTANCE_ID, _errors))
SCHEMAS.update(openapi_drafts.SCHEMAS)
PATHS.update(openapi_drafts.paths(_TASK_ID, _errors))
SCHEMAS.update(openapi_migrations.SCHEMAS)
PATHS.update(openapi_migrations.paths(_KEY, _errors))

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Kuaiban (快办) API",
        "version": "1",
        "description": (
            "The HTTP JSON API of the Kuaiban BPMN engine. Get a token at POST /auth/token "
            "and send it as `Authorization: Bearer TOKEN` with every other call. Every error "
            'is `{"error": {"code", "message", "details", "key", "params"}}`, its message in the '
            "language of Accept-Language (zh or en). Permissions (role and unit) are "
            "the engine's: a call the caller may not make answers 403. Text anywhere in a request "
            "(body values and keys, query, path) must be Unicode without control characters "
            "(NUL included; tab and line breaks are fine) or lone surrogates; numbers must be "
            "finite with at most 100 digits; JSON bodies nest at most 32 levels: otherwise "
            "400."),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": n} for n in ("auth", "processes", "instances", "tasks", "messages",
                                   "notifications", "files", "units", "stats", "meta")],
    "paths": PATHS | openapi_stats.PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "itsdangerous signed token",
            "description": "from POST /auth/token; expires (see expires_in)"}},
        "schemas": SCHEMAS | openapi_stats.SCHEMAS,
        "responses": RESPONSES,
    },
}
