"""The statistics page of the supervising roles: filters (period, unit, procedure), each
figure as an ECharts chart and a table whose every count links to the cases behind it, and
the .xlsx download. The engine decides which sections a user sees (403 for other roles)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import (
    InvalidData,
    Statistics,
    StatsFilter,
    UserView,
    counted_processes,
    figure_cases,
    figure_payouts,
    figure_tasks,
    sections_for,
    statistics,
)
from web.downloads import content_disposition
from web.errors import localized_fields
from web.ui.auth import current_user, login_required
from web.ui.stats_text import stats_text
from web.ui.util import engine

bp = Blueprint("stats", __name__, url_prefix="/stats")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION_TITLES = {"timeliness": _l("按期办结"), "clues": _l("问题线索"),
                  "intermediary": _l("中介服务问题线索"), "legacy": _l("新官不理旧账"),
                  "subsidy": _l("惠企政策兑现"), "hotline": _l("12345投诉")}


def may_view_stats(user: UserView | None) -> bool:
    return user is not None and bool(sections_for(user.roles))


def _filter_args(flt: StatsFilter) -> dict[str, Any]:
    return {k: v for k, v in flt.as_json().items() if v}


def cases_link(flt: StatsFilter, figure: str, key: str | None, measure: str) -> str:
    return url_for("stats.cases", figure=figure, key=key or "", measure=measure,
                   **_filter_args(flt))


def chart(stats: Statistics, figure: Any) -> dict[str, Any]:
    """What static/js/stats.js draws: bars for the counts, a line for a rate, each point
    with the link to its cases."""
    series = []
    for column in figure.columns:
        if column.kind not in ("count", "rate"):
            continue
        series.append({
            "name": stats_text(column.title), "type": "bar" if column.kind == "count" else "line",
            "rate": column.kind == "rate",
            "values": [row.values.get(column.key) for row in figure.rows],
            "links": [cases_link(stats.filter, figure.key, row.key, column.key)
                      if column.kind == "count" else None for row in figure.rows]})
    return {"title": stats_text(figure.title), "labels": [stats_text(r.label) for r in figure.rows],
            "series": series}


@bp.get("/")
@login_required
def index() -> str:
    user = current_user()
    eng = engine()
    names = {p.key: p.name for p in eng.processes()}
    # the procedures the reader's figures count, and the one chosen (whatever it is)
    offered = {*counted_processes(eng, user), request.args.get("process") or ""}
    processes = sorted(((key, names[key]) for key in offered if key in names),
                       key=lambda p: p[1])
    try:
        stats = statistics(eng, user, StatsFilter.from_args(request.args))
    except InvalidData as exc:  # no figures under a filter that says nothing
        return render_template("stats.html", stats=None, errors=localized_fields(exc),
                               processes=processes, units=[], args=request.args)
    units = sorted({r.key for f in stats.figures if f.key.endswith("_by_unit")
                    for r in f.rows if r.key})
    # a section with nothing counted (no row, or only zeros, as a campaign's stages before
    # it starts) is one line, not a block of empty figures
    counted = {f.section for f in stats.figures
               if any(v for r in f.rows for v in r.values.values())}
    return render_template(
        "stats.html", stats=stats, errors={}, processes=processes, units=units, counted=counted,
        titles=SECTION_TITLES, chart=lambda f: chart(stats, f),
        link=lambda f, key, measure: cases_link(stats.filter, f.key, key, measure),
        args=request.args, export=url_for("stats.export", **_filter_args(stats.filter)))


@bp.get("/cases")
@login_required
def cases() -> str:
    flt = StatsFilter.from_args(request.args)
    figure, key = request.args.get("figure", ""), request.args.get("key") or None
    measure = request.args.get("measure", "")
    eng = engine()
    # a count of tasks lists its tasks (a case's steps one by one), a count of payouts its
    # payouts (a batch's enterprises one by one): as many as the count, not the cases
    tasks = figure_tasks(eng, current_user(), flt, figure, key, measure)
    payouts = figure_payouts(eng, current_user(), flt, figure, key, measure) \
        if tasks is None else None
    found = figure_cases(eng, current_user(), flt, figure, key, measure) \
        if tasks is None and payouts is None else []
    stats = statistics(eng, current_user(), flt, figure=figure)
    shown = stats.figures[0]
    row = next((r for r in shown.rows if r.key == key), None)
    column = next((c for c in shown.columns if c.key == measure), None)
    names = {p.key: p.name for p in eng.processes()}
    return render_template("stats_cases.html", cases=found, payouts=payouts, tasks=tasks,
                           figure=shown, row=row, column=column, names=names, flt=flt,
                           back=url_for("stats.index", **_filter_args(flt)))


@bp.get("/export.xlsx")
@login_required
def export() -> Response:
    flt = StatsFilter.from_args(request.args)
    body = statistics(engine(), current_user(), flt).to_xlsx()
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": content_disposition(_("统计分析") + ".xlsx")})
