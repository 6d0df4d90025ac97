"""免申即享 as the enterprise sees it: each enterprise of a batch follows its own item (我的申请,
its payout, its own 兑付通知书) and never reads the batch's case, the other enterprises' names
and amounts, or the department's basis (engine/queries/own_payouts.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import CaseHidden, Conflict, NotFound, PermissionDenied
from engine.storage import migrate
from engine.time.clock import FixedClock
from engine.views import InstanceView
from tests.conftest import diagram_files, seeded, seeded_with
from tests.process_helpers import at, docx_text, inbox, task
from tests.test_process_subsidies import GXJ, THREE, payout_for, start_batch, subsidy_world
from tests.test_visibility_credit_codes import plan

JIA, YI, BING = THREE
OUTSIDER = "91360200MA35B0002Q"  # an enterprise no batch lists
BEFORE = "c8e2f4a6b0d3"  # the revision before tasks.credit_code


def own_world(engine: Engine) -> None:
    """The subsidy flows, and a user for two of THREE's enterprises and for one outside."""
    subsidy_world(engine)
    engine.add_user("jia", ["enterprise"], credit_code=JIA["credit_code"])
    engine.add_user("yi", ["enterprise"], credit_code=YI["credit_code"])
    engine.add_user("wai", ["enterprise"], credit_code=OUTSIDER)


OWN = seeded(own_world)


