"""The city's investigator of a 提级核查 reads the clue it is about (``reads_case`` on the
step, engine/definitions/case_readers.py, in engine/queries/visibility.py): its facts and
files on the task page and through the API, its reporter's identity masked as for the other
handlers; nobody else gains the clue by it, nor the investigator when the city declines."""

from __future__ import annotations

import pytest

from engine.api import Engine
from engine.definitions.validation import SourceFile, check_files
from engine.errors import CaseHidden
from engine.files.attachments import Upload
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.files_support import pdf
from tests.process_helpers import at, clue_files
from tests.test_api_helpers import api_of
from tests.test_process_city_escalation import ESC, agree_to_escalate
from tests.test_process_clue_triage import WORLD as CLUES
from tests.test_process_clue_triage import approve_disposal, do, register, task
from tests.test_ui_leader import section, signed_in, text

pytestmark = CLUES

REPORTER = {"anonymous": False, "reporter": "王举报", "reporter_contact": "13800001111"}


@pytest.fixture
def clues(engine: Engine) -> Engine:
    return engine


def escalated(engine: Engine, clock: FixedClock, approved: bool) -> tuple[InstanceView, int]:
    """A transferred clue with a reporter and a file, escalated; the city leader's decision."""
    clue = register(engine, **REPORTER)
    approve_disposal(engine, "转办")
    clock.set(at("2026-10-08T10:00:00+08:00"))
    do(engine, "li", "transfer", {"transfer_note": "请优先核查"})
    engine.dossier.attach(clue.id, [Upload(None, "举报材料.pdf", pdf())], "li")
    assert clue.business_key is not None
    esc = agree_to_escalate(engine, clue.business_key)
    engine.complete(task(engine, "chu", "approve", process=ESC).id,
                    {"esc_approved": approved}, "chu")
    return clue, esc.id


def test_the_investigator_reads_the_clue_s_facts_and_files(clues: Engine,
                                                           clock: FixedClock) -> None:
    clue, esc = escalated(clues, clock, approved=True)
    [ref] = clues.references(esc, "wei")
    assert ref.case is not None and ref.case.id == clue.id
    assert ("问题摘要", "企业办理施工许可被要求补充清单外材料,拖延两个月未办结。") in [
        (f.title, f.value) for f in ref.case.facts]
    seen = clues.instance(clue.id, "wei")
    assert seen.data["accused_unit"] == "某县行政审批局"
    # the reporter's identity stays with intake, as for the county's handlers
    assert seen.data["reporter"] != "王举报" and seen.data["reporter_contact"] != "13800001111"
    assert "举报材料.pdf" in [f.name for f in clues.dossier.files(clue.id, "wei")]
    # a grant to read: the clue's comments and copies stay with those who take part in it
    assert not clues.ops.takes_part(clue.id, "wei") and not clues.dossier.may_add(clue.id, "wei")
    # lists of cases follow the same rule: search finds the clue beside the escalation
    found = {h.instance_id for h in clues.search.find(clue.business_key or "", "wei").hits}
    assert found == {clue.id, esc}
    # ... and still once the investigation is concluded (a step they held)
    clues.complete(task(clues, "wei", "investigate", process=ESC).id, {
        "city_result": "属实", "city_findings": "属实。"}, "wei")
    assert clues.instance(clue.id, "wei").data["summary"].startswith("企业办理施工许可")


def test_the_task_page_and_the_api_show_the_clue(clues: Engine, clock: FixedClock) -> None:
    clue, _ = escalated(clues, clock, approved=True)
    investigation = task(clues, "wei", "investigate", process=ESC)
    page = signed_in(clues, "wei").get(f"/tasks/{investigation.id}").text
    box = section(page, "case-ref-esc_case_no")
    assert f'<a href="/instances/{clue.id}">{clue.business_key}</a>' in box
    assert "被反映单位 某县行政审批局" in text(box) and "您无权查看该案件的详情" not in box
    case_page = signed_in(clues, "wei").get(f"/instances/{clue.id}")
    assert case_page.status_code == 200 and "举报材料.pdf" in case_page.text
    assert "王举报" not in case_page.text
    api = api_of(clues)
    body = api.get(f"/instances/{clue.id}", "wei").get_json()
    assert body["data"]["accused_person"] == "张某(科长)"
    listed = next(a for a in api.get(f"/instances/{clue.id}/attachments", "wei")
                  .get_json()["attachments"] if a["name"] == "举报材料.pdf")
    download = api.get(f"/attachments/{listed['sha256']}", "wei")
    assert download.status_code == 200 and download.data == pdf()


def test_an_unrelated_city_user_gains_nothing(clues: Engine, clock: FixedClock) -> None:
    clue, esc = escalated(clues, clock, approved=True)
    # a city office's handler with no part in either case
    with pytest.raises(CaseHidden):
        clues.instance(clue.id, "wu")
    with pytest.raises(CaseHidden):
        clues.references(esc, "wu")
    assert clues.search.find(clue.business_key or "", "wu").hits == []
    api = api_of(clues)
    assert api.get(f"/instances/{clue.id}", "wu").status_code == 404
    assert api.get(f"/instances/{clue.id}/attachments", "wu").status_code == 404


def test_a_declined_escalation_grants_the_investigator_nothing(clues: Engine,
                                                               clock: FixedClock) -> None:
    clue, esc = escalated(clues, clock, approved=False)
    assert clues.instance(esc, "chu").status == "completed"
    with pytest.raises(CaseHidden):
        clues.instance(clue.id, "wei")
    assert clues.search.find(clue.business_key or "", "wei").hits == []
    assert api_of(clues).get(f"/instances/{clue.id}/attachments", "wei").status_code == 404


def test_reads_case_must_name_a_field_naming_a_case() -> None:
    files = [f if not f.name.endswith("city_escalation.bpmn") else SourceFile(
        f.name, f.content.replace('value="esc_case_no"', 'value="esc_reason"'))
        for f in clue_files()]
    [problem] = check_files(files).problems
    assert problem.element == "investigate"
    assert "reads_case" in problem.message and "esc_case_no" in problem.message
