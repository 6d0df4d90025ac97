"""The HTTP JSON API under /api/v1 (design.md section 3)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register(app: Flask) -> None:
    from web.app import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
