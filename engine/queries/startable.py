"""Read-side helpers for forms: which procedures a user may start (with their start forms),
and the JSON Schema form of an open task. Free functions over the public ``Engine``."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import redo
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import newest_version_id
from engine.errors import NotFound
from engine.messages import msg
from engine.org import users
from engine.org.roles import role_for_lane
from engine.queries import rounds
from engine.storage.schema import ProcessInstance, ProcessVersion
from engine.views import TaskView, UserView

if TYPE_CHECKING:
    from engine.api import Engine


@dataclass(frozen=True)
class Startable:
    key: str
    version: int
    name: str
    start_form_key: str | None
    form: dict[str, Any] | None
    roles: tuple[str, ...]  # roles whose lane holds a plain (none-event) start event


def start_roles(version: LoadedVersion) -> set[str]:
    """Roles of the lanes holding a start event a person can trigger (not timer/message)."""
    roles: set[str] = set()
    for spec in version.spec.task_specs.values():
        if not isinstance(spec, StartEvent):
            continue
        if type(spec.event_definition).__name__ != "NoneEventDefinition":
            continue
        role = role_for_lane(spec.lane)
        if role is not None:
            roles.add(role.id)
    return roles


def startable(engine: Engine, username: str) -> list[Startable]:
    """The latest version of every process the user may start by hand, by key."""
    out = []
    processes = engine.processes()
    with engine.transaction(read_only=True) as session:
        user = users.get(session, username)
        for process in processes:
            version = engine.versions.latest(session, process.key)
            roles = start_roles(version)
            if user.username != users.SYSTEM.username and not roles & set(user.roles):
                continue
            out.append(Startable(process.key, version.version, process.name,
                                 version.start_form_key, version.form(version.start_form_key),
                                 tuple(sorted(roles))))
    return out


# engine -> (newest version id, the roles that may start some latest version)
_STARTERS: weakref.WeakKeyDictionary[Engine, tuple[int, frozenset[str]]] = \
    weakref.WeakKeyDictionary()
_STARTERS_LOCK = threading.Lock()


def may_start_any(engine: Engine, user: UserView) -> bool:
    """Whether ``user`` may start some procedure by hand (``startable`` is not empty): asked
    by the navigation of every page, so the starting roles are kept while no version is
    deployed, and each page reads only the newest version id."""
    if user.username == users.SYSTEM.username:
        return True
    with engine.transaction(read_only=True) as session:
        newest = newest_version_id(session)
        kept = _STARTERS.get(engine)
        if kept is None or kept[0] != newest:
            keys = session.execute(select(ProcessVersion.key).distinct()).scalars().all()
            roles = frozenset(role for key in keys
                              for role in start_roles(engine.versions.latest(session, key)))
            kept = (newest, roles)
            with _STARTERS_LOCK:
                _STARTERS[engine] = kept
    return bool(kept[1] & set(user.roles))


def task_form(engine: Engine, task_id: str, username: str) -> dict[str, Any] | None:
    """The form of a task the user may see (PermissionDenied / NotFound otherwise), as its
    round asks it: the fields for a redo only when its step is done again."""
    task = engine.inbox.task(task_id, username)
    if task.form_key is None:
        return None
    with engine.transaction(read_only=True) as session:
        version_id = _version_id_of(session, task.instance_id)
        schema = engine.versions.get(session, version_id).form(task.form_key)
        if redo.fields(schema) and task.id not in rounds.of_tasks(
                session, [task.id], lambda v: engine.versions.get(session, v)):
            return redo.first_time(schema)
        return schema


def lane_title(engine: Engine, task: TaskView) -> str | None:
    """The name the diagram's lane gives the task's role when it is another of the role's
    names (信用主管部门, a lane of the role 责任单位): the unit works the task as that, and
    the task page says so; None when the lane says no more than the role's own name."""
    with engine.transaction(read_only=True) as session:
        version = engine.versions.get(session, _version_id_of(session, task.instance_id))
    specs = [version.spec, *version.subprocess_specs.values()]
    spec = next((s.task_specs[task.name] for s in specs if task.name in s.task_specs), None)
    lane = (getattr(spec, "lane", None) or "").strip()
    role = role_for_lane(lane)
    if role is None or role.id != task.role or lane in (role.id, role.name):
        return None
    return lane


def _version_id_of(session: Session, instance_id: int) -> int:
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(msg("instance.not_found", instance_id=instance_id))
    return row.version_id


def instance_forms(engine: Engine, instance_id: int) -> dict[str, dict[str, Any]]:
    """Every form of the version an instance runs on (for labelling its data). Callers check
    read permission first (``engine.instance(id, user)``)."""
    with engine.transaction(read_only=True) as session:
        return dict(engine.versions.get(session, _version_id_of(session, instance_id)).forms)


def field_schemas(engine: Engine) -> dict[str, dict[str, Any]]:
    """The JSON Schema of every field any latest deployed form declares, by field name (the
    first process, by key, wins): data from another procedure is shown as its form would."""
    found: dict[str, dict[str, Any]] = {}
    processes = engine.processes()
    with engine.transaction(read_only=True) as session:
        for process in sorted(processes, key=lambda p: p.key):
            for _, schema in sorted(engine.versions.latest(session, process.key).forms.items()):
                for name, prop in (schema.get("properties") or {}).items():
                    if isinstance(prop, dict) and isinstance(prop.get("title"), str):
                        found.setdefault(name, prop)
    return found
