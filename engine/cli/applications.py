"""The operations on a subsidy application: 撤回申请 by the applicant, 退回补正 by the
department, and the applicant's resubmission."""

from __future__ import annotations

import click

from engine.cli.common import handles_errors, json_arg, open_engine
from engine.cli.taskops import AS, tell


@click.command("withdraw-application")
@click.argument("instance_id", type=int)
@AS
@click.option("--reason", required=True)
@handles_errors
def withdraw_application(instance_id: int, user: str, reason: str) -> None:
    """撤回申请: the applicant withdraws its application while it awaits a decision."""
    tell(f"withdrew application {instance_id}",
         open_engine().ops.withdraw_application(instance_id, user, reason))


@click.command("request-supplement")
@click.argument("task_id")
@click.option("--items", required=True, help="Every material to supply (told once).")
@click.option("--opinion", help="The decision's opinion, which the applicant reads.")
@AS
@handles_errors
def request_supplement(task_id: str, items: str, opinion: str | None, user: str) -> None:
    """退回补正: send the application at this decision step back for supplements."""
    tell(f"asked for supplements at {task_id}",
         open_engine().ops.request_supplement(task_id, user, items, opinion))


@click.command()
@click.argument("instance_id", type=int)
@click.option("--data", help="The 补正材料 form's fields as a JSON object.")
@AS
@handles_errors
def resubmit(instance_id: int, data: str | None, user: str) -> None:
    """补正后重新提交: the applicant supplies what was asked; the application returns to the
    department."""
    tell(f"resubmitted application {instance_id}",
         open_engine().ops.resubmit(instance_id, user, json_arg(data, "--data")))


COMMANDS = (withdraw_application, request_supplement, resubmit)
