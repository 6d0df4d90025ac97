"""A message thrown by a case that starts another process: whose case number the new case gets.

A process with its own ``case_prefix`` numbers the case itself (from its prefix's sequence);
the case keeps the sender's number as ``source_case_no``, and a sender waiting for the message
``<name>_started`` is told the new number. A process without a prefix still shares the
sender's number. Replay takes the number from the recorded start, never from the sequence.
"""

from __future__ import annotations

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData
from engine.views import InstanceView

# complaint (SQ-…) throws open_case and, when its data says wait, waits for open_case_started.
# case (AJ-…) is started by open_case, or by hand from a plain start event to another task;
# note (no prefix) by open_note, thrown by every complaint before anything else.
DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Definitions_ms" targetNamespace="http://kuaiban.local/test">
  <bpmn:message id="M_open" name="open_case" />
  <bpmn:message id="M_started" name="open_case_started" />
  <bpmn:message id="M_note" name="open_note" />
  <bpmn:process id="complaint" name="诉求" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties><camunda:property name="case_prefix" value="SQ" /></camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LS_c">
      <bpmn:lane id="L_c" name="intake">
        <bpmn:flowNodeRef>c_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_note</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_open</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_keep</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_reply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>c_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="c_start" />
    <bpmn:intermediateThrowEvent id="c_note">
      <bpmn:messageEventDefinition id="MD_c_note" messageRef="M_note" />
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateThrowEvent id="c_open">
      <bpmn:messageEventDefinition id="MD_c_open" messageRef="M_open" />
    </bpmn:intermediateThrowEvent>
    <bpmn:exclusiveGateway id="c_gw" default="c_f_go" />
    <bpmn:intermediateCatchEvent id="c_wait">
      <bpmn:messageEventDefinition id="MD_c_wait" messageRef="M_started" />
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="c_keep" scriptFormat="python">
      <bpmn:script>linked_case_no = started_case_no</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="c_reply" name="答复" />
    <bpmn:endEvent id="c_end" />
    <bpmn:sequenceFlow id="c_f1" sourceRef="c_start" targetRef="c_note" />
    <bpmn:sequenceFlow id="c_f2" sourceRef="c_note" targetRef="c_open" />
    <bpmn:sequenceFlow id="c_f3" sourceRef="c_open" targetRef="c_gw" />
    <bpmn:sequenceFlow id="c_f_wait" sourceRef="c_gw" targetRef="c_wait">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">wait</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="c_f_go" sourceRef="c_gw" targetRef="c_reply" />
    <bpmn:sequenceFlow id="c_f4" sourceRef="c_wait" targetRef="c_keep" />
    <bpmn:sequenceFlow id="c_f5" sourceRef="c_keep" targetRef="c_reply" />
    <bpmn:sequenceFlow id="c_f6" sourceRef="c_reply" targetRef="c_end" />
  </bpmn:process>
  <bpmn:process id="case" name="案件" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties><camunda:property name="case_prefix" value="AJ" /></camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LS_k">
      <bpmn:lane id="L_k" name="handler">
        <bpmn:flowNodeRef>k_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>k_by_hand</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>k_register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>k_handle</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>k_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="k_start">
      <bpmn:messageEventDefinition id="MD_k_start" messageRef="M_open" />
    </bpmn:startEvent>
    <bpmn:startEvent id="k_by_hand" />
    <bpmn:userTask id="k_register" name="登记" />
    <bpmn:userTask id="k_handle" name="办理" />
    <bpmn:endEvent id="k_end" />
    <bpmn:sequenceFlow id="k_f1" sourceRef="k_start" targetRef="k_handle" />
    <bpmn:sequenceFlow id="k_f2" sourceRef="k_handle" targetRef="k_end" />
    <bpmn:sequenceFlow id="k_f3" sourceRef="k_by_hand" targetRef="k_register" />
    <bpmn:sequenceFlow id="k_f4" sourceRef="k_register" targetRef="k_handle" />
  </bpmn:process>
  <bpmn:process id="note" name="抄告" isExecutable="true">
    <bpmn:laneSet id="LS_n">
      <bpmn:lane id="L_n" name="case_manager">
        <bpmn:flowNodeRef>n_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>n_sign</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>n_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="n_start">
      <bpmn:messageEventDefinition id="MD_n_start" messageRef="M_note" />
    </bpmn:startEvent>
    <bpmn:userTask id="n_sign" name="签收" />
    <bpmn:endEvent id="n_end" />
    <bpmn:sequenceFlow id="n_f1" sourceRef="n_start" targetRef="n_sign" />
    <bpmn:sequenceFlow id="n_f2" sourceRef="n_sign" targetRef="n_end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def linked(people: Engine) -> Engine:
    people.deploy([SourceFile("tests/message_start.bpmn", DIAGRAM)])
    return people


