"""Safe evaluation of the expressions and scripts found in BPMN/DMN diagrams.

Diagrams are untrusted data, so their gateway conditions, due-date and timer expressions, DMN
cells and script tasks never reach Python's ``eval``/``exec``: the source is parsed with
:mod:`ast`, every node is checked against a whitelist (:mod:`engine.scripting.language`, whose
docstring documents the language), and the checked tree is evaluated by a small tree-walking
interpreter (:mod:`engine.scripting.interpreter`) under step and size limits.

* :func:`check` lists every static problem (deploy rejects diagrams with any);
* :func:`evaluate` / :func:`execute` run an expression / a script;
* :class:`SafeEnvironment` plugs both into SpiffWorkflow's ``PythonScriptEngine`` (gateway
  conditions, timers, script tasks, DMN cells: including the ``类型in [...]`` that SpiffWorkflow
  builds by gluing a DMN input to its entry, see :func:`_unglue`).

Code that fails the check raises :class:`~engine.errors.UnsafeInput`; failures while running
(unknown variable, type error, step or size limit) raise :class:`~engine.errors.ScriptError`.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
import unicodedata
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import ScriptError, UnsafeInput
from engine.messages import msg
from engine.scripting.budget import DEFAULT_LIMITS, Limits, json_size
from engine.scripting.interpreter import Interpreter
from engine.scripting.language import Mode, analyse

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "SafeEnvironment",
    "check",
    "evaluate",
    "execute",
    "noting_reads",
    "to_json_value",
]

Functions = Mapping[str, Callable[..., Any]]


def check(source: str, mode: Mode = "eval") -> list[str]:
    """All static problems of ``source`` as ``"line N: reason"``; empty means it may run."""
    return list(analyse(source, mode).problems)


def _checked(source: str, mode: Mode) -> ast.Expression | ast.Module:
    analysis = analyse(source, mode)
    if analysis.tree is None:
        what = "expression" if mode == "eval" else "script"
        shown = "; ".join(analysis.problems[:3])
        more = f" (+{len(analysis.problems) - 3} more)" if len(analysis.problems) > 3 else ""
        raise UnsafeInput(msg("script.refused", what=what, shown=shown, more=more),
                          list(analysis.problems))
    return analysis.tree


def evaluate(
    source: str,
    names: Mapping[str, Any],
    functions: Functions | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Value of the expression ``source`` with variables ``names``; it may call the safe
    builtins and ``functions``."""
    tree = _checked(source, "eval")
    return Interpreter(names, functions or {}, limits, "eval").run(tree)


