"""The engine's lint findings on a modeler draft, shown as warnings beside validation's errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from engine import EngineError, Problem, SourceFile
from web.errors import localized
from web.ui.util import engine

log = logging.getLogger("kuaiban.web.modeler")


def lint_warnings(files: list[SourceFile]) -> list[dict[str, Any]]:
    """Engine.lint(files) findings when the engine has it. Lint repeats validation's errors
    (the caller drops those); anything else it finds is advisory and never blocks a deploy,
    so it is shown as a warning."""
    lint = getattr(engine(), "lint", None)
    if not callable(lint):
        return []
    try:
        result = lint(files)
    except EngineError as exc:
        log.info("lint refused the draft: %s", exc.message)
        return []
    except Exception:  # lint is advisory; validation has the last word
        log.exception("lint failed")
        return []
    items = getattr(result, "problems", result) or []
    out = []
    for p in items:
        if isinstance(p, Problem):
            item = {**p.as_dict(), "message": localized(p.said)}
        elif isinstance(p, Mapping):
            item = {"file": p.get("file"), "line": p.get("line"), "element": p.get("element"),
                    "message": str(p.get("message", "")), "severity": p.get("severity")}
        else:
            item = {"file": None, "line": None, "element": None, "message": str(p),
                    "severity": None}
        if item.get("severity") not in ("warning", "info"):
            item["severity"] = "warning"
        out.append(item)
    return out
