"""Operations: liveness and readiness probes, and the request log.

``GET /healthz`` — the process is alive and serving; touches no database. Always 200.
``GET /readyz`` — may this process take traffic: the database answers, its schema is at the
Alembic head, and (a warning only) the working-day calendar knows the current year (and in
December the next one). 200 with
``"status": "ready"``, else 503 with ``"status": "not_ready"``. Neither needs a token, so
neither says anything secret: no URL, no host, no user, no exception text.

Every request is logged once on ``kuaiban.web.request`` (INFO; the probes at DEBUG) with a
request id (the caller's ``X-Request-ID`` when it is a short plain token, else a new one,
echoed in the response), the user, method, path (never the query string), status and
duration. engine/logs.py turns these into JSON lines.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import text

from engine import TZ, migrate

bp = Blueprint("health", __name__)
log = logging.getLogger("kuaiban.web.request")
PROBES = frozenset({"/healthz", "/readyz"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def register(app: Flask) -> None:
    """Register first, so the request clock starts before any other hook runs and the log
    line sees the final response."""
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.register_blueprint(bp)


@bp.route("/healthz", methods=["GET"])
def healthz() -> Response:
    return _no_store(jsonify({"status": "ok"}))


@bp.route("/readyz", methods=["GET"])
def readyz() -> tuple[Response, int]:
    from web.app import engine_of

    checks, warnings = readiness(engine_of(current_app))
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks, "warnings": warnings}
    return _no_store(jsonify(body)), 200 if ready else 503


def readiness(engine: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """(checks by name, each with "ok"; warnings that do not make the process unready)."""
    checks: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    try:
        with engine.db.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = sorted(MigrationContext.configure(conn).get_current_heads())
        checks["database"] = {"ok": True, "dialect": engine.db.dialect.name}
    except Exception as exc:  # the reason goes to the log, never into the unauthenticated body
        logging.getLogger("kuaiban.web.health").warning("readiness: database unreachable: %s",
                                                        exc.__class__.__name__)
        checks["database"] = {"ok": False, "error": "database unreachable"}
        return checks, warnings
    heads = sorted(_scripts().get_heads())
    checks["migrations"] = {"ok": current == heads, "current": current, "head": heads}
    if current != heads:
        warnings.append("the database schema is not at the Alembic head: run `kuaiban migrate`")
    try:
        today = engine.clock.now().astimezone(TZ).date()
        year, calendar = today.year, engine.calendar()
        known = calendar.is_known_year(year)
        next_known = calendar.is_known_year(year + 1)
    except Exception as exc:
        logging.getLogger("kuaiban.web.health").warning("readiness: calendar: %s",
                                                        exc.__class__.__name__)
        checks["calendar"] = {"ok": False, "error": "calendar unreadable"}
        return checks, warnings
    checks["calendar"] = {"ok": True, "year": year, "known": known,
                          "next_year_known": next_known}
    # December: deadlines already reach into January, so the next year is due too
    for missing in [y for y, k in ((year, known), (year + 1, next_known))
                    if not k and (y == year or today.month == 12)]:
        warnings.append(f"the working-day calendar has no official schedule for {missing}: "
                        f"deadlines count only its weekends and statutory holidays; load the "
                        f"State Council's notice with `kuaiban calendar import FILE`")
    return checks, warnings


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(Path(migrate.__file__).parent / "migrations"))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_request() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _log_request(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    user = g.get("api_user") or g.get("user")
    level = logging.DEBUG if request.path in PROBES else logging.INFO
    log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra={
        "request_id": request_id,
        "user": getattr(user, "username", None),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": duration,
        "remote": request.remote_addr,
    })
    return response
