"""File names as people gave them, made safe to store and to offer for download: no folder
parts, no control or bidi-override characters, none of the characters Windows refuses,
length-bounded, Chinese kept; and an extension that fits the content, so that a PDF named
``x.html`` is offered as ``x.html.pdf`` and never opens as a web page."""

from __future__ import annotations

import re
import unicodedata

from engine.files.sniff import Sniffed

MAX_NAME = 120  # characters, extension included
DEFAULT_NAME = "附件"
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
_DROPPED = ("Cc", "Cf", "Cs", "Co", "Cn")  # controls, format (bidi overrides), unassigned


def clean(name: str, sniffed: Sniffed | None = None) -> str:
    """A safe file name for ``name``; with ``sniffed``, its extension fits the content."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    kept = "".join(" " if c in "\t\n\r" or unicodedata.category(c) in ("Zl", "Zp") else c
                   for c in name
                   if c in "\t\n\r" or unicodedata.category(c) not in _DROPPED)
    kept = _SPACES.sub(" ", _UNSAFE.sub("_", kept)).strip(" .")
    stem, dot, extension = kept.rpartition(".")
    if not dot:
        stem, extension = kept, ""
    if sniffed is not None and extension.lower() not in sniffed.extensions:
        stem, extension = kept, sniffed.extensions[0]
    stem = stem.strip(" .") or DEFAULT_NAME
    extension = extension[:10]
    room = MAX_NAME - (len(extension) + 1 if extension else 0)
    return f"{stem[:room].rstrip(' .') or DEFAULT_NAME}.{extension}" if extension \
        else stem[:MAX_NAME]
