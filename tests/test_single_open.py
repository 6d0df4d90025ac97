"""A step held open once per case (``single_open``, engine/runtime/single_open.py): the
clue procedure's weekly 跟踪进展 is the shipped use (tests/test_process_clue_triage.py walks it);
here the property itself, and what deploy says of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import Engine
from engine.definitions.files import SourceFile
from engine.errors import ValidationFailed
from engine.time.clock import FixedClock
from tests.demo_support import demo_engine, signed_in
from tests.process_helpers import at, clue_files
from tests.test_process_clue_triage import add_people, inbox, transferred_case

HELD = '<camunda:property name="single_open" value="true" />'
REPEATS = '<camunda:property name="repeats" value="true" />'  # follow_up's, after HELD


def _clue_files(property_xml: str) -> list[SourceFile]:
    """The clue procedure with ``property_xml`` in place of follow_up's single_open."""
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    assert triage.content.count(HELD) == 1
    text = triage.content.replace(HELD, property_xml)
    return [SourceFile(f.name, text) if f is triage else f for f in files]


def test_without_it_each_week_opens_another_follow_up(engine: Engine, clock: FixedClock) -> None:
    engine.deploy(_clue_files('<camunda:property name="single_open" value="false" />'))
    add_people(engine)
    view = transferred_case(engine, clock)
    for week in ("10-15", "10-22", "10-29"):
        clock.set(at(f"2026-{week}T10:00:30+08:00"))
        engine.timers.fire_due()
    assert [t.name for t in inbox(engine, "sun")] == ["follow_up"] * 3
    assert engine.replay(view.id).ok


@pytest.mark.parametrize(("property_xml", "element", "said"), [
    ('<camunda:property name="single_open" value="once" />', "follow_up", '"once"'),
    ('<camunda:property name="single_open" value="true" />', "mark_transferred", "user task"),
])
def test_deploy_refuses_a_single_open_it_cannot_keep(engine: Engine, property_xml: str,
                                                     element: str, said: str) -> None:
    files = _clue_files(property_xml) if element == "follow_up" else _script_with(property_xml)
    with pytest.raises(ValidationFailed) as refused:
        engine.deploy(files)
    assert any("single_open" in p.message and said in p.message
               for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize(("property_xml", "element", "said"), [
    (HELD + '<camunda:property name="repeats" value="yes" />', "follow_up", '"yes"'),
    ('<camunda:property name="repeats" value="True" />', "mark_transferred", "user task"),
])
def test_deploy_refuses_a_repeats_it_cannot_keep(engine: Engine, property_xml: str,
                                                element: str, said: str) -> None:
    """``repeats`` (engine/queries/rounds.py) says a person's step comes round by design:
    true or false, on a user task."""
    files = [SourceFile(f.name, f.content.replace(REPEATS, "")) for f in (
        _clue_files(property_xml) if element == "follow_up" else _script_with(property_xml))]
    with pytest.raises(ValidationFailed) as refused:
        engine.deploy(files)
    assert any("repeats" in p.message and said in p.message
               for p in refused.value.problems), refused.value.problems


def test_deploy_refuses_single_open_on_a_multi_instance_task(engine: Engine) -> None:
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    closed = "\n        </camunda:properties>\n      </bpmn:extensionElements>"
    text = triage.content.replace(
        REPEATS + closed, REPEATS + closed +
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        '<bpmn:loopCardinality>2</bpmn:loopCardinality>'
        "</bpmn:multiInstanceLoopCharacteristics>")
    assert text != triage.content
    with pytest.raises(ValidationFailed) as refused:
        engine.deploy([SourceFile(f.name, text) if f is triage else f for f in files])
    assert any("single_open" in p.message and "multi-instance" in p.message
               for p in refused.value.problems), refused.value.problems


def _script_with(property_xml: str) -> list[SourceFile]:
    """The clue procedure with ``property_xml`` on the script task 记录转办 开始跟踪."""
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    anchor = ('<bpmn:scriptTask id="mark_transferred" name="记录转办 开始跟踪" '
              'scriptFormat="python">')
    assert anchor in triage.content
    text = triage.content.replace(anchor, anchor + "<bpmn:extensionElements><camunda:properties>"
                                  + property_xml + "</camunda:properties>"
                                  "</bpmn:extensionElements>")
    return [SourceFile(f.name, text) if f is triage else f for f in files]


def test_the_case_history_says_a_week_came_round_to_a_follow_up_still_open(
        tmp_path: Path) -> None:
    """办理经过 shows the weekly timer that opened nothing, and why."""
    demo, clock = demo_engine(tmp_path)
    try:
        for day in ("10-08", "10-15"):
            clock.set(at(f"2026-{day}T10:00:00+08:00"))
            demo.timers.fire_due()
        follow_ups = [t for t in demo.inbox.for_user("case_manager") if t.name == "follow_up"]
        assert len(follow_ups) == 1
        page = signed_in(demo, "case_manager").get(
            f"/instances/{follow_ups[0].instance_id}").text
        assert "本次未新建" in page and "“跟踪进展”尚有一项未办理" in page
    finally:
        demo.close()
