"""Registry: validation of BPMN, DMN and forms (every problem, as file:line: element: message),
versions per process key by content, and instances staying on the version they started on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.api import Engine
from engine.definitions import policies, registry
from engine.definitions.validation import SourceFile, check_files
from engine.errors import InvalidData, Problem, ValidationFailed
from tests.conftest import DIAGRAMS, diagram_files, source
from tests.process_helpers import PROCESSES, load_units

UNIT = "浮梁县纪委监委"
BAD = DIAGRAMS / "bad"
APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
FORMS = DIAGRAMS / "forms"
PROBLEM_LINE = re.compile(r"^[^\s:][^:]*:\d+: [^\s:]+: .+$")


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def forms() -> list[SourceFile]:
    return [source(p) for p in sorted(FORMS.glob("*.json"))]


def approval(text: str = APPROVAL, name: str = "approval.bpmn") -> list[SourceFile]:
    return [SourceFile(name, text), *forms()]


def problems_of(files: list[SourceFile]) -> list[Problem]:
    return check_files(files).problems


def triples(problems: list[Problem]) -> set[tuple[int | None, str | None]]:
    return {(p.line, p.element) for p in problems}


def process(body: str, lanes: str = "") -> str:
    """A one-process definitions document around ``body``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_t" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="t" name="测试" isExecutable="true">
{lanes}
{body}
  </bpmn:process>
