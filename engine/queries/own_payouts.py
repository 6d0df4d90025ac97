"""An enterprise's own payouts of the 免申即享 batches that pay it, as the enterprise may see
them: 免申即享 asks nothing of the enterprise, and the batch's case lists every enterprise of
it, which no enterprise reads; each enterprise follows its own item instead (我的申请, its
payout page, its 兑付通知书).

An item is the enterprise's when the task that pays it names the enterprise's 统一社会信用代码
(``tasks.credit_code``, found by ``ix_tasks_credit_code``) and the confirmed list's item at that
task's place does too. What is shown of it is the item as confirmed and what its deciding task
paid (engine/queries/payouts.py), the notice text written to the enterprise and its letter:
never another item, the list's totals, the department's basis or comments, or who did what.
Only users of role enterprise with a code read them; an item of another enterprise is, to
them, a case that does not exist (CaseHidden).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.errors import CaseHidden, NotFound, PermissionDenied
from engine.files.dossier import attachment_view
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.queries.payouts import (
    OPEN,
    PAID,
    PAYOUT_TASKS,
    deciding_tasks,
    items_in,
    items_of,
    payment,
    payout_of,
    submitted,
    text,
)
from engine.storage.schema import Attachment, ProcessInstance, Task
from engine.time.calendar import TZ
from engine.views import AttachmentView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

LIMIT = 200  # newest first, as 我的申请 lists applications


@dataclass(frozen=True)
class Letter:
    """The 兑付通知书 issued to the enterprise for its item (engine/runtime/case_files.py)."""

    attachment_id: int
    sha256: str
    doc_no: str | None
    name: str
    issued_at: datetime


@dataclass(frozen=True)
class OwnPayout:
    """One item of a batch that is the enterprise's: the batch it is in, the item as the
    department confirmed it, and its payout (``status``: payouts.PAID, OPEN or UNPAID)."""

    instance_id: int
    business_key: str | None
    process_key: str
    process_name: str
    case_status: str  # the batch's (running while other enterprises wait)
    case_created_at: datetime
    policy_id: str | None
    policy_name: str | None
    department: str | None  # the policy's department, which pays
    name: str | None
    credit_code: str | None
    bank_account: str | None
    eligibility_fact: str | None
    approved: float | None  # 核定兑付金额
    status: str
    confirmed_at: datetime  # when the list naming it was confirmed (its task was made)
    due_at: datetime | None = None  # an open payout's deadline
    paid: float | None = None  # 实际兑付金额
    paid_on: str | None = None
    voucher: str | None = None
    paid_at: datetime | None = None
    notice_text: str | None = None  # what the department wrote to the enterprise, if anything
    letter: Letter | None = None

    @property
    def listed_at(self) -> datetime:
        """Its time in 我的申请: when the enterprise was confirmed for it."""
        return self.confirmed_at

    def as_json(self) -> dict[str, Any]:
        letter = self.letter
        return {
            "instance_id": self.instance_id, "business_key": self.business_key,
            "process_key": self.process_key, "process_name": self.process_name,
            "policy_id": self.policy_id, "policy_name": self.policy_name,
            "department": self.department, "name": self.name, "credit_code": self.credit_code,
            "bank_account": self.bank_account, "eligibility_fact": self.eligibility_fact,
            "approved_amount": self.approved, "status": self.status,
            "confirmed_at": _iso(self.confirmed_at), "due_at": _iso(self.due_at),
            "paid_amount": self.paid, "paid_on": self.paid_on,
            "payment_voucher": self.voucher, "paid_at": _iso(self.paid_at),
            "notice_text": self.notice_text,
            "letter": None if letter is None else {
                "doc_no": letter.doc_no, "name": letter.name, "sha256": letter.sha256,
                "issued_at": _iso(letter.issued_at),
                "url": f"/api/v1/applications/payouts/{self.instance_id}/letters/"
                       f"{letter.sha256}"},
        }


class OwnPayouts:
    """``Engine.own_payouts``: the enterprise's items, for 我的申请 and its payout page."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of(self, user: Who) -> list[OwnPayout]:
        """Every item of the enterprise user's in the batches, newest first; none for any
        other user."""
        with self._engine.transaction(read_only=True) as session:
            return self.listed(session, users.resolve(session, user))

    def listed(self, session: Session, reader: UserView) -> list[OwnPayout]:
        """:meth:`of` in the caller's transaction (我的申请 lists them with applications)."""
        code = _code(reader)
        if code is None:
            return []
        found = self._read(session, reader, code, _tasks(session, code))
        return sorted(found, key=lambda p: (p.confirmed_at, p.instance_id),
                      reverse=True)[:LIMIT]

    def in_batch(self, instance_id: int, user: Who) -> list[OwnPayout]:
        """The enterprise user's items of one batch, in the list's order (one, unless the
        department listed it twice). PermissionDenied for a user who is no enterprise;
        CaseHidden (not found) for a batch with no item of theirs."""
        with self._engine.transaction(read_only=True) as session:
            return self._in_batch(session, instance_id, users.resolve(session, user))

    def letter(self, instance_id: int, sha256: str, user: Who) -> AttachmentView:
        """The 兑付通知书 of one of the enterprise user's items of the batch (refused as
        :meth:`in_batch`); not found unless it is the letter of an item paid."""
        with self._engine.transaction(read_only=True) as session:
            own = self._in_batch(session, instance_id, users.resolve(session, user))
            found = next((p.letter for p in own if p.letter and p.letter.sha256 == sha256),
                         None)
            row = session.get(Attachment, found.attachment_id) if found else None
            if row is None:
                raise NotFound(msg("file.not_found"))
            return attachment_view(row)

    def _in_batch(self, session: Session, instance_id: int, reader: UserView
                  ) -> list[OwnPayout]:
        code = _code(reader)
        if code is None:
            raise PermissionDenied(msg("own_payouts.enterprises_only"))
        if session.get(ProcessInstance, instance_id) is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        found = self._read(session, reader, code, _tasks(session, code, instance_id))
        if not found:  # another enterprise's batch is, to this one, no case at all
            raise CaseHidden(msg("instance.not_found", instance_id=instance_id))
        return found

    def _read(self, session: Session, reader: UserView, code: str, tasks: Sequence[Task]
              ) -> list[OwnPayout]:
        by_case: dict[int, list[Task]] = defaultdict(list)
        for task in tasks:
            by_case[task.instance_id].append(task)
        if not by_case:
            return []
        rows = session.execute(select(ProcessInstance).where(
            ProcessInstance.id.in_(sorted(by_case)))).scalars()
        letters = _letters(session, sorted(by_case),
                           [t.id for t in tasks if t.status == "completed"])
        out: list[OwnPayout] = []
        for row in rows:
            out.extend(self._items(session, row, reader, code, by_case[row.id], letters))
        return out

    def _items(self, session: Session, row: ProcessInstance, reader: UserView, code: str,
               tasks: list[Task], letters: Mapping[str, Attachment]) -> list[OwnPayout]:
        """The case's items that are the enterprise's, each with its deciding task."""
        version = self._engine.versions.get(session, row.version_id)
        collection = items_of(version, PAYOUT_TASKS[row.process_key])
        data, _ = self._engine.confidential.reveal(session, row, reader, row.data or {})
        items = items_in(data.get(collection)) if collection else None
        if not items:
            return []
        paid = submitted(session, row.id, [t.id for t in tasks if t.status == "completed"])
        out = []
        for place, task in sorted(deciding_tasks(tasks, paid, items).items()):
            item = items[place]
            if item.get("credit_code") != code:  # the list as confirmed must name it too
                continue
            made = min((t.created_at for t in tasks if t.item_index == place),
                       default=task.created_at)
            out.append(_own(row, version.name, data, item, task, paid, made,
                            letters.get(task.id)))
        return out


