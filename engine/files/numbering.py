"""文号: the engine numbers official documents per kind (the template's prefix) and year,
景纪交〔2026〕12号, like case numbers (engine/runtime/case_numbers.py); no number is typed by
hand, and the event that issues a document records its number, so replay never draws one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.messages import msg
from engine.storage import sequences
from engine.storage.schema import DocumentSequence
from engine.time.calendar import TZ


def doc_number(prefix: str, year: int, value: int) -> str:
    return f"{prefix}〔{year}〕{value}号"


def next_doc_number(session: Session, prefix: str, now: datetime) -> str:
    year = now.astimezone(TZ).year
    seq = sequences.locked(session, DocumentSequence, prefix, year,
                           msg("document.numbering_busy"))
    seq.last_value += 1
    return doc_number(prefix, year, seq.last_value)
