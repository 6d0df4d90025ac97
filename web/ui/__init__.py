"""The browser UI: inboxes, task pages, instances, designer and auditor pages."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the UI blueprints (sign-in, inbox, tasks, instances, designer, auditor)."""
