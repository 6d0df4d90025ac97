"""Every example of docs/designer-guide.md, deployed and checked against what the guide says.

The diagrams are in this folder (with diagram interchange: open them in bpmn.io or Camunda
Modeler), the forms in ``forms/``. Section numbers refer to the guide.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.api import Engine
from engine.cli import main
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData, PermissionDenied, ScriptError
from engine.queries.inbox import InboxFilter
from engine.time.calendar import WorkCalendar, deadline_functions
from engine.time.clock import FixedClock

GUIDE = Path(__file__).resolve().parent
ROOT = GUIDE.parent.parent
FULIANG, LEPING = "浮梁县纪委监委", "乐平市纪委监委"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def guide_files(*names: str) -> list[SourceFile]:
    """Guide diagrams (and DMN files) by name, with every guide form."""
    files = [SourceFile(name, (GUIDE / name).read_text(encoding="utf-8")) for name in names]
    files += [SourceFile(f"forms/{p.name}", p.read_text(encoding="utf-8"))
              for p in sorted((GUIDE / "forms").glob("*.json"))]
    return files


@pytest.fixture
def guide(engine: Engine) -> Engine:
    engine.deploy(guide_files("guide_deadlines.bpmn", "guide_timers.bpmn", "guide_messages.bpmn",
                              "guide_decision.bpmn", "guide_routing.dmn", "guide_script.bpmn"))
    for name, roles, unit in [
        ("li", ["intake"], None), ("zhao", ["handler"], FULIANG), ("qian", ["handler"], LEPING),
        ("sun", ["case_manager"], None), ("zhou", ["supervision_office"], None),
        ("wang", ["approver"], None), ("gai", ["reform_group"], None),
        ("gx", ["responsible_unit"], "市工信局"), ("sw", ["responsible_unit"], "市商务局"),
        ("chuang", ["window"], None), ("audit", ["auditor"], None),
    ]:
        engine.add_user(name, roles, unit=unit)
    return engine


def inbox(engine: Engine, user: str) -> dict[str, Any]:
    return {t.name: t for t in engine.inbox.for_user(user, InboxFilter())}


def only(engine: Engine, user: str, name: str) -> Any:
    found = inbox(engine, user)
    assert name in found, (name, list(found))
    return found[name]


# -- 2-4: lanes and roles, units, forms, due dates ---------------------------------------------


def test_lanes_units_forms_and_due_dates(guide: Engine, clock: FixedClock) -> None:
    case = guide.start("guide_deadlines", {"summary": "窗口推诿", "handler_unit": FULIANG}, "li")
    assert case.business_key == "SX-2026-000001" and case.data["case_no"] == case.business_key
    register = only(guide, "li", "register")
    assert (register.role, register.unit, register.form_key) == ("intake", None, "guide_register")
    assert register.due_at == at("2026-09-30T17:30:00+08:00")  # same_day_close()
    # the start form checks the start data; lanes decide who may start
    with pytest.raises(InvalidData) as err:
        guide.start("guide_deadlines", {"summary": "", "handler_unit": "某局"}, "li")
    assert set(err.value.field_errors) == {"summary", "handler_unit"}
    with pytest.raises(PermissionDenied):
        guide.start("guide_deadlines", {"summary": "x", "handler_unit": FULIANG}, "sun")
    # a form accepts exactly its fields
    with pytest.raises(InvalidData):
        guide.complete(register.id, {"handler_unit": LEPING}, "li")
    clock.set(at("2026-09-30T17:00:00+08:00"))
    guide.complete(register.id, {"register_note": "已登记"}, "li")

    handle = only(guide, "zhao", "handle")
    assert (handle.role, handle.unit) == ("handler", FULIANG)  # unit: handler_unit
    assert handle.due_at == at("2026-10-08T17:30:00+08:00")  # workday_close(1): after 国庆
    assert "handle" not in inbox(guide, "qian")  # another unit's handler does not see it
    follow = only(guide, "sun", "follow")
    assert (follow.role, follow.due_at) == ("case_manager", at("2026-10-07T17:00:00+08:00"))
    report = only(guide, "zhou", "report")
    assert report.due_at == at("2026-10-05T00:00:00+08:00")  # day_of_month(5, 1)
    with pytest.raises(PermissionDenied):
        guide.complete(handle.id, {"result": "属实"}, "qian")
    guide.complete(handle.id, {"result": "属实"}, "zhao")
    guide.complete(follow.id, {"progress": "已核查"}, "sun")
    done = guide.complete(report.id, {"rows": 1}, "zhou")
    assert done.status == "completed"
    assert (done.data["result"], done.data["progress"], done.data["rows"]) == ("属实", "已核查", 1)


def test_registered_after_close_is_due_the_next_working_day(guide: Engine,
                                                            clock: FixedClock) -> None:
    clock.set(at("2026-09-30T18:05:00+08:00"))
    guide.start("guide_deadlines", {"summary": "下班后收到", "handler_unit": LEPING}, "li")
    assert only(guide, "li", "register").due_at == at("2026-10-08T17:30:00+08:00")


CALENDAR_EXAMPLES = [  # (expression, now, result): the table in section 4 of the guide
    ("same_day_close()", "2026-09-30T16:00:00+08:00", "2026-09-30T17:30:00+08:00"),
    ("same_day_close()", "2026-09-30T18:05:00+08:00", "2026-10-08T17:30:00+08:00"),
    ("same_day_close()", "2026-10-03T10:00:00+08:00", "2026-10-08T17:30:00+08:00"),
    ("workday_close(1)", "2026-09-30T16:00:00+08:00", "2026-10-08T17:30:00+08:00"),
    ("workday_close(1)", "2026-10-09T10:00:00+08:00", "2026-10-10T17:30:00+08:00"),
    ("workday_close(5)", "2026-09-30T16:00:00+08:00", "2026-10-13T17:30:00+08:00"),
    ('workday_close(1, start="2026-10-09T08:00:00+08:00")', "2026-09-30T16:00:00+08:00",
     "2026-10-10T17:30:00+08:00"),
    ("add_days(7)", "2026-09-30T16:00:00+08:00", "2026-10-07T16:00:00+08:00"),
    ("day_of_month(5, 1)", "2026-09-30T16:00:00+08:00", "2026-10-05T00:00:00+08:00"),
    ("day_of_month(31, 1)", "2026-10-15T16:00:00+08:00", "2026-11-30T00:00:00+08:00"),
    ("day_of_month(3, 1)", "2026-12-20T16:00:00+08:00", "2027-01-03T00:00:00+08:00"),
    ("year_end()", "2026-04-01T09:00:00+08:00", "2026-12-31T17:30:00+08:00"),
    ("now()", "2026-09-30T16:00:00+08:00", "2026-09-30T16:00:00+08:00"),
]


@pytest.mark.parametrize(("expression", "now", "result"), CALENDAR_EXAMPLES)
def test_calendar_functions(expression: str, now: str, result: str) -> None:
    from engine.scripting import expressions

    functions = deadline_functions(WorkCalendar(), lambda: at(now))
    assert expressions.evaluate(expression, {}, functions) == result


# -- 5: timers ---------------------------------------------------------------------------------


def timers_of(engine: Engine, instance_id: int) -> dict[str, datetime]:
    return {t.element_id: t.due_at for t in engine.timers.pending()
            if t.instance_id == instance_id}


def test_timers(guide: Engine, clock: FixedClock) -> None:
    quick = guide.start("guide_timers", {"unit": FULIANG}, "li").id
    slow = guide.start("guide_timers", {"unit": LEPING}, "li").id
    assert timers_of(guide, quick) == {"weekly": at("2026-10-07T16:00:00+08:00"),
                                       "overdue": at("2026-10-13T17:30:00+08:00")}
    # the weekly cycle: a reminder for the case manager, the verification stays open
    clock.set(at("2026-10-07T16:01:00+08:00"))
    assert guide.timers.fire_due().fired == 2
    reminders = [t for t in guide.inbox.for_user("sun", InboxFilter()) if t.name == "remind"]
    # same_day_close() on 2026-10-07, a day off (国庆): the close of the next working day
    assert [t.due_at for t in reminders] == [at("2026-10-08T17:30:00+08:00")] * 2
    assert timers_of(guide, quick)["weekly"] == at("2026-10-14T16:00:00+08:00")
    # finishing the verification cancels its timers and what the cycle spawned
    clock.set(at("2026-10-08T10:00:00+08:00"))
    guide.complete(only(guide, "zhao", "verify").id, {"result": "属实"}, "zhao")
    assert sorted(t.name for t in guide.instance(quick).tasks) == []
    assert timers_of(guide, quick) == {"next_day": at("2026-10-09T17:30:00+08:00")}
    clock.set(at("2026-10-09T17:31:00+08:00"))
    guide.timers.fire_due()
    publish = only(guide, "li", "publish")
    assert publish.instance_id == quick
    # the interrupting deadline: the verification is withdrawn, the case manager urges
    clock.set(at("2026-10-13T17:31:00+08:00"))
    guide.timers.fire_due()
    assert "verify" not in inbox(guide, "qian")
    # (the reminder the weekly cycle had spawned for this case is withdrawn with it)
    assert sorted(t.name for t in guide.instance(slow).tasks) == ["escalate"]
    assert only(guide, "sun", "escalate").due_at == at("2026-10-14T17:30:00+08:00")


# -- 6: messages -------------------------------------------------------------------------------


def test_messages_correlate_by_case_number(guide: Engine, clock: FixedClock) -> None:
    first = guide.start("guide_request", {"question": "核实某企业账款"}, "li")
    second = guide.start("guide_request", {"question": "核实另一企业"}, "li")
    assert (first.business_key, second.business_key) == ("XC-2026-000001", "XC-2026-000002")
    assert first.status == "running" and first.tasks == []  # waiting for the reply
    # each request started one assist case under the same case number, with its data
    assists = {t.business_key: t for t in guide.inbox.for_user("sun", InboxFilter())}
    assert sorted(assists) == ["XC-2026-000001", "XC-2026-000002"]
    assist = assists["XC-2026-000001"]
    assert assist.due_at == at("2026-10-09T17:30:00+08:00")  # workday_close(2)
    assert guide.instance(assist.instance_id).data["question"] == "核实某企业账款"
    guide.complete(assist.id, {"finding": "已付清"}, "sun")
    # the reply reached the first request only
    read = only(guide, "li", "read_reply")
    assert read.instance_id == first.id
    assert guide.instance(first.id).data["finding"] == "已付清"
    assert guide.instance(second.id).tasks == []
    # from outside: a user of the waiting lane's role (or the system) may send it
    with pytest.raises(PermissionDenied):
        guide.send_message("assist_reply", {"business_key": "XC-2026-000002"}, {}, "wang")
    with pytest.raises(InvalidData):  # only what the form on 收到协查结果 declares
        guide.send_message("assist_reply", {"business_key": "XC-2026-000002"},
                           {"finding": "电话核实", "unit": "某局"}, "li")
    delivered = guide.send_message("assist_reply", {"business_key": "XC-2026-000002"},
                                   {"finding": "电话核实"}, "li")
    assert delivered == [second.id]
    assert guide.instance(second.id).data["finding"] == "电话核实"


# -- 7: decision tables ------------------------------------------------------------------------


@pytest.mark.parametrize(("case_type", "amount", "task", "unit", "due"), [
    ("账款支付不到位", 2_000_000, "deliberate", "市工信局", "2026-10-20T17:30:00+08:00"),
    ("账款支付不到位", 50_000, "resolve", "市工信局", "2026-10-13T17:30:00+08:00"),
    ("招商引资政策不兑现", 3_000_000, "resolve", "市商务局", "2026-10-13T17:30:00+08:00"),
    ("其他", 10, "resolve", "市营商环境指挥部改革创新组", "2026-10-13T17:30:00+08:00"),
])
def test_decision_table_routes_the_case(guide: Engine, case_type: str, amount: int, task: str,
                                        unit: str, due: str) -> None:
    case = guide.start("guide_decision", {"case_type": case_type, "amount": amount}, "gai")
    (open_task,) = case.tasks
    assert (open_task.name, open_task.role, open_task.unit) == (task, "responsible_unit", unit)
    assert open_task.due_at == at(due)
    assert case.data["lead_unit"] == unit


# -- 8: scripts --------------------------------------------------------------------------------


def test_script_task(guide: Engine) -> None:
    items = [{"unit": "甲陶瓷公司", "amount": 12000}, {"unit": "乙公司", "amount": 3000},
             {"unit": "甲陶瓷公司", "amount": 500}]
    case = guide.start("guide_script", {"items": items}, "chuang")
    assert case.data["total"] == 15500
    assert case.data["units"] == ["乙公司", "甲陶瓷公司"]
    assert case.data["summary"] == "2 家企业,合计 15500 元,大额:甲陶瓷公司"
    assert case.data["received_at"] == "2026-09-30T16:00:00+08:00"


@pytest.mark.parametrize(("script", "message"), [
    ("import os", "import is not allowed"),
    ('x = open("/etc/passwd")', "calling 'open' is not allowed"),
    ("x = ().__class__", "attribute '__class__': names starting with '_' are not allowed"),
    ("while True:\n    pass", "while loops are not allowed; use 'for i in range(n)'"),
    ("def f():\n    return 1", "function definitions are not allowed"),
])
def test_forbidden_scripts_do_not_deploy(guide: Engine, script: str, message: str) -> None:
    text = (GUIDE / "guide_script.bpmn").read_text(encoding="utf-8")
    start, end = text.index("<bpmn:script>") + len("<bpmn:script>"), text.index("</bpmn:script>")
    bad = SourceFile("guide_script.bpmn", text[:start] + script + text[end:])
    problems = guide.validate([bad, *guide_files()]).problems
    assert [(p.element, p.message) for p in problems] == [("sum_up", f"script: {message}")]


def test_scripts_stop_at_their_limits(guide: Engine) -> None:
    text = (GUIDE / "guide_script.bpmn").read_text(encoding="utf-8")
    start, end = text.index("<bpmn:script>") + len("<bpmn:script>"), text.index("</bpmn:script>")
    guide.deploy([SourceFile("guide_script.bpmn", text[:start] + 'total = "x" * 10**9'
                             + text[end:]), *guide_files()])
    with pytest.raises(ScriptError, match="1000000000 characters"):
        guide.start("guide_script", {"items": [{"unit": "甲", "amount": 1}]}, "chuang")
    assert guide.instance_ids() == []  # nothing was stored


# -- 9: validate, lint --------------------------------------------------------------------------


def cli(tmp_path: Path, now: str = "2026-09-30T16:00:00+08:00") -> Any:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'guide.db'}", "KUAIBAN_NOW": now}

    def run(*args: str, code: int = 0) -> Result:
        result = runner.invoke(main, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.output)
        return result

    return run


def test_validate_prints_lint_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GUIDE)
    result = cli(tmp_path)("validate", "guide_lint.bpmn", "forms/guide_register.json")
    assert result.stdout.splitlines() == [
        "guide_lint.bpmn:20: propose: warning: user task has no due date (camunda:dueDate): "
        'inboxes show no deadline and it is never overdue (none on purpose: camunda property '
        'deadline="none")',
        "guide_lint.bpmn:21: gw: warning: exclusive gateway has 2 outgoing flows and no default "
        "flow: when no condition holds, the case stops with an error",
        "guide_lint.bpmn:24: wait: warning: timer date 2026-09-29T17:30:00+08:00 is already "
        "past (deploy clock 2026-09-30T16:00:00+08:00): it fires at once, never on that date",
        "guide_lint.bpmn:29: forgotten: warning: no path leads here from a start event: it "
        "never runs",
    ]
    assert result.stderr.strip() == "ok: 1 process(es) valid, 4 warning(s)"


def test_every_guide_diagram_has_diagram_interchange() -> None:
    from lxml import etree

    for path in sorted(GUIDE.glob("*.bpmn")):
        root = etree.parse(str(path)).getroot()
        shown = {n.get("bpmnElement") for n in root.iter(
            "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
            "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
        model = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
        elements = {n.get("id") for n in root.iter() if isinstance(n.tag, str)
                    and n.tag.startswith(model) and etree.QName(n).localname in (
                        "userTask", "scriptTask", "businessRuleTask", "startEvent", "endEvent",
                        "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
                        "exclusiveGateway", "parallelGateway", "sequenceFlow", "lane",
                        "participant", "messageFlow")}
        assert elements - shown == set(), path.name


# -- 10-11: the walkthrough: change a deadline, migrate, replay; roll back ---------------------


APPROVE = 'camunda:formKey="clue_approve" camunda:dueDate="same_day_close()"'
REGISTRATION = {"channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00",
                "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
                "summary": "企业办理施工许可被要求补充清单外材料。", "owner": "li"}


def test_walkthrough_change_the_approval_deadline(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run = cli(tmp_path)
    forms = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "forms").glob("clue_*.json"))
    assert run("deploy", "processes/clue_triage.bpmn", *forms).stdout.splitlines() == [
        "clue_triage 1", "clue_ledger_copy 1"]
    run("users", "add", "li", "--role", "intake")
    case = run("start", "clue_triage", "--data", json.dumps(REGISTRATION), "--as", "li")
    case_id = case.stdout.strip()
    (propose,) = json.loads(run("tasks", "--instance", case_id, "--json").stdout)
    run("complete", propose["id"], "--as", "li", "--data", json.dumps(
        {"disposal": "转办", "handler_unit": FULIANG, "proposal_reason": "反映具体"}))
    (approve,) = json.loads(run("tasks", "--instance", case_id, "--json").stdout)
    assert approve["due_at"] == "2026-09-30T17:30:00+08:00"

    # 1. edit: the approval is due at the close of the next working day
    work = tmp_path / "clue_triage.bpmn"
    text = (ROOT / "processes" / "clue_triage.bpmn").read_text(encoding="utf-8")
    work.write_text(text.replace(APPROVE, APPROVE.replace(
        "same_day_close()", "workday_close(1)")), "utf-8")
    # 2. validate: clean
    checked = run("validate", str(work), *forms)
    assert (checked.stdout, checked.stderr.strip()) == ("", "ok: 2 process(es) valid")
    # 3. deploy: a new version; running cases stay on version 1; the other pool of the file
    # keeps its version, nothing of its own having changed
    assert run("deploy", str(work), *forms).stdout.splitlines() == [
        "clue_triage 2", "clue_ledger_copy 1  (unchanged)"]
    assert "clue_triage v1" in run("show", case_id).stdout.splitlines()[0]
    # 4. dry run, 5. migrate
    dry = run("migrate", "clue_triage", "--to", "2", "--dry-run")
    assert dry.stdout.splitlines() == [
        f"#{case_id} ZF-2026-000001 v1 → v2: can migrate",
        "    approve: due 2026-09-30T17:30+08:00 → 2026-10-08T17:30+08:00",
    ]
    moved = run("migrate", "clue_triage", "--to", "2")
    assert moved.stdout.splitlines()[0] == f"#{case_id} ZF-2026-000001 v1 → v2: migrated"
    (approve_now,) = json.loads(run("tasks", "--instance", case_id, "--json").stdout)
    assert (approve_now["id"], approve_now["due_at"]) == (approve["id"],
                                                          "2026-10-08T17:30:00+08:00")
    # 6. the auditor replays the case across the migration
    history = json.loads(run("history", case_id, "--json").stdout)
    assert [e["type"] for e in history] == ["started", "completed", "migrated"]
    assert history[-1]["payload"]["from_version"] == 1
    assert run("replay", case_id).stdout.strip() == (
        f"instance {case_id}: 3 event(s) replayed, history and state agree")

    # roll back: deploying the old text again makes it version 3, the newest
    assert run("deploy", "processes/clue_triage.bpmn", *forms).stdout.splitlines() == [
        "clue_triage 3", "clue_ledger_copy 1  (unchanged)"]
    back = run("migrate", "clue_triage", "--to", "3")
    assert back.stdout.splitlines() == [
        f"#{case_id} ZF-2026-000001 v2 → v3: migrated",
        "    approve: due 2026-10-08T17:30+08:00 → 2026-09-30T17:30+08:00",
    ]
    assert "4 event(s) replayed" in run("replay", case_id).stdout


def test_the_auditor_replays_through_the_api(guide: Engine, clock: FixedClock) -> None:
    case = guide.start("guide_deadlines", {"summary": "x", "handler_unit": FULIANG}, "li")
    text = (GUIDE / "guide_deadlines.bpmn").read_text(encoding="utf-8")
    guide.deploy([SourceFile("guide_deadlines.bpmn", text.replace(
        'camunda:dueDate="same_day_close()"', 'camunda:dueDate="workday_close(1)"')),
        *guide_files()])
    clock.advance(timedelta(hours=1))
    (outcome,) = guide.migrate_instances("guide_deadlines").outcomes
    assert outcome.status == "migrated"
    assert guide.replay(case.id, user="audit").ok
    with pytest.raises(PermissionDenied):
        guide.replay(case.id, user="li")
    assert guide.calendar().next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
