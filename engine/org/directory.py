"""The unit directory (单位名录): every unit a procedure names, with its names, kind, parent
and the lists (tags) it belongs to. The city maintains it as data (processes/units.csv); the
engine loads it into the ``units`` table and reads it from there, so a change takes effect
for new tasks without redeploying anything."""

from __future__ import annotations

import csv
import difflib
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.storage import counters
from engine.storage.schema import UNITS

KINDS = ("行政区", "纪委监委", "内设机构", "派驻机构", "人民政府", "市直部门", "县直部门",
         "园区管委会", "司法机关", "窗口")
# Kinds whose units are a jurisdiction: the city, a county-level division, a development zone.
AREA_KINDS = frozenset({"行政区", "园区管委会"})
# Kinds that work inside another unit: their people act for the unit above as well.
OFFICE_KINDS = frozenset({"内设机构"})
COLUMNS = ("id", "name", "full_name", "aliases", "kind", "parent", "tags", "fields")
OPTIONAL_COLUMNS = ("doc_code",)  # a directory file written before them still loads
_SESSION_KEY = "unit_directory"
STORED = "unit_directory_stored"  # this transaction replaced the directory


@dataclass(frozen=True)
class Unit:
    id: str
    name: str  # what tasks, users, boards and ledgers show
    full_name: str
    aliases: tuple[str, ...] = ()
    kind: str = "市直部门"
    parent: str | None = None
    tags: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # for a 行业主管部门: the fields it regulates
    # the 发文代字 its official documents are numbered under (浮纪: 浮纪交〔2026〕1号)
    doc_code: str = ""

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "full_name": self.full_name,
                "aliases": list(self.aliases), "kind": self.kind, "parent": self.parent,
                "tags": list(self.tags), "fields": list(self.fields),
                "doc_code": self.doc_code}

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the unit answers to: id, name, full name, aliases."""
        return tuple(dict.fromkeys((self.id, self.name, self.full_name, *self.aliases)))


@dataclass(frozen=True)
class DirectoryError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Directory:
    """The units in file order, looked up by any of their names."""

    units: list[Unit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {u.id: u for u in self.units}
        self._by_name = {n: u for u in self.units for n in u.names}
        self._children: dict[str | None, list[Unit]] = {}
        for unit in self.units:
            self._children.setdefault(unit.parent, []).append(unit)

    def __bool__(self) -> bool:
        return bool(self.units)

    def find(self, text: str | None) -> Unit | None:
        """The unit named ``text`` (its id, name, full name or an alias), or None."""
        return self._by_name.get(text.strip()) if text else None

    def closest(self, text: str, n: int = 3) -> list[str]:
        """The names of the units whose names are closest to ``text`` (for a typo)."""
        names = list(self._by_name)
        found = difflib.get_close_matches(text.strip(), names, n=n * 3, cutoff=0.4)
        if not found:  # a fragment: names that contain it
            found = [name for name in names if text.strip() and text.strip() in name]
        return list(dict.fromkeys(self._by_name[name].name for name in found))[:n]

    def resolve(self, text: str, what: str = "unit") -> Unit:
        """The unit named ``text``; an unknown name is a field error naming the closest."""
        unit = self.find(text)
        if unit is None:
            raise InvalidData({what: unknown_message(text, self.closest(text))},
                              msg("units.unknown", unit=text))
        return unit

    def tagged(self, *tags: str) -> list[Unit]:
        """The units with any of ``tags``, in directory order."""
        return [u for u in self.units if set(tags) & set(u.tags)]

    def regulators(self, field_name: str) -> list[Unit]:
        """The 行业主管部门 of a field."""
        return [u for u in self.tagged("行业主管部门") if field_name in u.fields]

    def subtree(self, unit: Unit) -> list[Unit]:
        """``unit`` and every unit below it."""
        out, stack = [], [unit]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self._children.get(current.id, [])))
        return out

    def children(self, unit: Unit | None) -> list[Unit]:
        return list(self._children.get(unit.id if unit else None, []))

    def ancestors(self, unit: Unit) -> list[Unit]:
        """``unit`` and the units above it, nearest first."""
        out: list[Unit] = []
        current: Unit | None = unit
        while current is not None and current not in out:
            out.append(current)
            current = self._by_id.get(current.parent) if current.parent else None
        return out

    def body(self, unit: Unit) -> Unit:
        """The unit an internal office works for (the unit itself otherwise)."""
        return next((u for u in self.ancestors(unit) if u.kind not in OFFICE_KINDS), unit)

    def area(self, unit: Unit) -> Unit:
        """The jurisdiction a unit belongs to: the city, a county or a development zone."""
        return next((u for u in self.ancestors(unit) if u.kind in AREA_KINDS), unit)


def unknown_message(text: str, closest: Sequence[str]) -> Msg:
    if closest:
        return msg("field.unit_unknown_near", text=text, closest=list(closest))
    return msg("field.unit_unknown", text=text)


# -- the data file ---------------------------------------------------------------------------


def parse(text: str) -> list[Unit]:
    """The units of a directory file; every problem of the whole file, each with its line, is
    one InvalidData (nothing is loaded from a file with any problem)."""
    rows = [(n, line) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]
    problems: list[DirectoryError] = []
    if not rows:
        raise InvalidData({"file": msg("field.no_units")}, msg("units.file_empty"))
    header_line, header = rows[0]
    columns = next(csv.reader([header]))
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise InvalidData({"file": msg("field.missing_columns", line=header_line,
                                            columns=missing)},
                          msg("units.not_a_directory"))
    units: list[tuple[int, Unit]] = []
    for number, line in rows[1:]:
        values = dict(zip(columns, next(csv.reader([line])), strict=False))
        unit, problem = _unit(values)
        if problem:
            problems.append(DirectoryError(number, problem))
        elif unit is not None:
            units.append((number, unit))
    problems += check(units)
    if problems:
        problems.sort(key=lambda p: p.line)
        raise InvalidData({"file": "\n".join(map(str, problems))},
                          msg("units.file_problems", count=len(problems)))
    return [u for _, u in units]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split("|") if p.strip())


def _unit(values: dict[str, str]) -> tuple[Unit | None, str | None]:
    unit_id, name = (values.get("id") or "").strip(), (values.get("name") or "").strip()
    kind = (values.get("kind") or "").strip()
    if not unit_id or not name:
        return None, "id and name are required"
    if len(unit_id) > 64 or len(name) > 128:
        return None, f"{unit_id}: the id (64) or the name (128 characters) is too long"
    if kind not in KINDS:
        return None, f"{unit_id}: unknown kind {kind!r} (one of {', '.join(KINDS)})"
    doc_code = (values.get("doc_code") or "").strip()
    if len(doc_code) > 16:
        return None, f"{unit_id}: the doc_code (16 characters) is too long"
    return Unit(unit_id, name, (values.get("full_name") or "").strip() or name,
                _split(values.get("aliases")), kind, (values.get("parent") or "").strip() or None,
                _split(values.get("tags")), _split(values.get("fields")), doc_code), None


def check(units: Sequence[tuple[int, Unit]]) -> list[DirectoryError]:
    """Duplicate ids and names, unknown parents and cycles, each at its line."""
    problems: list[DirectoryError] = []
    owner: dict[str, tuple[int, Unit]] = {}
    for line, unit in units:
        for name in unit.names:
            other = owner.setdefault(name, (line, unit))
            if other[1] is not unit:
                problems.append(DirectoryError(
                    line, f"{unit.id}: the name {name!r} is taken by {other[1].id} "
                          f"(line {other[0]})"))
    ids = {u.id: u for _, u in units}
    for line, unit in units:
        if unit.parent is not None and unit.parent not in ids:
            problems.append(DirectoryError(line, f"{unit.id}: unknown parent {unit.parent!r}"))
            continue
        seen, current = {unit.id}, unit
        while current.parent is not None and current.parent in ids:
            current = ids[current.parent]
            if current.id in seen:
                problems.append(DirectoryError(line, f"{unit.id}: its parents form a cycle"))
                break
            seen.add(current.id)
    return problems


# -- the table -------------------------------------------------------------------------------


# The directory each database's units_version counter last gave (engine/storage/counters.py)
_kept: weakref.WeakKeyDictionary[Any, tuple[int, Directory]] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def load(session: Session) -> Directory:
    """The directory as stored: read again only when its change counter moved."""
    found: Directory | None = session.info.get(_SESSION_KEY)
    if found is None:
        version = counters.read(session).units
        bind = session.get_bind()
        with _kept_lock:
            kept = _kept.get(bind)
        if kept is not None and kept[0] == version:
            found = kept[1]
        else:
            rows = session.connection().execute(select(UNITS).order_by(UNITS.c.position))
            found = Directory([Unit(r.id, r.name, r.full_name, tuple(r.aliases), r.kind,
                                    r.parent_id, tuple(r.tags), tuple(r.fields),
                                    r.doc_code or "") for r in rows])
            if not session.info.get(STORED):  # not rolled back later: kept for everyone
                with _kept_lock:
                    _kept[bind] = (version, found)
        session.info[_SESSION_KEY] = found
    return found


def store(session: Session, units: Sequence[Unit]) -> None:
    """Replace the stored directory with ``units`` (already checked by :func:`parse`)."""
    connection = session.connection()
    connection.execute(delete(UNITS))
    if units:
        connection.execute(UNITS.insert(), [
            {"id": u.id, "name": u.name, "full_name": u.full_name, "aliases": list(u.aliases),
             "kind": u.kind, "parent_id": u.parent, "tags": list(u.tags),
             "fields": list(u.fields), "doc_code": u.doc_code, "position": n}
            for n, u in enumerate(units)])
    counters.bump_units(session)
    session.info.pop(_SESSION_KEY, None)
    session.info[STORED] = True
