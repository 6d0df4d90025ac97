"""JSON Schema forms (draft 2020-12): check a form document, validate submitted data.

Field errors come back as messages keyed by field name, for the task page to show beside
each field in the reader's language (Chinese, the forms' language, by default).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaViolation

from engine.definitions import (
    acknowledgements,
    case_refs,
    catalogue_items,
    form_urges,
    policies,
    prefills,
    redo,
    starters,
)
from engine.definitions.form_checks import CheckContext, check_errors, check_problems
from engine.errors import InvalidData
from engine.files.fields import check_file_fields
from engine.messages import Msg, as_msg, msg
from engine.org import credit_code, people, phrases, pickers
from engine.org.roles import BY_ID

_formats = FormatChecker(formats=())


# RFC 3339 as JSON Schema means it: 2026-09-30, 2026-09-30T16:00:00+08:00 (seconds optional,
# a UTC offset required); Python's fromisoformat alone would also take 20260930 or 2026-W40-3
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})"
)


@_formats.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).tzinfo is not None


@_formats.checks("credit-code", raises=ValueError)
def _is_credit_code(value: object) -> bool:
    return not isinstance(value, str) or credit_code.is_valid(value)


_TYPE_NAMES = ("string", "integer", "number", "boolean", "array", "object")  # field.kind.*
_FORMAT_MESSAGES = {"date": msg("field.date_format"), "date-time": msg("field.date_time_format")}
# Keywords that bound a value, and what a value out of bounds is told
_LIMITS = {"minLength": "field.min_length", "maxLength": "field.max_length",
           "minimum": "field.minimum", "maximum": "field.maximum",
           "exclusiveMinimum": "field.exclusive_minimum",
           "exclusiveMaximum": "field.exclusive_maximum",
           "minItems": "field.min_items", "maxItems": "field.max_items"}
_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_FORMATS = ("date", "date-time", "credit-code")


@dataclass(frozen=True)
class FormProblem:
    """One problem with a form document, at ``line`` of its text when it has a place."""

    line: int | None
    problem: Msg

    @property
    def said(self) -> Msg:
        return msg("form.problem_at_line", line=self.line, problem=self.problem) \
            if self.line else self.problem

    def __str__(self) -> str:
        return self.said.english


def check_form(text: str) -> list[FormProblem]:
    """Problems with a form document (empty when it is a valid form)."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return [FormProblem(exc.lineno, msg("form.json_invalid", error=exc.msg,
                                            column=exc.colno))]
    if not isinstance(schema, dict):
        return [FormProblem(None, msg("form.not_object"))]
    problems: list[FormProblem] = []

    def add(line: int | None, problem: Msg) -> None:
        problems.append(FormProblem(line, problem))

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path = list(exc.absolute_path)
        where = "/".join(str(p) for p in path)
        add(_line_of(text, path), msg("form.schema_invalid_at", where=where, error=exc.message)
            if where else msg("form.schema_invalid", error=exc.message))
    declared = schema.get("$schema")
    if declared is not None and str(declared).rstrip("#") != _SCHEMA_URI:
        add(_line_of(text, ["$schema"]), msg("form.schema_version", uri=_SCHEMA_URI))
    if schema.get("type", "object") != "object":
        add(_line_of(text, ["type"]), msg("form.type_not_object"))
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        add(_line_of(text, ["properties"]), msg("form.properties_not_object"))
        properties = {}
    required = schema.get("required", [])
    for name in required if isinstance(required, list) else []:
        if name not in properties:
            add(_line_of(text, ["required"]), msg("form.required_not_declared", name=name))
    for path, problem in [*check_file_fields(schema), *check_problems(schema),
                          *form_urges.problems(schema)]:
        add(_line_of(text, path), problem)
    for name, prop in properties.items():
        found = _confidential_problem(name, prop.get("x-confidential", ...)
                                      if isinstance(prop, dict) else ...)
        if found:
            add(_line_of(text, ["properties", name, "x-confidential"]), found)
        for path, found in _default_problems(name, prop):
            add(_line_of(text, path), found)
        for keyword, check in ((pickers.UNIT, pickers.keyword_problem),
                               (people.USER, people.keyword_problem),
                               (policies.POLICY, policies.keyword_problem),
                               (catalogue_items.CATALOGUE, catalogue_items.keyword_problem),
                               (starters.STARTER, starters.keyword_problem),
                               (phrases.KEYWORD, phrases.keyword_problem),
                               (case_refs.CASE_OF, case_refs.keyword_problem),
                               (case_refs.AWAITS, case_refs.awaits_problem),
                               (case_refs.FACTS, case_refs.facts_problem),
                               (redo.KEYWORD, redo.keyword_problem),
                               (acknowledgements.KEYWORD, acknowledgements.keyword_problem)):
            found = check(name, prop)
            if found:
                add(_line_of(text, ["properties", name, keyword]), found)
    for fmt in sorted(_formats_in(schema) - set(_FORMATS)):
        value = re.escape(json.dumps(fmt, ensure_ascii=False))
        at = re.search(r'"format"\s*:\s*' + value, text)
        add(text.count("\n", 0, at.start()) + 1 if at else None,
            msg("form.format_unchecked", format=fmt, formats=list(_FORMATS)))
    return problems


