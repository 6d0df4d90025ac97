"""The other cases under one case number: a clue (问题线索受理处置), the ledger copy it sends
to the 党风政风监督室 and the 提级核查 started for it all carry the clue's number, so whoever
works one of them reaches the others from it (the city leader approving an escalation reads
the clue). Each is listed only to a user who may read it (engine/queries/visibility.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.queries import subjects, visibility
from engine.storage.schema import ProcessInstance, ProcessVersion, Task
from engine.views import UserView

LIMIT = 20  # a case number is shared by a handful of cases; never a long list on a page


@dataclass(frozen=True)
class RelatedCase:
    id: int
    process_key: str
    process_name: str
    business_key: str
    status: str
    created_at: datetime
    steps: tuple[str, ...]  # its open steps, by name
    subject: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "process_key": self.process_key, "process": self.process_name,
                "business_key": self.business_key, "status": self.status,
                "created_at": self.created_at.isoformat(), "steps": list(self.steps),
                "subject": self.subject}


def of_case(session: Session, row: ProcessInstance, reader: UserView | None
            ) -> list[RelatedCase]:
    """The other cases with ``row``'s case number that ``reader`` may read (None: the
    operator, every one), oldest first."""
    if not row.business_key:
        return []
    query = (select(ProcessInstance.id, ProcessInstance.process_key, ProcessVersion.name,
                    ProcessInstance.business_key, ProcessInstance.status,
                    ProcessInstance.created_at)
             .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
             .where(ProcessInstance.business_key == row.business_key,
                    ProcessInstance.id != row.id)
             .order_by(ProcessInstance.id).limit(LIMIT))
    if reader is not None:
        query = query.where(visibility.readable(session, reader))
    found = session.execute(query).all()
    ids = [r.id for r in found]
    steps: dict[int, list[str]] = {}
    for instance_id, name in session.execute(
            select(Task.instance_id, Task.name).where(Task.instance_id.in_(ids),
                                                      Task.status == "ready")
            .order_by(Task.created_at, Task.id)):
        steps.setdefault(instance_id, []).append(name)
    named = subjects.of_cases(session, ids)
    return [RelatedCase(r.id, r.process_key, r.name, r.business_key, r.status, r.created_at,
                        tuple(dict.fromkeys(steps.get(r.id, ()))), named.get(r.id))
            for r in found]
