"""Tree-walking evaluator for trees checked by :mod:`engine.scripting.language`.

Only trees returned by :func:`engine.scripting.language.analyse` without problems may be run;
the evaluator relies on that check (e.g. every ``Attribute`` is the target of a call). Every
node evaluated costs a step, work proportional to a value's size (copying, comparing, hashing,
printing) costs steps in proportion, and operations that could build a huge value are checked
before they run. Nothing here calls ``eval``, ``exec`` or ``compile``.
"""

from __future__ import annotations

import ast
import itertools
import operator
import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from engine.errors import EngineError
from engine.scripting.budget import BUILTINS as _BUILTINS
from engine.scripting.budget import Budget, Limits, json_size, shallow
from engine.scripting.language import METHODS_BY_TYPE

_BINOPS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor, ast.BitAnd: operator.and_,
}  # fmt: skip
_IBINOPS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.LShift: operator.ilshift, ast.RShift: operator.irshift,
    ast.BitOr: operator.ior, ast.BitXor: operator.ixor, ast.BitAnd: operator.iand,
}  # fmt: skip
_CMPOPS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_UNARY: dict[type[ast.AST], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_,
    ast.Invert: operator.invert,
}  # fmt: skip
_DEEP_METHODS = frozenset({"index", "count", "remove", "sort"})


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Interpreter(Budget):
    """Evaluates one checked tree; ``names`` receives assignments (scripts only)."""

    def __init__(
        self,
        names: Mapping[str, Any],
        functions: Mapping[str, Callable[..., Any]],
        limits: Limits,
        mode: str,
    ) -> None:
        super().__init__(limits, mode)
        self.names = names
        self.functions = functions
        self.scopes: list[dict[str, Any]] = []  # comprehension variables

    # -- entry point -------------------------------------------------
    def run(self, tree: ast.Expression | ast.Module) -> Any:
        try:
            with self.running():
                if isinstance(tree, ast.Expression):
                    return self.ev(tree.body)
                self.block(tree.body)
                return None
        except EngineError:
            raise
        except RecursionError:
            raise self.error("value or expression nested too deeply") from None
        except MemoryError:
            raise self.error("out of memory") from None
        except Exception as exc:
            raise self.error(f"{type(exc).__name__}: {exc}") from exc

    # -- names ---------------------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name not in self.names:
            if name in self.functions or name in _BUILTINS:
                raise self.error(f"'{name}' is a function; call it as {name}(...)")
            raise self.error(f"name '{name}' is not defined", name=name)
        value = self.names[name]
        if callable(value):
            raise self.error(f"'{name}' is not a data value")
        return value

    def store(self, name: str, value: Any) -> None:
        if self.scopes:
            self.scopes[-1][name] = value
        elif isinstance(self.names, MutableMapping):
            self.names[name] = value
        else:
            raise self.error("assignment is not allowed in an expression")

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.store(target.id, value)
        elif isinstance(target, ast.Subscript):
            obj = self.ev(target.value)
            obj[self.key(target.slice)] = value
            self.check_size(obj)
        elif isinstance(target, ast.Tuple | ast.List):
            want = len(target.elts)
            items = list(itertools.islice(self.iterate(value), want + 1))
            if len(items) != want:
                raise self.error(f"cannot unpack {'more' if len(items) > want else len(items)}"
                                 f" values into {want} targets")  # fmt: skip
            for elt, item in zip(target.elts, items, strict=True):
                self.bind(elt, item)
        else:  # pragma: no cover - excluded by the checker
            raise self.error(f"cannot assign to {type(target).__name__}")

    def key(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Slice):
            parts = (node.lower, node.upper, node.step)
            return slice(*(None if p is None else self.ev(p) for p in parts))
        key = self.ev(node)
        self.walk(key)
        return key

    # -- expressions ---------------------------------------------------------------------
    def ev(self, node: ast.expr) -> Any:
        self.step()
        return _EXPR[type(node)](self, node)

    def e_constant(self, node: ast.Constant) -> Any:
        return node.value

    def e_name(self, node: ast.Name) -> Any:
        return self.lookup(node.id)

    def e_list(self, node: ast.List) -> Any:
        return [self.ev(e) for e in node.elts]

    def e_tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.ev(e) for e in node.elts)

    def e_set(self, node: ast.Set) -> Any:
        items = [self.ev(e) for e in node.elts]
        self.walk(items)
        return set(items)

    def e_dict(self, node: ast.Dict) -> Any:
        out = {}
        for k, v in zip(node.keys, node.values, strict=True):
            assert k is not None  # ** unpacking is rejected by the checker
            out[self.key(k)] = self.ev(v)
        return out

    def e_binop(self, node: ast.BinOp) -> Any:
        return self.binop(node.op, self.ev(node.left), self.ev(node.right))

    def binop(self, op: ast.operator, left: Any, right: Any, inplace: bool = False) -> Any:
        kind, lim = type(op), self.limits
        if kind is ast.Mult:
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int):
                    size, is_str = len(seq) * max(n, 0), isinstance(seq, str)
                    if size > (lim.max_str if is_str else lim.max_items):
                        raise self.error(
                            f"repetition would build {size} {'characters' if is_str else 'items'}"
                        )
                    self.step(size >> 6 if is_str else size)
                    if not is_str and n > 1:  # n copies of the same big items: count bytes
                        self.check_bytes(seq, n)
        elif isinstance(left, int) and isinstance(right, int) and right > 0:
            if kind is ast.Pow and abs(left) > 1 and left.bit_length() * right > lim.max_int_bits:
                raise self.error(f"power would exceed {lim.max_int_bits} bits")
            if kind is ast.LShift and left and left.bit_length() + right > lim.max_int_bits:
                raise self.error(f"shift would exceed {lim.max_int_bits} bits")
        elif kind is ast.Mod and isinstance(left, str):
            raise self.error("%-formatting is not allowed; use an f-string")
        self.step(shallow(left) + shallow(right))
        return self.check_size((_IBINOPS if inplace else _BINOPS)[kind](left, right))

    def check_bytes(self, seq: Any, times: int) -> None:
        """Refuse ``seq * times`` when it would be larger than ``max_bytes`` stored."""
        limit = self.limits.max_bytes
        one = json_size(seq, limit // times + 1)
        self.step(len(seq))
        if one * times > limit:
            raise self.error(f"repetition would build {one * times:,} bytes of data, more than "
                             f"the limit of {limit:,}")

    def e_unaryop(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.ev(node.operand))

    def e_boolop(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for part in node.values:
            value = self.ev(part)
            if bool(value) != is_and:
                return value
        return value

    def e_compare(self, node: ast.Compare) -> Any:
        left, result = self.ev(node.left), True
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = self.ev(comp)
            self.walk(left)
            self.walk(right)
            result = _CMPOPS[type(op)](left, right)
            if not result:
                return result
            left = right
        return result

    def e_ifexp(self, node: ast.IfExp) -> Any:
        return self.ev(node.body) if self.ev(node.test) else self.ev(node.orelse)

    def e_subscript(self, node: ast.Subscript) -> Any:
        obj = self.ev(node.value)
        result = obj[self.key(node.slice)]
        if isinstance(node.slice, ast.Slice):
            self.step(shallow(result))
        return result

    def e_joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        total = 0
        for value in node.values:
            text = str(value.value) if isinstance(value, ast.Constant) else self.ev(value)
            total += len(text)
            if total > self.limits.max_str:
                raise self.error(f"string longer than {self.limits.max_str} characters")
            parts.append(text)
        return "".join(parts)

    def e_formattedvalue(self, node: ast.FormattedValue) -> str:
        value = self.ev(node.value)
        spec = self.ev(node.format_spec) if node.format_spec is not None else ""
        if any(len(d) > 4 or int(d) > 1000 for d in re.findall(r"\d+", spec)):
            raise self.error("format width or precision above 1000")
        self.walk(value, chars_limit=self.limits.max_str)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        return str(self.check_size(format(value, spec)))

    def comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        self.scopes.append({})
        try:
            self.generate(generators, 0, emit)
        finally:
            self.scopes.pop()

    def generate(self, gens: list[ast.comprehension], i: int, emit: Callable[[], None]) -> None:
        if i == len(gens):
            emit()
            return
        gen = gens[i]
        for item in self.iterate(self.ev(gen.iter)):
            self.bind(gen.target, item)
            if all(self.ev(cond) for cond in gen.ifs):
                self.generate(gens, i + 1, emit)

    def e_listcomp(self, node: ast.ListComp | ast.GeneratorExp) -> Any:
        out: list[Any] = []

        def emit() -> None:
            out.append(self.ev(node.elt))
            self.check_size(out)

        self.comprehension(node.generators, emit)
        return out

    def e_setcomp(self, node: ast.SetComp) -> Any:
        out: set[Any] = set()

        def emit() -> None:
            out.add(self.key(node.elt))
            self.check_size(out)

        self.comprehension(node.generators, emit)
        return out

    def e_dictcomp(self, node: ast.DictComp) -> Any:
        out: dict[Any, Any] = {}

        def emit() -> None:
            out[self.key(node.key)] = self.ev(node.value)
            self.check_size(out)

        self.comprehension(node.generators, emit)
        return out

    def e_call(self, node: ast.Call) -> Any:
        func = node.func
        receiver = self.ev(func.value) if isinstance(func, ast.Attribute) else None
        args = [self.ev(a) for a in node.args]
        kwargs = {str(k.arg): self.ev(k.value) for k in node.keywords}
        if isinstance(func, ast.Attribute):
            return self.call_method(receiver, func.attr, args, kwargs)
        assert isinstance(func, ast.Name)
        if func.id in self.functions:
            return self.functions[func.id](*args, **kwargs)
        builtin = _BUILTINS.get(func.id)
        if builtin is None:
            raise self.error(f"unknown function '{func.id}'", name=func.id)
        return self.check_size(builtin(self, *args, **kwargs))

    def call_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not any(isinstance(obj, t) and name in allowed for t, allowed in METHODS_BY_TYPE):
            raise self.error(f"{type(obj).__name__} has no allowed method '{name}'")
        if "key" in kwargs:  # list.sort(key=...): functions are not values
            raise self.error("key= is not supported")
        for arg in itertools.chain(args, kwargs.values()):
            self.walk(arg)
        self.step(shallow(obj))
        if name in _DEEP_METHODS and not isinstance(obj, str):
            self.walk(obj)
        if isinstance(obj, str):
            self.check_str_method(obj, name, args)
        if name == "join":
            args = [self.materialize(args[0]), *args[1:]] if args else args
            total = sum(len(s) for s in args[0] if isinstance(s, str)) if args else 0
            if total + len(obj) * len(args[0] if args else ()) > self.limits.max_str:
                raise self.error(f"string longer than {self.limits.max_str} characters")
        result = getattr(obj, name)(*args, **kwargs)
        self.check_size(obj)
        return self.check_size(result)

    def check_str_method(self, text: str, name: str, args: list[Any]) -> None:
        if (
            name == "replace"
            and len(args) >= 2
            and isinstance(args[0], str)
            and isinstance(args[1], str)
        ):
            old, new = args[0], args[1]
            count = text.count(old) if old else len(text) + 1
            if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                count = min(count, args[2])
            if len(text) + count * (len(new) - len(old)) > self.limits.max_str:
                raise self.error(f"string longer than {self.limits.max_str} characters")
        elif (
            name in ("split", "rsplit")
            and args
            and isinstance(args[0], str)
            and args[0]
            and text.count(args[0]) >= self.limits.max_items
        ):
            raise self.error(f"collection with more than {self.limits.max_items} items")

    # -- statements ----------------------------------------------------------------------
    def block(self, body: list[ast.stmt]) -> None:
        for node in body:
            self.line = node.lineno
            self.step()
            _STMT[type(node)](self, node)

    def s_assign(self, node: ast.Assign) -> None:
        value = self.ev(node.value)
        for target in node.targets:
            self.bind(target, value)

    def s_augassign(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            value = self.ev(node.value)
            self.store(target.id, self.binop(node.op, self.lookup(target.id), value, True))
        else:
            assert isinstance(target, ast.Subscript)
            obj, key = self.ev(target.value), self.key(target.slice)
            obj[key] = self.binop(node.op, obj[key], self.ev(node.value), True)
            self.check_size(obj)

    def s_if(self, node: ast.If) -> None:
        self.block(node.body if self.ev(node.test) else node.orelse)

    def s_for(self, node: ast.For) -> None:
        for item in self.iterate(self.ev(node.iter)):
            self.bind(node.target, item)
            try:
                self.block(node.body)
            except _Break:
                break
            except _Continue:
                continue
        else:
            self.block(node.orelse)

    def s_break(self, node: ast.Break) -> None:
        raise _Break

    def s_continue(self, node: ast.Continue) -> None:
        raise _Continue

    def s_pass(self, node: ast.Pass) -> None:
        pass

    def s_expr(self, node: ast.Expr) -> None:
        self.ev(node.value)

    def s_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                if not isinstance(self.names, MutableMapping) or target.id not in self.names:
                    raise self.error(f"name '{target.id}' is not defined", name=target.id)
                del self.names[target.id]
            else:
                assert isinstance(target, ast.Subscript)
                obj = self.ev(target.value)
                del obj[self.key(target.slice)]


_EXPR: dict[type[ast.AST], Callable[[Interpreter, Any], Any]] = {
    ast.Constant: Interpreter.e_constant, ast.Name: Interpreter.e_name,
    ast.List: Interpreter.e_list, ast.Tuple: Interpreter.e_tuple, ast.Set: Interpreter.e_set,
    ast.Dict: Interpreter.e_dict, ast.BinOp: Interpreter.e_binop,
    ast.UnaryOp: Interpreter.e_unaryop, ast.BoolOp: Interpreter.e_boolop,
    ast.Compare: Interpreter.e_compare, ast.IfExp: Interpreter.e_ifexp,
    ast.Subscript: Interpreter.e_subscript, ast.JoinedStr: Interpreter.e_joinedstr,
    ast.FormattedValue: Interpreter.e_formattedvalue, ast.ListComp: Interpreter.e_listcomp,
    ast.GeneratorExp: Interpreter.e_listcomp, ast.SetComp: Interpreter.e_setcomp,
    ast.DictComp: Interpreter.e_dictcomp, ast.Call: Interpreter.e_call,
}  # fmt: skip
_STMT: dict[type[ast.AST], Callable[[Interpreter, Any], None]] = {
    ast.Assign: Interpreter.s_assign, ast.AugAssign: Interpreter.s_augassign,
    ast.If: Interpreter.s_if, ast.For: Interpreter.s_for, ast.Break: Interpreter.s_break,
    ast.Continue: Interpreter.s_continue, ast.Pass: Interpreter.s_pass,
    ast.Expr: Interpreter.s_expr, ast.Delete: Interpreter.s_delete,
}  # fmt: skip