def catalogue_problems(text: str, decisions: Collection[str]) -> list[FormProblem]:
    """The ``x-catalogue`` fields of a form naming a decision not in ``decisions`` (those
    deployed together or before), each at its line."""
    schema = _object_of(text)
    if schema is None:
        return []
    return [FormProblem(_line_of(text, ["properties", name, catalogue_items.CATALOGUE]), problem)
            for name, problem in catalogue_items.unknown_decisions(schema, decisions).items()]


def _default_problems(name: str, prop: Any) -> list[tuple[list[str], Msg]]:
    """Each malformed ``x-default`` of a field and of its properties (an object's)."""
    found = prefills.keyword_problem(name, prop)
    problems = [(["properties", name, prefills.KEYWORD], found)] if found else []
    parts = prop.get("properties") if isinstance(prop, dict) else None
    for part, sub in (parts.items() if isinstance(parts, dict) else []):
        found = prefills.keyword_problem(f"{name}.{part}", sub, part=True)
        if found:
            problems.append((["properties", name, "properties", part, prefills.KEYWORD], found))
    return problems


def case_awaits_problems(text: str, caught: Mapping[str, set[str]]) -> list[FormProblem]:
    """The ``x-case-awaits`` fields of a form naming a message that a procedure validated
    with it never waits for (``caught``: process id -> the messages its running cases may
    wait for), each at its line."""
    schema = _object_of(text)
    if schema is None:
        return []
    return [FormProblem(_line_of(text, ["properties", name, case_refs.AWAITS]), problem)
            for name, problem in case_refs.unheard(schema, caught).items()]


