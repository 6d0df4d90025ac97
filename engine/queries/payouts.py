"""惠企政策兑现 payouts as they were made: a 免申即享 batch's results, one per enterprise of its
confirmed list (兑付结果 on the case page), and the payouts behind the statistics' counts.

A payout is a completed payout task (:data:`PAYOUT_TASKS`); what it paid is what that task
submitted (实际兑付金额 ``paid_amount``, 拨付日期 ``paid_on``, 凭证号 ``payment_voucher``, under
its ``enterprise`` in 免申即享). A batch's enterprises are the items of its multi-instance
payout step's collection, in their order; the task of each is found by its place
(``tasks.item_index``), so the facts shown are the confirmed list's, never a submission's.
Read from the task table and the completed events: no workflow is deserialized.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.schema import Event, ProcessInstance, Task
from engine.views import InstanceView

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.definitions.parsed import LoadedVersion

# each subsidy procedure's payout task (免申即享: one per enterprise of the batch)
PAYOUT_TASKS = {"subsidy_instant": "pay", "subsidy_commitment": "pay",
                "subsidy_automatic": "pay_enterprise"}
PAID, OPEN, UNPAID = "paid", "open", "unpaid"


@dataclass(frozen=True)
class Payout:
    """One enterprise of a batch: the confirmed facts, and what its task paid (``PAID``), or
    who holds its task (``OPEN``), or neither (``UNPAID``: the case ended without it)."""

    name: str | None
    credit_code: str | None
    approved: float | None  # 核定兑付金额
    status: str
    paid: float | None = None  # 实际兑付金额
    paid_on: str | None = None
    voucher: str | None = None
    task_id: str | None = None
    assignee: str | None = None  # an open task's holder, when claimed
    role: str | None = None  # else whoever of this role ...
    unit: str | None = None  # ... in this unit may take it
    completed_by: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class BatchPayouts:
    """A batch's payouts in the confirmed list's order, with the totals of the 合计 row."""

    rows: tuple[Payout, ...]
    approved_total: float
    paid_total: float

    @property
    def paid_count(self) -> int:
        return sum(1 for p in self.rows if p.status == PAID)


@dataclass(frozen=True)
class PaidPayout:
    """One payout behind a statistics count: which case, which enterprise, how much, when."""

    instance_id: int
    process_key: str
    business_key: str | None
    enterprise: str | None
    credit_code: str | None
    paid: float | None
    paid_on: str | None
    completed_at: datetime | None
    task_id: str


def batch_payouts(engine: Engine, instance: InstanceView) -> BatchPayouts | None:
    """The payouts of a case whose payout step is multi-instance (免申即享), once its list is
    confirmed; None for any other case. ``instance``: the case as the caller read it (its
    read checked, confidential fields masked)."""
    element = PAYOUT_TASKS.get(instance.process_key)
    if element is None:
        return None
    with engine.transaction(read_only=True) as session:
        row = session.get(ProcessInstance, instance.id)
        if row is None:
            return None
        collection = items_of(engine.versions.get(session, row.version_id), element)
        items = items_in(instance.data.get(collection)) if collection else None
        if items is None:
            return None
        tasks = list(session.execute(
            select(Task).where(Task.instance_id == instance.id, Task.element_id == element)
            .order_by(Task.created_at, Task.completed_at, Task.id)).scalars())
        paid = submitted(session, instance.id, [t.id for t in tasks if t.status == "completed"])
    deciding = deciding_tasks(tasks, paid, items)
    rows = tuple(payout_of(item, deciding.get(n), paid) for n, item in enumerate(items))
    return BatchPayouts(rows, _total(p.approved for p in rows),
                        _total(p.paid for p in rows if p.status == PAID))


def deciding_tasks(tasks: Sequence[Task], paid: Mapping[str, Mapping[str, Any]],
                   items: list[Mapping[str, Any]]) -> dict[int, Task]:
    """Place -> the task that decides its item, of ``tasks`` in the order they were made:
    the open one (a payout sent back or withdrawn is to be made again), else the last
    completed, else a cancelled one."""
    rank = {"ready": 2, "completed": 1}
    deciding: dict[int, Task] = {}
    for task in tasks:
        place = _place(task, paid.get(task.id), items)
        if place is not None and (place not in deciding or rank.get(task.status, 0)
                                  >= rank.get(deciding[place].status, 0)):
            deciding[place] = task
    return deciding


def items_of(version: LoadedVersion, element: str) -> str | None:
    """The collection a multi-instance ``element`` makes its tasks from (``payouts``)."""
    return next((str(spec.data_input.bpmn_id) for spec in version.spec.task_specs.values()
                 if isinstance(spec, MultiInstanceTask) and spec.bpmn_id == element
                 and spec.data_input is not None), None)


def payment(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a payout task submitted about the payment: 免申即享's under ``enterprise``."""
    inner = data.get("enterprise")
    return inner if isinstance(inner, Mapping) else data


def amount(value: Any) -> float | None:
    """A number as it was given (120000 stays an integer), else None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def items_in(value: Any) -> list[Mapping[str, Any]] | None:
    """A collection's items in order: a list's, or a mapping's values (keyed by place)."""
    found: Sequence[Any] = list(value.values()) if isinstance(value, Mapping) else value \
        if isinstance(value, list) else []
    return [i if isinstance(i, Mapping) else {} for i in found] or None


def submitted(session: Session, instance_id: int, task_ids: list[str]
               ) -> dict[str, Mapping[str, Any]]:
    """Task id -> the data its completion submitted."""
    if not task_ids:
        return {}
    found = session.execute(select(Event.task_id, Event.payload).where(
        Event.instance_id == instance_id, Event.type == "completed",
        Event.task_id.in_(task_ids)))
    return {task_id: (payload or {}).get("data") or {} for task_id, payload in found}


def _place(task: Task, data: Mapping[str, Any] | None, items: list[Mapping[str, Any]]
           ) -> int | None:
    """A task's item: its place, or (a task mirrored before places were) the item whose
    credit code its submission names, else whose name its title ends with."""
    if task.item_index is not None:
        return task.item_index if task.item_index < len(items) else None
    code = payment(data or {}).get("credit_code")
    return next((n for n, item in enumerate(items)
                 if code is not None and item.get("credit_code") == code), None) \
        if code is not None else next((n for n, item in enumerate(items) if item.get("name")
                                       and task.name.endswith(f"（{item['name']}）")), None)


def payout_of(item: Mapping[str, Any], task: Task | None,
              paid: Mapping[str, Mapping[str, Any]]) -> Payout:
    """An item's payout as its deciding task (None: none) left it."""
    confirmed = Payout(text(item.get("name")), text(item.get("credit_code")),
                       amount(item.get("amount")), UNPAID)
    if task is None or task.status == "cancelled":
        return confirmed
    if task.status != "completed":
        return replace(confirmed, status=OPEN, task_id=task.id, assignee=task.assignee,
                       role=task.role, unit=task.unit)
    done = payment(paid.get(task.id) or {})
    return replace(confirmed, status=PAID, paid=amount(done.get("paid_amount")),
                   paid_on=text(done.get("paid_on")), voucher=text(done.get("payment_voucher")),
                   task_id=task.id, completed_by=task.completed_by,
                   completed_at=task.completed_at)


def _total(amounts: Any) -> float:
    return round(sum(a for a in amounts if a is not None), 2)
