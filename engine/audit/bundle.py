"""Offline bundles: one instance's events (with the chain), the exact files of every version
it ran on and the calendar overrides, in one JSON file with a digest over the whole, so an
auditor can replay it on a machine with no database.

``version`` is the version the case is on now; a migrated case's bundle also carries the
versions it ran on before (``earlier_versions``, by version id), so replay switches at each
``migrated`` event as it does online. A case that was never migrated has no such key: the
shape bundles always had.

The digest only shows the bundle is whole: whoever edits a bundle can compute it again. What
ties the files to the case is the content hash its (chained) ``started`` and ``migrated``
events recorded for each version (engine/audit/chain.py); replay checks every carried version the
events pin before it runs anything."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.audit import calendars
from engine.audit.chain import GENESIS, pinned_versions
from engine.audit.replay import RecordedEvent, ReplayResult, replay
from engine.definitions.parsed import LoadedVersion, parse_version
from engine.definitions.registry import has_content_hash
from engine.errors import EngineError, InvalidData
from engine.files import blobs
from engine.files.attachments import recorded_files
from engine.messages import msg
from engine.runtime.state import canonical_json
from engine.time.calendar import WorkCalendar

FORMAT = "kuaiban-bundle/1"


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """Add the digest over everything else (every version's files included)."""
    out = {k: v for k, v in body.items() if k != "digest"}
    out["format"] = FORMAT
    out["digest"] = hashlib.sha256(canonical_json(out).encode("utf-8")).hexdigest()
    return out


def version_entry(version: LoadedVersion) -> dict[str, Any]:
    """A version as a bundle carries it: enough to parse it again from its exact files."""
    return {"id": version.id, "key": version.key, "version": version.version,
            "name": version.name, "start_form_key": version.start_form_key,
            "files": version.files}


def earlier_version_ids(events: Sequence[Mapping[str, Any]], current: int) -> list[int]:
    """The versions other than ``current`` that the events name: where the case started and
    every version it was migrated from or to (engine/runtime/migration.py)."""
    named: set[Any] = set()
    for event in events:
        payload = event["payload"]
        if event["type"] == "started":
            named.add(payload.get("version_id"))
        elif event["type"] == "migrated":
            named.update((payload["from_version_id"], payload["to_version_id"]))
    return sorted(int(i) for i in named if i is not None and int(i) != current)


def replay_bundle(bundle: Any) -> ReplayResult:
    """Check the bundle's digest and chain, then replay it. No database involved."""
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT \
            or not isinstance(bundle.get("earlier_versions", {}), dict):
        raise InvalidData({"bundle": msg("field.not_a_bundle", format=FORMAT)},
                          msg("bundle.not_a_bundle"))
    body = {k: v for k, v in bundle.items() if k != "digest"}
    if hashlib.sha256(canonical_json(body).encode()).hexdigest() != bundle.get("digest"):
        return ReplayResult(False, 0, None, "the bundle's digest does not match its content")
    broken = _chain_break(bundle["instance"]["id"], bundle["events"])
    if broken is not None:
        return ReplayResult(False, 0, broken, f"event {broken}: the hash chain is broken")
    earlier: dict[str, Any] = bundle.get("earlier_versions", {})
    unpinned = _unpinned_version(bundle["events"], bundle["version"], earlier)
    if unpinned is not None:
        return ReplayResult(False, 0, None, unpinned)
    missing = _file_problem(bundle["events"], bundle.get("files", {}))
    if missing is not None:
        return ReplayResult(False, 0, missing[0], missing[1])
    current = _parse(bundle["version"])

    def load(version_id: int) -> LoadedVersion:
        """Any version the events name; the current one too (a migration moves to it)."""
        if version_id == current.id:
            return current
        entry = earlier.get(str(version_id))
        if entry is None:
            raise EngineError(msg("bundle.version_missing", version_id=version_id))
        return _parse(entry)

    calendar = WorkCalendar({date.fromisoformat(d): w
                             for d, w in bundle.get("calendar_overrides", {}).items()})
    events = [RecordedEvent(e["seq"], e["type"], e["payload"], datetime.fromisoformat(e["at"]),
                            e["state_digest"]) for e in bundle["events"]]
    in_force = calendars.in_force(calendar, bundle.get("calendar_changes", []))
    return replay(bundle["instance"]["id"], current, events, in_force, versions=load)


def _unpinned_version(events: list[dict[str, Any]], current: Mapping[str, Any],
                      earlier: Mapping[str, Any]) -> str | None:
    """The first carried version whose files do not give the content hash the events recorded
    for it, named. A version the bundle lacks is left to replay, which names it."""
    for pin in pinned_versions((e["seq"], e["type"], e["payload"]) for e in events):
        entry = current if pin.version_id == current["id"] else earlier.get(str(pin.version_id))
        if entry is not None and not has_content_hash(entry["files"], pin.version,
                                                      pin.content_hash):
            return (f"version {entry['version']} of {entry['key']} (id {pin.version_id}): its "
                    f"files do not match the content hash recorded at event {pin.seq}; the "
                    "bundle's files were changed")
    return None


def file_contents(session: Session, events: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every file the events record, base64 by sha256 (empty for a case without files)."""
    wanted = {str(f["sha256"]) for e in events for f in recorded_files(e["payload"])}
    return {digest: base64.b64encode(blobs.read_all(session, digest)).decode("ascii")
            for digest in sorted(wanted)}


def _file_problem(events: list[dict[str, Any]], files: Any) -> tuple[int, str] | None:
    """The first event whose recorded file the bundle lacks or carries changed."""
    files = files if isinstance(files, dict) else {}
    for event in events:
        for record in recorded_files(event["payload"]):
            digest = str(record["sha256"])
            text = files.get(digest)
            try:
                content = base64.b64decode(text, validate=True) if isinstance(text, str) \
                    else None
            except ValueError:
                content = None
            if content is None or hashlib.sha256(content).hexdigest() != digest:
                state = "lacks" if text is None else "carries a changed copy of"
                return event["seq"], (f"event {event['seq']}: the bundle {state} the file "
                                       f'"{record.get("name")}" (sha256 {digest[:12]}…)')
    return None


def _parse(entry: Mapping[str, Any]) -> LoadedVersion:
    return parse_version(entry["id"], entry["key"], entry["version"], entry["name"],
                         entry["start_form_key"], entry["files"])


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
