"""Confidential form fields (engine/queries/confidential.py): the reporter of a clue is seen
only by the intake office and auditors (and, for a clue the 12345 hotline sent it, the
作风优化组 registering it: tests/test_process_hotline_complaint.py); the handler unit,
supervisors and everyone else get it masked on pages, in the API, in the history, time travel
and ledgers (with their exports);
each read in clear is logged for auditors, and verify and replay stay exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.definitions.validation import SourceFile
from engine.errors import ValidationFailed
from engine.queries.confidential import MASK, hidden_from, masked, rules_of
from engine.time.clock import FixedClock
from engine.views import UserView
from tests.process_helpers import ROOT, clue_files, do, load_units
from tests.test_process_clue_triage import (
    FULIANG,
    REGISTRATION,
    add_people,
    transferred_case,
)
from web import tokens
from web.app import create_app
from web.ui.auth import session_values

REPORTER = {"anonymous": False, "reporter": "张举报", "reporter_contact": "13800001234"}
SECRETS = ("张举报", "13800001234")


@pytest.fixture
def clues(engine: Engine) -> Engine:
    engine.deploy(clue_files())
    add_people(engine)
    engine.add_user("audit", ["auditor"])
    return engine


@pytest.fixture
def case(clues: Engine, clock: FixedClock) -> int:
    """A clue with a named reporter, transferred to the handler unit 浮梁县纪委监委 (zhao)."""
    view = clues.start("clue_triage", {**REGISTRATION, **REPORTER}, "li")
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "可查",
                                "handler_unit": FULIANG}, process="clue_triage")
    do(clues, "wang", "approve", {"approved": True}, process="clue_triage")
    do(clues, "li", "transfer", {"transfer_note": "请按期办理"},
       process="clue_triage")
    return view.id


def _app(engine: Engine) -> Flask:
    app = create_app(engine, secret_key="confidential", testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _page(app: Flask, engine: Engine, username: str) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(session_values(engine.user(username)))
    return client


def _api(app: Flask, path: str, username: str) -> Any:
    response = app.test_client().get("/api/v1" + path, headers={
        "Authorization": f"Bearer {tokens.issue('confidential', username)}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _shows_secret(text: str) -> bool:
    return any(s in text for s in SECRETS)


def _reads(engine: Engine, case: int) -> list[tuple[str, str]]:
    return [(r.user, r.via) for r in engine.confidential_reads(case, "audit")]


def test_the_handler_unit_never_sees_the_reporter(clues: Engine, case: int) -> None:
    app = _app(clues)
    view = clues.instance(case, "zhao")
    assert (view.data["reporter"], view.data["reporter_contact"]) == (MASK, MASK)
    assert view.data["accused_unit"] == REGISTRATION["accused_unit"]  # the rest is clear
    [verify] = [t for t in view.tasks if t.name == "verify"]
    pages = [f"/instances/{case}", f"/tasks/{verify.id}", f"/instances/{case}?at=1"]
    for path in pages:
        page = _page(app, clues, "zhao").get(path)
        assert page.status_code == 200 and not _shows_secret(page.text), path
        assert MASK in page.text, path
    for path in (f"/instances/{case}", f"/instances/{case}/history", f"/tasks/{verify.id}"):
        body = _api(app, path, "zhao")
        assert not _shows_secret(json.dumps(body, ensure_ascii=False)), path
    assert "confidential_reads" not in _api(app, f"/instances/{case}/history", "zhao")
    assert clues.state_at(case, 1, "zhao").data["reporter"] == MASK
    assert _reads(clues, case) == []  # nobody has seen it yet


def test_supervisors_see_it_masked_too(clues: Engine, case: int) -> None:
    for user in ("sun", "wang", "zhou", "feng"):  # case manager, approver, supervisors
        assert clues.instance(case, user).data["reporter"] == MASK, user
        history = json.dumps([e.payload for e in clues.history(case, user)], ensure_ascii=False)
        assert not _shows_secret(history), user


def test_intake_and_auditors_see_it_and_each_read_is_logged(clues: Engine, case: int) -> None:
    assert clues.instance(case, "li").data["reporter"] == "张举报"
    assert clues.instance(case, "audit").data["reporter_contact"] == "13800001234"
    assert any(e.payload.get("data", {}).get("reporter") == "张举报"
               for e in clues.history(case, "audit"))
    assert _reads(clues, case) == [("li", "case"), ("audit", "case"), ("audit", "history")]
    [first] = clues.confidential_reads(case, "audit")[:1]
    assert first.fields == ["reporter", "reporter_contact"]
    app = _app(clues)
    body = _api(app, f"/instances/{case}/history", "audit")
    assert [r["user"] for r in body["confidential_reads"]][:3] == ["li", "audit", "audit"]
    page = _page(app, clues, "audit").get(f"/audit/instances/{case}")
    assert "保密信息查阅记录" in page.text and "张举报" in page.text


def test_the_operator_and_the_engine_are_not_logged(clues: Engine, case: int) -> None:
    assert clues.instance(case).data["reporter"] == "张举报"  # user=None: the operator
    assert _reads(clues, case) == []


def test_a_command_hands_back_the_case_masked(clues: Engine) -> None:
    """The intake registering a clue gets the new case back with the reporter masked (a
    command shows no confidential field; reading the case does, and is logged)."""
    view = clues.start("clue_triage", {**REGISTRATION, **REPORTER}, "li")
    assert view.data["reporter"] == MASK
    assert _reads(clues, view.id) == []


def test_reading_never_changes_the_case_and_the_chain_stays_exact(clues: Engine,
                                                                   case: int) -> None:
    before = clues.instance(case).revision
    for user in ("li", "audit", "zhao"):
        clues.instance(case, user)
        clues.history(case, user)
    assert clues.instance(case).revision == before
    assert clues.verify() == (len(clues.instance_ids()), [])
    assert clues.replay(case).ok


def test_ledgers_and_their_exports_mask_confidential_columns(engine: Engine,
                                                             clock: FixedClock) -> None:
    """A designer may mark a ledger column's field confidential: it is masked in the ledger
    and its .csv/.xlsx for the others, and shown (and logged) for the roles named."""
    files = clue_files()
    marked = []
    for f in files:
        if f.name.endswith("clue_register.json"):
            schema = json.loads(f.content)
            schema["properties"]["accused_unit"]["x-confidential"] = ["case_manager"]
            f = SourceFile(f.name, json.dumps(schema, ensure_ascii=False))
        elif f.name.endswith("clue_triage.bpmn"):  # a subject may not name a confidential field
            f = SourceFile(f.name, f.content.replace("{accused_unit}：{problem_type}",
                                                     "{problem_type}"))
        marked.append(f)
    with pytest.raises(ValidationFailed, match="validation error"):
        engine.deploy([f if not f.name.endswith("clue_triage.bpmn") else
                       next(g for g in files if g.name == f.name) for f in marked])
    engine.deploy(marked)
    add_people(engine)
    engine.add_user("audit", ["auditor"])
    case = transferred_case(engine, clock).id
    column = engine.ledger("clue", "zhou").headers.index("被反映单位")
    assert engine.ledger("clue", "zhou").rows[0][column] == MASK  # supervision office
    assert REGISTRATION["accused_unit"] not in engine.ledger("clue", "zhou").to_csv().decode()
    assert engine.ledger("clue", "sun").rows[0][column] == REGISTRATION["accused_unit"]
    assert _reads(engine, case) == [("sun", "ledger")]


def test_the_shipped_forms_mark_the_reporter_confidential() -> None:
    forms = {p.stem: json.loads(p.read_text("utf-8"))
             for p in sorted((ROOT / "forms").glob("clue_register*.json"))}
    rules = rules_of(forms.values())
    # everywhere only the intake's; the 作风优化组 registering a hotline clue, in that case
    # (engine/queries/confidential.py)
    assert rules == {name: frozenset({"intake", "auditor"})
                     for name in ("reporter", "reporter_contact")}
    assert rules_of([forms["clue_register_hotline"]]) == {
        name: frozenset({"intake", "style_group", "auditor"})
        for name in ("reporter", "reporter_contact")}
    hotline = rules_of([json.loads((ROOT / "forms" / "hotline_take.json").read_text("utf-8"))])
    assert set(hotline) == {"contact_person", "contact_phone"}
    handler = UserView("zhao", "赵", ("handler",), FULIANG)
    assert hidden_from(rules, handler) == set(rules)
    assert hidden_from(rules, UserView("a", "a", ("auditor",), None)) == set()
    assert masked({"x": [{"reporter": "a", "n": 1}], "reporter": ""}, hidden_from(
        rules, handler)) == {"x": [{"reporter": MASK, "n": 1}], "reporter": ""}


def test_a_confidential_keyword_must_name_roles(tmp_path: Path) -> None:
    form = {"type": "object", "properties": {"a": {"type": "string",
                                                   "x-confidential": ["nobody"]},
                                             "b": {"type": "string", "x-confidential": "auditor"}}}
    problems = [str(p) for p in check_form(json.dumps(form, indent=2))]
    assert any('"a": unknown role(s): nobody' in p for p in problems), problems
    assert any('"b": must be a list of role ids' in p for p in problems), problems


def test_a_copy_that_travels_to_another_procedure_keeps_the_secret(clues: Engine,
                                                                   case: int) -> None:
    """The transfer copies the clue's ledger row to the supervision office (clue_ledger_copy,
    whose own forms mark nothing): the reporter stays masked there for the office, and in
    clear for the auditor, whose read is logged."""
    [copy] = [i for i in clues.instance_ids() if i != case
              and clues.instance(i).process_key == "clue_ledger_copy"]
    assert clues.instance(copy).data.get("reporter") == "张举报"  # the engine's own view
    seen = clues.instance(copy, "zhou")
    assert seen.data["reporter"] == MASK and not _shows_secret(json.dumps(
        seen.data, ensure_ascii=False))
    history = json.dumps([e.payload for e in clues.history(copy, "zhou")], ensure_ascii=False)
    assert not _shows_secret(history)
    assert clues.instance(copy, "audit").data["reporter"] == "张举报"
    assert [user for user, _ in _reads(clues, copy)] == ["audit"]


def test_the_applicant_and_the_unit_at_work_see_a_contact_another_procedure_keeps_secret(
        engine: Engine) -> None:
    """联系电话 is secret in a 12345 complaint (hotline_take marks it); a credit repair asks
    for it unmarked. There the window that typed it in and the department working the
    current step see it in clear (the read is logged); someone reading along does not."""
    from tests.test_process_credit_repair import APPLY, SCJ, repair_files
    from tests.test_process_hotline_complaint import hotline_files

    load_units(engine).deploy([*repair_files(), *hotline_files()])
    engine.add_user("xinyong", ["credit_window"])
    engine.add_user("scj", ["responsible_unit"], unit=SCJ)
    engine.add_user("audit", ["auditor"])
    started = engine.start("credit_repair", {**APPLY, "channel": "一窗"}, "xinyong")
    for user in ("xinyong", "scj", "audit"):
        data = engine.instance(started.id, user).data
        assert (data["contact_person"], data["contact_phone"]) == ("王经理", "0798-8888888"), user
    assert engine.task_data(engine.instance(started.id).tasks[0].id, "scj")[
        "contact_phone"] == "0798-8888888"
    assert [user for user, _ in _reads(engine, started.id)] == [
        "xinyong", "scj", "audit", "scj"]
    # a colleague at the window the case is copied to reads it, works none of its steps
    engine.add_user("xinyong2", ["credit_window"])
    engine.ops.cc(started.id, "scj", to_user="xinyong2")
    assert engine.instance(started.id, "xinyong2").data["contact_phone"] == MASK


def test_pages_name_people_by_their_names_with_the_username_for_auditors(
        clues: Engine, case: int) -> None:
    """The case's files (上传人), the access log (查阅人) and the auditors' case list (发起人)
    show who by name; auditors see the username after it."""
    from engine.files.attachments import Upload
    from tests.files_support import png

    clues.add_user("li", ["intake"], display_name="受理员 李明")
    clues.add_user("audit", ["auditor"], display_name="审计 沈洁")
    clues.dossier.attach(case, [Upload(None, "现场.png", png())], "li")
    clues.instance(case, "audit")  # a read in clear, logged
    app = _app(clues)
    page = _page(app, clues, "audit").get(f"/instances/{case}").get_data(as_text=True)
    files = page.split('id="files"')[1].split("</table>")[0]
    assert '受理员 李明 <small class="username">li</small>' in files
    log = page.split('id="confidential-reads"')[1].split("</table>")[0]
    assert '审计 沈洁 <small class="username">audit</small>' in log
    listing = _page(app, clues, "audit").get("/audit/").get_data(as_text=True)
    assert '受理员 李明 <small class="username">li</small>' in listing
    staff = _page(app, clues, "li").get(f"/instances/{case}").get_data(as_text=True)
    assert "<div>受理员 李明</div>" in staff.split('id="files"')[1]  # the name alone


def test_one_page_view_is_logged_once(clues: Engine, case: int) -> None:
    """A page that shows the reporter through several reads (the case, its history) logs one
    row naming both ways; reading the same again in that view writes nothing, and a new
    view is a new row."""
    with clues.reading():
        clues.instance(case, "audit")
        clues.history(case, "audit")
        clues.instance(case, "audit")
        clues.instance(case, "li")
    assert _reads(clues, case) == [("audit", "case+history"), ("li", "case")]
    [first, _] = clues.confidential_reads(case, "audit")
    assert first.fields == ["reporter", "reporter_contact"]
    with clues.reading():
        clues.history(case, "audit")
    assert _reads(clues, case)[-1] == ("audit", "history")
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{case}")
    assert "案件页、办理记录" in page.text
