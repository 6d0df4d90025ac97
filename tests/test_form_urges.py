"""A box that urges when ticked (``x-urges``, engine/definitions/form_urges.py): what deploy
says of the keyword, and the clue procedure's 已督促承办部门 as the case manager and the
handler see it in the pages (the engine's side: tests/test_process_clue_triage.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.files import SourceFile
from engine.definitions.forms import check_form
from engine.errors import ValidationFailed
from tests.demo_support import CLUE, FULIANG, demo_engine, signed_in
from tests.process_helpers import at, clue_files

_TO_FAULT_TOLERANCE: list[tuple[str, str, dict[str, Any]]] = [
    ("intake", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                           "proposal_reason": "转承办部门核查。"}),
    ("approver", "approve", {"approved": True}),
    ("intake", "transfer", {"transfer_note": "请优先核查"}),
    ("handler_fl", "verify", {"verify_result": "属实", "verify_facts": "基本属实。",
                              "measures": "责令整改", "fault_tolerance_claimed": True}),
    ("handler_fl", "ft_determine", {"ft_situation": "先行容缺受理。",
                                    "ft_conclusion": "免予责任追究"}),
]


def _problems(urged: dict[str, Any], note: dict[str, Any] | None = None) -> list[str]:
    form = {"type": "object", "properties": {"progress": note or {"type": "string"},
                                             "urged": urged}}
    return [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]


def test_deploy_checks_the_urges_keyword() -> None:
    assert _problems({"type": "boolean",
                      "x-urges": {"role": "handler", "note": "progress"}}) == []
    assert _problems({"type": "boolean", "x-urges": {}}) == []  # every open task, no note
    assert "must be an object" in _problems({"type": "boolean", "x-urges": True})[0]
    assert "must be an object" in _problems({"type": "boolean",
                                             "x-urges": {"unit": "handler_unit"}})[0]
    assert "only a boolean field" in _problems({"type": "string", "x-urges": {}})[0]
    assert '"承办部门" is not a role' in _problems({"type": "boolean",
                                                  "x-urges": {"role": "承办部门"}})[0]
    assert '"remark", which is not a text field' in _problems(
        {"type": "boolean", "x-urges": {"note": "remark"}})[0]
    assert '"progress", which is not a text field' in _problems(
        {"type": "boolean", "x-urges": {"note": "progress"}}, {"type": "integer"})[0]


def test_deploy_refuses_urges_on_a_start_form() -> None:
    files = clue_files()
    [register] = [f for f in files if f.name.endswith("clue_register.json")]
    schema = json.loads(register.content)
    schema["properties"]["anonymous"]["x-urges"] = {}
    engine = Engine("sqlite://")
    try:
        with pytest.raises(ValidationFailed) as refused:
            engine.deploy([SourceFile(register.name, json.dumps(schema, ensure_ascii=False))
                           if f is register else f for f in files])
    finally:
        engine.close()
    said = [p.message for p in refused.value.problems]
    assert any('"x-urges" on "anonymous", but it is a start form' in s for s in said), said


def test_the_case_manager_urges_the_handler_from_the_follow_up(tmp_path: Path) -> None:
    """The demo's clue at 浮梁 (结果运用 open): a week on, the case manager reports progress
    with 已督促承办部门 ticked; the page says it urged, the handler's inbox shows the 已催办
    pill and the task page the note."""
    demo, clock = demo_engine(tmp_path)
    try:
        clock.set(at("2026-10-08T10:00:00+08:00"))
        demo.timers.fire_due()
        follow_up = next(t for t in demo.inbox.for_user("case_manager")
                         if t.name == "follow_up")
        outcome = next(t for t in demo.inbox.for_user("handler_fl")
                       if t.name == "outcome" and t.instance_id == follow_up.instance_id)
        manager = signed_in(demo, "case_manager")
        page = manager.post(f"/tasks/{follow_up.id}", data={
            "progress": "承办部门未按期反馈结果运用情况", "urged": "true"},
            follow_redirects=True)
        assert "已催办 1 项待办（已督促承办部门）" in page.text
        handler = signed_in(demo, "handler_fl")
        assert "已催办 1 次" in handler.get("/").text
        shown = handler.get(f"/tasks/{outcome.id}").text
        assert 'id="urged"' in shown and "跟踪进展：承办部门未按期反馈结果运用情况" in shown
        # another clue waits for the leader's fault-tolerance decision: nothing at the handler
        case = demo.start("clue_triage", dict(CLUE, summary="窗口拖延办理。"), "intake").id
        for user, name, data in _TO_FAULT_TOLERANCE:
            demo.complete(next(t.id for t in demo.inbox.for_user(user)
                               if t.name == name and t.instance_id == case), data, user)
        clock.advance(timedelta(days=7, minutes=1))
        demo.timers.fire_due()
        waiting = next(t for t in demo.inbox.for_user("case_manager")
                       if t.name == "follow_up" and t.instance_id == case)
        page = manager.post(f"/tasks/{waiting.id}", data={
            "progress": "待分管领导审批容错认定", "urged": "true"}, follow_redirects=True)
        assert "已勾选“已督促承办部门”，但案件目前没有相应的待办，未发出催办。" in page.text
        assert "urged" not in [e.type for e in demo.history(case)]
    finally:
        demo.close()
