"""Small helpers shared by the UI blueprints."""

from __future__ import annotations

from flask import current_app

from engine import Engine


def engine() -> Engine:
    eng: Engine = current_app.extensions["kuaiban"]
    return eng


def safe_next(url: str | None) -> str | None:
    """A local path to go back to, never another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    return url
