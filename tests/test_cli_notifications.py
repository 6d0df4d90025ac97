"""`kuaiban notifications --as USER [--json]` and `--pending`, `kuaiban users add --email`,
and `kuaiban worker --once` sending the outbox (retries shown to operators)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from tests.conftest import DIAGRAMS
from tests.notify_support import free_port, mail_server

NOW = "2026-09-30T16:00:00+08:00"
UNIT = "浮梁县纪委监委"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.runner = CliRunner()
        self.env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
                    "KUAIBAN_NOW": NOW}

    def __call__(self, *args: str, code: int = 0, **env: str) -> Result:
        result = self.runner.invoke(main, list(args), env={**self.env, **env})
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.exit_code, result.output)
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path)
    run("deploy", str(DIAGRAMS / "approval.bpmn"), str(DIAGRAMS / "forms"))
    run("users", "add", "li", "--role", "intake", "--email", "li@example.gov.cn")
    run("users", "add", "wang", "--role", "approver")
    return run


def test_a_users_notifications(cli: Cli) -> None:
    cli("users", "add", "xu", "--role", "intake")  # starts it: li is told of its first step
    cli("start", "approval", "--data", json.dumps({"summary": "x", "unit": UNIT}), "--as", "xu")
    [note] = json.loads(cli("notifications", "--as", "li", "--json").stdout)
    assert (note["kind"], note["read"], note["business_key"]) == ("task_arrived", False,
                                                                  "TS-2026-000001")
    line = cli("notifications", "--as", "li").stdout
    assert line.startswith(f"#{note['id']}  2026-09-30T16:00+08:00  unread  task_arrived  "
                           "TS-2026-000001  新的待办“提出处置意见”")
    cli("notifications", "--as", "li", "--read", str(note["id"]))
    assert cli("notifications", "--as", "li", "--unread").stdout == ""
    assert json.loads(cli("notifications", "--as", "wang", "--json").stdout) == []
    failed = cli("notifications", "--as", "wang", "--read", str(note["id"]), code=1)
    assert f"no notification {note['id']}" in failed.output
    assert "--as USER or --pending" in cli("notifications", code=1).output
    assert "--as USER or --pending" in cli("notifications", "--pending", "--as", "li",
                                           code=1).output


def test_e_mail_addresses(cli: Cli) -> None:
    assert "e-mail address" in cli("users", "add", "x", "--role", "intake", "--email",
                                   "x at example", code=1).output


def test_a_telephone_typed_in_full_width_is_taken(cli: Cli) -> None:
    cli("users", "add", "x", "--role", "intake", "--phone", "０７９８－８２００１０１")
    assert "telephone" in cli("users", "add", "y", "--role", "intake", "--phone",
                              "０７９８－８２００１０１－", code=1).output


def test_the_worker_sends_the_outbox_and_operators_see_what_is_left(cli: Cli) -> None:
    closed = {"KUAIBAN_SMTP_HOST": "127.0.0.1", "KUAIBAN_SMTP_PORT": str(free_port()),
              "KUAIBAN_SMTP_SENDER": "kuaiban@example.gov.cn", "KUAIBAN_NOTIFY_TIMEOUT": "5"}
    cli("notifications", "--as", "li")  # the schema is there
    cli("start", "approval", "--data", json.dumps({"summary": "x", "unit": UNIT}), "--as", "li",
        **closed)
    propose = json.loads(cli("tasks", "--as", "li", "--json").stdout)[0]["id"]
    cli("users", "add", "wang", "--role", "approver", "--email", "wang@example.gov.cn")
    cli("notifications", "--as", "li", "--read-all")
    assert cli("notifications", "--pending").stdout == ""  # task_arrived: no e-mail by default
    cli("complete", propose, "--data", '{"proposal": "转办"}', "--as", "li", **closed)
    assert cli("notifications", "--pending").stdout == ""
    # a reminder the next morning goes out by e-mail; the server is not there yet
    morning = "2026-10-08T09:00:00+08:00"
    worked = cli("worker", "--once", KUAIBAN_NOW=morning, **closed)
    assert "reminded 1 task(s); sent 0, retrying 1, failed 0" in worked.stderr
    [entry] = json.loads(cli("notifications", "--pending", "--json").stdout)
    assert (entry["channel"], entry["username"], entry["address"], entry["kind"],
            entry["status"], entry["attempts"]) == (
        "email", "wang", "wang@example.gov.cn", "overdue", "pending", 1)
    assert "Connection" in entry["last_error"]
    listed = cli("notifications", "--pending")
    assert f"#{entry['id']}  pending  email  wang <wang@example.gov.cn>  overdue  attempts 1" \
        in listed.stdout and "1 not delivered" in listed.stderr
    with mail_server() as mail:
        later = "2026-10-08T09:05:00+08:00"
        sent = cli("worker", "--once", KUAIBAN_NOW=later, **{**closed, **mail.env()})
        assert "sent 1" in sent.stderr
        assert [m["To"] for m in mail.messages] == ["wang@example.gov.cn"]
    assert cli("notifications", "--pending").stdout == ""
