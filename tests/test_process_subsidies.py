"""Scenario tests for the three 惠企政策兑现 flows of plan 7, 二(二) (免申即享, 即申即享, 承诺兑现).

The clock starts on Wednesday 2026-09-30 16:00 (the fixture) and moves through the National Day
week: 2026-10-01..07 are off and Saturday 2026-10-10 is an adjusted working day, so "the next
working day" after 09-30 is 10-08 and after Friday 10-09 it is Saturday 10-10.

Each flow reads the policy catalogue (processes/policy_catalogue.dmn) through a businessRuleTask:
the policy's mode, owning department (the unit of every policy_dept task) and time limit in
working days (the approval/review deadline) come from there.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import update

from engine import task_form
from engine.api import Engine
from engine.definitions.forms import check_form
from engine.definitions.parsed import parse_version
from engine.definitions.validation import SourceFile
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.files.attachments import Upload
from engine.org import credit_code
from engine.queries.inbox import InboxFilter
from engine.queries.payouts import batch_payouts
from engine.queries.worklists import UntrueCommitment
from engine.runtime import state
from engine.storage.schema import ProcessInstance, Task
from engine.time.clock import FixedClock
from engine.time.schedule import Schedule
from engine.views import InstanceView, TaskView
from tests.conftest import seeded, seeded_with
from tests.process_helpers import (
    PROCESSES,
    at,
    check_interchange,
    definitions,
    docx_text,
    inbox,
    load_units,
    task,
)

KEYS = ("subsidy_automatic", "subsidy_instant", "subsidy_commitment")

GXJ = "市工信局"  # MS-001, CN-001
SWJ = "市商务局"  # JS-002, CN-002
RSJ = "市人社局"  # JS-001


def subsidy_files() -> list[SourceFile]:
    """The three flows, the policy catalogue they read and their forms (承诺兑现 shares the
    credit department's form with the 告知承诺 check)."""
    return definitions([f"{key}.bpmn" for key in KEYS] + ["policy_catalogue.dmn"],
                       ["subsidy_*.json", "commitment_check_credit.json"])


def subsidy_world(engine: Engine) -> None:
    """The subsidy flows deployed, with one user per role (policy departments in three units)."""
    engine.deploy(subsidy_files())
    engine.add_user("gxj", ["policy_dept"], unit=GXJ)
    engine.add_user("gxj2", ["policy_dept"], unit=GXJ)
    engine.add_user("swj", ["policy_dept"], unit=SWJ)
    engine.add_user("rsj", ["policy_dept"], unit=RSJ)
    engine.add_user("qiye", ["enterprise"], unit="景德镇某陶瓷有限公司")
    engine.add_user("chuangkou", ["window"])
    engine.add_user("sjj", ["data_bureau"])
    engine.add_user("shouli", ["intake"])
    load_units(engine)


WORLD = seeded(subsidy_world)  # made once per process and backend, copied for each test


@pytest.fixture
def hq(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """The engine of ``subsidy_world`` (the tests of this module taking it are marked WORLD)."""
    if not seeded_with(request, WORLD):
        subsidy_world(engine)
    return engine


def task_data(engine: Engine, task: TaskView) -> dict[str, Any]:
    """The data of one task (a multi-instance child holds its own ``enterprise``).

    The public API has no call for a task's own data yet (TaskView carries none and
    InstanceView.data merges the open branches), so this reads the stored workflow state."""
    with engine.transaction() as session:
        row = session.get(ProcessInstance, task.instance_id)
        assert row is not None
        version = engine.versions.get(session, row.version_id)
        workflow, _ = state.load(json.loads(row.state), version.spec,
                                 version.subprocess_specs, str(row.id))
        return dict(workflow.get_task_from_id(UUID(task.id)).data)


# -- definitions -----------------------------------------------------------------------------


def test_files_validate_without_problems(engine: Engine) -> None:
    checked = engine.validate(subsidy_files())
    assert checked.problems == []
    assert sorted(p.key for p in checked.processes) == sorted(KEYS)
    starts = {p.key: p.start_form_key for p in checked.processes}
    assert starts == {"subsidy_automatic": "subsidy_automatic_start",
                      "subsidy_instant": "subsidy_instant_apply",
                      "subsidy_commitment": "subsidy_commitment_apply"}


@pytest.mark.parametrize("key", KEYS)
def test_diagram_interchange_covers_every_element(key: str) -> None:
    check_interchange(PROCESSES / f"{key}.bpmn", key)


# -- 免申即享 --------------------------------------------------------------------------------

THREE = [
    {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 100000,
     "eligibility_fact": "2026年8月纳入规上统计"},
    {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 100000},
    {"name": "景德镇丙新材料有限公司", "credit_code": "91360200MA35A00034", "amount": 80000.5},
]


def payout_for(enterprise: dict[str, Any], day: str, voucher: str) -> dict[str, Any]:
    return {"enterprise": {**enterprise, "paid_amount": enterprise["amount"], "paid_on": day,
                           "payment_voucher": voucher, "notice_channel": "平台消息"}}


def start_batch(hq: Engine, policy_id: str = "MS-001", user: str = "gxj") -> InstanceView:
    return hq.start("subsidy_automatic", {"policy_id": policy_id, "batch_note": "2026年第3批"},
                    user)


@WORLD
def test_automatic_batch_of_three_gets_three_payouts_due_after_national_day(
        hq: Engine, clock: FixedClock) -> None:
    view = start_batch(hq)
    assert view.business_key == "MSJX-2026-000001"
    assert view.data["owning_dept"] == GXJ and view.data["policy_mode"] == "免申即享"
    confirm = task(hq, "gxj", "confirm_enterprises")
    assert (confirm.role, confirm.unit, confirm.due_at) == ("policy_dept", GXJ, None)
    assert inbox(hq, "swj") == []  # another department sees nothing
    with pytest.raises(PermissionDenied):
        hq.complete(confirm.id, {"enterprises": THREE, "confirmation_basis": "x"}, "swj")

    # confirmed on Wednesday 09-30 16:00: "1个工作日内" is Thursday 10-08 after the holiday
    hq.complete(confirm.id, {"enterprises": THREE,
                             "confirmation_basis": "统计部门共享的2026年新入规企业名单"}, "gxj")
    payouts = inbox(hq, "gxj")
    assert [t.name for t in payouts] == ["pay_enterprise"] * 3
    # each titled with its enterprise, so the inbox tells the three apart
    assert sorted(t.title for t in payouts) == sorted(f"兑付资金并通知企业（{e['name']}）"
                                                      for e in THREE)
    assert {t.due_at for t in payouts} == {at("2026-10-08T17:30:00+08:00")}
    assert {t.unit for t in payouts} == {GXJ}
    assert [t.id for t in inbox(hq, "gxj2")] == [t.id for t in payouts]  # same department
    assert inbox(hq, "swj") == [] and inbox(hq, "sjj") == []
    assert not any(t.overdue for t in payouts)

    # each payout task carries its own enterprise
    mine = {task_data(hq, t)["enterprise"]["credit_code"]: t for t in payouts}
    assert set(mine) == {e["credit_code"] for e in THREE}

    clock.set(at("2026-10-08T10:00:00+08:00"))
    for n, enterprise in enumerate(THREE):
        payout = mine[enterprise["credit_code"]]
        submitted = payout_for(enterprise, "2026-10-08", f"PZ-{n}")
        if n == 1:  # the identity and the approved amount are the task's, not the submitter's
            with pytest.raises(InvalidData) as changed:
                hq.complete(payout.id, {"enterprise": {**submitted["enterprise"],
                                                       "name": "改名企业", "amount": 1}}, "gxj")
            assert changed.value.field_errors == {
                "enterprise.name": "此项只读，须与本任务中的内容一致，不能修改",
                "enterprise.amount": "此项只读，须与本任务中的内容一致，不能修改"}
            # left out, they stay the task's
            submitted["enterprise"] = {k: v for k, v in submitted["enterprise"].items()
                                       if k not in enterprise}
        hq.complete(payout.id, submitted, "gxj" if n else "gxj2")
        if n < 2:
            assert inbox(hq, "sjj") == []  # reported only when every enterprise is paid

    report_task = task(hq, "sjj", "record_result")
    assert (report_task.role, report_task.unit, report_task.due_at) == ("data_bureau", None, None)
    data = hq.instance(view.id).data
    report = data["report"]
    assert report["enterprise_count"] == 3
    assert report["total_paid"] == 280000.5 == report["confirmed_total"]
    assert report["on_time"] is True
    assert report["payout_due"] == "2026-10-08T17:30:00+08:00"
    assert [p["name"] for p in report["payouts"]] == [e["name"] for e in THREE]
    assert [p["payment_voucher"] for p in report["payouts"]] == ["PZ-0", "PZ-1", "PZ-2"]
    assert [n["to"] for n in data["notices"]] == [e["name"] for e in THREE]
    assert {n["type"] for n in data["notices"]} == {"兑付通知"}

    assert hq.timers.pending() == []  # deadlines are due dates on tasks, not timers

    done = hq.complete(report_task.id, {"recorded": True}, "sjj")
    assert done.status == "completed"
    assert done.data["outcome"] == "已兑付"
    assert hq.inbox.for_user(None, InboxFilter(instance_id=view.id)) == []
    # each payout issues its enterprise's 兑付通知书 right after it
    assert [e.type for e in hq.history(view.id)] == (
        ["started", "completed"] + ["completed", "document"] * 3 + ["completed"])
    checked, problems = hq.verify()
    assert (checked, problems) == (1, [])


@WORLD
def test_each_enterprise_of_a_batch_hears_what_it_was_paid(hq: Engine, clock: FixedClock) -> None:
    """免申即享 asks nothing of the enterprise, so its 兑付资金并通知企业 tells it: the users of
    the enterprise each payout names hear the amount, no one else; the notice names the batch,
    whose case lists the other enterprises: it opens the enterprise's own payout instead
    (tests/test_ui_own_payouts.py)."""
    first, second, _ = THREE
    hq.add_user("jia_1", ["enterprise"], credit_code=first["credit_code"])
    hq.add_user("jia_2", ["enterprise"], credit_code=first["credit_code"])
    hq.add_user("yi", ["enterprise"], credit_code=second["credit_code"])
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE, "confirmation_basis": "新入规企业名单"}, "gxj")
    mine = {task_data(hq, t)["enterprise"]["credit_code"]: t for t in inbox(hq, "gxj")}
    policy = hq.instance(view.id).subject
    assert policy
    clock.set(at("2026-10-08T10:00:00+08:00"))
    paid = payout_for(first, "2026-10-08", "PZ-1")
    paid["enterprise"]["paid_amount"] = 95000.5
    hq.complete(mine[first["credit_code"]].id, paid, "gxj")
    for user in ("jia_1", "jia_2"):
        [note] = hq.notifications.for_user(user)
        assert (note.kind, note.instance_id, note.business_key) == (
            "decided", view.id, view.business_key)
        assert note.text_in("zh") == (
            f"“{policy}”（{view.business_key}）已向贵单位兑付 95,000.50 元，请留意查收。")
    assert hq.notifications.for_user("yi") == []
    assert [n for n in hq.notifications.for_user("gxj2") if n.kind == "decided"] == []
    with pytest.raises(PermissionDenied):
        hq.instance(view.id, "jia_1")  # the batch is not theirs to read


