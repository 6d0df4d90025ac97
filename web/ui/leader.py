"""The city leader's page (领导工作台), where signing in leads them: what awaits their
approval and how long it has waited, the cases under way of the procedures they decide in
(the 提级核查 the city took over: where each stands, who holds it, its deadline) and the
city's overdue counts from the board. Only the engine's reads: the inbox, the cases the
leader oversees (engine/queries/case_briefs.py) and the overdue board."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import TZ, InboxFilter, UserView, WorkCalendar, overdue_board
from web.ui import briefs, fmt
from web.ui.auth import current_user, login_required
from web.ui.util import engine

bp = Blueprint("leader", __name__, url_prefix="/leader")
LEADERS = frozenset({"city_leader"})


def is_leader(user: UserView | None) -> bool:
    return user is not None and bool(LEADERS & set(user.roles))


@bp.get("/")
@login_required
def index() -> str:
    user = current_user()
    if not is_leader(user):
        abort(403)
    eng = engine()
    now, calendar = eng.clock.now(), eng.calendar()
    awaiting = eng.inbox.page(user, InboxFilter())
    overseen = eng.overseen(user)
    steps = Counter(t.title for b in overseen for t in b.open_tasks)
    board = overdue_board(eng, reach=user.reach)
    return render_template(
        "leader.html", awaiting=[(t, waited(t.created_at, now, calendar),
                                  fmt.countdown(t.due_at, now, calendar))
                                 for t in awaiting.tasks],
        more=awaiting.has_next, total=awaiting.total, overseen=overseen,
        briefing=briefs.briefing(overseen), steps=steps.most_common(),
        overdue_cases=sum(b.overdue for b in overseen),
        processes={p.key: p.name for p in eng.processes()},
        people=eng.shown_names(t.assignee for t in awaiting.tasks if t.assignee),
        board=(sum(r.overdue for r in board), sum(r.due_today for r in board),
               sum(r.open for r in board), sum(r.urged for r in board)))


def waited(arrived: datetime, now: datetime, calendar: WorkCalendar) -> str:
    """How long a task has waited for its holder: 今日到达 / 已等待 N 个工作日, counted on
    the official working-day calendar like its deadline."""
    day, today = arrived.astimezone(TZ).date(), now.astimezone(TZ).date()
    if day == today:
        return _("今日到达")
    days = calendar.workdays_between(day, today)
    if days < 1:
        return _("不足 1 个工作日")
    return ngettext("已等待 %(num)d 个工作日", "已等待 %(num)d 个工作日", days)
