"""The authorization matrix: every endpoint and page of the app × every role of domain.md ×
the task's unit or another unit.

The endpoints come from the app's ``url_map``: each (endpoint, method) needs an entry in
``MATRIX`` (test_every_endpoint_has_an_entry), so a new endpoint cannot slip in unchecked.
The people: one user per role of domain.md; the unit-scoped roles (handler, responsible_unit,
policy_dept) twice, once in the task's unit (``role@same``) and once in another unit
(``role@other``); the roles each 纪委监委 has of its own (intake, approver, case_manager) twice,
in the county whose clue it is (``role@same``, 浮梁县纪委监委) and in another county
(``role@other``, 乐平市纪委监委); and nobody signed in. The unit directory is loaded
(processes/units.csv), so the scope rule of engine/org/scope.py applies in full. The cases:
two real shipped procedures at a unit-scoped task, a clue (clue_triage) registered by
浮梁县's intake, at the handler's 优先核查 in 浮梁县纪委监委 and a
subsidy application (subsidy_instant) at the policy department's 审批 in 市商务局; plus a
tests/diagrams/messages.bpmn case waiting for a message (for POST /messages); and a paid
免申即享 batch (subsidy_automatic) of 市工信局, which in the subsidy's world pays the enterprise
user (its 统一社会信用代码) and in the clue's two other enterprises: its own payout pages are the
enterprise's alone, and another enterprise's are, to it, none. The clue runs every entry; the
subsidy application the entries whose answer depends on the case.

The cells run in portions of a few endpoints, each portion in a world of its own (so that
parallel workers share the work). Each cell makes one call. Allowed: the entry's success status
(and lists show the case exactly to those who may see it). Denied: 401/403/404 for the API
(with the JSON error shape), 403/404 or the sign-in redirect for pages. Calls that are denied,
or that only read, change nothing: the case's revision, status, event count and task
assignees, the message case's, the list of instances and the deployed versions are compared
before and after. PDFs of documents are not laid out here (LibreOffice takes seconds a
document): the matrix asks who gets one; tests/test_ui_files.py converts one for real.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine import instance_tasks
from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.files import pdf
from engine.files.attachments import Upload
from engine.org.roles import ROLES
from engine.storage.schema import Event, Notification, ProcessInstance, ProcessVersion, Task
from tests.conftest import DIAGRAMS, source
from web.app import create_app
from web.ui.auth import session_values

ROOT = Path(__file__).resolve().parent.parent

# The roles table of domain.md, in its order.
DOMAIN_ROLES = ("intake", "approver", "handler", "case_manager", "style_group",
                "supervision_office", "city_leader", "city_investigator", "reform_group",
                "responsible_unit", "sector_regulator", "lead_department", "enterprise", "window",
                "credit_window", "policy_dept", "data_bureau", "auditor", "designer")
UNIT_SCOPED = frozenset({"handler", "responsible_unit", "policy_dept"})
# Each county's 纪委监委 runs its own intake, approval and case management (engine/org/scope.py).
BY_JURISDICTION = frozenset({"intake", "approver", "case_manager"})
TWICE = UNIT_SCOPED | BY_JURISDICTION

# Who reads what, as the product documents it (domain.md, engine/api/reads.py, web/ui/board.py).
# Who reads a case without a part in it (engine/queries/visibility.py): auditors every case
# of their reach; the supervising roles the cases of the procedures they oversee (domain.md:
# the 纪委's the clues, the reform group the subsidies' payouts, never the other's);
# designers none.
AUDITORS = frozenset({"auditor"})
OVERSEEN = {"case_manager": "clue_triage", "style_group": "clue_triage",
            "supervision_office": "clue_triage", "city_leader": "clue_triage",
            "reform_group": "subsidy_instant"}
BOARD_SUPERVISORS = frozenset({"auditor", "case_manager", "style_group", "supervision_office",
                               "city_leader", "reform_group"})
LEDGER_READERS = frozenset({"auditor", "supervision_office", "reform_group", "case_manager",
                            "style_group", "data_bureau"})  # data_bureau: the 中介 clue ledger
STATS_READERS = frozenset({"case_manager", "style_group", "supervision_office", "city_leader",
                           "reform_group", "data_bureau"})  # engine/queries/stats/scope.py
# the data_bureau sees the 中介服务 clues' section alone, not the 按期办结率 of every procedure
TIMELINESS_READERS = STATS_READERS - {"data_bureau"}
MESSAGE_SENDERS = frozenset({"intake"})  # the lane of messages.bpmn's waiting task
# Who may add files and documents to a running case besides its participants
# (engine/runtime/case_files.py): the supervising roles, on the cases they oversee; auditors
# only read.
# Who urges and terminates (engine/runtime/handover.py, rewind.py): supervisors and leaders,
# on a case they may read.
URGERS = frozenset({"case_manager", "supervision_office", "reform_group", "approver",
                    "city_leader"})
PDF = b"%PDF-1.4\n% matrix\n"

FULIANG = "浮梁县纪委监委"
LEPING = "乐平市纪委监委"
SWJ = "市商务局"  # owns policy JS-002 (processes/policy_catalogue.dmn)
GXJ = "市工信局"


@dataclass(frozen=True)
class Person:
    role: str
    unit: str | None = None
    same_unit: bool = False

    @property
    def label(self) -> str:
        if self.role not in TWICE:
            return self.role
        return f"{self.role}@{'same' if self.same_unit else 'other'}"

    @property
    def username(self) -> str:
        return self.label.replace("@", "_")


@dataclass(frozen=True)
class Target:
    """A case of a shipped procedure, waiting at a unit-scoped task."""

    name: str
    process: str
    task: str  # the element id of the task under test
    unit: str
    other_unit: str
    starters: frozenset[str]  # roles that may start the procedure
    participants: frozenset[str]  # labels with a part in the case (tasks so far, starter)
    start_data: dict[str, Any]
    start_form: dict[str, str]
    complete_form: dict[str, str]
    complete_data: dict[str, Any]
    make: Callable[[Engine], int]  # a new case at the task; its instance id
    jurisdiction: str | None  # the 纪委监委 whose case it is (None: no county's)
    ledger: str | None = None  # the ledger that lists the case by the task's unit

    @property
    def worker(self) -> str:
        return f"{ROLE_OF_TASK[self.name]}@same"

    def people(self) -> list[Person]:
        people = []
        for role in DOMAIN_ROLES:
            if role in UNIT_SCOPED:
                people += [Person(role, self.unit, True), Person(role, self.other_unit)]
            elif role in BY_JURISDICTION:
                people += [Person(role, FULIANG, True), Person(role, LEPING)]
            else:
                people.append(Person(role))
        return people


ROLE_OF_TASK = {"clue": "handler", "subsidy": "policy_dept"}

# The reporter of a clue is confidential (x-confidential in forms/clue_register.json): no
# response to anyone but the intake office and auditors may show it.
REPORTER = "举报人甲乙"
SEES_REPORTER = frozenset({"intake", "auditor"})
CLUE_START: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": False,
    "reporter": REPORTER, "reporter_contact": "13900001111",
    "accused_unit": "某县行政审批局", "accused_person": "张某(科长)",
    "problem_type": "推诿拖延刁难", "summary": "企业办理施工许可被要求补充清单外材料。",
    "owner": "intake_same",  # the 专人 is a user of the clerk's 纪委监委 (see World.start_data)
}
CLUE_START_FORM = {"channel": "举报直通车", "received_at": "2026-09-30T09:12",
                   "anonymous": "true", "accused_unit": "某县行政审批局",
                   "problem_type": "推诿拖延刁难", "summary": "拖延两个月未办结",
                   "owner": "intake_same"}
# no 申请渠道: it follows who starts (一网 for the enterprise, 一窗 for the window: x-starter)
SUBSIDY_START: dict[str, Any] = {
    "policy_id": "JS-002", "enterprise_name": "景德镇某陶瓷有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "王经理",
    "contact_phone": "0798-8888888", "bank_account": "中国银行景德镇分行 1234567890",
    "requested_amount": 36000, "application_summary": "2026年投保出口信用保险",
}
SUBSIDY_START_FORM = {k: str(v) for k, v in SUBSIDY_START.items()}
ENTERPRISE_CODE = SUBSIDY_START["credit_code"]  # the enterprise user's
OTHER_ENTERPRISES = [
    {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 100000},
    {"name": "景德镇丙新材料有限公司", "credit_code": "91360200MA35A00034", "amount": 80000.5}]


def _work(engine: Engine, instance_id: int, user: str, name: str, data: dict[str, Any]) -> None:
    [task] = [t for t in engine.instance(instance_id).tasks if t.name == name]
    engine.complete(task.id, data, user)


_evidence = iter(range(1, 10**6))


def _pdf() -> Upload:
    """A PDF of its own for each case, so that its sha256 belongs to that case alone."""
    return Upload(None, "证据.pdf", PDF + str(next(_evidence)).encode())


def _clue_case(engine: Engine) -> int:
    """Registered with a PDF of evidence, proposed for transfer to 浮梁县纪委监委, approved,
    transferred (which issues the 交办函): the handler's 优先核查 waits."""
    evidence = _pdf()
    instance_id = engine.start("clue_triage", CLUE_START, "intake_same", uploads=[
        Upload("evidence", evidence.name, evidence.content)]).id
    _work(engine, instance_id, "intake_same", "propose", {
        "disposal": "转办", "proposal_reason": "可查性强", "handler_unit": FULIANG})
    _work(engine, instance_id, "approver_same", "approve", {"approved": True})
    _work(engine, instance_id, "intake_same", "transfer", {"transfer_note": "请优先核查"})
    return instance_id


