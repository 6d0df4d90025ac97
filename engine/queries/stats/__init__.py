"""Statistics for supervisors: 按期办结率 by unit and by procedure, clue and legacy cases by
type and source, 中介服务 clues by item, type and unit, the legacy campaign's 化解率 by stage,
subsidy payouts, 12345 satisfaction.

Every figure is a few SQL aggregates over the indexed ``tasks`` and ``instances`` tables
(never a workflow deserialized); every count can name the cases behind it. Who sees which
section: :data:`~engine.queries.stats.scope.ROLE_SECTIONS`. A county's supervisors count
their county only (the reach of engine/org/scope.py); the city's count the whole city.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.errors import NotFound, PermissionDenied, refused
from engine.messages import msg
from engine.org import directory, users
from engine.org.scope import reach_of
from engine.queries import subjects, visibility
from engine.queries.board import InstanceSummary
from engine.queries.payouts import PaidPayout
from engine.queries.stats import (
    cases,
    export,
    hotline,
    intermediary,
    legacy,
    subsidy,
    timeliness,
)
from engine.queries.stats.model import CountedTask, Figure, Spec
from engine.queries.stats.scope import SECTIONS, StatsFilter, sections_for, units_under
from engine.storage.schema import ProcessInstance, ProcessVersion, Task

T = TypeVar("T", CountedTask, PaidPayout)  # what a count lists: each of one case

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.org.users import Who

# every figure, in page order: by section, then as each module lists them
SPECS: dict[str, Spec] = {s.key: s for s in sorted(
    (*timeliness.SPECS, *cases.SPECS, *intermediary.SPECS, *legacy.SPECS, *subsidy.SPECS,
     *hotline.SPECS),
    key=lambda s: SECTIONS.index(s.section))}
CASES_LIMIT = 500

__all__ = ["SECTIONS", "SPECS", "CountedTask", "Statistics", "StatsFilter", "counted_processes",
           "figure_cases", "figure_payouts", "figure_tasks", "sections_for", "statistics",
           "units_under"]


@dataclass
class Statistics:
    filter: StatsFilter
    sections: tuple[str, ...]
    figures: list[Figure]
    at: datetime  # when they were counted
    unknown_unit: str | None = None  # the filter's unit, when the directory does not know it

    def as_json(self) -> dict[str, Any]:
        return {"filter": self.filter.as_json(), "sections": list(self.sections),
                "at": self.at.isoformat(), "unknown_unit": self.unknown_unit,
                "figures": [f.as_json() for f in self.figures]}

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def to_xlsx(self) -> bytes:
        return export.to_xlsx(self, self.at)


def _sections(session: Any, user: Who) -> tuple[str, ...]:
    sections = sections_for(users.resolve(session, user).roles)
    if not sections:
        raise PermissionDenied(msg("stats.supervisors_only"))
    return sections


def _within_reach(session: Session, user: Who, flt: StatsFilter) -> StatsFilter:
    """``flt`` kept to the jurisdiction a supervisor reads (engine/org/scope.py): a county's
    supervisors count their county (any unit filter must lie inside it); the city's, all."""
    reader = users.resolve(session, user)
    found = directory.load(session)
    entry = found.find(reader.unit)
    if reach_of(found, reader.unit) is None or entry is None:
        return flt
    area = found.area(entry)
    if flt.unit is None:
        return replace(flt, unit=area.name)
    if found.find(flt.unit) is None:
        # a name the directory does not know could still be written on cases beyond the area
        # (free text from before the directory): not counted, and said like a typo
        raise refused("unit", msg("field.unit_unknown", text=flt.unit))
    if not units_under(session, flt.unit) <= units_under(session, area.name):
        raise PermissionDenied(msg("stats.unit_outside_area", unit=flt.unit, area=area.name))
    return flt


def statistics(engine: Engine, user: Who, flt: StatsFilter, section: str | None = None,
               figure: str | None = None) -> Statistics:
    """The figures of the sections ``user``'s roles see, or of one of them, or one figure."""
    now = engine.clock.now()
    if figure is not None:
        spec = SPECS.get(figure)
        if spec is None:
            raise NotFound(msg("stats.no_figure", figure=figure))
        section = spec.section
    with engine.transaction(read_only=True) as session:
        sections = _sections(session, user)
        flt = _within_reach(session, user, flt)
        if section is not None:
            if section not in SECTIONS:
                raise NotFound(msg("stats.no_section", section=section))
            if section not in sections:
                raise PermissionDenied(msg("stats.section_not_for_role", section=section))
            sections = (section,)
        calendar = engine.runtime.calendar(session)
        figures = [spec.build(session, flt, now, calendar) for spec in SPECS.values()
                   if spec.section in sections and figure in (None, spec.key)]
        # such a unit counts only what names it exactly: mostly nothing, as a typo would
        unknown = flt.unit if flt.unit and directory.load(session).find(flt.unit) is None \
            else None
    return Statistics(flt, sections, figures, now, unknown)


