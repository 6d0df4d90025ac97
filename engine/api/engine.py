"""The engine: one class, assembled from the parts of its API (engine/api/*.py)."""

from __future__ import annotations

from engine.api.audit import Audit
from engine.api.calendar import CalendarAdmin
from engine.api.commands import Commands
from engine.api.definitions import Definitions
from engine.api.reads import Reads


class Engine(Definitions, Commands, Reads, Audit, CalendarAdmin):
    """A Kuaiban engine on one database. Safe to share between threads. Every method is one
    transaction, committed here, at the edge; under :meth:`reading`, the reads of one
    context share one."""
