"""The case subject (事由) on pages and in the API, over the demo's cases: under each case
number in the inbox, the done list and 我的申请, beside 事由 on the task and case pages, and
as ``subject`` in the API's task list and the schema that documents it."""

from __future__ import annotations

import re
from pathlib import Path

from engine.api import Engine
from tests.demo_support import demo_engine, signed_in
from web.demo import DEMO_PASSWORD


def subjects(html: str) -> list[str]:
    return re.findall(r'<div class="subject" title="[^"]*">([^<]*)</div>', html)


def test_the_inbox_lists_each_case_with_its_subject(tmp_path: Path) -> None:
    engine, _ = demo_engine(tmp_path)
    inbox = signed_in(engine, "intake").get("/").get_data(as_text=True)
    # two clues at the same step, told apart by what they are about
    assert subjects(inbox) == ["浮梁县某局：吃拿卡要", "浮梁县某局：新官不理旧账"]
    task = engine.inbox.page("intake").tasks[0]
    page = signed_in(engine, "intake").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'id="case-subject">事由：浮梁县某局：吃拿卡要</p>', page)
    case = signed_in(engine, "intake").get(f"/instances/{task.instance_id}")
    assert "事由：浮梁县某局：吃拿卡要" in case.get_data(as_text=True)
    engine.close()


def test_done_and_applications_show_subjects(tmp_path: Path) -> None:
    engine, _ = demo_engine(tmp_path)
    done = subjects(signed_in(engine, "approver").get("/done").get_data(as_text=True))
    assert done == ["浮梁县某局：推诿拖延刁难"]
    mine = subjects(signed_in(engine, "enterprise").get("/applications").get_data(as_text=True))
    assert mine == ["景德镇某瓷业有限公司：工业企业技术改造项目补助",
                    "景德镇某瓷业有限公司：出口信用保险保费补贴",
                    "景德镇某瓷业有限公司：出口信用保险保费补贴"]
    engine.close()


def test_the_api_returns_and_documents_the_subject(tmp_path: Path) -> None:
    engine: Engine
    engine, _ = demo_engine(tmp_path)
    client = signed_in(engine, "intake")
    token = client.post("/api/v1/auth/token", json={"username": "intake",
                                                    "password": DEMO_PASSWORD}).get_json()
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token['token']}"}
                       ).get_json()["tasks"]
    assert [t["subject"] for t in tasks] == ["浮梁县某局：吃拿卡要", "浮梁县某局：新官不理旧账"]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("Task", "Instance", "CaseState", "SearchHit"):
        assert "subject" in schema[name]["properties"], name
    engine.close()


def test_the_notices_name_what_each_case_is_about(tmp_path: Path) -> None:
    engine, _ = demo_engine(tmp_path)
    page = signed_in(engine, "intake").get("/notifications").get_data(as_text=True)
    shown = re.findall(r'<span class="subject notice-subject" title="[^"]*">([^<]*)</span>', page)
    # of the tasks others' commands brought (not of the cases intake registered itself)
    assert "浮梁县某局：推诿拖延刁难" in shown
    engine.close()

