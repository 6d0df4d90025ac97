"""The statistics part of the OpenAPI description (web/api/openapi.py merges it in): the
supervisors' figures, the cases behind a count, and the .xlsx export."""

from __future__ import annotations

from typing import Any

from engine import STATS_SECTIONS

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a case's subject, wherever a case is listed (web/api/openapi.py uses it too)
SUBJECT = {"type": ["string", "null"], "description": "the case's subject (事由), filled in "
           "from its procedure's template (camunda property subject); null when it has none"}

_SECTION_ROLES = ("timeliness (按期办结率 by unit and by procedure): case_manager, style_group, "
                  "supervision_office, reform_group, city_leader; clues (问题线索 by type and "
                  "source): case_manager, style_group, supervision_office, city_leader; "
                  "intermediary (中介服务问题线索 by 中介服务事项, by 问题类别 and by 责任单位: "
                  "declined, closed out, running, overdue, 销号率; the procedure's 按期办结率 by "
                  "unit): data_bureau, case_manager, style_group, supervision_office, "
                  "reform_group, city_leader; legacy (旧账 by type, 化解率 by stage), subsidy "
                  "(payouts): reform_group, city_leader; hotline (12345 好差评, 满意率): "
                  "style_group, supervision_office, city_leader. Other roles: 403. A county's "
                  "supervisors count their county only (a unit outside it: 403). 按期办结率 = "
                  "on_time ÷ (done + overdue_open): a task open past its due time counts "
                  "against it.")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
             422: "Unprocessable"}
    return {str(c): {"$ref": f"#/components/responses/{names[c]}"} for c in sorted(codes)}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


FILTERS = [
    _query("from", "first day of the period (YYYY-MM-DD, Asia/Shanghai)", type="string",
           format="date"),
    _query("to", "last day of the period, included", type="string", format="date"),
    _query("unit", "only this unit and the units below it in the unit directory (any of "
           "its names); tasks by their unit, cases registered there (their jurisdiction) or "
           "with a task that went there, the rule by which supervisors read cases",
           type="string", maxLength=128),
    _query("process", "only this procedure (process key)", type="string", maxLength=128),
]

_NUMBER = {"type": ["number", "null"]}

SCHEMAS: dict[str, Any] = {
    "StatsFigure": {
        "type": "object", "required": ["key", "section", "title", "note", "columns", "rows"],
        "properties": {
            "key": {"type": "string", "description": "the figure, for /stats/cases"},
            "section": {"type": "string", "enum": list(STATS_SECTIONS)},
            "title": {"type": "string"},
            "note": {"type": "string"},
            "columns": {"type": "array", "items": {
                "type": "object", "required": ["key", "title", "kind"],
                "properties": {"key": {"type": "string"}, "title": {"type": "string"},
                               "kind": {"type": "string", "description": "count (of tasks or "
                                        "cases: /stats/cases lists them), rate (percent), "
                                        "amount (yuan) or days (working days on the "
                                        "engine's calendar)",
                                        "enum": ["count", "rate", "amount", "days"]}}}},
            "rows": {"type": "array", "items": {
                "type": "object", "required": ["key", "label", "values"],
                "properties": {"key": {"type": ["string", "null"], "description":
                                       "what the row groups by; null: not given"},
                               "label": {"type": "string"},
                               "values": {"type": "object", "additionalProperties": _NUMBER,
                                          "description": "column key → number"}}}},
        },
    },
    "Stats": {
        "type": "object", "required": ["filter", "sections", "at", "figures"],
        "properties": {
            "filter": {"type": "object", "properties": {
                "from": {"type": ["string", "null"], "format": "date"},
                "to": {"type": ["string", "null"], "format": "date"},
                "unit": {"type": ["string", "null"]},
                "process": {"type": ["string", "null"]}}},
            "sections": {"type": "array", "items": {"type": "string",
                                                    "enum": list(STATS_SECTIONS)}},
            "at": {"type": "string", "format": "date-time", "description": "counted at"},
            "figures": {"type": "array", "items": _ref("StatsFigure")},
        },
    },
    "StatsCases": {
        "type": "object", "required": ["cases"],
        "properties": {"cases": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "process_key", "business_key", "status", "created_at",
                         "updated_at"],
            "properties": {"id": {"type": "integer"}, "process_key": {"type": "string"},
                           "business_key": {"type": ["string", "null"]},
                           "status": {"type": "string"},
                           "created_at": {"type": "string", "format": "date-time"},
                           "updated_at": {"type": "string", "format": "date-time"},
                           "subject": SUBJECT}}},
            "tasks": {"type": "array", "description": (
                "for a count of tasks (按期办结率's columns): the tasks it counts, one each "
                "(a case whose two steps are overdue: two), the last finished or the longest "
                "overdue first"), "items": {
                "type": "object",
                "required": ["id", "instance_id", "process_key", "business_key", "title",
                             "unit", "due_at", "completed_at"],
                "properties": {
                    "id": {"type": "string"}, "instance_id": {"type": "integer"},
                    "process_key": {"type": "string"},
                    "business_key": {"type": ["string", "null"]},
                    "title": {"type": "string", "description": "the step's name"},
                    "unit": {"type": ["string", "null"]},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "completed_at": {"type": ["string", "null"], "format": "date-time",
                                     "description": "null: still open"},
                    "subject": SUBJECT}}},
            "payouts": {"type": "array", "description": (
                "for a count of payouts (兑付笔数, 1个工作日内兑付): the payouts it counts, "
                "one per completed payout task (免申即享: one per enterprise of a batch), "
                "newest first"), "items": {
                "type": "object",
                "required": ["instance_id", "process_key", "business_key", "enterprise",
                             "credit_code", "paid_amount", "paid_on", "completed_at",
                             "task_id"],
                "properties": {
                    "instance_id": {"type": "integer"}, "process_key": {"type": "string"},
                    "business_key": {"type": ["string", "null"]},
                    "enterprise": {"type": ["string", "null"]},
                    "credit_code": {"type": ["string", "null"]},
                    "paid_amount": {"type": ["number", "null"],
                                    "description": "实际兑付金额, yuan"},
                    "paid_on": {"type": ["string", "null"], "description": "拨付日期"},
                    "completed_at": {"type": ["string", "null"], "format": "date-time"},
                    "task_id": {"type": "string"}}}}},
    },
}