def _own(row: ProcessInstance, process_name: str, data: Mapping[str, Any],
         item: Mapping[str, Any], task: Task, paid: Mapping[str, Mapping[str, Any]],
         confirmed_at: datetime, letter: Attachment | None) -> OwnPayout:
    found = payout_of(item, task, paid)
    done = payment(paid.get(task.id) or {}) if found.status == PAID else {}
    return OwnPayout(
        row.id, row.business_key, row.process_key, process_name, row.status, row.created_at,
        text(data.get("policy_id")), text(data.get("policy_name")),
        text(data.get("owning_dept")), found.name, found.credit_code,
        text(item.get("bank_account")), text(item.get("eligibility_fact")), found.approved,
        found.status, confirmed_at, task.due_at if found.status == OPEN else None,
        found.paid, found.paid_on, found.voucher, found.completed_at,
        text(done.get("notice_text")),
        Letter(letter.id, letter.sha256, letter.doc_no, letter.name, letter.uploaded_at)
        if letter is not None and found.status == PAID else None)


def _code(reader: UserView) -> str | None:
    """The enterprise user's 统一社会信用代码; None for any other user."""
    return reader.credit_code if reader.has_role("enterprise") else None


def _tasks(session: Session, code: str, instance_id: int | None = None) -> list[Task]:
    """The payout tasks naming the enterprise (``ix_tasks_credit_code``), in the order they
    were made."""
    query = select(Task).where(Task.credit_code == code, or_(*(
        and_(Task.process_key == key, Task.element_id == element)
        for key, element in PAYOUT_TASKS.items())))
    if instance_id is not None:
        query = query.where(Task.instance_id == instance_id)
    return list(session.execute(query.order_by(Task.created_at, Task.completed_at, Task.id))
                .scalars())


def _letters(session: Session, instance_ids: list[int], task_ids: list[str]
             ) -> dict[str, Attachment]:
    """Task id -> the letter issued for its item (the last, should there be several), of
    the cases' files (``ix_attachments_instance_id``)."""
    if not task_ids:
        return {}
    rows = session.execute(select(Attachment).where(
        Attachment.instance_id.in_(instance_ids), Attachment.task_id.in_(task_ids),
        Attachment.document.is_not(None))
        .order_by(Attachment.id)).scalars()
    return {row.task_id: row for row in rows if row.task_id is not None}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(TZ).isoformat()
