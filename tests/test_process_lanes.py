"""Lanes show who acts: in every shipped diagram, a lane is one actor.

A lane is a role, and for the unit-scoped roles (责任单位, 承办部门, 政策主管部门) each task says
which unit of the role does it (its ``unit`` property). Tasks of one lane going to different
units (the deciding department, the agency asked to assist, the credit department) are three
actors drawn as one: each needs its own lane, named for who it is (协查机关, 信用主管部门).

The engine's own steps must not put words in a person's mouth: they stand in the lane
系统（自动）, or in a person's lane only when that person's steps alone lead to them.
"""

from __future__ import annotations

from pathlib import Path

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


# A person's step: what a person does (user task), or an event that arrives for the lane's role
# (start, catch, boundary); a subprocess stands for the people inside it.
PERSON_STEPS = frozenset({"userTask", "manualTask", "receiveTask", "startEvent",
                          "intermediateCatchEvent", "boundaryEvent", "subProcess"})
ENGINE_LANE = "系统（自动）"
# Drawn by the rule below; the other diagrams still draw some engine steps in the lane of a
# person whose step leads there on one path only.
BY_THE_RULE = ("clue_triage.bpmn", "intermediary_clue.bpmn", "ledger_report.bpmn",
               "self_inspection.bpmn", "subsidy_automatic.bpmn")


def misdrawn_engine_steps(path: object) -> list[str]:
    """The engine's own steps (scripts, decision tables, gateways, thrown messages, ends) drawn
    in a person's lane although that person's steps alone do not lead to them.

    An engine step in 系统（自动） is always right. In a person's lane it must follow only that
    person's steps (directly, or through engine steps in the same lane): the engine acting on
    that person's decision. A merge of several people's paths may stand in the lane of the
    person whose step comes right after it, as the entry to that step."""
    tree = etree.parse(str(path))
    out = []
    for process in tree.iterfind("bpmn:process", NS):
        lane_of = {(ref.text or "").strip(): lane.get("name")
                   for lane in process.iter(f"{{{NS['bpmn']}}}lane")
                   for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
        kind = {node.get("id"): etree.QName(node).localname for node in process.iter()
                if isinstance(node.tag, str) and node.get("id")
                and etree.QName(node).localname not in ("process", "sequenceFlow", "lane",
                                                        "laneSet")}
        before: dict[str, list[str]] = {}
        after: dict[str, list[str]] = {}
        for flow in process.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
            before.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
            after.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        engine = [node for node, tag in kind.items() if tag not in PERSON_STEPS]
        # who: the people whose steps lead to an engine step (a fixed point, for loops)
        who: dict[str, set[str]] = {node: set() for node in engine}
        changed = True
        while changed:
            changed = False
            for node in who:
                found: set[str] = set()
                for source in before.get(node, []):
                    if source not in engine:
                        if source in lane_of:  # an event in no lane names no one
                            found.add(lane_of[source])
                    elif lane_of.get(source) == ENGINE_LANE:
                        found.add(ENGINE_LANE)
                    else:
                        found |= who[source]
                if found != who[node]:
                    who[node], changed = found, True
        for node, people in who.items():
            lane = lane_of.get(node)
            if lane in (None, ENGINE_LANE) or people <= {lane}:
                continue
            merge_into = after.get(node, [])
            if (kind[node].endswith("Gateway") and len(before.get(node, [])) > 1
                    and merge_into and all(t not in engine and lane_of.get(t) == lane
                                           for t in merge_into)):
                continue
            out.append(f"{process.get('id')}/{node} in {lane}, led to by {sorted(people)}")
    return out


@pytest.mark.parametrize("name", BY_THE_RULE)
def test_a_persons_lane_holds_only_what_that_person_leads_to(name: str) -> None:
    assert misdrawn_engine_steps(PROCESSES / name) == []


def test_the_rule_finds_the_engine_steps_drawn_in_the_leaders_lane(tmp_path: Path) -> None:
    """clue_triage once drew the engine's steps after the approval in 分管领导: the 受理员's
    转办到位 also leads to the transfer tracking and the ledger copy, so the drawing said the
    leader copies the ledger."""
    text = (PROCESSES / "clue_triage.bpmn").read_text("utf-8")
    for ref in ("record_approval", "gw_disposal", "merge_transfer", "mark_transferred",
                "throw_copy"):
        line = f"        <bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>\n"
        text = text.replace(line, "").replace(
            '<bpmn:lane id="Lane_approver" name="分管领导">\n',
            f'<bpmn:lane id="Lane_approver" name="分管领导">\n{line}')
    old = tmp_path / "clue_triage.bpmn"
    old.write_text(text, "utf-8")
    assert misdrawn_engine_steps(old) == [
        "clue_triage/merge_transfer in 分管领导, led to by ['分管领导', '受理员']",
        "clue_triage/mark_transferred in 分管领导, led to by ['分管领导', '受理员']",
        "clue_triage/throw_copy in 分管领导, led to by ['分管领导', '受理员']",
    ]


def lanes_of(name: str, process_id: str) -> dict[str | None, set[str]]:
    tree = etree.parse(str(PROCESSES / name))
    process = tree.find(f"bpmn:process[@id='{process_id}']", NS)
    assert process is not None
    return {lane.get("name"): {(ref.text or "").strip()
                               for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
            for lane in process.iter(f"{{{NS['bpmn']}}}lane")}


def test_the_leaders_lane_holds_the_leaders_decisions_only() -> None:
    lanes = lanes_of("clue_triage.bpmn", "clue_triage")
    assert lanes["分管领导"] == {"approve", "gw_approved", "ft_approve", "gw_ft_ok"}
    assert lanes[ENGINE_LANE] == {"register", "record_approval", "gw_disposal", "merge_transfer",
                                  "mark_transferred", "throw_copy"}


def test_each_kind_of_report_has_its_own_reporting_and_receiving_lanes() -> None:
    """ledger_report: the 纪委 side (承办部门 reports, 党风政风监督室 receives) and the 指挥部 side
    (责任单位 reports, 改革创新组 receives) each act in their own lanes; what both kinds share
    (registering, recording, 签收 or 退回补正) is the engine's."""
    lanes = lanes_of("ledger_report.bpmn", "ledger_report")
    assert lanes["承办部门"] == {"submit_clue_ledger"}
    assert lanes["党风政风监督室"] == {"start", "review_clue_ledger"}
    assert lanes["责任单位"] == {"submit_progress", "submit_cost"}
    assert lanes["改革创新组"] == {"review_report"}
    assert {"prepare", "record_submission", "gw_accepted", "mark_accepted",
            "mark_returned"} <= lanes[ENGINE_LANE]
