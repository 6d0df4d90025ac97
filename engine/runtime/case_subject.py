"""A case's subject (事由), filled in from its procedure's template
(engine/definitions/subject_template.py) and its data, as the pages show values: a choice by
its value, or by its option's title where the value is a code; an instant in Beijing time; a
person by name (the caller passes data with names in). Written with the case's search text
(engine/runtime/search_text.py), read beside task lists (engine/queries/subjects.py).

A field with no value leaves no stray marks: ``{a}：{b}（{c}）`` reads ``a：b`` without ``c``,
``b（c）`` without ``a`` and ``a（c）`` without ``b``; a subject without any value is None."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from engine.definitions.parsed import LoadedVersion
from engine.time import instants

MAX_CHARS = 80  # one line of an inbox row; the case page has the rest
_SEPARATORS = "：:，,、;；—·|/-"
_SEPARATOR = f"[{re.escape(_SEPARATORS)}]"
_EMPTY_BRACKETS = re.compile(r"（\s*）|\(\s*\)|【\s*】|「\s*」|《\s*》")
_SEPARATOR_BEFORE_BRACKET = re.compile(rf"{_SEPARATOR}\s*(?=[（(【「《])")
_SEPARATOR_RUN = re.compile(rf"({_SEPARATOR})(\s*{_SEPARATOR})+")
_SPACES = re.compile(r"\s+")
# a value that is an engine's name for a choice (approved, not_found): shown by its title
_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def render(version: LoadedVersion, data: Mapping[str, Any], excluded: frozenset[str]
           ) -> str | None:
    """The subject of a case of ``version`` holding ``data``; ``excluded`` fields (confidential
    anywhere, files) never enter it."""
    parts = version.subject
    if parts is None:
        return None
    values = [None if name in excluded
              else _shown(data.get(name), functools.partial(_titles, version, name))
              for name in parts[1::2]]
    if not any(values):
        return None
    text = "".join(part if i % 2 == 0 else values[i // 2] or "" for i, part in enumerate(parts))
    return _tidied(text)


def _tidied(text: str) -> str:
    """Without what empty fields left: brackets around nothing, separators before a bracket,
    beside another separator or at either end."""
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SEPARATOR_BEFORE_BRACKET.sub("", text)
    text = _SEPARATOR_RUN.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip(_SEPARATORS + " ")
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def _shown(value: Any, titles: Callable[[], Mapping[Any, str]]) -> str | None:
    """``titles``: the field's option titles, looked up only for a value that needs one (a
    command writes the subject, so most values are shown without a look at the forms)."""
    if isinstance(value, bool) or value is None:
        return titles().get(value) if value is not None else None
    if isinstance(value, str):
        text = value.strip()
        if _CODE.fullmatch(text) and text in (found := titles()):
            return found[text]
        return instants.shown(text) or text or None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list | tuple):
        shown = [s for item in value if (s := _shown(item, titles))]
        return "、".join(shown) or None
    return None


def _titles(version: LoadedVersion, name: str) -> dict[Any, str]:
    """The option titles of a choice field, from the version's forms (the first that has it)."""
    for schema in version.forms.values():
        prop = (schema.get("properties") or {}).get(name)
        if not isinstance(prop, dict):
            continue
        options = prop.get("oneOf") or (prop.get("items") or {}).get("oneOf")
        if isinstance(options, list):
            return {o["const"]: o["title"] for o in options
                    if isinstance(o, dict) and "const" in o and isinstance(o.get("title"), str)}
    return {}
