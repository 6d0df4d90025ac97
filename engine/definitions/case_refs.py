"""Form fields that name another case by its case number, such as the clue a 提级核查 is
about:

    "esc_case_no": {"type": "string", "title": "问题线索案件编号",
                    "x-case-of": "clue_triage"}

``x-case-of`` names the procedure (or a list of procedures) whose case the number must be.
The value is tidied before the form's own checks (spaces around it dropped, letters in
upper case: `` zf-2026-000006 `` is ZF-2026-000006), and a number that names no case of
those procedures that the user may read is refused beside the field: a mistyped number
would start work about nothing. An empty value is no reference (an optional field).

``x-case-awaits`` beside it names a message (or a list of them) the case must be waiting for
now: a 提级核查 can name only a clue being handled, the stage whose boundary event its
approval reaches (engine/runtime/case_awaits.py).

``x-case-facts`` beside it names the fields of the named case a page about this one shows
with the number (the clue's 被反映单位, 问题摘要 …, engine/queries/case_briefs.py), so
whoever decides on this case reads what it is about without leaving the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.storage.schema import ProcessInstance, ProcessVersion
from engine.views import UserView

CASE_OF = "x-case-of"
AWAITS = "x-case-awaits"
FACTS = "x-case-facts"
READS_CASE = "reads_case"  # a user task's property naming such a field (case_readers.py)


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-case-of`` (for ``check_form``)."""
    value = prop.get(CASE_OF) if isinstance(prop, dict) else None
    if value is None:
        return None
    keys = [value] if isinstance(value, str) else value
    if not isinstance(keys, list) or not keys or \
            not all(isinstance(k, str) and k.strip() for k in keys) or \
            prop.get("type") != "string":
        return msg("form.case_of_shape", name=name)
    return None


def awaits_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-case-awaits`` (for ``check_form``)."""
    value = prop.get(AWAITS) if isinstance(prop, dict) else None
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or \
            not all(isinstance(n, str) and n.strip() for n in names) or CASE_OF not in prop:
        return msg("form.case_awaits_shape", name=name)
    return None


def facts_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-case-facts`` (for ``check_form``)."""
    value = prop.get(FACTS) if isinstance(prop, dict) else None
    if value is None:
        return None
    if not isinstance(value, list) or not value or CASE_OF not in prop or \
            not all(isinstance(n, str) and n.strip() for n in value):
        return msg("form.case_facts_shape", name=name)
    return None


def referring(schemas: Iterable[Mapping[str, Any] | None]
              ) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Field name -> (the procedures its case number must name, the facts of that case to
    show beside it), over ``schemas`` (a version's forms; the first form naming a field
    wins)."""
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for schema in schemas:
        for name, keys in _fields(schema).items():
            prop = ((schema or {}).get("properties") or {})[name]
            facts = prop.get(FACTS)
            out.setdefault(name, (keys, tuple(f for f in facts if isinstance(f, str))
                                  if isinstance(facts, list) else ()))
    return out


def _fields(schema: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Field name -> the procedures its case number must name."""
    out: dict[str, tuple[str, ...]] = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        value = prop.get(CASE_OF) if isinstance(prop, dict) else None
        if isinstance(value, str):
            out[name] = (value,)
        elif isinstance(value, list):
            out[name] = tuple(k for k in value if isinstance(k, str))
    return out


def case_of(schema: Mapping[str, Any] | None, name: str) -> tuple[str, ...]:
    """The procedures whose case the field ``name`` names."""
    return _fields(schema).get(name, ())


def unheard(schema: Mapping[str, Any], caught: Mapping[str, set[str]]) -> dict[str, Msg]:
    """Field name -> what is wrong with its ``x-case-awaits`` given ``caught`` (process id ->
    the messages its cases wait for while running, for the procedures deployed together):
    a procedure among them that never waits for one of those messages would refuse every
    case it names."""
    out: dict[str, Msg] = {}
    for name, messages in awaited(schema).items():
        for key in _fields(schema).get(name, ()):
            if key in caught and not caught[key] & set(messages):
                out[name] = msg("form.case_awaits_unheard", name=name, process=key,
                                messages=list(messages), caught=sorted(caught[key]) or "—")
                break
    return out


def awaited(schema: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Field name -> the messages the case it names must be waiting for."""
    out: dict[str, tuple[str, ...]] = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        value = prop.get(AWAITS) if isinstance(prop, dict) and CASE_OF in prop else None
        if isinstance(value, str):
            out[name] = (value,)
        elif isinstance(value, list):
            out[name] = tuple(m for m in value if isinstance(m, str))
    return out


# A case number (engine/runtime/case_numbers.py: ZF-2026-000123) typed without its hyphens
_CASE_NUMBER = re.compile(r"([A-Za-z]{1,16})-?(\d{4})-?(\d{6})")


def as_case_number(word: str) -> str:
    """``word`` as a case number is written, if it is one typed without its hyphens or in
    small letters; else ``word``."""
    found = _CASE_NUMBER.fullmatch(word)
    return "-".join(found.groups()).upper() if found else word


def tidied(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each case number as case numbers are written (before the form's
    pattern is checked): zf2026000001 as ZF-2026-000001, as search reads it."""
    out = dict(data)
    for name in _fields(schema):
        value = out.get(name)
        if isinstance(value, str):
            out[name] = as_case_number(value.strip()).upper()
    return out


def checked(session: Session, schema: Mapping[str, Any] | None, data: Mapping[str, Any],
            actor: UserView) -> dict[str, int]:
    """The case each case number names (field -> case id); InvalidData with a field error
    for each that names no case of its procedures which ``actor`` may read (one they may not
    read is not told apart from none)."""
    from engine.queries import visibility  # queries -> runtime -> definitions: at call time

    errors: dict[str, Msg] = {}
    cases: dict[str, int] = {}
    for name, keys in _fields(schema).items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        found = session.execute(select(ProcessInstance.id).where(
            ProcessInstance.business_key == value, ProcessInstance.process_key.in_(keys),
            visibility.readable(session, actor)).order_by(ProcessInstance.id).limit(1)).first()
        if found is None:
            errors[name] = msg("field.case_unknown", value=value,
                               process="、".join(_names(session, keys)))
        else:
            cases[name] = found.id
    if errors:
        raise InvalidData(errors, msg("form.invalid"))
    return cases


def _names(session: Session, keys: tuple[str, ...]) -> list[str]:
    """The procedures' names (their newest versions'), a key for one not deployed."""
    rows = session.execute(select(ProcessVersion.key, ProcessVersion.name).where(
        ProcessVersion.key.in_(keys)).order_by(ProcessVersion.version)).all()
    named = {key: name for key, name in rows}  # the newest version's name wins
    return [named.get(k, k) for k in keys]
