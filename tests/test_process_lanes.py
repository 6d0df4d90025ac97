"""Lanes show who acts: in every shipped diagram, a lane is one actor.

A lane is a role, and for the unit-scoped roles (责任单位, 承办部门, 政策主管部门) each task says
which unit of the role does it (its ``unit`` property). Tasks of one lane going to different
units (the deciding department, the agency asked to assist, the credit department) are three
actors drawn as one: each needs its own lane, named for who it is (协查机关, 信用主管部门).
"""

from __future__ import annotations

import pytest
from lxml import etree

from tests.process_helpers import NS, PROCESSES

DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))


def units_by_lane(path: object) -> dict[str, dict[str | None, list[str]]]:
    """lane name -> the unit expression of its user tasks -> their ids."""
    tree = etree.parse(str(path))
    out: dict[str, dict[str | None, list[str]]] = {}
    for process in tree.iterfind("bpmn:process", NS):
        tasks = {t.get("id"): t for t in process.iter(f"{{{NS['bpmn']}}}userTask")}
        for lane in process.iter(f"{{{NS['bpmn']}}}lane"):
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                task = tasks.get((ref.text or "").strip())
                if task is None:
                    continue
                unit = next((p.get("value") for p in task.iter("{*}property")
                             if p.get("name") == "unit"), None)
                key = f"{process.get('id')}/{lane.get('name')}"
                out.setdefault(key, {}).setdefault(unit, []).append(task.get("id"))
    return out


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_the_tasks_of_a_lane_go_to_one_unit(path: object) -> None:
    mixed = {lane: units for lane, units in units_by_lane(path).items() if len(units) > 1}
    assert mixed == {}


def test_commitment_checks_three_agencies_have_their_own_lanes() -> None:
    lanes = units_by_lane(PROCESSES / "commitment_check.bpmn")
    assert lanes["commitment_check/协查机关"] == {"assist_unit": ["assist_check"]}
    assert lanes["commitment_check/信用主管部门"] == {"credit_dept": ["credit_listing"]}
    assert set(lanes["commitment_check/责任单位"]) == {"owning_dept"}
