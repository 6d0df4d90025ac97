"""Run-time limits and safe builtins of the script language (see engine.scripting.language).

:class:`Budget` counts evaluation steps and refuses oversized values; the interpreter
(:mod:`engine.scripting.interpreter`) extends it, and every function in :data:`BUILTINS` takes
the running budget first so it can bound its own work.

Work done outside the interpreter on its behalf (the calendar's deadline functions scan days)
is charged to the running evaluation with :func:`charge`. A command sets a wall-time limit with
:func:`time_limit`: every evaluation inside it, and every charge, stops with a ScriptError once
the time is up (checked every :data:`CLOCK_EVERY` steps), so a command is rolled back instead
of holding the database for minutes.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from engine.errors import ScriptError
from engine.messages import msg


@dataclass(frozen=True)
class Limits:
    """Run-time bounds; the defaults suit gateway conditions, DMN cells and small scripts."""

    max_steps: int = 200_000  # evaluation steps; work on big values costs more steps
    max_items: int = 100_000  # elements of one list/tuple/dict/set
    max_str: int = 1_000_000  # characters of one string
    max_int_bits: int = 4096  # size of one integer
    max_depth: int = 100  # nesting of values stored by a script
    # bytes of one value a script builds by repetition or stores (UTF-8 JSON, estimated)
    max_bytes: int = 2_000_000


DEFAULT_LIMITS = Limits()
CLOCK_EVERY = 1024  # steps between two looks at the clock

# the evaluation running in this thread (charged by deadline functions), and the end of the
# command's time (monotonic seconds, and the limit it came from)
_RUNNING: ContextVar[Budget | None] = ContextVar("kuaiban_budget", default=None)
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("kuaiban_deadline", default=None)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Evaluations and charges inside the block stop once ``seconds`` have passed (an inner
    limit never extends an outer one)."""
    end = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set((end, seconds) if outer is None or end < outer[0] else outer)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_time() -> None:
    """ScriptError when the command's time is up."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise ScriptError(
            msg("script.time_limit", seconds=deadline[1]))


def charge(steps: int) -> None:
    """Charge ``steps`` of work done on behalf of the running evaluation (if any) to its
    budget; in any case stop when the command's time is up."""
    running = _RUNNING.get()
    if running is not None:
        running.step(steps)
    elif steps:
        check_time()


