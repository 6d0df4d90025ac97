"""The city leader's pages: the 领导工作台 signing in leads to (what awaits their approval,
the 提级核查 under way, the city's overdue counts), and the approval's task page showing the
clue the escalation names (web/ui/leader.py, web/ui/briefs.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_process_city_escalation import ESC, agree_to_escalate, case_with_open_follow_up
from tests.test_process_clue_triage import FULIANG, task
from tests.test_process_clue_triage import WORLD as CLUES
from web.app import create_app
from web.ui.auth import session_values

pytestmark = CLUES


@pytest.fixture
def clues(engine: Engine) -> Engine:
    return engine


def signed_in(engine: Engine, username: str) -> FlaskClient:
    client = create_app(engine, secret_key="leader", testing=True).test_client()
    with client.session_transaction() as session:
        session.update(session_values(engine.user(username)))
    return client


def section(page: str, element_id: str) -> str:
    found = page[page.index(f'id="{element_id}"'):]
    return found[:found.index("</section>")]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_approval_page_shows_the_clue_s_facts(clues: Engine, clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    agree_to_escalate(clues, case.business_key)
    approval = task(clues, "chu", "approve", process=ESC)
    page = signed_in(clues, "chu").get(f"/tasks/{approval.id}").text
    box = section(page, "case-ref-esc_case_no")
    assert f'<a href="/instances/{case.id}">{case.business_key}</a>' in box
    said = text(box)
    for fact in ("被反映单位 某县行政审批局", "被反映人及职务 张某(科长)",
                 "问题摘要 企业办理施工许可", f"承办部门 {FULIANG}",
                 "收到时间 2026-09-30 09:12", "发起时间 2026-09-30"):
        assert fact in said, fact
    # where it stands: its open steps, their unit and deadline in working days
    assert f"优先核查 · 承办部门（{FULIANG}） · 待认领" in said
    assert "期限：2026-10-21 17:30" in said and "剩余 4 个工作日" in said
    # the form to decide with is on the same page
    assert 'name="esc_approved"' in page


def test_the_investigator_sees_the_clue_s_facts(clues: Engine, clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    agree_to_escalate(clues, case.business_key)
    clues.complete(task(clues, "chu", "approve", process=ESC).id, {"esc_approved": True}, "chu")
    investigation = task(clues, "wei", "investigate", process=ESC)
    page = signed_in(clues, "wei").get(f"/tasks/{investigation.id}").text
    box = section(page, "case-ref-esc_case_no")
    assert f'<a href="/instances/{case.id}">{case.business_key}</a>' in box
    assert "某县行政审批局" in box and "您无权查看该案件的详情" not in box
    assert signed_in(clues, "wei").get(f"/instances/{case.id}").status_code == 200


def test_the_escalation_s_case_page_shows_the_clue(clues: Engine, clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    esc = agree_to_escalate(clues, case.business_key)
    page = signed_in(clues, "feng").get(f"/instances/{esc.id}").text
    assert "问题摘要" in section(page, "case-ref-esc_case_no")


def test_the_leader_lands_on_what_awaits_and_what_is_under_way(clues: Engine,
                                                              clock: FixedClock) -> None:
    case = case_with_open_follow_up(clues, clock)
    assert case.business_key is not None
    esc = agree_to_escalate(clues, case.business_key)
    approval = task(clues, "chu", "approve", process=ESC)
    clock.advance(timedelta(days=4))  # Thu 10-15 to Mon 10-19: two working days
    client = signed_in(clues, "chu")
    assert client.get("/").status_code == 200  # the inbox is still there
    page = client.get("/leader/").text
    awaiting = section(page, "awaiting")
    assert f'href="/tasks/{approval.id}"' in awaiting
    assert "审批提级核查" in awaiting and "已等待 2 个工作日" in awaiting
    overseen = text(section(page, "overseen"))
    assert case.business_key in overseen and "审批提级核查 · 市纪委市监委领导" in overseen
    assert "共 1 件 · 审批提级核查 1" in overseen
    assert f'href="/instances/{esc.id}"' in section(page, "overseen")
    board = section(page, "leader-board")
    assert re.search(r'id="board-open">[1-9]', board) and 'href="/board/"' in board
    assert 'id="nav-leader"' in page


def test_signing_in_leads_the_leader_to_the_page(clues: Engine) -> None:
    clues.accounts.set_password("chu", "Leader-2026-pass!")
    app = create_app(clues, secret_key="leader", testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    landed = client.post("/login", data={"username": "chu", "password": "Leader-2026-pass!"})
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/leader/")


@pytest.mark.parametrize("username", ["feng", "zhao", "sun", "wei"])
def test_only_the_leader_has_the_page(clues: Engine, username: str) -> None:
    page = signed_in(clues, username).get("/leader/")
    assert page.status_code == 403
    assert 'id="nav-leader"' not in signed_in(clues, username).get("/").text


def test_signed_out_the_page_asks_to_sign_in(clues: Engine) -> None:
    client = create_app(clues, secret_key="leader", testing=True).test_client()
    assert client.get("/leader/").status_code == 302
