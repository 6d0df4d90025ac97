"""The hash-chained event log: append, read, verify.

Each instance has its own chain: ``hash = sha256(prev_hash + canonical_json(event))``, the
first ``prev_hash`` being 64 zeros. The instance row keeps the chain's length and head, and
its stored state must match the digest the last event recorded; so an edited, deleted,
inserted or reordered event, and a state edited without an event, are all detected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.schema import EVENTS, Event, ProcessInstance
from engine.state import canonical_json, digest

GENESIS = "0" * 64


def event_body(event: Event) -> dict[str, Any]:
    """What the hash covers: everything about the event except its own hash."""
    return _body(event.instance_id, event.seq, event.type, event.task_id, event.payload,
                 event.user, event.at, event.state_digest)


def _body(instance_id: int, seq: int, type_: str, task_id: str | None, payload: Any,
          user: str | None, at: datetime, state_digest: str) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "seq": seq,
        "type": type_,
        "task_id": task_id,
        "payload": payload,
        "user": user,
        "at": at.astimezone(UTC).isoformat(),
        "state_digest": state_digest,
    }


def chain_hash(prev_hash: str, event: Event) -> str:
    return _hash(prev_hash, event_body(event))


def _hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


def append(session: Session, row: ProcessInstance, type_: str, at: datetime, state_digest: str,
           payload: dict[str, Any], user: str | None, task_id: str | None = None) -> str:
    """Append the next event of the instance's chain (a plain INSERT: it runs on every
    command) and move the instance's chain head; returns the event's hash."""
    seq = row.event_count + 1
    body = _body(row.id, seq, type_, task_id, payload, user, at, state_digest)
    event_hash = _hash(row.last_hash, body)
    session.connection().execute(insert(EVENTS), {
        "instance_id": row.id, "seq": seq, "type": type_, "task_id": task_id,
        "payload": payload, "user": user, "at": at, "state_digest": state_digest,
        "prev_hash": row.last_hash, "hash": event_hash,
    })
    row.event_count, row.last_hash = seq, event_hash
    return event_hash


def events_of(session: Session, instance_id: int) -> list[Event]:
    return list(
        session.execute(
            select(Event).where(Event.instance_id == instance_id).order_by(Event.seq, Event.id)
        ).scalars()
    )


@dataclass(frozen=True)
class ChainProblem:
    instance_id: int
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "instance"
        return f"instance {self.instance_id}: {where}: {self.message}"


def verify_instance(session: Session, row: ProcessInstance) -> ChainProblem | None:
    """The first break in one instance's chain, or None when it is intact."""
    prev = GENESIS
    events = events_of(session, row.id)
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainProblem(row.id, event.seq, f"out of sequence (expected {expected_seq})")
        if event.prev_hash != prev:
            return ChainProblem(row.id, event.seq, "does not link to the previous event")
        if chain_hash(prev, event) != event.hash:
            return ChainProblem(row.id, event.seq, "content does not match its hash")
        prev = event.hash
    if len(events) != row.event_count or prev != row.last_hash:
        return ChainProblem(row.id, len(events) + 1,
                            f"chain ends after {len(events)} events, instance expects "
                            f"{row.event_count}: events were removed or added")
    if events and digest_of_row(row) != events[-1].state_digest:
        return ChainProblem(row.id, None, "stored state does not match the last event's digest")
    return None


def digest_of_row(row: ProcessInstance) -> str:
    return digest(json.loads(row.state))
