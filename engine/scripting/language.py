"""Definition and static check of the safe expression/script language.

The language is a small subset of Python. Sources are parsed with :mod:`ast` and every node is
checked against the whitelists below before anything runs; :mod:`engine.scripting.interpreter`
then evaluates the checked tree itself (nothing ever reaches ``eval``/``exec``/``compile``).
The public API lives in :mod:`engine.scripting.expressions`.

Allowed in expressions (``mode="eval"``) and scripts (``mode="exec"``):

* literals: str, int, float, bool, None, list, tuple, dict, set (no bytes, complex, ``...``);
* names, except any name starting with ``_``;
* arithmetic ``+ - * / // % **``, bitwise ``& | ^ ~ << >>``, comparisons (chained),
  ``and``/``or``/``not``, ``in``/``not in``, ``is``/``is not`` only against None/True/False,
  conditional expressions ``a if c else b``;
* subscripts and simple slices ``x[i]``, ``x[a:b:c]``; f-strings (``!r``/``!s``/``!a`` and
  format specs, but no width/precision above 1000);
* list/set/dict comprehensions and generator expressions (evaluated eagerly, bounded);
* calls only by name to a safe builtin (:data:`SAFE_BUILTINS`) or to a function the caller
  passes in, and method calls ``obj.m(...)`` with ``m`` in :data:`METHODS`, checked again at run
  time against the receiver's type. No other attribute access at all.

Scripts additionally allow: assignment (to names, subscripts ``a["x"] = 1`` and tuple/list
unpacking), augmented assignment, ``if``/``elif``/``else``, ``for``/``else`` over bounded
iterables with ``break``/``continue``, ``pass``, expression statements and ``del`` of names
and subscripts.

Rejected: import, def, lambda, class, while (use ``for i in range(n)``), with, try, raise,
assert, return, global/nonlocal, yield, await, async, match, the walrus ``:=``, ``*``/``**``
unpacking, annotated assignment, ``%``-formatting of strings (run-time), ``str.format``, calls
of anything but a plain name or a whitelisted method, and calls to every other Python builtin
(``eval``, ``exec``, ``open``, ``getattr``, ``type``, ``globals`` ...) even if a variable of that
name exists. Functions are not values: a bare name only ever reads data.

Static limits here: at most ``MAX_SOURCE_CHARS`` characters and ``MAX_AST_DEPTH`` levels of
nesting (so 2,000 nested parentheses or ``-`` signs are refused as problems, never as a
RecursionError). Run-time limits (:class:`engine.scripting.budget.Limits`) bound the evaluation
steps (work on big values is charged by size), string/collection/integer sizes (checked *before*
``'a' * 10**9``, ``2 ** 10**9``, ``range(10**12)`` ... are built) and printed sizes.
"""

from __future__ import annotations

import ast
import builtins
import functools
from dataclasses import dataclass
from typing import Literal

Mode = Literal["eval", "exec"]

MAX_SOURCE_CHARS = 100_000
MAX_AST_DEPTH = 100


SAFE_BUILTINS: frozenset[str] = frozenset(
    {
        "len", "min", "max", "sum", "abs", "round", "int", "float", "str", "bool", "sorted",
        "any", "all", "range", "list", "dict", "set", "tuple", "enumerate", "zip",
    }
)  # fmt: skip
FORBIDDEN_CALLS: frozenset[str] = frozenset(dir(builtins)) - SAFE_BUILTINS

_STR_METHODS = frozenset(
    {
        "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines",
        "join", "lower", "upper", "title", "capitalize", "replace", "find", "rfind", "count",
        "isdigit", "isnumeric", "isalpha", "isalnum", "isspace", "removeprefix", "removesuffix",
    }
)  # fmt: skip
_LIST_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "copy",
     "clear"}
)  # fmt: skip
_TUPLE_METHODS = frozenset({"index", "count"})
_DICT_METHODS = frozenset(
    {"get", "keys", "values", "items", "pop", "setdefault", "update", "copy", "clear"}
)
_SET_METHODS = frozenset(
    {"add", "discard", "remove", "union", "intersection", "difference", "issubset",
     "issuperset", "copy", "clear"}
)  # fmt: skip
#: receiver type -> method names callable on it (checked at run time with isinstance)
METHODS_BY_TYPE: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (str, _STR_METHODS),
    (list, _LIST_METHODS),
    (tuple, _TUPLE_METHODS),
    (dict, _DICT_METHODS),
    ((set, frozenset), _SET_METHODS),
)
METHODS: frozenset[str] = frozenset().union(*(names for _, names in METHODS_BY_TYPE))

