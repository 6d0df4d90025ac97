"""The HTTP JSON API under /api/v1 (design.md section 3), described by web/api/openapi.py.

Modules: auth (tokens, the bearer check), processes, instances, tasks, cases (search and
my applications), messages, notifications, stats (supervisors' figures), files (a case's
attachments and documents), units (the unit directory), operations (transfer, send back,
urge, copies, comments, terminate and the rest), docs (openapi.json and the HTML page);
errors (every error as JSON), inputs (request parsing), uploads (multipart bodies).
"""

from __future__ import annotations

from flask import Flask

from web.api import (
    applications,
    auth,
    cases,
    docs,
    errors,
    files,
    instances,
    messages,
    notifications,
    operations,
    processes,
    stats,
    tasks,
    units,
)
from web.api.blueprint import bp

errors.install_blueprint()

__all__ = ["applications", "auth", "bp", "cases", "docs", "files", "instances", "messages",
           "notifications", "operations", "processes", "register", "stats", "tasks", "units"]


def register(app: Flask) -> None:
    from web.app import csrf

    csrf.exempt(bp)
    errors.install_app(app)
    app.register_blueprint(bp)
