"""The OpenAPI description of the case operations (web/api/operations.py) and of those on a
subsidy application (web/api/applications.py), merged into web/api/openapi.py's document."""

from __future__ import annotations

from typing import Any

from web.api.openapi_stats import SUBJECT

JSON = "application/json"
_REF = "#/components/schemas/"
_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
_REVISION = {"type": "integer", "description": "the instance revision the caller saw; 409 "
                                               "when it changed since"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": properties}


SCHEMAS: dict[str, Any] = {
    "TransferRequest": _object(
        ["reason"], to={"type": "string", "description": "user name (or give to_unit)"},
        to_unit={"type": "string", "description": "the unit whose pool takes the task"},
        reason=_TEXT, revision=_REVISION),
    "HandRequest": _object(
        ["to"], to={"type": "string", "description": "user name"},
        reason={**_TEXT, "minLength": 0}, revision=_REVISION),
    "SignerRequest": _object(
        ["to"], to={"type": "string", "description": "user name"},
        reason={**_TEXT, "minLength": 0}, revision=_REVISION,
        parallel={"type": "boolean", "description": "the co-signers sign at once (default: "
                                                    "one after another)"}),
    "SendBackRequest": _object(
        ["reason"], to={"type": "string", "description": "element id of the earlier step "
                                                        "(default: the previous one)"},
        reason=_TEXT, revision=_REVISION),
    "UrgeRequest": _object([], note={**_TEXT, "minLength": 0}, revision=_REVISION),
    "ReasonRequest": _object(["reason"], reason=_TEXT, revision=_REVISION),
    "CommentRequest": _object(["text"], text={"type": "string", "minLength": 1,
                                              "maxLength": 4000}, revision=_REVISION),
    "SupplementRequest": _object(
        ["items"], items={"type": "string", "minLength": 1, "maxLength": 4000, "description":
                          "every material to supply, told once (一次性告知)"},
        opinion={"type": "string", "maxLength": 4000, "description": "the decision's "
                 "opinion, which the applicant reads"}, revision=_REVISION),
    "ResubmitRequest": _object(
        [], data={"type": "object", "description": "the 补正材料 form's fields, checked "
                  "against it (GET /tasks/{id} of the open step gives the form)"},
        revision=_REVISION),
    "CcRequest": _object([], to={"type": "string", "description": "a user name (or a unit)"},
                         to_unit={"type": "string", "description": "every user of the unit"}),
    "SendBackSteps": _object(["steps"], steps={"type": "array", "items": _object(
        ["element_id", "name"], element_id={"type": "string"}, name={"type": "string"})}),
    "CcResult": _object(["instance_id", "copied_to"], instance_id={"type": "integer"},
                        copied_to={"type": "array", "items": {"type": "string"}}),
    "ReadResult": _object(["instance_id", "marked"], instance_id={"type": "integer"},
                          marked={"type": "integer"}),
    "Copy": _object(
        ["id", "instance_id", "business_key", "process_name", "status", "copied_by", "unit",
         "created_at", "read_at"],
        id={"type": "integer"}, instance_id={"type": "integer"},
        business_key={"type": ["string", "null"]}, process_name={"type": "string"},
        status={"type": "string"}, copied_by={"type": "string"},
        unit={"type": ["string", "null"]}, created_at={"type": "string", "format": "date-time"},
        read_at={"type": ["string", "null"], "format": "date-time"},
        subject=SUBJECT),
    "CopyList": _object(["copies"], copies={"type": "array", "items": {"$ref": _REF + "Copy"}}),
}


def _with_files(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation also takes the form's files, as multipart/form-data."""
    operation["post"]["requestBody"]["content"]["multipart/form-data"] = {
        "schema": {"$ref": _REF + "CompleteMultipart"}}
    return operation


def paths(task_id: dict[str, Any], instance_id: dict[str, Any],
          errors: Any) -> dict[str, Any]:
    """The operations' paths; ``errors(*codes)`` gives an operation's error responses."""

    def command(tag: str, param: dict[str, Any], summary: str, body: str, text: str,
                result: str = "Instance", status: str = "200") -> dict[str, Any]:
        return {"post": {
            "summary": summary, "description": text, "tags": [tag], "parameters": [param],
            "requestBody": {"required": True, "description": "the operation",
                            "content": {JSON: {"schema": {"$ref": _REF + body}}}},
            "responses": {status: {"description": "done", "content": {
                JSON: {"schema": {"$ref": _REF + result}}}},
                **errors(400, 401, 403, 404, 409, 415, 422)},
        }}

    task, case = task_id, instance_id
    return {
        "/tasks/{id}/transfer": command(
            "tasks", task, "转办: transfer a task", "TransferRequest",
            "To another user of the task's role (it is theirs at once) or to the pool of "
            "another unit; 409 when someone else holds it."),
        "/tasks/{id}/delegate": command(
            "tasks", task, "委派: delegate a task", "HandRequest",
            "The user named works the task (their \"complete\" records their part); it then "
            "comes back to the delegator, who completes it."),
        "/tasks/{id}/add-signer": command(
            "tasks", task, "加签: add a co-signer", "SignerRequest",
            "Co-signers sign before the holder completes the step: in the order added, or "
            "all at once (parallel; the holder keeps the task meanwhile)."),
        "/tasks/{id}/send-back": {
            **command("tasks", task, "退回: send a case back", "SendBackRequest",
                      "To an earlier user task on the case's path (the previous one by "
                      "default), which goes to whoever did it. 409 when the step allows no "
                      "send back or has no earlier step; 422 for a step it may not go to."),
            "get": {"summary": "Where a task may be sent back to", "tags": ["tasks"],
                    "parameters": [task], "description": "The default first; empty when the "
                    "step may not be sent back.",
                    "responses": {"200": {"description": "steps", "content": {JSON: {
                        "schema": {"$ref": _REF + "SendBackSteps"}}}},
                        **errors(401, 403, 404)}}},
        "/tasks/{id}/withdraw": command(
            "tasks", task, "撤回: withdraw a completed step", "RevisionRequest",
            "The id is of the task the caller completed; allowed while the steps it led to are "
            "open and untouched."),
        "/tasks/{id}/urge": command(
            "tasks", task, "催办: urge a task's holder", "UrgeRequest",
            "Case management, the supervision office, the reform group and leaders only."),
        "/instances/{id}/cc": command(
            "instances", case, "抄送: copy a case", "CcRequest",
            "To a user or every user of a unit, for information; they may read it from then "
            "on and find it in GET /copies.", result="CcResult"),
        "/instances/{id}/cc/read": command(
            "instances", case, "已阅: mark my copies of a case read", "RevisionRequest",
            "Only the caller's own copies.", result="ReadResult"),
        "/instances/{id}/comments": command(
            "instances", case, "意见: comment on a case", "CommentRequest",
            "In the case's history, for everyone who may read it.", status="201"),
        "/instances/{id}/terminate": command(
            "instances", case, "终止: terminate a case", "ReasonRequest",
            "Status cancelled; its tasks, timers and message subscriptions close. Case "
            "management, the supervision office, the reform group and leaders only."),
        "/instances/{id}/withdraw-application": command(
            "instances", case, "撤回申请: the applicant withdraws its application",
            "ReasonRequest",
            "Who filed the case (for an enterprise: the cases filed with its 统一社会信用代码, "
            "the window's too), with a reason; while every open step is one the procedure "
            "lets the applicant withdraw at (a subsidy's decision steps and its own 补正材料). "
            "Status cancelled. 403 for anyone else, 409 once a department decided."),
        "/tasks/{id}/request-supplement": command(
            "tasks", task, "退回补正: send an application back for supplements",
            "SupplementRequest",
            "The decision step's department (whoever may complete it) lists every material "
            "to supply; the applicant then has the 补正材料 step and is told (notice kind "
            "supplement). 409 when the step offers no 退回补正 or someone else holds it; 422 "
            "without the list."),
        "/instances/{id}/resubmit": _with_files(command(
            "instances", case, "补正后重新提交: the applicant resubmits", "ResubmitRequest",
            "Completes the application's open 补正材料 step; it returns to the department, "
            "whose time limit runs again from now. Files: multipart/form-data as for "
            "/tasks/{id}/complete. 403 for anyone but the applicant, 409 while no supplement "
            "is asked, 422 for field errors.")),
        "/copies": {"get": {
            "summary": "抄送我的: cases copied to the caller", "tags": ["instances"],
            "description": "Newest first, with the read mark.",
            "responses": {"200": {"description": "copies", "content": {JSON: {
                "schema": {"$ref": _REF + "CopyList"}}}}, **errors(401)}}},
    }
