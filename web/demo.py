"""Demo users for ``kuaiban run --demo`` (replaced by the UI work)."""

from __future__ import annotations

from engine.api import Engine


def create_demo_users(engine: Engine) -> list[str]:
    return []
