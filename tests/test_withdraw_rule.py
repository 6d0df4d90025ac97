"""撤回 (withdraw) as caseworkers know it (收回): only whoever completed a step, and only while
the work it produced is untouched (engine/runtime/untouched.py), on clue_triage and
city_escalation: the intake's 转办到位 taken back, or refused once the case moved on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.api import Engine
from engine.errors import Conflict, PermissionDenied
from engine.files.attachments import Upload
from engine.time.clock import FixedClock
from tests.process_helpers import open_tasks
from tests.test_process_city_escalation import ESC, agree_to_escalate
from tests.test_process_clue_triage import WORLD, do, task, transferred_case
from web.app import create_app
from web.ui.auth import session_values

pytestmark = WORLD


@pytest.fixture
def clues(engine: Engine) -> Engine:
    return engine  # holding procedures 1 and 2 and their people


def transferred(engine: Engine, clock: FixedClock) -> tuple[int, str]:
    """A clue the intake (li) has just transferred: the case and its 转办到位 task."""
    case = transferred_case(engine, clock)
    [done] = [e.task_id for e in engine.history(case.id)
              if e.type == "completed" and e.payload.get("element_id") == "transfer"]
    assert done is not None
    return case.id, done


def refused(engine: Engine, task_id: str, user: str, chinese: str) -> None:
    with pytest.raises(Conflict) as caught:
        engine.ops.withdraw(task_id, user)
    assert chinese in caught.value.said.render("zh")


def withdraw_offered(engine: Engine, case_id: int, user: str) -> bool:
    client = create_app(engine, secret_key="withdraw", testing=True).test_client()
    with client.session_transaction() as session:
        session.update(session_values(engine.user(user)))
    page = client.get(f"/instances/{case_id}")
    assert page.status_code == 200
    return 'class="inline withdraw"' in page.text


def test_a_transfer_is_withdrawn_right_after_it_was_made(clues: Engine,
                                                       clock: FixedClock) -> None:
    """Its own 交办函, an urge and a comment since leave it to be taken back."""
    case_id, done = transferred(clues, clock)
    assert clues.ops.withdrawable(case_id, "li") == {done}
    assert withdraw_offered(clues, case_id, "li")
    with pytest.raises(PermissionDenied):
        clues.ops.withdraw(done, "wang")  # not who did it
    clues.ops.urge(task(clues, "zhao", "verify").id, "sun")
    clues.ops.comment(case_id, "sun", "请抓紧")
    assert clues.ops.withdrawable(case_id, "li") == {done}
    view = clues.ops.withdraw(done, "li")
    assert [(t.name, t.assignee) for t in view.tasks] == [("transfer", "li")]


def test_the_transfer_is_not_withdrawn_after_the_city_concluded(clues: Engine,
                                                               clock: FixedClock) -> None:
    """转办到位, the case is escalated and the city concludes 部分属实: the intake's old
    转办到位 is no longer offered for 撤回 and the command refuses it, leaving the city's
    conclusion with the case manager."""
    case_id, done = transferred(clues, clock)
    case_no = clues.instance(case_id).business_key
    assert case_no is not None
    agree_to_escalate(clues, case_no)
    do(clues, "chu", "approve", {"esc_approved": True, "esc_leader_comment": "同意提级"},
       process=ESC)
    refused(clues, done, "li", "提级核查")
    do(clues, "wei", "investigate", {
        "city_result": "部分属实", "city_findings": "部分反映属实。", "city_measures": "批评教育",
        "city_instruments": [], "city_publicize": False}, process=ESC)
    assert open_tasks(clues, case_id) == ["city_result"]
    assert clues.ops.withdrawable(case_id, "li") == frozenset()
    assert not withdraw_offered(clues, case_id, "li")
    refused(clues, done, "li", "不能撤回")
    assert open_tasks(clues, case_id) == ["city_result"]
    assert clues.instance(case_id).data["city_result"] == "部分属实"
    assert "withdrawn" not in [e.type for e in clues.history(case_id)]


def test_the_transfer_is_not_withdrawn_once_the_handler_claimed(clues: Engine,
                                                               clock: FixedClock) -> None:
    case_id, done = transferred(clues, clock)
    verify = task(clues, "zhao", "verify").id
    clues.claim(verify, "zhao")
    assert clues.ops.withdrawable(case_id, "li") == frozenset()
    assert not withdraw_offered(clues, case_id, "li")
    refused(clues, done, "li", "已被认领")
    clues.unclaim(verify, "zhao")  # back in the pool, but taken up once: touched
    assert clues.ops.withdrawable(case_id, "li") == frozenset()
    refused(clues, done, "li", "已被认领")


def test_not_withdrawn_after_a_document_files_or_the_weekly_follow_up(
        clues: Engine, clock: FixedClock) -> None:
    case_id, done = transferred(clues, clock)
    clues.dossier.issue(case_id, "duban_han", "sun")
    refused(clues, done, "li", "出具文书")
    case_id, done = transferred(clues, clock)
    clues.dossier.attach(case_id, [Upload(None, "现场.pdf", b"%PDF-1.4\n% ok\n")], "zhao")
    refused(clues, done, "li", "上传材料")
    case_id, done = transferred(clues, clock)
    clock.advance(timedelta(days=7, minutes=1))
    assert clues.timers.fire_due().fired >= 1
    assert sorted(open_tasks(clues, case_id)) == ["follow_up", "verify"]
    assert done not in clues.ops.withdrawable(case_id, "li")
    refused(clues, done, "li", "流程已向后推进")
