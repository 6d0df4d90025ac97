"""Lint (engine/definitions/lint.py): one test per rule, how lint and validation report together
(``Engine.lint``), and ``kuaiban validate`` printing warnings."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.api import Engine
from engine.cli import main
from engine.definitions.lint import WARNING, format_problem, lint
from engine.definitions.validation import SourceFile
from engine.errors import Problem
from engine.time.clock import FixedClock

NOW = datetime.fromisoformat("2026-09-30T16:00:00+08:00")
FORM = SourceFile("lint_form.json", '{"type": "object", "properties": {}}')


def diagram(body: str, lanes: dict[str, list[str]] | None = None) -> SourceFile:
    """A process ``p`` whose lanes hold the given element ids (default: one 受理员 lane
    holding every element with an id in ``body``)."""
    if lanes is None:
        lanes = {"受理员": re.findall(r'<bpmn:(?:\w+) id="(\w+)"', body)}
    lane_xml = "".join(
        f'<bpmn:lane id="lane{i}" name="{name}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for i, (name, refs) in enumerate(lanes.items()))
    return SourceFile("lint.bpmn", f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://x">
  <bpmn:process id="p" name="测试" isExecutable="true">
    <bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>
    {body}
  </bpmn:process>
</bpmn:definitions>
""")


TASK = ('<bpmn:userTask id="{id}" name="办理" camunda:formKey="lint_form" '
        'camunda:dueDate="workday_close(1)" />')


