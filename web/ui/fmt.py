"""Presentation helpers: local times, working-day countdowns, labels for roles, statuses and
event types. Registered as Jinja filters and globals by web/ui/pages.py."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from engine import TZ, WorkCalendar, deadline_clock, deadline_day, role_name
from web.errors import localized
from web.ui.i18n import listed

STATUS_LABELS: dict[str, Any] = {
    "running": _l("办理中"),
    "completed": _l("已办结"),
    "cancelled": _l("已撤销"),
    "error": _l("出错"),
    "ready": _l("待办"),
}

EVENT_LABELS: dict[str, Any] = {
    "started": _l("发起"),
    "completed": _l("办理"),
    "claimed": _l("认领"),
    "unclaimed": _l("取消认领"),
    "message": _l("收到消息"),
    "timer": _l("定时触发"),
    "assigned": _l("指派"),
    "attached": _l("上传附件"),
    "document": _l("出具文书"),
    "transferred": _l("转办"),
    "delegated": _l("委派"),
    "resolved": _l("委派办理"),
    "signer_added": _l("加签"),
    "signed": _l("会签"),
    "sent_back": _l("退回"),
    "withdrawn": _l("撤回"),
    "urged": _l("催办"),
    "copied": _l("抄送"),
    "commented": _l("意见"),
    "terminated": _l("终止"),
    "migrated": _l("迁移版本"),
    "deadline_moved": _l("期限调整"),
    "timer_moved": _l("定时调整"),
}

# The BPMN element types a designer meets on a version's element table and in the modeler.
BPMN_KINDS: dict[str, Any] = {
    "process": _l("流程"),
    "participant": _l("泳池"),
    "laneSet": _l("泳道集"),
    "lane": _l("泳道"),
    "startEvent": _l("开始事件"),
    "endEvent": _l("结束事件"),
    "intermediateThrowEvent": _l("中间抛出事件"),
    "intermediateCatchEvent": _l("中间捕获事件"),
    "boundaryEvent": _l("边界事件"),
    "userTask": _l("人工任务"),
    "manualTask": _l("手工任务"),
    "scriptTask": _l("脚本任务"),
    "serviceTask": _l("服务任务"),
    "sendTask": _l("发送任务"),
    "receiveTask": _l("接收任务"),
    "businessRuleTask": _l("业务规则任务"),
    "callActivity": _l("调用活动"),
    "subProcess": _l("子流程"),
    "exclusiveGateway": _l("排他网关"),
    "parallelGateway": _l("并行网关"),
    "inclusiveGateway": _l("包容网关"),
    "eventBasedGateway": _l("事件网关"),
    "messageEventDefinition": _l("消息定义"),
    "timerEventDefinition": _l("定时定义"),
    "signalEventDefinition": _l("信号定义"),
    "errorEventDefinition": _l("错误定义"),
    "escalationEventDefinition": _l("升级定义"),
    "conditionalEventDefinition": _l("条件定义"),
    "terminateEventDefinition": _l("终止定义"),
    "textAnnotation": _l("注释"),
    "task": _l("任务"),
    "sequenceFlow": _l("顺序流"),
    "messageFlow": _l("消息流"),
    "association": _l("关联"),
    "group": _l("分组"),
    "dataObjectReference": _l("数据对象"),
    "dataStoreReference": _l("数据存储"),
}


def bpmn_kind(kind: str) -> str:
    """A BPMN element type in words; empty when unknown (the page shows the type itself)."""
    label = BPMN_KINDS.get(kind)
    return str(label) if label is not None else ""

# What a version diff says changed (engine/definitions/version_diff.py paths), in words; the
# last part of a path names it ("timerEventDefinition/timeDate" is a timer's date).
DIFF_PARTS: dict[str, Any] = {
    "name": _l("名称"), "documentation": _l("说明"), "script": _l("脚本"),
    "conditionExpression": _l("条件"), "default": _l("默认流向"),
    "camunda:formKey": _l("表单"), "camunda:dueDate": _l("期限"),
    "camunda:decisionRef": _l("决策表"), "calledElement": _l("调用的流程"),
    "sourceRef": _l("起点"), "targetRef": _l("终点"), "incoming": _l("流入"),
    "outgoing": _l("流出"), "timeDate": _l("定时（日期）"), "timeCycle": _l("定时（周期）"),
    "timeDuration": _l("定时（时长）"), "messageRef": _l("消息"), "attachedToRef": _l("附着于"),
    "cancelActivity": _l("中断"), "loopCardinality": _l("多实例数量"),
    "completionCondition": _l("完成条件"), "camunda:collection": _l("多实例集合"),
    "camunda:elementVariable": _l("多实例变量"), "isSequential": _l("依次执行"),
}


def diff_what(path: str) -> str:
    """A diff's path in words (empty when not known: the page shows the path itself)."""
    if path.startswith("properties."):
        return str(_("字段 %(name)s", name=path.removeprefix("properties.")))
    if path.startswith("flowNodeRef:"):
        return str(_("泳道包含 %(id)s", id=path.removeprefix("flowNodeRef:")))
    last = path.rsplit("/", 1)[-1].lstrip("@")
    if last.startswith("camunda:property["):
        return str(_("属性 %(name)s", name=last.removeprefix("camunda:property[").rstrip("]")))
    label = DIFF_PARTS.get(last.split("[", 1)[0])
    return str(label) if label is not None else ""


# How a reader was shown confidential fields (engine/queries/confidential.py, ``via``).
READ_VIA: dict[str, Any] = {
    "task": _l("任务页"),
    "case": _l("案件页"),
    "history": _l("办理记录"),
    "time travel": _l("回溯"),
    "ledger": _l("台账"),
}


