"""Case numbers: one sequence per prefix and year, e.g. ZF-2026-000123 (逐件编号登记).

A process with a ``case_prefix`` numbers every case itself: nobody may choose its number, and
the database refuses a number twice for one prefix (the unique index ``uq_instances_case_number`` on
``instances.case_prefix, business_key``: the prefix is recorded only for numbers the sequence
issued). Elsewhere a caller may name a case, with a key no case of the process has yet; a
start form may name it too, by marking one field ``"x-business-key": true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, InvalidData, refused
from engine.messages import msg
from engine.storage import sequences
from engine.storage.schema import CaseSequence, ProcessInstance, ProcessVersion
from engine.time.calendar import TZ


def next_case_number(session: Session, prefix: str, now: datetime) -> str:
    """The next number of the prefix's sequence for ``now``'s year. The sequence's row is
    locked and read once per transaction (a bulk start numbers a chunk of cases in one)."""
    year = now.astimezone(TZ).year
    held: dict[tuple[str, int], CaseSequence] = session.info.setdefault(_HELD, {})
    seq = held.get((prefix, year))
    if seq is None:
        seq = sequences.locked(session, CaseSequence, prefix, year,
                               msg("case.numbering_busy"))
        held[(prefix, year)] = seq
    seq.last_value += 1
    return f"{prefix}-{year}-{seq.last_value:06d}"


_HELD = "kuaiban_case_sequences"  # session.info: the sequences this transaction locked


KEY_FIELD = "x-business-key"


def key_field(schema: Mapping[str, Any] | None) -> str | None:
    """The start form's field whose value names the case, if it has one."""
    properties = (schema or {}).get("properties") or {}
    return next((name for name, prop in properties.items()
                 if isinstance(prop, dict) and prop.get(KEY_FIELD) is True), None)


def check_chosen(session: Session, version: LoadedVersion, business_key: str,
                 unique: bool, field: str | None = None) -> None:
    """A case may be named only where the process does not number its cases; by a caller
    (``unique``) only with a key no case of the process has. A key a start form's ``field``
    gave is refused beside that field."""
    if not 0 < len(business_key) <= 64:
        raise InvalidData({"business_key": msg("field.business_key_length")},
                          msg("case.business_key_too_long"))
    if version.case_prefix:
        raise InvalidData(
            {"business_key": msg("field.business_key_by_system",
                                 case_prefix=version.case_prefix)},
            msg("case.numbered_by_system", key=version.key, case_prefix=version.case_prefix))
    if not unique:
        return
    lock_named_starts(session, version.key)
    taken = case_exists(session, version.key, business_key)
    if taken and field is not None:
        raise refused(field, msg("case.key_field_taken", business_key=business_key))
    if taken:
        raise Conflict(msg("case.business_key_taken", key=version.key, business_key=business_key))


def case_exists(session: Session, key: str, business_key: str) -> bool:
    return session.execute(select(ProcessInstance.id).where(
        ProcessInstance.process_key == key,
        ProcessInstance.business_key == business_key).limit(1)).first() is not None


def lock_named_starts(session: Session, key: str) -> None:
    """One transaction at a time may start a named case of ``key``: two starts naming the
    same key (a person's and a timer start's, engine/runtime/worker.py) would otherwise each
    see no case on PostgreSQL and both insert one. The lock is the process's first version
    row, the one the start schedule locks too."""
    session.execute(select(ProcessVersion.id).where(ProcessVersion.key == key)
                    .order_by(ProcessVersion.version).limit(1).with_for_update())