def _subsidy_case(engine: Engine) -> int:
    """An application with its materials; a payout notice issued by hand."""
    material = _pdf()
    instance_id = engine.start("subsidy_instant", SUBSIDY_START, "enterprise", uploads=[
        Upload("materials", material.name, material.content)]).id
    engine.dossier.issue(instance_id, "duifu_tongzhi", "system")
    return instance_id


CLUE = Target(
    name="clue", process="clue_triage", task="verify", unit=FULIANG, other_unit=LEPING,
    starters=frozenset({"intake"}),
    participants=frozenset({"intake@same", "approver@same", "handler@same"}),
    start_data=CLUE_START, start_form=CLUE_START_FORM,
    complete_form={"verify_result": "属实", "verify_facts": "基本属实",
                   "fault_tolerance_claimed": "false"},
    complete_data={"verify_result": "属实", "verify_facts": "基本属实",
                   "fault_tolerance_claimed": False},
    make=_clue_case, jurisdiction=FULIANG, ledger="clue",
)
SUBSIDY = Target(
    name="subsidy", process="subsidy_instant", task="approve", unit=SWJ, other_unit=GXJ,
    starters=frozenset({"enterprise", "window"}),
    participants=frozenset({"enterprise", "policy_dept@same"}),
    start_data=SUBSIDY_START, start_form=SUBSIDY_START_FORM,
    complete_form={"decision": "approve", "approved_amount": "36000"},
    complete_data={"decision": "approve", "approved_amount": 36000},
    make=_subsidy_case, jurisdiction=None,
)


def _paid_batch(engine: Engine, target: Target) -> int:
    """A 免申即享 batch of 市工信局 whose every enterprise is paid (its 兑付通知书 issued):
    the enterprise user's and another in the subsidy's world, two others in the clue's."""
    listed = [{"name": SUBSIDY_START["enterprise_name"], "credit_code": ENTERPRISE_CODE,
               "amount": 36000}, OTHER_ENTERPRISES[0]] if target is SUBSIDY \
        else OTHER_ENTERPRISES
    instance_id = engine.start("subsidy_automatic", {"policy_id": "MS-001"}, "system").id
    _work(engine, instance_id, "system", "confirm_enterprises",
          {"enterprises": listed, "confirmation_basis": "统计部门共享的新入规企业名单"})
    for n, task in enumerate(t for t in engine.instance(instance_id).tasks
                             if t.name == "pay_enterprise"):
        enterprise = engine.task_data(task.id, "system")["enterprise"]
        engine.complete(task.id, {"enterprise": {
            **enterprise, "paid_amount": enterprise["amount"], "paid_on": "2026-09-30",
            "payment_voucher": f"PZ-{n}", "notice_channel": "平台消息"}}, "system")
    return instance_id


def definition_files() -> list[SourceFile]:
    """Only the shipped files these cases need (others may be edited in parallel), plus the
    message test diagram."""
    names = ["clue_triage.bpmn", "city_escalation.bpmn", "subsidy_instant.bpmn",
             "subsidy_automatic.bpmn", "policy_catalogue.dmn"]
    files = [source(ROOT / "processes" / n) for n in names]
    for pattern in ("clue_*.json", "escalation_*.json", "subsidy_*.json"):
        files += [source(p) for p in sorted((ROOT / "forms").glob(pattern))]
    return [*files, source(DIAGRAMS / "messages.bpmn"),
            source(DIAGRAMS / "forms" / "test_city_result.json")]


# -- the world a matrix runs in ------------------------------------------------------------

