"""Instance migration (engine/runtime/migration.py): running ``clue_triage`` cases move to a
compatible new version (a new optional form field, a changed approval deadline) and keep
their task ids and timers; an incompatible version (a READY task removed, a task changed type,
a running subprocess removed) is refused with the reason; dry runs change nothing; migrated
cases replay; ``kuaiban migrate KEY --to VERSION [--instance ID] [--dry-run]``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from engine.api import Engine
from engine.cli import main
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.messages import Msg
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

ROOT = Path(__file__).resolve().parent.parent
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
FULIANG = "浮梁县纪委监委"
APPROVE_DUE = 'camunda:formKey="clue_approve" camunda:dueDate="same_day_close()"'
REGISTRATION: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "某县行政审批局", "accused_person": "张某(科长)",
    "problem_type": "推诿拖延刁难", "summary": "企业办理施工许可被要求补充清单外材料。",
    "owner": "li",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- versions of clue_triage -----------------------------------------------------------------


def clue_files(bpmn: str | None = None, approve_form: dict[str, Any] | None = None
               ) -> list[SourceFile]:
    """clue_triage + city_escalation and their forms, optionally with another clue_triage
    text or another approval form."""
    paths = [ROOT / "processes" / "clue_triage.bpmn", ROOT / "processes" / "city_escalation.bpmn"]
    paths += sorted((ROOT / "forms").glob("clue_*.json"))
    paths += sorted((ROOT / "forms").glob("escalation_*.json"))
    files = []
    for p in paths:
        text = p.read_text(encoding="utf-8")
        if p.name == "clue_triage.bpmn" and bpmn is not None:
            text = bpmn
        if p.name == "clue_approve.json" and approve_form is not None:
            text = json.dumps(approve_form, ensure_ascii=False, indent=2)
        files.append(SourceFile(str(p.relative_to(ROOT)), text))
    return files


def clue_bpmn() -> str:
    return (ROOT / "processes" / "clue_triage.bpmn").read_text(encoding="utf-8")


def with_approval_deadline(expression: str) -> str:
    text = clue_bpmn()
    assert APPROVE_DUE in text
    new = f'camunda:formKey="clue_approve" camunda:dueDate="{expression}"'
    return text.replace(APPROVE_DUE, new)


def approve_form_with_note() -> dict[str, Any]:
    form: dict[str, Any] = json.loads((ROOT / "forms" / "clue_approve.json").read_text("utf-8"))
    form["properties"]["approve_note"] = {"type": "string", "title": "备注(选填)"}
    return form


def edit(text: str, change: Any) -> str:
    root = etree.fromstring(text.encode("utf-8"))
    change(root)
    return etree.tostring(root, encoding="unicode")


def by_id(root: etree._Element, element_id: str) -> etree._Element:
    (found,) = [n for n in root.iter() if n.get("id") == element_id]
    return found


def drop(root: etree._Element, *ids: str) -> None:
    """Remove elements, their lane references and their diagram shapes and edges."""
    for node in list(root.iter()):
        if node.get("id") in ids or node.get("bpmnElement") in ids or (
                node.tag == BPMN + "flowNodeRef" and (node.text or "").strip() in ids):
            node.getparent().remove(node)


def without_approval(root: etree._Element) -> None:
    """No approval any more: the proposal decides the disposal by itself."""
    drop(root, "approve", "f_approve", "gw_approved", "f_sent_back", "f_approved",
         "record_approval", "f_recorded")
    by_id(root, "f_propose").set("targetRef", "gw_disposal")


def approval_as_manual_task(root: etree._Element) -> None:
    by_id(root, "approve").tag = BPMN + "manualTask"


# -- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def clues(engine: Engine) -> Engine:
    engine.deploy(clue_files())
    for name, roles, unit in [("li", ["intake"], None), ("wang", ["approver"], None),
                              ("zhao", ["handler"], FULIANG), ("sun", ["case_manager"], None),
                              ("zhou", ["supervision_office"], None),
                              ("ma", ["designer"], None)]:
        engine.add_user(name, roles, unit=unit)
    return engine


def open_task(engine: Engine, instance_id: int, name: str) -> Any:
    (found,) = [t for t in engine.instance(instance_id).tasks if t.name == name]
    return found


def do(engine: Engine, instance_id: int, name: str, user: str,
       data: dict[str, Any] | None = None) -> None:
    engine.complete(open_task(engine, instance_id, name).id, data or {}, user)


PROPOSAL = {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "反映问题具体。"}


def open_cases(engine: Engine, clock: FixedClock) -> tuple[int, int, int]:
    """Three cases registered 2026-09-30 16:00: one at the approval, one at the proposal, one
    transferred and in handling with its first weekly follow-up open (on 2026-10-08)."""
    at_approval = engine.start("clue_triage", REGISTRATION, "li").id
    do(engine, at_approval, "propose", "li", PROPOSAL)
    at_proposal = engine.start("clue_triage", REGISTRATION, "li").id
    handling = engine.start("clue_triage", REGISTRATION, "li").id
    do(engine, handling, "propose", "li", PROPOSAL)
    do(engine, handling, "approve", "wang", {"approved": True})
    do(engine, handling, "transfer", "li", {"transfer_note": "请优先核查"})
    clock.set(at("2026-10-08T09:00:00+08:00"))
    engine.timers.fire_due()
    assert sorted(t.name for t in engine.instance(handling).tasks) == ["follow_up", "verify"]
    return at_approval, at_proposal, handling


def weekly(engine: Engine, instance_id: int) -> list[datetime]:
    return [t.due_at for t in engine.timers.pending()
            if t.instance_id == instance_id and t.element_id == "weekly"]


def english(reasons: list[Msg]) -> list[str]:
    return [reason.english for reason in reasons]


def task_ids(engine: Engine, instance_id: int) -> dict[str, str]:
    return {t.name: t.id for t in engine.instance(instance_id).tasks}


# -- compatible changes ----------------------------------------------------------------------


def test_new_deadline_and_optional_field_move_every_open_case(clues: Engine,
                                                              clock: FixedClock) -> None:
    a, b, c = open_cases(clues, clock)
    before = {i: task_ids(clues, i) for i in (a, b, c)}
    follow_ups = weekly(clues, c)
    assert follow_ups == [at("2026-10-14T16:00:00+08:00")]
    approval = open_task(clues, a, "approve")
    assert approval.due_at == at("2026-09-30T17:30:00+08:00")
    # the approval is now due at the close of the next working day, and takes a note
    deployed = clues.deploy(clue_files(with_approval_deadline("workday_close(1, start=day_start)"),
                                       approve_form_with_note()))
    assert ("clue_triage", 2, True) in [(d.key, d.version, d.created) for d in deployed]
    # v1 cases do not take the new field until they move
    with pytest.raises(InvalidData):
        clues.complete(approval.id, {"approved": True, "approve_note": "x"}, "wang")

    dry = clues.migrate_instances("clue_triage", dry_run=True)
    assert (dry.key, dry.to_version, dry.dry_run) == ("clue_triage", 2, True)
    assert [(o.instance_id, o.status) for o in dry.outcomes] == [
        (a, "can migrate"), (b, "can migrate"), (c, "can migrate")]
    assert dry.outcomes[0].changes == [
        'approve: due 2026-09-30T17:30+08:00 → 2026-10-08T17:30+08:00; form "clue_approve" '
        "changed"]
    assert [clues.instance(i).version for i in (a, b, c)] == [1, 1, 1]  # nothing moved
    assert [e.type for e in clues.history(a)] == ["started", "completed"]

    report = clues.migrate_instances("clue_triage", to_version=2)
    assert [(o.instance_id, o.status, o.from_version, o.to_version) for o in report.outcomes] \
        == [(a, "migrated", 1, 2), (b, "migrated", 1, 2), (c, "migrated", 1, 2)]
    for i in (a, b, c):
        view = clues.instance(i)
        assert view.version == 2 and view.status == "running"
        assert task_ids(clues, i) == before[i]  # the same tasks, the same ids
        event = clues.history(i)[-1]
        assert event.type == "migrated" and event.user == "system"
        assert (event.payload["from_version"], event.payload["to_version"]) == (1, 2)
        assert event.payload["from_version_id"] != event.payload["to_version_id"]
        assert clues.replay(i).ok
    # the open approval has the new deadline (as of when it arrived: next working day 10-08)
    assert open_task(clues, a, "approve").due_at == at("2026-10-08T17:30:00+08:00")
    assert weekly(clues, c) == follow_ups  # the weekly follow-ups keep their rhythm
    assert clues.migrate_instances("clue_triage").outcomes == []  # nobody left behind

    # the moved cases carry on under version 2 and still replay
    clues.complete(open_task(clues, a, "approve").id,
                   {"approved": True, "approve_note": "按期转办"}, "wang")
    do(clues, a, "transfer", "li")
    do(clues, b, "propose", "li", PROPOSAL)
    # (day_start is the registration, 2026-09-30: the next working day is 2026-10-08)
    assert open_task(clues, b, "approve").due_at == at("2026-10-08T17:30:00+08:00")
    do(clues, c, "follow_up", "sun", {"progress": "已督促"})
    do(clues, c, "verify", "zhao", {"verify_result": "属实", "verify_facts": "属实",
                                    "fault_tolerance_claimed": False})
    clock.set(at("2026-10-15T09:00:00+08:00"))
    clues.timers.fire_due()
    assert sorted(t.name for t in clues.instance(c).tasks) == ["follow_up", "outcome"]
    for i in (a, b, c):
        assert clues.replay(i).ok, clues.replay(i).message
    assert clues.instance(a).data["approve_note"] == "按期转办"


def test_time_travel_crosses_the_migration(clues: Engine, clock: FixedClock) -> None:
    a, _, _ = open_cases(clues, clock)
    clues.deploy(clue_files(with_approval_deadline("workday_close(1, start=day_start)")))
    clues.migrate_instances("clue_triage", instance_id=a)
    events = clues.history(a)
    assert [e.type for e in events] == ["started", "completed", "migrated"]
    before = clues.state_at(a, 2)
    after = clues.state_at(a, 3)
    assert [t["name"] for t in before.open_tasks] == [t["name"] for t in after.open_tasks] == [
        "approve"]
    assert before.open_tasks[0]["id"] == after.open_tasks[0]["id"]


def test_a_changed_waiting_timer_starts_again_unchanged_ones_keep_their_time(
        people: Engine, clock: FixedClock) -> None:
    people.deploy(diagram_files("timers.bpmn", "multi.bpmn"))
    case = people.start("timers", {"unit": "浮梁县纪委监委"}, "zhao").id
    items = people.start("multi", {}, "li").id
    clock.advance(timedelta(days=3))
    due = {t.element_id: t.due_at for t in people.timers.pending() if t.instance_id == case}
    assert due == {"weekly": at("2026-10-07T16:00:00+08:00"),
                   "deadline": at("2026-11-29T16:00:00+08:00")}
    files = diagram_files("timers.bpmn", "multi.bpmn")
    files = [SourceFile(f.name, f.content.replace("'P60D'", "'P30D'")
                        .replace('name="每个单位"', 'name="逐一核对"')) for f in files]
    people.deploy(files)
    for key in ("timers", "multi"):
        assert [o.status for o in people.migrate_instances(key).outcomes] == ["migrated"]
    moved = {t.element_id: t.due_at for t in people.timers.pending() if t.instance_id == case}
    # the changed deadline counts from the migration (2026-10-03 16:00), the cycle is untouched
    assert moved == {"weekly": due["weekly"], "deadline": at("2026-11-02T16:00:00+08:00")}
    # multi-instance items keep their own data; the titles follow the new version, each
    # naming its item
    tasks = people.instance(items).tasks
    assert sorted(t.title for t in tasks) == ["逐一核对（a）", "逐一核对（b）"]
    assert sorted(people.task_data(t.id, "li")["item"] for t in tasks) == ["a", "b"]
    for t in tasks:
        people.complete(t.id, {}, "li")
    assert people.instance(items).status == "completed"
    assert people.replay(case).ok and people.replay(items).ok


# -- incompatible changes ----------------------------------------------------------------------


def test_a_removed_ready_task_keeps_the_case_where_it_is(clues: Engine,
                                                         clock: FixedClock) -> None:
    a, b, _ = open_cases(clues, clock)
    clues.deploy(clue_files(edit(clue_bpmn(), without_approval)))
    dry = clues.migrate_instances("clue_triage", to_version=2, dry_run=True)
    by_case = {o.instance_id: o for o in dry.outcomes}
    assert by_case[a].status == "cannot migrate"
    assert english(by_case[a].reasons) == [
        'READY task "approve" (审批处置意见) is not in version 2']
    assert by_case[b].status == "can migrate"  # the approval was only planned for b
    assert [e.type for e in clues.history(a)] == ["started", "completed"]

    report = clues.migrate_instances("clue_triage", to_version=2)
    assert {o.instance_id: o.status for o in report.outcomes}[a] == "cannot migrate"
    assert report.refused[0].reasons == by_case[a].reasons
    assert clues.instance(a).version == 1
    assert [e.type for e in clues.history(a)] == ["started", "completed"]
    assert clues.instance(b).version == 2
    # the case left behind still works on version 1; b follows version 2 (no approval)
    do(clues, a, "approve", "wang", {"approved": True})
    assert "transfer" in task_ids(clues, a)
    do(clues, b, "propose", "li", {**PROPOSAL, "disposal": "直接核查"})
    assert sorted(task_ids(clues, b)) == ["verify"]


def test_a_task_that_changed_type_is_refused(clues: Engine, clock: FixedClock) -> None:
    a, _, _ = open_cases(clues, clock)
    clues.deploy(clue_files(edit(clue_bpmn(), approval_as_manual_task)))
    (outcome,) = clues.migrate_instances("clue_triage", instance_id=a, dry_run=True).outcomes
    assert outcome.status == "cannot migrate"
    assert english(outcome.reasons) == ['READY task "approve" (审批处置意见) changed type '
                               "(user task → manual task)"]


def test_a_passed_element_still_in_the_live_tree_is_refused(clues: Engine,
                                                             clock: FixedClock) -> None:
    a, _, c = open_cases(clues, clock)

    def without_ledger_copy(root: etree._Element) -> None:
        drop(root, "throw_copy", "f_marked")
        by_id(root, "f_handle").set("sourceRef", "mark_transferred")

    clues.deploy(clue_files(edit(clue_bpmn(), without_ledger_copy)))
    outcomes = {o.instance_id: o for o in clues.migrate_instances("clue_triage").outcomes}
    assert outcomes[a].status == "migrated"  # a has not reached the copy yet
    assert (outcomes[c].status, english(outcomes[c].reasons)) == ("cannot migrate", [
        '"throw_copy" (台账抄送党风政风监督室), which the case has passed, is not in version 2 '
        "and is still part of the case's live task tree"])


SUBPROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://x">
  <bpmn:process id="nested" name="嵌套" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L" name="受理员">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>first</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>{middle}</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="first" />
    <bpmn:userTask id="first" name="第一步" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="{middle}" />
    {body}
    <bpmn:sequenceFlow id="f3" sourceRef="{middle}" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""
WITH_SUB = SUBPROCESS.format(middle="sub", body="""<bpmn:subProcess id="sub" name="子流程">
      <bpmn:startEvent id="ss" /><bpmn:sequenceFlow id="sf1" sourceRef="ss" targetRef="inner" />
      <bpmn:userTask id="inner" name="内部" />
      <bpmn:sequenceFlow id="sf2" sourceRef="inner" targetRef="se" /><bpmn:endEvent id="se" />
    </bpmn:subProcess>""")
WITHOUT_SUB = SUBPROCESS.format(middle="flat", body='<bpmn:userTask id="flat" name="平铺" />')


def test_a_running_subprocess_that_was_removed_is_refused(people: Engine) -> None:
    people.deploy([SourceFile("nested.bpmn", WITH_SUB)])
    inside = people.start("nested", {}, "li").id
    people.complete(open_task(people, inside, "first").id, {}, "li")
    before = people.start("nested", {}, "li").id
    people.deploy([SourceFile("nested.bpmn", WITHOUT_SUB)])
    report = people.migrate_instances("nested")
    outcomes = {o.instance_id: o for o in report.outcomes}
    assert outcomes[before].status == "migrated"  # the subprocess was only planned
    assert outcomes[inside].status == "cannot migrate"
    assert english(outcomes[inside].reasons) == [
        # SpiffWorkflow aligns "flat" with "sub" (same place in the flow): a type change
        'STARTED task "sub" (子流程) changed type (subprocess or call activity → user task)',
        'running subprocess "sub" is not in version 2',
    ]
    people.complete(open_task(people, before, "first").id, {}, "li")
    assert [t.name for t in people.instance(before).tasks] == ["flat"]


# -- rollback, selection, permissions ----------------------------------------------------------


def test_redeploying_old_content_is_the_rollback(clues: Engine, clock: FixedClock) -> None:
    a, _, _ = open_cases(clues, clock)
    clues.deploy(clue_files(with_approval_deadline("workday_close(3, start=day_start)")))
    clues.migrate_instances("clue_triage", instance_id=a)
    # third working day after 2026-09-30: 10-08, 10-09, Saturday 10-10 (an adjusted working day)
    assert open_task(clues, a, "approve").due_at == at("2026-10-10T17:30:00+08:00")
    # roll back: the old files again make version 3, the newest; move the case there
    deployed = clues.deploy(clue_files())
    assert ("clue_triage", 3, True) in [(d.key, d.version, d.created) for d in deployed]
    report = clues.migrate_instances("clue_triage", instance_id=a)
    assert [(o.from_version, o.to_version, o.status) for o in report.outcomes] == [
        (2, 3, "migrated")]
    assert open_task(clues, a, "approve").due_at == at("2026-09-30T17:30:00+08:00")
    assert [e.type for e in clues.history(a)][-2:] == ["migrated", "migrated"]
    assert clues.replay(a).ok
    new = clues.start("clue_triage", REGISTRATION, "li")
    assert new.version == 3


def test_selection_skips_and_errors(clues: Engine, clock: FixedClock) -> None:
    a, _, _ = open_cases(clues, clock)
    (same,) = clues.migrate_instances("clue_triage", to_version=1, instance_id=a).outcomes
    assert (same.status, english(same.reasons)) == ("skipped", ["already on version 1"])
    with pytest.raises(NotFound, match="no version 7"):
        clues.migrate_instances("clue_triage", to_version=7)
    with pytest.raises(NotFound, match="no process"):
        clues.migrate_instances("no_such_process")
    with pytest.raises(NotFound, match="no instance"):
        clues.migrate_instances("clue_triage", instance_id=999)
    copy = [i for i in clues.instance_ids() if clues.instance(i).process_key != "clue_triage"]
    with pytest.raises(InvalidData, match="not a clue_triage case"):
        clues.migrate_instances("clue_triage", instance_id=copy[0])
    with pytest.raises(PermissionDenied):
        clues.migrate_instances("clue_triage", user="wang")
    report = clues.migrate_instances("clue_triage", to_version=1, dry_run=True, user="ma")
    assert report.outcomes == []  # every running case is on version 1 already


def test_only_the_chosen_versions_cases_move(clues: Engine, clock: FixedClock) -> None:
    on_one = clues.start("clue_triage", REGISTRATION, "li").id
    clues.deploy(clue_files(with_approval_deadline("workday_close(3, start=day_start)")), "ma")
    on_two = clues.start("clue_triage", REGISTRATION, "li").id
    clues.deploy(clue_files(with_approval_deadline("workday_close(5, start=day_start)")), "ma")
    report = clues.migrate_instances("clue_triage", dry_run=True, from_version=2, user="ma")
    assert [(o.instance_id, o.status) for o in report.outcomes] == [(on_two, "can migrate")]
    report = clues.migrate_instances("clue_triage", from_version=1, user="ma")
    assert [(o.instance_id, o.status) for o in report.outcomes] == [(on_one, "migrated")]
    assert (clues.instance(on_one).version, clues.instance(on_two).version) == (3, 2)
    with pytest.raises(NotFound, match="no version 9"):
        clues.migrate_instances("clue_triage", from_version=9)


def test_each_version_names_its_deployer_and_counts_its_cases(clues: Engine,
                                                              clock: FixedClock) -> None:
    clues.add_user("deng", ["designer"], display_name="邓设计")
    ended = clues.start("clue_triage", REGISTRATION, "li").id
    clues.start("clue_triage", REGISTRATION, "li")
    clues.ops.terminate(ended, "sun", "重复登记")
    clues.deploy(clue_files(with_approval_deadline("workday_close(3, start=day_start)")), "deng")
    clues.start("clue_triage", REGISTRATION, "li")
    summaries = clues.version_summaries("clue_triage")
    assert [(s.version, s.deployed_by, s.deployer_name, s.open_cases, s.finished_cases)
            for s in summaries] == [(1, None, None, 1, 1), (2, "deng", "邓设计", 1, 0)]
    assert clues.version_summaries("no_such_process") == []


# -- the command line --------------------------------------------------------------------------


def test_kuaiban_migrate_dry_run_then_one_case_then_all(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(main, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.output)
        return result

    v1 = tmp_path / "v1"
    v2 = tmp_path / "v2"
    for folder, bpmn in ((v1, clue_bpmn()), (v2, edit(clue_bpmn(), without_approval))):
        for f in clue_files(bpmn):
            path = folder / f.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f.content, encoding="utf-8")
    run("deploy", str(v1 / "processes"), str(v1 / "forms"))
    run("users", "add", "li", "--role", "intake")
    at_approval = run("start", "clue_triage", "--data", json.dumps(REGISTRATION),
                      "--as", "li").stdout.strip()
    (propose,) = json.loads(run("tasks", "--instance", at_approval, "--json").stdout)
    run("complete", propose["id"], "--data", json.dumps(PROPOSAL), "--as", "li")
    at_proposal = run("start", "clue_triage", "--data", json.dumps(REGISTRATION),
                      "--as", "li").stdout.strip()
    assert "clue_triage 2" in run("deploy", str(v2 / "processes"), str(v2 / "forms")).stdout

    dry = run("migrate", "clue_triage", "--to", "2", "--dry-run", code=1)
    assert dry.stdout.splitlines() == [
        f"#{at_approval} ZF-2026-000001 v1 → v2: cannot migrate",
        '    READY task "approve" (审批处置意见) is not in version 2',
        f"#{at_proposal} ZF-2026-000002 v1 → v2: can migrate",
    ]
    assert "2 case(s): 1 can migrate, 1 cannot migrate" in dry.stderr
    assert "v1" in run("show", at_proposal).stdout.splitlines()[0]  # nothing moved

    one = run("migrate", "clue_triage", "--to", "2", "--instance", at_proposal)
    assert one.stdout.splitlines() == [f"#{at_proposal} ZF-2026-000002 v1 → v2: migrated"]
    assert "clue_triage v2" in run("show", at_proposal).stdout.splitlines()[0]
    history = run("history", at_proposal, "--json").stdout
    assert [e["type"] for e in json.loads(history)] == ["started", "migrated"]
    assert "history and state agree" in run("replay", at_proposal).stdout

    report = json.loads(run("migrate", "clue_triage", "--to", "2", "--json", code=1).stdout)
    assert [(o["instance_id"], o["status"]) for o in report["outcomes"]] == [
        (int(at_approval), "cannot migrate")]
    on_v1 = json.loads(run("migrate", "clue_triage", "--from", "1", "--dry-run", "--json",
                           code=1).stdout)
    assert [o["instance_id"] for o in on_v1["outcomes"]] == [int(at_approval)]
    assert "0 case(s)" in run("migrate", "clue_triage", "--from", "2", "--dry-run").stderr
    assert 'error: process "no_such" has no version 1' in run("migrate", "no_such", "--to", "1",
                                                              code=1).stderr
    from engine import cli

    if cli._schema_migrate is not None:  # without KEY: the database schema command
        assert "schema at" in run("migrate", "--check").stdout


def test_directory_lists_work_during_a_migration(clues: Engine, clock: FixedClock) -> None:
    """A deadline of the new version that counts a directory list (units_tagged) is worked
    out in the dry run and the migration as in any command, and the case replays."""
    clues.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    clues.add_user("li", ["intake"], unit="市纪委信访室")  # the city's cases are its office's
    case = clues.start("clue_triage", REGISTRATION, "li").id
    do(clues, case, "propose", "li", PROPOSAL)
    counties = "workday_close(len(units_tagged('县区')) - 3, start=day_start)"  # 4 县区: 1 day
    clues.deploy(clue_files(with_approval_deadline(counties)))
    dry = clues.migrate_instances("clue_triage", dry_run=True)
    assert [o.status for o in dry.outcomes] == ["can migrate"], dry.outcomes
    report = clues.migrate_instances("clue_triage", to_version=2)
    assert [o.status for o in report.outcomes] == ["migrated"], report.outcomes
    assert report.outcomes[0].changes == [
        "approve: due 2026-09-30T17:30+08:00 → 2026-10-08T17:30+08:00"]
    assert open_task(clues, case, "approve").due_at == at("2026-10-08T17:30:00+08:00")
    assert clues.replay(case).ok
