"""Files a case gets outside its forms: files attached to the case (附件), official documents
issued by hand, and the documents a diagram issues at a step (a ``document`` property on
the element: docs/designer-guide.md §13). Each is one event of the case's chain that changes
no workflow state (``attached``, ``document``), so replay skips it; its payload names the files
as form uploads do (engine/files/attachments.py), and a document's its 文号 and template."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions.parsed import LoadedVersion
from engine.errors import Conflict, PermissionDenied
from engine.files import attachments, blobs, documents
from engine.files.attachments import Limits, Upload
from engine.files.documents import CaseFacts, Template
from engine.files.numbering import next_doc_number
from engine.messages import msg
from engine.org import directory, roles, scope, users
from engine.queries import visibility
from engine.runtime import mirror
from engine.storage.schema import Event, ProcessInstance, Task, User
from engine.time.calendar import WorkCalendar
from engine.views import UserView


def check_may_add(session: Session, row: ProcessInstance, user: UserView) -> None:
    """Adding a file or a document: a running case, and the user works on it (a task of
    theirs, open or done, or they started it) or supervises it."""
    if row.status != "running":
        raise Conflict(msg("case_files.case_closed"))
    if user.username == "system" or row.started_by == user.username:
        return
    if visibility.supervises(session, row, user):  # auditors only read
        return
    tasks = session.execute(select(Task.role, Task.unit).where(Task.instance_id == row.id)).all()
    if any(scope.acts_on(user, role, unit) for role, unit in tasks):
        return
    raise PermissionDenied(msg("case_files.not_involved"))


def attach(session: Session, row: ProcessInstance, user: UserView, uploads: Sequence[Upload],
           limits: Limits, now: datetime) -> list[dict[str, Any]]:
    """Files for the case itself (no form field): an ``attached`` event."""
    check_may_add(session, row, user)
    files = attachments.take(session, row.id, [Upload(None, u.name, u.content)
                                               for u in uploads], None, limits, now)
    seq = row.event_count + 1
    chain.append(session, row, "attached", now, chain.digest_of_row(row), {"files": files},
                 user.username)
    attachments.record(session, row.id, seq, files, user.username, now)
    return files


@dataclass(frozen=True)
class ItemDone:
    """The task of one item of a multi-instance step that a command completed: the letter
    of a per-item template is that item's (engine/files/documents.py ``per_item``)."""

    element: str
    task_id: str
    item: Mapping[str, Any]  # as submitted, under the step's element variable
    label: str  # its name, in the letter's file name


def item_done(version: LoadedVersion, payload: Mapping[str, Any]) -> ItemDone | None:
    """The item whose task the command with ``payload`` completed, when its step issues
    documents; None for any other command."""
    element, data = payload.get("element_id"), payload.get("data")
    if element not in version.documents or not isinstance(data, Mapping):
        return None
    variable = item_variable(version, element)
    item = data.get(variable) if variable is not None else None
    if variable is None or not isinstance(item, Mapping):
        return None
    label = next((str(item[k]) for k in mirror.ITEM_NAME_FIELDS
                  if isinstance(item.get(k), str) and item[k].strip()), "")
    return ItemDone(element, str(payload["task_id"]), {variable: dict(item)}, label)


def item_variable(version: LoadedVersion, element: str) -> str | None:
    """The element variable of ``element`` when it is a multi-instance step, else None."""
    return next((spec.input_item.bpmn_id
                 for tree in (version.spec, *version.subprocess_specs.values())
                 for spec in tree.task_specs.values()
                 if isinstance(spec, MultiInstanceTask) and spec.bpmn_id == element
                 and spec.input_item is not None), None)


