"""The user's own lists beside the inbox: 已办 (every task they acted on, with what they did,
and the cases they started, each with the case as it stands now) and 我的申请 (an
enterprise's applications, with the outcome and, when refused, the reason the procedure recorded).

已办 reads the case histories: each event names who acted, on which task, and how (办理,
退回, 转办 ...), in every case old or new, while a task row records only its last holder.
Both lists read through indexes (``ix_events_done``, ``ix_instances_started_by``) and show
only cases the user may read (queries/visibility.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import PermissionDenied
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.queries import payouts, subjects, visibility
from engine.queries.inbox import task_view
from engine.storage.schema import Event, ProcessInstance, Task
from engine.time.calendar import TZ
from engine.views import TaskView

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.queries.own_payouts import OwnPayout

LIMIT = 200  # newest first; older work stays findable by search
APPLICANTS = frozenset({"enterprise", "window", "credit_window"})
REFUSED = "不予"  # the procedures' refusals: 不予受理, 不予兑现, 不予修复, 不予办理
# What acting on a task is, by the event that records it: 办理, 退回, 撤回, 转办, 委派, a
# delegate's part done (办理 for its owner), 加签 asked and signed (engine/runtime/handover.py)
ACTIONS = ("completed", "sent_back", "withdrawn", "transferred", "delegated", "resolved",
           "signer_added", "signed")
# Where the procedures write why they refused (processes/subsidy_*.bpmn, credit_repair.bpmn)
REASON_FIELDS = ("reject_reason", "outcome_reason")
PAID_OUTCOME, PAID = "已兑付", "paid_amount"  # a subsidy paid, and the amount (兑付资金)


@dataclass(frozen=True)
class CaseState:
    """A case as it stands now."""

    instance_id: int
    process_key: str
    process_name: str
    business_key: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    open_tasks: tuple[str, ...]  # the titles of its open tasks
    subject: str | None = None  # its subject (事由)

    def as_json(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "process_key": self.process_key,
                "process_name": self.process_name, "business_key": self.business_key,
                "subject": self.subject,
                "status": self.status, "created_at": self.created_at.astimezone(TZ).isoformat(),
                "updated_at": self.updated_at.astimezone(TZ).isoformat(),
                "open_tasks": list(self.open_tasks)}


@dataclass(frozen=True)
class DoneTask:
    task: TaskView  # the task as it stands now
    case: CaseState
    action: str  # what the user did: one of ACTIONS
    acted_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {**self.task.as_json(), "action": self.action,
                "acted_at": self.acted_at.astimezone(TZ).isoformat(), "case": self.case.as_json()}


@dataclass(frozen=True)
class DoneList:
    tasks: list[DoneTask]  # what the user did to tasks, newest first
    started: list[CaseState]  # started by the user, newest first

    def as_json(self) -> dict[str, Any]:
        return {"tasks": [t.as_json() for t in self.tasks],
                "started": [c.as_json() for c in self.started]}


@dataclass(frozen=True)
class Application:
    case: CaseState
    outcome: str | None  # what the procedure decided (已兑付, 不予兑现 ...), None while open
    refused: bool
    reason: str | None  # why it was refused
    explanation: str | None  # the policy explanation that goes with a refusal
    paid_amount: int | float | None = None  # what was paid (元), once paid
    # 免申即享: the enterprise's own item of a batch, which it never applied for
    payout: OwnPayout | None = None
    reduced: Reduction | None = None  # approved for less than applied for, and why
    untrue: UntrueCommitment | None = None  # its commitment found untrue, and the record
    supplement: str | None = None  # the materials asked for (补正), until supplied

    @property
    def listed_at(self) -> datetime:
        return self.payout.listed_at if self.payout is not None else self.case.created_at

    def as_json(self) -> dict[str, Any]:
        return {**self.case.as_json(), "outcome": self.outcome, "refused": self.refused,
                "reason": self.reason, "explanation": self.explanation,
                "paid_amount": self.paid_amount,
                "reduced": None if self.reduced is None else asdict(self.reduced),
                "untrue_commitment": None if self.untrue is None else asdict(self.untrue),
                "supplement": self.supplement,
                "payout": None if self.payout is None else self.payout.as_json()}


class Worklists:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def done(self, user: Who) -> DoneList:
        with self._engine.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            readable = visibility.readable(session, reader)
            acts = list(session.execute(
                select(Task, Event.type, Event.at)
                .join(Task, Task.id == Event.task_id)
                .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
                .where(Event.user == reader.username, Event.type.in_(ACTIONS), readable)
                .order_by(Event.at.desc(), Event.id.desc()).limit(LIMIT)))
            started = self._started(session, reader.username)
            states = self._states(session, {t.instance_id for t, _, _ in acts}
                                  | {r.id for r in started})
            now = self._engine.clock.now()
            return DoneList([DoneTask(replace(task_view(t, now),
                                              subject=states[t.instance_id].subject),
                                      states[t.instance_id], kind, at)
                             for t, kind, at in acts],
                            [states[r.id] for r in started])

    def applications(self, user: Who) -> list[Application]:
        """The cases the applicant (an enterprise, or the window for one) started, and an
        enterprise's cases a window filed for it (by its 统一社会信用代码); for an enterprise
        also its items of 免申即享 batches, which it never applied for (one row each, of its
        own item alone: engine/queries/own_payouts.py). Newest first."""
        with self._engine.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            if not APPLICANTS & set(reader.roles):
                raise PermissionDenied(msg("worklists.applicants_only"))
            rows = list(session.execute(
                select(ProcessInstance).where(visibility.applications(reader))
                .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
                .limit(LIMIT)).scalars())
            states = self._states(session, {r.id for r in rows})
            out = []
            for row in rows:
                data, _ = self._engine.confidential.reveal(session, row, reader, row.data or {})
                out.append(_application(states[row.id], data))
            out.extend(_payout_application(p)
                       for p in self._engine.own_payouts.listed(session, reader))
            out.sort(key=lambda a: (a.listed_at, a.case.instance_id), reverse=True)
            return out[:LIMIT]

    @staticmethod
    def _started(session: Session, username: str) -> list[ProcessInstance]:
        return list(session.execute(
            select(ProcessInstance).where(ProcessInstance.started_by == username)
            .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
            .limit(LIMIT)).scalars())

    def _states(self, session: Session, ids: Iterable[int]) -> dict[int, CaseState]:
        wanted = sorted(ids)
        if not wanted:
            return {}
        open_tasks: dict[int, list[str]] = defaultdict(list)
        for instance_id, name in session.execute(
                select(Task.instance_id, Task.name).where(Task.instance_id.in_(wanted),
                                                          Task.status == "ready")
                .order_by(Task.created_at, Task.id)):
            open_tasks[instance_id].append(name)
        rows = session.execute(select(
            ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.version_id,
            ProcessInstance.business_key, ProcessInstance.status, ProcessInstance.created_at,
            ProcessInstance.updated_at).where(ProcessInstance.id.in_(wanted)))
        versions = self._engine.versions
        found = subjects.of_cases(session, wanted)
        return {r.id: CaseState(r.id, r.process_key, versions.get(session, r.version_id).name,
                                r.business_key, r.status, r.created_at, r.updated_at,
                                tuple(open_tasks[r.id]), found.get(r.id))
                for r in rows}


@dataclass(frozen=True)
class Outcome:
    """What a procedure decided about an application, as its applicant is told."""

    outcome: str | None  # 已兑付, 不予兑现 ..., None while open
    refused: bool
    reason: str | None  # why it was refused
    explanation: str | None  # the policy explanation that goes with a refusal
    paid_amount: int | float | None = None  # what was paid (元), once paid
    reduced: Reduction | None = None  # approved for less than was applied for
    untrue: UntrueCommitment | None = None  # refused: its commitment was found untrue
    supplement: str | None = None  # the materials asked for (补正), until they are supplied


@dataclass(frozen=True)
class Reduction:
    """An approval below the amount applied for, with the reason the department gave (the
    decision forms require it: forms/subsidy_*_approve.json, subsidy_commitment_decide.json)."""

    approved: int | float
    requested: int | float
    reason: str | None


@dataclass(frozen=True)
class UntrueCommitment:
    """承诺兑现: the review found the facts at odds with the enterprise's signed commitment;
    the credit department records it (联合惩戒). ``record_no`` is the 信用记录编号 once it is
    recorded, None while the record is still to be made."""

    credit_dept: str
    record_no: str | None = None
    listed_on: str | None = None


def outcome_of(data: Mapping[str, Any]) -> Outcome:
    """The outcome once the procedure decided, even while its own steps go on (the report to
    市政数局): the applicant's answer is given."""
    outcome = data.get("outcome") if isinstance(data.get("outcome"), str) else None
    refused = bool(outcome and outcome.startswith(REFUSED))
    reason = next((data[f] for f in REASON_FIELDS if refused and isinstance(data.get(f), str)
                   and data[f]), None)
    explanation = data.get("policy_explanation") if refused else None
    paid = data.get(PAID) if outcome == PAID_OUTCOME else None
    return Outcome(outcome, refused, reason,
                   explanation if isinstance(explanation, str) and explanation else None,
                   paid if _amount(paid) else None, _reduction(data),
                   _untrue(data) if refused else None, _asked(data) if outcome is None else None)


