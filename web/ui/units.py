"""The unit directory page for designers: the tree of units, searchable by any name."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine import Unit, UnitDirectory
from web.ui.auth import roles_required
from web.ui.util import engine

bp = Blueprint("units", __name__, url_prefix="/units")
MAX_DEPTH = 5  # indentation steps the stylesheet draws


@bp.get("/")
@roles_required("designer")
def index() -> str:
    found = engine().unit_directory()
    q = (request.args.get("q") or "").strip()
    rows = [(u, depth) for u, depth in _tree(found)
            if not q or any(q in name for name in (*u.names, *u.tags, u.kind))]
    below = {u.id: len(found.children(u)) for u, _ in rows}
    return render_template("units.html", rows=rows, below=below, q=q, total=len(found.units))


def _tree(found: UnitDirectory) -> list[tuple[Unit, int]]:
    """Every unit under its parent, depth first, with its depth (capped for the indent)."""
    out: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in reversed(found.children(None))]
    while stack:
        unit, depth = stack.pop()
        out.append((unit, min(depth, MAX_DEPTH)))
        stack.extend((child, depth + 1) for child in reversed(found.children(unit)))
    return out
