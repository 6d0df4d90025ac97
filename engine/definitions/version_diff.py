"""What changed between two versions of a process: BPMN elements added, removed and changed
(tasks, gateways, events, sequence flows, lanes; the diagram layout is ignored), and forms and
decision tables added, removed or changed.

An element is compared by its attributes and by everything inside it that is not itself a
flow element (conditions, timers, due dates, extension properties, a lane's tasks), so moving a
task to another lane, editing a condition or a due-date expression each show up as a change
with the exact before and after. A form's changes are told in words (form_diff.py), and the
tasks and start events that show it are named with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import registry, xmlsafe
from engine.definitions.files import BPMN, kind_of
from engine.definitions.form_diff import describe_form_change
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.definitions.validation import SourceFile
from engine.messages import Msg
from engine.queries.diagram import load_version
from engine.storage.schema import ProcessVersion

if TYPE_CHECKING:
    from engine.api import Engine

_SKIP_CHILDREN = {BPMN + "incoming", BPMN + "outgoing"}
_CONTAINERS = {BPMN + "subProcess", BPMN + "transaction", BPMN + "adHocSubProcess",
               BPMN + "laneSet"}
_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda:",
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi:",
}


@dataclass(frozen=True)
class Change:
    what: str  # attribute or inner path, e.g. "name", "camunda:dueDate", "conditionExpression"
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ElementDiff:
    id: str
    kind: str
    name: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    key: str
    old: int
    new: int
    added: list[ElementDiff]
    removed: list[ElementDiff]
    changed: list[ElementDiff]
    forms_added: list[str]
    forms_removed: list[str]
    forms_changed: dict[str, list[Msg]]  # each form's changes, in words
    decisions_changed: list[str]  # DMN files added, removed or edited
    # the elements of both versions that show a changed form, by its key: a task whose form
    # changed is itself changed, though its attributes are not
    form_users: dict[str, list[ElementDiff]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.forms_added
                    or self.forms_removed or self.forms_changed or self.decisions_changed)


@dataclass(frozen=True)
class DeployPreview:
    """What deploying would do to one process: the version it makes (or, unchanged, the
    latest) and what that version changes against the latest; ``diff`` is None for a new
    process or unchanged content."""
    key: str
    name: str
    version: int
    created: bool
    diff: VersionDiff | None


def preview_deploy(session: Session, cache: VersionCache, files: list[SourceFile],
                   now: datetime, user: str | None) -> list[DeployPreview]:
    """Deploy ``files`` in ``session`` and compare each new version with the one before it.
    The caller rolls the session back: nothing goes live."""
    previews = []
    for item in registry.deploy(session, files, now, user):
        new = registry.load_uncached(session, _version_id(session, item.key, item.version))
        diff = None
        if item.created and item.version > 1:
            old = cache.get(session, _version_id(session, item.key, item.version - 1))
            diff = diff_loaded(old, new)
        previews.append(DeployPreview(item.key, new.name, item.version, item.created, diff))
    return previews


def _version_id(session: Session, key: str, version: int) -> int:
    return int(session.execute(select(ProcessVersion.id).where(
        ProcessVersion.key == key, ProcessVersion.version == version)).scalar_one())


def diff_versions(engine: Engine, key: str, old: int, new: int) -> VersionDiff:
    with engine.transaction(read_only=True) as session:
        a = load_version(engine, session, key, old)
        b = load_version(engine, session, key, new)
    return diff_loaded(a, b)


def diff_loaded(a: LoadedVersion, b: LoadedVersion) -> VersionDiff:
    before, after = _flow_elements(a), _flow_elements(b)
    added = [_summary(i, after[i][0]) for i in after if i not in before]
    removed = [_summary(i, before[i][0]) for i in before if i not in after]
    changed = []
    for element_id in after:
        if element_id in before and before[element_id][1] != after[element_id][1]:
            summary = _summary(element_id, after[element_id][0])
            changes = _changes(before[element_id][1], after[element_id][1])
            changed.append(ElementDiff(summary.id, summary.kind, summary.name, changes))
    forms_a, forms_b = a.forms, b.forms
    forms_changed = {k: describe_form_change(forms_a[k], forms_b[k])
                     for k in sorted(set(forms_a) & set(forms_b)) if forms_a[k] != forms_b[k]}
    dmn_a = {n: t for n, t in a.files.items() if kind_of(n) == "dmn"}
    dmn_b = {n: t for n, t in b.files.items() if kind_of(n) == "dmn"}
    decisions = sorted(n for n in set(dmn_a) | set(dmn_b) if dmn_a.get(n) != dmn_b.get(n))
    return VersionDiff(
        a.key, a.version, b.version, added, removed, changed,
        sorted(set(forms_b) - set(forms_a)), sorted(set(forms_a) - set(forms_b)),
        forms_changed, decisions, _form_users(before, after, set(forms_changed)),
    )


def _form_users(before: dict[str, tuple[etree._Element, dict[str, str]]],
                after: dict[str, tuple[etree._Element, dict[str, str]]],
                forms: set[str]) -> dict[str, list[ElementDiff]]:
    users: dict[str, list[ElementDiff]] = {}
    for element_id, (element, flat) in after.items():
        key = flat.get("camunda:formKey")
        if element_id in before and key in forms:
            users.setdefault(key, []).append(_summary(element_id, element))
    return users


def _process(loaded: LoadedVersion) -> etree._Element | None:
    for name, text in sorted(loaded.files.items()):
        if kind_of(name) == "bpmn":
            root = xmlsafe.parse(text.encode("utf-8"), name).getroot()
            for process in root.iter(BPMN + "process"):
                if process.get("id") == loaded.key:
                    return process
    return None


def _flow_elements(loaded: LoadedVersion) -> dict[str, tuple[etree._Element, dict[str, str]]]:
    out: dict[str, tuple[etree._Element, dict[str, str]]] = {}
    process = _process(loaded)
    if process is None:
        return out

    def walk(container: etree._Element) -> None:
        for child in container:
            if not isinstance(child.tag, str) or not child.tag.startswith(BPMN):
                continue
            if child.tag in _CONTAINERS:
                walk(child)
            element_id = child.get("id")
            if element_id and child.tag != BPMN + "laneSet":
                out[element_id] = (child, _flatten(child))

    walk(process)
    return out


def _qname(tag: str) -> str:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return _NAMESPACES.get(ns, "{" + ns + "}") + local
    return tag


def _flatten(element: etree._Element, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for attr, value in sorted(element.attrib.items()):
        if prefix == "" and attr == "id":
            continue
        flat[(prefix + "@" if prefix else "") + _qname(str(attr))] = value
    text = (element.text or "").strip()
    if text and prefix:
        flat[prefix] = text
    counts: dict[str, int] = {}
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIP_CHILDREN:
            continue
        if prefix == "" and element.tag in _CONTAINERS and child.get("id") and \
                child.tag != BPMN + "extensionElements":
            continue  # nested flow elements are compared on their own
        name = _qname(child.tag)
        if name == "camunda:property" and child.get("name"):
            path = f"{prefix}camunda:property[{child.get('name')}]"
            flat[path] = child.get("value") or (child.text or "").strip()
            continue
        index = counts.get(name, 0)
        counts[name] = index + 1
        path = prefix + name + (f"[{index + 1}]" if index else "")
        if name == "flowNodeRef":
            flat[f"{prefix}flowNodeRef:{(child.text or '').strip()}"] = "✓"
            continue
        child_flat = _flatten(child, path + "/")
        if not child_flat:
            child_flat = {path: ""}
        flat.update({k.rstrip("/"): v for k, v in child_flat.items()})
    return flat


def _changes(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    keys = sorted(set(before) | set(after))
    return [Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _summary(element_id: str, element: etree._Element) -> ElementDiff:
    kind = element.tag[len(BPMN):] if element.tag.startswith(BPMN) else _qname(element.tag)
    return ElementDiff(element_id, kind, (element.get("name") or "").strip())
