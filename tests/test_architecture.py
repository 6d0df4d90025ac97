"""Structural rules: the engine is a library with no web in it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).parent.parent / "engine"


def test_engine_never_imports_flask() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "flask"]
    assert offenders == []


def test_engine_never_reads_the_wall_clock_outside_clock_py() -> None:
    allowed = {"clock.py"}
    offenders = []
    for path in ENGINE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today("):
            if needle in text and path.name not in allowed:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_web_uses_only_the_engines_public_api() -> None:
    """web/ imports ``engine`` (its __init__ is the public API), never its subpackages."""
    offenders = []
    for path in (ENGINE.parent / "web").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("engine."):
                offenders.append(f"{path.name}: {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}: {a.name}" for a in node.names
                              if a.name.startswith("engine.")]
    assert offenders == []


def test_every_engine_family_says_what_it_owns() -> None:
    """Each subpackage of engine/ opens with a docstring of what it owns."""
    families = [p for p in ENGINE.iterdir() if (p / "__init__.py").is_file()]
    assert len(families) >= 8
    for family in families:
        doc = ast.get_docstring(ast.parse((family / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 60, family.name
