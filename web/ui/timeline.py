"""A case's history as its pages show it (办理经过, the audit's event table): each event's step,
who acted, what was submitted by the forms' titles, and an operation's targets and reason in
words (engine/runtime/handover.py, rewind.py, operations.py record them)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from engine import EventView
from web.ui.fmt import due_time
from web.ui.i18n import listed

Who = Callable[[str | None], str | None]  # a username as the page names the person


@dataclass(frozen=True)
class DataRow:
    name: str
    label: str  # the form's title; the name itself for a variable no form names
    value: Any
    note: str = ""  # where a variable comes from (由脚本任务设置：记录批准)
    was: Any = None  # what the case held before a step submitted the field anew (原为 …)


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    at: datetime
    kind: str
    title: str
    user: str | None  # display name and username
    details: list[DataRow]
    said: str | None = None  # an operation's reason, note or comment, shown as it is
    number: int = 0  # its place in the reader's 办理经过 (第 n 步): the seq of a full one
    said_label: str = ""  # what ``said`` is: 原因, 催办说明, 意见
    # the data it carried that no form names (insiders only): apart, by key
    variables: list[DataRow] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """The titles of the fields it gave another value than the case held (a redone
        proposal's corrections): said at the step, not folded away with its data."""
        return [row.label for row in self.details if row.was is not None]


def _targets(kind: str) -> tuple[tuple[str, str, bool], ...]:
    """Whom or what an operation of ``kind`` went to: (payload key, label, whether it holds a
    person's username). Said of what was done (Transferred to), not the form's verb."""
    if kind == "sent_back":
        return (("to_element", pgettext("办理经过", "退回到"), False),)
    if kind == "transferred":
        return (("to", pgettext("办理经过", "转给"), True),
                ("to_unit", _("转到单位"), False),
                ("from", _("原办理人"), True), ("from_unit", _("原单位"), False))
    if kind == "delegated":
        return (("to", pgettext("办理经过", "委派给"), True),)
    if kind == "signer_added":
        return (("signer", _("加签人"), True),)
    if kind == "copied":
        return (("to", pgettext("办理经过", "抄送给"), True), ("to_unit", _("抄送单位"), False))
    return ()


_OPERATIONS = frozenset({"sent_back", "transferred", "delegated", "signer_added", "copied"})

# An operation's own words: the reason of a send-back, transfer, delegation, added signer or
# termination, the note of an urge, the text of a comment
_SAID = {"reason": _l("原因"), "note": _l("催办说明"), "text": _l("意见")}
_PEOPLE_KEYS = ("to", "signer", "from", "users")


def people_in(events: Iterable[EventView]) -> list[str]:
    """The usernames operations name (转给, 委派给, 加签人, 抄送给): shown by name."""
    found: list[str] = []
    for event in events:
        if event.type in _OPERATIONS:
            payload = event.payload or {}
            for key in _PEOPLE_KEYS:
                value = payload.get(key)
                found += [v for v in (value if isinstance(value, list) else [value])
                          if isinstance(v, str) and v]
    return found


def operation_rows(event: EventView, diagram: Any, who: Who) -> list[DataRow]:
    """An operation's targets in words: 退回到 the step's name, 转给 a person by name."""
    payload = event.payload or {}
    rows = [DataRow(key, label, diagram.title_of(payload[key]) if key == "to_element"
                    else (who(payload[key]) or payload[key]) if person else payload[key])
            for key, label, person in _targets(event.type) if payload.get(key)]
    if event.type == "signer_added":
        rows.append(DataRow("parallel", _("会签方式"),
                            _("并行会签") if payload.get("parallel") else _("依次会签")))
    kept_open = payload.get("kept_open") or []  # engine/runtime/single_open.py
    if kept_open:
        rows.append(DataRow("kept_open", _("本次未新建"), _(
            "“%(steps)s”尚有一项未办理", steps=listed(diagram.title_of(e) for e in kept_open))))
    users = payload.get("users") or []
    if event.type == "copied" and payload.get("to_unit") and users:
        rows.append(DataRow("users", _("收到的人"), listed(who(u) or u for u in users)))
    return rows


def said_of(event: EventView) -> tuple[str | None, str]:
    """(the operation's own words, what they are), or (None, "")."""
    payload = event.payload or {}
    if event.type == "deadline_moved":
        return _deadline_moved(payload, payload), str(_("期限"))
    if event.type == "timer_moved":  # engine/runtime/deadlines.py: each timer's date
        return "；".join(f"{t.get('title')} {_deadline_moved(t, payload)}"
                        for t in payload.get("timers") or []), ""
    return next(((str(payload[key]), str(label)) for key, label in _SAID.items()
                 if payload.get(key)), (None, ""))


def _deadline_moved(moved: Mapping[str, Any], cause: Mapping[str, Any]) -> str:
    """2027-02-09 17:30 → 2027-02-12 17:30, and the calendar change that moved the date
    (engine/runtime/deadlines.py)."""
    was, now = (due_time(datetime.fromisoformat(str(moved.get(k)))) for k in ("from", "to"))
    if cause.get("cause") == "calendar_imported":
        why = _("已导入%(year)s年节假日安排", year=cause.get("year"))
    elif cause.get("workday"):
        why = _("%(day)s调整为工作日", day=cause.get("day"))
    else:
        why = _("%(day)s调整为休息日", day=cause.get("day"))
    return _("%(was)s → %(now)s（%(why)s）", was=was, now=now, why=why)


def variable_row(diagram: Any, name: str, value: Any) -> DataRow:
    """A variable no form names, by its name, with the script tasks that set it."""
    tasks = diagram.script_variables.get(name, ())
    note = _("由脚本任务设置：%(tasks)s", tasks=listed(diagram.title_of(t) for t in tasks)
             ) if tasks else ""
    return DataRow(name, name, value, note)


def replaced(events: Iterable[EventView], own: Collection[str] = ()
             ) -> dict[int, dict[str, Any]]:
    """What the steps' submissions changed, by event number: the value the case held before
    for each field a step submitted anew with another (a redone proposal's corrections of the
    registration, its other 处置方式). ``own``: fields no earlier value is replaced in (each
    item's of a multi-instance step, a decision asked afresh each time)."""
    held: dict[str, Any] = {}
    found: dict[int, dict[str, Any]] = {}
    for event in events:
        data = (event.payload or {}).get("data")
        if event.type not in ("started", "completed") or not isinstance(data, dict):
            continue
        was = {k: held[k] for k, v in data.items()
               if k not in own and held.get(k) not in (None, "", [], v)}
        if was:
            found[event.seq] = was
        held.update(data)
    return found


def timeline_item(event: EventView, diagram: Any, titles: dict[str, str],
                  process_names: dict[str, str], labels: dict[str, str],
                  readable: Callable[[str, Any], Any], insiders: bool, who: Who,
                  was: Mapping[str, Any] | None = None) -> TimelineItem:
    """One event of the history: its step, what was submitted (by the forms' titles; the
    variables no form names for insiders only, apart), with what it replaced (``was``), an
    operation's targets and own words, and who acted."""
    payload = event.payload or {}
    element = payload.get("element_id")
    title = diagram.title_of(element) if element else titles.get(event.task_id or "", "")
    if event.type == "completed" and titles.get(event.task_id or ""):
        title = titles[event.task_id or ""]  # a multi-instance task's names its item
    if event.type == "message":  # a message's name is a key: say which procedure sent it
        title = process_names.get(str(payload.get("name") or ""), "")
    if event.type == "timer" and not title:  # which timers fired (一周后 每周跟踪), by name
        title = "、".join(dict.fromkeys(
            diagram.title_of(move[0]) for move in payload.get("steps") or []
            if move and move[0] in diagram.elements
            and diagram.elements[move[0]].kind.endswith("Event")))
    if event.type == "timer" and not title:  # it only came round to a step still open
        title = "、".join(diagram.title_of(e) for e in payload.get("kept_open") or [])
    if event.type == "terminated" and payload.get("by_applicant"):
        title = _("申请人撤回申请")  # engine/runtime/withdrawal.py
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    shown = {k: v for k, v in (data or {}).items() if not k.startswith("_")}
    was = was or {}
    details = [DataRow(k, labels[k], readable(k, v),
                       was=readable(k, was[k]) if k in was else None)
               for k, v in shown.items() if k in labels]
    details += operation_rows(event, diagram, who)
    dropped = [labels.get(k, k) for k in payload.get("dropped") or () if isinstance(k, str)]
    details += [DataRow("dropped", _("不再适用"), listed(dropped))] if dropped else []
    details += [DataRow("files", _("文件"), listed(f.get("name") for f in
                                                       payload.get("files") or []))
                ] if event.type in ("attached", "document") else []
    variables = [variable_row(diagram, k, readable(k, v)) for k, v in shown.items()
                 if k not in labels] if insiders else []
    said, said_label = said_of(event)
    return TimelineItem(event.seq, event.at, event.type, title, who(event.user), details,
                        said, said_label=said_label, variables=variables)