class World:
    def __init__(self, engine: Engine, app: Flask, target: Target) -> None:
        self.engine = engine
        self.app = app
        self.target = target
        self.uploads = 0
        self.messages = 0
        self.attempts = 0
        self.dirty = True
        self.case = self.waiter = 0
        self.task_id = self.business_key = self.waiter_key = ""
        self.file_sha = self.document_sha = ""
        self.batch = _paid_batch(engine, target)  # read only: made once
        self.letter_sha = next(f.sha256 for f in engine.dossier.files(self.batch)
                               if f.document == "mianshen_duifu")
        self.last: tuple[Any, ...] = ()
        self.person: Person | None = None  # the caller of the cell being run

    def start_data(self, form: bool = False) -> dict[str, Any]:
        """The target's start data; a clue's 专人 is the starting clerk, of their own unit."""
        data: dict[str, Any] = dict(self.target.start_form if form else self.target.start_data)
        if "owner" in data and self.person is not None:
            data["owner"] = self.person.username
        return data

    def stranger(self) -> str:
        """A user name of a failed sign-in (each once: failures are throttled per name)."""
        self.attempts += 1
        return f"stranger-{self.attempts}"

    def address(self) -> dict[str, str]:
        """A client address (each once: failures are throttled per address)."""
        self.attempts += 1
        return {"REMOTE_ADDR": f"10.{self.attempts >> 16 & 255}.{self.attempts >> 8 & 255}."
                               f"{self.attempts & 255}"}

    def refresh(self) -> None:
        """A new case at the task and a new case waiting for a message."""
        self.case = self.target.make(self.engine)
        view = self.engine.instance(self.case)
        [task] = [t for t in view.tasks if t.name == self.target.task]
        assert (task.role, task.unit, task.assignee) == (
            ROLE_OF_TASK[self.target.name], self.target.unit, None)
        self.task_id, self.business_key = task.id, view.business_key or ""
        files = self.engine.dossier.files(self.case)
        self.file_sha = next(f.sha256 for f in files if f.field)
        self.document_sha = next(f.sha256 for f in files if f.document)
        self.messages += 1
        self.waiter_key = f"MSG-{self.messages}"
        self.waiter = self.engine.start("waiter", {}, "intake_same",
                                        business_key=self.waiter_key).id
        self.dirty = False
        self.last = self.snapshot()

    def snapshot(self) -> tuple[Any, ...]:
        """Every instance's revision, status and event count, every task's status and
        assignee, the number of events and the deployed versions, read straight from the
        database (one transaction)."""
        with self.engine.transaction() as session:
            instances = session.execute(select(
                ProcessInstance.id, ProcessInstance.revision, ProcessInstance.status,
                ProcessInstance.event_count).order_by(ProcessInstance.id)).all()
            tasks = session.execute(select(Task.id, Task.status, Task.assignee)
                                    .order_by(Task.id)).all()
            events = session.execute(select(func.count(Event.id))).scalar_one()
            versions = session.execute(select(ProcessVersion.key, ProcessVersion.version)
                                       .order_by(ProcessVersion.id)).all()
        return tuple(instances), tuple(tasks), events, tuple(versions)

    def upload(self) -> bytes:
        """A new version of the message test diagram (an allowed upload deploys it)."""
        self.uploads += 1
        text = (DIAGRAMS / "messages.bpmn").read_text(encoding="utf-8")
        return text.replace('name="等待消息"', f'name="等待消息 {self.uploads}"').encode()


# -- the matrix ----------------------------------------------------------------------------

Allowed = Callable[[Target, Person | None], bool]
Request = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    api: bool
    allowed: Allowed
    ok: int | Callable[[World], int] = 200  # the status when allowed
    args: Callable[[World], dict[str, Any]] = lambda w: {}
    request: Request = lambda w: {}
    mutates: bool = False
    # (marker text, who sees it): a list that every allowed caller gets, showing the case only
    # to some of them
    shows: tuple[Callable[[World], str], Allowed] | None = None


def anyone(t: Target, p: Person | None) -> bool:
    return True


def signed_in(t: Target, p: Person | None) -> bool:
    return p is not None


def role(*roles: str) -> Allowed:
    return lambda t, p: p is not None and p.role in roles


def supervises(t: Target, p: Person, roles: frozenset[str]) -> bool:
    """A supervising role within its reach: a county's supervisors only their county's case."""
    return p.role in roles and (p.role not in BY_JURISDICTION or p.unit == t.jurisdiction)


# Roles that read every case of the procedures they receive the results of
# (engine/queries/visibility.py): the 市政数局 the subsidies, 12345 complaints, 中介 clues.
PROCESS_READERS = {"data_bureau": frozenset({"subsidy_instant", "subsidy_commitment",
                                             "subsidy_automatic", "hotline_complaint",
                                             "intermediary_clue"})}


def oversees(t: Target, p: Person) -> bool:
    """A supervising role reads (and adds files to) the cases it oversees, in its reach."""
    return OVERSEEN.get(p.role) == t.process and supervises(t, p, frozenset(OVERSEEN))


def reads_case(t: Target, p: Person | None) -> bool:
    return p is not None and (supervises(t, p, AUDITORS) or oversees(t, p)
                              or p.label in t.participants
                              or t.process in PROCESS_READERS.get(p.role, ()))


def takes_part(t: Target, p: Person | None) -> bool:
    """Comments on and copies the case: its readers but auditors and designers, who observe
    (and but those who read it through a copy alone, which the matrix makes none of)."""
    return reads_case(t, p) and p is not None and p.role not in {"auditor", "designer"}


def copies(t: Target, p: Person | None) -> bool:
    """Copies the case (抄送): those who take part in it but the applicant, who follows its
    own application; the staff handling it send copies."""
    return takes_part(t, p) and p is not None and p.role != "enterprise"


def _copy(w: World) -> dict[str, Any]:
    """A copy to someone who could take part in the case (engine/queries/copy_targets.py):
    the county's case manager for the 浮梁 clue, the 市政数局 for the city's application."""
    return {"to": "case_manager_same" if w.target is CLUE else "data_bureau"}


def works_task(t: Target, p: Person | None) -> bool:
    return p is not None and p.label == t.worker


def sees_task(t: Target, p: Person | None) -> bool:
    return works_task(t, p) or (p is not None and p.role == "auditor")


def starts(t: Target, p: Person | None) -> bool:
    return p is not None and p.role in t.starters


def did_work(t: Target, p: Person | None) -> bool:
    """Completed a task of the case or started it (so far everyone but the task's worker)."""
    return p is not None and p.label in t.participants and p.label != t.worker


def applied(t: Target, p: Person | None) -> bool:
    return p is not None and p.role in t.starters and p.label in t.participants


def sees_board(t: Target, p: Person | None) -> bool:
    return p is not None and (p.role in BOARD_SUPERVISORS or p.role in UNIT_SCOPED)