def chain(*middle: str) -> str:
    """start -> middle... -> end, flows f0, f1, ... between consecutive ids."""
    ids = ["s", *[m.split('id="', 1)[1].split('"', 1)[0] for m in middle], "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(pairwise(ids)))
    return '<bpmn:startEvent id="s" />' + "".join(middle) + '<bpmn:endEvent id="e" />' + flows


def found(source: SourceFile, now: datetime = NOW) -> list[tuple[str | None, str]]:
    return [(p.element, p.message) for p in lint([source], now)]


def test_a_clean_diagram_has_no_findings() -> None:
    assert found(diagram(chain(TASK.format(id="t")))) == []


def test_user_task_without_due_date() -> None:
    source = diagram(chain('<bpmn:userTask id="t" camunda:formKey="lint_form" />'))
    (problem,) = lint([source], NOW)
    assert (problem.element, problem.severity) == ("t", WARNING)
    assert problem.message.startswith("user task has no due date (camunda:dueDate)")
    assert problem.line == 6


def test_user_task_without_a_deadline_on_purpose() -> None:
    marked = ('<bpmn:userTask id="t" camunda:formKey="lint_form"><bpmn:extensionElements>'
              '<camunda:properties><camunda:property name="deadline" value="none" />'
              '</camunda:properties></bpmn:extensionElements></bpmn:userTask>')
    assert found(diagram(chain(marked))) == []
    other = marked.replace('value="none"', 'value="later"')
    assert [e for e, _ in found(diagram(chain(other)))] == ["t"]


def test_user_task_without_form() -> None:
    source = diagram(chain('<bpmn:userTask id="t" camunda:dueDate="same_day_close()" />'))
    assert found(source) == [
        ("t", "user task has no form (camunda:formKey): completing it accepts no data")]


@pytest.mark.parametrize("kind", ["exclusiveGateway", "inclusiveGateway"])
def test_gateway_with_several_flows_and_no_default(kind: str) -> None:
    def gateway(default: str) -> SourceFile:
        return diagram(f"""<bpmn:startEvent id="s" />
    <bpmn:{kind} id="g" {default}/>
    <bpmn:endEvent id="yes" /><bpmn:endEvent id="no" />
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="fy" sourceRef="g" targetRef="yes">
      <bpmn:conditionExpression>ok == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fn" sourceRef="g" targetRef="no">
      <bpmn:conditionExpression>ok == False</bpmn:conditionExpression></bpmn:sequenceFlow>""")

    word = kind.removesuffix("Gateway")
    assert found(gateway("")) == [("g", f"{word} gateway has 2 outgoing flows and no default "
                                        "flow: when no condition holds, the case stops with "
                                        "an error")]
    assert found(gateway('default="fn" ')) == []


def test_gateways_that_need_no_default() -> None:
    joining = diagram("""<bpmn:startEvent id="s" /><bpmn:exclusiveGateway id="g" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="e" />""")
    parallel = diagram("""<bpmn:startEvent id="s" /><bpmn:parallelGateway id="g" />
    <bpmn:endEvent id="a" /><bpmn:endEvent id="b" />
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b" />""")
    assert found(joining) == found(parallel) == []


def test_unreachable_elements() -> None:
    source = diagram(chain(TASK.format(id="t")) + TASK.format(id="orphan") + """
    <bpmn:endEvent id="orphan_end" />
    <bpmn:sequenceFlow id="fo" sourceRef="orphan" targetRef="orphan_end" />
    <bpmn:boundaryEvent id="late" attachedToRef="orphan">
      <bpmn:timerEventDefinition><bpmn:timeDuration>'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>""")
    message = "no path leads here from a start event: it never runs"
    assert found(source) == [("orphan", message), ("orphan_end", message), ("late", message)]


def test_what_is_reachable_without_a_flow() -> None:
    """Boundary events of reachable tasks, the inside of a reachable subprocess, event
    subprocesses, link events and compensation handlers are not flagged."""
    source = diagram(chain(TASK.format(id="t"), """<bpmn:subProcess id="sub">
      <bpmn:startEvent id="ss" /><bpmn:endEvent id="se" />
      <bpmn:sequenceFlow id="sf" sourceRef="ss" targetRef="se" /></bpmn:subProcess>""") + """
    <bpmn:boundaryEvent id="late" attachedToRef="t">
      <bpmn:timerEventDefinition><bpmn:timeDuration>'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="late_end" />
    <bpmn:sequenceFlow id="fl" sourceRef="late" targetRef="late_end" />
    <bpmn:subProcess id="on_message" triggeredByEvent="true">
      <bpmn:startEvent id="ms"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
      <bpmn:endEvent id="me" /><bpmn:sequenceFlow id="mf" sourceRef="ms" targetRef="me" />
    </bpmn:subProcess>
    <bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L" />
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="L" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="landed" />
    <bpmn:sequenceFlow id="fg" sourceRef="sub" targetRef="go" />
    <bpmn:sequenceFlow id="fland" sourceRef="land" targetRef="landed" />""")
    assert found(source) == []


TIMER = """<bpmn:startEvent id="s" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition id="td"><bpmn:{part}>{expression}</bpmn:{part}>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="e" />"""


def timer(part: str, expression: str) -> SourceFile:
    return diagram(TIMER.format(part=part, expression=expression))


def test_timer_date_already_past_by_the_deploy_clock() -> None:
    (problem,) = lint([timer("timeDate", "'2026-09-01T09:00:00+08:00'")], NOW)
    assert (problem.element, problem.severity, problem.line) == ("wait", WARNING, 8)
    assert problem.message == (
        "timer date 2026-09-01T09:00:00+08:00 is already past (deploy clock "
        "2026-09-30T16:00:00+08:00): it fires at once, never on that date")
    # a constant with no offset is Beijing time; calendar functions with a fixed start too
    assert len(lint([timer("timeDate", "'2026-09-30T15:59:00'")], NOW)) == 1
    assert len(lint([timer("timeDate", 'workday_close(1, start="2026-09-01T09:00:00+08:00")')],
                    NOW)) == 1


@pytest.mark.parametrize("expression", [
    "'2026-10-08T09:00:00+08:00'",  # in the future
    "workday_close(1)",  # relative to when the case gets there
    "day_of_month(5, 1)",
    "workday_close(1, start=approved_at)",  # depends on case data
])
def test_timer_dates_that_can_fire(expression: str) -> None:
    assert found(timer("timeDate", expression)) == []


def test_timer_cycle_repeating_zero_times() -> None:
    assert found(timer("timeCycle", "'R0/P7D'")) == [
        ("wait", 'timer cycle "R0/P7D" repeats 0 times: it never fires')]
    assert found(timer("timeCycle", "'R/P7D'")) == found(timer("timeCycle", "'R3/P1D'")) == []


def test_lane_rules_are_validation_errors_reported_once(engine: Engine) -> None:
    source = diagram(chain(TASK.format(id="t"), TASK.format(id="nowhere")) + """""",
                     lanes={"清洁工": ["s", "t", "e"], "受理员": [], "无名": []})
    problems = engine.lint([source, FORM])
    rows = [(p.severity, p.element, p.message.split(" (")[0].split(";")[0]) for p in problems]
    assert rows == [
        ("error", "lane0", 'lane "清洁工" maps to no role'),
        ("warning", "lane2", 'lane "无名" matches no role'),  # empty: deploy allows it
        ("error", "nowhere", "user task is in no lane, so no role may work on it"),
    ]
    # validation alone has the same errors; lint never repeats them
    assert [p for p in problems if p.severity == "error"] == engine.validate(
        [source, FORM]).problems
    assert all(p.severity == WARNING for p in lint([source], NOW))


def test_the_engines_lane_holds_only_steps_no_person_takes(engine: Engine) -> None:
    """系统（自动） stands for no role: a user task there could not be worked and the start
    event there would let anyone start a case; scripts, gateways and ends are fine, and so is
    the lane left empty (no warning)."""
    script = ('<bpmn:scriptTask id="note" scriptFormat="python"><bpmn:script>x = 1'
              '</bpmn:script></bpmn:scriptTask>')
    fine = diagram(chain(TASK.format(id="t"), script),
                   lanes={"受理员": ["s", "t"], "系统（自动）": ["note", "e"], "系统(自动)": []})
    assert engine.lint([fine, FORM]) == []
    wrong = diagram(chain(TASK.format(id="t"), script),
                    lanes={"系统（自动）": ["s", "t", "note", "e"]})
    rows = [(p.element, p.message.split(":")[0]) for p in engine.validate([wrong, FORM]).problems]
    assert rows == [("s", 'lane "系统（自动）" is the engine\'s own'),
                    ("t", 'lane "系统（自动）" is the engine\'s own')]
    # a user task inside a subprocess drawn in the engine's lane takes that lane
    inner = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="ss" />' + TASK.format(id="t")
             + '<bpmn:endEvent id="se" /><bpmn:sequenceFlow id="g0" sourceRef="ss" targetRef="t" />'
             '<bpmn:sequenceFlow id="g1" sourceRef="t" targetRef="se" /></bpmn:subProcess>')
    nested = diagram(chain(inner), lanes={"受理员": ["s"], "系统（自动）": ["sub", "e"]})
    assert [p.element for p in engine.validate([nested, FORM]).problems] == ["t"]


