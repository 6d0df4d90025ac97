"""What one process keeps between commands (the unit directory, each process's latest
version: engine/storage/counters.py) follows a change made by another process at its next
command, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNITS = """id,name,full_name,aliases,kind,parent,tags,fields
jdz,景德镇市,景德镇市,,行政区,,,
fl,浮梁县,景德镇市浮梁县,,行政区,jdz,县区,
"""
MORE_UNITS = UNITS + "lp,乐平市,乐平市,,行政区,jdz,县区,\n"


@pytest.fixture
def elsewhere(database_url: str, clock: FixedClock) -> Iterator[Engine]:
    """Another process (the CLI, another web worker) on the same database."""
    other = Engine(database_url, clock=clock)
    try:
        yield other
    finally:
        other.close()


def test_a_directory_imported_elsewhere_reaches_the_next_command(
        engine: Engine, elsewhere: Engine) -> None:
    engine.import_units(UNITS)
    assert [u.name for u in engine.units()] == ["景德镇市", "浮梁县"]  # now kept
    elsewhere.import_units(MORE_UNITS)
    assert [u.name for u in engine.units()] == ["景德镇市", "浮梁县", "乐平市"]
    assert [u.name for u in engine.units()] == ["景德镇市", "浮梁县", "乐平市"]


def test_a_version_deployed_elsewhere_is_started_by_the_next_command(
        people: Engine, elsewhere: Engine) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    first = people.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li")
    assert first.version == 1  # the latest version is now kept
    files = diagram_files("approval.bpmn")
    renamed = [SourceFile(f.name, f.content.replace('name="测试审批"', 'name="测试审批二"'))
               if f.name == "approval.bpmn" else f for f in files]
    elsewhere.deploy(renamed)
    second = people.start("approval", {"summary": "y", "unit": "浮梁县纪委监委"}, "li")
    assert second.version == 2
