"""The search text of a case (one row of ``case_search`` per instance): its case number, procedure
name and every text or number in its data, written by the command that changes the data, in the
command's transaction, with the case's subject (engine/runtime/case_subject.py). The databases
index it for substring search that needs no word splitting (Chinese has no spaces): SQLite's
FTS5 ``trigram`` tokenizer over an external-content table kept in step by triggers,
PostgreSQL's ``pg_trgm`` GIN index (both made by the migration ``e5c7d9a1b3f4``).
engine/queries/search.py reads it.

Confidential fields (engine/queries/confidential.py) and file fields never enter the text, so
no search can find a case by them or show them in a highlighted snippet, whoever asks (those
who may read them open the case). A person field (``x-user``) enters by the person's display
name, as the pages show it, not by the username it stores.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.files.fields import file_fields
from engine.org import people, users
from engine.queries.confidential import rules_everywhere
from engine.runtime import case_subject
from engine.storage import driver
from engine.storage.schema import CASE_SEARCH, ProcessInstance
from engine.time import instants

MAX_CHARS = 20_000  # more text finds nothing a person would type; keeps the index small
_BATCH = 500
# a command that changes a case's data writes its text
_INSERT = driver.Write(insert(CASE_SEARCH))
_UPDATE = driver.Write(update(CASE_SEARCH).where(CASE_SEARCH.c.instance_id == bindparam("id"))
                       .values(body=bindparam("body"), subject=bindparam("subject")))

_lock = threading.Lock()


@dataclass
class _Known:
    """What one engine's database says, kept beside its version cache."""

    files: dict[int, frozenset[str]] = field(default_factory=dict)  # version id -> fields
    persons: dict[int, frozenset[str]] = field(default_factory=dict)  # version id -> fields


_known: weakref.WeakKeyDictionary[VersionCache, _Known] = weakref.WeakKeyDictionary()


def _known_of(versions: VersionCache) -> _Known:
    with _lock:
        return _known.setdefault(versions, _Known())


def excluded_fields(session: Session, versions: VersionCache, own: LoadedVersion
                    ) -> frozenset[str]:
    """Fields kept out of the text: every field the newest text of any deployed form marks
    confidential (a case's data travels: a ledger copy or an escalation
    carries the fields of the clue that started it, under forms that do not mark them), and
    the case's file fields."""
    return confidential_everywhere(session, versions) | _file_fields(versions, own)


def _file_fields(versions: VersionCache, version: LoadedVersion) -> frozenset[str]:
    files = _known_of(versions).files
    found = files.get(version.id)
    if found is None:
        found = files[version.id] = frozenset(name for schema in version.forms.values()
                                              for name in file_fields(schema))
    return found


def _person_fields(versions: VersionCache, version: LoadedVersion) -> frozenset[str]:
    persons = _known_of(versions).persons
    found = persons.get(version.id)
    if found is None:
        found = persons[version.id] = frozenset(
            name for schema in version.forms.values()
            for name, prop in (schema.get("properties") or {}).items()
            if isinstance(prop, dict) and people.USER in prop)
    return found


def _by_name(session: Session, versions: VersionCache, version: LoadedVersion,
             *datas: Mapping[str, Any] | None) -> list[Mapping[str, Any] | None]:
    """Each data with its person fields' usernames replaced by display names (one query, and
    none when no person field holds a value)."""
    fields = _person_fields(versions, version)
    held = {data[f] for data in datas if data for f in fields if isinstance(data.get(f), str)}
    if not held:
        return list(datas)
    names = users.display_names(session, held)
    return [None if data is None else
            {k: names.get(v, v) if k in fields and isinstance(v, str) else v
             for k, v in data.items()} for data in datas]


def confidential_everywhere(session: Session, versions: VersionCache) -> frozenset[str]:
    """From the newest text of every deployed form; read again when a deploy made a new
    version (a new form text always does)."""
    return frozenset(rules_everywhere(session, versions))


# Values no one searches for: a file's sha256, an engine's name for something (a procedure's
# key, a choice's code)
_FILE_REF = re.compile(r"[0-9a-f]{64}")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


def text_of(business_key: str | None, process_name: str, data: Mapping[str, Any],
            excluded: frozenset[str]) -> str:
    """One line per distinct value, the case number and procedure name first."""
    seen: dict[str, None] = {}
    for value in (business_key, process_name, *_values(data, excluded)):
        if value:
            seen.setdefault(value.replace("\n", " "), None)
    return "\n".join(seen)[:MAX_CHARS]


def _values(value: Any, excluded: frozenset[str]) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key not in excluded:
                yield from _values(item, excluded)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _values(item, excluded)
    elif isinstance(value, str):
        text = value.strip()
        if not _FILE_REF.fullmatch(text) and not _IDENTIFIER.fullmatch(text):
            yield instants.shown(text) or text
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def write(session: Session, versions: VersionCache, row: ProcessInstance,
          version: LoadedVersion, before: Mapping[str, Any] | None, new: bool = False) -> None:
    """Store the case's text when it changed (``before``: its data before the command, None
    to write it anyway; ``new``: a case just started, which has no text yet)."""
    excluded = excluded_fields(session, versions, version)
    data, before = _by_name(session, versions, version, row.data or {}, before)
    texts = _texts(row.business_key, version, data or {}, excluded)
    if before is not None and texts == _texts(row.business_key, version, before, excluded):
        return
    if new:
        _INSERT.run(session, {"instance_id": row.id, **texts})
    else:
        _store(session, row.id, texts)


def _texts(business_key: str | None, version: LoadedVersion, data: Mapping[str, Any],
           excluded: frozenset[str]) -> dict[str, str | None]:
    """The row's columns: the search text and the subject."""
    return {"body": text_of(business_key, version.name, data, excluded),
            "subject": case_subject.render(version, data, excluded)}


def _store(session: Session, instance_id: int, texts: dict[str, str | None]) -> None:
    def inserted_if_missing(count: int) -> None:
        if count == 0:  # a case from before the search text existed
            _INSERT.run(session, {"instance_id": instance_id, **texts})

    _UPDATE.run(session, {"id": instance_id, **texts}, inserted_if_missing)



def rebuild(session: Session, versions: VersionCache, process_key: str | None = None,
            after_id: int = 0) -> tuple[int, int] | None:
    """Rewrite the text of up to one batch of cases with ids above ``after_id`` (of one
    procedure, when given): (cases done, the last id), None when there were none."""
    query = select(ProcessInstance.id, ProcessInstance.version_id, ProcessInstance.business_key,
                   ProcessInstance.data).where(ProcessInstance.id > after_id)
    if process_key is not None:
        query = query.where(ProcessInstance.process_key == process_key)
    rows = session.execute(query.order_by(ProcessInstance.id).limit(_BATCH)).all()
    for row in rows:
        version = versions.get(session, row.version_id)
        data = _by_name(session, versions, version, row.data or {})[0]
        _store(session, row.id, _texts(row.business_key, version, data or {},
                                       excluded_fields(session, versions, version)))
    return (len(rows), rows[-1].id) if rows else None