def test_engine_lint_uses_the_engine_clock(engine: Engine, clock: FixedClock) -> None:
    source = timer("timeDate", "'2026-10-08T09:00:00+08:00'")
    assert engine.lint([source]) == []
    clock.advance(timedelta(days=8))
    (problem,) = engine.lint([source])
    assert "deploy clock 2026-10-08T16:00:00+08:00" in problem.message


def test_shipped_diagrams_have_no_warnings() -> None:
    """Every user task has a due date or says it has none on purpose, and a form; every
    gateway has a default, everything is reached, no timer is dead."""
    root = Path(__file__).resolve().parent.parent
    files = [SourceFile(str(p), p.read_text("utf-8")) for p in
             sorted((root / "processes").glob("*.bpmn"))]
    assert [format_problem(p) for p in lint(files, NOW)] == []


def test_kuaiban_validate_reads_the_forms_beside_the_processes(tmp_path: Path) -> None:
    """`kuaiban validate processes/*` on a fresh database: the forms come from forms/."""
    (tmp_path / "processes").mkdir()
    (tmp_path / "forms").mkdir()
    (tmp_path / "processes" / "p.bpmn").write_text(
        diagram(chain(TASK.format(id="t"))).content, encoding="utf-8")
    (tmp_path / "forms" / "lint_form.json").write_text(FORM.content, encoding="utf-8")
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "processes" / "p.bpmn")],
                                env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"forms read from {os.path.relpath(tmp_path / 'forms')}" in result.stderr
    (tmp_path / "forms" / "lint_form.json").unlink()
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "processes" / "p.bpmn")],
                                env=env)
    assert result.exit_code == 1 and 'form "lint_form" not found' in result.stdout


def test_format_problem() -> None:
    assert format_problem(Problem("a.bpmn", 3, "t", "m", "warning")) == "a.bpmn:3: t: warning: m"
    assert format_problem(Problem("a.bpmn", None, None, "m")) == "a.bpmn:0: -: m"


def test_kuaiban_validate_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}
    warned = tmp_path / "warned.bpmn"
    warned.write_text(diagram(chain('<bpmn:userTask id="t" />')).content, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(warned)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{warned}:6: t: warning: user task has no due date (camunda:dueDate): inboxes show no "
        'deadline and it is never overdue (none on purpose: camunda property deadline="none")',
        f"{warned}:6: t: warning: user task has no form (camunda:formKey): completing it "
        "accepts no data",
    ]
    assert "ok: 1 process(es) valid, 2 warning(s)" in result.stderr
    broken = tmp_path / "broken.bpmn"
    broken.write_text(diagram(chain('<bpmn:userTask id="t" />'), lanes={"受理员": ["s", "e"]})
                      .content, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(broken)], env=env)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{broken}:6: t: user task is in no lane, so no role may work on it"
    assert [line.split(": ")[2] for line in lines[1:]] == ["warning", "warning"]
