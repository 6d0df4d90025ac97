"""Each case's 统一社会信用代码 (``case_credit_codes``): the value of its data's ``credit_code``,
written by the command that gives or changes it, in the command's transaction, as the search
text is (engine/runtime/search_text.py). An enterprise user's cases are those filed with its
code (engine/queries/visibility.py), found through the index on it instead of reading every
case's data. The migration ``c6f1a3e8b2d4`` filled it for the cases before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from engine.storage import driver
from engine.storage.schema import CASE_CREDIT_CODES, ProcessInstance

FIELD = "credit_code"
MAX_LENGTH = 32  # the column; a longer value is no code any enterprise user has

_INSERT = driver.Write(insert(CASE_CREDIT_CODES))
_UPDATE = driver.Write(update(CASE_CREDIT_CODES)
                       .where(CASE_CREDIT_CODES.c.instance_id == bindparam("id"))
                       .values(credit_code=bindparam("code")))


def code_of(data: Mapping[str, Any] | None) -> str | None:
    """The code the case was filed with, as its data holds it (the visibility rule compares
    it as it is); None when it has none that could name an enterprise."""
    value = (data or {}).get(FIELD)
    if isinstance(value, str) and 0 < len(value) <= MAX_LENGTH:
        return value
    return None


def write(session: Session, row: ProcessInstance, before: Mapping[str, Any] | None,
          new: bool = False) -> None:
    """Store the case's code when it changed (``before``: its data before the command, None
    to write it anyway; ``new``: a case just started, which has no row yet)."""
    code = code_of(row.data)
    if before is not None and code == code_of(before):
        return
    if new:
        if code is not None:
            _INSERT.run(session, {"instance_id": row.id, "credit_code": code})
        return

    def inserted_if_missing(count: int) -> None:
        if count == 0 and code is not None:  # the case had no code before
            _INSERT.run(session, {"instance_id": row.id, "credit_code": code})

    _UPDATE.run(session, {"id": row.id, "code": code}, inserted_if_missing)
