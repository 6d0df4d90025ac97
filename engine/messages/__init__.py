"""What the engine says to a person: a stable key and its parameters (:class:`Msg`), with an
English and a Chinese template per key in the catalogue (``CATALOGUE``).

Errors and validation problems carry a ``Msg``; their ``.message`` is the English text (the
command line and the logs), and the web layer renders the same ``Msg`` in the reader's
language. A key never changes meaning, so API clients may translate it themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.messages.catalogue_audit import AUDIT
from engine.messages.catalogue_definitions import DEFINITIONS
from engine.messages.catalogue_fields import FIELDS
from engine.messages.catalogue_form_diff import FORM_DIFF
from engine.messages.catalogue_forms import FORMS
from engine.messages.catalogue_inputs import INPUTS
from engine.messages.catalogue_notices import NOTICES
from engine.messages.catalogue_people import PEOPLE
from engine.messages.catalogue_requests import REQUESTS
from engine.messages.catalogue_work import WORK
from engine.messages.catalogue_xml import XML


class Text(NamedTuple):
    en: str
    zh: str


LANGUAGES = ("en", "zh")
VERBATIM = "text"  # a text given as it is (say, a third-party library's own message)
_SEPARATOR = {"en": ", ", "zh": "、"}

CATALOGUE: dict[str, Text] = {
    VERBATIM: Text("{text}", "{text}"),
    **{key: Text(*texts) for key, texts in (
        AUDIT | DEFINITIONS | FIELDS | FORM_DIFF | FORMS | INPUTS | NOTICES | PEOPLE | REQUESTS
        | WORK | XML
    ).items()},
}


@dataclass(frozen=True, eq=False)
class Msg:
    """A message: ``key`` in the catalogue, and the ``params`` its templates name."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str = "en") -> str:
        """The text in ``language`` ("en" or "zh"); nested messages in the same language,
        lists joined the language's way."""
        texts = CATALOGUE.get(self.key)
        if texts is None:
            return f"{self.key} {dict(self.params)}" if self.params else self.key
        template = texts.zh if language == "zh" else texts.en
        values = {name: _shown(value, language) for name, value in self.params.items()}
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError):  # a template and its call disagree
            return f"{template} {values}"

    @property
    def english(self) -> str:
        return self.render("en")

    def as_dict(self) -> dict[str, Any]:
        """``key`` and ``params`` for a JSON body (nested messages by their English text)."""
        return {"key": self.key,
                "params": {k: _shown(v, "en") if _has_msg(v) else v
                           for k, v in self.params.items()}}

    def __str__(self) -> str:
        return self.english

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, dict(self.params)) == (
            other.key, dict(other.params))

    def __hash__(self) -> int:
        return hash((self.key, repr(sorted(self.params.items()))))


def msg(key: str, /, **params: Any) -> Msg:
    return Msg(key, params)


def as_msg(text: Msg | str) -> Msg:
    """``text`` as a message: a plain string is kept verbatim."""
    return text if isinstance(text, Msg) else Msg(VERBATIM, {"text": text})


def _shown(value: Any, language: str) -> Any:
    if isinstance(value, Msg):
        return value.render(language)
    if isinstance(value, list | tuple | set | frozenset):
        return _SEPARATOR[language if language in _SEPARATOR else "en"].join(
            str(_shown(v, language)) for v in value)
    return value


def _has_msg(value: Any) -> bool:
    """Whether a parameter is, or lists, a message (said as text in a JSON body)."""
    return isinstance(value, Msg) or (isinstance(value, list | tuple | set | frozenset)
                                      and any(isinstance(v, Msg) for v in value))