def sees_unit_board(t: Target, p: Person | None) -> bool:
    """The board's row of the task's unit: supervisors whose reach has it, and the unit's own
    people of a unit-scoped role."""
    if p is None:
        return False
    if p.role in BOARD_SUPERVISORS:
        return p.role not in BY_JURISDICTION or p.unit == t.unit
    return p.role in UNIT_SCOPED and p.same_unit


def lists_board_task(t: Target, p: Person | None) -> bool:
    """A board cell counts every task of its unit, and lists those of cases one reads."""
    return sees_unit_board(t, p) and reads_case(t, p)


def lists_stats_task(t: Target, p: Person | None) -> bool:
    """The clue's finished steps behind its 按期办结率, listed to who reads the clue."""
    return t is CLUE and p is not None and p.role in TIMELINESS_READERS and reads_case(t, p)


def adds_files(t: Target, p: Person | None) -> bool:
    return p is not None and (oversees(t, p) or p.label in t.participants)


# Who may issue the two documents the matrix asks for by hand (processes/documents/
# documents.json, issued_by): an official letter is never issued by an applicant.
ISSUERS = {"duban_han": frozenset({"supervision_office", "reform_group", "case_manager",
                                   "style_group", "city_leader"}),
           "buyu_shouli": frozenset({"window", "policy_dept"})}


def paid_enterprise(t: Target, p: Person | None) -> bool:
    """The enterprise the batch pays (in the subsidy's world): its own payout and letter.
    Everyone else is refused, another enterprise (the clue's world) as for no case at all."""
    return p is not None and p.role == "enterprise" and t is SUBSIDY


def _document_of(t: Target) -> str:
    return "duban_han" if t is CLUE else "buyu_shouli"


def issues_document(t: Target, p: Person | None) -> bool:
    return adds_files(t, p) and p is not None and p.role in ISSUERS[_document_of(t)]


def urges(t: Target, p: Person | None) -> bool:
    return p is not None and p.role in URGERS and reads_case(t, p)


def withdraws(t: Target, p: Person | None) -> bool:
    """The clue's last step done (转办到位) is the intake office's; the subsidy application
    has none done (its open task is tried: nobody has done it)."""
    return p is not None and t is CLUE and p.label == "intake@same"


def withdraws_application(t: Target, p: Person | None) -> bool:
    """撤回申请: the enterprise that filed the subsidy application, while it awaits 审批
    (engine/runtime/withdrawal.py); the clue is no application."""
    return p is not None and t is SUBSIDY and p.role == "enterprise"


def reads_ledger(t: Target, p: Person | None) -> bool:
    return p is not None and (p.role in LEDGER_READERS or p.unit is not None)


def ledger_row(t: Target, p: Person | None) -> bool:
    """A ledger lists the cases its reader may read, as their pages would show them."""
    return t.ledger is not None and reads_ledger(t, p) and reads_case(t, p)


def _instance(w: World) -> dict[str, Any]:
    return {"instance_id": w.case}


def _task(w: World) -> dict[str, Any]:
    return {"task_id": w.task_id}


def _key(w: World) -> dict[str, Any]:
    return {"key": w.target.process}


def _version(w: World) -> dict[str, Any]:
    return {"key": w.target.process, "version": 1}


def _done(w: World) -> dict[str, Any]:
    """The case's last completed task (the clue's 转办到位), else the open task."""
    done = [t for t in instance_tasks(w.engine, w.case) if t.name == "transfer"]
    return {"task_id": done[-1].id if done else w.task_id}


def _hand_to(w: World) -> dict[str, Any]:
    """Another user of the task's role: in the task's own county for a county's task (a
    task is handed on only within its county), else in the other unit."""
    return {"json": {"to": _within_reach(w, f"{ROLE_OF_TASK[w.target.name]}_other"),
                     "reason": "出差"}}


def _within_reach(w: World, elsewhere: str) -> str:
    """Whom a county's task may be delegated or handed to: the worker's colleague; a city
    task may go to ``elsewhere``."""
    return peer(w.target) if w.target.jurisdiction else elsewhere


def peer(target: Target) -> str:
    """A second user of the task's role in the task's unit (not in the matrix's people)."""
    return f"{ROLE_OF_TASK[target.name]}_peer"


def _case_no(w: World) -> str:
    return w.business_key


def _case_link(w: World) -> str:
    return f'href="/instances/{w.case}"'


def _search_case_no(w: World) -> dict[str, Any]:
    return {"query_string": {"q": w.business_key}}


def _task_link(w: World) -> str:
    return f"/tasks/{w.task_id}"


def _task_id(w: World) -> str:
    return w.task_id


def _notice_id(w: World) -> int:
    """The notice of the task under test: only its one worker of the matrix's people was
    told it arrived (besides their colleague, ``peer``)."""
    with w.engine.transaction() as session:
        found: int = session.execute(select(Notification.id).where(
            Notification.task_id == w.task_id,
            Notification.username != peer(w.target))).scalar_one()
        return found


def _notice(w: World) -> dict[str, Any]:
    return {"notification_id": _notice_id(w)}


def _notice_link(w: World) -> str:
    return f"/notifications/{_notice_id(w)}/open"


def _stats_cases(w: World) -> dict[str, Any]:
    """The cases behind a count of the statistics (the clue's finished tasks)."""
    return {"query_string": {"figure": "on_time_by_process", "key": "clue_triage",
                             "measure": "done"}}


def _api_upload(w: World) -> dict[str, Any]:
    return {"data": {"files": (io.BytesIO(w.upload()), "messages.bpmn")},
            "content_type": "multipart/form-data"}


def _ui_upload(w: World) -> dict[str, Any]:
    return {"data": {"files": (io.BytesIO(w.upload()), "messages.bpmn"), "action": "deploy"},
            "content_type": "multipart/form-data"}


def _file(w: World) -> dict[str, Any]:
    return {"instance_id": w.case, "sha256": w.file_sha}


def _document(w: World) -> dict[str, Any]:
    return {"instance_id": w.case, "sha256": w.document_sha}


def _batch(w: World) -> dict[str, Any]:
    return {"instance_id": w.batch}


def _letter(w: World) -> dict[str, Any]:
    return {"instance_id": w.batch, "sha256": w.letter_sha}


def _attach(w: World) -> dict[str, Any]:
    return {"data": {"files": (io.BytesIO(PDF), "附件.pdf")},
            "content_type": "multipart/form-data"}


def _modeler_files(w: World) -> dict[str, Any]:
    return {"json": {"files": [{"name": "messages.bpmn", "content": w.upload().decode()}]}}


