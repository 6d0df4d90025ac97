"""Fields a choice makes irrelevant (docs/designer-guide.md §4 "Fields that follow a choice").

A form says which fields a choice asks for with JSON Schema's ``if``/``then``/``else``, its own
or in the entries of its ``allOf``::

    "if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
    "then": {"required": ["reject_reason"]}, "else": {"required": ["approved_amount"]}

A *condition* is such an ``if`` that tests one choice the clerk makes (a field with ``enum`` or
``oneOf``/``anyOf`` choices, or a boolean; neither read-only nor hidden) against ``const`` or
``enum`` and nothing else. A branch *names* a field in its ``required`` or its
``properties``. A field is hidden when some condition names it and every condition that names
it names it only in the branch not taken; a field the form requires, a condition's own choice
for that condition, and a field that a branch of an ``if`` of any other shape names are never
hidden. A field both branches name is shown whichever is taken, and starred 必填 while the
branch that requires it is (评价意见 of a 差评). A branch is taken as JSON Schema takes it,
except that while the choice is empty and the form requires it no branch is: the form asks for
the choice first. A choice that is itself hidden counts as empty (one choice may follow
another).

The page hides such fields as the clerk chooses, and the page's server leaves out what was
typed into them; the API takes what it is given. What an earlier round of the task left in a
field the new choice hides is dropped from the case (:func:`left_behind`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

_TESTS = ("const", "enum")


@dataclass(frozen=True)
class ShownWhen:
    """One way a field is shown: while the choice ``field`` holds one of ``values`` (with
    ``negate``, none of them); ``when_empty``: whether it is shown while nothing is chosen;
    ``required``: whether the branch that shows it requires it."""

    field: str
    values: tuple[Any, ...]
    negate: bool
    when_empty: bool
    required: bool = False

    def holds(self, data: Mapping[str, Any]) -> bool:
        value = data.get(self.field)
        if value is None or value == "" or value == []:
            return self.when_empty
        return any(_same(value, v) for v in self.values) != self.negate


def shown_when(schema: Mapping[str, Any] | None) -> dict[str, tuple[ShownWhen, ...]]:
    """Each field a choice may hide, with the ways it is shown (any one shows it)."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return {}
    props: Mapping[str, Any] = schema["properties"]
    given = schema.get("required")
    required = {n for n in given if isinstance(n, str)} if isinstance(given, list) else set()
    entries = schema.get("allOf")
    conditions = [schema, *(entries if isinstance(entries, list) else [])]
    ways: dict[str, list[ShownWhen | None]] = {}  # None: shown whichever branch is taken
    for condition in conditions:
        if not isinstance(condition, Mapping) or "if" not in condition:
            continue
        taken = _branches(condition["if"], props, required)
        then, otherwise = condition.get("then"), condition.get("else")
        named_then, named_else = _named(then), _named(otherwise)
        for name in (named_then | named_else) & set(props):
            both = name in named_then and name in named_else
            needed = name in _needs(then) or name in _needs(otherwise)
            if taken is not None and both and needed and name != taken[0].field:
                # shown whichever is chosen, required by one branch: starred while it holds
                ways.setdefault(name, []).extend((
                    ShownWhen(taken[0].field, (), True, True),
                    replace(taken[0], required=name in _needs(then)),
                    replace(taken[1], required=name in _needs(otherwise))))
            elif taken is None or name == taken[0].field or both:
                ways.setdefault(name, []).append(None)
            else:
                way, branch = (taken[0], then) if name in named_then else (taken[1], otherwise)
                ways.setdefault(name, []).append(replace(way, required=name in _needs(branch)))
    return {name: tuple(w for w in found if w is not None) for name, found in ways.items()
            if None not in found and name not in required}


def hidden_fields(ways: Mapping[str, Sequence[ShownWhen]], data: Mapping[str, Any]
                  ) -> set[str]:
    """The fields of ``ways`` (:func:`shown_when`) that ``data`` hides; a hidden choice is
    empty to the conditions on it."""
    hidden: set[str] = set()
    for _ in range(len(ways) + 1):  # each round settles at least one more choice
        seen = {k: v for k, v in data.items() if k not in hidden}
        now = {name for name, shown in ways.items() if not any(w.holds(seen) for w in shown)}
        if now == hidden:
            break
        hidden = now
    return hidden


def left_behind(schema: Mapping[str, Any] | None, seen: Mapping[str, Any],
                data: Mapping[str, Any]) -> list[str]:
    """What an earlier round typed into fields this submission's choice hides: the task sees
    them (``seen``) and the submission does not set them. A 转办 sent back and redone as
    予以了结 must not keep naming the 承办部门 of the round before."""
    ways = shown_when(schema)
    if not ways:
        return []
    hidden = hidden_fields(ways, {**seen, **data})
    return sorted(name for name in hidden if name in seen and name not in data)


def _branches(test: Any, props: Mapping[str, Any], required: set[str]
              ) -> tuple[ShownWhen, ShownWhen] | None:
    """How ``then`` and ``else`` are taken, or None when ``test`` is not one choice tested
    against constants."""
    if not isinstance(test, Mapping) or set(test) - {"properties", "required"}:
        return None
    tested = test.get("properties")
    if not isinstance(tested, Mapping) or len(tested) != 1:
        return None
    [(name, against)] = tested.items()
    needs = test.get("required", [])
    if not isinstance(needs, list) or set(needs) - {name} or not _is_choice(props.get(name)):
        return None
    if not isinstance(against, Mapping) or len(against) != 1 or next(iter(against)) not in _TESTS:
        return None
    values = (against["const"],) if "const" in against else against["enum"]
    if not isinstance(values, list | tuple):
        return None
    # nothing chosen: JSON Schema's ``if`` holds unless it requires the choice; a form that
    # requires the choice shows neither branch until it is made
    holds_when_empty = name not in needs
    asked_first = name in required
    return (ShownWhen(name, tuple(values), False, holds_when_empty and not asked_first),
            ShownWhen(name, tuple(values), True, not holds_when_empty and not asked_first))


def _is_choice(prop: Any) -> bool:
    """A field the clerk picks one value of: choices, or a boolean."""
    if not isinstance(prop, Mapping) or prop.get("readOnly") or prop.get("x-hidden"):
        return False
    if prop.get("type") == "boolean" or isinstance(prop.get("enum"), list):
        return True
    return any(isinstance(prop.get(k), list) and prop[k] and all(
        isinstance(o, Mapping) and "const" in o for o in prop[k]) for k in ("oneOf", "anyOf"))


def _named(branch: Any) -> set[str]:
    """The fields a branch names: in its ``required`` and its ``properties``."""
    props = branch.get("properties") if isinstance(branch, Mapping) else None
    return _needs(branch) | ({n for n in props if isinstance(n, str)}
                             if isinstance(props, Mapping) else set())


def _needs(branch: Any) -> set[str]:
    """The fields a branch requires."""
    needs = branch.get("required") if isinstance(branch, Mapping) else None
    return {n for n in needs if isinstance(n, str)} if isinstance(needs, list) else set()


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values (True is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)
