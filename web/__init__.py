"""Kuaiban's web app: task inboxes per role and the HTTP JSON API, a thin client of the engine."""

from web.app import create_app

__all__ = ["create_app"]
