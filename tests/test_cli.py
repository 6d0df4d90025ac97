"""The ``kuaiban`` command line, run in-process with click's CliRunner against a SQLite file,
the clock frozen by ``KUAIBAN_NOW``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from tests.conftest import DIAGRAMS

NOW = "2026-09-30T16:00:00+08:00"
UNIT = "浮梁县纪委监委"
APPROVAL = DIAGRAMS / "approval.bpmn"
FORMS = DIAGRAMS / "forms"
BAD = DIAGRAMS / "bad"
ISO_CST = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")
TASK_KEYS = {"id", "instance_id", "process_key", "business_key", "name", "title", "role", "unit",
             "assignee", "status", "created_at", "due_at", "overdue", "form_key"}

Run = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    """``cli(*args, now=..., code=0)`` runs ``kuaiban args``, checks the exit code and that no
    traceback leaked, and returns the result."""
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, now: str = NOW, code: int = 0, language: str | None = None) -> Result:
        env = {"KUAIBAN_DATABASE_URL": url, "KUAIBAN_NOW": now,
               "KUAIBAN_CLI_LANGUAGE": language}
        result = runner.invoke(main, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception)
        assert result.exit_code == code, (args, result.exit_code, result.output)
        return result

    return run


@pytest.fixture
def deployed(cli: Run) -> Run:
    cli("deploy", str(APPROVAL), str(FORMS))
    cli("users", "add", "li", "--role", "intake")
    cli("users", "add", "wang", "--role", "approver")
    cli("users", "add", "zhao", "--role", "handler", "--unit", UNIT)
    return cli


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def only_task(cli: Run, user: str) -> dict[str, Any]:
    (task,) = as_json(cli("tasks", "--as", user, "--json"))
    return dict(task)


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


# -- validate and deploy -------------------------------------------------------------------


def test_validate_ok(cli: Run) -> None:
    result = cli("validate", str(APPROVAL), str(FORMS))
    assert result.stdout == ""
    assert "ok: 1 process(es) valid" in result.stderr


def test_validate_lists_every_problem_as_file_line_element_message(cli: Run) -> None:
    path = BAD / "many_problems.bpmn"
    result = cli("validate", str(path), code=1)
    lines = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    assert len(lines) == 12  # errors; lint warnings come on their own lines
    for line in lines:
        assert re.match(rf"^{re.escape(str(path))}:\d+: [\w-]+: .+$", line), line
    expected = [
        (line_of(path, "Lane_cleaner"), "Lane_cleaner", 'lane "清洁工" maps to no role'),
        (line_of(path, "().__class__"), "escape", "script: attribute '__class__'"),
        (line_of(path, "import os"), "importer", "script: import is not allowed"),
        (line_of(path, ">P7D<"), "wait_unquoted", "put the ISO 8601 value in quotes: 'P7D'"),
        (line_of(path, "'P7X'"), "wait_invalid", '"P7X" is not a valid ISO 8601'),
        (line_of(path, 'id="orphan"'), "orphan", "user task is in no lane"),
    ]
    for number, element, message in expected:
        assert any(line.startswith(f"{path}:{number}: {element}: ") and message in line
                   for line in lines), (number, element, message, lines)


def test_validate_refuses_hostile_xml(cli: Run) -> None:
    result = cli("validate", str(BAD / "xxe.bpmn"), str(BAD / "billion_laughs.bpmn"), code=1)
    assert result.stdout.splitlines() == [
        f"{BAD / name}:2: -: DTDs and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed"
        for name in ("xxe.bpmn", "billion_laughs.bpmn")
    ]


def test_validate_bad_forms_and_missing_files(cli: Run) -> None:
    result = cli("validate", str(BAD / "bad_form.json"), code=1)
    assert f"{BAD / 'bad_form.json'}:2: -: not a valid JSON Schema" in result.stdout
    result = cli("validate", "no/such/file.bpmn", code=2)
    assert "no/such/file.bpmn: no such file" in result.output


def test_deploy_prints_key_version_and_unchanged(cli: Run, tmp_path: Path) -> None:
    assert cli("deploy", str(APPROVAL), str(FORMS)).stdout == "approval 1\n"
    assert cli("deploy", str(APPROVAL), str(FORMS)).stdout == "approval 1  (unchanged)\n"
    changed = tmp_path / "approval.bpmn"
    changed.write_text(APPROVAL.read_text(encoding="utf-8").replace('name="审批"',
                                                                    'name="领导审批"'),
                       encoding="utf-8")
    assert cli("deploy", str(changed), str(FORMS)).stdout == "approval 2\n"
    form = tmp_path / "test_handle.json"
    form.write_text((FORMS / "test_handle.json").read_text(encoding="utf-8")
                    .replace('"不属实"', '"不属实", "无法核实"'), encoding="utf-8")
    assert cli("deploy", str(form)).stdout == "approval 3\n"
    assert cli("deploy", str(form)).stdout == ""
    result = cli("deploy", str(BAD / "many_problems.bpmn"), code=1)
    assert len(result.stderr.splitlines()) == 12
    (process,) = as_json(cli("processes", "--json"))
    assert process["version"] == 3


def test_processes(deployed: Run) -> None:
    (process,) = as_json(deployed("processes", "--json"))
    assert {k: process[k] for k in ("key", "version", "name", "start_form_key")} == {
        "key": "approval", "version": 1, "name": "测试审批", "start_form_key": "test_register"}
    assert process["deployed_at"] == NOW
    assert deployed("processes").stdout == "approval\t1\t测试审批\ttest_register\n"


# -- users, start, tasks, claim, complete, show, history, verify ---------------------------


def test_users_add(cli: Run) -> None:
    assert cli("users", "add", "li", "--role", "intake").stdout == "li: intake\n"
    result = cli("users", "add", "zhao", "--role", "handler", "--role", "auditor",
                 "--unit", UNIT)
    assert result.stdout == f"zhao: auditor, handler @ {UNIT}\n"


def test_users_add_keeps_a_language(cli: Run, tmp_path: Path) -> None:
    """--language: the pages' language at sign-in and the user's e-mails'; "" removes it."""
    from engine.api import Engine

    cli("users", "add", "li", "--role", "intake", "--language", "en")
    refused = cli("users", "add", "li", "--role", "intake", "--language", "fr", code=1)
    assert "'fr' is not a language Kuaiban speaks (zh or en)" in refused.stderr
    engine = Engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        assert engine.user("li").language == "en"
        cli("users", "add", "li", "--role", "intake", "--language", "")
        assert engine.user("li").language is None
    finally:
        engine.close()


