"""The auditor's pages read in words: every operation's reason, note and targets in the audit's
event table (as the case's 办理经过 shows them), the variables no form names apart under a
technical heading with the script tasks that set them, each case of the list with its
procedure and unnumbered ones in words, runs of identical reads of confidential fields as one
row (×n), and signing in leads an auditor or a designer to their own work, not to an empty
inbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.process_helpers import case_task
from tests.test_confidential import _app, _page
from tests.test_process_clue_triage import FULIANG, REGISTRATION, WORLD, do

pytestmark = WORLD
REPORTER = {"anonymous": False, "reporter": "张举报", "reporter_contact": "13800001234"}


@pytest.fixture
def clues(engine: Engine) -> Engine:
    engine.add_user("li", ["intake"], display_name="受理员 李明")
    engine.add_user("wang", ["approver"], display_name="分管领导 王强")
    engine.add_user("wang2", ["approver"], display_name="分管领导 吴刚")
    engine.add_user("audit", ["auditor"], display_name="审计 沈洁", password="pw-audit-1")
    engine.add_user("design", ["designer"], password="pw-design-1")
    engine.add_user("both", ["auditor", "designer"], password="pw-both-1")
    return engine


def _row(page: str, seq: int) -> str:
    """The audit event table's row of event ``seq``, its markup without the raw record."""
    body = page.split('<table class="events responsive">', 1)[1].split("</table>", 1)[0]
    rows = body.split("<tr>")[2:]  # after the head's
    row = next(r for r in rows if re.search(rf'data-label="#"[^>]*>{seq}</td>', r))
    return row.split("<summary>原始记录</summary>", 1)[0]


def _seq(engine: Engine, case: int, kind: str, nth: int = -1) -> int:
    return [e.seq for e in engine.history(case) if e.type == kind][nth]


def test_each_operation_reads_in_words_on_the_audit_page(clues: Engine) -> None:
    case = clues.start("clue_triage", REGISTRATION, "li").id
    ops = clues.ops
    ops.comment(case, "li", "已电话联系举报人。")
    ops.cc(case, "li", to_user="wang2")
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "可查",
                                "handler_unit": FULIANG})
    approve = case_task(clues, case, "approve")
    ops.urge(approve, "sun", "今天务必呈批")
    ops.send_back(approve, "wang", "请补充被反映人职务")
    propose = case_task(clues, case, "propose")
    clues.complete(propose, {"disposal": "转办", "proposal_reason": "已补充",
                             "handler_unit": FULIANG}, "li")
    ops.withdraw(propose, "li")
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "再次呈批",
                                "handler_unit": FULIANG})
    approve = case_task(clues, case, "approve")
    clues.claim(approve, "wang")
    ops.delegate(approve, "wang", "wang2", "请代为审核")
    clues.complete(approve, {"approved": False, "approve_comment": "需补充"}, "wang2")
    ops.add_signer(approve, "wang", "wang2", "共同会签")
    clues.complete(approve, {"approved": False, "approve_comment": "同意退回"}, "wang2")
    ops.transfer(approve, "wang", "出差，转吴刚审批", to_user="wang2")
    ops.terminate(case, "sun", "重复举报，并案处理")
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{case}").text

    def said(kind: str, label: str, words: str, nth: int = -1) -> str:
        row = _row(page, _seq(clues, case, kind, nth))
        assert f'<span class="label">{label}：</span>{words}</p>' in row, (kind, row)
        return row

    said("commented", "意见", "已电话联系举报人。")
    copied = _row(page, _seq(clues, case, "copied"))
    assert "<dt>抄送给</dt><dd>分管领导 吴刚</dd>" in copied
    said("urged", "催办说明", "今天务必呈批")
    back = said("sent_back", "原因", "请补充被反映人职务")
    assert "<dt>退回到</dt><dd>提出处置意见</dd>" in back
    withdrawn = _row(page, _seq(clues, case, "withdrawn"))
    assert '<td data-label="任务" class="step">提出处置意见</td>' in withdrawn
    assert "退回到" not in withdrawn  # a withdrawal goes back to the step it names
    delegated = said("delegated", "原因", "请代为审核")
    assert "<dt>委派给</dt><dd>分管领导 吴刚</dd>" in delegated
    signer = said("signer_added", "原因", "共同会签")
    assert "<dt>加签人</dt><dd>分管领导 吴刚</dd>" in signer
    assert "<dt>会签方式</dt><dd>依次会签</dd>" in signer
    moved = said("transferred", "原因", "出差，转吴刚审批")
    assert "<dt>转给</dt><dd>分管领导 吴刚</dd>" in moved
    assert "<dt>原办理人</dt><dd>分管领导 王强</dd>" in moved
    said("terminated", "原因", "重复举报，并案处理")
    # the case's own 办理经过 says the same, by the same words
    case_page = _page(_app(clues), clues, "li").get(f"/instances/{case}").text
    assert '<p class="said"><span class="label">原因：</span>请补充被反映人职务</p>' in case_page
    assert "<dt>转给</dt><dd>分管领导 吴刚</dd>" in case_page
    copy = case_page.split('<li class="event copied">', 1)[1].split("</li>", 1)[0]
    # whom it went to is what a copy says: shown, not folded under 提交的数据
    assert '<dl class="data small handed"><div><dt>抄送给</dt><dd>分管领导 吴刚</dd>' in copy
    assert "<summary>" not in copy


