"""A case in brief on a page about other work (engine/queries/case_briefs.py): the clue a
提级核查 names, with its facts and where it stands, for the leader approving it; and the
leader's overview of the 提级核查 under way."""

from __future__ import annotations

import json

import pytest

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.errors import CaseHidden
from engine.time.clock import FixedClock
from tests.process_helpers import at
from tests.test_process_city_escalation import ESC, agree_to_escalate, case_with_open_follow_up
from tests.test_process_clue_triage import FULIANG, task
from tests.test_process_clue_triage import WORLD as CLUES

pytestmark = CLUES


@pytest.fixture
def clues(engine: Engine) -> Engine:
    return engine


def test_the_leader_reads_the_clue_an_escalation_names(clues: Engine,
                                                      clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    esc = agree_to_escalate(clues, case.business_key)
    [ref] = clues.references(esc.id, "chu")
    assert (ref.field, ref.title, ref.business_key) == (
        "esc_case_no", "问题线索案件编号", case.business_key)
    brief = ref.case
    assert brief is not None
    assert (brief.id, brief.process_key, brief.process_name, brief.status) == (
        case.id, "clue_triage", "问题线索受理处置", "running")
    assert brief.subject == "某县行政审批局：推诿拖延刁难"
    assert brief.jurisdiction is None  # this world has no unit directory: no 所属纪委监委
    # the facts the start form's x-case-facts lists, titled, a choice by its label
    assert [(f.title, f.value) for f in brief.facts] == [
        ("被反映单位", "某县行政审批局"), ("被反映人及职务", "张某(科长)"),
        ("问题类型",
         "（二）敷衍塞责、推诿扯皮、故意拖延、刁难企业，乱检查、乱罚款，惠企政策不落实"),
        ("问题摘要", "企业办理施工许可被要求补充清单外材料,拖延两个月未办结。"),
        ("承办部门", FULIANG),
        ("线索来源", "举报直通车（门户网站、微信公众号）"),
        ("收到时间", "2026-09-30T09:12:00+08:00")]
    # where it stands: its open steps, their unit and deadline
    assert sorted(t.name for t in brief.open_tasks) == ["follow_up", "verify"]
    verifying = next(t for t in brief.open_tasks if t.name == "verify")
    assert (verifying.unit, verifying.due_at) == (FULIANG, at("2026-10-21T17:30:00+08:00"))


def test_the_investigator_reads_the_clue_others_may_not(clues: Engine,
                                                       clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    esc = agree_to_escalate(clues, case.business_key)
    clues.complete(task(clues, "chu", "approve", process=ESC).id,
                   {"esc_approved": True}, "chu")
    # the city's investigator works the escalation, and so reads the county's clue
    # (reads_case, tests/test_escalation_reading.py)
    [ref] = clues.references(esc.id, "wei")
    assert ref.case is not None and ref.case.id == case.id
    # the case itself may not be read through it by someone with no part in it
    clues.add_user("qi", ["handler"], unit="乐平市纪委监委")
    with pytest.raises(CaseHidden):
        clues.references(esc.id, "qi")


def test_a_case_naming_none_has_no_references(clues: Engine, clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert clues.references(case.id, "chu") == []


def test_the_leader_oversees_the_escalations_under_way(clues: Engine,
                                                      clock: FixedClock) -> None:
    assert clues.overseen("chu") == []
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    esc = agree_to_escalate(clues, case.business_key)
    [brief] = clues.overseen("chu")
    assert (brief.id, brief.process_key, brief.business_key) == (
        esc.id, ESC, case.business_key)
    assert [(t.name, t.role) for t in brief.open_tasks] == [("approve", "city_leader")]
    assert brief.facts == ()
    clock.set(at("2026-10-16T10:00:00+08:00"))
    clues.complete(task(clues, "chu", "approve", process=ESC).id,
                   {"esc_approved": True}, "chu")
    [brief] = clues.overseen("chu")
    assert [(t.name, t.role) for t in brief.open_tasks] == [
        ("investigate", "city_investigator")]
    # a handler has a step in a clue, none in a 提级核查
    assert {b.process_key for b in clues.overseen("zhao")} == {"clue_triage"}


def test_case_facts_need_a_list_beside_x_case_of() -> None:
    def problems(prop: dict[str, object]) -> list[str]:
        form = {"type": "object", "properties": {"no": {"type": "string", **prop}}}
        return [p.problem.key for p in check_form(json.dumps(form))]

    assert problems({"x-case-of": "clue_triage", "x-case-facts": ["summary"]}) == []
    assert "form.case_facts_shape" in problems({"x-case-facts": ["summary"]})
    assert "form.case_facts_shape" in problems(
        {"x-case-of": "clue_triage", "x-case-facts": "summary"})
