"""What a command may cost (engine/runtime/limits.py, engine/scripting/budget.py, the
calendar's deadline functions): scripts count the bytes of what they build and store, a case
has a size limit checked before the commit, deadline functions are charged by the days they
scan and refuse deadlines years away, and a command that runs over its time is stopped inside
the interpreter and rolled back, leaving the database free at once.
"""

from __future__ import annotations

import threading
import time
from xml.sax.saxutils import escape

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import CalendarError, InvalidData, ScriptError
from engine.runtime.limits import MB, CommandLimits
from engine.scripting import expressions
from engine.scripting.budget import Limits, time_limit
from engine.time.calendar import MAX_WORKDAYS, WorkCalendar, deadline_functions
from engine.time.clock import FixedClock


def diagram(script: str, loop: str | None = None, key: str = "cost") -> SourceFile:
    """A process of the intake role: a script task (run again while ``loop`` holds), then a
    task with a form-less submission."""
    back = ""
    if loop is not None:
        back = (f'<bpmn:sequenceFlow id="again" sourceRef="gw" targetRef="script">'
                f'<bpmn:conditionExpression>{escape(loop)}</bpmn:conditionExpression>'
                f'</bpmn:sequenceFlow>')
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="Definitions_cost" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="{key}" name="代价" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="intake">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>script</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>work</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="script" scriptFormat="python">
      <bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="on" />
    <bpmn:userTask id="work" name="办理" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="gw" />
    <bpmn:sequenceFlow id="on" sourceRef="gw" targetRef="work" />{back}
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    return SourceFile(f"{key}.bpmn", text)


@pytest.fixture
def intake(engine: Engine) -> Engine:
    engine.add_user("li", ["intake"])
    return engine


def _refused(engine: Engine, script: str, match: str, loop: str | None = None,
             seconds: float = 5.0) -> float:
    """Start the process with ``script``: refused with ``match``, in CPU seconds; nothing saved."""
    engine.deploy([diagram(script, loop)])
    began = time.process_time()
    with pytest.raises(ScriptError, match=match):
        engine.start("cost", {}, "li")
    took = time.process_time() - began
    assert took < seconds, f"took {took:.1f} s"
    assert engine.instance_ids() == []
    return took


# -- the size of what scripts build and store ------------------------------------------------

@pytest.mark.parametrize("script", [
    "s = 'a' * 1000000\nx = [s] * 200",
    "s = 'a' * 1000000\nx = [s] * 100000",
    "s = 'a' * 1000000\nx = [[s, s]] * 2",
    "s = '案' * 1000000\nx = [s] * 2",  # Chinese text: 3 bytes a character
])
def test_repeating_big_values_is_refused_by_bytes(intake: Engine, script: str) -> None:
    _refused(intake, script, "repetition would build .* bytes")


@pytest.mark.parametrize("script", [
    "s = 'a' * 1000000\nx = [s]\nfor i in range(8):\n    x = x + x",
    "s = 'a' * 1000000\nx = {'a': s, 'b': s, 'c': s}",
    "s = 'a' * 700000\nx = [s]\ny = [s]\nz = [s]\nw = x + y + z",
])
def test_storing_more_than_the_byte_limit_is_refused(intake: Engine, script: str) -> None:
    _refused(intake, script, "larger than 2,000,000 bytes")


def test_a_script_within_the_limits_stores_its_values(intake: Engine) -> None:
    intake.deploy([diagram("s = 'a' * 500000\nx = [s, s, 'b']")])
    view = intake.start("cost", {}, "li")
    assert len(view.data["x"][0]) == 500000 and view.data["x"][2] == "b"


def test_a_case_larger_than_its_limit_is_not_saved(intake: Engine) -> None:
    intake.runtime.limits = CommandLimits(case_bytes=MB)
    intake.deploy([diagram("s = 'a' * 600000\nt = 'b' * 600000")])
    with pytest.raises(InvalidData, match="more than the limit of 1 MB; nothing was saved"):
        intake.start("cost", {}, "li")
    assert intake.instance_ids() == []


