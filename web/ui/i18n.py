"""Languages: Simplified Chinese (the message ids themselves) by default, English from the
compiled catalogue in web/translations. The choice is kept in the session."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
COLONS = {"zh": "：", "en": ": "}  # after a label: full width in Chinese, never in English
SEPARATORS = {"zh": "、", "en": ", "}  # between the items of a list in running text


def current_language() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


def message_language() -> str:
    """The language of what the engine says: the chosen one on pages; an API request's
    Accept-Language first (a client has no session to choose in), then the chosen one."""
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best in LANGUAGES:
            return best
    return current_language()


def colon(label: str) -> str:
    """``label`` followed by the colon of the page's language (the ``colon`` filter)."""
    return label + COLONS[current_language()]


def listed(items: Iterable[object]) -> str:
    """``items`` joined as the page's language lists them (the ``listed`` filter)."""
    return SEPARATORS[current_language()].join(str(item) for item in items)


def init(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    Babel(app, locale_selector=current_language,
          default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.filters["colon"] = colon
    app.jinja_env.filters["listed"] = listed