@WORLD
def test_automatic_payout_due_on_adjusted_saturday_and_late_payout_is_reported(
        hq: Engine, clock: FixedClock) -> None:
    clock.set(at("2026-10-09T11:00:00+08:00"))  # Friday before the adjusted working Saturday
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE[:1], "confirmation_basis": "部门数据比对"}, "gxj")
    payout = task(hq, "gxj", "pay_enterprise")
    assert payout.due_at == at("2026-10-10T17:30:00+08:00")

    clock.set(at("2026-10-10T17:29:00+08:00"))
    assert not task(hq, "gxj", "pay_enterprise").overdue
    clock.set(at("2026-10-12T09:00:00+08:00"))  # Monday: missed the Saturday deadline
    late = task(hq, "gxj", "pay_enterprise")
    assert late.overdue
    assert [t.id for t in hq.inbox.for_user("gxj", InboxFilter(overdue=True))] == [late.id]
    hq.complete(late.id, payout_for(THREE[0], "2026-10-12", "PZ-9"), "gxj")
    report = hq.instance(view.id).data["report"]
    assert report["on_time"] is False
    assert report["completed_at"] == "2026-10-12T09:00:00+08:00"


def enterprises(count: int) -> list[dict[str, Any]]:
    """``count`` enterprises with well-formed credit codes, 第1户 first."""
    made = []
    for n in range(1, count + 1):
        first17 = f"91360200MA35C{n:04d}"
        made.append({"name": f"景德镇第{n}户企业有限公司",
                     "credit_code": first17 + credit_code.check_character(first17),
                     "amount": 1000 * n})
    return made


@WORLD
def test_a_batchs_payouts_are_listed_in_the_batchs_order(hq: Engine) -> None:
    """Siblings opened at one instant with one due date tie in the inbox order: their place
    in the confirmed list decides, on every page, forward and back, and on the case."""
    listed = enterprises(7)
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": listed, "confirmation_basis": "部门数据比对"}, "gxj")
    titles = [f"兑付资金并通知企业（{e['name']}）" for e in listed]
    assert [t.title for t in hq.inbox.for_user("gxj")] == titles
    assert [t.title for t in hq.instance(view.id).tasks] == titles
    pages = [hq.inbox.page("gxj", size=3)]
    while pages[-1].has_next:
        pages.append(hq.inbox.page("gxj", after=pages[-1].tasks[-1].id, size=3))
    assert [t.title for p in pages for t in p.tasks] == titles
    back = hq.inbox.page("gxj", before=pages[-1].tasks[0].id, size=3)
    assert [t.title for t in back.tasks] == titles[3:6] and back.has_previous
    # the third paid: the others keep their order
    third = hq.inbox.for_user("gxj")[2]
    hq.complete(third.id, payout_for(listed[2], "2026-09-30", "PZ-3"), "gxj")
    assert [t.title for t in hq.inbox.for_user("gxj")] == titles[:2] + titles[3:]


@WORLD
def test_a_batchs_payout_results_follow_its_list_as_each_is_paid(hq: Engine) -> None:
    """engine.batch_payouts: a row per confirmed enterprise in the list's order, the facts the
    list confirmed, what each task paid or who holds it, and the totals."""
    view = start_batch(hq)
    assert batch_payouts(hq, hq.instance(view.id, "gxj")) is None  # no list confirmed yet
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE, "confirmation_basis": "部门数据比对"}, "gxj")
    mine = {task_data(hq, t)["enterprise"]["credit_code"]: t for t in inbox(hq, "gxj")}
    hq.claim(mine[THREE[0]["credit_code"]].id, "gxj2")
    hq.complete(mine[THREE[2]["credit_code"]].id, {"enterprise": {
        "paid_amount": 80000, "paid_on": "2026-09-30", "payment_voucher": "PZ-2",
        "notice_channel": "短信"}}, "gxj")
    found = batch_payouts(hq, hq.instance(view.id, "gxj"))
    assert found is not None
    assert [(p.name, p.credit_code, p.approved) for p in found.rows] == [
        (e["name"], e["credit_code"], e["amount"]) for e in THREE]
    assert [(p.status, p.assignee, p.unit) for p in found.rows] == [
        ("open", "gxj2", GXJ), ("open", None, GXJ), ("paid", None, None)]
    assert (found.rows[2].paid, found.rows[2].paid_on, found.rows[2].voucher,
            found.rows[2].completed_by) == (80000, "2026-09-30", "PZ-2", "gxj")
    assert (found.approved_total, found.paid_total, found.paid_count) == (280000.5, 80000, 1)
    # withdrawn (撤回), the payout is to be made again: its new task, back with who withdrew
    hq.ops.withdraw(found.rows[2].task_id or "", "gxj")
    again = batch_payouts(hq, hq.instance(view.id, "gxj"))
    assert again is not None
    assert [(p.status, p.assignee) for p in again.rows] == [
        ("open", "gxj2"), ("open", None), ("open", "gxj")]
    assert again.rows[2].task_id != found.rows[2].task_id and again.paid_total == 0
    assert [t.title for t in hq.inbox.for_user("gxj")] == [
        f"兑付资金并通知企业（{e['name']}）" for e in THREE[1:]]
    assert batch_payouts(hq, hq.instance(start_batch(hq).id, "gxj")) is None
    # a 即申即享 case pays once: no batch
    instant = hq.start("subsidy_instant", application("JS-002"), "qiye")
    assert batch_payouts(hq, hq.instance(instant.id, "qiye")) is None


