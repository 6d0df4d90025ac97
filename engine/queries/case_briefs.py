"""A case in brief, read on a page about other work: the case a form's field names
(``x-case-of``: the clue a 提级核查 is about, with the facts ``x-case-facts`` lists and where
it stands now, for the leader deciding on it), and the open cases of the procedures a user
has a step in (the leader's overview of what the city took over). Each is shown only to a
user who may read it (engine/queries/visibility.py); a case number the reader may not read
is said without its case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.camunda.specs.user_task import UserTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import case_refs
from engine.definitions.parsed import LoadedVersion
from engine.org.roles import role_for_lane
from engine.org.scope import JURISDICTION
from engine.queries import subjects, visibility
from engine.queries.inbox import item_place, task_view
from engine.storage.schema import ProcessInstance, ProcessVersion, Task
from engine.views import TaskView, UserView

LIMIT = 50  # an overview lists the newest open cases; the board and search find the rest
Versions = Callable[[int], LoadedVersion]
# (the case, the data fields wanted) -> that data as the reader may see it
Reveal = Callable[[ProcessInstance, set[str]], dict[str, Any]]


@dataclass(frozen=True)
class Fact:
    """A field of the case as its forms title it; a choice by its label."""

    name: str
    title: str
    value: Any


@dataclass(frozen=True)
class CaseBrief:
    id: int
    process_key: str
    process_name: str
    business_key: str | None
    status: str
    created_at: datetime
    subject: str | None
    jurisdiction: str | None  # its 纪委监委 (or the starter's unit)
    facts: tuple[Fact, ...]
    open_tasks: tuple[TaskView, ...]  # where it stands: step, role, unit, holder, deadline

    @property
    def overdue(self) -> bool:
        return any(t.overdue for t in self.open_tasks)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "process_key": self.process_key, "process": self.process_name,
                "business_key": self.business_key, "status": self.status,
                "created_at": self.created_at.isoformat(), "subject": self.subject,
                "jurisdiction": self.jurisdiction,
                "facts": [{"name": f.name, "title": f.title, "value": f.value}
                          for f in self.facts],
                "open_tasks": [t.as_json() for t in self.open_tasks]}


@dataclass(frozen=True)
class CaseReference:
    """A case number a field of the case holds, and the case it names when the reader may
    read it (None: none they may read)."""

    field: str
    title: str  # the field's title: 问题线索案件编号
    business_key: str
    case: CaseBrief | None


def references(session: Session, row: ProcessInstance, data: Mapping[str, Any],
               reader: UserView | None, versions: Versions, now: datetime, reveal: Reveal
               ) -> list[CaseReference]:
    """The cases ``row``'s fields name (``data``: its data as the reader sees it), in the
    order its forms declare the fields."""
    version = versions(row.version_id)
    forms = [version.form(version.start_form_key), *version.forms.values()]
    out = []
    for name, (keys, facts) in case_refs.referring(forms).items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        found = session.execute(select(ProcessInstance).where(
            ProcessInstance.business_key == value, ProcessInstance.process_key.in_(keys))
            .order_by(ProcessInstance.id).limit(1)).scalars().first()
        if found is not None and reader is not None \
                and not visibility.may_read(session, found.id, reader):
            found = None
        brief = None if found is None else \
            _briefs(session, [found], versions, now, reveal, facts)[0]
        out.append(CaseReference(name, _title(forms, name), value, brief))
    return out


def overseen(session: Session, reader: UserView, versions: Versions, now: datetime,
             latest: Callable[[str], LoadedVersion], limit: int = LIMIT) -> list[CaseBrief]:
    """The running cases the reader may read of the deployed procedures in whose newest
    diagrams one of the reader's roles has a step, newest first."""
    keys = session.execute(select(ProcessVersion.key).distinct()).scalars().all()
    worked = sorted(key for key in keys if _has_step(latest(key), reader.roles))
    if not worked:
        return []
    rows = session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key.in_(worked), ProcessInstance.status == "running",
        visibility.readable(session, reader)).order_by(ProcessInstance.id.desc()).limit(limit)
    ).scalars().all()
    return _briefs(session, list(rows), versions, now, None, ())


def _has_step(version: LoadedVersion, roles: tuple[str, ...]) -> bool:
    """Whether a lane of the diagram stands for one of ``roles`` and holds a user task."""
    for spec in version.task_specs():
        role = role_for_lane(getattr(spec, "lane", None))
        if role is not None and role.id in roles and isinstance(spec, UserTask):
            return True
    return False


def _briefs(session: Session, rows: list[ProcessInstance], versions: Versions, now: datetime,
            reveal: Reveal | None, facts: tuple[str, ...]) -> list[CaseBrief]:
    """``reveal``: how the reader sees ``facts`` (none wanted: only the jurisdiction, which
    no form keeps confidential, is read)."""
    ids = [r.id for r in rows]
    tasks: dict[int, list[TaskView]] = {}
    for task in session.execute(select(Task).where(Task.instance_id.in_(ids),
                                                   Task.status == "ready")
                                .order_by(Task.created_at, item_place(), Task.id)).scalars():
        tasks.setdefault(task.instance_id, []).append(task_view(task, now))
    named = subjects.of_cases(session, ids)
    names: dict[int, str] = dict(session.execute(
        select(ProcessVersion.id, ProcessVersion.name)
        .where(ProcessVersion.id.in_({r.version_id for r in rows}))).all())
    out = []
    for row in rows:
        data = reveal(row, {*facts, JURISDICTION}) if reveal and facts else dict(row.data)
        forms = list(versions(row.version_id).forms.values()) if facts else []
        shown = tuple(Fact(n, _title(forms, n), _label(forms, n, data[n])) for n in facts
                      if data.get(n) not in (None, "", []))
        jurisdiction = data.get(JURISDICTION)
        out.append(CaseBrief(row.id, row.process_key, names.get(row.version_id, row.process_key),
                             row.business_key, row.status, row.created_at, named.get(row.id),
                             jurisdiction if isinstance(jurisdiction, str) else None, shown,
                             tuple(tasks.get(row.id, ()))))
    return out


def _prop(forms: Sequence[dict[str, Any] | None], name: str) -> dict[str, Any]:
    for schema in forms:
        prop = ((schema or {}).get("properties") or {}).get(name)
        if isinstance(prop, dict) and isinstance(prop.get("title"), str):
            return prop
    return {}


def _title(forms: Sequence[dict[str, Any] | None], name: str) -> str:
    return str(_prop(forms, name).get("title") or name)


def _label(forms: Sequence[dict[str, Any] | None], name: str, value: Any) -> Any:
    """A choice's title for its value (问题类型 （二）敷衍塞责…), else the value."""
    for choice in _prop(forms, name).get("oneOf") or ():
        if isinstance(choice, dict) and choice.get("const") == value \
                and isinstance(choice.get("title"), str):
            return choice["title"]
    return value
