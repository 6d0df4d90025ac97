"""What a new case opens with, the same for a single start and a bulk start's case: its number
(drawn from the process's sequence unless the case is named), its jurisdiction (an application
for a listed policy: the policy's department), its first data (what the engine says about the
case wins over the data: a message's payload is the sender's data, its case_no among it; the
started event records it, so replay never draws a number again), its instance row's values
and its started event's payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions import policies
from engine.definitions.parsed import LoadedVersion
from engine.org import scope
from engine.runtime.case_numbers import next_case_number
from engine.views import UserView


@dataclass(frozen=True)
class Opening:
    business_key: str | None
    initial: dict[str, Any]  # the case's first data
    row: dict[str, Any]  # the instance row's values (its id apart)
    payload: dict[str, Any]  # the started event's


def open_case(session: Session, key: str, version: LoadedVersion, data: Mapping[str, Any],
              user: UserView, business_key: str | None, now: datetime, *,
              message: str | None = None, source_case_no: str | None = None,
              start_event: str | None = None, start_key: str | None = None) -> Opening:
    """``data``: the start's data, checked; ``business_key``: the name the case was given, if
    any; ``message``: the message that started it, whose data may name the jurisdiction."""
    assigned: dict[str, Any] = {}
    if business_key is None and version.case_prefix:
        business_key = next_case_number(session, version.case_prefix, now)
        assigned["case_no"] = business_key
    if source_case_no is not None:
        assigned["source_case_no"] = source_case_no
    jurisdiction = policies.department_of(session, version.forms.get(
        version.start_form_key or ""), data) if message is None else None
    jurisdiction = jurisdiction or scope.jurisdiction_for(
        session, user, data.get(scope.JURISDICTION) if message is not None else None,
        discipline=version.by_jurisdiction, owner=version.owner_unit)
    if jurisdiction is not None:
        assigned[scope.JURISDICTION] = jurisdiction
    initial = {**data, **assigned}
    if business_key is not None:
        initial.setdefault("case_no", business_key)
    row = {"version_id": version.id, "process_key": key, "business_key": business_key,
           "case_prefix": version.case_prefix if "case_no" in assigned else None,
           "status": "running", "state": "{}", "data": {}, "started_by": user.username,
           "revision": 0, "created_at": now, "updated_at": now, "event_count": 0,
           "last_hash": chain.GENESIS, "start_key": start_key}
    # the content hash pins the version's files: `kuaiban verify` and bundle replay check
    # them against it (engine/audit/chain.py); replay itself never reads it
    payload = {"process_key": key, "version_id": version.id, "version": version.version,
               "content_hash": version.content_hash, "business_key": business_key,
               "data": initial, "message": message,
               "message_data": {**data, **assigned} if message else None}
    if start_event is not None:
        payload["start_event"] = start_event
    if start_key is not None:
        payload["start_key"] = start_key
    return Opening(business_key, initial, row, payload)