@WORLD
def test_a_payout_withdrawn_is_paid_again_for_its_own_enterprise(hq: Engine) -> None:
    """撤回 of one enterprise's payout: done again, it is that enterprise's, the report holds
    what was paid the second time, and the case replays. Once every enterprise is paid and
    the list has gone on to 市政数局, no payout can be withdrawn."""
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE, "confirmation_basis": "部门数据比对"}, "gxj")
    mine = {task_data(hq, t)["enterprise"]["credit_code"]: t for t in inbox(hq, "gxj")}
    first = mine[THREE[0]["credit_code"]]
    hq.complete(first.id, payout_for(THREE[0], "2026-09-30", "PZ-wrong"), "gxj")
    hq.ops.withdraw(first.id, "gxj")
    again = next(t for t in inbox(hq, "gxj") if t.id not in {m.id for m in mine.values()})
    assert task_data(hq, again)["enterprise"]["credit_code"] == THREE[0]["credit_code"]
    hq.complete(again.id, payout_for(THREE[0], "2026-09-30", "PZ-0"), "gxj")
    for n, enterprise in enumerate(THREE[1:], 1):
        hq.complete(mine[enterprise["credit_code"]].id,
                    payout_for(enterprise, "2026-09-30", f"PZ-{n}"), "gxj")
    report = hq.instance(view.id).data["report"]
    assert [p["payment_voucher"] for p in report["payouts"]] == ["PZ-0", "PZ-1", "PZ-2"]
    assert report["total_paid"] == 280000.5
    assert task(hq, "sjj", "record_result") is not None
    assert hq.ops.withdrawable(view.id, "gxj") == frozenset()
    with pytest.raises(Conflict):
        hq.ops.withdraw(mine[THREE[1]["credit_code"]].id, "gxj")
    assert hq.replay(view.id).ok


@WORLD
def test_payout_results_of_tasks_mirrored_before_their_place_was(hq: Engine) -> None:
    """Tasks from before ``tasks.item_index``: a paid one is found by the credit code it
    submitted, an open one by the enterprise its title names."""
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE, "confirmation_basis": "部门数据比对"}, "gxj")
    first = next(t for t in inbox(hq, "gxj") if t.title.endswith(f"（{THREE[0]['name']}）"))
    hq.complete(first.id, payout_for(THREE[0], "2026-09-30", "PZ-0"), "gxj")
    with hq.transaction() as session:
        session.execute(update(Task).where(Task.instance_id == view.id).values(item_index=None))
    found = batch_payouts(hq, hq.instance(view.id, "gxj"))
    assert found is not None
    assert [(p.name, p.status) for p in found.rows] == [
        (THREE[0]["name"], "paid"), (THREE[1]["name"], "open"), (THREE[2]["name"], "open")]
    assert found.rows[0].voucher == "PZ-0"


@WORLD
def test_payouts_completed_in_another_process_finish_the_batch(
        hq: Engine, database_url: str, clock: FixedClock) -> None:
    view = start_batch(hq)
    hq.complete(task(hq, "gxj", "confirm_enterprises").id,
                {"enterprises": THREE, "confirmation_basis": "x"}, "gxj")
    other = Engine(database_url, clock=clock)  # e.g. the next CLI command, or a restarted server
    try:
        for n, payout in enumerate(other.inbox.for_user("gxj")):
            own = other.task_data(payout.id, "gxj")["enterprise"]  # its own enterprise, paid
            other.complete(payout.id, payout_for(own, "2026-09-30", f"PZ-{n}"), "gxj")  # today
        assert other.instance(view.id).tasks != []  # the report for 市政数局
    finally:
        other.close()


@WORLD
def test_automatic_confirm_and_payout_forms_refuse_bad_data(hq: Engine) -> None:
    start_batch(hq)
    confirm = task(hq, "gxj", "confirm_enterprises")
    with pytest.raises(InvalidData) as err:
        hq.complete(confirm.id, {"enterprises": [], "confirmation_basis": " "}, "gxj")
    assert set(err.value.field_errors) == {"enterprises", "confirmation_basis"}
    with pytest.raises(InvalidData) as err:
        hq.complete(confirm.id, {"enterprises": [{"name": "甲", "credit_code": "123",
                                                  "amount": 0}],
                                 "confirmation_basis": "x"}, "gxj")
    assert set(err.value.field_errors) == {"enterprises.0.credit_code", "enterprises.0.amount"}
    with pytest.raises(InvalidData) as err:  # no rewriting the routing through a form
        hq.complete(confirm.id, {"enterprises": THREE, "confirmation_basis": "x",
                                 "owning_dept": SWJ}, "gxj")
    assert err.value.field_errors == {"owning_dept": "表单中没有此字段"}

    hq.complete(confirm.id, {"enterprises": THREE[:1], "confirmation_basis": "x"}, "gxj")
    payout = task(hq, "gxj", "pay_enterprise")
    with pytest.raises(InvalidData) as err:
        hq.complete(payout.id, {"enterprise": {"paid_amount": 1}}, "gxj")
    assert set(err.value.field_errors) == {
        "enterprise.paid_on", "enterprise.payment_voucher", "enterprise.notice_channel"}
    assert task(hq, "gxj", "pay_enterprise").id == payout.id


@pytest.mark.parametrize(("policy_id", "error"), [
    ("JS-001", "JS-001（一次性吸纳就业补贴）为即申即享事项，不在本流程办理，"
               "请通过“惠企政策兑现：即申即享”流程申请"),
    ("MS-01", "政策编号“MS-01”未列入《惠企政策清单》，您是否要找：MS-001"),  # its own only
    ("MS-002", "政策 MS-002 企业上市奖励（上市即享） 的政策主管部门是市政府金融办，"
               "本单位只能发起本单位主管政策的兑现批次"),
], ids=["other-mode", "unlisted", "other-department"])
@WORLD
def test_automatic_refuses_policies_that_are_not_automatic(hq: Engine, policy_id: str,
                                                           error: str) -> None:
    with pytest.raises(InvalidData) as err:
        start_batch(hq, policy_id)
    assert err.value.field_errors == {"policy_id": error}
    assert hq.instance_ids() == []


@WORLD
def test_a_department_is_offered_its_own_automatic_policies(hq: Engine) -> None:
    """市工信局 starts batches for MS-001, not for 金融办's MS-002 (the batch's 核定 task
    would land in another department's inbox)."""
    form = hq.start_form("subsidy_automatic")
    assert [p.policy_id for p in hq.policy_choices(form, GXJ)["policy_id"]] == ["MS-001"]
    assert [p.policy_id for p in hq.policy_choices(form, SWJ)["policy_id"]] == []
    instant = hq.policy_choices(hq.start_form("subsidy_instant"), GXJ)["policy_id"]
    assert [p.policy_id for p in instant] == ["JS-001", "JS-002"]  # enterprises: any


@WORLD
def test_automatic_is_started_by_policy_departments_only(hq: Engine) -> None:
    for user in ("qiye", "chuangkou", "sjj"):
        with pytest.raises(PermissionDenied):
            start_batch(hq, user=user)
    with pytest.raises(InvalidData) as err:
        hq.start("subsidy_automatic", {"policy_id": "ms-1"}, "gxj")
    assert set(err.value.field_errors) == {"policy_id"}


# -- 即申即享 --------------------------------------------------------------------------------


def application(policy_id: str, channel: str = "一网", **extra: Any) -> dict[str, Any]:
    data = {
        "policy_id": policy_id, "channel": channel,
        "enterprise_name": "景德镇某陶瓷有限公司", "credit_code": "91360200MA35B0001M",
        "contact_person": "王经理", "contact_phone": "0798-8888888",
        "bank_account": "中国银行景德镇分行 1234567890", "requested_amount": 36000,
        "application_summary": "2026年投保出口信用保险，实缴保费12万元",
    }
    data.update(extra)
    return data


PAYOUT = {"paid_amount": 36000, "paid_on": "2026-10-10", "payment_voucher": "SW-2026-0042",
          "notice_channel": "短信"}


