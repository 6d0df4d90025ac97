"""What a statistics request covers: the period, the unit and the procedure chosen, and the
sections each supervising role is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.errors import InvalidData
from engine.messages import msg
from engine.org import directory
from engine.queries.visibility import cases_within
from engine.time.calendar import TZ

# The sections of the statistics page, in page order.
SECTIONS = ("timeliness", "clues", "intermediary", "legacy", "subsidy", "hotline")

# Which figures each supervising role is judged on (domain.md, roles): the case management
# office and the style group follow clue handling, the supervision office clue handling and
# the 12345 complaints, the reform group its legacy-case campaign and the subsidy payouts;
# the city's leaders see everything. The 中介服务 clues (plan 6) are read by those who read
# their ledger (engine/api/reads.py, LEDGER_READERS; the auditor reads no statistics) and
# the clue supervisors. The 市政数局 runs them (its 工作专班), takes the 12345 complaints at its
# 营商环境投诉专席 and receives every subsidy payout's result report: it sees those three.
ROLE_SECTIONS: dict[str, tuple[str, ...]] = {
    "case_manager": ("timeliness", "clues", "intermediary"),
    "style_group": ("timeliness", "clues", "intermediary", "hotline"),
    "supervision_office": ("timeliness", "clues", "intermediary", "hotline"),
    "reform_group": ("timeliness", "intermediary", "legacy", "subsidy"),
    "data_bureau": ("intermediary", "subsidy", "hotline"),
    "city_leader": SECTIONS,
}


def sections_for(roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The sections a user with ``roles`` sees, in page order (none: no statistics)."""
    mine = {s for r in roles for s in ROLE_SECTIONS.get(r, ())}
    return tuple(s for s in SECTIONS if s in mine)


NAME_MAX = 128  # the unit and process key columns


@dataclass(frozen=True)
class StatsFilter:
    """``start``..``end``: local calendar days, both included (None: open-ended)."""

    start: date | None = None
    end: date | None = None
    unit: str | None = None
    process: str | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidData({"from": msg("field.period_reversed")}, msg("stats.period_reversed"))

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> StatsFilter:
        """The filter of a request's query: ``from`` and ``to`` as YYYY-MM-DD, ``unit``,
        ``process``; empty values mean no filter."""
        problems: dict[str, str] = {}
        days: dict[str, date | None] = {}
        for name in ("from", "to"):
            text = (args.get(name) or "").strip()
            try:
                days[name] = date.fromisoformat(text) if text else None
            except ValueError:
                days[name] = None
                problems[name] = "日期格式应为 YYYY-MM-DD"  # as the forms say it
        names = {n: (args.get(n) or "").strip() or None for n in ("unit", "process")}
        problems |= {n: f"最多 {NAME_MAX} 个字符" for n, v in names.items()
                     if v and len(v) > NAME_MAX}
        if problems:
            raise InvalidData(problems, msg("stats.bad_filter"))
        return cls(days["from"], days["to"], names["unit"], names["process"])

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period as [start, end) instants: local midnights in Asia/Shanghai."""
        start = datetime.combine(self.start, time(0), tzinfo=TZ) if self.start else None
        end = (datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=TZ)
               if self.end else None)
        return start, end

    def in_period(self, column: Any) -> ColumnElement[bool]:
        start, end = self.bounds()
        clauses = []
        if start is not None:
            clauses.append(column >= start)
        if end is not None:
            clauses.append(column < end)
        return and_(true(), *clauses)

    def as_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
                "unit": self.unit, "process": self.process}


def units_under(session: Session, unit: str) -> set[str]:
    """The unit names a filter by ``unit`` covers: the unit and every unit below it in the
    directory (a county and its 纪委监委, offices and departments), by any of their names; a
    unit the directory does not know covers only itself."""
    found = directory.load(session)
    entry = found.find(unit)
    if entry is None:
        return {unit}
    return {name for u in found.subtree(entry) for name in (u.name, u.full_name, *u.aliases)
            if name}


def unit_clause(session: Session, flt: StatsFilter,
                column: InstrumentedAttribute[Any] | ColumnElement[Any]) -> ColumnElement[bool]:
    """``column`` names one of the filter's units (always true without a unit filter): a
    task's unit, for the figures that count tasks."""
    if flt.unit is None:
        return true()
    return column.in_(sorted(units_under(session, flt.unit)))


def case_clause(session: Session, flt: StatsFilter, process: str) -> ColumnElement[bool]:
    """The cases of ``process`` of the filter's units (always true without a unit filter):
    registered in one of them or with a task that went to one, the rule by which the
    supervisors of those units read cases (engine/queries/visibility.py). A county's clue
    figures so count the clues its 问题线索台账 lists: one registered but not yet proposed
    (no 承办部门 yet), one transferred to a unit beyond the county, one escalated to the
    city after a step there; a city clue only proposed to a county's unit counts there once
    it is transferred."""
    if flt.unit is None:
        return true()
    return cases_within(units_under(session, flt.unit), process)
