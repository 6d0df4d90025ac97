"""Notifications: who is told what, and how it reaches them. A notice is written in the
transaction of whatever causes it (a task arriving in an inbox, a decision on an application,
a case operation such as 催办 or 转办, a due-date reminder) as a row of the in-app notification
centre, plus one outbox entry per outside channel (e-mail over SMTP, a webhook) the recipient
wants for that kind; the worker leases the outbox entries, sends them with retries and
backoff, and fires the due-date reminders once per task and kind. Other code tells people
things through :func:`notify` (and finds a task's people with :func:`task_recipients`; a
command that re-creates a task, such as a send-back, names its notice with
:func:`arrivals_as`).
"""

from engine.notify.emit import arrivals_as, notify
from engine.notify.kinds import CHANNELS, KINDS, LABELS
from engine.notify.recipients import task_recipients, who_sees
from engine.notify.settings import Settings

__all__ = ["CHANNELS", "KINDS", "LABELS", "Settings", "arrivals_as", "notify",
           "task_recipients", "who_sees"]