@WORLD
def test_instant_online_application_approved_and_paid_around_national_day(
        hq: Engine, clock: FixedClock) -> None:
    policy = Upload("materials", "保单.pdf", b"%PDF-1.4\n% policy\n")
    view = hq.start("subsidy_instant", application("JS-002"), "qiye", uploads=[policy])
    assert view.business_key == "JSJX-2026-000001"
    assert view.data["applied_at"] == "2026-09-30T16:00:00+08:00"
    [material] = [f for f in hq.dossier.files(view.id, "qiye") if f.field == "materials"]
    assert view.data["materials"] == [material.sha256] and material.name == "保单.pdf"
    approve = task(hq, "swj", "approve")
    # JS-002: 3 working days from 09-30 -> 10-08, 10-09, Saturday 10-10
    assert (approve.role, approve.unit, approve.form_key) == (
        "policy_dept", SWJ, "subsidy_instant_approve")
    assert approve.due_at == at("2026-10-10T17:30:00+08:00")
    assert inbox(hq, "gxj") == [] and inbox(hq, "rsj") == [] and inbox(hq, "qiye") == []
    with pytest.raises(PermissionDenied):
        hq.complete(approve.id, {"decision": "approve", "approved_amount": 1}, "gxj")

    clock.set(at("2026-10-09T10:00:00+08:00"))  # approved on Friday
    with pytest.raises(InvalidData) as err:
        hq.complete(approve.id, {"decision": "approve"}, "swj")
    assert set(err.value.field_errors) == {"approved_amount"}
    # never more than the enterprise asked for (36,000)
    with pytest.raises(InvalidData) as err:
        hq.complete(approve.id, {"decision": "approve", "approved_amount": 9000000}, "swj")
    assert err.value.field_errors == {"approved_amount": "核定兑现金额不能超过申请金额（36,000元）"}
    hq.complete(approve.id, {"decision": "approve", "approved_amount": 36000}, "swj")
    pay = task(hq, "swj", "pay")
    assert pay.due_at == at("2026-10-10T17:30:00+08:00")  # 1个工作日内: adjusted Saturday
    assert pay.form_key == "subsidy_payout"

    clock.set(at("2026-10-10T15:00:00+08:00"))
    hq.complete(pay.id, PAYOUT, "swj")
    # paying issues the payout notice, numbered by the engine and addressed to the enterprise
    [notice] = [f for f in hq.dossier.files(view.id, "qiye") if f.document == "duifu_tongzhi"]
    assert notice.doc_no == "景惠企兑〔2026〕1号"
    text = docx_text(hq.dossier.content(notice))
    assert "景德镇某陶瓷有限公司" in text and "36,000.00" in text and "2026年10月10日" in text
    record = task(hq, "sjj", "record_result")
    data = hq.instance(view.id, user="qiye").data  # the applicant may follow its case
    report = data["report"]
    assert report["result"] == "已兑付"
    assert (report["approval_due"], report["decided_at"], report["approval_on_time"]) == (
        "2026-10-10T17:30:00+08:00", "2026-10-09T10:00:00+08:00", True)
    assert (report["payout_due"], report["paid_at"], report["payout_on_time"]) == (
        "2026-10-10T17:30:00+08:00", "2026-10-10T15:00:00+08:00", True)
    assert (report["channel"], report["paid_amount"], report["owning_dept"]) == ("一网", 36000, SWJ)
    assert data["notices"][-1]["type"] == "兑付通知"
    assert data["notices"][-1]["channel"] == "短信"
    # the enterprise's notices say what was decided, and what was paid
    said = [n.text_in("zh") for n in hq.notifications.for_user("qiye") if n.kind == "decided"]
    case = view.business_key
    assert [s.split("申请", 1)[1] for s in said] == [  # newest first
        f"（{case}）已有办理结果：已兑付，金额 36,000.00 元。",
        f"（{case}）已审核通过，核定兑现金额 36,000.00 元，兑付后另行通知。"]
    done = hq.complete(record.id, {"recorded": True, "remark": "已入台账"}, "sjj")
    assert done.status == "completed" and done.data["outcome"] == "已兑付"


@WORLD
def test_instant_window_starts_for_the_enterprise_and_late_approval_is_flagged(
        hq: Engine, database_url: str, clock: FixedClock) -> None:
    view = hq.start("subsidy_instant", application("JS-001", "一窗"), "chuangkou")
    approve = task(hq, "rsj", "approve")
    # JS-001: 5 working days from 09-30 -> 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    assert approve.due_at == at("2026-10-13T17:30:00+08:00")
    assert inbox(hq, "chuangkou") == []  # the window hands over; the department decides
    clock.set(at("2026-10-14T09:00:00+08:00"))
    assert task(hq, "rsj", "approve").overdue
    hq.complete(approve.id, {"decision": "approve", "approved_amount": 5000,
                             "opinion": "按实际吸纳就业人数核定"}, "rsj")
    assert task(hq, "rsj", "pay").due_at == at("2026-10-15T17:30:00+08:00")
    data = hq.instance(view.id).data
    assert data["approval_on_time"] is False
    assert data["channel"] == "一窗"
    other = Engine(database_url, clock=clock)  # the rest in another process (CLI, restart)
    try:
        other.complete(task(other, "rsj", "pay").id, {**PAYOUT, "paid_amount": 5000}, "rsj")
        other.complete(task(other, "sjj", "record_result").id, {"recorded": True}, "sjj")
        assert other.instance(view.id).data["report"]["payout_on_time"] is True
        assert other.instance(view.id).status == "completed"
    finally:
        other.close()


@WORLD
def test_instant_rejection_needs_a_reason_and_is_reported(hq: Engine, clock: FixedClock) -> None:
    view = hq.start("subsidy_instant", application("JS-002"), "qiye")
    approve = task(hq, "swj", "approve")
    with pytest.raises(InvalidData) as err:
        hq.complete(approve.id, {"decision": "reject"}, "swj")
    assert set(err.value.field_errors) == {"reject_reason"}
    with pytest.raises(InvalidData) as err:
        hq.complete(approve.id, {"decision": "reject", "reject_reason": "   "}, "swj")
    assert set(err.value.field_errors) == {"reject_reason"}
    clock.set(at("2026-10-08T09:00:00+08:00"))
    hq.complete(approve.id, {"decision": "reject", "reject_reason": "保单不在补贴年度内"}, "swj")
    assert inbox(hq, "swj") == []  # no payout
    record = task(hq, "sjj", "record_result")
    data = hq.instance(view.id).data
    assert data["report"]["result"] == "不予兑现"
    assert data["report"]["reject_reason"] == "保单不在补贴年度内"
    assert data["notices"][-1] == {
        "to": "景德镇某陶瓷有限公司", "type": "不予兑现告知", "at": "2026-10-08T09:00:00+08:00",
        "reason": "保单不在补贴年度内", "policy_explanation": ""}
    assert hq.complete(record.id, {"recorded": True}, "sjj").status == "completed"


# -- 受理回执 ------------------------------------------------------------------------------


def printed(hq: Engine, instance_id: int, user: str) -> tuple[str, dict[str, str]]:
    """A case's 受理回执 as its print view reads it back: the text of its paragraphs and its
    table's rows (label -> value)."""
    receipt = hq.dossier.receipt(hq.dossier.files(instance_id, user))
    assert receipt is not None
    blocks = hq.dossier.printable(hq.dossier.find(receipt.sha256, user, instance_id))
    text = "\n".join("".join(r.text for r in b.runs) for b in blocks if b.kind == "p")
    [table] = [b for b in blocks if b.kind == "table"]
    return text, {label: value for label, value in table.rows}


