"""Cases in brief on pages about other work: the case a task's case names (``x-case-of``,
the clue a 提级核查 is about) and a leader's overview (web/ui/leader.py), each with where it
stands: its open steps, who holds them and their deadlines. The engine reads them
(engine/queries/case_briefs.py); this says the deadlines in working days and the holders by
name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from engine import CaseBrief, CaseReference, UserView
from web.ui import fmt
from web.ui.case import DISCIPLINE_READERS
from web.ui.util import engine


@dataclass(frozen=True)
class Briefing:
    dues: dict[str, tuple[str, str]]  # open task id -> (css class, 剩余 / 已超期 N 个工作日)
    people: dict[str, str]  # holder's display name by username


def briefing(briefs: Iterable[CaseBrief | None]) -> Briefing:
    eng = engine()
    now, calendar = eng.clock.now(), eng.calendar()
    tasks = [t for b in briefs if b is not None for t in b.open_tasks]
    return Briefing({t.id: fmt.countdown(t.due_at, now, calendar) for t in tasks if t.due_at},
                    eng.shown_names(t.assignee for t in tasks if t.assignee))


@dataclass(frozen=True)
class References:
    """The cases a case's fields name, as a page shows them above its own."""

    cases: list[CaseReference]
    briefing: Briefing
    jurisdiction_label: str | None  # 所属纪委监委, for those who work discipline cases

    @property
    def ids(self) -> set[int]:
        return {r.case.id for r in self.cases if r.case is not None}


def references(instance_id: int, user: UserView) -> References:
    found = engine().references(instance_id, user)
    return References(found, briefing(r.case for r in found),
                      _("所属纪委监委") if DISCIPLINE_READERS & set(user.roles) else None)