def test_the_event_table_keeps_a_type_and_its_number_on_one_line(clues: Engine) -> None:
    case = clues.start("clue_triage", REGISTRATION, "li").id
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{case}").text
    row = _row(page, 1)
    assert '<td data-label="类型" class="nowrap">发起</td>' in row
    assert '<td data-label="#" class="nowrap">1</td>' in row
    # the time keeps its date and its clock each whole, inside one grid item on a phone
    assert re.search(r'class="at"><div><span class="nb">2026-\d\d-\d\d</span> '
                     r'<span class="nb">\d\d:\d\d</span></div>', row)


def test_a_redone_step_says_which_answers_of_the_round_before_no_longer_apply(
        clues: Engine) -> None:
    """转办 sent back and redone as 予以了结: the redone step's row names the 承办部门 the
    clue dropped, by its title."""
    case = clues.start("clue_triage", REGISTRATION, "li").id
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "可查",
                                "handler_unit": FULIANG})
    do(clues, "wang", "approve", {"approved": False, "approve_comment": "了结"})
    do(clues, "li", "propose", {"disposal": "予以了结", "proposal_reason": "不具体"})
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{case}").text
    redone = _row(page, _seq(clues, case, "completed"))
    assert '<div><dt>不再适用</dt><dd>承办部门</dd></div>' in redone
    assert "不再适用" not in _row(page, _seq(clues, case, "completed", 0))


def test_variables_no_form_names_are_apart_with_the_script_tasks_that_set_them(
        clues: Engine) -> None:
    case = clues.start("clue_triage", REGISTRATION, "li").id
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{case}").text
    data = page.split("<h2>案件数据</h2>", 1)[1].split("</section>", 1)[0]
    fields, variables = data.split('<details class="other-data">', 1)
    assert "registered_at" not in fields and "day_start" not in fields
    assert "<summary>流程变量（2）</summary>" in variables
    assert ("<dt><code>registered_at</code></dt><dd><code>2026-09-30 16:00</code>"
            '<small class="set-by">由脚本任务设置：逐件编号登记 建立问题台账</small></dd>'
            ) in variables
    # set by two script tasks: both named
    assert "由脚本任务设置：逐件编号登记 建立问题台账、重新呈批" in variables
    # a clerk sees neither
    clerk = _page(_app(clues), clues, "li").get(f"/instances/{case}").text
    assert "registered_at" not in clerk and "流程变量" not in clerk