def complain(engine: Engine, summary: str, wait: bool = True) -> InstanceView:
    return engine.start("complaint", {"summary": summary, "wait": wait}, "li")


def started_by(engine: Engine, process: str, source: str) -> InstanceView:
    """The one case of ``process`` a message of case ``source`` started."""
    (found,) = [v for v in map(engine.instance, engine.instance_ids())
                if v.process_key == process and v.data.get("source_case_no", v.business_key)
                == source]
    return found


def test_a_started_process_with_a_prefix_numbers_its_own_case(linked: Engine) -> None:
    first = complain(linked, "甲")
    second = complain(linked, "乙")
    assert (first.business_key, second.business_key) == ("SQ-2026-000001", "SQ-2026-000002")
    case = started_by(linked, "case", "SQ-2026-000001")
    assert case.business_key == "AJ-2026-000001"
    # the payload is the sender's data, but the number is the case's own
    assert (case.data["case_no"], case.data["source_case_no"], case.data["summary"]) == (
        "AJ-2026-000001", "SQ-2026-000001", "甲")
    assert started_by(linked, "case", "SQ-2026-000002").business_key == "AJ-2026-000002"
    assert [t.name for t in case.tasks] == ["k_handle"]
    started = linked.history(case.id)[0]
    assert (started.type, started.payload["business_key"], started.payload["message"]) == (
        "started", "AJ-2026-000001", "open_case")


def test_the_waiting_sender_is_told_the_new_number(linked: Engine) -> None:
    first = complain(linked, "甲")
    second = complain(linked, "乙")
    for view, number in ((first, "AJ-2026-000001"), (second, "AJ-2026-000002")):
        # the start command returns the sender after the answer: it waits no more
        assert [t.name for t in view.tasks] == ["c_reply"]
        assert view.data["linked_case_no"] == view.data["started_case_no"] == number
        assert view.data["started_process"] == "case"
        assert view.data["case_no"] == view.business_key  # its own number is untouched
        answer = linked.history(view.id)[-1]
        assert (answer.type, answer.payload["name"], answer.payload["data"]) == (
            "message", "open_case_started",
            {"started_case_no": number, "started_process": "case"})


def test_a_sender_that_does_not_wait_is_not_told(linked: Engine) -> None:
    view = complain(linked, "甲", wait=False)
    assert [t.name for t in view.tasks] == ["c_reply"]
    assert "started_case_no" not in view.data
    assert [e.type for e in linked.history(view.id)] == ["started"]
    assert started_by(linked, "case", view.business_key).business_key == "AJ-2026-000001"


def test_a_started_process_without_a_prefix_shares_the_senders_number(linked: Engine) -> None:
    view = complain(linked, "甲")
    (note,) = [v for v in map(linked.instance, linked.instance_ids())
               if v.process_key == "note"]
    assert note.business_key == note.data["case_no"] == view.business_key
    assert "source_case_no" not in note.data


def test_replay_takes_the_recorded_number_and_draws_none(linked: Engine) -> None:
    view = complain(linked, "甲")
    case = started_by(linked, "case", view.business_key)
    for instance_id in (view.id, case.id):
        assert linked.replay(instance_id).ok
    # replaying drew no number: the next case is the second of the year
    complain(linked, "乙")
    assert started_by(linked, "case", "SQ-2026-000002").business_key == "AJ-2026-000002"


def test_a_message_from_outside_cannot_choose_the_number(linked: Engine) -> None:
    """A process with its own case prefix numbers every case itself: a message sent by hand
    may not name the number (that once made duplicate case numbers), nor carry data its start
    event has no form for."""
    with pytest.raises(InvalidData, match="numbers its cases itself"):
        linked.send_message("open_case", {"business_key": "AJ-2026-000077"}, {}, "zhao")
    with pytest.raises(InvalidData, match="declares no form"):
        linked.send_message("open_case", {}, {"x": 1}, "zhao")
    ids = linked.send_message("open_case", {}, {}, "zhao")
    (case,) = map(linked.instance, ids)
    assert case.business_key == case.data["case_no"] == "AJ-2026-000001"
    assert "source_case_no" not in case.data


def test_a_case_a_message_starts_runs_from_that_messages_start_event(linked: Engine) -> None:
    """Not from the plain start event beside it (which a start by hand takes)."""
    view = complain(linked, "甲")
    by_message = started_by(linked, "case", view.business_key)
    assert [t.name for t in by_message.tasks] == ["k_handle"]
    by_hand = linked.start("case", {}, "zhao")
    assert [t.name for t in by_hand.tasks] == ["k_register"]
    assert by_hand.business_key == "AJ-2026-000002"
