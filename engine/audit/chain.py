"""The hash-chained event log: append, read, verify.

Each instance has its own chain: ``hash = sha256(prev_hash + canonical_json(event))``, the
first ``prev_hash`` being 64 zeros. The instance row keeps the chain's length and head, and
its stored state must match the digest the last event recorded; so an edited, deleted,
inserted or reordered event, and a state edited without an event, are all detected.

A ``started`` event records its version's content hash and a ``migrated`` event its target's
(:func:`pinned_versions`), so the chain also pins the process definition files: a file edited
in the file store (or in a bundle, engine/audit/bundle.py) no longer gives the recorded hash. Events
recorded before versions were pinned carry no content hash and pin nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from engine.definitions.registry import has_content_hash, sha256
from engine.files import blobs
from engine.files.attachments import recorded_files
from engine.messages import Msg, msg
from engine.runtime.state import canonical_json, digest
from engine.storage import driver
from engine.storage.schema import EVENTS, DefinitionFile, Event, ProcessInstance, ProcessVersion

GENESIS = "0" * 64
_INSERT = driver.Write(insert(EVENTS))  # every command appends one
# An event as the ORM loads it, or a plain row of the events table (audit over the whole log)
EventRow = Event | Row[Any]


def event_body(event: EventRow) -> dict[str, Any]:
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


def chain_hash(prev_hash: str, event: EventRow) -> str:
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
    _INSERT.run(session, {
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
    problem: Msg

    @property
    def said(self) -> Msg:
        """The problem with where it is: the event, or the instance as a whole."""
        if self.seq is None:
            return msg("chain.at_instance", instance=self.instance_id, problem=self.problem)
        return msg("chain.at_event", instance=self.instance_id, seq=self.seq,
                   problem=self.problem)

    @property
    def message(self) -> str:
        return self.problem.english

    def __str__(self) -> str:
        return self.said.english


# What was found wrong with a pinned version's files (None: nothing), by (version id, hash):
# versions are shared by many instances, so `kuaiban verify` checks each once.
VersionChecks = dict[tuple[int, str], Msg | None]


def verify_instance(session: Session, row: ProcessInstance,
                    checked: VersionChecks | None = None,
                    files: FileChecks | None = None,
                    events: Sequence[EventRow] | None = None) -> ChainProblem | None:
    """The first break in one instance's chain, in the files of a version its events pin,
    or in a file (attachment, document) its events recorded; None when all is intact.
    ``events``: the instance's events in order, when the caller read them already."""
    prev = GENESIS
    events = events_of(session, row.id) if events is None else events
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainProblem(row.id, event.seq, msg("chain.out_of_sequence",
                                                       expected=expected_seq))
        if event.prev_hash != prev:
            return ChainProblem(row.id, event.seq, msg("chain.unlinked"))
        if chain_hash(prev, event) != event.hash:
            return ChainProblem(row.id, event.seq, msg("chain.hash_mismatch"))
        prev = event.hash
    if len(events) != row.event_count or prev != row.last_hash:
        return ChainProblem(row.id, len(events) + 1, msg(
            "chain.truncated", events=len(events), expected=row.event_count))
    if events and digest_of_row(row) != events[-1].state_digest:
        return ChainProblem(row.id, None, msg("chain.state_differs"))
    checked = {} if checked is None else checked
    for pin in pinned_versions((e.seq, e.type, e.payload) for e in events):
        found = (pin.version_id, pin.content_hash)
        if found not in checked:
            checked[found] = _files_problem(session, pin)
        problem = checked[found]
        if problem is not None:
            return ChainProblem(row.id, pin.seq, problem)
    return _file_problem(session, row, events, {} if files is None else files)


# What was found wrong with each stored file (None: nothing), by sha256: a file may belong to
# many cases, and `kuaiban verify` reads each once.
FileChecks = dict[str, Msg | None]


def _file_problem(session: Session, row: ProcessInstance, events: Sequence[EventRow],
                  checked: FileChecks) -> ChainProblem | None:
    """The first event whose recorded file is missing or changed in the file store."""
    for event in events:
        for record in recorded_files(event.payload):
            digest = str(record["sha256"])
            if digest not in checked:
                checked[digest] = blobs.problem(session, digest, record.get("size"))
            problem = checked[digest]
            if problem is not None:
                return ChainProblem(row.id, event.seq, msg(
                    "chain.file_changed", name=record.get("name"), digest=digest[:12],
                    problem=problem))
    return None


@dataclass(frozen=True)
class Pin:
    """A version an event ran the case on, with the content hash it recorded."""

    seq: int
    version_id: int
    version: int | None  # the version number the event recorded
    content_hash: str


def pinned_versions(events: Iterable[tuple[int, str, Any]]) -> list[Pin]:
    """The versions (seq, type, payload) events pin: a ``started`` event its version, a
    ``migrated`` event its target. Older events, without a content hash, pin nothing."""
    pins = []
    for seq, type_, payload in events:
        if not isinstance(payload, dict):
            continue
        if type_ == "started" and payload.get("content_hash"):
            pins.append(Pin(seq, int(payload["version_id"]), payload.get("version"),
                            str(payload["content_hash"])))
        elif type_ == "migrated" and payload.get("to_content_hash"):
            pins.append(Pin(seq, int(payload["to_version_id"]), payload.get("to_version"),
                            str(payload["to_content_hash"])))
    return pins


def _files_problem(session: Session, pin: Pin) -> Msg | None:
    """What is wrong with the stored files of a pinned version, or None."""
    version = session.get(ProcessVersion, pin.version_id)
    if version is None:
        return msg("chain.version_gone", version_id=pin.version_id)
    label = msg("chain.version_label", version=version.version, key=version.key, id=version.id)
    files: dict[str, str] = {}
    for ref in version.files:
        stored = session.get(DefinitionFile, ref["sha256"])
        if stored is None:
            return msg("chain.version_file_missing", version=label, name=ref["name"])
        if sha256(stored.content) != stored.sha256:
            return msg("chain.version_file_edited", version=label, name=ref["name"])
        files[ref["name"]] = stored.content
    if not has_content_hash(files, pin.version, pin.content_hash):
        return msg("chain.content_hash", version=label, files=sorted(files))
    return None


def digest_of_row(row: ProcessInstance) -> str:
    return digest(json.loads(row.state))
