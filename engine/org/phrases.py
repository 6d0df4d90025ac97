"""常用意见: the comments a user types all day (同意。 / 材料不全，请补正。), offered beside the
comment fields of task forms that declare ``"x-phrases": true``. A field that says one thing
only (不予兑现原因: a refusal) lists its own phrases instead (``"x-phrases": ["…", …]``), so
an approval's 同意 is never offered there.

Until a user changes them, a user's phrases are the shipped defaults of their roles (merged in
the order of their roles, each once); the first change keeps the whole list as the user's own
(``users.phrases``), which they then add to, remove from and reorder; going back to the
defaults forgets it. A phrase is trimmed, at most ``MAX_LENGTH`` characters, not empty and not
already in the list; a list holds at most ``MAX_PHRASES``. Every change acts on the signed-in
user's own list: no call names another user's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound, refused
from engine.messages import Msg, msg
from engine.org import users

KEYWORD = "x-phrases"
MAX_LENGTH = 200  # characters of one phrase
MAX_PHRASES = 50  # phrases in one user's list
FIELD = "phrase"  # the form field a refusal names

_APPROVER = ("同意。", "同意，请按规定程序办理。", "请补充核实后再报。", "不同意，退回重拟。",
             "请抓紧办理，按期反馈结果。")
# Shipped defaults per role (domain.md: who does what); a staff role without its own list
# gets the general one; enterprises and auditors write no comments on tasks.
DEFAULTS: dict[str, tuple[str, ...]] = {
    "intake": ("已登记编号，拟转承办部门核查。", "线索具体，建议直接核查。", "材料不全，请补正。",
               "线索内容不具体，拟暂存待查。", "当天呈批处置。"),
    "approver": _APPROVER,
    "city_leader": _APPROVER,
    "handler": ("已优先核查，反映问题属实。", "经核查，反映问题部分属实。",
                "经核查，反映问题不属实。", "已责成整改，将跟踪整改落实情况。",
                "请按规定程序办理。"),
    "case_manager": ("已跟踪进展，正在办理中。", "请承办部门加快办理，按期反馈。",
                     "已逾期，请说明原因并尽快办结。", "已纳入问题台账跟踪管理。"),
    "policy_dept": ("材料齐全，符合政策条件，同意兑现。", "材料不全，请补正。",
                    "不符合政策条件，不予兑现。", "请按规定程序办理。"),
}
GENERAL = ("同意。", "请按规定程序办理。", "材料不全，请补正。", "已阅。")
_NONE = frozenset({"enterprise", "auditor"})


@dataclass(frozen=True)
class Phrases:
    items: tuple[str, ...]
    own: bool  # False: the defaults of the user's roles, not yet changed


def defaults_for(roles: Iterable[str]) -> tuple[str, ...]:
    """The shipped phrases of ``roles``, each once, in the order of the roles."""
    found: dict[str, None] = {}
    for role in roles:
        for text in DEFAULTS.get(role, () if role in _NONE else GENERAL):
            found.setdefault(text, None)
    return tuple(found)[:MAX_PHRASES]


def read(session: Session, username: str) -> Phrases:
    user = users.row(session, username)
    if user.phrases is None:
        return Phrases(defaults_for(user.roles), own=False)
    return Phrases(tuple(str(p) for p in user.phrases), own=True)


def add(session: Session, username: str, text: str) -> Phrases:
    phrase = checked(text)
    items = list(read(session, username).items)
    if phrase in items:
        raise refused(FIELD, msg("phrases.duplicate", phrase=phrase))
    if len(items) >= MAX_PHRASES:
        raise refused(FIELD, msg("phrases.too_many", limit=MAX_PHRASES))
    return _keep(session, username, [*items, phrase])


def remove(session: Session, username: str, text: str) -> Phrases:
    items = list(read(session, username).items)
    items.remove(_present(items, text))
    return _keep(session, username, items)


def move(session: Session, username: str, text: str, by: int) -> Phrases:
    """Move a phrase ``by`` places (negative: up), stopping at either end."""
    items = list(read(session, username).items)
    phrase = _present(items, text)
    at = items.index(phrase)
    items.insert(max(0, min(len(items) - 1, at + by)), items.pop(at))
    return _keep(session, username, items)


def reset(session: Session, username: str) -> Phrases:
    """Back to the defaults of the user's roles."""
    users.row(session, username).phrases = None
    session.flush()
    return read(session, username)


def checked(text: str) -> str:
    """A phrase as kept: trimmed, not empty, at most MAX_LENGTH characters."""
    phrase = text.strip()
    if not phrase:
        raise refused(FIELD, msg("phrases.empty"))
    if len(phrase) > MAX_LENGTH:
        raise refused(FIELD, msg("phrases.too_long", limit=MAX_LENGTH, length=len(phrase)))
    return phrase


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-phrases`` (for ``check_form``): a boolean (the user's
    常用意见) or the field's own phrases (a list of texts), and only on a text field."""
    if not isinstance(prop, dict) or KEYWORD not in prop:
        return None
    value = prop[KEYWORD]
    if not isinstance(value, bool) and not (
            isinstance(value, list) and value and all(
                isinstance(p, str) and p.strip() and len(p) <= MAX_LENGTH for p in value)):
        return msg("form.phrases_not_boolean", name=name)
    kind = prop.get("type", "string")
    text = kind == "string" or (isinstance(kind, list) and "string" in kind)
    if value and not (text and "format" not in prop and "enum" not in prop
                              and "oneOf" not in prop and "anyOf" not in prop):
        return msg("form.phrases_not_text", name=name)
    return None


def _present(items: list[str], text: str) -> str:
    phrase = text.strip()
    if phrase not in items:
        raise NotFound(msg("phrases.not_found", phrase=phrase[:MAX_LENGTH]))
    return phrase


def _keep(session: Session, username: str, items: list[str]) -> Phrases:
    if len(items) > MAX_PHRASES:  # defaults never exceed it; a guard for changed limits
        raise InvalidData({FIELD: msg("phrases.too_many", limit=MAX_PHRASES)})
    users.row(session, username).phrases = items
    session.flush()
    return Phrases(tuple(items), own=True)