def _object_of(text: str) -> dict[str, Any] | None:
    """The form's schema, or None when it is not a JSON object (check_form says so)."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError:
        return None
    return schema if isinstance(schema, dict) else None


def _confidential_problem(name: str, roles: Any) -> Msg | None:
    """``x-confidential`` lists the roles that see a field (engine/queries/confidential.py)."""
    if roles is ...:
        return None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        return msg("form.confidential_not_list", name=name)
    unknown = [r for r in roles if r not in BY_ID]
    return msg("form.confidential_unknown_roles", name=name, roles=unknown) if unknown else None


def _line_of(text: str, path: list[Any]) -> int | None:
    """Line of the key at ``path`` in the JSON text (best effort: the first such key after
    its parent's), or None."""
    position, found = 0, False
    for part in path:
        if not isinstance(part, str):
            continue
        key = re.escape(json.dumps(part, ensure_ascii=False))
        match = re.compile(key + r"\s*:").search(text, position)
        if match is None:
            break
        position, found = match.start(), True
    return text.count("\n", 0, position) + 1 if found else None


def _formats_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            fmt = item.get("format")
            if isinstance(fmt, str):
                found.add(fmt)
            stack.extend(v for k, v in item.items() if k not in ("const", "enum", "default",
                                                                 "examples"))
        elif isinstance(item, list):
            stack.extend(item)
    return found


# A validator per form text, kept while its schema object lives in a loaded version: making
# one (its reference resolver) cost about as much as checking a submission with it. Keyed by
# the object, which the entry holds, so its id is not reused while the entry is there.
_VALIDATORS: dict[int, tuple[Mapping[str, Any], Draft202012Validator]] = {}
_VALIDATORS_KEPT = 256


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    found = _VALIDATORS.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    validator = Draft202012Validator(schema, format_checker=_formats)
    if len(_VALIDATORS) >= _VALIDATORS_KEPT:  # forms of versions no longer used go
        _VALIDATORS.clear()
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


def field_errors(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Msg]:
    """The first error of every field, keyed by its dotted path (``_`` for the form as a
    whole)."""
    validator = _validator(schema)
    errors: dict[str, Msg] = {}
    found = validator.iter_errors(data)
    for error in sorted(found, key=lambda e: [str(p) for p in e.absolute_path]):
        for field in _fields_of(error):
            errors.setdefault(field, _message(error))
    return errors


def validate(schema: Mapping[str, Any], data: Mapping[str, Any],
             context: CheckContext | None = None, fields_checked: bool = False) -> None:
    """Raise InvalidData with every field's error, or return when the data fits the form.
    With a ``context``, the form's cross-field ``x-checks`` run too (engine/definitions/
    form_checks.py) on the fields the schema accepted. ``fields_checked``: the fields were
    checked against the schema already (a bulk start checks every row before it starts
    any), so only the ``x-checks`` run."""
    if not isinstance(data, Mapping):
        raise InvalidData({"_": msg("field.data_not_object")})
    errors = {} if fields_checked else field_errors(schema, data)
    if context is not None:
        for field, message in check_errors(schema, data, context).items():
            errors.setdefault(field, as_msg(message))  # the designer's own words
    if errors:
        raise InvalidData(errors, msg("form.invalid"))


def with_defaults(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each field the start form leaves out and gives a ``default`` set to it:
    a case's first data, so the scripts that read an optional field always find a value
    (``"default": ""`` on an optional text field). A task's form that leaves one out keeps
    what the case has."""
    props = (schema or {}).get("properties") or {}
    return {**{name: prop["default"] for name, prop in props.items()
               if isinstance(prop, Mapping) and "default" in prop and not prop.get("readOnly")},
            **data}


def validate_submission(schema: Mapping[str, Any] | None, data: Mapping[str, Any],
                        context: CheckContext | None = None) -> None:
    """Completing a task: only the fields its form declares (a task without a form takes no
    data), so a submission cannot overwrite the case's other variables (its unit, say)."""
    if not isinstance(data, Mapping):
        raise InvalidData({"_": msg("field.data_not_object")})
    properties = (schema or {}).get("properties") or {}
    extra = sorted(set(data) - set(properties))
    if extra:
        raise InvalidData({name: msg("field.not_in_form") for name in extra},
                          msg("form.unknown_fields"))
    shown_only = sorted(name for name in data
                        if isinstance(properties.get(name), dict)
                        and properties[name].get("readOnly") is True)
    if shown_only:
        raise InvalidData({name: msg("field.read_only") for name in shown_only},
                          msg("form.read_only_fields"))
    changed = _changed_facts(properties, data, context.data) if context is not None else []
    if changed:
        raise InvalidData({path: msg("field.read_only_changed") for path in changed},
                          msg("form.read_only_fields"))
    if schema is not None:
        validate(schema, data, context)


def with_own_facts(schema: Mapping[str, Any] | None, data: Mapping[str, Any],
                   seen: Mapping[str, Any]) -> Mapping[str, Any]:
    """``data`` with the read-only properties an object field leaves out taken from the task's
    own object (``seen``), so a payout submitted with its payment alone keeps its enterprise."""
    properties = (schema or {}).get("properties") or {}
    filled = dict(data)
    for name, value in data.items():
        prop, own = properties.get(name), seen.get(name)
        if not (isinstance(prop, Mapping) and isinstance(value, Mapping)
                and isinstance(own, Mapping)):
            continue
        facts = {part: own[part] for part, sub in (prop.get("properties") or {}).items()
                 if isinstance(sub, Mapping) and sub.get("readOnly") is True
                 and part in own and part not in value}
        if facts:
            filled[name] = {**facts, **value}
    return filled if filled != data else data


def _changed_facts(properties: Mapping[str, Any], data: Mapping[str, Any],
                   seen: Mapping[str, Any]) -> list[str]:
    """``field.property`` of each read-only property of an object field submitted with another
    value than the task has (a payout's 核定兑付金额): the task's facts are not the
    submitter's to change. Left out, they stay the task's."""
    changed = []
    for name, value in data.items():
        prop = properties.get(name)
        if not isinstance(prop, Mapping) or not isinstance(value, Mapping):
            continue
        found = seen.get(name)
        own: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        for part, sub in (prop.get("properties") or {}).items():
            if isinstance(sub, Mapping) and sub.get("readOnly") is True and part in value \
                    and not _same(value[part], own.get(part)):
                changed.append(f"{name}.{part}")
    return changed


def _same(given: Any, own: Any) -> bool:
    """Equal as JSON values (120000 and 120000.0 are one amount; True is not 1)."""
    if isinstance(given, bool) or isinstance(own, bool):
        return given is own
    return bool(given == own)


def _path(error: SchemaViolation, *more: str) -> str:
    return ".".join([*(str(p) for p in error.absolute_path), *more]) or "_"


def _fields_of(error: SchemaViolation) -> list[str]:
    """The fields an error belongs to: for a missing field, the field itself."""
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        missing = [n for n in error.validator_value if n not in instance]
        return [_path(error, str(n)) for n in missing] or [_path(error)]
    if error.validator == "dependentRequired" and isinstance(instance, Mapping):
        missing = [n for key, needs in error.validator_value.items() if key in instance
                   for n in needs if n not in instance]
        return [_path(error, str(n)) for n in missing] or [_path(error)]
    return [_path(error)]


def _message(error: SchemaViolation) -> Msg:
    kind = error.validator
    value = error.validator_value
    if kind in ("required", "dependentRequired"):
        return msg("field.required")
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        kinds = [msg(f"field.kind.{n}") if n in _TYPE_NAMES else as_msg(str(n)) for n in names]
        return msg("field.type", kind=functools.reduce(
            lambda first, second: msg("field.kind_or", first=first, second=second), kinds))
    if kind == "const" and value is True:  # a box to tick: a promise, a confirmation
        return msg("field.must_tick")
    if kind in ("enum", "oneOf", "anyOf", "const"):
        return msg("field.not_an_option")
    if kind == "format" and value == "credit-code" and isinstance(error.instance, str):
        return credit_code.problem(error.instance)
    if kind == "format":
        return _FORMAT_MESSAGES.get(str(value)) or msg("field.format", format=value)
    if kind in ("minLength", "minItems") and value == 1:
        return msg("field.required")
    if kind in _LIMITS:
        return msg(_LIMITS[kind], limit=value)
    if kind == "multipleOf":
        return msg("field.multiple_of", factor=value)
    if kind == "uniqueItems":
        return msg("field.unique_items")
    if kind == "pattern":
        own = error.schema.get("x-pattern-message") if isinstance(error.schema, dict) else None
        if isinstance(own, str) and own.strip():
            return as_msg(own)
        # spaces alone fail a pattern that asks for some text (\S): it was left blank
        blank = isinstance(error.instance, str) and not error.instance.strip()
        return msg("field.required") if blank else msg("field.pattern")
    if kind == "additionalProperties":
        extra = _extra_fields(error)
        return msg("field.extra_named", fields=extra) if extra else msg("field.extra")
    return msg("field.invalid")


def _extra_fields(error: SchemaViolation) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, Mapping) or not isinstance(schema, Mapping):
        return []
    known = schema.get("properties") or {}
    patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
    return sorted(str(k) for k in instance
                  if k not in known and not any(p.search(str(k)) for p in patterns))
