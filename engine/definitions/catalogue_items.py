"""Form fields that pick a row of a catalogue: a one-input decision table (DMN) looked up by
its number, such as the 行政审批中介服务事项清单 (processes/intermediary_catalogue.dmn).

    "intermediary_item": {"type": "string", "title": "中介服务事项",
                          "x-catalogue": "intermediary_catalogue"}

``x-catalogue`` names the decision (its id). The field offers the table's rows in their
order, the catch-all row left out, each labelled with its number, its first output (the
name) and its first unit column (``directory_unit``); a number the table does not list is
refused beside the field, with the numbers it resembles. An empty value is no choice (an
optional field): a start form that leaves the field out stores it as "" (``with_empty``),
so the decision that looks it up always has its input and its catch-all row answers.
Deploying checks that the decision is among the files deployed together or before; with it
not deployed (a bare test database) the field is taken as given.
"""

from __future__ import annotations

import difflib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from engine.definitions import (
    decision_rows,
    registry,  # forms -> here -> registry -> forms: use at call time
)
from engine.definitions.xmlsafe import parse as parse_xml
from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org import directory
from engine.org.directory import Directory
from engine.storage import counters

CATALOGUE = "x-catalogue"


@dataclass(frozen=True)
class CatalogueItem:
    """One row of a catalogue, as a picker offers it."""

    value: str  # the number the table is looked up by
    name: str
    unit: str  # the unit of its first unit column, by name ("" when it has none)
    # every output of the row (output name, cell as people write it): what a form that
    # shows the row's details read-only fills in when the row is picked
    details: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.value} {self.name}（{self.unit}）" if self.unit else \
            f"{self.value} {self.name}"


@dataclass(frozen=True)
class Catalogue:
    title: str  # the decision's name
    items: tuple[CatalogueItem, ...]


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-catalogue`` (for ``check_form``)."""
    if not isinstance(prop, dict) or CATALOGUE not in prop:
        return None
    value = prop[CATALOGUE]
    return None if isinstance(value, str) and value.strip() else \
        msg("form.catalogue_shape", name=name)


def fields(schema: Mapping[str, Any] | None) -> dict[str, str]:
    """Field name -> the decision it picks from, for each ``x-catalogue`` field."""
    props = (schema or {}).get("properties") if isinstance(schema, Mapping) else None
    return {name: prop[CATALOGUE] for name, prop in (props or {}).items()
            if isinstance(prop, dict) and isinstance(prop.get(CATALOGUE), str)}


def unknown_decisions(schema: Mapping[str, Any], decisions: Collection[str]
                      ) -> dict[str, Msg]:
    """Field name -> the problem, for each ``x-catalogue`` naming a decision not deployed."""
    known = sorted(d for d in decisions if d)
    return {name: msg("form.catalogue_unknown", name=name, decision=decision, known=known)
            for name, decision in fields(schema).items() if decision not in decisions}


def _items(tree: etree._ElementTree, decision: str, found: Directory | None
           ) -> Catalogue | None:
    element = next((d for d in tree.getroot().iter("{*}decision") if d.get("id") == decision),
                   None)
    if element is None:
        return None
    table = decision_rows.read_element(element, found)
    given = next((i for i, c in enumerate(table.columns) if c.is_input), None)
    if given is None:
        return Catalogue(element.get("name") or decision, ())
    named = next((i for i, c in enumerate(table.columns)
                  if not c.is_input and not c.is_unit), None)
    unit = next((i for i, c in enumerate(table.columns) if c.is_unit), None)
    outputs = [(i, c.name) for i, c in enumerate(table.columns) if not c.is_input]
    items = tuple(CatalogueItem(row[given], row[named] if named is not None else "",
                                row[unit] if unit is not None else "",
                                tuple((name, row[i]) for i, name in outputs))
                  for row in table.rows if row[given] not in (decision_rows.ANY, ""))
    return Catalogue(element.get("name") or decision, items)


# Every form start, completion and page with a catalogue field asks for its catalogue; the
# parsed rows are kept while what they are made of holds: the deployed file's text (by its
# content digest) and the unit directory its unit columns name (by its change counter,
# engine/storage/counters.py), per database (its connection pool), the least recently used
# dropped beyond a bound. The decisions each deployed file holds are kept by digest, so the
# texts are read only for a file not seen before.
KEPT_MAX = 64
_lock = threading.Lock()
_held: OrderedDict[str, frozenset[str]] = OrderedDict()
_kept: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, str, int], Catalogue]] = \
    weakref.WeakKeyDictionary()


def catalogue(session: Session, decision: str) -> Catalogue | None:
    """The deployed catalogue ``decision``; None when no deployed file holds it."""
    for digest in registry.latest_digests(session, "dmn").values():
        if decision in _decisions_in(session, digest):
            return _kept_catalogue(session, decision, digest)
    return None


def _decisions_in(session: Session, digest: str) -> frozenset[str]:
    with _lock:
        held = _held.get(digest)
        if held is not None:
            _held.move_to_end(digest)
            return held
    held = frozenset(registry.decision_ids(registry.file_text(session, digest)))
    with _lock:
        _held[digest] = held
        while len(_held) > KEPT_MAX:
            _held.popitem(last=False)
    return held


def _kept_catalogue(session: Session, decision: str, digest: str) -> Catalogue:
    key = (decision, digest, counters.read(session).units)
    database = session.get_bind().engine.pool  # shared by the engine and its read-only options
    with _lock:
        kept = _kept.setdefault(database, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    tree = parse_xml(registry.file_text(session, digest).encode("utf-8"), decision)
    listed = _items(tree, decision, directory.load(session))
    assert listed is not None  # the file holds the decision
    if not session.info.get(directory.STORED):  # a directory this transaction stored may yet
        with _lock:                             # roll back, and its counter come again
            kept[key] = listed
            while len(kept) > KEPT_MAX:
                kept.popitem(last=False)
    return listed


def choices(session: Session, schema: Mapping[str, Any] | None
            ) -> dict[str, list[CatalogueItem]]:
    """Field name -> the rows its picker offers, for each ``x-catalogue`` field whose
    catalogue is deployed."""
    out = {}
    for name, decision in fields(schema).items():
        found = catalogue(session, decision)
        if found is not None:
            out[name] = list(found.items)
    return out


def with_empty(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each catalogue field it leaves out as "" (a case's first data: a task's
    form that leaves one out keeps what the case has)."""
    return {**{name: "" for name in fields(schema)}, **data}


def check(session: Session, schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> None:
    """InvalidData with a field error for each number its catalogue does not list."""
    errors = {}
    for name, decision in fields(schema).items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        found = catalogue(session, decision)
        if found is None or any(i.value == value for i in found.items):
            continue
        errors[name] = _refusal(value.strip(), found)
    if errors:
        raise InvalidData(errors, msg("form.invalid"))


def _refusal(value: str, found: Catalogue) -> Msg:
    numbers = [i.value for i in found.items]
    near = set(difflib.get_close_matches(value.upper(), numbers, n=3, cutoff=0.5))
    close = [n for n in numbers if n in near]  # in the catalogue's order
    if close:
        return msg("field.catalogue_unlisted_near", value=value, table=found.title, close=close)
    return msg("field.catalogue_unlisted", value=value, table=found.title)