@WORLD
def test_the_window_hands_the_enterprise_a_receipt_with_the_promised_date(
        hq: Engine, clock: FixedClock) -> None:
    """一窗: filing issues the 受理回执 (its own 文号) the clerk prints and hands over: what was
    filed, when (the engine's clock), by whom, and the date the decision is due on the
    working-day calendar, the very deadline of the department's 审批. The clerk is named with
    the unit of their account (the 代办中心's window here), by its full name."""
    hq.add_user("weimin", ["window"], display_name="政务服务代办中心 卫敏",
                unit="市政数局政务服务代办中心", phone="0798-8222345")
    clock.set(at("2026-09-30T16:05:00+08:00"))
    view = hq.start("subsidy_instant", application("JS-001", "一窗"), "weimin")
    [receipt] = [f for f in hq.dossier.files(view.id, "weimin") if f.document]
    assert (receipt.document, receipt.doc_no, receipt.uploaded_by) == (
        "shouli_huizhi", "景惠企受〔2026〕1号", "weimin")
    assert hq.dossier.receipt(hq.dossier.files(view.id, "weimin")) == receipt
    # JS-001: 5 working days from 09-30 -> 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    assert task(hq, "rsj", "approve").due_at == at("2026-10-13T17:30:00+08:00")
    text, rows = printed(hq, view.id, "weimin")
    assert rows == {
        "受理编号": "JSJX-2026-000001", "申请企业": "景德镇某陶瓷有限公司",
        "统一社会信用代码": "91360200MA35B0001M",
        "申请政策": "JS-001 一次性吸纳就业补贴（即申即享）", "申请金额": "36,000.00元",
        "受理时间": "2026年9月30日16时05分",
        "办理时限": "市人社局于2026年10月13日前作出审批决定（5个工作日）；审核通过的，"
                    "审批认定后1个工作日内兑付",
        "受理人": "卫敏（景德镇市政务服务代办中心）"}
    assert "景德镇某陶瓷有限公司：" in text
    assert "你单位经惠企政策兑现专窗提交的惠企政策兑现申请已受理" in text
    assert "惠企政策兑现平台的“我的申请”中查看" in text and "咨询电话 0798-8222345" in text
    assert "景惠企受〔2026〕1号" in text and "景德镇市惠企政策兑现专窗" in text
    # the enterprise (by its 统一社会信用代码) reads it as the clerk does; another does not
    hq.add_user("qiye_a", ["enterprise"], credit_code="91360200MA35B0001M")
    hq.add_user("qiye_c", ["enterprise"], credit_code="91360200MA35A0001X")
    assert printed(hq, view.id, "qiye_a")[1] == rows
    with pytest.raises(PermissionDenied):
        hq.dossier.files(view.id, "qiye_c")
    with pytest.raises(NotFound):
        hq.dossier.find(receipt.sha256, "qiye_c", view.id)


@WORLD
def test_an_online_application_gets_its_receipt_too(hq: Engine) -> None:
    """一网: the enterprise prints its own receipt; nobody took the papers in."""
    view = hq.start("subsidy_commitment", application(
        "CN-001", requested_amount=800000, **COMMITMENT), "qiye")
    [receipt] = [f for f in hq.dossier.files(view.id, "qiye") if f.document]
    assert (receipt.document, receipt.doc_no) == ("shouli_huizhi", "景惠企受〔2026〕1号")
    # the receiving side issues it: the engine, in the department's name, not the enterprise
    assert receipt.uploaded_by == "system"
    [issued] = [e for e in hq.history(view.id, "qiye") if e.type == "document"]
    assert issued.user == "system"
    text, rows = printed(hq, view.id, "qiye")
    assert "通过“景快办”惠企政策兑现平台提交的惠企政策兑现申请" in text
    assert "咨询电话" not in text
    assert rows["受理人"] == "网上受理（“景快办”惠企政策兑现平台）"
    # CN-001: 15 working days from 09-30 -> 10-27, the deadline of 评估评审 and 审批 alike
    assert rows["办理时限"].startswith("市工信局于2026年10月27日前作出审批决定（15个工作日）")
    assert task(hq, "gxj", "review").due_at == at("2026-10-27T17:30:00+08:00")
    assert rows["申请金额"] == "800,000.00元"
    # numbered in one sequence with the window's receipts
    other = hq.start("subsidy_instant", application("JS-002", "一窗"), "chuangkou")
    second = hq.dossier.receipt(hq.dossier.files(other.id, "chuangkou"))
    assert second is not None and second.doc_no == "景惠企受〔2026〕2号"


@WORLD
def test_a_receipt_due_in_a_year_without_its_holiday_schedule_says_so(
        hq: Engine, clock: FixedClock) -> None:
    """CN-002: 20 working days from Monday 2026-12-07. 2027's schedule is not loaded, so 元旦
    (Friday 01-01) is off by the statutory rule: the 20th working day is 01-05, and the
    receipt says the date counts the statutory holidays only, until the schedule is loaded."""
    clock.set(at("2026-12-07T10:00:00+08:00"))
    first = hq.start("subsidy_commitment", application("CN-002", **COMMITMENT), "qiye")
    assert printed(hq, first.id, "qiye")[1]["办理时限"].startswith(
        "市商务局于2027年1月5日前作出审批决定（20个工作日；该年度节假日安排未公布，"
        "按法定节假日计算）；")
    hq.import_calendar_year(Schedule(2027, {date(2027, 1, 1): False}, {}))
    second = hq.start("subsidy_commitment", application("CN-002", **COMMITMENT), "qiye")
    assert printed(hq, second.id, "qiye")[1]["办理时限"].startswith(
        "市商务局于2027年1月5日前作出审批决定（20个工作日）；")


@pytest.mark.parametrize("key", ["subsidy_instant", "subsidy_commitment"])
@WORLD
def test_applications_are_started_by_enterprise_or_window_only(hq: Engine, key: str) -> None:
    data = application("JS-002" if key == "subsidy_instant" else "CN-002", **(
        {} if key == "subsidy_instant" else COMMITMENT))
    for user in ("gxj", "sjj", "shouli"):
        with pytest.raises(PermissionDenied):
            hq.start(key, data, user)
    assert hq.start(key, data, "qiye").status == "running"
    assert hq.start(key, {**data, "channel": "一窗"}, "chuangkou").status == "running"