def json_size(value: Any, limit: int) -> int:
    """The size of ``value`` as JSON in UTF-8 bytes (non-ASCII text counted at 3 bytes a
    character), stopping as soon as it exceeds ``limit``."""
    size, stack = 0, [value]
    while stack and size <= limit:
        v = stack.pop()
        if isinstance(v, str):
            size += (len(v) if v.isascii() else 3 * len(v)) + 2
        elif isinstance(v, dict):
            size += 2 + 2 * len(v)
            stack.extend(itertools.chain.from_iterable(v.items()))
        elif isinstance(v, list | tuple | set | frozenset | range):
            size += 2 + len(v)
            stack.extend(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            size += v.bit_length() // 3 + 2
        else:
            size += 5
    return size


_VIEWS: tuple[type[Any], ...] = (type({}.keys()), type({}.values()), type({}.items()))
_COLLECTIONS: tuple[type[Any], ...] = (list, tuple, dict, set, frozenset, *_VIEWS)
_SIZED: tuple[type[Any], ...] = (str, range, *_COLLECTIONS)


def shallow(value: Any) -> int:
    """Steps charged for a linear pass over ``value``."""
    if isinstance(value, str):
        return len(value) >> 6
    return len(value) if isinstance(value, _COLLECTIONS) else 0


class Budget:
    """Step counter and size checks shared by the interpreter and the builtins."""

    def __init__(self, limits: Limits, mode: str) -> None:
        self.limits = limits
        self.mode = mode
        self.steps = 0
        self.line = 1
        self._clock_at = CLOCK_EVERY  # steps at which to look at the clock next

    def error(self, message: str, **details: Any) -> ScriptError:
        if len(message) > 300:
            message = message[:300] + "..."
        if self.mode == "exec":
            message = f"line {self.line}: {message}"
        return ScriptError(msg("script.failed", message=message), {"line": self.line, **details})

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.limits.max_steps:
            raise self.error(f"step limit of {self.limits.max_steps} exceeded")
        if self.steps >= self._clock_at:
            self._clock_at = self.steps + CLOCK_EVERY
            try:
                check_time()
            except ScriptError as exc:
                raise self.error(exc.message) from None

    @contextmanager
    def running(self) -> Iterator[None]:
        """This budget is the one :func:`charge` charges while the block runs."""
        check_time()
        token = _RUNNING.set(self)
        try:
            yield
        finally:
            _RUNNING.reset(token)

    def check_size(self, value: Any) -> Any:
        lim = self.limits
        if isinstance(value, str):
            if len(value) > lim.max_str:
                raise self.error(f"string longer than {lim.max_str} characters")
        elif isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > lim.max_int_bits:
                raise self.error(f"integer larger than {lim.max_int_bits} bits")
        elif isinstance(value, _COLLECTIONS) and len(value) > lim.max_items:
            raise self.error(f"collection with more than {lim.max_items} items")
        return value

    def walk(self, value: Any, chars_limit: int | None = None) -> None:
        """Charge the steps of a deep pass (comparing, hashing, printing) over ``value``;
        with ``chars_limit``, also refuse values whose printed form would be longer."""
        if chars_limit is None and not isinstance(value, _SIZED):
            return
        budget = self.limits.max_steps - self.steps
        nodes, chars, stack = 1, 0, [value]
        while stack:
            v = stack.pop()
            if isinstance(v, str):
                nodes += len(v) >> 6
                chars += len(v) + 2
            elif isinstance(v, _COLLECTIONS):
                nodes += 2 * len(v) if isinstance(v, dict) else len(v)
                chars += 2 + 4 * len(v)
                if nodes > budget:
                    break
                stack.extend(itertools.chain.from_iterable(v.items()) if isinstance(v, dict) else v)
            elif isinstance(v, int) and not isinstance(v, bool):
                chars += v.bit_length() // 3 + 2
            else:
                chars += 24
            if chars_limit is not None and chars > chars_limit:
                raise self.error(f"text longer than {chars_limit} characters")
        self.step(nodes)

    def materialize(self, value: Any) -> list[Any]:
        """``value`` as a list of at most ``max_items`` elements."""
        limit = self.limits.max_items
        if isinstance(value, _SIZED):
            if len(value) > limit:
                raise self.error(f"collection with more than {limit} items")
            items = list(value)
        else:
            items = list(itertools.islice(iter(value), limit + 1))
            if len(items) > limit:
                raise self.error(f"collection with more than {limit} items")
        self.step(len(items))
        return items

    def iterate(self, value: Any) -> Iterator[Any]:
        for item in value:
            self.step()
            yield item


_MISSING: Any = object()


def _min_max(pick: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def impl(rt: Budget, *args: Any, default: Any = _MISSING) -> Any:
        items = rt.materialize(args[0]) if len(args) == 1 else list(args)
        rt.walk(items)
        return default if not items and default is not _MISSING else pick(items)

    return impl


def _sum(rt: Budget, iterable: Any, start: Any = 0) -> Any:
    items = rt.materialize(iterable)
    if not all(isinstance(x, int | float) for x in (*items, start)):
        raise rt.error("sum() only adds numbers")
    return sum(items, start)


def _round(rt: Budget, x: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(x)
    if not isinstance(ndigits, int) or abs(ndigits) > 100:
        raise rt.error("round() ndigits must be an integer between -100 and 100")
    return round(x, ndigits)


def _str(rt: Budget, x: Any = "") -> str:
    if isinstance(x, str):
        return x
    rt.walk(x, chars_limit=rt.limits.max_str)
    return str(x)


def _sorted(rt: Budget, iterable: Any, reverse: Any = False) -> list[Any]:
    items = rt.materialize(iterable)
    rt.walk(items)
    items.sort(reverse=bool(reverse))
    return items


def _range(rt: Budget, *args: Any) -> range:
    if not all(isinstance(a, int) for a in args):
        raise rt.error("range() takes integers")
    result = range(*args)
    try:
        n = len(result)
    except OverflowError:
        n = rt.limits.max_items + 1
    if n > rt.limits.max_items:
        raise rt.error(f"range() of more than {rt.limits.max_items} items")
    return result


def _set(rt: Budget, iterable: Any = ()) -> set[Any]:
    items = rt.materialize(iterable)
    rt.walk(items)
    return set(items)


def _dict(rt: Budget, source: Any = (), **kwargs: Any) -> dict[Any, Any]:
    items = rt.materialize(source.items() if isinstance(source, Mapping) else source)
    rt.walk(items)
    return dict(items, **kwargs)


def _zip(rt: Budget, *iterables: Any, strict: Any = False) -> list[tuple[Any, ...]]:
    return list(zip(*(rt.materialize(i) for i in iterables), strict=bool(strict)))


#: the Python builtins scripts may call; each takes the running interpreter first
BUILTINS: dict[str, Callable[..., Any]] = {
    "len": lambda rt, x: len(x),
    "min": _min_max(min),
    "max": _min_max(max),
    "sum": _sum,
    "abs": lambda rt, x: abs(x),
    "round": _round,
    "int": lambda rt, x=0, *args, **kwargs: int(x, *args, **kwargs),
    "float": lambda rt, x=0.0: float(x),
    "str": _str,
    "bool": lambda rt, x=False: bool(x),
    "sorted": _sorted,
    "any": lambda rt, iterable: any(rt.materialize(iterable)),
    "all": lambda rt, iterable: all(rt.materialize(iterable)),
    "range": _range,
    "list": lambda rt, iterable=(): rt.materialize(iterable),
    "tuple": lambda rt, iterable=(): tuple(rt.materialize(iterable)),
    "set": _set,
    "dict": _dict,
    "enumerate": lambda rt, iterable, start=0: list(enumerate(rt.materialize(iterable), start)),
    "zip": _zip,
}