def test_the_limits_come_from_the_environment() -> None:
    limits = CommandLimits.from_env({"KUAIBAN_COMMAND_SECONDS": "2.5",
                                     "KUAIBAN_MAX_CASE_BYTES": str(4 * MB)})
    assert (limits.seconds, limits.case_bytes) == (2.5, 4 * MB)
    assert CommandLimits.from_env({}) == CommandLimits()
    for bad in ({"KUAIBAN_COMMAND_SECONDS": "ten"}, {"KUAIBAN_COMMAND_SECONDS": "0"},
                {"KUAIBAN_MAX_CASE_BYTES": "1000"}):
        with pytest.raises(Exception, match="KUAIBAN_"):
            CommandLimits.from_env(bad)


# -- deadline functions -----------------------------------------------------------------------

def test_deadline_functions_in_a_loop_stop_at_the_step_budget(intake: Engine) -> None:
    """The attack took 122 s per start: 45,000 calls each scanning years of days."""
    _refused(intake, "for i in range(45000):\n    x = workday_close(1200)", "step limit",
             seconds=3.0)


def test_deadline_functions_are_charged_by_the_days_they_scan() -> None:
    functions = deadline_functions(WorkCalendar(), _clock().now)
    small = Limits(max_steps=1000)
    assert expressions.evaluate("workday_close(5)", {}, functions, limits=small)
    with pytest.raises(ScriptError, match="step limit"):  # ~1,700 days scanned
        expressions.evaluate("workday_close(1200)", {}, functions, limits=small)


@pytest.mark.parametrize("expression", [
    "workday_close(2400)", f"workday_close({MAX_WORKDAYS + 1})", "add_days(3000)",
    "add_days(-3000)", "day_of_month(1, 100)", "same_day_close(start='2900-01-01T00:00:00Z')",
    "year_end(start='1900-06-01T00:00:00+08:00')",
])
def test_deadlines_years_away_are_refused(expression: str) -> None:
    functions = deadline_functions(WorkCalendar(), _clock().now)
    with pytest.raises(CalendarError):
        expressions.evaluate(expression, {}, functions)


def test_deadlines_within_the_horizon_still_work() -> None:
    functions = deadline_functions(WorkCalendar(), _clock().now)
    assert expressions.evaluate("workday_close(250)", {}, functions).startswith("2027-")
    assert expressions.evaluate("add_days(1500)", {}, functions).startswith("2030-")
    assert expressions.evaluate("day_of_month(5, 48)", {}, functions).startswith("2030-09-05")


def _clock() -> FixedClock:
    from datetime import datetime

    return FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00"))


# -- the command's time limit --------------------------------------------------------------------

def test_a_command_over_its_time_is_stopped_inside_and_rolled_back(intake: Engine) -> None:
    """Many script runs, each within its step budget (a loop in the diagram): the command's
    time limit stops it inside the interpreter, and the database is free again at once."""
    intake.runtime.limits = CommandLimits(seconds=0.5)
    intake.deploy([diagram("rounds = 0")])  # something to do meanwhile
    other = intake.start("cost", {}, "li").id
    script = "n = 0\nfor i in range(20000):\n    n = n + i\nrounds = rounds + 1"
    intake.deploy([diagram(script, loop="rounds < 100000", key="spin")])
    began = time.perf_counter()
    with pytest.raises(ScriptError, match=r"longer than its limit of 0\.5 seconds"):
        intake.start("spin", {"rounds": 0}, "li")
    assert time.perf_counter() - began < 5
    assert intake.instance_ids() == [other]  # nothing of it was saved
    done = []  # another command right after: the database is not held
    worker = threading.Thread(target=lambda: done.append(intake.start("cost", {}, "li").id))
    worker.start()
    worker.join(10)
    assert len(done) == 1


def test_time_limits_nest_and_never_extend() -> None:
    functions = deadline_functions(WorkCalendar(), _clock().now)
    with time_limit(0.0):
        time.sleep(0.01)
        with time_limit(60), pytest.raises(ScriptError, match="longer than its limit of 0 seconds"):
            expressions.evaluate("workday_close(1)", {}, functions)