@WORLD
def test_instant_application_form_errors_by_field(hq: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        hq.start("subsidy_instant", application("JS-002", channel="微信", credit_code="X",
                                                requested_amount=0), "qiye")
    assert set(err.value.field_errors) == {"channel", "credit_code", "requested_amount"}
    for key in ("subsidy_instant", "subsidy_commitment"):
        with pytest.raises(InvalidData) as err:
            hq.start(key, application("JS-002" if key == "subsidy_instant" else "CN-001",
                                      requested_amount=99_999_999_999_999, **(
                                          COMMITMENT if key == "subsidy_commitment" else {})),
                     "qiye")
        assert err.value.field_errors == {"requested_amount": "不能大于 100000000"}


@WORLD
def test_instant_refuses_a_policy_of_another_mode(hq: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        hq.start("subsidy_instant", application("CN-001"), "qiye")
    assert err.value.field_errors == {"policy_id": (
        "CN-001（工业企业技术改造项目补助）为承诺兑现事项，不在本流程办理，"
        "请通过“惠企政策兑现：承诺兑现”流程申请")}


# -- 承诺兑现 --------------------------------------------------------------------------------

COMMITMENT: dict[str, Any] = {
    "project_name": "年产500万件日用陶瓷智能化改造项目", "commitment_accepted": True,
    "commitment_signer": "张三（法定代表人）", "commitment_signed_on": "2026-09-30"}
REVIEW = {"review_method": "评估评审", "review_date": "2026-10-20", "reviewers": "专家组3人",
          "findings": "设备投资额经评审核定为800万元", "commitment_consistent": True}


def apply_commitment(hq: Engine, policy_id: str = "CN-001", user: str = "qiye") -> InstanceView:
    """Online by the enterprise itself, or through the window (一窗) by its clerk."""
    channel = "一网" if user == "qiye" else "一窗"
    return hq.start("subsidy_commitment",
                    application(policy_id, channel, requested_amount=800000, **COMMITMENT), user)


def decided_notices(hq: Engine, user: str) -> list[str | None]:
    """The case numbers of the 办理结果 notices ``user`` got."""
    return [n.business_key for n in hq.notifications.for_user(user) if n.kind == "decided"]


@WORLD
def test_the_enterprise_hears_of_the_decision_on_what_the_window_filed_for_it(
        hq: Engine) -> None:
    """Its users (role enterprise, its 统一社会信用代码) read the case and are told, not the
    clerk who took the application in; an enterprise applying online is told likewise."""
    code = application("JS-002")["credit_code"]
    hq.add_user("qiye_a", ["enterprise"], credit_code=code)
    hq.add_user("qiye_b", ["enterprise"], credit_code=code)
    hq.add_user("qiye_c", ["enterprise"], credit_code="91360200MA35A0001X")  # another one
    hq.add_user("sjj_b", ["data_bureau"], credit_code=code)  # a code, but not an enterprise
    filed = hq.start("subsidy_instant", application("JS-002", "一窗"), "chuangkou")
    online = hq.start("subsidy_instant", application("JS-002"), "qiye_a")
    for view in (filed, online):
        approve = next(t for t in inbox(hq, "swj") if t.instance_id == view.id)
        hq.complete(approve.id, {"decision": "approve", "approved_amount": 5000,
                                 "opinion": "按实缴保费核定"}, "swj")
    both = [online.business_key, filed.business_key]  # newest first
    assert decided_notices(hq, "qiye_a") == decided_notices(hq, "qiye_b") == both
    assert decided_notices(hq, "chuangkou") == []
    assert decided_notices(hq, "qiye_c") == decided_notices(hq, "sjj_b") == []
    assert hq.instance(filed.id, "qiye_b").id == filed.id  # it reads the case it hears of


@pytest.mark.parametrize("key", ["subsidy_instant", "subsidy_commitment"])
def test_a_case_not_accepted_tells_the_applicant_too(key: str) -> None:
    """不予受理 is a result as much as a decision is (docs/user-guide.md: 办理结果)."""
    files = {f.name: f.content for f in subsidy_files()}
    loaded = parse_version(1, key, 1, key, None, files)
    assert loaded.spec.task_specs["not_applicable"].extensions == {"notify": "decided"}


def test_a_script_task_may_ask_only_for_the_decided_notice(engine: Engine) -> None:
    asked = '<camunda:property name="notify" value="decided" />'
    start = '<bpmn:scriptTask id="refuse_inconsistent"'

    def asking(text: str, value: str) -> str:  # the notice of script task refuse_inconsistent
        at = text.find(start)
        if at < 0:
            return text
        end = text.index(asked, at) + len(asked)
        return text[:at] + text[at:end].replace("decided", value) + text[end:]

    for value in ("gossip", "paid"):  # paid: only a user task pays an enterprise
        files = [SourceFile(f.name, asking(f.content, value)) for f in subsidy_files()]
        [problem] = engine.validate(files).problems
        assert f'notify "{value}"' in problem.message


@WORLD
def test_commitment_needs_a_signed_commitment(hq: Engine) -> None:
    unsigned = application("CN-001", **{**COMMITMENT, "commitment_accepted": False})
    del unsigned["commitment_signer"]
    with pytest.raises(InvalidData) as err:
        hq.start("subsidy_commitment", unsigned, "qiye")
    assert err.value.field_errors == {"commitment_accepted": "须勾选此项才能提交",
                                      "commitment_signer": "此项为必填项"}
    later = application("CN-001", **{**COMMITMENT, "commitment_signed_on": "2026-10-01"})
    with pytest.raises(InvalidData) as err:  # the clock says 2026-09-30
        hq.start("subsidy_commitment", later, "qiye")
    assert err.value.field_errors == {"commitment_signed_on": "签署日期不能晚于今天"}


@WORLD
def test_commitment_review_then_approval_and_payout(hq: Engine, clock: FixedClock) -> None:
    view = apply_commitment(hq)
    assert view.business_key == "CNDX-2026-000001"
    review = task(hq, "gxj", "review")
    # CN-001: 15 working days from 09-30 (10-10 counts, the holiday week does not) -> 10-27
    assert (review.unit, review.due_at) == (GXJ, at("2026-10-27T17:30:00+08:00"))
    assert inbox(hq, "swj") == []

    clock.set(at("2026-10-20T16:00:00+08:00"))
    hq.complete(review.id, REVIEW, "gxj")
    decide = task(hq, "gxj", "decide")
    assert decide.due_at == at("2026-10-27T17:30:00+08:00")  # the same time limit
    clock.set(at("2026-10-23T10:00:00+08:00"))  # Friday
    with pytest.raises(InvalidData) as err:  # 800,000 requested
        hq.complete(decide.id, {"decision": "approve", "approved_amount": 800001,
                                "opinion": "x"}, "gxj2")
    assert err.value.field_errors == {
        "approved_amount": "核定兑现金额不能超过申请金额（800,000元）"}
    hq.complete(decide.id, {"decision": "approve", "approved_amount": 640000,
                            "opinion": "按核定投资额的8%补助"}, "gxj2")
    pay = task(hq, "gxj", "pay")
    assert pay.due_at == at("2026-10-26T17:30:00+08:00")  # next working day: Monday

    clock.set(at("2026-10-26T11:00:00+08:00"))
    hq.complete(pay.id, {**PAYOUT, "paid_amount": 640000, "paid_on": "2026-10-26"}, "gxj")
    record = task(hq, "sjj", "record_result")
    report = hq.instance(view.id).data["report"]
    assert (report["result"], report["approved_amount"], report["paid_amount"]) == (
        "已兑付", 640000, 640000)
    assert report["approval_on_time"] is True and report["payout_on_time"] is True
    assert hq.complete(record.id, {"recorded": True}, "sjj").status == "completed"


@WORLD
def test_commitment_rejection_without_reason_and_explanation_is_refused(
        hq: Engine, clock: FixedClock) -> None:
    view = apply_commitment(hq, "CN-002", user="chuangkou")
    review = task(hq, "swj", "review")
    # CN-002: 20 working days from 09-30 -> 2026-11-03
    assert review.due_at == at("2026-11-03T17:30:00+08:00")
    with pytest.raises(InvalidData) as err:  # on-site inspection needs its site
        hq.complete(review.id, {**REVIEW, "review_method": "现场勘查"}, "swj")
    assert set(err.value.field_errors) == {"site_address"}
    hq.complete(review.id, {**REVIEW, "review_method": "现场勘查", "site_address": "昌江区某工业园",
                            "findings": "生产线已建成，尚在试产", "commitment_consistent": True},
                "swj")
    decide = task(hq, "swj", "decide")

    with pytest.raises(InvalidData) as err:
        hq.complete(decide.id, {"decision": "reject"}, "swj")
    assert err.value.field_errors == {"reject_reason": "此项为必填项",
                                      "policy_explanation": "此项为必填项"}
    with pytest.raises(InvalidData) as err:
        hq.complete(decide.id, {"decision": "reject", "reject_reason": "项目未按协议投产"}, "swj")
    assert set(err.value.field_errors) == {"policy_explanation"}
    with pytest.raises(InvalidData) as err:
        hq.complete(decide.id, {"decision": "reject", "reject_reason": "",
                                "policy_explanation": "\n"}, "swj")
    assert set(err.value.field_errors) == {"reject_reason", "policy_explanation"}
    assert task(hq, "swj", "decide").id == decide.id  # nothing happened
    assert decided_notices(hq, "chuangkou") == []

    explanation = "依据投资协议第五条，项目须建成投产并达到约定产值后方可申请投产奖励"
    clock.set(at("2026-11-04T09:00:00+08:00"))  # a day past the time limit
    assert task(hq, "swj", "decide").overdue
    hq.complete(decide.id, {"decision": "reject", "reject_reason": "项目未按协议投产",
                            "policy_explanation": explanation}, "swj")
    assert inbox(hq, "swj") == []
    # no user of the enterprise holds its code: the window that filed it is told instead
    assert decided_notices(hq, "chuangkou") == [view.business_key]
    [told] = [n for n in hq.notifications.for_user("chuangkou") if n.kind == "decided"]
    assert told.text_in("zh").endswith(f"（{view.business_key}）已有办理结果：不予兑现。")
    record = task(hq, "sjj", "record_result")
    data = hq.instance(view.id).data
    assert data["outcome"] == "不予兑现"
    assert data["notices"][-1]["reason"] == "项目未按协议投产"
    assert data["notices"][-1]["policy_explanation"] == explanation
    report = data["report"]
    assert (report["result"], report["channel"], report["approval_on_time"]) == (
        "不予兑现", "一窗", False)
    assert report["policy_explanation"] == explanation
    assert hq.complete(record.id, {"recorded": True}, "sjj").status == "completed"


FGW = "市发改委"  # the 信用主管部门


@WORLD
def test_commitment_found_untrue_cannot_be_approved_and_goes_on_the_credit_record(
        hq: Engine, clock: FixedClock) -> None:
    hq.add_user("fgw", ["responsible_unit"], unit=FGW)
    view = apply_commitment(hq, "CN-002")
    review = task(hq, "swj", "review")
    clock.set(at("2026-10-20T10:00:00+08:00"))
    untrue = {**REVIEW, "review_method": "现场勘查", "site_address": "昌江区某工业园",
              "findings": "到场查看生产线和生产记录", "commitment_consistent": False}
    # 否 puts the enterprise on the credit record: not without the facts that were found
    form = task_form(hq, review.id, "swj")
    assert "记入企业信用记录" in form["properties"]["commitment_consistent"]["description"]
    with pytest.raises(InvalidData) as err:
        hq.complete(review.id, untrue, "swj")
    assert set(err.value.field_errors) == {"untrue_facts"}
    hq.complete(review.id, {**untrue, "untrue_facts": "生产线尚未投产，与承诺的已投产不符"}, "swj")
    assert inbox(hq, "swj") == []  # no 出具审批结果: an untrue commitment is never approved
    assert decided_notices(hq, "qiye") == [view.business_key]  # the refusal is its result
    [told] = [n.text_in("zh") for n in hq.notifications.for_user("qiye") if n.kind == "decided"]
    assert told.endswith("不予兑现：经核查，贵企业的承诺与实际情况不一致，将由市发改委记入"
                         "信用记录、列入虚假承诺黑名单。")
    data = hq.instance(view.id).data
    assert data["outcome"] == "不予兑现"
    assert data["reject_reason"] == (
        "经现场勘查，实际情况与企业承诺不一致：生产线尚未投产，与承诺的已投产不符")
    # told in writing as a refusal after approval is: the 不予兑现告知书 with reason and policy
    [letter] = [f for f in hq.dossier.files(view.id, "qiye") if f.document == "buyu_shouli"]
    text = docx_text(hq.dossier.content(letter))
    assert "生产线尚未投产，与承诺的已投产不符" in text and "不予兑现" in text
    assert "实际情况与承诺不一致的，不予兑现，并依承诺记入信用记录" in data["policy_explanation"]
    assert data["notices"][-1]["type"] == "不予兑现告知"
    [applied] = hq.worklists.applications("qiye")
    assert (applied.outcome, applied.reason) == ("不予兑现", data["reject_reason"])
    assert applied.explanation == data["policy_explanation"]
    assert applied.untrue == UntrueCommitment(FGW)  # to be recorded: no reference yet

    credit = task(hq, "fgw", "credit_listing")
    # 7 working days from Tuesday 10-20 -> Thursday 10-29
    assert (credit.unit, credit.due_at) == (FGW, at("2026-10-29T17:30:00+08:00"))
    with pytest.raises(InvalidData) as err:
        hq.complete(credit.id, {"listed_on": "2026-10-21"}, "fgw")
    assert {"credit_record_no", "publicity_channels"} <= set(err.value.field_errors)
    clock.set(at("2026-10-21T10:00:00+08:00"))
    hq.complete(credit.id, {"credit_record_no": "JDZ-XY-2026-0107", "listed_on": "2026-10-21",
                            "publicity_channels": ["市公共信用信息平台"],
                            "joint_punishment_pushed": True}, "fgw")
    data = hq.instance(view.id).data
    record = data["credit_record"]
    assert (record["type"], record["credit_code"], record["policy_id"], record["listed_by"]) == (
        "失信：承诺兑现不实承诺", "91360200MA35B0001M", "CN-002", FGW)
    assert data["blacklisted"] is True
    assert data["notices"][-1]["type"] == "记入信用记录告知"
    assert "JDZ-XY-2026-0107" in data["notices"][-1]["content"]
    # told again once recorded: the record's reference, and that it may ask for 信用修复
    assert decided_notices(hq, "qiye") == [view.business_key] * 2
    told = next(n.text_in("zh") for n in hq.notifications.for_user("qiye") if n.kind == "decided")
    assert "市发改委已将不实承诺记入贵企业信用记录（信用记录编号 JDZ-XY-2026-0107）" in told
    assert told.endswith("纠正失信行为后，可申请信用修复。")
    [applied] = hq.worklists.applications("qiye")
    assert applied.untrue == UntrueCommitment(FGW, "JDZ-XY-2026-0107", "2026-10-21")
    assert applied.as_json()["untrue_commitment"]["record_no"] == "JDZ-XY-2026-0107"
    assert (data["report"]["result"], data["report"]["credit_record_no"]) == (
        "不予兑现", "JDZ-XY-2026-0107")
    record_task = task(hq, "sjj", "record_result")
    assert hq.complete(record_task.id, {"recorded": True}, "sjj").status == "completed"
    assert hq.verify() == (1, [])
    assert hq.replay(view.id).ok


@WORLD
def test_commitment_refuses_an_unlisted_policy_or_one_of_another_flow(hq: Engine) -> None:
    """A mistyped or wrong-type number is an error beside the field, never a case that
    closes at once with its reason hidden in the data."""
    for policy_id, error in [
        ("JS-001", "JS-001（一次性吸纳就业补贴）为即申即享事项，不在本流程办理，"
                   "请通过“惠企政策兑现：即申即享”流程申请"),
        ("MS-001", "MS-001（新升规工业企业奖励（入规即享））为免申即享事项，不在本流程办理，"
                   "由政策主管部门主动核定兑付，企业无需申请"),
        ("CN-404", "政策编号“CN-404”未列入《惠企政策清单》，您是否要找：CN-001、CN-002"),
    ]:
        with pytest.raises(InvalidData) as err:
            apply_commitment(hq, policy_id)
        assert err.value.field_errors == {"policy_id": error}
    assert hq.instance_ids() == []


@WORLD
def test_policy_fields_offer_the_policies_of_their_flow(hq: Engine) -> None:
    offered = {key: [p.policy_id for p in hq.policy_choices(hq.start_form(key))["policy_id"]]
               for key in KEYS}
    assert offered == {"subsidy_commitment": ["CN-001", "CN-002"],
                       "subsidy_instant": ["JS-001", "JS-002"],
                       "subsidy_automatic": ["MS-001", "MS-002", "MS-003"]}
    listed = hq.policies()
    assert [p.policy_mode for p in listed].count("承诺兑现") == 2
    assert [p.policy_id for p in hq.policies("市商务局")] == ["JS-002", "CN-002"]
    [cn1] = hq.policies("CN-001")
    assert (cn1.policy_mode, cn1.time_limit_days, cn1.owning_dept) == ("承诺兑现", 15, GXJ)
    assert [p.policy_id for p in hq.policies(mode="即申即享")] == ["JS-001", "JS-002"]


@WORLD
def test_two_cases_of_different_departments_stay_apart(hq: Engine, clock: FixedClock) -> None:
    a = apply_commitment(hq, "CN-001")
    b = apply_commitment(hq, "CN-002")
    clock.advance(timedelta(minutes=5))
    c = hq.start("subsidy_instant", application("JS-002", "一窗"), "chuangkou")
    # each belongs to the department that decides it, whoever filed it (所属单位)
    assert [hq.instance(x.id).data["jurisdiction"] for x in (a, b, c)] == [GXJ, SWJ, SWJ]
    assert {t.instance_id for t in inbox(hq, "gxj")} == {a.id}
    assert {t.instance_id for t in inbox(hq, "swj")} == {b.id, c.id}
    assert inbox(hq, "rsj") == []
    instant = inbox(hq, "swj", process="subsidy_instant")
    assert [t.process_key for t in instant] == ["subsidy_instant"]
    with pytest.raises(PermissionDenied):
        hq.instance(a.id, user="swj")


def test_a_form_with_a_wrong_policy_keyword_is_refused() -> None:
    schema = {"type": "object", "properties": {
        "policy_id": {"type": "string", "x-policy": {"modes": ["先享后审"]}}}}
    [problem] = check_form(json.dumps(schema, indent=1))
    assert str(problem).startswith("line 6: \"x-policy\" of \"policy_id\" must be true or")
    schema["properties"]["policy_id"]["x-policy"] = {"modes": ["承诺兑现"]}
    assert check_form(json.dumps(schema)) == []


def test_an_applicant_does_not_copy_its_own_application(hq: Engine) -> None:
    """The enterprise takes part in its application (it reads it, may comment), but copies
    are sent by the staff who handle it: the page offers no 抄送, and the engine refuses one
    sent through the API."""
    case = hq.start("subsidy_instant", application("JS-002"), "qiye")
    offer = hq.ops.offer(case.id, "qiye")
    assert not offer.may_copy
    with pytest.raises(PermissionDenied) as refused:
        hq.ops.cc(case.id, "qiye", to_user="swj")
    assert refused.value.said.render("zh") == (
        "申请人查阅自己的申请，不抄送；抄送由办理本案的工作人员发起")
    assert [e.type for e in hq.history(case.id)].count("copied") == 0


# -- 退回补正 (一次性告知) -------------------------------------------------------------------

ASKED = "1. 2026年出口信用保险保费发票原件扫描件；\n2. 银行开户许可证。"


@WORLD
def test_missing_materials_go_back_to_the_applicant_and_the_limit_restarts(
        hq: Engine, clock: FixedClock) -> None:
    """退回补正: the department lists at once what is missing; the enterprise that filed
    online gets 补正材料 (no other enterprise sees it), resubmits, and the case is back at
    the same department's 审批, due the policy's working days from the materials' arrival."""
    hq.add_user("qiye_c", ["enterprise"], credit_code="91360200MA35A0001X")
    view = hq.start("subsidy_instant", application("JS-002"), "qiye")
    approve = task(hq, "swj", "approve")
    clock.set(at("2026-10-09T10:00:00+08:00"))
    with pytest.raises(InvalidData) as err:
        hq.complete(approve.id, {"decision": "supplement"}, "swj")
    assert set(err.value.field_errors) == {"supplement_items"}
    hq.complete(approve.id, {"decision": "supplement", "supplement_items": ASKED}, "swj")
    [asked] = inbox(hq, "qiye")
    assert (asked.title, asked.role, asked.assignee, asked.due_at) == (
        "补正材料", "enterprise", "qiye", None)
    assert inbox(hq, "qiye_c") == [] and inbox(hq, "swj") == []
    with pytest.raises(PermissionDenied):
        hq.complete(asked.id, {}, "qiye_c")
    with pytest.raises(Conflict):  # never a pool every enterprise could take it from
        hq.unclaim(asked.id, "qiye")
    # told at once what to supply, on its notice (a 补正通知, no 办理结果) and its 我的申请
    assert [n.kind for n in hq.notifications.for_user("qiye", kind="decided")] == []
    said = next(n.text_in("zh") for n in hq.notifications.for_user("qiye")
                if n.kind == "supplement")
    assert said.endswith(f"材料不全，请一次补齐以下材料后重新提交：{ASKED}")
    [applied] = hq.worklists.applications("qiye")
    assert (applied.outcome, applied.supplement) == (None, ASKED)
    assert task_data(hq, asked)["supplement_items"] == ASKED

    clock.set(at("2026-10-12T10:00:00+08:00"))  # Monday
    with pytest.raises(InvalidData) as err:
        hq.complete(asked.id, {"requested_amount": 36000,
                               "application_summary": "已补齐保费发票"}, "qiye")
    assert set(err.value.field_errors) == {"supplement_note"}
    note = "补交保费发票和开户许可证；申请金额按发票核减为30,000元"
    hq.complete(asked.id, {"requested_amount": 30000, "application_summary": "已补齐保费发票",
                           "supplement_note": note}, "qiye")
    again = task(hq, "swj", "approve")
    # JS-002: 3 working days from the 补正 on Monday 10-12 -> 10-13, 10-14, 10-15
    assert again.due_at == at("2026-10-15T17:30:00+08:00")
    data = hq.instance(view.id).data
    assert data["requested_amount"] == 30000 and data["decision"] == ""
    assert data["supplements"] == [{
        "items": ASKED, "asked_at": "2026-10-09T10:00:00+08:00",
        "answered_at": "2026-10-12T10:00:00+08:00", "note": note}]
    assert hq.worklists.applications("qiye")[0].supplement is None  # supplied
    clock.set(at("2026-10-14T10:00:00+08:00"))
    hq.complete(again.id, {"decision": "approve", "approved_amount": 30000}, "swj")
    data = hq.instance(view.id).data
    assert (data["approval_due"], data["approval_on_time"]) == ("2026-10-15T17:30:00+08:00", True)
    assert task(hq, "swj", "pay").due_at == at("2026-10-15T17:30:00+08:00")
    assert hq.verify() == (1, [])
    assert hq.replay(view.id).ok


@WORLD
def test_what_the_window_filed_is_supplied_through_the_window(hq: Engine) -> None:
    """The clerk who took the application in is asked for the materials, as the enterprise
    is for its own; 承诺兑现's 出具审批结果 asks the same way and gets the case back."""
    view = apply_commitment(hq, "CN-002", "chuangkou")
    hq.complete(task(hq, "swj", "review").id, REVIEW, "swj")
    decide = task(hq, "swj", "decide")
    hq.complete(decide.id, {"decision": "supplement", "supplement_items": ASKED}, "swj")
    [asked] = inbox(hq, "chuangkou")
    assert (asked.title, asked.assignee) == ("补正材料", "chuangkou")
    assert inbox(hq, "qiye") == []  # filed by the window: the window supplies
    hq.complete(asked.id, {"requested_amount": 800000, "application_summary": "已补齐",
                           "supplement_note": "补交银行开户许可证"}, "chuangkou")
    assert [t.name for t in hq.instance(view.id).tasks] == ["decide"]


# -- 撤回申请 --------------------------------------------------------------------------------


@WORLD
def test_the_applicant_withdraws_its_application_before_a_decision(
        hq: Engine, clock: FixedClock) -> None:
    """Only its applicant (who filed it, or the enterprise it was filed for), only with a
    reason, only while it awaits a decision (审批 or its own 补正); recorded in the history."""
    hq.add_user("qiye_c", ["enterprise"], credit_code="91360200MA35A0001X")
    view = hq.start("subsidy_instant", application("JS-002"), "qiye")
    assert hq.ops.may_withdraw_application(view.id, "qiye")
    assert not hq.ops.may_withdraw_application(view.id, "swj")
    with pytest.raises(NotFound):  # another enterprise does not even read it
        hq.ops.withdraw_application(view.id, "qiye_c", "不需要了")
    with pytest.raises(PermissionDenied):
        hq.ops.withdraw_application(view.id, "swj", "不需要了")
    with pytest.raises(InvalidData):
        hq.ops.withdraw_application(view.id, "qiye", "  ")
    clock.set(at("2026-10-08T09:00:00+08:00"))
    done = hq.ops.withdraw_application(view.id, "qiye", "已另行申请同类政策，撤回本申请")
    assert done.status == "cancelled" and done.tasks == []
    [last] = hq.history(view.id)[-1:]
    assert (last.type, last.user, last.payload["reason"], last.payload["by_applicant"]) == (
        "terminated", "qiye", "已另行申请同类政策，撤回本申请", True)
    assert not hq.ops.may_withdraw_application(view.id, "qiye")
    assert hq.replay(view.id).ok

    # filed by the window: the enterprise it was filed for may withdraw it, while it waits
    # for its 补正 too; once approved it may not
    filed = hq.start("subsidy_instant", application("JS-002", "一窗"), "chuangkou")
    approve = next(t for t in inbox(hq, "swj") if t.instance_id == filed.id)
    hq.complete(approve.id, {"decision": "supplement", "supplement_items": ASKED}, "swj")
    hq.add_user("qiye_a", ["enterprise"], credit_code=application("JS-002")["credit_code"])
    assert hq.ops.may_withdraw_application(filed.id, "qiye_a")
    assert hq.ops.may_withdraw_application(filed.id, "chuangkou")
    assert not hq.ops.may_withdraw_application(filed.id, "qiye")  # no code: not its case
    [asked] = inbox(hq, "chuangkou")
    hq.complete(asked.id, {"requested_amount": 36000, "application_summary": "已补齐",
                           "supplement_note": "补交发票"}, "chuangkou")
    again = next(t for t in inbox(hq, "swj") if t.instance_id == filed.id)
    hq.complete(again.id, {"decision": "approve", "approved_amount": 36000}, "swj")
    assert not hq.ops.may_withdraw_application(filed.id, "qiye_a")
    with pytest.raises(Conflict):
        hq.ops.withdraw_application(filed.id, "qiye_a", "不需要了")
