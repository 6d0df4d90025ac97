"""A decision that can send the case round again is asked afresh: in every shipped diagram, a
user task whose own form's answer decides, at a gateway after it, between going on and coming
back to a step done before (or to itself) marks that answer ``"x-default": "blank"``. Else
its next round opens on the last round's 退回 already chosen, and the step sent back gets no
退回重新办理 at its top (the task page knows a decision sent it back by those fields)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from tests.process_helpers import FORMS, NS, PROCESSES

DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))
BPMN = f"{{{NS['bpmn']}}}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
GATEWAYS = ("exclusiveGateway", "inclusiveGateway")


class Scope:
    """One process or sub-process: its nodes and its flows (target, condition)."""

    def __init__(self, element: etree._Element) -> None:
        self.kinds: dict[str, str] = {}
        self.forms: dict[str, str] = {}
        self.flows: dict[str, list[tuple[str, str]]] = {}
        for child in element:
            kind, ident = etree.QName(child).localname, child.get("id") or ""
            if kind == "sequenceFlow":
                cond = child.find("bpmn:conditionExpression", NS)
                self.flows.setdefault(child.get("sourceRef") or "", []).append(
                    (child.get("targetRef") or "", (cond.text or "") if cond is not None else ""))
            elif ident:
                self.kinds[ident] = kind
                if kind == "userTask" and child.get(f"{CAMUNDA}formKey"):
                    self.forms[ident] = child.get(f"{CAMUNDA}formKey") or ""

    def reaches(self, start: str, goal: str, avoiding: str = "") -> bool:
        seen, todo = {start}, [start]
        while todo:
            for target, _ in self.flows.get(todo.pop(), []):
                if target == goal:
                    return True
                if target not in seen and target != avoiding:
                    seen.add(target)
                    todo.append(target)
        return False

    def done_before(self, step: str, task: str) -> bool:
        """``step`` is ``task`` itself or comes before it: the case can be at it on its way to
        ``task`` (not only after ``task``, as a step on a branch of its own)."""
        starts = [n for n, kind in self.kinds.items() if kind == "startEvent"]
        return step == task or (self.reaches(step, task) and any(
            s == step or self.reaches(s, step, avoiding=task) for s in starts))

    def until_people(self, start: str) -> tuple[set[str], set[str]]:
        """From ``start``, through the engine's own steps: the nodes passed, the user tasks
        reached."""
        passed: set[str] = set()
        people: set[str] = set()
        todo = [start]
        while todo:
            node = todo.pop()
            if self.kinds.get(node) == "userTask":
                people.add(node)
            elif node not in passed:
                passed.add(node)
                todo += [t for t, _ in self.flows.get(node, [])]
        return passed, people

    def looping_decisions(self, task: str) -> set[str]:
        """The names read by the conditions of the gateways after ``task`` that choose between
        coming back to it (or a step before it) and going on."""
        names: set[str] = set()
        passed = {n for target, _ in self.flows.get(task, [])
                  for n in self.until_people(target)[0]}
        for gateway in (n for n in passed if self.kinds.get(n) in GATEWAYS):
            outs = self.flows.get(gateway, [])
            back = [any(self.done_before(p, task) for p in self.until_people(target)[1])
                    for target, _ in outs]
            if any(back) and not all(back):
                names |= {n for _, c in outs for n in re.findall(r"[A-Za-z_]\w*", c)}
        return names


def scopes(path: Path) -> list[Scope]:
    tree = etree.parse(str(path))
    return [Scope(e) for e in tree.iter(f"{BPMN}process", f"{BPMN}subProcess")]


def asked_again(path: Path) -> list[tuple[str, str, str]]:
    """(form, field, x-default) of every form field that decides a loop back."""
    out = []
    for scope in scopes(path):
        for task, form in scope.forms.items():
            props = json.loads((FORMS / f"{form}.json").read_text("utf-8"))["properties"]
            for name in sorted(scope.looping_decisions(task) & set(props)):
                out.append((form, name, props[name].get("x-default", "")))
    return out


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_a_decision_that_sends_the_case_round_is_asked_afresh(path: Path) -> None:
    assert [f for f in asked_again(path) if f[2] != "blank"] == []


def test_the_loop_back_decisions_are_found() -> None:
    found = {(form, name) for p in DIAGRAMS for form, name, _ in asked_again(p)}
    assert {("clue_approve", "approved"), ("intermediary_confirm", "confirm_decision"),
            ("clue_rectification", "rectified"), ("hotline_rating", "reopen"),
            ("escalation_concur_cm", "esc_cm_agree"), ("report_review", "accepted"),
            ("self_inspection_receive", "accepted"), ("indicator_review", "accepted")} <= found
