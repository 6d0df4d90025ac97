"""The everyday operations in the pages (Flask's test client): send back with its reason on
the receiver's task, transfer, delegate, co-sign, urge, withdraw, copy with its read mark,
comments and terminate; refusals said in a message, roles that may not get 403."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from markupsafe import escape

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_ui_support import (
    FULIANG,
    LEPING,
    as_user,
    choose_language,
    start_case,
    task_of,
    transfer,
)

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app
ROOT = Path(__file__).resolve().parent.parent


def test_send_back_shows_the_reason_to_the_receiver(app: Flask, eng: Engine) -> None:
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    wang = as_user(app, "wang")
    page = wang.get(f"/tasks/{approve}")
    assert 'id="op-send-back"' in page.text and '<option value="propose">' in page.text
    done = wang.post(f"/tasks/{approve}/send-back", data={"to": "propose",
                                                          "reason": "处置理由不充分"},
                     follow_redirects=True)
    assert "已退回" in done.text
    propose = task_of(eng, "li", "propose")
    page = as_user(app, "li").get(f"/tasks/{propose}")
    assert 'id="sent-back-reason"' in page.text and "处置理由不充分" in page.text
    assert 'id="no-send-back"' in page.text  # the first step has nowhere to go back to
    # ... which its closed 退回 already says, before it is opened
    assert '<summary class="unavailable">退回<small>（此环节不可用）</small></summary>' in page.text
    empty = as_user(app, "li").post(f"/tasks/{propose}/send-back", data={"reason": "x"},
                                    follow_redirects=True)
    assert "没有可退回的上一环节" in empty.text
    case_page = as_user(app, "li").get(f"/instances/{eng.inbox.task(propose, 'li').instance_id}")
    assert "退回到" in case_page.text and "处置理由不充分" in case_page.text


def test_send_back_banner_names_the_sender_in_the_page_language(app: Flask,
                                                                 eng: Engine) -> None:
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.add_user("wangq", ["approver"], password="pw-ui-test", display_name="王强")
    eng.ops.send_back(task_of(eng, "wangq", "approve"), "wangq", "处置理由不充分")
    li = as_user(app, "li")
    propose = task_of(eng, "li", "propose")
    banner = li.get(f"/tasks/{propose}").text.split('id="sent-back-reason"')[1][:300]
    assert "<strong>退回原因（王强）：</strong>处置理由不充分" in banner
    assert "wangq" not in banner
    choose_language(li)
    banner = li.get(f"/tasks/{propose}").text.split('id="sent-back-reason"')[1][:300]
    assert "<strong>Sent back by 王强: </strong>处置理由不充分" in banner
    assert "（" not in banner and "：" not in banner


def test_a_refusal_on_the_page_names_people_as_staff_know_them(app: Flask,
                                                               eng: Engine) -> None:
    """Whoever holds the task, and whoever may not take it, by name and unit, never by the
    username they sign in with."""
    transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    eng.add_user("zhao2", ["handler"], unit=FULIANG, password="pw-ui-test", display_name="赵敏")
    eng.add_user("li", ["intake"], unit=FULIANG, password="pw-ui-test", display_name="李娜")
    zhao = as_user(app, "zhao")
    lacks = zhao.post(f"/tasks/{handle}/transfer", data={"to": "li", "reason": "x"},
                      follow_redirects=True).text
    assert "李娜（浮梁县纪委监委） 没有此任务的角色" in lacks
    eng.ops.transfer(handle, "zhao", "出差", to_user="zhao2")
    held = zhao.post(f"/tasks/{handle}/claim", follow_redirects=True).text
    assert "任务已由 赵敏（浮梁县纪委监委） 认领" in held
    assert "zhao2" not in held.split('class="flash')[1][:300]


def test_done_page_lists_a_send_back_with_what_was_done(app: Flask, eng: Engine) -> None:
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    wang = as_user(app, "wang")
    wang.post(f"/tasks/{approve}/send-back", data={"to": "propose", "reason": "处置理由不充分"})
    page = wang.get("/done").text
    assert f'data-task="{approve}" data-action="sent_back"' in page
    assert '<td data-label="我的操作" class="action">退回</td>' in page


def test_transfer_delegate_co_sign_and_urge(app: Flask, eng: Engine) -> None:
    transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    eng.add_user("zhao2", ["handler"], unit=FULIANG, password="pw-ui-test")
    zhao = as_user(app, "zhao")
    assert "取消认领" not in zhao.get(f"/tasks/{handle}").text  # unclaimed
    refused = zhao.post(f"/tasks/{handle}/transfer", data={"to": "li", "reason": "x"},
                        follow_redirects=True)
    assert "没有此任务的角色" in refused.text
    zhao.post(f"/tasks/{handle}/transfer", data={"to": "zhao2", "reason": "出差"})
    assert eng.inbox.task(handle, "zhao2").assignee == "zhao2"
    zhao2 = as_user(app, "zhao2")
    zhao2.post(f"/tasks/{handle}/delegate", data={"to": "zhao", "reason": "请协助"})
    page = as_user(app, "zhao").get(f"/tasks/{handle}")
    assert 'id="handed"' in page.text
    assert as_user(app, "li").post(f"/tasks/{handle}/urge").status_code == 403  # not a supervisor
    assert as_user(app, "wang").post(f"/tasks/{handle}/urge",
                                     data={"note": "请抓紧"}).status_code == 302
    assert "已被催办 1 次" in as_user(app, "zhao").get(f"/tasks/{handle}").text


def test_urge_is_offered_on_others_tasks_not_on_ones_own(app: Flask, eng: Engine) -> None:
    """催办 presses whoever holds a task: not the leader whose own approval it is, but a
    colleague of the role while the leader holds it."""
    start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    assert 'id="op-urge"' not in as_user(app, "wang").get(f"/tasks/{approve}").text
    eng.add_user("wang2", ["approver"], password="pw-ui-test")
    eng.claim(approve, "wang")
    assert 'id="op-urge"' not in as_user(app, "wang").get(f"/tasks/{approve}").text
    assert 'id="op-urge"' in as_user(app, "wang2").get(f"/tasks/{approve}").text


def test_case_page_offers_urge_beside_others_tasks_not_ones_own(app: Flask,
                                                                 eng: Engine) -> None:
    instance_id = start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    approve = task_of(eng, "wang", "approve")
    assert f'id="urge-{approve}"' not in as_user(app, "wang").get(f"/instances/{instance_id}").text
    eng.add_user("wang2", ["approver"], password="pw-ui-test")
    eng.claim(approve, "wang")
    assert f'id="urge-{approve}"' not in as_user(app, "wang").get(f"/instances/{instance_id}").text
    assert f'id="urge-{approve}"' in as_user(app, "wang2").get(f"/instances/{instance_id}").text
    assert f'id="urge-{approve}"' in as_user(app, "sun").get(f"/instances/{instance_id}").text


def test_the_board_list_urges_and_comes_back(app: Flask, eng: Engine,
                                            ui_clock: FixedClock) -> None:
    """A supervisor urges from the board's list of overdue tasks, not from each case; the
    holder sees 已催办 in the inbox and, on the task, who urged, when and what they said."""
    transfer(eng, FULIANG)
    ui_clock.advance(timedelta(days=9))  # the handle task is overdue
    handle = task_of(eng, "zhao", "handle")
    listing = f"/board/tasks?unit={quote(FULIANG)}&process=approval&when=overdue"
    sun = as_user(app, "sun")
    page = sun.get(listing).text
    assert f'id="urge-{handle}"' in page
    form = page.split(f'id="urge-{handle}"', 1)[1].split("</form>", 1)[0]
    assert f'name="next" value="{escape(listing)}"' in form
    assert "已催办" not in page.split("<tbody>", 1)[1]
    urged = sun.post(f"/tasks/{handle}/urge", data={"note": "今日内办结", "next": listing})
    assert urged.status_code == 302 and urged.location == listing  # back to the list
    assert "已催办 1 次" in sun.get(listing).text
    # a foreign address to go back to is not followed
    assert sun.post(f"/tasks/{handle}/urge", data={"next": "//evil.example/"}) \
        .location == f"/tasks/{handle}"
    # not beside one's own task: zhao may not urge, and is not offered to
    assert f'id="urge-{handle}"' not in as_user(app, "zhao").get(listing).text
    eng.add_user("zhao_lead", ["handler", "approver"], unit=FULIANG, password="pw-ui-test")
    assert f'id="urge-{handle}"' not in as_user(app, "zhao_lead").get(listing).text

    inbox = as_user(app, "zhao").get("/").text
    row = inbox.split(f'data-task="{handle}"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="urged-tag"' in row and "已催办 2 次" in row
    task = as_user(app, "zhao").get(f"/tasks/{handle}").text
    notice = task.split('id="urged"', 1)[1].split("</div>", 1)[0]
    who = eng.shown_names(["sun"]).get("sun") or "sun"
    assert "已被催办 2 次" in notice and f'<span class="by">{who}</span>' in notice
    # the latest urge (which said nothing), not the first one's note
    assert "今日内办结" not in notice and "2026-10-09 16:00" in notice
    sun.post(f"/tasks/{handle}/urge", data={"note": "请说明超期原因"})
    notice = as_user(app, "zhao").get(f"/tasks/{handle}").text.split('id="urged"', 1)[1] \
        .split("</div>", 1)[0]
    assert "催办说明：</span>请说明超期原因" in notice


def test_case_page_copy_read_comment_withdraw_and_terminate(app: Flask, eng: Engine) -> None:
    instance_id = start_case(eng)
    propose = task_of(eng, "li", "propose")
    eng.complete(propose, {"proposal": "转办"}, "li")
    li = as_user(app, "li")
    page = li.get(f"/instances/{instance_id}")
    assert 'class="inline withdraw"' in page.text and 'id="op-terminate"' not in page.text
    li.post(f"/tasks/{propose}/withdraw", data={"instance_id": str(instance_id)})
    assert task_of(eng, "li", "propose") != propose
    li.post(f"/instances/{instance_id}/cc", data={"to": "zhao"})
    zhao = as_user(app, "zhao")
    assert "未阅" in zhao.get("/copies").text
    assert 'id="op-read"' in zhao.get(f"/instances/{instance_id}").text
    zhao.post(f"/instances/{instance_id}/read")
    assert "未阅" not in zhao.get("/copies").text
    zhao.post(f"/instances/{instance_id}/comments", data={"text": "建议补充证据"})
    assert "建议补充证据" in li.get(f"/instances/{instance_id}").text
    assert li.post(f"/instances/{instance_id}/terminate",
                   data={"reason": "x"}).status_code == 403
    sun = as_user(app, "sun")
    assert 'id="op-terminate"' in sun.get(f"/instances/{instance_id}").text
    sun.post(f"/instances/{instance_id}/terminate", data={"reason": "重复登记"})
    assert eng.instance(instance_id).status == "cancelled"
    # the case reads as terminated, as the message said, not as a cancelled task does
    status = re.search(r'id="status">([^<]*)<', sun.get(f"/instances/{instance_id}").text)
    assert status and status.group(1) == "已终止"


def test_an_auditor_reads_a_case_without_case_operations(app: Flask, eng: Engine) -> None:
    """An auditor's case page offers no 意见 or 抄送 (nor an empty 案件操作 box), and a
    posted comment or copy is refused with a message, leaving the case as it was."""
    instance_id = start_case(eng)
    audit = as_user(app, "audit")
    page = audit.get(f"/instances/{instance_id}")
    assert page.status_code == 200 and "案件操作" not in page.text
    assert 'id="op-comment"' not in page.text and 'id="op-cc"' not in page.text
    refused = audit.post(f"/instances/{instance_id}/comments", data={"text": "看过"},
                         follow_redirects=True)
    assert "只查阅案件" in refused.text
    audit.post(f"/instances/{instance_id}/cc", data={"to": "zhao"})
    assert [e.type for e in eng.history(instance_id)].count("commented") == 0
    assert eng.ops.copies("zhao") == []
    sun = as_user(app, "sun").get(f"/instances/{instance_id}").text
    assert 'id="op-comment"' in sun and 'id="op-cc"' in sun


def test_the_delegates_entries_come_back_to_confirm(app: Flask, eng: Engine) -> None:
    start_case(eng)
    propose = task_of(eng, "li", "propose")
    eng.add_user("li2", ["intake"], password="pw-ui-test")
    as_user(app, "li").post(f"/tasks/{propose}/delegate", data={"to": "li2"})
    eng.complete(propose, {"proposal": "予以了结"}, "li2")  # the delegate's part
    page = as_user(app, "li").get(f"/tasks/{propose}")
    assert '<option value="予以了结" selected' in page.text


def test_withdraw_is_offered_only_while_the_engine_allows_it_and_asks_first(
        app: Flask, eng: Engine) -> None:
    instance_id = start_case(eng)
    propose = task_of(eng, "li", "propose")
    eng.complete(propose, {"proposal": "转办"}, "li")
    li = as_user(app, "li")
    assert eng.ops.withdrawable(instance_id, "li") == {propose}
    form = li.get(f"/instances/{instance_id}").text.split('class="inline withdraw"')[1]
    assert form.split(">")[0].strip().startswith("data-confirm=")
    approve = task_of(eng, "wang", "approve")
    eng.complete(approve, {"approved": True}, "wang")  # the step after li's is done
    assert eng.ops.withdrawable(instance_id, "li") == frozenset()
    assert 'class="inline withdraw"' not in li.get(f"/instances/{instance_id}").text
    assert eng.ops.withdrawable(instance_id, "wang") == {approve}  # handle is untouched


def test_handing_on_and_copying_pick_people_by_name(app: Flask, eng: Engine) -> None:
    """转办, 委派 and 加签 offer the task's role in the user's unit, by name and unit (never
    by username); 抄送 offers those who could take part in the case. A name typed past the
    list is still checked; the name picked is taken for the person."""
    transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    eng.add_user("zhao2", ["handler"], unit=FULIANG, display_name="承办 赵二")
    offered = {p.username for p in eng.ops.handover_people(handle, "zhao")}
    assert offered == {"zhao2"}  # not qian (乐平), not zhao itself, not other roles
    page = as_user(app, "zhao").get(f"/tasks/{handle}").text
    picked = f"承办 赵二（{FULIANG}）"
    assert f'<datalist id="handover-people"><option value="{picked}"></option>' in page
    assert page.count('list="handover-people"') == 3  # 转办, 委派, 加签
    assert "zhao2" not in page and "（用户名）" not in page
    refused = as_user(app, "zhao").post(f"/tasks/{handle}/transfer",
                                        data={"to": "li", "reason": "x"}, follow_redirects=True)
    assert "没有此任务的角色" in refused.text
    case_page = as_user(app, "li").get(f"/instances/{eng.inbox.task(handle, 'zhao').instance_id}")
    copies = case_page.text.split('<datalist id="copy-people">')[1].split("</datalist>")[0]
    assert f'value="{picked}"' in copies and 'value="li"' not in copies
    assert 'list="copy-people"' in case_page.text
    as_user(app, "zhao").post(f"/tasks/{handle}/transfer", data={"to": picked, "reason": "出差"})
    assert eng.inbox.task(handle, "zhao2").assignee == "zhao2"


def test_a_refused_transfer_comes_back_to_the_task_as_typed(app: Flask, eng: Engine) -> None:
    """Refused (a colleague without the task's role), the user stays on the task: the
    transfer form open, the name and reason as typed, once; alone in the unit, the form says
    whom it can go to."""
    transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    zhao = as_user(app, "zhao")
    alone = zhao.get(f"/tasks/{handle}").text
    assert 'id="no-handover-people"' in alone  # nobody else handles in 浮梁
    refused = zhao.post(f"/tasks/{handle}/transfer",
                        data={"to": "li", "reason": "本人出差一周，请转他人办理"})
    assert refused.location == f"/tasks/{handle}#op-transfer"
    page = zhao.get(refused.location).text
    kept = page.split('id="op-transfer"', 1)[1].split("</details>", 1)[0]
    assert "没有此任务的角色" in kept  # said in the form the page opens at
    assert '<details id="op-transfer" open>' in page
    assert 'value="li"' in page.split('id="op-transfer"', 1)[1].split("</details>", 1)[0]
    assert ">本人出差一周，请转他人办理</textarea>" in page
    again = zhao.get(f"/tasks/{handle}").text  # kept for that one page
    assert '<details id="op-transfer" open>' not in again
    assert "本人出差一周" not in again
    assert eng.inbox.task(handle, "zhao").assignee is None  # nothing happened


def test_copies_name_who_copied_by_display_name(app: Flask, eng: Engine) -> None:
    instance_id = start_case(eng)
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    eng.add_user("boss", ["approver"], password="pw-ui-test", display_name="分管领导 王强",
                 unit=FULIANG)
    copied = as_user(app, "boss").post(f"/instances/{instance_id}/cc", data={"to": "zhao"},
                                       follow_redirects=True)
    assert "已抄送" in copied.text
    page = as_user(app, "zhao").get("/copies").text
    assert f'<td data-label="抄送人">分管领导 王强（{FULIANG}）</td>' in page


def test_transfer_and_copy_pick_units_from_the_directory(app: Flask, eng: Engine) -> None:
    """The unit of 转办 and 抄送 is picked from the directory like a form's unit field; a name
    the directory lacks gets its 'did you mean'."""
    transfer(eng, FULIANG)
    handle = task_of(eng, "zhao", "handle")
    eng.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    zhao = as_user(app, "zhao")
    page = zhao.get(f"/tasks/{handle}").text
    units = page.split('<datalist id="handover-units">')[1].split("</datalist>")[0]
    assert f'<option value="{FULIANG}">' in units  # the county's own: never 乐平's
    assert LEPING not in units and 'value="市财政局"' not in units
    assert '<input name="to_unit" maxlength="128" list="handover-units"' in page
    refused = zhao.post(f"/tasks/{handle}/transfer", data={"to_unit": "乐平纪检",
                                                           "reason": "属地"},
                        follow_redirects=True)
    assert "单位名录中没有“乐平纪检”，您是否要找" in refused.text
    assert "没有此任务角色的用户" not in refused.text
    case_page = as_user(app, "li").get(f"/instances/{eng.inbox.task(handle, 'zhao').instance_id}")
    copies = case_page.text.split('<datalist id="copy-units">')[1].split("</datalist>")[0]
    assert f'<option value="{FULIANG}">' in copies
    assert 'list="copy-units"' in case_page.text


def test_the_inbox_marks_a_task_sent_back_with_who_and_when(app: Flask, eng: Engine) -> None:
    start_case(eng)
    start_case(eng)
    fresh, first = sorted(t.id for t in eng.inbox.for_user("li") if t.name == "propose")
    eng.complete(first, {"proposal": "转办"}, "li")
    eng.ops.send_back(task_of(eng, "wang", "approve"), "wang", "处置理由不充分")
    [again] = [t for t in eng.inbox.for_user("li") if t.name == "propose" and t.id != fresh]
    page = as_user(app, "li").get("/").text
    row = page.split(f'data-task="{again.id}"')[1].split("</tr>")[0]
    assert '<span class="returned" title="wang 于 ' in row and ' 退回">退回</span>' in row
    assert 'class="returned"' not in page.split(f'data-task="{fresh}"')[1].split("</tr>")[0]