def test_a_case_from_start_to_end(deployed: Run) -> None:
    data = json.dumps({"summary": "反映不作为", "unit": UNIT}, ensure_ascii=False)
    started = deployed("start", "approval", "--as", "li", "--data", data)
    instance_id = int(started.stdout.strip())
    assert instance_id == 1

    task = only_task(deployed, "li")
    assert set(task) >= TASK_KEYS
    assert {k: task[k] for k in ("instance_id", "process_key", "business_key", "name", "title",
                                 "role", "unit", "assignee", "status", "overdue", "form_key")} == {
        "instance_id": 1, "process_key": "approval", "business_key": "TS-2026-000001",
        "name": "propose", "title": "提出处置意见", "role": "intake", "unit": None,
        "assignee": None, "status": "ready", "overdue": False, "form_key": "test_propose"}
    assert task["created_at"] == NOW
    assert task["due_at"] == "2026-09-30T17:30:00+08:00"
    assert ISO_CST.match(task["created_at"]) and ISO_CST.match(task["due_at"])
    # after 17:30 the same task is overdue
    (late,) = as_json(deployed("tasks", "--as", "li", "--json", now="2026-09-30T18:00:00+08:00"))
    assert late["overdue"] is True
    assert as_json(deployed("tasks", "--as", "wang", "--json")) == []

    assert deployed("claim", task["id"], "--as", "li").stdout == f"claimed {task['id']}\n"
    assert only_task(deployed, "li")["assignee"] == "li"
    done = deployed("complete", task["id"], "--as", "li", "--data", '{"proposal": "转办"}')
    assert done.stdout == f"completed {task['id']}; instance 1 is running\n"

    approve = only_task(deployed, "wang")
    assert approve["name"] == "approve"
    deployed("complete", approve["id"], "--as", "wang", "--data", '{"approved": true}')
    handle = only_task(deployed, "zhao")
    assert (handle["name"], handle["unit"]) == ("handle", UNIT)
    assert handle["due_at"] == "2026-10-08T17:30:00+08:00"  # next working day after the holiday

    shown = as_json(deployed("show", "1", "--json"))
    assert {"status", "business_key", "data", "tasks", "version"} <= set(shown)
    assert (shown["status"], shown["business_key"], shown["version"]) == (
        "running", "TS-2026-000001", 1)
    assert shown["data"]["proposal"] == "转办" and shown["data"]["status"] == "transferred"
    assert [t["name"] for t in shown["tasks"]] == ["handle"]
    assert set(shown["tasks"][0]) >= TASK_KEYS
    text = deployed("show", "1").stdout
    assert "approval v1  running  case TS-2026-000001" in text

    deployed("complete", handle["id"], "--as", "zhao", "--data", '{"result": "属实"}')
    assert as_json(deployed("show", "1", "--json"))["status"] == "completed"

    events = as_json(deployed("history", "1", "--json"))
    assert [e["type"] for e in events] == [
        "started", "claimed", "completed", "completed", "completed"]
    assert [e["user"] for e in events] == ["li", "li", "li", "wang", "zhao"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert all(ISO_CST.match(e["at"]) and len(e["hash"]) == 64 for e in events)

    verified = deployed("verify")
    assert verified.stdout == ""
    assert "1 instance(s) checked, 0 broken" in verified.stderr


def test_bad_data_is_a_clear_error(deployed: Run) -> None:
    data = json.dumps({"summary": "x", "unit": UNIT}, ensure_ascii=False)
    deployed("start", "approval", "--as", "li", "--data", data)
    task = only_task(deployed, "li")
    result = deployed("complete", task["id"], "--as", "li", "--data", "{proposal: 转办}", code=2)
    assert "--data is not valid JSON" in result.output and "column 2" in result.output
    result = deployed("complete", task["id"], "--as", "li", "--data", '["转办"]', code=2)
    assert "--data must be a JSON object" in result.output
    # data that is JSON but does not fit the form: every field's Chinese message
    result = deployed("complete", task["id"], "--as", "li", "--data", '{"proposal": "随便"}',
                      code=1)
    assert result.stderr.splitlines() == [
        "error: The form has errors", "  proposal: 不是有效的选项"]
    result = deployed("start", "approval", "--as", "li", "--data", '{"summary": ""}', code=1)
    assert "  summary: 此项为必填项" in result.stderr and "  unit: 此项为必填项" in result.stderr
    # the task is untouched
    assert only_task(deployed, "li")["id"] == task["id"]


def test_engine_errors_are_one_line(deployed: Run) -> None:
    result = deployed("start", "nope", "--as", "li", code=1)
    assert result.stderr == 'error: no process "nope" is deployed\n'
    result = deployed("show", "42", code=1)
    assert result.stderr == "error: no instance 42\n"
    result = deployed("tasks", "--as", "nobody", code=1)
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    result = deployed("start", "approval", "--as", "wang", "--data",
                      json.dumps({"summary": "x", "unit": UNIT}, ensure_ascii=False), code=1)
    assert result.stderr.startswith("error: ")


def test_refusals_in_chinese_when_the_operator_asks(deployed: Run) -> None:
    result = deployed("start", "nope", "--as", "li", code=1, language="zh")
    assert result.stderr == "error: 流程“nope”尚未部署\n"
    data = json.dumps({"summary": "x", "unit": UNIT}, ensure_ascii=False)
    deployed("start", "approval", "--as", "li", "--data", data)
    task = only_task(deployed, "li")
    result = deployed("complete", task["id"], "--as", "li", "--data", '{"proposal": "随便"}',
                      code=1, language="zh")
    assert result.stderr.splitlines() == ["error: 表单填写有误", "  proposal: 不是有效的选项"]


@pytest.mark.parametrize("now", ["garbage", "2026-09-30T16:00:00", "2026-09-31T16:00:00+08:00"])
def test_a_bad_kuaiban_now_is_a_clear_error(cli: Run, now: str) -> None:
    result = cli("tasks", now=now, code=1)
    assert result.stderr.startswith(f"error: KUAIBAN_NOW={now!r} is invalid")
    assert "2026-09-30T16:00:00+08:00" in result.stderr  # shows what a good one looks like
    assert len(result.stderr.splitlines()) == 1


# -- timers --------------------------------------------------------------------------------


def test_timers_list_and_fire(cli: Run) -> None:
    cli("deploy", str(DIAGRAMS / "timers.bpmn"))
    cli("users", "add", "zhao", "--role", "handler", "--unit", UNIT)
    cli("users", "add", "sun", "--role", "case_manager")
    cli("start", "timers", "--as", "zhao", "--data", json.dumps({"unit": UNIT},
                                                                ensure_ascii=False))
    pending = cli("timers").stdout.splitlines()
    assert pending == [
        "2026-10-07T16:00:00+08:00  pending  timers  #1  weekly",
        "2026-11-29T16:00:00+08:00  pending  timers  #1  deadline",
    ]
    later = "2026-10-08T09:00:00+08:00"
    assert cli("timers", now=later).stdout.splitlines()[0].split("  ")[1] == "due"
    fired = cli("timers", "--fire", now=later)
    assert fired.stdout == "fired 1 instance(s), started 0, failed 0\n"
    assert cli("timers", "--fire", now=later).stdout == "fired 0 instance(s), started 0, failed 0\n"
    (follow,) = as_json(cli("tasks", "--as", "sun", "--json", now=later))
    assert (follow["name"], follow["title"]) == ("follow", "跟踪进展")
    assert follow["due_at"] == "2026-10-08T17:30:00+08:00"
    # the cycle is rescheduled a week on
    assert "2026-10-14T16:00:00+08:00  pending  timers  #1  weekly" in cli(
        "timers", now=later).stdout


# -- calendar ------------------------------------------------------------------------------


def test_calendar_next_workday(cli: Run) -> None:
    assert cli("calendar", "next-workday", "2026-09-30").stdout == "2026-10-08\n"
    # 10-08, 10-09, Saturday 10-10 (a working day), 10-12, 10-13
    assert cli("calendar", "next-workday", "2026-09-30", "--n", "5").stdout == "2026-10-13\n"
    assert cli("calendar", "next-workday", "2026-02-13").stdout == "2026-02-14\n"
    result = cli("calendar", "next-workday", "2026-13-01", code=2)
    assert "'2026-13-01' is not a date (YYYY-MM-DD)" in result.output


def test_calendar_set_enters_a_day_off(cli: Run) -> None:
    assert cli("calendar", "set", "2027-01-04", "--holiday").stdout == (
        "2027-01-04: day off\n1 day(s) changed: 2027-01-04\n0 open task due date(s) moved\n")
    assert cli("calendar", "next-workday", "2026-12-31").stdout == "2027-01-05\n"
    assert cli("calendar", "set", "2027-01-04", "--workday").stdout.startswith(
        "2027-01-04: working day\n")
    assert cli("calendar", "next-workday", "2026-12-31").stdout == "2027-01-04\n"


def test_calendar_import_moves_open_due_dates_and_says_which(deployed: Run,
                                                             tmp_path: Path) -> None:
    data = json.dumps({"summary": "春节前夕来件", "unit": UNIT})
    filed = "2027-02-04T18:00:00+08:00"  # after close on the eve of 春节
    instance = deployed("start", "approval", "--as", "li", "--data", data, now=filed).stdout
    case_no = only_task(deployed, "li")["business_key"]
    assert only_task(deployed, "li")["due_at"] == "2027-02-09T17:30:00+08:00"
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-01-01 holiday 元旦\n2027-02-05..2027-02-11 holiday 春节\n"
                      "2027-02-20 workday 春节调休\n2027-04-05 holiday\n"
                      "2027-05-01..2027-05-02 holiday\n2027-06-09 holiday\n"
                      "2027-09-15 holiday\n2027-10-01..2027-10-03 holiday\n", encoding="utf-8")

    loaded = deployed("calendar", "import", str(notice), now=filed)

    assert loaded.stdout.splitlines()[-2:] == [
        f"  {case_no} 提出处置意见: 2027-02-09 17:30 → 2027-02-12 17:30",
        "1 open task due date(s) moved"]
    assert only_task(deployed, "li")["due_at"] == "2027-02-12T17:30:00+08:00"
    history = deployed("history", instance.strip(), now=filed).stdout
    assert "deadline_moved" in history
    assert deployed("verify", now=filed).exit_code == 0
    assert deployed("replay", instance.strip(), now=filed).exit_code == 0
    again = deployed("calendar", "import", str(notice), now=filed)
    assert again.stdout.splitlines()[-2:] == ["0 day(s) changed", "0 open task due date(s) moved"]


