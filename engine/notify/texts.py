"""The Chinese sentences notices carry (e-mails, webhooks, and the centre's list)."""

from __future__ import annotations

from datetime import datetime

from engine.time.calendar import TZ


def when(t: datetime) -> str:
    """10月8日 17:30 (local time)."""
    local = t.astimezone(TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _case(business_key: str | None) -> str:
    return f"（{business_key}）" if business_key else ""


def task_arrived(title: str, business_key: str | None, due_at: datetime | None) -> str:
    limit = f"，办理期限 {when(due_at)}" if due_at is not None else ""
    return f"新的待办「{title}」{_case(business_key)}已到达{limit}。"


def reminder(kind: str, title: str, business_key: str | None, due_at: datetime) -> str:
    task = f"待办「{title}」{_case(business_key)}"
    if kind == "due_tomorrow":
        return f"{task}将于 {when(due_at)} 到期，请抓紧办理。"
    if kind == "due_today":
        return f"{task}今天 {due_at.astimezone(TZ):%H:%M} 到期，请抓紧办理。"
    return f"{task}已超过办理期限（{when(due_at)}），请尽快办理。"


def decided(process_name: str, business_key: str | None) -> str:
    return f"您提交的「{process_name}」申请{_case(business_key)}已有办理结果，请登录查看。"
