"""Numbering sequences (case numbers, 文号): one row per prefix and year, locked while a
transaction draws from it, so that two commands never issue the same number."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.messages import Msg
from engine.storage.schema import CaseSequence, DocumentSequence

Sequence = TypeVar("Sequence", CaseSequence, DocumentSequence)


def locked(session: Session, kind: type[Sequence], prefix: str, year: int,
           busy: Msg) -> Sequence:
    """The prefix's sequence for the year, locked until the transaction ends; created at its
    first number. Two transactions creating it at once: the later one is a Conflict with the
    message ``busy`` (the caller tries again)."""
    seq = session.execute(
        select(kind).where(kind.prefix == prefix, kind.year == year).with_for_update()
    ).scalar_one_or_none()
    if seq is None:
        seq = kind(prefix=prefix, year=year, last_value=0)
        try:
            with session.begin_nested():
                session.add(seq)
        except IntegrityError as exc:
            raise Conflict(busy) from exc
    return seq
