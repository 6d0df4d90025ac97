"""Lists of units for scripts, from the directory: a diagram fans out over "every 市直各单位"
or "every 县区 and 园区" instead of a list typed into it, so a change of the directory
reaches the next case without redeploying.

    report_units = units_tagged("县区", "园区")     # names, in directory order
    regulators = regulators_of(legacy_field)         # the 行业主管部门 of a field
    lead = directory_unit("jdz.swj")                 # a unit by its id: its name today

Routing tables (DMN) name units by id with ``directory_unit``, so a renamed unit keeps its
routing; deploy checks every id they name (engine/definitions/unit_checks.py).

Every answer a command's scripts get is recorded with its event (``units``), and replay
answers from the record: a case replays to the same state whatever the directory says today.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import ScriptError
from engine.messages import msg
from engine.org.directory import Directory
from engine.scripting.budget import charge

RECORD = "units"  # the event payload's key of the answers


class UnitLists:
    """The list functions of one command (``found``: the directory) or one replayed event
    (``recorded``: its answers)."""

    def __init__(self, found: Directory | None = None,
                 recorded: Mapping[str, list[str]] | None = None) -> None:
        self._found = found
        self._recorded = recorded
        self.asked: dict[str, list[str]] = {}

    def functions(self) -> dict[str, Callable[..., Any]]:
        return {"units_tagged": self.units_tagged, "regulators_of": self.regulators_of,
                "directory_unit": self.directory_unit}

    def units_tagged(self, *tags: str) -> list[str]:
        """The names of the units with any of ``tags``, e.g. ``units_tagged("市直各单位")``."""
        return self._answer("tagged:" + "|".join(map(str, tags)),
                            lambda found: [u.name for u in found.tagged(*map(str, tags))])

    def regulators_of(self, field_name: str) -> list[str]:
        """The names of the 行业主管部门 of a field, e.g. ``regulators_of("工业")``."""
        return self._answer(f"regulators:{field_name}",
                            lambda found: [u.name for u in found.regulators(str(field_name))])

    def directory_unit(self, id_or_name: str) -> str:
        """The name of the unit with this id (or any of its names), e.g.
        ``directory_unit("jdz.swj")`` is "市商务局"; ScriptError for a unit the directory
        lacks."""
        def ask(found: Directory) -> list[str]:
            unit = found.find(str(id_or_name))
            if unit is None:
                raise ScriptError(msg("units.unknown", unit=id_or_name))
            return [unit.name]
        return self._answer(f"unit:{id_or_name}", ask)[0]

    def _answer(self, key: str, ask: Callable[[Directory], list[str]]) -> list[str]:
        charge(1)
        if self._recorded is not None:
            if key not in self._recorded:
                raise ScriptError(msg("units.list_not_asked", key=key))
            answer = list(self._recorded[key])
        elif self._found:
            answer = ask(self._found)
        else:
            raise ScriptError(msg("units.directory_empty"))
        self.asked[key] = answer
        return list(answer)


def replayed(payload: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The list functions of a recorded event: its answers (none: any call diverges)."""
    recorded = payload.get(RECORD)
    return UnitLists(recorded=recorded if isinstance(recorded, dict) else {}).functions()
