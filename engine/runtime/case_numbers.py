"""Case numbers: one sequence per prefix and year, e.g. ZF-2026-000123 (逐件编号登记)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.storage.schema import CaseSequence
from engine.time.calendar import TZ


def next_case_number(session: Session, prefix: str, now: datetime) -> str:
    year = now.astimezone(TZ).year
    seq = session.execute(
        select(CaseSequence)
        .where(CaseSequence.prefix == prefix, CaseSequence.year == year)
        .with_for_update()
    ).scalar_one_or_none()
    if seq is None:
        seq = CaseSequence(prefix=prefix, year=year, last_value=0)
        try:
            with session.begin_nested():
                session.add(seq)
        except IntegrityError as exc:
            raise Conflict("another case was registered at the same moment; try again") from exc
    seq.last_value += 1
    return f"{prefix}-{year}-{seq.last_value:06d}"
