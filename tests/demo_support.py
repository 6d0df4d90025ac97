"""A demo database for the UI crawl: the shipped procedures, the demo users of web/demo.py and a
few cases in different states (the city's clues waiting, one transferred and verified; two of
浮梁县's own, at its approver and at its intake; 即申即享 and 承诺兑现
applications, one paid with its payout notice issued). Made once per run (hashing the demo
passwords is slow on purpose) and copied for each test."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.process_helpers import FORMS, PROCESSES, at
from tests.test_ui_support import make_app
from web.demo import DEMO_PASSWORD, create_demo_users

FULIANG = "浮梁县纪委监委"
CLUE = {"channel": "12345热线", "received_at": "2026-09-30T08:40:00+08:00",
        "accused_unit": "浮梁县某局", "accused_person": "某科长", "problem_type": "推诿拖延刁难",
        "summary": "企业办理施工许可，窗口以材料不全为由三次退回，未一次性告知。",
        "owner": "intake"}
APPLICATION = {
    "channel": "一网", "enterprise_name": "景德镇某瓷业有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "王经理",
    "contact_phone": "0798-8888888", "bank_account": "中国银行景德镇分行 1234567890",
    "requested_amount": 36000, "application_summary": "2026年投保出口信用保险，实缴保费12万元"}
COMMITMENT = {
    "project_name": "年产500万件日用陶瓷智能化改造项目", "commitment_accepted": True,
    "commitment_signer": "张三（法定代表人）", "commitment_signed_on": "2026-09-30"}


def demo_clock() -> FixedClock:
    return FixedClock(at("2026-09-30T09:00:00+08:00"))


def _task(engine: Engine, user: str, name: str) -> str:
    return next(t.id for t in engine.inbox.for_user(user) if t.name == name)


def _do(engine: Engine, user: str, name: str, data: dict[str, Any]) -> None:
    engine.complete(_task(engine, user, name), data, user)


def _clues(engine: Engine, clock: FixedClock) -> None:
    engine.start("clue_triage", CLUE, "intake")
    _do(engine, "intake", "propose", {"disposal": "转办", "handler_unit": FULIANG,
                                      "proposal_reason": "属推诿拖延问题，转承办部门核查。"})
    _do(engine, "approver", "approve", {"approved": True, "approve_comment": "同意，优先核查。"})
    _do(engine, "intake", "transfer", {"transfer_note": "请优先核查"})
    _do(engine, "handler_fl", "verify", {
        "verify_result": "属实", "verify_facts": "经核查，反映问题基本属实。",
        "measures": "责令限期办结", "fault_tolerance_claimed": False})
    clock.advance(timedelta(hours=2))
    engine.start("clue_triage", dict(CLUE, channel="举报直通车", problem_type="吃拿卡要",
                                     summary="反映审批人员索要好处费。"), "intake")
    clock.advance(timedelta(hours=1))
    engine.start("clue_triage", dict(CLUE, channel="来信来访", problem_type="新官不理旧账",
                                     summary="招商引资奖励政策迟迟不兑现。"), "intake")
    # the county's own clues, registered by its intake: one proposed and waiting for the
    # county's approver, one waiting for its intake to propose a disposal
    clock.advance(timedelta(minutes=20))
    engine.start("clue_triage", dict(CLUE, channel="12345热线", accused_unit="浮梁县某镇政府",
                                     problem_type="吃拿卡要", owner="intake_fl",
                                     summary="反映镇村干部办理宅基地审批时索要好处。"),
                 "intake_fl")
    _do(engine, "intake_fl", "propose", {"disposal": "直接核查", "handler_unit": FULIANG,
                                         "proposal_reason": "问题具体，由本委直接核查。"})
    clock.advance(timedelta(minutes=20))
    engine.start("clue_triage", dict(CLUE, channel="来信来访", accused_unit="浮梁县某局",
                                     problem_type="推诿拖延刁难", owner="intake_fl",
                                     summary="企业反映项目竣工验收一拖再拖。"), "intake_fl")


def _subsidies(engine: Engine, clock: FixedClock) -> None:
    engine.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002"}, "enterprise")
    _do(engine, "policy_sw", "approve", {"decision": "approve", "approved_amount": 36000})
    _do(engine, "policy_sw", "pay", {"paid_amount": 36000, "paid_on": "2026-09-30",
                                     "payment_voucher": "SW-2026-0042", "notice_channel": "短信"})
    engine.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002",
                                     "requested_amount": 480000}, "enterprise")
    engine.start("subsidy_commitment", {**APPLICATION, **COMMITMENT, "policy_id": "CN-001",
                                        "requested_amount": 800000}, "enterprise")
    clock.advance(timedelta(hours=1))


def build(path: Path) -> None:
    clock = demo_clock()
    engine = Engine(f"sqlite:///{path}", clock=clock)
    try:
        create_demo_users(engine)
        engine.deploy_directory(PROCESSES, FORMS)
        _clues(engine, clock)
        _subsidies(engine, clock)
    finally:
        engine.close()


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kuaiban-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "demo.db"
    build(path)
    return path


@functools.cache
def _shipped_template() -> Path:
    """The demo users and the shipped procedures, no cases: made once per run."""
    folder = Path(tempfile.mkdtemp(prefix="kuaiban-shipped-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "shipped.db"
    engine = Engine(f"sqlite:///{path}", clock=FixedClock(at(SHIPPED_AT)))
    try:
        create_demo_users(engine)
        engine.deploy_directory(PROCESSES, FORMS)
    finally:
        engine.close()
    return path


SHIPPED_AT = "2026-09-30T10:00:00+08:00"  # when the shipped procedures were deployed


def shipped_engine(tmp_path: Path, clock: FixedClock) -> Engine:
    """A fresh database with the demo users and the shipped procedures (no cases)."""
    path = tmp_path / "shipped.db"
    shutil.copyfile(_shipped_template(), path)
    return Engine(f"sqlite:///{path}", clock=clock)


def demo_engine(tmp_path: Path) -> tuple[Engine, FixedClock]:
    """A fresh copy of the demo database with its clock at the time the cases left it."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_template(), path)
    clock = FixedClock(at("2026-09-30T15:00:00+08:00"))
    return Engine(f"sqlite:///{path}", clock=clock), clock


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Engine]:
    """The demo's engine: every demo user, the shipped procedures and the demo cases."""
    engine, _ = demo_engine(tmp_path)
    yield engine
    engine.close()


def signed_in(engine: Engine, username: str) -> FlaskClient:
    """A browser of the web app signed in as a demo user."""
    web = make_app(engine).test_client()
    web.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    return web
