"""The files a definition is made of (BPMN, DMN, JSON Schema forms), told apart by name."""

from __future__ import annotations

import os
from dataclasses import dataclass

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: str

    @property
    def kind(self) -> str | None:
        return kind_of(self.name)


def kind_of(filename: str) -> str | None:
    lower = filename.lower()
    if lower.endswith(".bpmn") or lower.endswith(".bpmn20.xml"):
        return "bpmn"
    if lower.endswith(".dmn"):
        return "dmn"
    if lower.endswith(".json"):
        return "form"
    return None


def form_key_of(filename: str) -> str:
    return os.path.basename(filename).rsplit(".", 1)[0]