def _asked(data: Mapping[str, Any]) -> str | None:
    """退回补正 (processes/subsidy_*.bpmn): the list told once, while it waits for the
    materials; a decision made after they came (``decision`` again) ends it."""
    items = data.get("supplement_items")
    return items if data.get("decision") == "supplement" and isinstance(items, str) \
        and items.strip() else None


def _amount(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reduction(data: Mapping[str, Any]) -> Reduction | None:
    approved, requested = data.get("approved_amount"), data.get("requested_amount")
    if data.get("decision") != "approve" or not (_amount(approved) and _amount(requested)):
        return None
    assert isinstance(approved, int | float) and isinstance(requested, int | float)
    if approved >= requested:
        return None
    opinion = data.get("opinion")
    return Reduction(approved, requested,
                     opinion.strip() if isinstance(opinion, str) and opinion.strip() else None)


def _untrue(data: Mapping[str, Any]) -> UntrueCommitment | None:
    """Found untrue (processes/subsidy_commitment.bpmn 与承诺不一致) and, once recorded, the
    record's reference (``credit_record``)."""
    if data.get("commitment_consistent") is not False or not data.get("credit_dept"):
        return None
    record = data.get("credit_record")
    if not isinstance(record, Mapping) or not record.get("credit_record_no"):
        return UntrueCommitment(str(data["credit_dept"]))
    return UntrueCommitment(str(record.get("listed_by") or data["credit_dept"]),
                            str(record["credit_record_no"]), str(record.get("listed_on") or ""))


def _payout_application(payout: OwnPayout) -> Application:
    """An item of a batch as a row of 我的申请: the batch's number and policy, and nothing of
    the batch beyond the enterprise's own item (no open tasks: they pay the others; changed
    when its item last did)."""
    case = CaseState(payout.instance_id, payout.process_key, payout.process_name,
                     payout.business_key, payout.case_status, payout.case_created_at,
                     payout.paid_at or payout.confirmed_at, (), payout.policy_name)
    paid = payout.status == payouts.PAID
    return Application(case, PAID_OUTCOME if paid else None, False, None, None,
                       payout.paid if paid else None, payout)


def _application(case: CaseState, data: dict[str, Any]) -> Application:
    found = outcome_of(data)
    return Application(case, found.outcome, found.refused, found.reason, found.explanation,
                       found.paid_amount, reduced=found.reduced, untrue=found.untrue,
                       supplement=found.supplement)
