"""Everyday case operations: 转办 transfer, 委派 delegate, 退回 send back, 撤回 withdraw,
加签 add a co-signer, 催办 urge, 抄送 copy, 意见 comment, 终止 terminate."""

from __future__ import annotations

import json

import click

from engine.cli.common import handles_errors, open_engine
from engine.views import InstanceView

AS = click.option("--as", "user", required=True, help="Who does it.")


def tell(done: str, view: InstanceView) -> None:
    tasks = ", ".join(f"{t.name}{'→' + t.assignee if t.assignee else ''}" for t in view.tasks)
    click.echo(f"{done}; instance {view.id} is {view.status}"
               + (f"; open: {tasks}" if tasks else ""))


@click.command()
@click.argument("task_id")
@click.option("--to", "to_user", help="The user who takes it over.")
@click.option("--to-unit", help="The unit whose pool takes it over.")
@AS
@click.option("--reason", required=True)
@handles_errors
def transfer(task_id: str, to_user: str | None, to_unit: str | None, user: str,
             reason: str) -> None:
    """转办: hand a task to another user or unit of its role."""
    view = open_engine().ops.transfer(task_id, user, reason, to_user, to_unit)
    tell(f"transferred {task_id}", view)


@click.command()
@click.argument("task_id")
@click.option("--to", "to_user", required=True, help="Who handles it for you.")
@AS
@click.option("--reason")
@handles_errors
def delegate(task_id: str, to_user: str, user: str, reason: str | None) -> None:
    """委派: someone handles the task; it then comes back to you to confirm."""
    tell(f"delegated {task_id}", open_engine().ops.delegate(task_id, user, to_user, reason))


@click.command("add-signer")
@click.argument("task_id")
@click.option("--to", "to_user", required=True, help="The co-signer.")
@AS
@click.option("--reason")
@click.option("--parallel", is_flag=True, help="Co-signers sign at once (default: in turn).")
@handles_errors
def add_signer(task_id: str, to_user: str, user: str, reason: str | None,
               parallel: bool) -> None:
    """加签: a co-signer signs the step before it completes (in the order added, or all at
    once with --parallel)."""
    tell(f"co-signer added to {task_id}",
          open_engine().ops.add_signer(task_id, user, to_user, reason, parallel=parallel))


@click.command("send-back")
@click.argument("task_id")
@click.option("--to", "to_element", help="The earlier step's element id (default: the "
              "previous one).")
@AS
@click.option("--reason", required=True)
@handles_errors
def send_back(task_id: str, to_element: str | None, user: str, reason: str) -> None:
    """退回: return the case to an earlier user task."""
    tell(f"sent back {task_id}", open_engine().ops.send_back(task_id, user, reason, to_element))


@click.command()
@click.argument("task_id")
@AS
@handles_errors
def withdraw(task_id: str, user: str) -> None:
    """撤回: take back a step you completed while the next one is untouched."""
    tell(f"withdrew {task_id}", open_engine().ops.withdraw(task_id, user))


@click.command()
@click.argument("task_id")
@AS
@click.option("--note")
@handles_errors
def urge(task_id: str, user: str, note: str | None) -> None:
    """催办: press whoever holds an open task (supervisors and leaders)."""
    open_engine().ops.urge(task_id, user, note)
    click.echo(f"urged {task_id}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--to", "to_user", help="A user (or a unit's name).")
@click.option("--to-unit", help="Every user of a unit.")
@AS
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def cc(instance_id: int, to_user: str | None, to_unit: str | None, user: str,
       as_json: bool) -> None:
    """抄送: copy a case to a user or a unit for information."""
    people = open_engine().ops.cc(instance_id, user, to_user, to_unit)
    click.echo(json.dumps(people) if as_json else f"copied to {', '.join(people)}")


@click.command()
@click.argument("instance_id", type=int)
@AS
@click.option("--text", required=True)
@handles_errors
def comment(instance_id: int, user: str, text: str) -> None:
    """意见: a comment in the case's history."""
    view = open_engine().ops.comment(instance_id, user, text)
    click.echo(f"commented on instance {view.id}")


@click.command()
@click.argument("instance_id", type=int)
@AS
@click.option("--reason", required=True)
@handles_errors
def terminate(instance_id: int, user: str, reason: str) -> None:
    """终止: end a case (status cancelled), closing its tasks and timers."""
    tell(f"terminated instance {instance_id}",
          open_engine().ops.terminate(instance_id, user, reason))


COMMANDS = (transfer, delegate, add_signer, send_back, withdraw, urge, cc, comment, terminate)
