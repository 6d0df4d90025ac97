"""What one instance keeps in the database: bytes of column values (no page or index
overhead) of its row, its event log and its task rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_EVENT = ("coalesce(length(type), 0) + coalesce(length(task_id), 0) + "
          "coalesce(length(CAST(payload AS TEXT)), 0) + coalesce(length(\"user\"), 0) + "
          "length(state_digest) + length(prev_hash) + length(hash) + 8 * 4")
_TASK = ("length(id) + length(process_key) + coalesce(length(business_key), 0) + "
         "length(element_id) + length(name) + coalesce(length(role), 0) + "
         "coalesce(length(unit), 0) + coalesce(length(assignee), 0) + length(status) + "
         "coalesce(length(form_key), 0) + coalesce(length(completed_by), 0) + 8 * 5")


def of_instance(session: Session, instance_id: int) -> dict[str, Any]:
    state, data = session.execute(
        text("SELECT length(state), length(CAST(data AS TEXT)) FROM instances WHERE id = :i"),
        {"i": instance_id}).one()
    events, event_bytes = session.execute(
        text(f"SELECT count(*), coalesce(sum({_EVENT}), 0) FROM events WHERE instance_id = :i"),
        {"i": instance_id}).one()
    tasks, task_bytes = session.execute(
        text(f"SELECT count(*), coalesce(sum({_TASK}), 0) FROM tasks WHERE instance_id = :i"),
        {"i": instance_id}).one()
    return {"state_bytes": int(state), "data_bytes": int(data or 0), "events": int(events),
            "event_bytes": int(event_bytes), "task_rows": int(tasks),
            "task_bytes": int(task_bytes),
            "total_bytes": int(state) + int(data or 0) + int(event_bytes) + int(task_bytes)}