_OPERATORS: tuple[type[ast.AST], ...] = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd,
    ast.UAdd, ast.USub, ast.Not, ast.Invert, ast.And, ast.Or,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    ast.Load, ast.Store, ast.Del,
)  # fmt: skip
EXPR_NODES: frozenset[type[ast.AST]] = frozenset(
    (
        ast.Expression, ast.Constant, ast.Name, ast.List, ast.Tuple, ast.Set, ast.Dict,
        ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice,
        ast.JoinedStr, ast.FormattedValue, ast.ListComp, ast.SetComp, ast.DictComp,
        ast.GeneratorExp, ast.comprehension, ast.Call, ast.keyword, ast.Attribute,
        *_OPERATORS,
    )
)  # fmt: skip
STMT_NODES: frozenset[type[ast.AST]] = frozenset(
    (ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.Pass, ast.Break,
     ast.Continue, ast.Expr, ast.Delete)
)  # fmt: skip

_REASONS: dict[str, str] = {
    "Import": "import is not allowed",
    "ImportFrom": "import is not allowed",
    "FunctionDef": "function definitions are not allowed",
    "AsyncFunctionDef": "function definitions are not allowed",
    "Lambda": "lambda is not allowed",
    "ClassDef": "class definitions are not allowed",
    "While": "while loops are not allowed; use 'for i in range(n)'",
    "With": "'with' is not allowed",
    "Try": "'try' is not allowed",
    "TryStar": "'try' is not allowed",
    "Raise": "'raise' is not allowed",
    "Assert": "'assert' is not allowed",
    "Return": "'return' is not allowed",
    "Global": "'global' is not allowed",
    "Nonlocal": "'nonlocal' is not allowed",
    "Yield": "'yield' is not allowed",
    "YieldFrom": "'yield' is not allowed",
    "Await": "'await' is not allowed",
    "NamedExpr": "assignment expressions (:=) are not allowed",
    "Starred": "* unpacking is not allowed",
    "AnnAssign": "annotated assignment is not allowed",
    "Match": "'match' is not allowed",
    "MatMult": "the @ operator is not allowed",
}
_CONSTANT_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Analysis:
    """Result of parsing and checking one source: the tree when there are no problems."""

    tree: ast.Expression | ast.Module | None
    problems: tuple[str, ...]
    names: frozenset[str]  # every variable name the source mentions


@functools.lru_cache(maxsize=2048)
def analyse(source: str, mode: Mode) -> Analysis:
    """Parse and check ``source``; cached because the same expressions run many times."""
    if not isinstance(source, str):
        return Analysis(None, ("line 1: source must be a string",), frozenset())
    if len(source) > MAX_SOURCE_CHARS:
        return Analysis(
            None, (f"line 1: source longer than {MAX_SOURCE_CHARS} characters",), frozenset()
        )
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return Analysis(None, (f"line {exc.lineno or 1}: syntax error: {exc.msg}",), frozenset())
    except (RecursionError, MemoryError):
        return Analysis(None, ("line 1: expression is nested too deeply",), frozenset())
    except ValueError as exc:  # e.g. null bytes
        return Analysis(None, (f"line 1: {exc}",), frozenset())
    assert isinstance(tree, ast.Expression | ast.Module)
    problems, names = _Checker(mode).run(tree)
    return Analysis(None if problems else tree, tuple(problems), frozenset(names))


