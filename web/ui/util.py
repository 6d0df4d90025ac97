"""Small helpers shared by the UI blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.urls import iri_to_uri

from engine import Engine


def engine() -> Engine:
    eng: Engine = current_app.extensions["kuaiban"]
    return eng


def safe_next(url: str | None) -> str | None:
    """A path on this site to go back to, judged as the browser will read it, or None.

    Browsers drop tabs and line breaks anywhere in a URL, trim spaces and control characters
    at its ends and read a backslash as a slash, so ``/<TAB>/evil.example`` is
    ``//evil.example`` to them (another site). A value with any of those, or with a space,
    is refused outright (a line break would also break the Location header); what is left
    must be a path: one slash, no scheme, no host. Non-ASCII text is percent-encoded."""
    if not url or any(c <= " " or c in "\x7f\\" for c in url):
        return None
    if not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return iri_to_uri(url)
