"""Bulk start (免申即享, campaign launches): thousands of cases of one process, one per row.

Every row is checked against the start form first, and every bad row is reported by its line;
unless the caller skips invalid rows, nothing starts while any row is bad. The good rows then
start in chunks, one transaction per chunk, each case through the same start command as a
single start (its own hash chain and started event, an engine-assigned case number, its
mirrored tasks and notices), so replay and verify treat them like any other case.

Each row has a key, stored with its case (``instances.start_key``, unique) and recorded in its
started event: rows whose key has a case already are reported as started before and skipped,
so a file run again after a crash starts only the rest, never a row twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import case_refs, forms, starters
from engine.definitions.parsed import LoadedVersion
from engine.errors import EngineError, InvalidData
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.runtime import correlation
from engine.runtime.bulk import case, template
from engine.runtime.bulk.rows import MAX_KEY, BatchRow, RowProblem
from engine.runtime.start_checks import check_may_start
from engine.storage import driver
from engine.storage.schema import ProcessInstance

if TYPE_CHECKING:
    from engine.api import Engine

T = TypeVar("T")
CHUNK = 250  # rows per transaction: large enough to share the commit, small enough to lock
_KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class StartedRow:
    line: int
    instance_id: int
    business_key: str | None

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.instance_id, "business_key": self.business_key}


@dataclass
class BatchReport:
    """What a bulk start did. ``refused``: bad rows were found and none was skipped, so
    nothing started; ``stopped``: a row failed while starting (its problem is in ``invalid``)
    and the rows after it were not started (the rows before it were)."""

    process_key: str
    rows: int
    started: list[StartedRow] = field(default_factory=list)
    already: list[StartedRow] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    refused: bool = False
    stopped: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"process_key": self.process_key, "rows": self.rows,
                "started": [s.as_json() for s in self.started],
                "already_started": [s.as_json() for s in self.already],
                "invalid": [p.as_json() for p in self.invalid],
                "refused": self.refused, "stopped": self.stopped}


class BulkStarts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(self, key: str, rows: Sequence[BatchRow], user: Who, skip_invalid: bool = False,
            unreadable: Sequence[RowProblem] = (), chunk: int = CHUNK,
            progress: Callable[[int], None] | None = None) -> BatchReport:
        """Start one case per row (see the module's text). ``unreadable``: lines of the file
        that were no rows at all (engine/runtime/bulk/rows.py), bad rows like the others;
        ``progress`` is called with the number of rows dealt with after each chunk."""
        report = BatchReport(key, len(rows) + len(unreadable), invalid=list(unreadable))
        with self.engine.transaction(read_only=True) as session:
            version = self.engine.versions.latest(session, key)
            starter = users.resolve(session, user)
            check_may_start(version, starter)
            schema = version.form(version.start_form_key)  # a row carries no files
            report.invalid += _row_problems(rows, schema, starter)
            done = _started_keys(session, [r.key for r in rows if r.key is not None])
            plan = _Plan(key, version, user, skip_invalid, template.Templates(version))
        report.invalid.sort(key=lambda p: p.line)
        if report.invalid and not skip_invalid:
            report.refused = True
            return report
        bad = {p.line for p in report.invalid}
        pending = []
        for row in rows:
            if row.key is not None and row.key in done:
                report.already.append(StartedRow(row.line, *done[row.key]))
            elif row.line not in bad:
                pending.append(row)
        if progress is not None:
            progress(report.rows - len(pending))
        for part in _chunks(pending, chunk):
            if not self._start_chunk(plan, part, report):
                report.stopped = True
                break
            if progress is not None:
                progress(len(part))
        return report

    def _start_chunk(self, plan: _Plan, part: Sequence[BatchRow], report: BatchReport) -> bool:
        """One transaction for the chunk; when a row fails in it, the chunk again one row per
        transaction, so the good rows start and the failing one is named. False: stop."""
        try:
            with self.engine.transaction() as session, driver.batched(session, grouped=True):
                # the chunk's writes go together (PostgreSQL: one round trip for them all),
                # and its cases start at one time, as one transaction
                actor = users.resolve(session, plan.user)
                ids = plan.new_ids(session, len(part))
                now = self.engine.runtime.clock.now()
                plan.templates.new_chunk()
                started = [self._start_row(session, plan, row, actor, ids[n], now)
                           for n, row in enumerate(part)]
        except EngineError:
            started = []
            for row in part:
                try:
                    with self.engine.transaction() as session:
                        actor = users.resolve(session, plan.user)
                        plan.templates.new_chunk()
                        started.append(self._start_row(session, plan, row, actor,
                                                       plan.new_ids(session, 1)[0],
                                                       self.engine.runtime.clock.now()))
                except EngineError as exc:
                    report.invalid.append(_problem(row.line, exc))
                    if not plan.skip_invalid:
                        report.started += started
                        return False
        report.started += started
        return True

    def _start_row(self, session: Session, plan: _Plan, row: BatchRow,
                   actor: users.UserView, new_id: int | None, now: datetime) -> StartedRow:
        made = case.start(self.engine.runtime, session, plan.key, plan.version, row.data,
                          actor, row.key, plan.templates, new_id, now)
        return StartedRow(row.line, made.id, made.business_key)


@dataclass
class _Plan:
    """One bulk start's process, version, user and choice, and its start templates
    (engine/runtime/bulk/template.py)."""

    key: str
    version: LoadedVersion
    user: Who
    skip_invalid: bool
    templates: template.Templates

    def new_ids(self, session: Session, count: int) -> list[int | None]:
        """The ids of the next cases, drawn at once while templates may serve."""
        drawn = None if self.templates.off else case.new_ids(session, count)
        return list(drawn) if drawn is not None else [None] * count


def _row_problems(rows: Sequence[BatchRow], schema: Mapping[str, Any] | None,
                  starter: users.UserView) -> list[RowProblem]:
    """Every bad row: data the start form refuses (a value its ``x-starter`` fields do not
    offer ``starter`` among them), a field only the engine sets, a key too long or used by
    an earlier row of the same batch."""
    problems = []
    first_line: dict[str, int] = {}
    for row in rows:
        if row.key is not None:
            if len(row.key) > MAX_KEY:
                problems.append(RowProblem(row.line, msg("batch.row_key_too_long", limit=MAX_KEY)))
                continue
            if row.key in first_line:
                problems.append(RowProblem(row.line, msg("batch.row_key_repeated", key=row.key,
                                                         line=first_line[row.key])))
                continue
            first_line[row.key] = row.line
        try:
            correlation.check_owned(row.data)
            if schema is not None:
                forms.validate(schema, case_refs.tidied(
                    schema, starters.applied(schema, row.data, starter)))
        except InvalidData as exc:
            problems.append(RowProblem(row.line, exc.said, exc.field_said))
    return problems


def _problem(line: int, exc: EngineError) -> RowProblem:
    fields = exc.field_said if isinstance(exc, InvalidData) else {}
    return RowProblem(line, exc.said, fields)


def _started_keys(session: Session, keys: list[str]) -> dict[str, tuple[int, str | None]]:
    """Row key -> (case id, case number) of the keys that have a case already."""
    found: dict[str, tuple[int, str | None]] = {}
    for part in _chunks(keys, _KEYS_PER_QUERY):
        rows = session.execute(select(ProcessInstance.start_key, ProcessInstance.id,
                                      ProcessInstance.business_key)
                               .where(ProcessInstance.start_key.in_(part)))
        found.update({r.start_key: (r.id, r.business_key) for r in rows})
    return found


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for first in range(0, len(items), size):
        yield items[first:first + size]
