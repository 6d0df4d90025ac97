"""App factory and the ``kuaiban run`` server."""

from __future__ import annotations

import logging
import os
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from engine.api import Engine

log = logging.getLogger("kuaiban.web")
csrf = CSRFProtect()


def create_app(engine: Engine, secret_key: str | None = None, testing: bool = False) -> Flask:
    from web import api, ui

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get("KUAIBAN_SECRET_KEY") or secrets.token_hex(32),
        TESTING=testing,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["kuaiban"] = engine
    csrf.init_app(app)
    api.register(app)  # bearer tokens, JSON only: exempt from CSRF there
    ui.register(app)
    return app


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["kuaiban"]
    return engine


def serve(engine: Engine, host: str, port: int, demo: bool) -> None:
    """Serve with Werkzeug's threaded server (gunicorn for several processes: docs/operations)."""
    from werkzeug.serving import run_simple

    app = create_app(engine)
    if demo:
        from web.demo import create_demo_users

        print("demo users (password for all: see below):")
        for line in create_demo_users(engine):
            print("  " + line)
    print(f"Kuaiban: http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)
