"""Audit at scale: ``kuaiban verify`` and ``kuaiban replay --all`` over every case, streamed.

The cases are taken in ranges of ids (``CHUNK`` cases at a time): one read transaction per
range reads its instances and all their events in two queries, checks or replays each case,
and lets them go, so memory stays bounded by a range whatever the size of the log. With
``workers`` > 1 the ranges are shared among that many processes, each with its own database
connection (the work is CPU-bound: hashing, and replay's workflow steps); the results are the
same as one process's, in id order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import calendars, chain
from engine.audit.replay import RecordedEvent, ReplayResult, replay
from engine.messages import msg
from engine.storage.schema import EVENTS, Event, ProcessInstance

if TYPE_CHECKING:
    from engine.api import Engine

CHUNK = 500  # cases per read transaction: a few thousand events in memory at a time
PARALLEL_FROM = 50_000  # events: below, starting worker processes costs more than it saves
VERIFY, REPLAY = "verify", "replay"
Range = tuple[int, int]  # first and last instance id, inclusive


@dataclass
class ScanResult:
    """Cases and events looked at; for verify, each broken chain's first break; for replay,
    (case id, why) of each case that diverged."""

    instances: int = 0
    events: int = 0
    problems: list[chain.ChainProblem] = field(default_factory=list)
    diverged: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: ScanResult) -> None:
        self.instances += other.instances
        self.events += other.events
        self.problems += other.problems
        self.diverged += other.diverged


def id_ranges(engine: Engine, chunk: int = CHUNK) -> list[Range]:
    """The instance ids in ranges of ``chunk`` cases, read as a stream of ids."""
    ranges: list[Range] = []
    with engine.transaction(read_only=True) as session:
        ids = session.execute(select(ProcessInstance.id).order_by(ProcessInstance.id)
                              .execution_options(yield_per=10_000)).scalars()
        first = last = None
        count = 0
        for iid in ids:
            if first is None:
                first = iid
            last, count = iid, count + 1
            if count == chunk:
                ranges.append((first, last))
                first, count = None, 0
        if first is not None and last is not None:
            ranges.append((first, last))
    return ranges


def _cases(session: Session, first: int, last: int
           ) -> Iterator[tuple[ProcessInstance, list[chain.EventRow]]]:
    """The cases of a range with their events (plain rows: building ORM objects for a
    million events would cost more than checking them), in id and then event order."""
    rows = session.execute(select(ProcessInstance).where(
        ProcessInstance.id.between(first, last)).order_by(ProcessInstance.id)).scalars().all()
    events = session.connection().execute(
        select(EVENTS).where(EVENTS.c.instance_id.between(first, last))
        .order_by(EVENTS.c.instance_id, EVENTS.c.seq, EVENTS.c.id))
    by_case: dict[int, list[chain.EventRow]] = {
        iid: list(group) for iid, group in groupby(events, key=lambda e: e.instance_id)}
    for row in rows:
        yield row, by_case.get(row.id, [])


def verify_range(engine: Engine, span: Range) -> ScanResult:
    out = ScanResult()
    with engine.transaction(read_only=True) as session:
        versions: chain.VersionChecks = {}
        files: chain.FileChecks = {}
        for row, events in _cases(session, *span):
            out.instances += 1
            out.events += len(events)
            problem = chain.verify_instance(session, row, versions, files, events)
            if problem is not None:
                out.problems.append(problem)
    return out


def replay_range(engine: Engine, span: Range) -> ScanResult:
    out = ScanResult()
    with engine.transaction(read_only=True) as session:
        for row, events in _cases(session, *span):
            out.instances += 1
            out.events += len(events)
            result = replay_case(engine, session, row, events)
            if not result.ok:
                out.diverged.append((row.id, result.message))
    return out


def replay_case(engine: Engine, session: Session, row: ProcessInstance,
                rows: Sequence[chain.EventRow]) -> ReplayResult:
    """Rebuild one case from its version and events; its stored state must be the end."""
    events = [RecordedEvent(e.seq, e.type, e.payload, e.at, e.state_digest) for e in rows]
    version = engine.versions.get(session, row.version_id)
    result = replay(row.id, version, events,
                    calendars.of_database(session, engine.runtime.calendar(session)),
                    versions=lambda version_id: engine.versions.get(session, version_id))
    if result.ok and events and events[-1].state_digest != chain.digest_of_row(row):
        return ReplayResult(False, len(events), None,
                            "the stored state differs from the replayed history", "stored_differs")
    return result


def orphans(engine: Engine) -> list[chain.ChainProblem]:
    """Events whose instance is gone (a deleted case)."""
    with engine.transaction(read_only=True) as session:
        found = session.execute(select(Event.instance_id).where(Event.instance_id.not_in(
            select(ProcessInstance.id))).distinct()).scalars()
        return [chain.ChainProblem(i, None, msg("chain.orphan_events")) for i in found]


def count_events(engine: Engine) -> int:
    with engine.transaction(read_only=True) as session:
        return int(session.execute(select(func.count()).select_from(Event)).scalar_one())


def count_instances(engine: Engine) -> int:
    with engine.transaction(read_only=True) as session:
        return int(session.execute(select(func.count()).select_from(ProcessInstance))
                   .scalar_one())


# -- in worker processes ------------------------------------------------------------------------

_WORKER: Engine | None = None
_WORK = {VERIFY: verify_range, REPLAY: replay_range}


def _open(url: str) -> None:
    """A worker's own engine and connection (the schema is the caller's, already current)."""
    global _WORKER
    from engine.api import Engine

    _WORKER = Engine(url, upgrade=False)


def _in_worker(kind: str, span: Range) -> ScanResult:
    assert _WORKER is not None
    return _WORK[kind](_WORKER, span)


def scan(engine: Engine, kind: str, workers: int = 1, chunk: int = CHUNK,
         progress: Callable[[int], None] | None = None) -> ScanResult:
    """Verify or replay every case, range by range; ``progress`` gets each range's case
    count as it is done."""
    ranges = id_ranges(engine, chunk)
    total = ScanResult()
    if workers <= 1 or len(ranges) <= 1:
        for span in ranges:
            part = _WORK[kind](engine, span)
            total.add(part)
            if progress is not None:
                progress(part.instances)
        return total
    # spawned, not forked: a forked child would share the parent's open connections
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(ranges)), mp_context=context,
                             initializer=_open, initargs=(engine.url,)) as pool:
        jobs = [pool.submit(_in_worker, kind, span) for span in ranges]
        for job in jobs:  # in id order, so the answers come as one process gives them
            part = job.result()
            total.add(part)
            if progress is not None:
                progress(part.instances)
    return total
