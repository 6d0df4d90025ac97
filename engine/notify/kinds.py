"""The kinds of notification, the outside channels, and what each user gets by default."""

from __future__ import annotations

# kind -> its Chinese label (subjects of e-mails, webhook texts; the web UI translates its own)
LABELS: dict[str, str] = {
    "task_arrived": "新待办",
    "due_tomorrow": "明日到期",
    "due_today": "今日到期",
    "overdue": "已超期",
    "urged": "催办",
    "cc": "抄送",
    "sent_back": "退回",
    "transferred": "转办",
    "delegated": "委派",
    "decided": "办理结果",
}
KINDS: tuple[str, ...] = tuple(LABELS)
REMINDERS: tuple[str, ...] = ("overdue", "due_today", "due_tomorrow")
# The notices that ask their reader to act on a task: settled once the task is not theirs
# (engine/notify/settle.py).
ABOUT_WORK: frozenset[str] = frozenset(KINDS) - {"cc", "decided"}

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


def check_kind(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"unknown notification kind {kind!r} (known: {', '.join(KINDS)})")
    return kind