def read_via(via: str) -> str:
    """One page view that showed fields several ways is logged once, its ways joined by +."""
    return "、".join(str(READ_VIA.get(part, part)) for part in via.split("+"))


def case_label(business_key: str | None, instance_id: int) -> str:
    """A case as a list names it: its number; one without (a schedule's monthly run) in
    words with its id, which ``kuaiban replay`` and ``export`` take."""
    return business_key or _("无编号（实例 %(id)s）", id=instance_id)


def role_label(role: str | None) -> str:
    return "" if role is None else localized(role_name(role))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# A case's status where it differs from a task's: a case is cancelled only by 终止
CASE_STATUS_LABELS: dict[str, Any] = {**STATUS_LABELS, "cancelled": _l("已终止")}


def case_status_label(status: str) -> str:
    return str(CASE_STATUS_LABELS.get(status, status))


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def local_time(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    local = value.astimezone(TZ)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def time_span(first: datetime, last: datetime) -> str:
    """2026-12-07 08:50–09:05: from one time to another, the day once when it is the same."""
    start, end = local_time(first), local_time(last)
    if end == start:
        return start
    return f"{start}–{end[11:] if end[:10] == start[:10] else end}"


def due_time(value: datetime | None) -> str:
    """A deadline as people read it: one at midnight is the end of the day before (a stage
    that closes at 12-01 00:00 ends on 11月底), so it reads 2026-11-30 24:00."""
    if value is None:
        return ""
    return f"{deadline_day(value):%Y-%m-%d} {deadline_clock(value)}"


def provisional_due(due_at: datetime | None, now: datetime, calendar: WorkCalendar) -> str:
    """The note beside a deadline counted into a year whose official holiday schedule is not
    loaded (its statutory holidays are off, no 调休 known yet); "" otherwise."""
    if due_at is None:
        return ""
    if not calendar.provisional_span(now.astimezone(TZ).date(), deadline_day(due_at)):
        return ""
    note = _("（节假日安排未公布，按法定节假日计算）")
    title = _("该年度国务院节假日安排尚未载入：期限按法定节假日和周末计算，未计调休，"
              "公布后以新安排为准。")
    return Markup('<small class="provisional" title="{}">{}</small>').format(title, note)


def money(value: Any, unit: str = "元") -> str:
    """480,000元, 480,000.50元, 1,200万元: an amount as the UI shows it; the text itself when
    it is no number. ``unit=""`` under a header that names the unit (兑付金额（元）): 480,000."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return short_value(value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return text + unit


_MONEY_HEADER = re.compile(r"（万?元）")


def ledger_cell(value: Any, header: str = "") -> str:
    """A ledger cell: times as the rest of the UI shows them, amounts under a header that
    names their unit (涉及金额（万元）, 金额（元）) with separators and no unit again (1,250.50),
    other values as they are."""
    if isinstance(value, datetime):
        return local_time(value)
    if _MONEY_HEADER.search(header) and value not in (None, ""):
        return money(value, "")
    return short_value(value, 400)


def countdown(due_at: datetime | None, now: datetime, calendar: WorkCalendar) -> tuple[str, str]:
    """(css class, text): 今日到期 / 剩余 N 个工作日 / 已超期 N 个工作日, counted on the
    official working-day calendar."""
    if due_at is None:
        return "none", _("无期限")
    today = now.astimezone(TZ).date()
    due_day = deadline_day(due_at)
    if due_at < now:
        late = calendar.workdays_between(due_day, today)
        if late < 1:
            return "overdue", _("今日已超期")
        return "overdue", ngettext("已超期 %(num)d 个工作日", "已超期 %(num)d 个工作日", late)
    if due_day == today:
        return "today", _("今日到期")
    left = calendar.workdays_between(today, due_day)
    if left < 1:
        return "today", _("即将到期")
    return "open", ngettext("剩余 %(num)d 个工作日", "剩余 %(num)d 个工作日", left)


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def _instant(value: str) -> str:
    try:
        return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


def short_value(value: Any, limit: int = 120) -> str:
    """A data value as one readable line."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    if isinstance(value, list):
        text = listed(short_value(v, limit) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {short_value(v, limit)}" for k, v in value.items())
    elif isinstance(value, str) and _ISO_INSTANT.match(value):
        text = _instant(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# a run of ASCII letters, digits and the marks inside numbers, dates and codes (80,000.50,
# 2026-09-30, PZ-2026-0930-000123456); one with a digit is kept on one line
_TOKEN = re.compile(r"[\w.,:/+\-]+", re.ASCII)
_LONGEST_KEPT = 40  # longer (a hash, a link) may break where it must, or it runs off the page


def unbroken(text: Any) -> Markup:
    """``text`` escaped, each number, date, amount or code in it kept on one line (``.nb``):
    a narrow column moves it to the next line whole rather than breaking it in the middle."""
    if isinstance(text, Markup):
        return text
    source = str(text)
    parts: list[Markup] = []
    last = 0
    for found in _TOKEN.finditer(source):
        token = found.group()
        if 1 < len(token) <= _LONGEST_KEPT and any(c.isdigit() for c in token):
            parts += [escape(source[last:found.start()]),
                      Markup('<span class="nb">%s</span>') % token]
            last = found.end()
    parts.append(escape(source[last:]))
    return Markup("").join(parts)


def print_step(value: float | None, step: int, top: int) -> int:
    """A document's point size or indent as the nearest class of print.css (0 to ``top`` in
    ``step``s): the page's policy allows no inline style."""
    points = max(0.0, min(float(value or 0), float(top)))
    return round(points / step) * step