def test_calendar_without_the_years_schedule_keeps_statutory_holidays(cli: Run) -> None:
    # Thursday 2026-12-31; 2027-01-01 (元旦) is a Friday, then the weekend.
    result = cli("calendar", "next-workday", "2026-12-31")
    assert result.stdout == "2027-01-04\n"
    assert "no official holiday schedule loaded for 2027" in result.stderr
    assert "节假日安排未公布，按法定节假日计算" in result.stderr
    assert cli("calendar", "next-workday", "2026-12-07", "--n", "20").stdout == "2027-01-05\n"
    assert cli("calendar", "next-workday", "2027-02-04").stdout == "2027-02-09\n"  # 春节
    assert cli("calendar", "next-workday", "2026-09-30").stderr == ""


def test_calendar_import_loads_the_official_schedule(cli: Run, tmp_path: Path) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text(
        "# 国务院办公厅关于2027年部分节假日安排的通知 (the form: these days are examples)\n"
        "2027-01-01..2027-01-03 holiday 元旦\n"
        "2027-02-05..2027-02-11 holiday 春节\n"
        "2027-02-20 workday 春节调休\n"
        "2027-04-05 holiday 清明节\n"
        "2027-05-01..2027-05-05 holiday 劳动节\n"
        "2027-06-09 holiday 端午节\n"
        "2027-09-15 holiday 中秋节\n"
        "2027-10-01..2027-10-07 holiday 国庆节\n", encoding="utf-8")
    loaded = cli("calendar", "import", str(notice))
    assert loaded.stdout.splitlines()[0] == (
        "2027: official schedule loaded: 25 days off, 1 adjusted working days")
    assert loaded.stdout.splitlines()[-1] == "0 open task due date(s) moved"
    result = cli("calendar", "next-workday", "2027-02-04")
    assert (result.stdout, result.stderr) == ("2027-02-12\n", "")  # the notice's bridge days
    assert cli("calendar", "next-workday", "2027-02-19").stdout == "2027-02-20\n"  # 调休
    assert cli("calendar", "next-workday", "2026-12-31").stderr == ""

    wrong = tmp_path / "2028.txt"
    wrong.write_text("2028-01-01 holiday 元旦\n", encoding="utf-8")  # 春节 forgotten
    refused = cli("calendar", "import", str(wrong), code=1)
    assert "2028-01-25 is a statutory holiday (春节)" in refused.output
