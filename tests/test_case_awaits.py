"""``x-case-awaits``: a field naming another case (``x-case-of``) whose case must be waiting
for a message now (engine/runtime/case_awaits.py). The escalation's start form is covered
by tests/test_process_city_escalation.py; here a task's form names the clue, and deploy
checks the message against the procedure named."""

from __future__ import annotations

import json

import pytest

from engine.api import Engine
from engine.definitions import forms
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, ValidationFailed
from engine.time.clock import FixedClock
from tests.process_helpers import at, clue_files
from tests.test_process_clue_triage import WORLD, clues, register, transferred_case  # noqa: F401

pytestmark = WORLD

REFERRAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_referral" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="referral" name="典型问题移送" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_1" name="作风优化组">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>pick</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="pick" name="选定线索" camunda:formKey="referral_pick" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pick" />
    <bpmn:sequenceFlow id="f2" sourceRef="pick" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def pick_form(awaits: object = "escalation_approved") -> SourceFile:
    return SourceFile("referral_pick.json", json.dumps({
        "type": "object", "required": ["clue_no"], "additionalProperties": False,
        "properties": {"clue_no": {"type": "string", "title": "问题线索案件编号",
                                   "x-case-of": "clue_triage", "x-case-awaits": awaits}},
    }, ensure_ascii=False, indent=1))


def line_of(text: str) -> int:
    """The line of the form's ``x-case-awaits``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if "x-case-awaits" in line)


def test_a_task_naming_a_case_not_waiting_for_the_message_is_refused(
        clues: Engine, clock: FixedClock) -> None:  # noqa: F811
    clues.deploy([SourceFile("referral.bpmn", REFERRAL), pick_form()])
    handled = transferred_case(clues, clock)
    clock.set(at("2026-10-09T09:00:00+08:00"))
    early = register(clues)
    [pick] = clues.start("referral", {}, "feng").tasks
    with pytest.raises(InvalidData) as err:
        clues.complete(pick.id, {"clue_no": early.business_key}, "feng")
    assert err.value.field_errors == {"clue_no": (
        f"问题线索受理处置案件“{early.business_key}”还在「提出处置意见」，"
        "暂不能以它办理「选定线索」，待其办到「优先核查 快办快结」后才可以")}
    assert err.value.field_errors_in("en")["clue_no"].startswith(
        f'问题线索受理处置 case "{early.business_key}" is still at "提出处置意见": '
        'you can complete "选定线索" with it only once')
    done = clues.complete(pick.id, {"clue_no": handled.business_key}, "feng")
    assert done.status == "completed"


def test_deploy_refuses_a_message_the_procedure_named_never_waits_for(
        clues: Engine) -> None:  # noqa: F811
    referral = SourceFile("referral.bpmn", REFERRAL)
    # a typo, and clue_triage's message start (it starts a case, no running case waits for it)
    for awaits in ("escalation_aproved", ["hotline_clue"]):
        with pytest.raises(ValidationFailed) as err:
            clues.deploy([*clue_files(), referral, pick_form(awaits)])
        [problem] = err.value.problems
        assert (problem.file, problem.line) == ("referral_pick.json",
                                                line_of(pick_form(awaits).content))
        assert "a running clue_triage case never waits for" in problem.message
        assert "escalation_approved" in problem.message  # what it waits for is listed
    # one of those it does wait for is enough; a procedure not deployed with the form is not
    # checked (as for x-case-of)
    clues.deploy([*clue_files(), referral, pick_form(["hotline_clue", "escalation_result"])])
    clues.deploy([referral, pick_form("anything")])


@pytest.mark.parametrize("prop", [
    {"type": "string", "x-case-awaits": "escalation_approved"},  # without x-case-of
    {"type": "string", "x-case-of": "clue_triage", "x-case-awaits": []},
    {"type": "string", "x-case-of": "clue_triage", "x-case-awaits": ["", "x"]},
    {"type": "string", "x-case-of": "clue_triage", "x-case-awaits": {"name": "x"}},
])
def test_the_keyword_s_shape(prop: dict[str, object]) -> None:
    text = json.dumps({"type": "object", "properties": {"n": prop}}, indent=1)
    assert [str(p) for p in forms.check_form(text)] == [
        f'line {line_of(text)}: "x-case-awaits" of "n" must name a message or a list of them, '
        'on a field with "x-case-of"']