def _installed(w: World, path: str) -> int:
    """200 when the npm file is installed (scripts/setup-frontend), else 404."""
    with w.app.app_context():
        from web.ui.assets import node_modules

        return 200 if (node_modules() / path).is_file() else 404


MATRIX: dict[tuple[str, str], Entry] = {
    # -- the JSON API ----------------------------------------------------------------------
    ("api.issue_token", "POST"): Entry(True, anyone, 401, request=lambda w: {
        "json": {"username": w.stranger(), "password": "not-the-password"},
        "environ_base": w.address()}),
    ("api.sign_out", "POST"): Entry(True, signed_in),
    ("api.openapi_json", "GET"): Entry(True, anyone),
    ("api.docs", "GET"): Entry(True, anyone),
    ("api.list_processes", "GET"): Entry(True, signed_in),
    ("api.list_units", "GET"): Entry(True, signed_in),
    ("api.list_policies", "GET"): Entry(True, signed_in),
    ("api.upload_processes", "POST"): Entry(True, role("designer"), 201, request=_api_upload,
                                            mutates=True),
    ("api.migrate_instances", "POST"): Entry(True, role("designer"), args=_key,
                                             request=lambda w: {"json": {"dry_run": True}}),
    ("api.start_instance", "POST"): Entry(True, starts, 201, args=_key, mutates=True,
                                          request=lambda w: {
                                              "json": {"data": w.start_data()}}),
    ("api.start_batch", "POST"): Entry(True, starts, 201, args=_key, mutates=True,
                                       request=lambda w: {
                                           "json": {"rows": [w.start_data()]}}),
    ("api.get_instance", "GET"): Entry(True, reads_case, args=_instance),
    ("api.get_history", "GET"): Entry(True, reads_case, args=_instance),
    ("api.get_related", "GET"): Entry(True, reads_case, args=_instance),
    ("api.post_replay", "POST"): Entry(True, role("auditor"), args=_instance),
    ("api.inbox", "GET"): Entry(True, signed_in, shows=(_task_id, works_task)),
    ("api.get_task", "GET"): Entry(True, sees_task, args=_task),
    ("api.claim", "POST"): Entry(True, works_task, args=_task, mutates=True),
    ("api.unclaim", "POST"): Entry(True, works_task, args=_task, mutates=True),
    ("api.complete", "POST"): Entry(True, works_task, args=_task, mutates=True,
                                    request=lambda w: {
                                        "json": {"data": w.target.complete_data}}),
    # 暂存: a draft is no change to the case's data, but saving one of a pool task claims it
    ("api.task_draft", "GET"): Entry(True, sees_task, args=_task),
    ("api.task_draft", "PUT"): Entry(True, works_task, args=_task, mutates=True,
                                     request=lambda w: {
                                         "json": {"data": w.target.complete_data}}),
    ("api.task_draft", "DELETE"): Entry(True, sees_task, 204, args=_task),
    ("api.attachments", "GET"): Entry(True, reads_case, args=_instance),
    ("api.attachments", "POST"): Entry(True, adds_files, 201, args=_instance,
                                            request=_attach, mutates=True),
    ("api.get_attachment", "GET"): Entry(True, reads_case, args=lambda w: {
        "sha256": w.file_sha}),
    ("api.post_document", "POST"): Entry(True, issues_document, 201, args=_instance,
                                         mutates=True, request=lambda w: {"json": {
                                             "template": _document_of(w.target)}}),
    ("api.send_message", "POST"): Entry(True, role(*MESSAGE_SENDERS), mutates=True,
                                        request=lambda w: {"json": {
                                            "name": "city_result",
                                            "correlation": {"business_key": w.waiter_key}}}),
    ("api.transfer", "POST"): Entry(True, works_task, args=_task, mutates=True,
                                    request=_hand_to),
    ("api.delegate", "POST"): Entry(True, works_task, args=_task, mutates=True,
                                    request=lambda w: {"json": {
                                        "to": _within_reach(w, "designer")}}),
    ("api.add_signer", "POST"): Entry(True, works_task, args=_task, mutates=True,
                                      request=lambda w: {"json": {
                                          "to": _within_reach(w, "designer")}}),
    ("api.send_back_steps", "GET"): Entry(True, sees_task, args=_task),
    ("api.send_back", "POST"): Entry(True, works_task, args=_task, mutates=True,
                                     ok=lambda w: 200 if w.target is CLUE else 409,
                                     request=lambda w: {"json": {"reason": "材料不全"}}),
    ("api.withdraw", "POST"): Entry(True, withdraws, args=_done, mutates=True,
                                    request=lambda w: {"json": {}}),
    ("api.withdraw_application", "POST"): Entry(
        True, withdraws_application, args=_instance, mutates=True,
        request=lambda w: {"json": {"reason": "已另行申请其他政策"}}),
    # 退回补正: the decision step's department; the clue's step offers none
    ("api.request_supplement", "POST"): Entry(
        True, works_task, args=_task, mutates=True,
        ok=lambda w: 200 if w.target is SUBSIDY else 409,
        request=lambda w: {"json": {"items": "银行开户许可证"}}),
    # the applicant's, as 撤回申请; the application awaits 审批, no 补正 is asked: 409
    ("api.resubmit", "POST"): Entry(True, withdraws_application, 409, args=_instance,
                                    request=lambda w: {"json": {"data": {}}}),
    ("api.urge", "POST"): Entry(True, urges, args=_task, mutates=True,
                                request=lambda w: {"json": {"note": "请抓紧"}}),
    ("api.cc", "POST"): Entry(True, copies, args=_instance, mutates=True,
                              request=lambda w: {"json": _copy(w)}),
    ("api.mark_read", "POST"): Entry(True, signed_in, args=_instance),
    ("api.comment", "POST"): Entry(True, takes_part, 201, args=_instance, mutates=True,
                                   request=lambda w: {"json": {"text": "请补充材料"}}),
    ("api.terminate", "POST"): Entry(True, urges, args=_instance, mutates=True,
                                     request=lambda w: {"json": {"reason": "重复登记"}}),
    ("api.copies", "GET"): Entry(True, signed_in),
    ("api.list_notifications", "GET"): Entry(True, signed_in, shows=(_task_id, works_task)),
    # the answer echoes the query (the case number): a hit shows as its process key
    ("api.search", "GET"): Entry(True, signed_in, request=_search_case_no, shows=(
        lambda w: f'"{w.target.process}"', reads_case)),
    ("api.applications", "GET"): Entry(True, role("enterprise", "window", "credit_window"), shows=(
        lambda w: f'"{w.target.process}"', applied)),
    ("api.read_notification", "POST"): Entry(True, works_task, args=_notice),
    ("api.own_payout", "GET"): Entry(True, paid_enterprise, args=_batch),
    ("api.own_payout_letter", "GET"): Entry(True, paid_enterprise, args=_letter),
    # -- operations ------------------------------------------------------------------------
    ("api.get_stats", "GET"): Entry(True, role(*STATS_READERS)),
    ("api.get_stats_section", "GET"): Entry(True, role(*TIMELINESS_READERS),
                                            args=lambda w: {"section": "timeliness"}),
    ("api.get_stats_cases", "GET"): Entry(True, role(*TIMELINESS_READERS),
                                          request=_stats_cases),
    ("api.get_stats_export", "GET"): Entry(True, role(*STATS_READERS)),
    ("health.healthz", "GET"): Entry(False, anyone),
    ("health.readyz", "GET"): Entry(False, anyone),
    # -- pages -----------------------------------------------------------------------------
    ("static", "GET"): Entry(False, anyone, args=lambda w: {"filename": "css/kuaiban.css"}),
    ("assets.favicon", "GET"): Entry(False, anyone),
    ("assets.vendor", "GET"): Entry(False, anyone, args=lambda w: {
        "package": "bpmn-js", "filename": "bpmn-navigated-viewer.production.min.js"},
        ok=lambda w: _installed(w, "bpmn-js/dist/bpmn-navigated-viewer.production.min.js")),
    ("auth.login", "GET"): Entry(False, anyone),
    ("auth.login", "POST"): Entry(False, anyone, 401, request=lambda w: {
        "data": {"username": w.stranger(), "password": "not-the-password"},
        "environ_base": w.address()}),
    ("account.password_form", "GET"): Entry(False, signed_in),
    ("account.change_password", "POST"): Entry(False, signed_in, 422, request=lambda w: {
        "data": {"current_password": "not-the-password", "new_password": "x",
                 "confirm_password": "x"}, "environ_base": w.address()}),
    ("account.profile_form", "GET"): Entry(False, signed_in),
    ("account.save_profile", "POST"): Entry(False, signed_in, 422, request=lambda w: {
        "data": {"email": "not-an-address", "phone": "", "language": "zh"}}),
    ("account.phrases", "GET"): Entry(False, signed_in),
    ("account.phrases_json", "GET"): Entry(False, signed_in),
    ("account.change_phrases", "POST"): Entry(False, signed_in, 422, request=lambda w: {
        "data": {"action": "add", "phrase": " "}}),
    ("auth.logout", "POST"): Entry(False, anyone, 302),
    ("auth.language_form", "GET"): Entry(False, anyone, args=lambda w: {"code": "en"}),
    ("auth.set_language", "POST"): Entry(False, anyone, 302, args=lambda w: {"code": "en"}),
    # an enterprise has no inbox: its home is 我的申请 (web/ui/auth.py applies_only)
    ("inbox.index", "GET"): Entry(False, signed_in, ok=lambda w: 302 if w.person is not None
                                  and w.person.role == "enterprise" else 200,
                                  shows=(_task_link, works_task)),
    ("inbox.claim", "POST"): Entry(False, works_task, 302, args=_task, mutates=True),
    ("inbox.unclaim", "POST"): Entry(False, works_task, 302, args=_task, mutates=True),
    ("tasks.show", "GET"): Entry(False, sees_task, args=_task),
    ("tasks.submit", "POST"): Entry(False, works_task, 302, args=_task, mutates=True,
                                    request=lambda w: {"data": {
                                        **w.target.complete_form,
                                        "revision": str(w.engine.instance(w.case).revision)}}),
    ("tasks.discard_draft", "POST"): Entry(False, sees_task, 302, args=_task),
    ("start.index", "GET"): Entry(False, signed_in, shows=(
        lambda w: f'href="/start/{w.target.process}"', starts)),
    ("start.form", "GET"): Entry(False, starts, args=_key),
    ("start.submit", "POST"): Entry(False, starts, 302, args=_key, mutates=True,
                                    request=lambda w: {"data": w.start_data(form=True)}),
    ("instances.show", "GET"): Entry(False, reads_case, args=_instance),
    ("instances.diagram", "GET"): Entry(False, reads_case, args=_instance),
    ("instances.print_sheet", "GET"): Entry(False, reads_case, args=_instance),
    ("files.download", "GET"): Entry(False, reads_case, args=_file),
    ("files.print_view", "GET"): Entry(False, reads_case, args=_document),
    ("files.pdf", "GET"): Entry(False, reads_case, args=_document),
    ("files.upload", "POST"): Entry(False, adds_files, 302, args=_instance, request=_attach,
                                    mutates=True),
    ("files.issue", "POST"): Entry(False, issues_document, 302, args=_instance, mutates=True,
                                   request=lambda w: {"data": {
                                       "template": _document_of(w.target)}}),
    ("board.index", "GET"): Entry(False, sees_board, shows=(
        lambda w: w.target.unit, sees_unit_board)),
    ("board.tasks", "GET"): Entry(False, sees_unit_board, request=lambda w: {
        "query_string": {"unit": w.target.unit, "when": "open"}}, shows=(
        _case_no, lists_board_task)),
    ("ledgers.index", "GET"): Entry(False, reads_ledger),
    ("leader.index", "GET"): Entry(False, role("city_leader")),
    ("stats.index", "GET"): Entry(False, role(*STATS_READERS)),
    ("stats.cases", "GET"): Entry(False, role(*TIMELINESS_READERS), request=_stats_cases,
                                  shows=(_case_no, lists_stats_task)),
    ("stats.export", "GET"): Entry(False, role(*STATS_READERS)),
    ("ledgers.show", "GET"): Entry(False, reads_ledger, args=lambda w: {"name": "clue"},
                                   shows=(_case_no, ledger_row)),
    ("designer.index", "GET"): Entry(False, role("designer")),
    ("units.index", "GET"): Entry(False, role("designer")),
    ("designer.versions", "GET"): Entry(False, role("designer"), args=_key),
    ("designer.version", "GET"): Entry(False, role("designer"), args=_version),
    ("designer.diagram_json", "GET"): Entry(False, role("designer"), args=_version),
    ("designer.diff", "GET"): Entry(False, role("designer"), args=_key),
    ("designer.migrate", "GET"): Entry(False, role("designer"), args=_key),
    # the process has one version: nothing older to move from (422), after the role check
    ("designer.migrate", "POST"): Entry(False, role("designer"), 422, args=_key,
                                        request=lambda w: {"data": {"from_version": "1",
                                                                    "action": "preview"}}),
    ("designer.upload", "GET"): Entry(False, role("designer")),
    ("designer.upload", "POST"): Entry(False, role("designer"), request=_ui_upload,
                                       mutates=True),
    ("modeler.index", "GET"): Entry(False, role("designer")),
    ("modeler.new", "GET"): Entry(False, role("designer")),
    ("modeler.new_draft", "GET"): Entry(False, role("designer")),
    ("modeler.edit", "GET"): Entry(False, role("designer"), args=_version),
    ("modeler.draft", "GET"): Entry(False, role("designer"), args=_version),
    ("modeler.camunda_moddle", "GET"): Entry(False, role("designer"), ok=lambda w: _installed(
        w, "camunda-bpmn-moddle/resources/camunda.json")),
    ("modeler.diff", "GET"): Entry(False, role("designer"), args=_key),
    ("modeler.diff_json", "GET"): Entry(False, role("designer"), args=_key),
    ("modeler.validate", "POST"): Entry(False, role("designer"), request=_modeler_files),
    ("modeler.download", "POST"): Entry(False, role("designer"), request=_modeler_files),
    ("modeler.deploy", "POST"): Entry(False, role("designer"), request=_modeler_files,
                                      mutates=True),
    # deploys in a transaction that is rolled back: the versions stay as they were
    ("modeler.preview", "POST"): Entry(False, role("designer"), request=_modeler_files),
    ("modeler.form_preview", "POST"): Entry(False, role("designer"), request=lambda w: {
        "json": {"schema": (ROOT / "forms" / "clue_verify.json").read_text("utf-8")}}),
    ("auditor.index", "GET"): Entry(False, role("auditor"), shows=(_case_no, role("auditor"))),
    ("notifications.index", "GET"): Entry(False, signed_in, shows=(_notice_link, works_task)),
    ("notifications.open_one", "GET"): Entry(False, works_task, 302, args=_notice),
    ("notifications.read", "POST"): Entry(False, works_task, 302, args=_notice),
    ("notifications.read_all", "POST"): Entry(False, signed_in, 302),
    ("notifications.settings", "GET"): Entry(False, signed_in),
    ("notifications.settings", "POST"): Entry(False, signed_in, 302, request=lambda w: {
        "data": {"on": ["email.overdue"]}}),
    ("auditor.instance", "GET"): Entry(False, role("auditor"), args=_instance),
    ("auditor.replay", "GET"): Entry(False, role("auditor"), args=_instance),
    ("auditor.bundle", "GET"): Entry(False, role("auditor"), args=_instance),
    ("cases.search", "GET"): Entry(False, signed_in, request=_search_case_no,
                                   shows=(_case_link, reads_case)),
    ("cases.done", "GET"): Entry(False, signed_in, shows=(_case_link, did_work)),
    ("cases.applications", "GET"): Entry(False, role("enterprise", "window", "credit_window"),
                                         shows=(_case_link, applied)),
    ("cases.policies", "GET"): Entry(False, signed_in),
    ("own_payouts.show", "GET"): Entry(False, paid_enterprise, args=_batch),
    ("own_payouts.letter", "GET"): Entry(False, paid_enterprise, args=_letter),
    ("own_payouts.letter_docx", "GET"): Entry(False, paid_enterprise, args=_letter),
    ("own_payouts.letter_pdf", "GET"): Entry(False, paid_enterprise, args=_letter),
    ("ops.transfer", "POST"): Entry(False, works_task, 302, args=_task, mutates=True,
                                    request=lambda w: {"data": _hand_to(w)["json"]}),
    ("ops.delegate", "POST"): Entry(False, works_task, 302, args=_task, mutates=True,
                                    request=lambda w: {"data": {"to": "designer"}}),
    ("ops.add_signer", "POST"): Entry(False, works_task, 302, args=_task, mutates=True,
                                      request=lambda w: {"data": {"to": "designer"}}),
    ("ops.send_back", "POST"): Entry(False, works_task, 302, args=_task, mutates=True,
                                     request=lambda w: {"data": {"reason": "材料不全"}}),
    ("ops.urge", "POST"): Entry(False, urges, 302, args=_task, mutates=True),
    ("ops.withdraw", "POST"): Entry(False, withdraws, 302, args=_done, mutates=True),
    ("ops.cc", "POST"): Entry(False, copies, 302, args=_instance, mutates=True,
                              request=lambda w: {"data": _copy(w)}),
    ("ops.comment", "POST"): Entry(False, takes_part, 302, args=_instance, mutates=True,
                                   request=lambda w: {"data": {"text": "请补充材料"}}),
    ("ops.terminate", "POST"): Entry(False, urges, 302, args=_instance, mutates=True,
                                     request=lambda w: {"data": {"reason": "重复登记"}}),
    ("ops.withdraw_application", "POST"): Entry(
        False, withdraws_application, 302, args=_instance, mutates=True,
        request=lambda w: {"data": {"reason": "已另行申请其他政策"}}),
    ("ops.mark_read", "POST"): Entry(False, signed_in, 302, args=_instance),
    ("ops.copies", "GET"): Entry(False, signed_in),
}