def counted_processes(engine: Engine, user: Who) -> list[str]:
    """The procedures whose figures ``user`` reads, to filter by: those their sections count
    (with 按期办结率, every procedure with a step), and for a county's supervisors only those
    with a step, open or done, at one of the county's units (the procedures of the cases
    they read); the city's supervisors are offered each."""
    with engine.transaction(read_only=True) as session:
        sections = _sections(session, user)
        counted = [spec.processes for spec in SPECS.values() if spec.section in sections]
        query = select(ProcessVersion.key).distinct()
        if None not in counted:
            query = query.where(ProcessVersion.key.in_(
                sorted({key for keys in counted if keys for key in keys})))
        area = _within_reach(session, user, StatsFilter()).unit
        if area is not None:
            # one probe of the open-tasks-by-unit index per procedure (ix_tasks_board_cells)
            query = query.where(exists(select(Task.id).where(
                Task.status.in_(("ready", "completed")), Task.process_key == ProcessVersion.key,
                Task.unit.in_(sorted(units_under(session, area))))))
        return list(session.scalars(query.order_by(ProcessVersion.key)))


def _readable(session: Session, user: Who, figure: str) -> Spec:
    """The figure's spec, once ``user`` may read its section."""
    spec = SPECS.get(figure)
    if spec is None:
        raise NotFound(msg("stats.no_figure", figure=figure))
    if spec.section not in _sections(session, user):
        raise PermissionDenied(msg("stats.section_not_for_role", section=spec.section))
    return spec


def figure_payouts(engine: Engine, user: Who, flt: StatsFilter, figure: str, key: str | None,
                   measure: str) -> list[PaidPayout] | None:
    """The payouts behind one count of a figure that counts payouts (兑付笔数: one per
    enterprise paid, not one per case), newest first, at most :data:`CASES_LIMIT`; None for
    a figure that counts cases (:func:`figure_cases`)."""
    return _listed(engine, user, flt, figure, lambda spec: spec.payouts, key, measure)


def figure_tasks(engine: Engine, user: Who, flt: StatsFilter, figure: str, key: str | None,
                 measure: str) -> list[CountedTask] | None:
    """The tasks behind one count of a figure that counts tasks (按期办结率: each step of a
    case counts), as many as the count, at most :data:`CASES_LIMIT`; None for a figure that
    counts cases or payouts."""
    return _listed(engine, user, flt, figure, lambda spec: spec.tasks, key, measure)


def _listed(engine: Engine, user: Who, flt: StatsFilter, figure: str,
            lister: Callable[[Spec], Callable[..., list[T]] | None], key: str | None,
            measure: str) -> list[T] | None:
    """What the figure's ``lister`` lists behind one count; None when it has none. Only
    what lies in the cases ``user`` may read (engine/queries/visibility.py): a count may
    take in cases its reader does not open."""
    now = engine.clock.now()
    with engine.transaction(read_only=True) as session:
        spec = _readable(session, user, figure)
        listing = lister(spec)
        if listing is None:
            return None
        flt = _within_reach(session, user, flt)
        found = listing(session, flt, now, key or None, measure, CASES_LIMIT)
        shown = visibility.readable_ids(session, {item.instance_id for item in found},
                                        users.resolve(session, user))
        return [item for item in found if item.instance_id in shown]


def figure_cases(engine: Engine, user: Who, flt: StatsFilter, figure: str, key: str | None,
                 measure: str) -> list[InstanceSummary]:
    """The cases behind one count of a figure (row ``key``, column ``measure``) that
    ``user`` may read, newest first, at most :data:`CASES_LIMIT`."""
    now = engine.clock.now()
    with engine.transaction(read_only=True) as session:
        spec = _readable(session, user, figure)
        flt = _within_reach(session, user, flt)
        ids = spec.drill(session, flt, now, key or None, measure).subquery()
        rows = session.execute(select(ProcessInstance).where(
            ProcessInstance.id.in_(select(ids.c[0])),
            visibility.readable(session, users.resolve(session, user)),
        ).order_by(ProcessInstance.id.desc()).limit(CASES_LIMIT))
        found = list(rows.scalars())
        named = subjects.of_cases(session, (r.id for r in found))
        return [InstanceSummary(r.id, r.process_key, r.business_key, r.status, r.started_by,
                                r.created_at, r.updated_at, named.get(r.id)) for r in found]
