"""A case's subject (事由): the procedure's template (camunda property ``subject``) filled in
from the case's data, shown beside its number in the inbox, the done list, the copies,
search and on the case; written with every command that changes the data; refused at deploy
when malformed or naming a confidential or file field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.api import Engine
from engine.cli import main
from engine.definitions import subject_template
from engine.definitions.parsed import LoadedVersion
from engine.definitions.validation import SourceFile
from engine.errors import ValidationFailed
from engine.runtime import case_subject
from tests.process_helpers import clue_files, do
from tests.test_process_clue_triage import REGISTRATION, add_people

FORM = {
    "type": "object", "required": ["kind"],
    "properties": {
        "unit_name": {"type": "string", "title": "单位"},
        "kind": {"type": "string", "title": "类型", "oneOf": [
            {"const": "late", "title": "拖延"}, {"const": "fees", "title": "乱收费"},
            {"const": "其他", "title": "（七）其他问题"}]},
        "amount": {"type": "number", "title": "金额"},
        "handler": {"type": "string", "title": "经办人", "x-user": {"roles": ["intake"]}},
        "secret": {"type": "string", "title": "举报人", "x-confidential": ["intake"]},
        "when": {"type": "string", "format": "date-time", "title": "收到时间"},
    },
}
FIX = {"type": "object", "required": ["kind"],
       "properties": {"kind": FORM["properties"]["kind"]}}


def diagram(subject: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_subject" targetNamespace="http://kuaiban.local/test">
  <bpmn:process id="subject_demo" name="事由测试" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="subject" value="{subject}" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_intake" name="受理员">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fix</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" camunda:formKey="subject_start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fix" />
    <bpmn:userTask id="fix" name="改正类型" camunda:formKey="subject_fix" />
    <bpmn:sequenceFlow id="f2" sourceRef="fix" targetRef="check" />
    <bpmn:userTask id="check" name="核对" camunda:formKey="subject_fix" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def files(subject: str = "{unit_name}：{kind}（{amount}）") -> list[SourceFile]:
    return [SourceFile("subject_demo.bpmn", diagram(subject)),
            SourceFile("subject_start.json", json.dumps(FORM, ensure_ascii=False)),
            SourceFile("subject_fix.json", json.dumps(FIX, ensure_ascii=False))]


@pytest.fixture
def demo(engine: Engine) -> Engine:
    engine.deploy(files())
    engine.add_user("li", ["intake"], display_name="李受理")
    engine.add_user("wu", ["intake"], display_name="吴经办")
    return engine


def version(subject: str) -> LoadedVersion:
    return LoadedVersion(id=1, key="k", version=1, name="n", spec=None, subprocess_specs={},
                         forms={"subject_start": FORM}, case_prefix=None, start_form_key=None,
                         start_timers={}, files={}, subject=subject_template.parse(subject))


@pytest.mark.parametrize(("template", "data", "expected"), [
    ("{unit_name}：{kind}（{amount}）", {"unit_name": "某局", "kind": "late", "amount": 12.0},
     "某局：拖延（12）"),
    # an empty field leaves with the text before it; empty brackets go too
    ("{unit_name}：{kind}（{amount}）", {"kind": "fees", "amount": 3.5}, "乱收费（3.5）"),
    ("{unit_name}：{kind}（{amount}）", {"unit_name": "某局", "kind": "late"}, "某局：拖延"),
    ("{unit_name}：{kind}（{amount}）", {"unit_name": "某局", "amount": 7}, "某局（7）"),
    ("{unit_name}：{kind}：{amount}", {"unit_name": "某局", "amount": 7}, "某局：7"),
    ("{unit_name}：{kind}", {"unit_name": " 某局\n二科 ", "kind": "其他"}, "某局 二科：其他"),
    ("{when} {unit_name}", {"when": "2026-09-30T01:12:00Z"}, "2026-09-30 09:12"),
    ("{unit_name}", {"unit_name": ["一科", "二科"]}, "一科、二科"),
    ("{unit_name}年度", {}, None),  # no value at all: no subject, not the bare words
    ("{unit_name}：{secret}", {"unit_name": "某局", "secret": "张三"}, "某局"),
    ("{unit_name}", {"unit_name": "长" * 100}, "长" * 79 + "…"),
])
def test_the_subject_is_filled_in_as_pages_show_values(template: str, data: dict[str, Any],
                                                       expected: str | None) -> None:
    excluded = frozenset({"secret"})  # confidential somewhere: never shown in a subject
    assert case_subject.render(version(template), data, excluded) == expected


@pytest.mark.parametrize(("template", "words"), [
    ("{unit_name", "格式不正确"), ("{unit-name}", "格式不正确"), ("固定文字", "没有引用任何字段"),
    ("{unit_name}：{secret}", "保密字段“secret”"), ("x" * 256, "超过 255 个字符"),
])
def test_a_bad_template_is_refused_at_deploy(engine: Engine, template: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        engine.deploy(files(template))
    said = [p.said.render("zh") for p in refused.value.problems]
    assert any(words in s for s in said), said
    assert all(p.key != "subject_demo" for p in engine.processes())


def test_the_subject_follows_the_data_and_reaches_every_list(demo: Engine) -> None:
    case = demo.start("subject_demo", {"unit_name": "某局", "kind": "late", "amount": 12,
                                       "secret": "张三", "handler": "wu"}, "li")
    assert demo.instance(case.id).subject == "某局：拖延（12）"
    [task] = demo.inbox.page("li").tasks
    assert task.subject == "某局：拖延（12）"
    assert demo.inbox.for_user("li")[0].subject == "某局：拖延（12）"
    do(demo, "li", "fix", {"kind": "fees"}, process="subject_demo")
    assert [t.subject for t in demo.inbox.page("li").tasks] == ["某局：乱收费（12）"]
    done = demo.worklists.done("li")
    assert [d.task.subject for d in done.tasks] == ["某局：乱收费（12）"]
    assert [c.subject for c in done.started] == ["某局：乱收费（12）"]
    [hit] = demo.search.find("某局", "li").hits
    assert hit.subject == "某局：乱收费（12）" and hit.as_json()["subject"] == hit.subject
    demo.ops.cc(case.id, "li", to_user="wu")
    assert [c.subject for c in demo.ops.copies("wu")] == ["某局：乱收费（12）"]


def test_a_person_field_is_named_and_a_case_without_values_has_none(engine: Engine) -> None:
    engine.deploy(files("{handler}：{unit_name}"))
    engine.add_user("li", ["intake"], display_name="李受理")
    engine.add_user("wu", ["intake"], display_name="吴经办")
    named = engine.start("subject_demo", {"kind": "late", "handler": "wu"}, "li")
    assert engine.instance(named.id).subject == "吴经办"
    bare = engine.start("subject_demo", {"kind": "late"}, "li")
    assert engine.instance(bare.id).subject is None
    assert {t.instance_id: t.subject for t in engine.inbox.page("li").tasks} == {
        named.id: "吴经办", bare.id: None}


def test_reindex_gives_older_cases_their_subject(demo: Engine, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    case = demo.start("subject_demo", {"unit_name": "某局", "kind": "late"}, "li")
    with demo.transaction() as session:  # as a case from before subjects were kept
        session.execute(text("UPDATE case_search SET subject = NULL"))
    assert demo.instance(case.id).subject is None
    monkeypatch.setenv("KUAIBAN_DATABASE_URL", demo.url)
    result = CliRunner().invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert demo.instance(case.id).subject == "某局：拖延"


def test_the_shipped_clue_procedure_names_unit_and_problem(engine: Engine) -> None:
    engine.deploy(clue_files())
    add_people(engine)
    case = engine.start("clue_triage", REGISTRATION, "li")
    assert engine.instance(case.id).subject == "某县行政审批局：推诿拖延刁难"
    assert [t.subject for t in engine.inbox.page("li").tasks] == ["某县行政审批局：推诿拖延刁难"]


def test_a_notice_shows_the_subject_while_its_reader_may_read_the_case(demo: Engine) -> None:
    """The notices list names what a case is about, read when the list is shown: to a reader
    who has since lost their part in the case, it says no more than it did."""
    demo.add_user("he", ["intake"])  # starts it: li and wu are told
    case = demo.start("subject_demo", {"unit_name": "某局", "kind": "late"}, "he")
    [arrived] = demo.notifications.for_user("wu")
    assert (arrived.instance_id, arrived.subject) == (case.id, "某局：拖延")
    assert arrived.as_json()["subject"] == "某局：拖延"
    demo.add_user("wu", ["approver"], display_name="吴经办")  # no longer in the intake pool
    [kept] = demo.notifications.for_user("wu")
    assert (kept.id, kept.subject) == (arrived.id, None)
    assert demo.notifications.for_user("li")[0].subject == "某局：拖延"
