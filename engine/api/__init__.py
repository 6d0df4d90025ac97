"""The engine's public API: :class:`Engine`, one object per database, whose every method is one
transaction, committed at the edge. Its calls are grouped by what they serve: ``core`` (the
database, clock, caches and the shared read checks), ``org`` (units, users, catalogue choices),
``definitions`` (validate, deploy, migrate), ``commands`` (start, claim, complete, messages),
``reads`` (a case, its history, ledgers) and ``audit`` (verify, replay, time travel,
bundles)."""

from engine.api.definitions import UNITS_FILE
from engine.api.engine import Engine

__all__ = ["UNITS_FILE", "Engine"]
