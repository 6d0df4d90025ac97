"""App factory and the ``kuaiban run`` server."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from engine import Engine

log = logging.getLogger("kuaiban.web")
csrf = CSRFProtect()
MIGRATION_LOCK = 0x6B7562616E  # "kuban": the advisory lock web processes upgrade under


def create_app(engine: Engine, secret_key: str | None = None, testing: bool = False,
               trusted_proxies: int | None = None) -> Flask:
    """``trusted_proxies``: reverse proxies in front whose forwarded headers count (default:
    ``KUAIBAN_TRUSTED_PROXIES``, else 0; web/security.py)."""
    from web import api, health, security, ui

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get("KUAIBAN_SECRET_KEY") or secrets.token_hex(32),
        TESTING=testing,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        KUAIBAN_UPLOAD_MAX_BYTES=max(8 * 1024 * 1024, engine.file_limits.request_bytes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # a session cookie is refused this long after it was last written (web/ui/auth.py)
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.extensions["kuaiban"] = engine
    security.install(app, security.trusted_proxies() if trusted_proxies is None
                     else trusted_proxies)
    app.wsgi_app = _OneRead(engine, app.wsgi_app)  # type: ignore[method-assign]
    csrf.init_app(app)
    health.register(app)  # first: /healthz, /readyz and the request log around everything
    api.register(app)  # bearer tokens, JSON only: exempt from CSRF there
    ui.register(app)
    return app


class _OneRead:
    """WSGI middleware: each request's reads share one read transaction (Engine.reading),
    ended when the view's response is made; a body streamed after that (a file's chunks)
    reads in short transactions of its own."""

    def __init__(self, engine: Engine, inner: Callable[..., Iterable[bytes]]) -> None:
        self.engine, self.inner = engine, inner

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.engine.reading():
            return self.inner(environ, start_response)


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["kuaiban"]
    return engine


def from_env() -> Flask:
    """The WSGI app of one web process under gunicorn (docs/operations.md)::

        gunicorn --workers 4 --bind 0.0.0.0:8000 'web.app:from_env()'

    Everything comes from the environment: ``KUAIBAN_DATABASE_URL``, ``KUAIBAN_SECRET_KEY``
    (required: every web process must sign sessions and tokens with the same key),
    ``KUAIBAN_LOG_FORMAT``, ``KUAIBAN_NOW``. The schema is upgraded to the Alembic head first,
    one process at a time (a PostgreSQL advisory lock), so workers starting together after a
    release do not run the same migration twice. Timers are not fired here: run
    ``kuaiban worker`` processes for that.
    """
    from engine import db, logs, migrate

    logs.configure()
    secret = os.environ.get("KUAIBAN_SECRET_KEY", "").strip()
    if not secret:
        # not SystemExit: gunicorn would start the worker again and again; this halts it
        raise RuntimeError("KUAIBAN_SECRET_KEY is not set: every web process must use the "
                           "same secret key (see docs/operations.md)")
    url = db.database_url()
    sql = db.connect(url)
    try:
        with sql.connect() as lock:
            if sql.dialect.name == "postgresql":
                lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            migrate.upgrade(sql)
    finally:
        sql.dispose()
    engine = Engine(url, upgrade=False)
    log.info("web process ready", extra={"dialect": engine.db.dialect.name})
    return create_app(engine, secret_key=secret)