class _Checker:
    def __init__(self, mode: Mode) -> None:
        self.allowed = EXPR_NODES if mode == "eval" else EXPR_NODES | STMT_NODES
        self.problems: list[tuple[int, str]] = []
        self.names: set[str] = set()

    def run(self, tree: ast.AST) -> tuple[list[str], set[str]]:
        # iterative walk: (node, parent, depth, inside a for loop, line)
        stack: list[tuple[ast.AST, ast.AST | None, int, bool, int]] = [(tree, None, 0, False, 1)]
        while stack:
            node, parent, depth, in_loop, line = stack.pop()
            line = getattr(node, "lineno", line)
            if depth > MAX_AST_DEPTH:
                self.add(line, f"nested more than {MAX_AST_DEPTH} levels deep")
                continue
            if not self.node_ok(node, parent, in_loop, line):
                continue
            child_loop = in_loop or isinstance(node, ast.For)
            for field, value in ast.iter_fields(node):
                children = value if isinstance(value, list) else [value]
                loop = in_loop if isinstance(node, ast.For) and field == "orelse" else child_loop
                stack.extend(
                    (child, node, depth + 1, loop, line)
                    for child in reversed(children)
                    if isinstance(child, ast.AST)
                )
        unique = sorted(set(self.problems))
        return [f"line {ln}: {msg}" for ln, msg in unique], self.names

    def add(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def node_ok(self, node: ast.AST, parent: ast.AST | None, in_loop: bool, line: int) -> bool:
        kind = type(node)
        if kind not in self.allowed:
            name = kind.__name__
            self.add(line, _REASONS.get(name, f"{name} is not allowed"))
            return False
        if isinstance(node, ast.Constant) and not isinstance(node.value, _CONSTANT_TYPES):
            self.add(line, f"{type(node.value).__name__} literals are not allowed")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                self.add(line, f"name '{node.id}': names starting with '_' are not allowed")
            self.names.add(node.id)
        elif isinstance(node, ast.Attribute):
            self.check_attribute(node, parent, line)
        elif isinstance(node, ast.Call):
            self.check_call(node, line)
        elif isinstance(node, ast.Dict) and any(k is None for k in node.keys):
            self.add(line, "** unpacking is not allowed")
        elif isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Is | ast.IsNot) and not (
                    isinstance(right, ast.Constant)
                    and (right.value is None or isinstance(right.value, bool))
                ):
                    self.add(line, "'is' is only allowed with None, True or False")
        elif isinstance(node, ast.Slice) and not (
            isinstance(parent, ast.Subscript) and parent.slice is node
        ):
            self.add(line, "extended slicing is not allowed")
        elif isinstance(node, ast.comprehension) and node.is_async:
            self.add(line, "async comprehensions are not allowed")
        elif isinstance(node, ast.Break | ast.Continue) and not in_loop:
            self.add(line, f"'{type(node).__name__.lower()}' outside a loop")
        elif isinstance(node, ast.Assign | ast.Delete):
            for target in node.targets:
                self.check_target(target, line, allow_subscript=True)
        elif isinstance(node, ast.AugAssign):
            self.check_target(node.target, line, allow_subscript=True, allow_tuple=False)
        elif isinstance(node, ast.For | ast.comprehension):
            self.check_target(node.target, line, allow_subscript=False)
        return True

    def check_attribute(self, node: ast.Attribute, parent: ast.AST | None, line: int) -> None:
        if node.attr.startswith("_"):
            self.add(line, f"attribute '{node.attr}': names starting with '_' are not allowed")
        elif not (isinstance(parent, ast.Call) and parent.func is node):
            self.add(line, f"attribute access '.{node.attr}' is not allowed (only method calls)")
        elif node.attr not in METHODS:
            self.add(line, f"method '{node.attr}' is not allowed")

    def check_call(self, node: ast.Call, line: int) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in FORBIDDEN_CALLS:
                self.add(line, f"calling '{func.id}' is not allowed")
        elif not isinstance(func, ast.Attribute):
            self.add(line, "only named functions and whitelisted methods can be called")
        if any(k.arg is None for k in node.keywords):
            self.add(line, "** unpacking is not allowed")

    def check_target(
        self, target: ast.expr, line: int, *, allow_subscript: bool, allow_tuple: bool = True
    ) -> None:
        if isinstance(target, ast.Name) or (allow_subscript and isinstance(target, ast.Subscript)):
            return
        if allow_tuple and isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self.check_target(elt, line, allow_subscript=allow_subscript)
            return
        if not isinstance(target, ast.Starred | ast.Attribute):  # reported by their own checks
            self.add(line, f"cannot assign to {type(target).__name__}")


def assigned_names(source: str) -> frozenset[str]:
    """The variables a script sets in the case's data: the names it assigns (``x = ...``,
    ``x += ...``, unpacking) and its loops' variables; a comprehension's variables stay
    inside it. Nothing for a script the language refuses (it never runs)."""
    tree = analyse(source, "exec").tree
    if tree is None:
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AugAssign | ast.For) else [])
        for target in targets:
            found.update(n.id for n in ast.walk(target)
                         if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return frozenset(found)
