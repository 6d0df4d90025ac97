"""The overdue board: overdue and due-today counts by unit and procedure, each count linking
to its tasks. Supervising roles see every unit; unit-scoped roles see their own unit."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine import ROLES_BY_ID as BY_ID
from engine import URGING_ROLES, WHEN, UserView, board_tasks, most_overdue_first, overdue_board
from web.ui import fmt
from web.ui.auth import current_user, login_required
from web.ui.tasks import may_work
from web.ui.util import engine

bp = Blueprint("board", __name__, url_prefix="/board")
ORDERS = ("overdue", "area")  # most overdue first; by jurisdiction, as the directory lists
SUPERVISORS = frozenset({"auditor", "case_manager", "style_group", "supervision_office",
                         "city_leader", "reform_group"})


def scope(user: UserView) -> tuple[bool, str | None]:
    """(sees every unit, the unit seen otherwise); 403 for roles with no board."""
    if SUPERVISORS & set(user.roles):
        return True, None
    if user.unit and any(BY_ID[r].unit_scoped for r in user.roles if r in BY_ID):
        return False, user.unit
    abort(403)


def may_view_board(user: UserView | None) -> bool:
    if user is None:
        return False
    return bool(SUPERVISORS & set(user.roles)) or bool(
        user.unit and any(BY_ID[r].unit_scoped for r in user.roles if r in BY_ID))


@bp.get("/")
@login_required
def index() -> str:
    all_units, unit = scope(current_user())
    eng = engine()
    board = overdue_board(eng, unit=unit, all_units=all_units,
                          reach=current_user().reach if all_units else None)
    names = {p.key: p.name for p in eng.processes()}
    present = sorted({r.process_key for r in board}, key=lambda k: (names.get(k, k), k))
    process = request.args.get("process") or None
    order = request.args.get("order", ORDERS[0])
    if order not in ORDERS:
        order = ORDERS[0]
    rows = [r for r in board if process in (None, r.process_key)]
    if order == "overdue":
        rows = most_overdue_first(rows)
    totals = (sum(r.overdue for r in rows), sum(r.due_today for r in rows),
              sum(r.open for r in rows), sum(r.urged for r in rows))
    return render_template("board.html", rows=rows, names=names, totals=totals,
                           all_units=all_units, unit=unit, present=present, process=process,
                           order=order)


def board_view() -> dict[str, str]:
    """The board's order and procedure filter a drill-down came from, for the way back."""
    view = {"order": request.args.get("order", ""), "process": request.args.get("filter", "")}
    if view["order"] not in ORDERS:
        view["order"] = ""
    return {k: v for k, v in view.items() if v}


@bp.get("/tasks")
@login_required
def tasks() -> str:
    user = current_user()
    all_units, own_unit = scope(user)
    unit = request.args.get("unit") or None
    if not all_units and unit != own_unit:
        abort(403)
    if all_units and user.reach is not None and unit not in user.reach:
        abort(403)  # a county's supervisor: the county's units only
    process = request.args.get("process") or None
    role = None if unit else request.args.get("role") or None  # a row of tasks with no unit
    when = request.args.get("when", "overdue")
    if when not in WHEN:
        abort(400)
    eng = engine()
    now = eng.clock.now()
    calendar = eng.calendar()
    found = board_tasks(eng, unit, process, when, reach=user.reach if all_units else None,
                        role=role, reader=user)
    rows = [(t, *fmt.countdown(t.due_at, now, calendar)) for t in found]
    names = {p.key: p.name for p in eng.processes()}
    openable = eng.inbox.openable([t.id for t in found], user.username)
    # 催办 from the list, as beside the case's tasks: whoever holds a task, not one's own
    urgeable = {t.id for t in found if not (t.id in openable and may_work(t, user))} \
        if URGING_ROLES & set(user.roles) else set()
    return render_template("board_tasks.html", rows=rows, unit=unit, process=process,
                           role=role, when=when, names=names, openable=openable,
                           board_view=board_view(),
                           urgeable=urgeable, back=request.full_path.rstrip("?"),
                           people=eng.shown_names(t.assignee for t in found if t.assignee))