def issue(session: Session, row: ProcessInstance, found: Template, facts: CaseFacts,
          user: str, now: datetime, state_digest: str, element_id: str | None = None,
          item: ItemDone | None = None) -> str:
    """Number, fill and store one document and record it (a ``document`` event); its
    SHA-256. ``item``: the item a per-item letter is for (its task names the event and
    the file)."""
    units = directory.load(session)  # issuer and addressees by their full names
    issuer = issuer_for(session, found, facts.data, units, user)
    doc_no = next_doc_number(session, issuer.prefix, now)
    content, template_sha = documents.render(
        found, documents.context(found, facts, doc_no, now, units, issuer), units,
        users.contacts(session, [*(v for v in facts.data.values() if isinstance(v, str)),
                                 *([facts.started_by] if facts.started_by else [])]))
    digest = blobs.store(session, content, now)
    name = documents.file_name(found, facts, doc_no, item.label if item else "")
    record = {"sha256": digest, "name": name, "size": len(content),
              "media_type": documents.DOCX, "field": None}
    payload = {"document": {"template": found.key, "title": found.title, "doc_no": doc_no,
                            "template_sha256": template_sha, "element_id": element_id},
               "files": [record]}
    task_id = item.task_id if item else None
    seq = row.event_count + 1
    chain.append(session, row, "document", now, state_digest, payload, user, task_id)
    attachments.record(session, row.id, seq, [record], user, now, task_id,
                       document=found.key, doc_no=doc_no)
    return digest


def issuer_for(session: Session, found: Template, data: Mapping[str, Any],
               units: directory.Directory, user: str) -> documents.Issuer:
    """Who issues ``found`` for the case when ``user`` issues it (the engine's own steps:
    the case's jurisdiction; a person: by the unit they belong to)."""
    if user == users.SYSTEM.username:
        return documents.issuer_of(found, data, units)
    unit = session.execute(select(User.unit).where(User.username == user)).scalar_one_or_none()
    return documents.issuer_of(found, data, units, unit, by_engine=False)


def issue_step_documents(session: Session, row: ProcessInstance, version: LoadedVersion,
                         passed: Iterable[str], now: datetime, user: str,
                         item: ItemDone | None = None,
                         calendar: WorkCalendar | None = None) -> None:
    """The documents the diagram issues at the elements this command completed, in the
    order the diagram names them; not one someone issued by hand while the step's task was
    open (the 交办函 issued from the case page before 转办到位 is submitted is the step's
    letter: a second would take a second 文号). A multi-instance step issues its documents
    once per item, each filled with its item (``item``, whose task this command completed)
    over the case's data: the 兑付通知书 of each enterprise of a 免申即享 batch."""
    digest = chain.digest_of_row(row)
    facts = CaseFacts(row.id, row.process_key, version.name, row.business_key, row.data,
                      row.created_at, soonest_due(session, row.id), row.started_by, calendar)
    for element in sorted(set(passed) & version.documents.keys()):
        if item_variable(version, element) is not None:
            if item is not None and item.element == element:
                own = replace(facts, data={**row.data, **item.item})
                for key in version.documents[element]:
                    issue(session, row, documents.template(key), own, user, now, digest,
                          element, item)
            continue
        issued = issued_by_hand_during(session, row.id, element, now)
        for key in version.documents[element]:
            if key not in issued:
                issue(session, row, documents.template(key), facts, user, now, digest,
                      element)


def issued_by_hand_during(session: Session, instance_id: int, element: str,
                          now: datetime) -> set[str]:
    """The templates of the documents issued by hand while the task of ``element`` that
    was completed at ``now`` was open (none for an element that is no user task)."""
    opened = session.execute(select(func.min(Task.created_at)).where(
        Task.instance_id == instance_id, Task.element_id == element,
        Task.status == "completed", Task.completed_at == now)).scalar_one_or_none()
    if opened is None:
        return set()
    payloads = session.execute(select(Event.payload).where(
        Event.instance_id == instance_id, Event.type == "document",
        Event.at >= opened)).scalars()
    return {p["document"]["template"] for p in payloads
            if isinstance(p.get("document"), dict) and not p["document"].get("element_id")}


def soonest_due(session: Session, instance_id: int) -> datetime | None:
    return session.execute(select(func.min(Task.due_at)).where(
        Task.instance_id == instance_id, Task.status == "ready")).scalar_one_or_none()


def units_at_work(session: Session, instance_id: int) -> dict[str, datetime | None]:
    """The units holding open tasks of the case as their own work, each with its soonest
    deadline: not the steps of the office that runs the case where it has jurisdiction
    (受理, 审批, 案管: their unit is the case's jurisdiction, not an addressee's)."""
    out: dict[str, datetime | None] = {}
    for role, unit, due in session.execute(select(Task.role, Task.unit, Task.due_at).where(
            Task.instance_id == instance_id, Task.status == "ready")):
        found = roles.BY_ID.get(role or "")
        if not unit or found is None or found.by_jurisdiction:
            continue
        known = out.get(unit)
        out[unit] = due if known is None else min(known, due) if due is not None else known
    return out
