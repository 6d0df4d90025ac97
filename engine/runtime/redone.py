"""What a step done again no longer asks: the answers its earlier round gave to fields the new
choice hides (docs/designer-guide.md §4 "Fields that follow a choice").

A 转办 sent back and redone as 予以了结 must not leave the clue naming the 承办部门 of the
round before. Only fields an earlier completion of the same step answered are dropped: a field
another step set (a registration's own 说明, say) stays whatever this form hides. The command
records the names with its event (``dropped``), so replay drops the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.form_branches import left_behind
from engine.storage.schema import EVENTS


def dropped(session: Session, instance_id: int, element_id: str,
            schema: Mapping[str, Any] | None, seen: Mapping[str, Any],
            data: Mapping[str, Any]) -> list[str]:
    """The fields to drop from the case as the step ``element_id`` completes with ``data``."""
    hidden = left_behind(schema, seen, data)
    if not hidden:  # the common case: no event read
        return []
    payloads = session.execute(select(EVENTS.c.payload).where(
        EVENTS.c.instance_id == instance_id, EVENTS.c.type == "completed")).scalars()
    answered = {name for p in payloads if p.get("element_id") == element_id
                for name in p.get("data") or {}}
    return [name for name in hidden if name in answered]
