"""Deployed process definitions: validate, deploy by content hash, load parsed versions.

A version is the exact text of the files one process needs (its BPMN, the DMN files, the
forms its tasks name), stored content-addressed. Identical content is never deployed twice;
each version is parsed once per process and kept, since versions never change.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import xmlsafe
from engine.bpmn_parser import KuaibanParser, camunda_properties
from engine.errors import NotFound, ValidationFailed
from engine.schema import DefinitionFile, ProcessVersion
from engine.validation import (
    BPMN,
    Checked,
    ProcessInfo,
    SourceFile,
    check_files,
    form_key_of,
    kind_of,
    start_timer_of,
)


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int
    created: bool  # False when identical content was already deployed


@dataclass
class LoadedVersion:
    """A parsed, runnable version."""

    id: int
    key: str
    version: int
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, dict[str, Any]]
    case_prefix: str | None
    start_form_key: str | None
    start_timer: tuple[str, str] | None
    files: dict[str, str]  # name -> exact text, for bundles and the diagram viewer

    def form(self, key: str | None) -> dict[str, Any] | None:
        return self.forms.get(key) if key else None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_forms(session: Session) -> dict[str, str]:
    """The newest deployed text of every form key (forms may be deployed before processes)."""
    rows = session.execute(select(DefinitionFile).where(DefinitionFile.kind == "form")).scalars()
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(form_key_of(row.name), row.content)
    return out


def validate(session: Session | None, files: list[SourceFile]) -> Checked:
    return check_files(files, latest_forms(session) if session is not None else {})


def deploy(session: Session, files: list[SourceFile], now: datetime,
           user: str | None = None) -> list[Deployed]:
    checked = validate(session, files)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    known = {**latest_forms(session)}
    by_name = {f.name: f for f in files}
    for f in files:
        if f.kind == "form":
            known[form_key_of(f.name)] = f.content
    results = []
    for info in checked.processes:
        needed = _files_for(info, by_name, known, checked)
        results.append(_deploy_one(session, info, needed, now, user))
    for f in files:
        if f.kind == "form":
            _store_file(session, f.name, "form", f.content)
    return results


def _files_for(info: ProcessInfo, by_name: dict[str, SourceFile], forms: dict[str, str],
               checked: Checked) -> list[tuple[str, str, str]]:
    """(name, kind, text) of everything the process needs, sorted for a stable hash."""
    names = {info.file}
    parser = checked.parser
    if parser is not None:
        for sub in parser.get_subprocess_specs(info.key):
            names.add(parser.process_parsers[sub].filename)
    out = [(n, "bpmn", by_name[n].content) for n in names]
    out += [(f.name, "dmn", f.content) for f in by_name.values() if f.kind == "dmn"]
    out += [(f"{key}.json", "form", forms[key]) for key in info.form_keys]
    return sorted(out)


def _deploy_one(session: Session, info: ProcessInfo, needed: list[tuple[str, str, str]],
                now: datetime, user: str | None) -> Deployed:
    content_hash = sha256(json.dumps([(n, sha256(t)) for n, _, t in needed]))
    existing = session.execute(
        select(ProcessVersion).where(
            ProcessVersion.key == info.key, ProcessVersion.content_hash == content_hash
        )
    ).scalar_one_or_none()
    if existing is not None:
        return Deployed(info.key, existing.version, False)
    refs = [{"name": n, "kind": k, "sha256": _store_file(session, n, k, t)} for n, k, t in needed]
    last = session.execute(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.key == info.key)
    ).scalar()
    version = (last or 0) + 1
    session.add(
        ProcessVersion(
            key=info.key, version=version, name=info.name, content_hash=content_hash,
            files=refs, start_form_key=info.start_form_key,
            start_messages=sorted(info.start_messages), deployed_at=now, deployed_by=user,
        )
    )
    session.flush()
    return Deployed(info.key, version, True)


def _store_file(session: Session, name: str, kind: str, text: str) -> str:
    digest = sha256(text)
    if session.get(DefinitionFile, digest) is None:
        session.add(DefinitionFile(sha256=digest, name=name, kind=kind, content=text))
        session.flush()
    return digest


class VersionCache:
    """Parsed versions by id; versions are immutable, so entries never go stale."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedVersion] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, version_id: int) -> LoadedVersion:
        loaded = self._loaded.get(version_id)
        if loaded is None:
            loaded = _load(session, version_id)
            with self._lock:
                self._loaded[version_id] = loaded
        return loaded

    def latest(self, session: Session, key: str) -> LoadedVersion:
        version_id = session.execute(
            select(ProcessVersion.id)
            .where(ProcessVersion.key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).scalar()
        if version_id is None:
            raise NotFound(f'no process "{key}" is deployed')
        return self.get(session, version_id)


def _load(session: Session, version_id: int) -> LoadedVersion:
    row = session.get(ProcessVersion, version_id)
    if row is None:
        raise NotFound(f"no process version {version_id}")
    texts = {ref["name"]: session.get(DefinitionFile, ref["sha256"]) for ref in row.files}
    files = {name: f.content for name, f in texts.items() if f is not None}
    parser = KuaibanParser()
    case_prefix, start_timer = None, None
    for name, text in files.items():
        kind = kind_of(name)
        if kind == "dmn":
            parser.add_dmn_xml(xmlsafe.parse(text.encode("utf-8"), name).getroot(), filename=name)
    for name, text in files.items():
        if kind_of(name) == "bpmn":
            root = xmlsafe.parse(text.encode("utf-8"), name).getroot()
            parser.add_bpmn_xml(root, filename=name)
            for process in root.iter(BPMN + "process"):
                if process.get("id") == row.key:
                    case_prefix = camunda_properties(process).get("case_prefix")
                    for start in process.findall(BPMN + "startEvent"):
                        start_timer = start_timer_of(start) or start_timer
    forms = {form_key_of(n): json.loads(t) for n, t in files.items() if kind_of(n) == "form"}
    return LoadedVersion(
        id=row.id, key=row.key, version=row.version, name=row.name,
        spec=parser.get_spec(row.key), subprocess_specs=parser.get_subprocess_specs(row.key),
        forms=forms, case_prefix=case_prefix, start_form_key=row.start_form_key,
        start_timer=start_timer, files=files,
    )