</bpmn:definitions>
"""


def timer_process(part: str, text: str) -> str:
    return process(f"""    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition id="td">
        <bpmn:{part}>{text}</bpmn:{part}>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />""")


# -- validation: every problem, with its line and element ----------------------------------


def test_the_test_diagram_is_valid() -> None:
    checked = check_files(approval())
    assert checked.problems == []
    (info,) = checked.processes
    assert (info.key, info.name, info.start_form_key, info.case_prefix) == (
        "approval", "测试审批", "test_register", "TS")
    assert info.form_keys == {"test_register", "test_propose", "test_approve", "test_handle"}


def test_a_file_with_many_problems_lists_every_one_with_line_and_element() -> None:
    path = BAD / "many_problems.bpmn"
    text = path.read_text(encoding="utf-8")
    problems = problems_of([SourceFile("bad/many_problems.bpmn", text)])
    expected = [
        (line_of(text, 'id="Lane_cleaner"'), "Lane_cleaner", 'lane "清洁工" maps to no role'),
        (line_of(text, 'id="review"'), "review", 'form "no_such_form" not found'),
        (line_of(text, 'id="orphan"'), "orphan", "user task is in no lane"),
        (line_of(text, 'id="orphan"'), "orphan", "due date: syntax error"),
        (line_of(text, "().__class__"), "escape", "script: attribute '__class__'"),
        (line_of(text, "().__class__"), "escape", "script: attribute '__subclasses__'"),
        (line_of(text, "import os"), "importer", "script: import is not allowed"),
        (line_of(text, 'open("/etc/passwd")'), "f_open", "condition: calling 'open'"),
        (line_of(text, ">P7D<"), "wait_unquoted",
         "timer: put the ISO 8601 value in quotes: 'P7D'"),
        (line_of(text, "'P7X'"), "wait_invalid",
         'timer: "P7X" is not a valid ISO 8601 timeDuration'),
        (line_of(text, 'id="rules"'), "rules", 'decision "no_such_decision" not found'),
    ]
    for line, element, message in expected:
        assert any(p.line == line and p.element == element and message in p.message
                   for p in problems), (line, element, message, [str(p) for p in problems])
    # nothing else, and nothing reported twice
    assert len(problems) == len(expected) + 1  # + '__base__' on the escape line
    assert len({str(p) for p in problems}) == len(problems)
    # a multi-line start tag is reported on the line where it begins
    assert line_of(text, 'id="orphan"') < line_of(text, 'camunda:dueDate="workday_close("')
    # printed as file:line: element: message, sorted by line
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    for p in problems:
        assert PROBLEM_LINE.match(str(p)), str(p)
    assert str(problems[0]).startswith(
        f"bad/many_problems.bpmn:{line_of(text, 'Lane_cleaner')}: Lane_cleaner: ")


def test_deploy_refuses_with_every_problem_and_deploys_nothing(engine: Engine) -> None:
    bad = source(BAD / "many_problems.bpmn")
    with pytest.raises(ValidationFailed) as err:
        engine.deploy([bad, *diagram_files("approval.bpmn")])
    assert len(err.value.problems) >= 11
    assert {p.file for p in err.value.problems} == {"many_problems.bpmn"}
    assert engine.processes() == []


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = ().__class__.__base__.__subclasses__()", "names starting with '_' are not allowed"),
        ("import os", "import is not allowed"),
        ("from os import system", "import is not allowed"),
        ("x = __import__('os')", "names starting with '_' are not allowed"),
        ("x = eval('1')", "calling 'eval' is not allowed"),
    ],
)
def test_escaping_scripts_are_refused_at_deploy_naming_file_line_element(
    engine: Engine, script: str, reason: str
) -> None:
    text = APPROVAL.replace('status = "transferred"', f'status = "transferred"\n{script}')
    with pytest.raises(ValidationFailed) as err:
        engine.deploy(approval(text))
    line = line_of(text, script)
    assert any(str(p).startswith(f"approval.bpmn:{line}: mark: script: ") and reason in p.message
               for p in err.value.problems), [str(p) for p in err.value.problems]
    assert engine.processes() == []


@pytest.mark.parametrize(
    ("old", "new", "line_at", "element", "message"),
    [
        # an attribute's problem is on the line where its element begins
        ('camunda:dueDate="workday_close(1)"', 'camunda:dueDate="os.system(1)"',
         'id="handle"', "handle", "due date: "),
        ("approved == True", "approved.__class__ == True", "approved.", "f_ok", "condition: "),
        ("approved == True", "approved ==", "approved ==", "f_ok", "condition: syntax error"),
    ],
)
def test_expressions_must_compile_in_the_restricted_language(
    old: str, new: str, line_at: str, element: str, message: str
) -> None:
    text = APPROVAL.replace(old, new)
    problems = problems_of(approval(text))
    assert problems, "expected a problem"
    assert {(p.line, p.element) for p in problems} == {(line_of(text, line_at), element)}
    assert all(message in p.message for p in problems)


@pytest.mark.parametrize(
    ("part", "text"),
    [
        ("timeDuration", "'P7D'"),
        ("timeDuration", "'PT2H30M'"),
        ("timeDate", "workday_close(1)"),
        ("timeDate", "'2026-10-08T09:00:00+08:00'"),
        ("timeDate", "day_of_month(10, 1)"),
        ("timeCycle", "'R/P7D'"),
        ("timeCycle", "'R3/PT1H'"),
        ("timeDuration", "'P' + str(days) + 'D'"),  # depends on data: checked when it runs
    ],
)
def test_valid_timer_definitions(part: str, text: str) -> None:
    assert problems_of([SourceFile("t.bpmn", timer_process(part, text))]) == []


@pytest.mark.parametrize(
    ("part", "text", "message"),
    [
        ("timeDuration", "P7D", "put the ISO 8601 value in quotes: 'P7D'"),
        ("timeDuration", "PT2H", "put the ISO 8601 value in quotes: 'PT2H'"),
        ("timeCycle", "R/P7D", "put the ISO 8601 value in quotes: 'R/P7D'"),
        ("timeDate", "2026-10-08T09:00:00+08:00",
         "put the ISO 8601 value in quotes: '2026-10-08T09:00:00+08:00'"),
        ("timeDuration", "'P7X'", '"P7X" is not a valid ISO 8601 timeDuration'),
        ("timeCycle", "'R/P7X'", '"R/P7X" is not a valid ISO 8601 timeCycle'),
        ("timeDate", "'next tuesday'", '"next tuesday" is not a valid ISO 8601 timeDate'),
        ("timeDuration", "7", "must give an ISO 8601 string"),
        ("timeDuration", "", "timer has no expression"),
        ("timeDuration", "__import__('os')", "names starting with '_' are not allowed"),
    ],
)
def test_invalid_timer_definitions(part: str, text: str, message: str) -> None:
    doc = timer_process(part, text)
    problems = problems_of([SourceFile("t.bpmn", doc)])
    assert len(problems) >= 1
    line = line_of(doc, f"<bpmn:{part}>")
    assert all((p.file, p.line, p.element) == ("t.bpmn", line, "wait") for p in problems)
    assert any(p.message.startswith("timer: ") and message in p.message for p in problems), \
        [str(p) for p in problems]


def test_a_start_timer_needs_a_date_or_cycle() -> None:
    doc = process("""    <bpmn:startEvent id="start">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />""")
    (problem,) = problems_of([SourceFile("t.bpmn", doc)])
    assert (problem.element, problem.line) == ("start", line_of(doc, "timeDuration"))
    assert "timeDate or timeCycle" in problem.message


def test_lanes_name_roles_by_id_or_chinese_name() -> None:
    ok = APPROVAL.replace('name="受理员"', 'name="intake"').replace(
        'name="approver"', 'name="分管领导"')
    assert problems_of(approval(ok)) == []
    alias = APPROVAL.replace('name="受理员"', 'name="信访室/案管室 受理员"')
    assert problems_of(approval(alias)) == []
    bad = APPROVAL.replace('name="approver"', 'name="保安"')
    (problem,) = problems_of(approval(bad))
    assert (problem.line, problem.element) == (line_of(bad, 'name="保安"'), "Lane_approver")
    assert 'lane "保安" maps to no role' in problem.message and "intake" in problem.message


def test_every_user_task_must_be_in_a_lane() -> None:
    text = APPROVAL.replace("<bpmn:flowNodeRef>handle</bpmn:flowNodeRef>", "")
    (problem,) = problems_of(approval(text))
    assert (problem.line, problem.element) == (line_of(text, 'id="handle"'), "handle")
    assert "in no lane" in problem.message


def test_form_keys_must_name_existing_valid_forms() -> None:
    text = APPROVAL.replace('camunda:formKey="test_handle"', 'camunda:formKey="nope"')
    (problem,) = problems_of(approval(text))
    assert (problem.line, problem.element) == (line_of(text, 'formKey="nope"'), "handle")
    assert problem.message == 'form "nope" not found'
    # a form that is there but not a valid JSON Schema form: reported on the form and the task
    files = [SourceFile("approval.bpmn", APPROVAL), *forms()]
    files = [f for f in files if f.name != "test_handle.json"]
    files.append(SourceFile("forms/test_handle.json", '{"type": "object", "required": 5}'))
    problems = problems_of(files)
    assert {(p.file, p.element) for p in problems} == {
        ("forms/test_handle.json", None), ("approval.bpmn", "handle")}
    assert any('form "test_handle" is invalid' in p.message for p in problems)
    # the start event's form key is checked too
    text = APPROVAL.replace('camunda:formKey="test_register"', 'camunda:formKey="gone"')
    (problem,) = problems_of(approval(text))
    assert (problem.element, problem.message) == ("start", 'form "gone" not found')


def test_form_files_are_checked_with_lines() -> None:
    path = BAD / "bad_form.json"
    text = path.read_text(encoding="utf-8")
    problems = problems_of([SourceFile("bad_form.json", text)])
    found = {(p.line, p.message.split(":")[0]) for p in problems}
    assert (line_of(text, '"type": "text"'), "not a valid JSON Schema at properties/reason/type") \
        in found
    assert any(p.line == line_of(text, '"required"') and 'required field "missing"' in p.message
               for p in problems)
    assert any(p.line == line_of(text, '"email"') and 'format "email"' in p.message
               for p in problems)
    (broken,) = problems_of([SourceFile("x.json", '{"type": "object",\n "properties": {,}}')])
    assert broken.line == 2 and "not valid JSON" in broken.message


def test_schema_errors_and_kuaiban_rules_are_reported_together() -> None:
    text = APPROVAL.replace('<bpmn:endEvent id="end" />', '<bpmn:endEvent id="end" bogus="1" />')
    text = text.replace('name="受理员"', 'name="清洁工"')
    problems = problems_of(approval(text))
    assert triples(problems) == {
        (line_of(text, 'name="清洁工"'), "Lane_intake"),
        (line_of(text, 'bogus="1"'), "end"),
    }
    schema = next(p for p in problems if p.element == "end")
    assert schema.message == "element endEvent may not have the attribute bogus"


def test_not_well_formed_xml_gives_its_line() -> None:
    text = APPROVAL.replace('<bpmn:endEvent id="end" />', '<bpmn:endEvent id="end">')
    (problem,) = problems_of(approval(text))
    assert problem.file == "approval.bpmn"
    assert problem.message.startswith("not well-formed XML")
    assert problem.line is not None and problem.line >= line_of(text, 'id="end"')


def test_unknown_file_types_and_called_processes() -> None:
    (problem,) = problems_of([SourceFile("notes.txt", "hello")])
    assert "unknown file type" in problem.message
    doc = process("""    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:callActivity id="call" calledElement="elsewhere" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />""")
    (problem,) = problems_of([SourceFile("t.bpmn", doc)])
    assert (problem.line, problem.element) == (line_of(doc, 'id="call"'), "call")
    assert 'called process "elsewhere"' in problem.message


def test_spiffworkflow_parse_problems_are_reported_with_line_and_element() -> None:
    doc = process('    <bpmn:endEvent id="end" />')
    (problem,) = problems_of([SourceFile("t.bpmn", doc)])
    assert (problem.line, problem.element) == (line_of(doc, 'id="t"'), "t")
    assert "No start event found" in problem.message


def test_a_flow_must_join_two_elements_of_its_process() -> None:
    doc = process("""    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Nowhere_1" />
    <bpmn:endEvent id="end" />""")
    (problem,) = problems_of([SourceFile("t.bpmn", doc)])
    assert (problem.line, problem.element) == (line_of(doc, 'id="f1"'), "f1")
    assert problem.message == ('the flow leads to "Nowhere_1", which is no element of this '
                               'process (or subprocess)')
    assert problem.said.render("zh") == "顺序流的终点“Nowhere_1”不是本流程（或子流程）中的元素"


def test_boundary_events_must_be_attached_to_a_task() -> None:
    doc = process("""    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="late" attachedToRef="start">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>""")
    (problem,) = problems_of([SourceFile("t.bpmn", doc)])
    assert (problem.line, problem.element) == (line_of(doc, 'id="late"'), "late")
    assert 'attached to "start", which is no task' in problem.message


# -- DMN -----------------------------------------------------------------------------------

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
             id="Definitions_level" name="级别" namespace="http://kuaiban.local/dmn/level">
  <decision id="level" name="级别">
    <decisionTable id="level_table" hitPolicy="FIRST">
      <input id="in_amount" label="金额">
        <inputExpression id="in_amount_expr" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="out_level" label="级别" name="level" typeRef="string" />
      <rule id="r_high">
        <inputEntry id="r_high_in"><text>&gt; {limit}</text></inputEntry>
        <outputEntry id="r_high_out"><text>"高"</text></outputEntry>
      </rule>
      <rule id="r_low">
        <inputEntry id="r_low_in"><text>-</text></inputEntry>
        <outputEntry id="r_low_out"><text>"低"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

RATED = process(
    """    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rate" />
    <bpmn:businessRuleTask id="rate" name="定级" camunda:decisionRef="level" />
    <bpmn:sequenceFlow id="f2" sourceRef="rate" targetRef="check" />
    <bpmn:userTask id="check" name="复核" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />""",
    """    <bpmn:laneSet id="ls"><bpmn:lane id="Lane_i" name="受理员">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>rate</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>""",
).replace('id="t" name="测试"', 'id="rated" name="定级流程"')

OTHER_DMN = DMN.replace('id="level"', 'id="unrelated"').replace("Definitions_level", "D_u")


def test_dmn_cells_must_be_restricted_expressions() -> None:
    text = (BAD / "bad_rules.dmn").read_text(encoding="utf-8")
    problems = problems_of([SourceFile("bad_rules.dmn", text)])
    assert triples(problems) == {
        (line_of(text, "rule_escape_in"), "rule_escape_in"),
        (line_of(text, "rule_import_out"), "rule_import_out"),
    }
    assert all(p.message.startswith("decision expression: ") for p in problems)
    assert any("'__class__'" in p.message for p in problems)
    assert any("'__import__'" in p.message for p in problems)


def test_dmn_namespace_and_missing_decisions() -> None:
    old = DMN.replace("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://example.com/dmn")
    (problem,) = problems_of([SourceFile("level.dmn", old.format(limit=100))])
    assert "not a DMN document" in problem.message
    (problem,) = problems_of([SourceFile("rated.bpmn", RATED)])
    assert (problem.element, problem.message) == (
        "rate", 'decision "level" not found in the DMN files')
    assert problems_of([SourceFile("rated.bpmn", RATED),
                        SourceFile("level.dmn", DMN.format(limit=100))]) == []


def test_a_deployed_decision_runs_and_its_versions_follow_the_dmn(people: Engine) -> None:
    level = SourceFile("level.dmn", DMN.format(limit=100))
    unrelated = SourceFile("unrelated.dmn", OTHER_DMN.format(limit=1))
    assert [(d.key, d.version) for d in people.deploy(
        [SourceFile("rated.bpmn", RATED), level, unrelated])] == [("rated", 1)]
    assert people.start("rated", {"amount": 500}, "li").data["level"] == "高"
    assert people.start("rated", {"amount": 50}, "li").data["level"] == "低"
    # the BPMN alone: the deployed DMN is found; same content, no new version
    (same,) = people.deploy([SourceFile("rated.bpmn", RATED)])
    assert (same.version, same.created) == (1, False)
    # an unrelated DMN does not change the process
    assert people.deploy([SourceFile("unrelated.dmn", OTHER_DMN.format(limit=2))]) == []
    # the DMN it calls, changed and deployed alone, makes version 2 of the process
    (v2,) = people.deploy([SourceFile("level.dmn", DMN.format(limit=1000))])
    assert (v2.key, v2.version, v2.created) == ("rated", 2, True)
    assert people.start("rated", {"amount": 500}, "li").data["level"] == "低"


# -- versions ------------------------------------------------------------------------------


def test_identical_redeploy_is_a_no_op(engine: Engine) -> None:
    (first,) = engine.deploy(approval())
    assert (first.key, first.version, first.created) == ("approval", 1, True)
    (again,) = engine.deploy(approval())
    assert (again.version, again.created) == (1, False)
    # where the files were deployed from does not matter, only what they say
    moved = [SourceFile(f"/somewhere/else/{f.name}", f.content) for f in approval()]
    (moved_again,) = engine.deploy(moved)
    assert (moved_again.version, moved_again.created) == (1, False)
    assert [(p.key, p.version) for p in engine.process_versions("approval")] == [("approval", 1)]


def test_changed_diagram_or_form_makes_a_new_version(engine: Engine) -> None:
    engine.deploy(approval())
    (v2,) = engine.deploy(approval(APPROVAL.replace('name="审批"', 'name="领导审批"')))
    assert (v2.version, v2.created) == (2, True)
    changed_form = [f if f.name != "test_approve.json" else
                    SourceFile(f.name, f.content.replace('"同意"', '"批准"')) for f in forms()]
    text = APPROVAL.replace('name="审批"', 'name="领导审批"')
    (v3,) = engine.deploy([SourceFile("approval.bpmn", text), *changed_form])
    assert (v3.version, v3.created) == (3, True)
    assert [p.version for p in engine.process_versions("approval")] == [1, 2, 3]
    assert engine.processes()[0].version == 3


def test_a_form_deployed_alone_makes_new_versions_of_the_processes_using_it(
    engine: Engine
) -> None:
    engine.deploy(approval())
    form = (FORMS / "test_approve.json").read_text(encoding="utf-8")
    stricter = form.replace('"required": ["approved"]', '"required": ["approved", "comment"]')
    (v2,) = engine.deploy([SourceFile("test_approve.json", stricter)])
    assert (v2.key, v2.version, v2.created) == ("approval", 2, True)
    assert engine.deploy([SourceFile("test_approve.json", stricter)]) == []  # unchanged
    # the BPMN alone now picks up the newest form, so nothing changes
    (same,) = engine.deploy([SourceFile("approval.bpmn", APPROVAL)])
    assert (same.version, same.created) == (2, False)
    # going back to the first content is a new version, which becomes the latest
    (v3,) = engine.deploy(approval())
    assert (v3.version, v3.created) == (3, True)
    assert engine.processes()[0].version == 3
    (same,) = engine.deploy(approval())
    assert (same.version, same.created) == (3, False)


def test_running_instances_stay_on_the_version_they_started_on(people: Engine) -> None:
    people.deploy(approval())
    old = people.start("approval", {"summary": "旧", "unit": UNIT}, "li")
    assert old.version == 1
    renamed = APPROVAL.replace('name="审批"', 'name="领导审批"')
    form = (FORMS / "test_approve.json").read_text(encoding="utf-8")
    stricter = form.replace('"required": ["approved"]', '"required": ["approved", "comment"]')
    files = [f for f in approval(renamed) if f.name != "test_approve.json"]
    (v2,) = people.deploy([*files, SourceFile("test_approve.json", stricter)])
    assert v2.version == 2
    new = people.start("approval", {"summary": "新", "unit": UNIT}, "li")
    assert new.version == 2

    def next_task(instance_id: int) -> str:
        (task,) = [t for t in people.inbox.for_user("li") if t.instance_id == instance_id]
        people.complete(task.id, {"proposal": "转办"}, "li")
        (after,) = people.instance(instance_id).tasks
        return after.id

    old_task = next_task(old.id)
    new_task = next_task(new.id)
    assert [t.title for t in people.instance(old.id).tasks] == ["审批"]
    assert [t.title for t in people.instance(new.id).tasks] == ["领导审批"]
    # each instance keeps its version's form, too
    with pytest.raises(InvalidData) as err:
        people.complete(new_task, {"approved": True}, "wang")
    assert set(err.value.field_errors) == {"comment"}
    people.complete(new_task, {"approved": True, "comment": "同意"}, "wang")
    people.complete(old_task, {"approved": True}, "wang")
    assert people.instance(old.id).version == 1
    assert people.instance(new.id).version == 2
    assert [t.name for t in people.instance(old.id).tasks] == ["handle"]


def test_validate_does_not_deploy(engine: Engine) -> None:
    checked = engine.validate(approval())
    assert checked.problems == [] and [p.key for p in checked.processes] == ["approval"]
    assert engine.processes() == []


def test_deploy_directory(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "approval.bpmn").write_text(APPROVAL, encoding="utf-8")
    (deployed,) = engine.deploy_directory(tmp_path, FORMS)
    assert (deployed.key, deployed.version) == ("approval", 1)


def test_a_message_form_must_exist_and_belong_to_an_event_that_catches_a_message() -> None:
    text = (DIAGRAMS / "messages.bpmn").read_text(encoding="utf-8")
    missing = text.replace('value="test_city_result"', 'value="no_such_form"')
    found = [str(p) for p in problems_of([SourceFile("messages.bpmn", missing), *forms()])]
    assert any("interrupted" in p and 'form "no_such_form" not found' in p for p in found)
    misplaced = text.replace(
        '<bpmn:intermediateThrowEvent id="tell">',
        '<bpmn:intermediateThrowEvent id="tell"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="message_form" value="test_city_result" />'
        '</camunda:properties></bpmn:extensionElements>')
    found = [str(p) for p in problems_of([SourceFile("messages.bpmn", misplaced), *forms()])]
    assert any("tell" in p and "catches no message" in p for p in found), found
    assert problems_of([SourceFile("messages.bpmn", text), *forms()]) == []


def test_a_message_form_is_deployed_with_its_process(engine: Engine) -> None:
    engine.deploy(diagram_files("messages.bpmn"))
    with engine.transaction() as session:
        waiter = engine.versions.latest(session, "waiter")
    assert waiter.message_forms == {"interrupted": "test_city_result"}
    assert waiter.form("test_city_result") is not None


def catalogue_file(name: str) -> SourceFile:
    """The shipped policy catalogue with its first policy renamed."""
    text = (PROCESSES / "policy_catalogue.dmn").read_text(encoding="utf-8")
    return SourceFile("processes/policy_catalogue.dmn",
                      text.replace('"新升规工业企业奖励（入规即享）"', f'"{name}"'))


def first_policy(engine: Engine) -> str:
    with engine.transaction(read_only=True) as session:
        return policies.catalogue(session)[0].policy_name


def test_a_kept_catalogue_follows_deploys_and_the_directory(engine: Engine) -> None:
    load_units(engine)
    engine.deploy([catalogue_file("甲奖励")])
    assert first_policy(engine) == "甲奖励"
    engine.deploy([catalogue_file("乙奖励")])
    assert first_policy(engine) == "乙奖励"
    with engine.transaction(read_only=True) as session:
        before = policies.catalogue(session)[0].owning_dept
    units = (PROCESSES / "units.csv").read_text(encoding="utf-8")
    engine.import_units(units.replace(before, "市工业和信息化局", 1))
    with engine.transaction(read_only=True) as session:
        assert policies.catalogue(session)[0].owning_dept == "市工业和信息化局"


def test_a_deploy_rolled_back_is_not_kept_for_others(engine: Engine) -> None:
    load_units(engine)
    engine.deploy([catalogue_file("甲奖励")])
    assert first_policy(engine) == "甲奖励"
    with pytest.raises(RuntimeError), engine.transaction() as session:
        registry.deploy(session, [catalogue_file("丙奖励")], engine.clock.now())
        assert "丙奖励" in registry.latest_files(session, "dmn")["policy_catalogue.dmn"]
        raise RuntimeError("rolled back")
    # the next deploy stamps its files as the rolled-back one did: still read afresh
    engine.deploy([catalogue_file("乙奖励")])
    assert first_policy(engine) == "乙奖励"