def execute(
    source: str,
    names: MutableMapping[str, Any],
    functions: Functions | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Run the script ``source``; its assignments update ``names`` in place."""
    tree = _checked(source, "exec")
    Interpreter(names, functions or {}, limits, "exec").run(tree)


def to_json_value(value: Any, limits: Limits, what: str) -> Any:
    """``value`` as plain JSON data (tuples and ranges become lists) or ScriptError; it may
    not be larger than ``limits.max_bytes`` as JSON (counted before anything is copied)."""
    size = json_size(value, limits.max_bytes)
    if size > limits.max_bytes:
        raise ScriptError(msg("script.data_too_large", what=what, max_bytes=limits.max_bytes),
                          {"bytes": size})
    budget = [limits.max_steps]

    def conv(v: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ScriptError(msg("script.too_large", what=what))
        if depth > limits.max_depth:
            raise ScriptError(msg("script.too_deep", what=what, max_depth=limits.max_depth))
        if v is None or isinstance(v, str | bool | int):
            return v
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ScriptError(msg("script.unstorable_value", what=what, value=v))
            return v
        if isinstance(v, list | tuple | range):
            items = [conv(i, depth + 1) for i in v]
            same = isinstance(v, list) and all(a is b for a, b in zip(items, v, strict=True))
            return v if same else items
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise ScriptError(msg("script.non_string_key", what=what))
            new = {k: conv(x, depth + 1) for k, x in v.items()}
            return v if all(new[k] is v[k] for k in v) else new
        raise ScriptError(msg("script.unstorable_type", what=what, type=type(v).__name__))

    return conv(value, 0)


_GLUED = re.compile(r"(.*[^\x00-\x7f])(in|not|is|and|or)")


def _unglue(source: str, names: Mapping[str, Any]) -> str | None:
    """Undo SpiffWorkflow's DMN gluing of input and entry: DMNEngine evaluates ``input + entry``,
    so input ``类型`` and entry ``in ["a"]`` become ``类型in ["a"]``, which Python reads as the
    name ``类型in``. Return ``source`` with a space put between every unknown non-ASCII name and
    a keyword glued to its end, or None if there is none."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = source.splitlines(keepends=True)
    changed = False
    for tok in reversed(tokens):  # from the end, so earlier columns stay valid
        match = _GLUED.fullmatch(tok.string) if tok.type == tokenize.NAME else None
        if match and unicodedata.normalize("NFKC", tok.string) not in names:
            row, end = tok.end
            cut = end - len(match.group(2))
            lines[row - 1] = lines[row - 1][:cut] + " " + lines[row - 1][cut:]
            changed = True
    return "".join(lines) if changed else None


EVERY_NAME = "*"  # noted when the data was listed or counted rather than asked by name
_noted: ContextVar[set[str] | None] = ContextVar("kuaiban_noted_reads", default=None)


@contextmanager
def noting_reads() -> Iterator[set[str]]:
    """Every name the diagram's expressions and scripts look up in a task's data while inside,
    found or not (:data:`EVERY_NAME` when one lists the data). A start template
    (engine/runtime/bulk/template.py) relies on this to know which values a start's way to
    its first wait depends on."""
    seen: set[str] = set()
    token = _noted.set(seen)
    try:
        yield seen
    finally:
        _noted.reset(token)


class _Noting(MutableMapping[str, Any]):
    """Task data that notes the names looked up in it; writes pass through."""

    def __init__(self, inner: MutableMapping[str, Any], seen: set[str]) -> None:
        self.inner, self.seen = inner, seen

    def __getitem__(self, name: str) -> Any:
        self.seen.add(name)
        return self.inner[name]

    def __contains__(self, name: object) -> bool:
        self.seen.add(str(name))
        return name in self.inner

    def __iter__(self) -> Iterator[str]:
        self.seen.add(EVERY_NAME)
        return iter(self.inner)

    def __len__(self) -> int:
        self.seen.add(EVERY_NAME)
        return len(self.inner)

    def __setitem__(self, name: str, value: Any) -> None:
        self.inner[name] = value

    def __delitem__(self, name: str) -> None:
        del self.inner[name]


def _noting(names: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    seen = _noted.get()
    return names if seen is None else _Noting(names, seen)


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that never uses eval/exec.

    ``functions`` are callable from every expression and script. SpiffWorkflow's
    ``external_context`` is split: callables are added to the functions for that call, other
    values (workflow data objects, DMN's ``dmninputexpr``) are readable as variables, with
    task data taking precedence, and are never written into the task data.
    """

    def __init__(
        self, functions: Functions | None = None, *, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        super().__init__({})
        self.functions: dict[str, Callable[..., Any]] = dict(functions or {})
        self.limits = limits

    def _split(self, external: Mapping[str, Any] | None) -> tuple[Functions, dict[str, Any]]:
        if not external:
            return self.functions, {}
        functions, data = dict(self.functions), {}
        for name, value in external.items():
            if callable(value):
                functions[name] = value
            else:
                data[name] = value
        return functions, data

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        functions, data = self._split(external_context)
        names: Mapping[str, Any] = _noting(ChainMap(context, data) if data else context)
        try:
            return evaluate(expression, names, functions, limits=self.limits)
        except (UnsafeInput, ScriptError):
            repaired = _unglue(expression, names)
            if repaired is None:
                raise
        return evaluate(repaired, names, functions, limits=self.limits)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        """Run a script task. Its top-level assignments reach the task data only if it succeeds
        (in-place changes to nested values are not rolled back). Afterwards the task data holds
        no callables, and every variable the script mentions is plain JSON data (tuples and
        ranges become lists; sets, non-string keys, NaN and other objects are refused)."""
        functions, data = self._split(external_context)
        work = dict(context)
        execute(script, _noting(ChainMap(work, data) if data else work), functions,
                limits=self.limits)
        mentioned = analyse(script, "exec").names
        for name in list(work):
            if callable(work[name]):
                del work[name]
            elif name in mentioned:
                work[name] = to_json_value(work[name], self.limits, f"variable '{name}'")
        context.clear()
        context.update(work)
        return True
