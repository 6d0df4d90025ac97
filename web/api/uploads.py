"""Multipart request bodies: a command's JSON fields as text parts (``data`` a JSON object,
``revision`` an integer, ...) and its files as file parts named by the form's file field
(several parts of one name for several files). Each text part is checked as strictly as a
JSON body (web/api/inputs.py); a part of no known name is refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from engine import Msg, Upload, msg
from web.api.errors import ApiError, bad_request
from web.api.inputs import MAX_DIGITS, Field, bad_text, fields, json_object

MULTIPART = "multipart/form-data"


def is_multipart() -> bool:
    return request.mimetype == MULTIPART


def command_body(spec: Mapping[str, Field]) -> tuple[dict[str, Any], list[Upload]]:
    """(the command's fields, the uploaded files) from a JSON or a multipart body."""
    if not is_multipart():
        return fields(spec), []
    problems: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    for name, value in request.form.items(multi=True):
        why = bad_text(name) or bad_text(value)
        if why:
            problems[name if not bad_text(name) else "part"] = why
        elif name not in spec:
            problems[name] = msg("input.unknown_part_expected", expected=list(spec))
        elif name in out:
            problems[name] = msg("input.sent_twice")
        else:
            out[name] = _value(name, value, spec[name], problems)
    for name, field in spec.items():
        if field.required and out.get(name) is None and name not in problems:
            problems[name] = msg("input.required")
    if problems:
        raise bad_request(msg("request.multipart_errors"), problems)
    return {k: v for k, v in out.items() if v is not None}, files()


def files(only: str | None = None) -> list[Upload]:
    """The file parts (``only``: of that part name; others are refused)."""
    uploads = []
    for name, storage in request.files.items(multi=True):
        if only is not None and name != only:
            raise bad_request(msg("request.parts_named", name=only),
                              {name: msg("input.unknown_part")})
        filename = storage.filename or ""
        if bad_text(filename) or bad_text(name):
            raise bad_request(msg("request.bad_file_name"),
                              {name: msg("input.bad_file_name")})
        uploads.append(Upload(name, filename, storage.read()))
    return uploads


def _value(name: str, text: str, field: Field, problems: dict[str, Msg]) -> Any:
    if field.kind is dict:
        if not text.strip():
            return None
        try:
            return json_object(text.encode("utf-8"), msg("request.the_part", name=name))
        except ApiError as exc:  # report it beside the part
            problems[name] = exc.said
            return None
    if field.kind is int:
        stripped = text.strip()
        if not stripped:
            return None
        if not stripped.isascii() or not stripped.lstrip("-").isdigit() \
                or len(stripped) > MAX_DIGITS:
            problems[name] = msg("input.not_integer")
            return None
        return int(stripped)
    if field.max_length is not None and len(text) > field.max_length:
        problems[name] = msg("input.too_long", limit=field.max_length)
        return None
    return text if text.strip() else None
