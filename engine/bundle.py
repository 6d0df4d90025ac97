"""Offline bundles: one instance's events (with the chain), the exact files of its version
and the calendar overrides, in one JSON file with a digest over the whole, so an auditor can
replay it on a machine with no database."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from engine.audit import GENESIS
from engine.calendar import WorkCalendar
from engine.errors import InvalidData
from engine.registry import parse_version
from engine.replay import RecordedEvent, ReplayResult, replay
from engine.state import canonical_json

FORMAT = "kuaiban-bundle/1"


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """Add the digest over everything else."""
    out = {k: v for k, v in body.items() if k != "digest"}
    out["format"] = FORMAT
    out["digest"] = hashlib.sha256(canonical_json(out).encode("utf-8")).hexdigest()
    return out


def replay_bundle(bundle: Any) -> ReplayResult:
    """Check the bundle's digest and chain, then replay it. No database involved."""
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise InvalidData({"bundle": f"not a {FORMAT} file"}, "not a Kuaiban bundle")
    body = {k: v for k, v in bundle.items() if k != "digest"}
    if hashlib.sha256(canonical_json(body).encode()).hexdigest() != bundle.get("digest"):
        return ReplayResult(False, 0, None, "the bundle's digest does not match its content")
    broken = _chain_break(bundle["instance"]["id"], bundle["events"])
    if broken is not None:
        return ReplayResult(False, 0, broken, f"event {broken}: the hash chain is broken")
    v = bundle["version"]
    version = parse_version(v["id"], v["key"], v["version"], v["name"], v["start_form_key"],
                            v["files"])
    calendar = WorkCalendar({date.fromisoformat(d): w
                             for d, w in bundle.get("calendar_overrides", {}).items()})
    events = [RecordedEvent(e["seq"], e["type"], e["payload"], datetime.fromisoformat(e["at"]),
                            e["state_digest"]) for e in bundle["events"]]
    return replay(bundle["instance"]["id"], version, events, calendar)


def _chain_break(instance_id: int, events: list[dict[str, Any]]) -> int | None:
    prev = GENESIS
    for expected, event in enumerate(events, start=1):
        body = {key: event[key] for key in
                ("instance_id", "seq", "type", "task_id", "payload", "user", "at", "state_digest")}
        digest = hashlib.sha256((prev + canonical_json(body)).encode()).hexdigest()
        if event["seq"] != expected or event["prev_hash"] != prev or event["hash"] != digest \
                or event["instance_id"] != instance_id:
            return int(event.get("seq") or expected)
        prev = event["hash"]
    return None
