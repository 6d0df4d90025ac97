"""Form fields that name a person: declared in the form's JSON Schema, picked from the users
on the page, and checked here on every submission.

    "owner": {"type": "string", "title": "专人管理",
              "x-user": {"roles": ["intake", "case_manager"], "same_unit": true}}

``x-user`` is ``true`` (any active user) or filters by ``roles`` (a user passes with any of
them) and ``same_unit`` (the user acts for one of the units the person filling the form acts
for: a county's clerk names a colleague of the county's 纪委监委, never the city's). A user
filling a form without a unit is not limited by ``same_unit``. The value is the username;
a name typed instead (what the picker shows: the display name with the unit, or the display
name, or the person's name in it: 刘洋 of "受理员 刘洋（浮梁县纪委）") is taken when it names
exactly one of the people offered, and the case stores their username. An unknown, ambiguous
or out-of-scope name is a field error naming the closest users.

Staff see a person by name and unit (:func:`shown`), never by the username they sign in
with: a picker tells two people apart by their units, and by username only when two of the
same name work in the same unit.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org.directory import load
from engine.org.roles import BY_ID
from engine.org.scope import acting_units
from engine.storage.schema import User
from engine.views import UserView

USER = "x-user"


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    unit: str | None
    namesake: bool = False  # another person offered beside them has the same name and unit

    @property
    def label(self) -> str:
        """What a picker shows and puts in its input: the name with the unit, and the
        username only beside a namesake of the same unit (:func:`offered`)."""
        name = shown(self.display_name, self.unit)
        return f"{name}（{self.username}）" if self.namesake else name

    @property
    def names(self) -> set[str]:
        """What a clerk may type for this person besides the username: the picker's label,
        the name with the unit, the display name, and the name in it without a leading role
        and a bracketed unit (刘洋 of "受理员 刘洋（浮梁县纪委）")."""
        full = self.display_name.strip()
        bare = _BRACKETED.sub("", full).strip()
        return {n for n in (self.label, shown(full, self.unit), full, bare, own_name(full)) if n}


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


def shown(display_name: str, unit: str | None) -> str:
    """How staff see a person: by name, with their unit (刘洋（浮梁县纪委监委）). A display
    name that says a unit already (holds the unit's name, or ends in a bracketed note:
    受理员 刘洋（浮梁县纪委）) is shown as it is."""
    name = display_name.strip()
    if not unit or unit in name or name.endswith(("）", ")")):
        return name
    return f"{name}（{unit}）"


def offered(people: list[Person]) -> list[Person]:
    """``people`` as a picker offers them: two with the same name and unit are told apart
    by their usernames."""
    seen = Counter(shown(p.display_name, p.unit) for p in people)
    return [replace(p, namesake=seen[shown(p.display_name, p.unit)] > 1) for p in people]


def own_name(display_name: str) -> str:
    """The person's name in a display name, without a leading role and a bracketed unit
    (刘洋 of "受理员 刘洋（浮梁县纪委）"); "" when nothing is left."""
    words = _BRACKETED.sub("", display_name).split()
    return words[-1] if words else ""


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-user`` (for ``check_form``)."""
    value = prop.get(USER) if isinstance(prop, dict) else None
    if value is None or value is True:
        return None
    shape = msg("form.user_shape", name=name)
    if not isinstance(value, dict) or set(value) - {"roles", "same_unit"}:
        return shape
    roles = value.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles) or \
            not isinstance(value.get("same_unit", False), bool):
        return shape
    unknown = [r for r in roles if r not in BY_ID]
    return msg("form.user_unknown_roles", name=name, roles=unknown) if unknown else None


def candidates(session: Session, spec: Any, actor: UserView,
               without_role: str | None = None) -> list[Person]:
    """The active users a field with ``x-user`` = ``spec`` offers to ``actor``, by name;
    ``without_role``: none who hold that role (抄送 offers staff, not enterprises)."""
    spec = spec if isinstance(spec, dict) else {}
    roles = set(spec.get("roles") or ())
    rows = session.execute(select(User.username, User.display_name, User.roles, User.unit)
                           .where(User.active.is_(True)).order_by(User.username)).all()
    people = [Person(r.username, r.display_name, r.unit) for r in rows
              if (not roles or roles & set(r.roles)) and without_role not in r.roles]
    if not spec.get("same_unit") or actor.unit is None:
        return offered(people)
    found = load(session)
    mine = set(acting_units(found, actor.unit))
    return offered([p for p in people if mine & set(acting_units(found, p.unit))])


def choices(session: Session, schema: Mapping[str, Any] | None,
            actor: UserView) -> dict[str, list[Person]]:
    """Field name -> the people its picker offers ``actor``, for each ``x-user`` field."""
    properties = (schema or {}).get("properties") or {}
    return {name: candidates(session, prop[USER], actor) for name, prop in properties.items()
            if isinstance(prop, dict) and USER in prop}


def checked(session: Session, schema: Mapping[str, Any] | None, data: Mapping[str, Any],
            actor: UserView) -> dict[str, Any]:
    """``data`` with each person field's value as a username (a name that names exactly one
    of the people offered becomes theirs); InvalidData with a field error for each person
    field naming a user who does not exist, is inactive, is not among the field's choices
    for ``actor``, or a name several of them share."""
    out, errors = dict(data), {}
    for name, people in choices(session, schema, actor).items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        if any(p.username == value for p in people):
            continue
        named = named_by(people, value)
        if len(named) == 1:
            out[name] = named[0].username
        elif named:
            errors[name] = msg("field.person_ambiguous", value=value,
                               named=[p.label for p in named[:5]])
        else:
            errors[name] = _unknown(value, people)
    if errors:
        raise InvalidData(errors, msg("form.invalid"))
    return out


def named_by(people: list[Person], text: str) -> list[Person]:
    """The people of ``people`` whom ``text`` names by one of their names (not the
    username: the caller looks that up first)."""
    return [p for p in people if text.strip() in p.names]


def _unknown(value: str, people: list[Person]) -> Msg:
    by_name = ({p.username: p for p in people} | {p.display_name: p for p in people}
               | {p.label: p for p in people})
    close = difflib.get_close_matches(value.strip(), list(by_name), n=6, cutoff=0.4)
    if not close:
        close = [n for n in by_name if value.strip() and value.strip() in n]
    named = list(dict.fromkeys(by_name[n].label for n in close))[:3]
    if named:
        return msg("field.person_unknown_near", value=value, named=named)
    return msg("field.person_unknown", value=value)