def about_a_case(entry: Entry) -> bool:
    """The entry's answer depends on the case under test (the others are run once, with the
    clue)."""
    return (entry.shows is not None
            or entry.args in (_instance, _task, _key, _notice, _file, _document, _done, _batch,
                              _letter)
            or entry.allowed in (reads_case, works_task, sees_task, starts, sees_unit_board,
                                 adds_files, urges, withdraws, withdraws_application))


def app_endpoints(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}


# -- running one cell ----------------------------------------------------------------------

def call(world: World, key: tuple[str, str], entry: Entry, person: Person | None
         ) -> TestResponse:
    endpoint, method = key
    with world.app.test_request_context():
        path = url_for(endpoint, **entry.args(world))
    client = world.app.test_client()
    headers = {}
    world.person = person
    if person is not None:
        if entry.api:
            from web import tokens

            headers["Authorization"] = "Bearer " + tokens.issue(
                world.app.config["SECRET_KEY"], person.username)
        else:
            with client.session_transaction() as session:
                # what signing in leaves in the session
                session.update(session_values(world.engine.user(person.username)))
    return client.open(path, method=method, headers=headers, **entry.request(world))


def hides_the_case(entry: Entry, target: Target, person: Person | None) -> bool:
    """A signed-in person with no part in the case must not learn that it exists: calls about
    it (by instance or task id) are answered 404, exactly as for an id that names nothing.
    (Endpoints for one role, such as replay, refuse everyone else before they look at the
    case: their 403 says nothing about it.)"""
    return (person is not None and entry.args in (_instance, _task)
            and entry.allowed in (reads_case, works_task, sees_task)
            and not reads_case(target, person))


