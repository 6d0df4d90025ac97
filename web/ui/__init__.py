"""The browser UI: inboxes, task pages, instances, designer and auditor pages.

Server-rendered Jinja pages, one blueprint per feature; handlers are thin and call only the
engine's public API (plus the read-side engine modules board, diagram, startable and
version_diff). Simplified Chinese by default, English on request (Flask-Babel).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask


def register(app: Flask) -> None:
    """Register the UI blueprints (sign-in, inbox, tasks, instances, designer, auditor,
    notifications, search and the user's own lists)."""
    from web.errors import localized, said
    from web.ui import (
        account,
        assets,
        auditor,
        auth,
        board,
        case,
        cases,
        designer,
        files,
        forms,
        i18n,
        inbox,
        instances,
        leader,
        ledgers,
        modeler,
        notifications,
        operations,
        own_payouts,
        pages,
        read_log,
        start,
        stats,
        tasks,
        units,
    )

    i18n.init(app)
    auth.init(app)
    pages.init(app)
    app.jinja_env.globals["may_view_board"] = board.may_view_board
    app.jinja_env.globals["viewer_installed"] = assets.viewer_installed
    app.jinja_env.globals["may_view_ledgers"] = ledgers.may_view_ledgers
    app.jinja_env.globals["may_start"] = start.may_start
    app.jinja_env.globals["start_url"] = start.start_url
    app.jinja_env.globals["may_view_stats"] = stats.may_view_stats
    app.jinja_env.globals["unread_notifications"] = notifications.unread_notifications
    app.jinja_env.filters["notice_label"] = notifications.kind_label
    app.jinja_env.globals["file_limit_mb"] = files.file_limit_mb
    app.jinja_env.globals["files_chosen"] = files.files_chosen
    app.jinja_env.globals["my_phrases"] = account.my_phrases
    app.jinja_env.globals["said"] = said
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.globals["may_apply"] = cases.may_apply
    app.jinja_env.globals["applies_only"] = auth.applies_only
    app.jinja_env.globals["home"] = auth.home
    app.jinja_env.globals["is_leader"] = leader.is_leader
    app.jinja_env.globals["read_window_minutes"] = read_log.WINDOW // timedelta(minutes=1)
    app.jinja_env.globals["may_read_policies"] = cases.may_read_policies
    app.jinja_env.filters["highlighted"] = cases.highlighted
    app.jinja_env.filters["part_named"] = forms.part_named
    app.jinja_env.tests["grid"] = lambda value: isinstance(value, case.Grid)
    app.jinja_env.tests["entries"] = lambda value: isinstance(value, case.Entries)
    app.jinja_env.tests["datetime"] = lambda value: isinstance(value, datetime)
    for module in (assets, auth, account, inbox, tasks, start, instances, designer, auditor, board,
                   ledgers, stats, notifications, files, units, cases, own_payouts,
                   operations, leader):
        app.register_blueprint(module.bp)
    app.register_blueprint(modeler.bp)
