"""The audit pages replay a case and export its offline bundle (what ``kuaiban replay`` and
``kuaiban export`` do), with the verdict in Chinese; the event log reads in Chinese with the
fields' titles, never ``\\u`` escapes; histories name people by display name and username."""

from __future__ import annotations

import json
import re
import uuid

from flask import Flask
from sqlalchemy import update

from engine.api import Engine
from engine.audit.bundle import replay_bundle
from engine.storage.schema import Event, ProcessInstance
from tests.test_ui_support import as_user, choose_language, make_app, start_case, task_of

pytest_plugins = ["tests.test_ui_support"]  # eng, app


def a_case(eng: Engine) -> int:
    eng.add_user("li", ["intake"], display_name="受理员 李明")
    case = start_case(eng, summary="拖延办理营业执照")
    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    return case


def _tamper_state(eng: Engine, case: int) -> None:
    with eng.transaction() as session:  # what tampering with the database would do
        row = session.get(ProcessInstance, case)
        assert row is not None
        state = json.loads(row.state)
        state["data"] = {**state.get("data", {}), "summary": "改过的摘要"}
        session.execute(update(ProcessInstance).where(ProcessInstance.id == case)
                        .values(state=json.dumps(state)))


def test_an_auditor_replays_a_case_from_its_page(app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    auditor = as_user(app, "audit")
    page = auditor.get(f"/audit/instances/{case}")
    assert f'href="/audit/instances/{case}/replay#replay"' in page.text
    assert f'href="/audit/instances/{case}/bundle"' in page.text and 'id="verdict"' not in page.text
    done = auditor.get(f"/audit/instances/{case}/replay")
    assert done.status_code == 200 and 'class="flash success" id="verdict"' in done.text
    events = len(eng.history(case, "audit"))
    assert f"重放一致：{events} 个事件逐一重放，每一步的状态都与记录一致。" in done.text


def test_a_case_whose_stored_state_was_changed_fails_replay_in_chinese(
        app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    _tamper_state(eng, case)
    done = as_user(app, "audit").get(f"/audit/instances/{case}/replay")
    assert 'class="flash error" id="verdict"' in done.text
    assert "重放不一致" in done.text and "保存的案件状态与重放结果不同" in done.text
    assert "differs" not in done.text


def test_an_auditor_downloads_the_offline_bundle(app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    answer = as_user(app, "audit").get(f"/audit/instances/{case}/bundle")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert "bundle-TS-2026-000001.json" in answer.headers["Content-Disposition"]
    data = json.loads(answer.data)
    assert "拖延办理营业执照" in answer.data.decode("utf-8")  # as text, not escaped
    result = replay_bundle(data)
    assert result.ok and result.events == len(eng.history(case, "audit"))


def test_only_auditors_replay_or_export(eng: Engine) -> None:
    case = a_case(eng)
    app = make_app(eng)
    for who in ("li", "sun", "design"):
        client = as_user(app, who)
        assert client.get(f"/audit/instances/{case}/bundle").status_code == 403
        assert client.get(f"/audit/instances/{case}/replay").status_code == 403


def test_the_event_log_reads_in_chinese_with_titles_and_names(app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    page = as_user(app, "audit").get(f"/audit/instances/{case}").text
    assert "\\u" not in page
    assert "拖延办理营业执照" in page
    assert re.search(r"<dt>处置意见</dt><dd>转办</dd>", page)
    # the auditor reads the record signed by username: beside the name, small
    assert '受理员 李明 <small class="username">li</small>' in page
    case_page = as_user(app, "sun").get(f"/instances/{case}").text
    assert '<span class="by">受理员 李明</span>' in case_page  # staff: by name, no username
    assert "提出处置意见 · 已办结 · 受理员 李明 ·" in case_page  # the tasks done
    assert "（li）" not in case_page


def test_a_broken_chain_is_named_in_the_readers_language(app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    _tamper_state(eng, case)
    chinese = as_user(app, "audit").get(f"/audit/instances/{case}")
    assert "哈希链断裂：" in chinese.text
    assert f"案件 {case}：保存的案件状态与最后一个事件的摘要不符" in chinese.text
    english = as_user(app, "audit")
    choose_language(english)
    page = english.get(f"/audit/instances/{case}/replay").text
    assert f"instance {case}: instance: stored state does not match the last event" in page
    assert "保存的案件状态" not in page and "重放" not in page


def test_an_event_that_cannot_be_replayed_is_explained_in_either_language(
        app: Flask, eng: Engine) -> None:
    case = a_case(eng)
    with eng.transaction() as session:
        session.execute(update(Event).where(Event.instance_id == case, Event.seq == 2)
                        .values(payload={"task_id": str(uuid.UUID(int=0)), "data": {}}))
    chinese = as_user(app, "audit").get(f"/audit/instances/{case}/replay").text
    assert "重放失败：第 2 个事件（办理）无法重放（脚本或表达式执行出错：A task with id" in chinese
    english = as_user(app, "audit")
    choose_language(english)
    page = english.get(f"/audit/instances/{case}/replay").text
    assert "could not be replayed (A task with id" in page and "脚本" not in page
