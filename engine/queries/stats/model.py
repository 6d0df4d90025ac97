"""The shape of a figure: named rows of numbers under titled columns, each count able to
name the cases behind it (``drill``), and, for a figure that counts tasks or payouts, the
tasks or payouts themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from engine.queries.payouts import PaidPayout
from engine.queries.stats.scope import StatsFilter
from engine.time.calendar import WorkCalendar

# the kinds of column: a count of cases or tasks (drillable), a percentage, yuan, working days
COUNT, RATE, AMOUNT, DAYS = "count", "rate", "amount", "days"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = COUNT


@dataclass
class Row:
    key: str | None  # what the row groups by (a unit, a process key, a type); None: not given
    label: str
    values: dict[str, float | int | None]


@dataclass
class Figure:
    key: str
    section: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "section": self.section, "title": self.title,
                "note": self.note,
                "columns": [{"key": c.key, "title": c.title, "kind": c.kind}
                            for c in self.columns],
                "rows": [{"key": r.key, "label": r.label, "values": r.values}
                         for r in self.rows]}


@dataclass(frozen=True)
class CountedTask:
    """One task behind a count of tasks: its case, its step, where and by when it was to be
    done, and when it was (None: still open)."""

    id: str
    instance_id: int
    process_key: str
    business_key: str | None
    title: str
    unit: str | None
    due_at: datetime | None
    completed_at: datetime | None
    subject: str | None = None  # its case's subject (事由)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to rate."""
    return round(100.0 * part / whole, 1) if whole else None


# (session, filter, now, the working-day calendar) -> the figure
Build = Callable[[Session, StatsFilter, datetime, WorkCalendar], Figure]
# (session, filter, now, row key, column key) -> SELECT of the instance ids behind one count
Drill = Callable[[Session, StatsFilter, datetime, str | None, str], Select[int]]


# (session, filter, now, row key, column key) -> the payouts behind one count, for a figure
# that counts payouts rather than cases (engine/queries/payouts.py)
PayoutDrill = Callable[[Session, StatsFilter, datetime, str | None, str, int],
                       list[PaidPayout]]


# (session, filter, now, row key, column key, limit) -> the tasks behind one count, for a
# figure that counts tasks (按期办结率: a case's steps each count)
TaskDrill = Callable[[Session, StatsFilter, datetime, str | None, str, int],
                     list[CountedTask]]


@dataclass(frozen=True)
class Spec:
    key: str
    section: str
    build: Build
    drill: Drill
    payouts: PayoutDrill | None = None
    tasks: TaskDrill | None = None
    processes: tuple[str, ...] | None = None  # the procedures it counts (None: every one)
