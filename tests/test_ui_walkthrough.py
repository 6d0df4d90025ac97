"""A working day on the demo world, as its users see it: who holds a task is named as a
person, not by the username that signs in; a decision on a revised proposal is taken afresh."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask_babel import force_locale

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.demo_support import CLUE, FULIANG, demo_engine, signed_in
from tests.demo_support import demo as demo  # the fixture
from tests.process_helpers import at
from tests.test_process_hotline_complaint import COMPLAINT
from tests.test_ui_support import choose_language
from web.ui.fmt import EVENT_LABELS

HANDLER = "承办部门 赵磊（浮梁）"
ROOT = Path(__file__).resolve().parents[1]


def test_who_claimed_a_task_is_named_by_display_name(demo: Engine) -> None:
    task = next(t for t in demo.inbox.for_user("handler_fl") if t.name == "outcome")
    handler = signed_in(demo, "handler_fl")
    assert handler.post(f"/tasks/{task.id}/claim").status_code == 302
    pages = {"inbox": handler.get("/").text,
             "task": handler.get(f"/tasks/{task.id}").text,
             "case": handler.get(f"/instances/{task.instance_id}").text,
             "board": signed_in(demo, "case_manager").get(
                 f"/board/tasks?unit={task.unit}&process=clue_triage&when=open").text}
    for name, text in pages.items():
        assert HANDLER in text, name
        assert ">handler_fl<" not in text and "：handler_fl" not in text, name
        assert "认领人 handler_fl" not in text, name


def test_an_approver_decides_a_revised_proposal_afresh(demo: Engine) -> None:
    """退回重拟, the clerk revises, the approver opens it again: the decision and its comment
    start empty (they were last round's 退回重拟 and its reason); the clerk's own proposal
    does come back filled in, to revise."""
    case = demo.start("clue_triage", dict(CLUE, summary="审批窗口多次退回材料。"), "intake").id
    task = _task(demo, "intake", case, "propose")
    demo.complete(task, {"disposal": "转办", "handler_unit": FULIANG,
                         "proposal_reason": "建议转办。"}, "intake")
    demo.complete(_task(demo, "approver", case, "approve"),
                  {"approved": False, "approve_comment": "理由不充分，请补充。"}, "approver")
    again = signed_in(demo, "intake").get(f"/tasks/{_task(demo, 'intake', case, 'propose')}")
    assert "建议转办。</textarea>" in again.text
    demo.complete(_task(demo, "intake", case, "propose"),
                  {"disposal": "转办", "handler_unit": FULIANG,
                   "proposal_reason": "建议转办，已补充理由。"}, "intake")
    page = signed_in(demo, "approver").get(f"/tasks/{_task(demo, 'approver', case, 'approve')}")
    form = page.text.split('name="approve_comment"')[1].split("</textarea>")[0]
    assert form.endswith(">"), form  # nothing in the comment box
    assert "理由不充分" not in form
    decision = page.text.split('name="approved"')[1].split("</select>")[0]
    assert " selected" not in decision, decision
    assert "理由不充分，请补充。" in page.text  # the last round is still shown with the case


def test_a_redone_proposal_corrects_the_registration(demo: Engine) -> None:
    """退回重拟 for a wrong registration: the redone 提出处置意见 offers the registration's
    facts at the case's values (the first proposal does not), the clerk corrects 被反映单位,
    and the approver reads in the history what it was before."""
    case = demo.start("clue_triage", dict(CLUE, summary="审批窗口多次退回材料。"), "intake").id
    clerk = signed_in(demo, "intake")
    first = clerk.get(f"/tasks/{_task(demo, 'intake', case, 'propose')}").text
    assert 'name="accused_unit"' not in first and 'name="summary"' not in first
    demo.complete(_task(demo, "intake", case, "propose"),
                  {"disposal": "转办", "handler_unit": FULIANG,
                   "proposal_reason": "建议转办。"}, "intake")
    demo.complete(_task(demo, "approver", case, "approve"),
                  {"approved": False, "approve_comment": "被反映单位登记有误。"}, "approver")
    redo = _task(demo, "intake", case, "propose")
    page = clerk.get(f"/tasks/{redo}").text
    assert re.search(r'name="accused_unit"[^>]*value="浮梁县某局"', page), page
    assert "审批窗口多次退回材料。</textarea>" in page
    form = {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "建议转办。",
            "accused_unit": "浮梁县自然资源局", "accused_person": "某科长",
            "problem_type": "推诿拖延刁难", "channel": "12345热线",
            "received_at": "2026-09-30T08:40", "summary": "审批窗口多次退回材料。"}
    done = clerk.post(f"/tasks/{redo}", data=form)
    assert done.status_code == 302, done.text
    assert demo.instance(case).data["accused_unit"] == "浮梁县自然资源局"
    history = signed_in(demo, "approver").get(
        f"/tasks/{_task(demo, 'approver', case, 'approve')}").text
    assert '浮梁县自然资源局<small class="was">原为：浮梁县某局</small>' in history
    assert '<p class="changed">改动：被反映单位</p>' in history
    # ... and at the top, beside the round before: what changed since
    box = history.split('id="previous-round"')[1].split("</div>")[0]
    assert ('<span class="label">被反映单位：</span>浮梁县自然资源局'
            '<small class="was">原为：浮梁县某局') in box
    assert history.count('class="was"') == 2  # what was left as it was is not recorded


def test_the_clerk_reads_why_the_proposal_came_back(demo: Engine) -> None:
    """退回重拟: the clerk's reopened 提出处置意见 says at its top who sent it back, when and
    what they said; only that task, and only until something else moves it."""
    assert isinstance(demo.clock, FixedClock)
    case = demo.start("clue_triage", dict(CLUE, summary="审批窗口多次退回材料。"), "intake").id
    first = _task(demo, "intake", case, "propose")
    assert 'id="decided-back"' not in signed_in(demo, "intake").get(f"/tasks/{first}").text
    demo.complete(first, {"disposal": "转办", "handler_unit": FULIANG,
                          "proposal_reason": "建议转办。"}, "intake")
    demo.clock.advance(timedelta(minutes=47))  # 2026-09-30 15:47 in Jingdezhen
    demo.complete(_task(demo, "approver", case, "approve"),
                  {"approved": False, "approve_comment": "理由不充分，请补充。"}, "approver")
    redo = _task(demo, "intake", case, "propose")
    clerk = signed_in(demo, "intake")
    page = clerk.get(f"/tasks/{redo}").text
    banner = page.split('id="decided-back"', 1)[1].split("</div>", 1)[0]
    assert page.index('id="decided-back"') < page.index('class="schema-form"')  # at the top
    assert "<strong>退回重新办理：</strong>审批处置意见" in banner
    assert '<span class="by">分管领导 王强（市纪委）</span>' in banner
    assert ">2026-09-30 15:47</time>" in banner
    assert '<span class="label">审批结果：</span>退回重拟' in banner
    assert '<span class="label">审批意见：</span>理由不充分，请补充。' in banner
    assert 'id="decided-back"' not in clerk.get(f"/tasks/{first}").text  # the old round's
    choose_language(clerk)
    assert "<strong>Sent back to be redone: </strong>" in clerk.get(f"/tasks/{redo}").text
    demo.complete(redo, {"disposal": "转办", "handler_unit": FULIANG,
                         "proposal_reason": "建议转办，已补充理由。"}, "intake")
    assert 'id="decided-back"' not in clerk.get(f"/tasks/{redo}").text  # done: no longer
    approve = _task(demo, "approver", case, "approve")  # it came round, but not sent back
    assert 'id="decided-back"' not in signed_in(demo, "approver").get(f"/tasks/{approve}").text
    demo.ops.send_back(approve, "approver", "请更正承办部门。")
    again = signed_in(demo, "intake").get(f"/tasks/{_task(demo, 'intake', case, 'propose')}")
    assert 'id="decided-back"' not in again.text and "请更正承办部门。" in again.text


def test_an_approver_sees_a_proposal_came_again_and_the_last_round(demo: Engine) -> None:
    """退回重拟, the clerk submits again: the approver's inbox row and task page say 重新提交
    (第 2 轮), and the page shows the round before: who decided, when, and what they said."""
    assert isinstance(demo.clock, FixedClock)
    case = demo.start("clue_triage", dict(CLUE, summary="审批窗口多次退回材料。"), "intake").id
    proposal = {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "建议转办。"}
    demo.complete(_task(demo, "intake", case, "propose"), proposal, "intake")
    approver = signed_in(demo, "approver")
    first = _task(demo, "approver", case, "approve")
    assert "重新提交" not in approver.get(f"/tasks/{first}").text
    demo.clock.advance(timedelta(minutes=47))  # 2026-09-30 15:47 in Jingdezhen
    demo.complete(first, {"approved": False, "approve_comment": "理由不充分，请补充。"},
                  "approver")
    demo.clock.advance(timedelta(minutes=30))
    demo.complete(_task(demo, "intake", case, "propose"), proposal, "intake")
    again = _task(demo, "approver", case, "approve")
    row = approver.get("/").text.split(f'data-task="{again}"')[1].split("</tr>")[0]
    assert '<span class="resubmitted"' in row and "重新提交（第 2 轮）" in row
    page = approver.get(f"/tasks/{again}").text
    assert '<span class="resubmitted" id="round">重新提交（第 2 轮）</span>' in page
    box = page.split('id="previous-round"', 1)[1].split("</div>", 1)[0]
    assert '<span class="by">分管领导 王强（市纪委）</span>' in box
    assert ">2026-09-30 15:47</time>" in box
    assert '<span class="label">审批结果：</span>退回重拟' in box
    assert '<span class="label">审批意见：</span>理由不充分，请补充。' in box
    assert "proposal_reason" not in box and "建议转办" not in box  # its decision only
    # the clerk's redone step says 退回 in the inbox, not a second mark
    clerk_row = signed_in(demo, "intake").get("/").text
    assert "重新提交" not in clerk_row
    choose_language(approver)
    assert "Resubmitted (round 2)" in approver.get(f"/tasks/{again}").text


def _task(engine: Engine, user: str, case: int, name: str) -> str:
    return next(t.id for t in engine.inbox.for_user(user)
                if t.instance_id == case and t.name == name)


def test_the_forms_clerks_fill_name_no_commands_or_data_keys() -> None:
    """A 县纪委 clerk reporting the monthly ledger was told to run ``kuaiban ledger clue
    --unit ...``; a hotline clerk to look up ``clue_case_no``."""
    keys = {k for bpmn in (ROOT / "processes").glob("*.bpmn")
            for k in re.findall(r'formKey="([^"]+)"', bpmn.read_text(encoding="utf-8"))}
    assert {"report_clue_ledger", "report_progress", "hotline_transfer_reply"} <= keys
    found = [(key, text) for key in sorted(keys)
             for text in _texts(json.loads((ROOT / "forms" / f"{key}.json").read_text("utf-8")))
             if re.search(r"\bkuaiban\b|--[a-z]|[a-z]+_[a-z_]+", text)]
    assert found == []


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("title", "description") and isinstance(v, str):
                yield v
            else:
                yield from _texts(v)
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v)


def test_the_actions_on_a_task_read_as_actions_in_english(demo: Engine) -> None:
    """退回 is an action on a task page and an event in a case's history: in English "Send
    back" and "Sent back" (it read "Release" in both)."""
    task = next(t for t in demo.inbox.for_user("handler_fl") if t.name == "outcome")
    handler = signed_in(demo, "handler_fl")
    choose_language(handler)
    page = handler.get(f"/tasks/{task.id}").text
    summaries = re.findall(r'<details id="op-[a-z-]+"><summary>([^<]+)</summary>', page)
    assert summaries[:3] == ["Send back", "Transfer", "Delegate"], summaries
    assert "Release" not in page
    with handler.application.test_request_context(), force_locale("en"):
        assert str(EVENT_LABELS["sent_back"]) == "Sent back"


def test_a_department_starts_batches_of_its_own_policies(demo: Engine) -> None:
    page = signed_in(demo, "policy_gx").get("/start/subsidy_automatic").text
    offered = re.findall(r'<option value="(MS-\d+)"', page)
    assert offered == ["MS-001"], offered  # not 金融办's MS-002 or 科技局's MS-003


def test_a_complaint_names_the_procedure_its_clue_went_to(demo: Engine) -> None:
    """The 12345 seat reads 受理流程 问题线索受理处置, not the engine's key clue_triage."""
    complaint = demo.start("hotline_complaint", COMPLAINT, "data_bureau").id
    classify = next(t.id for t in demo.inbox.for_user("data_bureau")
                    if t.instance_id == complaint and t.name == "classify")
    demo.complete(classify, {"category": "作风问题", "urgency": "一般", "involved_unit": "某局",
                             "classify_note": "反映公职人员吃拿卡要"}, "data_bureau")
    page = signed_in(demo, "data_bureau").get(f"/instances/{complaint}").text
    assert "<dt>受理流程</dt><dd>问题线索受理处置</dd>" in page
    assert "clue_triage" not in page


def test_a_file_field_says_its_kinds_and_count_once(demo: Engine) -> None:
    """The page's own hint names the kinds and the count; the description said it again."""
    for user, form, field in (("intake", "clue_triage", "evidence"),
                              ("enterprise", "subsidy_instant", "materials")):
        page = signed_in(demo, user).get(f"/start/{form}").text
        block = page.split(f'data-field="{field}"')[1].split('<div class="field')[0]
        assert block.count("Office 文档或压缩包") == 1, (form, block)


def test_the_yearly_campaign_starts_at_this_year(demo: Engine) -> None:
    """行动年度 须为今年: the page offers it instead of an empty box to type it in."""
    page = signed_in(demo, "reform_group").get("/start/legacy_campaign").text
    assert re.search(r'name="campaign_year"[^>]*value="2026"', page), page
    started = demo.start("legacy_campaign", {"campaign_year": 2026, "start_confirmed": True},
                         "reform_group")
    assert started.data["jurisdiction"] == "市营商环境指挥部"
    first = next(t for t in demo.inbox.for_user("reform_group")
                 if t.instance_id == started.id)
    # the crumb reads the campaign's 事由 beside its number (the year)
    page = signed_in(demo, "reform_group").get(f"/tasks/{first.id}").text
    assert "› 2026 · 2026年度新官不理旧账专项行动</nav>" in page


def test_the_countys_intake_and_approver_have_clues_of_their_own(demo: Engine) -> None:
    """浮梁县's clerk and leader open to their own county's clues, not to empty inboxes; the
    city's see only the city's."""
    county = {u: [t.name for t in demo.inbox.for_user(u)] for u in ("intake_fl", "approver_fl")}
    assert county == {"intake_fl": ["propose"], "approver_fl": ["approve"]}
    [approve] = demo.inbox.for_user("approver_fl")
    assert "浮梁县某镇政府" in signed_in(demo, "approver_fl").get(f"/tasks/{approve.id}").text
    city = {t.instance_id for u in ("intake", "approver") for t in demo.inbox.for_user(u)}
    assert approve.instance_id not in city


def test_the_task_page_counts_working_days_as_the_inbox_does(tmp_path: Path) -> None:
    """Monday after National Day: a clue left at intake since 30 September is 4 working days
    late (8, 9, 10 (调休) and 12 October), the handler's verification has days left; the task
    page says so beside its deadline, as the inbox row does."""
    engine, clock = demo_engine(tmp_path)
    clock.set(at("2026-10-12T09:20:00+08:00"))
    try:
        for user, name, said in (("intake", "propose", "已超期 4 个工作日"),
                                 ("handler_fl", "outcome", "剩余 6 个工作日")):
            task = next(t for t in engine.inbox.for_user(user) if t.name == name)
            web = signed_in(engine, user)
            assert said in web.get("/").text
            meta = web.get(f"/tasks/{task.id}").text.split('class="task-meta"')[1]
            assert f'<span class="countdown" id="countdown">{said}</span>' in meta
    finally:
        engine.close()


def test_a_complaint_sent_back_by_a_bad_rating_is_classified_from_the_last_round(
        demo: Engine) -> None:
    """差评 退回重办: 分级分类 opens on the last round's category, urgency and unit (only the
    rating's 差评核实 is asked afresh); 评价意见 shows its required star with the bad rating."""
    complaint = demo.start("hotline_complaint", COMPLAINT, "data_bureau").id

    def step(name: str) -> str:
        return next(t.id for t in demo.instance(complaint).tasks if t.name == name)

    demo.complete(step("classify"), {"category": "转办责任单位", "urgency": "紧急",
                                     "handling_unit": "浮梁县"}, "data_bureau")
    demo.complete(step("handle"), {"handling_result": "已办", "reply_method": "电话",
                                   "reply_content": "已答复", "resolved": True}, "system")
    seat = signed_in(demo, "data_bureau")
    rating = seat.get(f"/tasks/{step('revisit')}").text
    assert "不予重办" not in rating.split("案件信息")[-1].split("</section>")[0]
    assert re.search(r'data-field="rating_comment".{0,1500}?class="req when-shown"', rating, re.S)
    demo.complete(step("revisit"), {"rating": "不满意", "reopen": True,
                                    "rating_comment": "未解决"}, "data_bureau")
    page = seat.get(f"/tasks/{step('classify')}").text
    assert re.search(r'value="转办责任单位"[^>]*checked|'
                     r'<option[^>]*value="转办责任单位"[^>]*selected', page), page
    assert re.search(r'value="紧急"[^>]*(checked|selected)', page)
    assert re.search(r'name="handling_unit"[^>]*value="浮梁县"|value="浮梁县"[^>]*selected',
                     page), page