PATHS: dict[str, Any] = {
    "/stats": {"get": {
        "summary": "Supervisors' statistics", "tags": ["stats"], "parameters": FILTERS,
        "description": "The figures of every section the caller's roles see: "
                       + _SECTION_ROLES + " Tasks count when they have a due date: finished "
                       "in the period (on time: at or before the due time the engine set on "
                       "the working-day calendar), or due in the period and still open past it."
                       " Cases count by the day they were registered.",
        "responses": {"200": {"description": "figures",
                              "content": {JSON: {"schema": _ref("Stats")}}},
                      **_errors(400, 401, 403, 422)},
    }},
    "/stats/{section}": {"get": {
        "summary": "One section of the statistics", "tags": ["stats"],
        "parameters": [{"name": "section", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": list(STATS_SECTIONS)}},
                       *FILTERS],
        "responses": {"200": {"description": "figures",
                              "content": {JSON: {"schema": _ref("Stats")}}},
                      **_errors(400, 401, 403, 404, 422)},
    }},
    "/stats/cases": {"get": {
        "summary": "The cases behind one count", "tags": ["stats"],
        "description": "Newest first, at most 500. A count of tasks lists the tasks it "
                       "counts too (``tasks``: as many as the count), as a case may have "
                       "several; a count of payouts the payouts it counts (``payouts``), as "
                       "a batch's cases are fewer than its payouts.",
        "parameters": [_query("figure", "the figure's key"),
                       _query("key", "the row's key (empty: the row without one)"),
                       _query("measure", "the column's key"), *FILTERS],
        "responses": {"200": {"description": "cases",
                              "content": {JSON: {"schema": _ref("StatsCases")}}},
                      **_errors(400, 401, 403, 404, 422)},
    }},
    "/stats/export": {"get": {
        "summary": "The statistics as .xlsx", "tags": ["stats"], "parameters": FILTERS,
        "description": "A sheet saying what was counted, then one sheet per figure; numbers "
                       "as number cells, dates as date cells.",
        "responses": {"200": {"description": "the workbook",
                              "content": {XLSX: {"schema": {"type": "string",
                                                            "format": "binary"}}}},
                      **_errors(400, 401, 403, 422)},
    }},
}