def test_the_audit_list_names_each_cases_procedure_and_unnumbered_cases_in_words(
        clues: Engine) -> None:
    clue = clues.start("clue_triage", REGISTRATION, "li")
    do(clues, "li", "propose", {"disposal": "转办", "proposal_reason": "可查",
                                "handler_unit": FULIANG})
    do(clues, "wang", "approve", {"approved": True})
    do(clues, "li", "transfer", {"transfer_note": "请核查"})  # 台账抄送: the same number
    clues.deploy(diagram_files("loop.bpmn"))  # its cases have no number
    unnumbered_case = clues.start("loop", {"rounds": 0, "closed": False}, "sun")
    assert unnumbered_case.business_key is None
    listing = _page(_app(clues), clues, "audit").get("/audit/").text
    rows = listing.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    copies = [r for r in rows if "问题线索台账抄送" in r]
    assert copies and clue.business_key in copies[0]
    assert '<span class="process-name">问题线索台账抄送</span>' in copies[0]
    [own] = [r for r in rows if f'/audit/instances/{clue.id}"' in r]
    assert '<span class="process-name">问题线索受理处置</span>' in own
    number = unnumbered_case.id
    [unnumbered] = [r for r in rows if f'/audit/instances/{number}"' in r]
    assert f"无编号（实例 {number}）" in unnumbered and f"#{number}" not in unnumbered
    assert '<span class="process-name">每周跟踪循环</span>' in unnumbered
    page = _page(_app(clues), clues, "audit").get(f"/audit/instances/{number}").text
    assert f"<title>审计 无编号（实例 {number}） · 每周跟踪循环 · 快办</title>" in page


def test_runs_of_identical_reads_show_as_one_row_with_their_count(
        clues: Engine, clock: FixedClock) -> None:
    """Each page view that shows the reporter is logged (one row a view); a clerk going back
    and forth on the case makes a run of them, shown as one row ×n; another reader, another
    way or a read long after starts a row of its own."""
    case = clues.start("clue_triage", {**REGISTRATION, **REPORTER}, "li").id
    app = _app(clues)
    clerk = _page(app, clues, "li")
    for _ in range(3):
        assert clerk.get(f"/instances/{case}").status_code == 200
        clock.advance(timedelta(minutes=2))
    assert [r.user for r in clues.confidential_reads(case, "audit")] == ["li"] * 3
    with clues.reading():
        clues.instance(case, "li")  # the case alone: another way
    clock.advance(timedelta(hours=1))
    clerk.get(f"/instances/{case}")
    log = _page(app, clues, "audit").get(f"/audit/instances/{case}").text
    rows = log.split('id="confidential-reads"', 1)[1].split("<tbody>", 1)[1].split(
        "</tbody>", 1)[0].split("<tr")[1:]
    assert len(rows) == 4, rows
    assert '<span class="times" title="连续查阅 3 次">×3</span>' in rows[0]
    assert ">16:00</span>–<span class=\"nb\">16:04</span>" in rows[0]
    assert "案件页、办理记录" in rows[0] and "×" not in rows[1] + rows[2]
    # the audit page's own read (by the auditor) ends the log
    assert "审计 沈洁" in rows[3]


def test_signing_in_leads_to_where_the_users_work_is(clues: Engine) -> None:
    """An auditor to 审计, a designer to 流程设计 (no procedure gives them a task); so do the
    bare address, the header's name of the product, an error page's way back and switching
    the language with no page to go back to. A user
    with a role that works tasks still lands on the inbox."""
    app = _app(clues)
    clues.add_user("li2", ["intake", "auditor"], password="pw-li2-12")
    for username, password, home in (("audit", "pw-audit-1", "/audit/"),
                                      ("design", "pw-design-1", "/designer/"),
                                      ("both", "pw-both-1", "/audit/"),
                                      ("li2", "pw-li2-12", "/")):
        client = app.test_client()
        done = client.post("/login", data={"username": username, "password": password})
        assert done.location == home, username
        again = app.test_client().post("/login?next=/", data={"username": username,
                                                              "password": password})
        assert again.location == home, username
        page = client.get(home).text
        assert f'<a class="brand" href="{home}">' in page, username
        missing = client.get("/instances/999999")
        assert f'<a class="button" href="{home}" id="home">' in missing.text, username
        assert client.post("/lang/zh").location == home, username  # no page to go back to