def denial_problem(response: TestResponse, entry: Entry, person: Person | None,
                   hidden: bool = False) -> str | None:
    text = response.get_data(as_text=True)
    if "Traceback" in text or 'File "' in text:
        return "a stack trace in the response"
    status = response.status_code
    if hidden and status != 404:
        return f"status {status} (expected 404: the case is none of theirs)"
    if entry.api:
        if status not in ((401,) if person is None else (403, 404)):
            return f"status {status}"
        body = response.get_json(silent=True)
        if not (isinstance(body, dict) and set(body) == {"error"}
                and set(body["error"]) == {"code", "message", "details", "key", "params"}):
            return f"not the JSON error shape: {text[:200]}"
        return None
    if person is None:
        location = response.headers.get("Location", "")
        if status != 302 or not location.startswith("/login"):
            return f"status {status} (expected the sign-in redirect) {location}"
        return None
    if status not in (403, 404):
        return f"status {status}"
    return None


def run_cell(world: World, key: tuple[str, str], entry: Entry, person: Person | None
             ) -> str | None:
    """None, or what is wrong with this cell."""
    if world.dirty:
        world.refresh()
    before = world.last
    response = call(world, key, entry, person)
    allowed = entry.allowed(world.target, person)
    problem: str | None = None
    text = (json.dumps(response.get_json(), ensure_ascii=False) if response.is_json
            else response.get_data().decode("utf-8", "replace"))  # ledgers may be .xlsx
    if REPORTER in text and (person is None or person.role not in SEES_REPORTER):
        problem = "shows the confidential reporter"
    elif (key == ("api.get_instance", "GET") and world.target is CLUE and allowed
          and person is not None and person.role in SEES_REPORTER and REPORTER not in text):
        problem = "hides the reporter from a role that sees it"
    elif allowed:
        ok = entry.ok(world) if callable(entry.ok) else entry.ok
        if response.status_code != ok:
            problem = (f"allowed, but status {response.status_code} (expected {ok}): "
                       f"{response.get_data(as_text=True)[:300]}")
        elif entry.shows is not None and person is not None:
            marker, sees = entry.shows
            shown = marker(world) in response.get_data(as_text=True)
            if shown != sees(world.target, person):
                problem = f"the case is {'shown' if shown else 'not shown'} (wrongly)"
    else:
        problem = denial_problem(response, entry, person,
                                 hides_the_case(entry, world.target, person))
        if problem is not None:
            problem = "should be denied: " + problem
    if allowed and entry.mutates:
        world.dirty = True  # the next cell gets a new case
        return problem
    world.last = world.snapshot()
    if world.last != before:
        problem = (problem or "") + " - changed the case, the instances or the versions"
        world.dirty = True
    return problem


