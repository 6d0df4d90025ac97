"""What one process keeps between commands (the unit directory, each process's latest
version, who holds a role in a unit: engine/storage/counters.py) follows a change made by
another process at its next command, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.storage.schema import NOTIFICATIONS
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


def arrivals(engine: Engine, user: str) -> int:
    with engine.transaction() as session:
        return len(session.execute(select(NOTIFICATIONS.c.id).where(
            NOTIFICATIONS.c.username == user, NOTIFICATIONS.c.kind == "task_arrived")).all())


def test_people_changed_elsewhere_are_told_of_the_next_task(
        people: Engine, elsewhere: Engine) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    first = people.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li")
    people.complete(first.tasks[0].id, {"proposal": "转办"}, "li")
    assert (arrivals(people, "wang"), arrivals(people, "chen")) == (1, 1)  # approvers kept
    elsewhere.add_user("zhou", ["approver"])  # a new approver
    elsewhere.add_user("chen", ["handler"], unit="浮梁县纪委监委")  # no longer one
    elsewhere.accounts.deactivate("wang")
    second = people.start("approval", {"summary": "y", "unit": "浮梁县纪委监委"}, "li")
    people.complete(second.tasks[0].id, {"proposal": "转办"}, "li")
    assert (arrivals(people, "zhou"), arrivals(people, "chen"), arrivals(people, "wang")) \
        == (1, 1, 1)
