"""The API of audit: verify every chain, replay one case or all, the case as it stood after any
event, and the offline bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api.core import EngineCore
from engine.audit import bundle, calendars, chain, scan
from engine.audit.replay import RecordedEvent, ReplayResult, Snapshot, state_at
from engine.errors import (
    NotFound,
    PermissionDenied,
)
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.queries.confidential import is_applicant
from engine.storage.schema import (
    CalendarOverride,
    Event,
    ProcessInstance,
)

if TYPE_CHECKING:
    from engine.api.engine import Engine


class Audit(EngineCore):
    """What auditors check: chains, replays, time travel, bundles."""

    @property
    def _whole(self) -> Engine:
        return cast("Engine", self)  # the scans run over the whole engine, in worker processes

    def verify(self, workers: int = 1, progress: Callable[[int], None] | None = None
               ) -> tuple[int, list[chain.ChainProblem]]:
        """(instances checked, the first break of each broken chain)."""
        result = self.verify_all(workers, progress)
        return result.instances, result.problems

    def verify_all(self, workers: int = 1, progress: Callable[[int], None] | None = None
                   ) -> scan.ScanResult:
        """Every chain, streamed in ranges of cases, over ``workers`` processes
        (engine/audit/scan.py); ``progress`` gets the cases of each range done."""
        result = scan.scan(self._whole, scan.VERIFY, workers, progress=progress)
        result.problems += scan.orphans(self._whole)
        return result

    def replay_all(self, workers: int = 1, progress: Callable[[int], None] | None = None
                   ) -> scan.ScanResult:
        """Replay every case, streamed like :meth:`verify_all`; ``diverged`` names each case
        whose history and state disagree."""
        return scan.scan(self._whole, scan.REPLAY, workers, progress=progress)

    def replay(self, instance_id: int, user: Who | None = None) -> ReplayResult:
        """Rebuild the instance from its version and events; names the first divergence.
        ``user`` (when given) must be an auditor."""
        with self.transaction(read_only=True) as session:
            if user is not None and "auditor" not in users.resolve(session, user).roles:
                raise PermissionDenied(msg("replay.auditors_only"))
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(msg("instance.not_found", instance_id=instance_id))
            return scan.replay_case(self._whole, session, row,
                                    chain.events_of(session, instance_id))

    def instance_ids(self) -> list[int]:
        with self.transaction(read_only=True) as session:
            return list(session.execute(
                select(ProcessInstance.id).order_by(ProcessInstance.id)).scalars())

    def state_at(self, instance_id: int, seq: int, user: Who | None = None) -> Snapshot:
        """The case as it stood after event ``seq`` (replayed): the staff's and auditors'
        tool, not an applicant's (it would show the staff's working states)."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            if is_applicant(reader):
                raise PermissionDenied(msg("replay.staff_only"))
            row, events, _ = self._recorded(session, instance_id)
            version = self.versions.get(session, row.version_id)
            in_force = calendars.of_database(session, self._calendar_for(session))
            snapshot = state_at(row.id, version, events, in_force, seq,
                                versions=self._version_loader(session))  # migrated cases
            data, shown = self.confidential.reveal(session, row, reader, snapshot.data)
        self.confidential.record(instance_id, reader, shown, "time travel")
        return replace(snapshot, data=data)

    def export_bundle(self, instance_id: int) -> dict[str, Any]:
        with self.transaction(read_only=True) as session:
            row, _, rows = self._recorded(session, instance_id)
            version = self.versions.get(session, row.version_id)
            overrides = session.execute(select(CalendarOverride)).scalars()
            events = [{**chain.event_body(e), "prev_hash": e.prev_hash, "hash": e.hash}
                      for e in rows]
            body = {
                "instance": {"id": row.id, "process_key": row.process_key,
                             "business_key": row.business_key, "status": row.status,
                             "event_count": row.event_count, "last_hash": row.last_hash},
                "version": bundle.version_entry(version),
                "calendar_overrides": {o.day.isoformat(): o.is_workday for o in overrides},
                "events": events,
            }
            changes = calendars.recorded(session)
            if changes:  # the calendar as it was before each change, for replay
                body["calendar_changes"] = changes
            carried = bundle.file_contents(session, events)
            if carried:  # the case's files (attachments, documents), base64 by sha256
                body["files"] = carried
            earlier = bundle.earlier_version_ids(events, version.id)
            if earlier:  # a migrated case: replay switches versions at its "migrated" events
                body["earlier_versions"] = {
                    str(i): bundle.version_entry(self.versions.get(session, i)) for i in earlier}
            return bundle.seal(body)

    def _recorded(self, session: Session, instance_id: int
                  ) -> tuple[ProcessInstance, list[RecordedEvent], list[Event]]:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        rows = chain.events_of(session, instance_id)
        events = [RecordedEvent(e.seq, e.type, e.payload, e.at, e.state_digest) for e in rows]
        return row, events, rows