# -- tests ---------------------------------------------------------------------------------

def test_the_matrix_covers_every_role_of_domain_md() -> None:
    assert {r.id for r in ROLES} == set(DOMAIN_ROLES)
    assert {r.id for r in ROLES if r.unit_scoped} == UNIT_SCOPED
    assert {r.id for r in ROLES if r.by_jurisdiction} == BY_JURISDICTION


def test_every_endpoint_has_an_entry(engine: Engine) -> None:
    app = create_app(engine, secret_key="matrix", testing=True)
    endpoints = app_endpoints(app)
    missing = sorted(endpoints - set(MATRIX))
    assert missing == [], f"endpoints without an entry in the authorization matrix: {missing}"
    stale = sorted(set(MATRIX) - endpoints)
    assert stale == [], f"matrix entries for endpoints that no longer exist: {stale}"


def _docx_as_pdf(docx: bytes) -> bytes:
    """Stands in for LibreOffice: takes an issued document's DOCX, answers a PDF."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert "word/document.xml" in package.namelist()
    return PDF


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who gets a PDF is asked here; how LibreOffice lays it out, in tests/test_ui_files.py."""
    monkeypatch.setattr(pdf, "to_pdf", _docx_as_pdf)


def target_keys(target: Target) -> list[tuple[str, str]]:
    """The entries run for a target: every one for the clue, the subsidy application those
    whose answer depends on the case."""
    keys = sorted(MATRIX)
    return keys if target is CLUE else [k for k in keys if about_a_case(MATRIX[k])]


KEYS_PER_PORTION = 12  # some seconds of calls: small enough for parallel workers to balance


def portions() -> list[Any]:
    """Each target's entries in portions of at most KEYS_PER_PORTION, of even size."""
    found = []
    for target in (CLUE, SUBSIDY):
        keys = target_keys(target)
        count = -(-len(keys) // KEYS_PER_PORTION)
        for n in range(count):
            portion = tuple(keys[n * len(keys) // count:(n + 1) * len(keys) // count])
            found.append(pytest.param(target, portion, id=f"{target.name}-{portion[0][0]}"
                                                          f"-{portion[-1][0]}"))
    return found


def make_world(engine: Engine, target: Target) -> World:
    engine.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(definition_files())
    for person in target.people():
        engine.add_user(person.username, [person.role], unit=person.unit,
                        credit_code=ENTERPRISE_CODE if person.role == "enterprise" else None)
    engine.add_user(peer(target), [ROLE_OF_TASK[target.name]], unit=target.unit)
    app = create_app(engine, secret_key="matrix", testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return World(engine, app, target)


@pytest.mark.parametrize("target", [CLUE, SUBSIDY], ids=lambda t: t.name)
def test_the_matrix_is_neither_open_nor_closed(target: Target) -> None:
    callers = [*target.people(), None]
    keys = target_keys(target)
    allowed_cells = sum(MATRIX[k].allowed(target, p) for k in keys for p in callers)
    assert 0 < allowed_cells < len(keys) * len(callers) / 2


def every_document_ready(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped document registry without its ``when`` conditions: the matrix asks who
    may issue a document, not when (tests/test_org_people.py asks that)."""
    shutil.copytree(ROOT / "processes" / "documents", folder)
    registry = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    for entry in registry.values():
        if isinstance(entry, dict):
            entry.pop("when", None)
    (folder / "documents.json").write_text(json.dumps(registry, ensure_ascii=False),
                                           encoding="utf-8")
    monkeypatch.setenv("KUAIBAN_DOCUMENTS_DIR", str(folder))


@pytest.mark.parametrize(("target", "keys"), portions())
def test_authorization_matrix(engine: Engine, target: Target,
                              keys: tuple[tuple[str, str], ...], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    every_document_ready(tmp_path / "documents", monkeypatch)
    world = make_world(engine, target)
    assert set(keys) <= app_endpoints(world.app), "see test_every_endpoint_has_an_entry"
    people = target.people()
    failures = []
    for key in keys:
        entry = MATRIX[key]
        for person in [*people, None]:
            problem = run_cell(world, key, entry, person)
            if problem is not None:
                who = person.label if person else "anonymous"
                failures.append(f"{key[1]} {key[0]} as {who}: {problem}")
    assert failures == [], "\n".join(failures)
