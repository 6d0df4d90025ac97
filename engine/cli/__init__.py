"""The ``kuaiban`` command line (contract: design.md section 3).

The commands live by subject: ``definitions`` (validate, deploy, processes), ``cases`` (start,
tasks, claim, complete, message, show, history), ``audit`` (verify, replay, export, ledger) and
``operations`` (run, worker, timers, migrate, users, calendar), ``notifications``, ``files``
(attach, attachments, document), ``units`` (the unit directory), ``tables`` (decision tables
as spreadsheets), ``taskops`` (transfer, delegate, send-back, withdraw, add-signer, urge, cc,
comment, terminate); ``common`` holds what they share.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, NoReturn

import click

from engine.cli import (
    applications,
    audit,
    calendar,
    cases,
    definitions,
    files,
    notifications,
    operations,
    search,
    tables,
    taskops,
    units,
)

SIGPIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports when a pipe's reader went away


class KuaibanGroup(click.Group):
    """A click group that stops quietly when stdout's reader went away (``kuaiban show 1 |
    head -1``) instead of reporting an error."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:  # "kuaiban --help" prints while it parses
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            _quit_quietly()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                if sys.stdout is not None:
                    sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        except BrokenPipeError:
            _quit_quietly()


def _quit_quietly() -> NoReturn:
    """What the Python docs advise for SIGPIPE: point stdout at devnull, so that flushing it at
    exit cannot fail again, and exit without a word."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # stdout has no file descriptor (a test's)
        pass
    sys.exit(SIGPIPE_EXIT)


@click.group(cls=KuaibanGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log engine activity to stderr.")
def main(verbose: bool) -> None:
    """快办 Kuaiban: BPMN procedures with working-day deadlines."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


for _module in (definitions, cases, audit, operations, calendar, notifications, files, search,
                tables, taskops, units, applications):
    for _command in _module.COMMANDS:
        main.add_command(_command)

# the schema half of "kuaiban migrate" (what it runs without a process KEY)
_schema_migrate = operations.migrate_schema

__all__ = ["main"]
