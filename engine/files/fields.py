"""File fields of forms. A form field is a file field when it carries ``x-file``::

    "evidence": {"type": "array", "title": "证据材料",
                 "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                 "x-file": {"accept": ["pdf", "image"], "max_files": 5}}

Its value in the case's data is the list of the files' SHA-256s (64 lowercase hex digits):
the files themselves go to the blob store and are named in the event (engine/files/
attachments.py). ``accept`` names kinds of engine/files/sniff.py (default: all of them);
``max_files`` (default 10, at most 50); ``max_mb`` lowers the per-file size limit for this
field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.files.sniff import KINDS
from engine.messages import Msg, msg

DEFAULT_MAX_FILES = 10
MAX_FILES = 50


@dataclass(frozen=True)
class FileField:
    name: str
    accept: tuple[str, ...]
    max_files: int
    max_bytes: int | None  # this field's own limit per file, if lower than the setting


def file_fields(schema: Mapping[str, Any] | None) -> dict[str, FileField]:
    """The file fields of a form (assumed valid: check_form ran at deploy)."""
    out: dict[str, FileField] = {}
    properties = (schema or {}).get("properties") or {}
    for name, prop in properties.items():
        spec = prop.get("x-file") if isinstance(prop, dict) else None
        if isinstance(spec, dict):
            accept = tuple(spec.get("accept") or KINDS)
            max_mb = spec.get("max_mb")
            out[name] = FileField(name, accept, int(spec.get("max_files", DEFAULT_MAX_FILES)),
                                  int(max_mb * 1024 * 1024) if max_mb else None)
    return out


def check_file_fields(schema: Mapping[str, Any]) -> list[tuple[list[str], Msg]]:
    """Problems with the form's ``x-file`` declarations, each with the JSON path it is at."""
    problems: list[tuple[list[str], Msg]] = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, prop in (properties or {}).items():
        if not isinstance(prop, dict) or "x-file" not in prop:
            continue
        where = ["properties", name, "x-file"]
        spec = prop["x-file"]
        if not isinstance(spec, dict):
            problems.append((where, msg("form.file_not_object", name=name)))
            continue
        items = prop.get("items")
        if prop.get("type") != "array" or not isinstance(items, dict) \
                or items.get("type") != "string":
            problems.append((where, msg("form.file_shape", name=name)))
        unknown = sorted(set(spec) - {"accept", "max_files", "max_mb"})
        if unknown:
            problems.append((where, msg("form.file_unknown_keys", name=name, keys=unknown)))
        accept = spec.get("accept", list(KINDS))
        if not isinstance(accept, list) or not accept or not set(accept) <= set(KINDS):
            problems.append((where, msg("form.file_accept", name=name, kinds=list(KINDS))))
        count = spec.get("max_files", DEFAULT_MAX_FILES)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_FILES:
            problems.append((where, msg("form.file_max_files", name=name, most=MAX_FILES)))
        size = spec.get("max_mb")
        if size is not None and (not isinstance(size, int | float) or isinstance(size, bool)
                                 or size <= 0):
            problems.append((where, msg("form.file_max_mb", name=name)))
    return problems
