"""The search text of a case (one row of ``case_search`` per instance): its case number,
procedure name and every text or number in its data, written by the command that changes the
data, in the command's transaction. The databases index it for substring search that needs no
word splitting (Chinese has no spaces): SQLite's FTS5 ``trigram`` tokenizer over an
external-content table kept in step by triggers, PostgreSQL's ``pg_trgm`` GIN index (both
made by the migration ``e5c7d9a1b3f4``). engine/queries/search.py reads it.

Confidential fields (engine/queries/confidential.py) and file fields never enter the text, so
no search can find a case by them or show them in a highlighted snippet, whoever asks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.definitions.registry import LoadedVersion, VersionCache
from engine.files.fields import file_fields
from engine.queries.confidential import rules_of
from engine.storage.schema import CASE_SEARCH, ProcessInstance

MAX_CHARS = 20_000  # more text finds nothing a person would type; keeps the index small
_BATCH = 500

_excluded: dict[tuple[int, int], frozenset[str]] = {}
_lock = threading.Lock()


def excluded_fields(own: LoadedVersion, newest: LoadedVersion) -> frozenset[str]:
    """Fields kept out of the text: confidential in the case's version or in the newest
    (marked confidential later, hidden in older cases too), and file fields."""
    key = (own.id, newest.id)
    found = _excluded.get(key)
    if found is None:
        forms = [*own.forms.values(), *newest.forms.values()]
        found = frozenset(rules_of(forms)) | {name for schema in forms
                                              for name in file_fields(schema)}
        with _lock:
            if len(_excluded) > 1024:
                _excluded.clear()
            _excluded[key] = found
    return found


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
        yield value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def write(session: Session, row: ProcessInstance, version: LoadedVersion,
          newest: LoadedVersion, before: Mapping[str, Any] | None) -> None:
    """Store the case's text when it changed (``before``: its data before the command, None
    for a new case)."""
    excluded = excluded_fields(version, newest)
    body = text_of(row.business_key, version.name, row.data or {}, excluded)
    if before is not None and body == text_of(row.business_key, version.name, before, excluded):
        return
    _store(session, row.id, body)


def _store(session: Session, instance_id: int, body: str) -> None:
    conn = session.connection()
    done = conn.execute(update(CASE_SEARCH).where(CASE_SEARCH.c.instance_id == instance_id)
                        .values(body=body))
    if done.rowcount == 0:  # a new case, or one from before the search text existed
        conn.execute(insert(CASE_SEARCH).values(instance_id=instance_id, body=body))


def rebuild(session: Session, versions: VersionCache, process_key: str | None = None,
            after_id: int = 0) -> tuple[int, int] | None:
    """Rewrite the text of up to one batch of cases with ids above ``after_id`` (of one
    procedure, when given): (cases done, the last id), None when there were none."""
    query = select(ProcessInstance).where(ProcessInstance.id > after_id)
    if process_key is not None:
        query = query.where(ProcessInstance.process_key == process_key)
    rows = list(session.execute(query.order_by(ProcessInstance.id).limit(_BATCH)).scalars())
    for row in rows:
        version = versions.get(session, row.version_id)
        newest = versions.latest(session, row.process_key)
        body = text_of(row.business_key, version.name, row.data or {},
                       excluded_fields(version, newest))
        _store(session, row.id, body)
    return (len(rows), rows[-1].id) if rows else None