@pytest.fixture
def world(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    if not seeded_with(request, OWN):
        own_world(engine)
    return engine


def confirmed(engine: Engine, listed: list[dict[str, Any]] | None = None) -> InstanceView:
    """A batch of 市工信局 whose list is confirmed: a payout task per enterprise."""
    view = start_batch(engine)
    engine.complete(task(engine, "gxj", "confirm_enterprises").id,
                    {"enterprises": THREE if listed is None else listed,
                     "confirmation_basis": "统计部门共享的新入规企业名单（内部比对）"}, "gxj")
    return view


def pay(engine: Engine, enterprise: dict[str, Any], voucher: str, **extra: Any) -> None:
    [payout] = [t for t in inbox(engine, "gxj") if t.name == "pay_enterprise"
                and t.title.endswith(f"（{enterprise['name']}）")]
    data = payout_for(enterprise, "2026-09-30", voucher)
    data["enterprise"].update(extra)
    engine.complete(payout.id, data, "gxj")


def others_of(enterprise: dict[str, Any]) -> list[str]:
    """What must never reach ``enterprise``: the other enterprises' names and codes."""
    return [str(e[k]) for e in THREE if e is not enterprise for k in ("name", "credit_code")]


@OWN
def test_each_enterprise_lists_its_own_item_of_a_batch_it_never_applied_for(
        world: Engine, clock: FixedClock) -> None:
    view = confirmed(world)
    [mine] = world.worklists.applications("jia")
    assert mine.payout is not None and mine.case.instance_id == view.id
    assert (mine.case.business_key, mine.case.subject, mine.case.open_tasks) == (
        view.business_key, view.data["policy_name"], ())
    assert (mine.payout.status, mine.payout.name, mine.payout.approved) == (
        "open", JIA["name"], JIA["amount"])
    assert mine.payout.due_at == at("2026-10-08T17:30:00+08:00")  # 1 working day, after 国庆
    assert (mine.outcome, mine.paid_amount) == (None, None)

    clock.set(at("2026-10-08T10:00:00+08:00"))
    pay(world, JIA, "PZ-1", paid_amount=95000.5, notice_text="请贵单位财务核对到账情况。")
    [mine] = world.worklists.applications("jia")
    assert mine.payout is not None
    assert (mine.payout.status, mine.payout.paid, mine.payout.paid_on, mine.payout.voucher,
            mine.payout.notice_text) == ("paid", 95000.5, "2026-09-30", "PZ-1",
                                         "请贵单位财务核对到账情况。")
    assert (mine.outcome, mine.paid_amount) == ("已兑付", 95000.5)
    assert mine.case.updated_at == at("2026-10-08T10:00:00+08:00")
    [theirs] = world.worklists.applications("yi")
    assert theirs.payout is not None and theirs.payout.status == "open"
    assert world.worklists.applications("wai") == []  # listed in no batch

    answer = json.dumps([a.as_json() for a in world.worklists.applications("jia")],
                        ensure_ascii=False)
    for other in [*others_of(JIA), "80000.5", "280000.5", "内部比对", "gxj", "PZ-0"]:
        assert other not in answer, other
    assert "95000.5" in answer and JIA["credit_code"] in answer


@OWN
def test_the_payout_is_the_enterprises_alone_and_another_enterprise_finds_none(
        world: Engine) -> None:
    view = confirmed(world)
    pay(world, JIA, "PZ-1")
    [mine] = world.own_payouts.in_batch(view.id, "jia")
    assert (mine.name, mine.credit_code, mine.department, mine.policy_id, mine.status,
            mine.eligibility_fact) == (JIA["name"], JIA["credit_code"], GXJ, "MS-001",
                                       "paid", JIA["eligibility_fact"])
    assert mine.letter is not None and mine.letter.doc_no == "景惠企兑〔2026〕1号"
    with pytest.raises(CaseHidden):
        world.own_payouts.in_batch(view.id, "wai")  # another enterprise: no such case
    with pytest.raises(NotFound):
        world.own_payouts.in_batch(view.id + 99, "jia")
    for staff in ("gxj", "swj", "sjj", "chuangkou"):  # the department too uses the case
        with pytest.raises(PermissionDenied) as refused:
            world.own_payouts.in_batch(view.id, staff)
        assert not isinstance(refused.value, NotFound)
    with pytest.raises(PermissionDenied):
        world.instance(view.id, "jia")  # the batch's case stays closed to it
    assert world.own_payouts.of("gxj") == []


@OWN
def test_each_paid_enterprise_gets_a_letter_of_its_own(world: Engine) -> None:
    view = confirmed(world)
    [waiting] = world.own_payouts.in_batch(view.id, "yi")
    assert waiting.letter is None
    pay(world, JIA, "PZ-1")
    pay(world, YI, "PZ-2", paid_amount=99000)
    [jia], [yi] = (world.own_payouts.in_batch(view.id, u) for u in ("jia", "yi"))
    assert jia.letter and yi.letter
    assert (jia.letter.doc_no, yi.letter.doc_no) == ("景惠企兑〔2026〕1号", "景惠企兑〔2026〕2号")
    assert jia.letter.name == (f"兑付通知书-{view.business_key}-{JIA['name']}-"
                               "景惠企兑〔2026〕1号.docx")
    letter = docx_text(world.dossier.content(world.own_payouts.letter(
        view.id, yi.letter.sha256, "yi")))
    assert f"{YI['name']}（统一社会信用代码：{YI['credit_code']}）" in letter
    assert "兑付资金99,000.00元已于2026年9月30日拨付" in letter and "PZ-2" in letter
    assert "免申即享" in letter and "无需申请" in letter and "市工业和信息化局" in letter
    for other in [*others_of(YI), "PZ-1", "内部比对"]:
        assert other not in letter, other
    with pytest.raises(NotFound):  # the other enterprise's letter is not its to read
        world.own_payouts.letter(view.id, jia.letter.sha256, "yi")
    with pytest.raises(CaseHidden):
        world.own_payouts.letter(view.id, jia.letter.sha256, "wai")
    # the department finds every letter among the batch's files, and issues none by hand
    files = [f for f in world.dossier.files(view.id, "gxj") if f.document == "mianshen_duifu"]
    assert len(files) == 2
    assert "mianshen_duifu" not in {t.key for t in world.dossier.templates(view.id, "gxj")}
    with pytest.raises(Conflict):
        world.dossier.issue(view.id, "mianshen_duifu", "gxj")


@OWN
def test_an_enterprise_listed_twice_follows_both_items(world: Engine) -> None:
    view = confirmed(world, [JIA, YI, {**JIA, "amount": 5000}])
    [first, second] = world.own_payouts.in_batch(view.id, "jia")
    assert (first.approved, second.approved) == (JIA["amount"], 5000)
    assert len([a for a in world.worklists.applications("jia") if a.payout]) == 2


@OWN
def test_the_paid_notice_opens_the_enterprises_own_payout(world: Engine) -> None:
    view = confirmed(world)
    pay(world, JIA, "PZ-1")
    [note] = world.notifications.for_user("jia")
    assert (note.kind, note.instance_id, note.subject) == ("decided", view.id, None)
    assert world.notifications.for_user("yi") == []


@OWN
def test_the_enterprises_items_are_found_by_the_index(world: Engine) -> None:
    """我的申请 finds an enterprise's items by ``ix_tasks_credit_code``: no batch is read
    but those that list it."""
    confirmed(world)
    shown = plan(world, lambda: world.worklists.applications("jia"), "credit_code")
    if world.db.dialect.name == "sqlite":
        assert "USING INDEX ix_tasks_credit_code (credit_code=?)" in shown, shown
        assert "SCAN tasks" not in shown, shown
    else:
        assert "ix_tasks_credit_code" in shown and "Seq Scan" not in shown, shown


@OWN
def test_the_migration_fills_the_codes_of_the_payouts_there_are(world: Engine) -> None:
    view = confirmed(world)
    migrate.downgrade(world.db, BEFORE)
    migrate.upgrade(world.db)
    with world.db.connect() as conn:
        found = conn.execute(text("SELECT item_index, credit_code FROM tasks WHERE "
                                  "instance_id = :i AND element_id = 'pay_enterprise'"),
                             {"i": view.id}).all()
    assert sorted(found) == [(n, e["credit_code"]) for n, e in enumerate(THREE)]
    assert [a.payout.name for a in world.worklists.applications("jia") if a.payout] == [
        JIA["name"]]


def test_a_per_item_letter_needs_a_multi_instance_step(engine: Engine) -> None:
    """The 兑付通知书 is one enterprise's: on a step without items it would be nobody's."""
    files = []
    for file in diagram_files("approval.bpmn"):
        if file.name == "approval.bpmn":
            file = SourceFile(file.name, file.content.replace(
                'camunda:dueDate="same_day_close()" />\n    <bpmn:sequenceFlow id="f2"',
                'camunda:dueDate="same_day_close()"><bpmn:extensionElements>'
                '<camunda:properties><camunda:property name="document" '
                'value="mianshen_duifu" /></camunda:properties></bpmn:extensionElements>'
                '</bpmn:userTask>\n    <bpmn:sequenceFlow id="f2"', 1))
            assert "mianshen_duifu" in file.content
        files.append(file)
    problems = engine.validate(files).problems
    assert [(p.element, p.said.key) for p in problems] == [
        ("propose", "bpmn.document_per_item")]
