"""The kinds of notification, the outside channels, and what each user gets by default."""

from __future__ import annotations

from engine.messages import CATALOGUE, Msg, msg

KINDS: tuple[str, ...] = ("task_arrived", "due_tomorrow", "due_today", "overdue", "urged",
                          "cc", "sent_back", "transferred", "delegated", "decided",
                          "supplement")
# kind -> its Chinese label (the webhook's ``label``, group robots' texts; the web UI
# translates its own); the catalogue's ``notice.kind.*`` says it in either language (e-mails)
LABELS: dict[str, str] = {kind: CATALOGUE[f"notice.kind.{kind}"].zh for kind in KINDS}
REMINDERS: tuple[str, ...] = ("overdue", "due_today", "due_tomorrow")
# The notices that ask their reader to act on a task: settled once the task is not theirs
# (engine/notify/settle.py).
# (补正通知 asks the applicant to act, but about its case: its task comes with its own notice)
ABOUT_WORK: frozenset[str] = frozenset(KINDS) - {"cc", "decided", "supplement"}

# The in-app centre always gets every notice; these go out besides it when configured.
CHANNELS: tuple[str, ...] = ("email", "webhook")

# What a user gets on each outside channel until they choose otherwise. E-mail: everything
# addressed to the person, but not every new task of a shared pool nor copies for
# information; the webhook (often a group chat robot): only what is pressing.
DEFAULTS: dict[str, frozenset[str]] = {
    "email": frozenset(KINDS) - {"task_arrived", "cc"},
    "webhook": frozenset({"due_today", "overdue", "urged"}),
}


def default(channel: str, kind: str) -> bool:
    return kind in DEFAULTS[channel]


def label(kind: str) -> Msg:
    """The kind's name as a message, for a text in its reader's language."""
    return msg(f"notice.kind.{kind}")


def check_kind(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"unknown notification kind {kind!r} (known: {', '.join(KINDS)})")
    return kind
