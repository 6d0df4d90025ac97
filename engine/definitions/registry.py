"""Deployed process definitions: validate, deploy by content hash, load parsed versions.

A version is the exact text of the files one process needs (its BPMN, the DMN files, the
forms its tasks name), stored content-addressed. Identical content is never deployed twice;
each version is parsed once per process and kept, since versions never change.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.definitions import own_content, xmlsafe
from engine.definitions.files import BPMN, SourceFile, form_key_of, kind_of
from engine.definitions.parsed import LoadedVersion, parse_version
from engine.definitions.process_checks import ProcessInfo
from engine.definitions.unit_checks import check_units
from engine.definitions.validation import Checked, check_files
from engine.errors import EngineError, NotFound, ValidationFailed
from engine.messages import msg
from engine.org import directory
from engine.storage import counters, driver
from engine.storage.schema import DefinitionFile, ProcessVersion

T = TypeVar("T")


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int
    created: bool  # False when identical content was already deployed


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_forms(session: Session) -> dict[str, str]:
    """The newest deployed text of every form key (forms may be deployed before processes)."""
    return {form_key_of(name): text for name, text in latest_files(session, "form").items()}


def latest_files(session: Session, kind: str) -> dict[str, str]:
    """Newest deployed text of each file of ``kind``, by file name (without folders)."""
    chosen = latest_digests(session, kind)
    texts = _texts(session, set(chosen.values()))
    return {name: texts[digest] for name, digest in chosen.items()}


def file_text(session: Session, digest: str) -> str:
    """The deployed text with content digest ``digest`` (one of :func:`latest_digests`)."""
    return _texts(session, {digest})[digest]


class ReadOff(Generic[T]):
    """What is read off deployed texts (the lanes' roles, the steps that grant reading), kept
    by digest: a text never changes under its digest, so each is parsed once."""

    def __init__(self, read: Callable[[str, str], T]) -> None:
        self._read = read  # (text, digest) -> what is kept
        self._kept: dict[str, T] = {}
        self._lock = threading.Lock()

    def of(self, session: Session, digest: str) -> T:
        with self._lock:
            if digest in self._kept:
                return self._kept[digest]
        found = self._read(file_text(session, digest), digest)
        with self._lock:
            self._kept[digest] = found
        return found


def _texts(session: Session, digests: set[str]) -> dict[str, str]:
    """Deployed texts by their content digests; a text never changes under its digest, so the
    ones read are kept (the most recently used :data:`_TEXTS_KEPT`)."""
    with _files_lock:
        found = {d: _kept_texts[d] for d in digests if d in _kept_texts}
        for digest in found:
            _kept_texts.move_to_end(digest)
    missing = sorted(digests - found.keys())
    if missing:
        read = dict(session.execute(select(DefinitionFile.sha256, DefinitionFile.content)
                                    .where(DefinitionFile.sha256.in_(missing))).all())
        if len(read) < len(missing):
            raise LookupError(f"no deployed file with digest {set(missing) - read.keys()}")
        found.update(read)
        with _files_lock:
            _kept_texts.update(read)
            while len(_kept_texts) > _TEXTS_KEPT:
                _kept_texts.popitem(last=False)
    return found


def latest_digests(session: Session, kind: str) -> dict[str, str]:
    """The content digest of the newest deployed text of each file of ``kind``, by file name
    (without folders), without reading the texts.

    The newest process version that uses a file knows its newest text (deploying a form
    alone makes new versions of the processes using it). Files no process uses yet come from
    the file store, which keeps no deploy order: if such a file was deployed with different
    texts, the one deployed last is found. Kept per database while no deploy happened (every
    deploy stamps the files it stores with a higher ``seq``): starts of forms that pick from
    a catalogue ask for it each time."""
    if session.info.get(_FILES_STORED):  # not kept: the deploy might be rolled back
        return _read_latest_digests(session, kind)
    stamp = session.info.get(_STAMP)
    if stamp is None:  # a transaction sees no other's deploy, but for the ones it makes
        stamp = session.info[_STAMP] = _NEWEST_SEQ.rows(session, {})[0][0] or 0
    bind = session.get_bind()
    with _files_lock:
        kept = _kept_files.get(bind, {}).get(kind)
    if kept is None or kept[0] != stamp:
        kept = (stamp, _read_latest_digests(session, kind))
        with _files_lock:
            _kept_files.setdefault(bind, {})[kind] = kept
    return dict(kept[1])


_NEWEST_SEQ = driver.Read(select(func.max(DefinitionFile.seq)))
_STAMP = "kuaiban_definition_files_stamp"  # session.info: the newest seq it saw
_FILES_STORED = "kuaiban_definition_files_stored"  # session.info: this transaction deployed
_files_lock = threading.Lock()
_kept_files: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, dict[str, str]]]] = \
    weakref.WeakKeyDictionary()
_TEXTS_KEPT = 256
_kept_texts: OrderedDict[str, str] = OrderedDict()


def _read_latest_digests(session: Session, kind: str) -> dict[str, str]:
    digests: dict[str, str] = {}
    versions = session.execute(select(ProcessVersion.files).order_by(ProcessVersion.id.desc()))
    for refs in versions.scalars():
        for ref in refs:
            if ref.get("kind") == kind:
                digests.setdefault(os.path.basename(ref["name"]), ref["sha256"])
    out: dict[str, str] = {}
    rows = session.execute(select(DefinitionFile.name, DefinitionFile.sha256)
                           .where(DefinitionFile.kind == kind).order_by(DefinitionFile.seq))
    for path, digest in rows:
        name = os.path.basename(path)
        if digests.get(name, digest) == digest:
            out[name] = digest  # later deploys overwrite earlier ones
    return out


def decision_ids(text: str) -> set[str]:
    """The decisions a DMN text holds (none when it does not parse)."""
    return _ids(text, "{*}decision")


def _with_deployed_dmn(session: Session, files: list[SourceFile]) -> list[SourceFile]:
    """``files`` plus the deployed DMN files they do not replace (same name or decision id),
    so a diagram may call decisions deployed earlier."""
    given = [f for f in files if f.kind == "dmn"]
    names = {os.path.basename(f.name) for f in given}
    ids = {i for f in given for i in decision_ids(f.content)}
    extra = [
        SourceFile(name, text)
        for name, text in sorted(latest_files(session, "dmn").items())
        if name not in names and not ids & decision_ids(text)
    ]
    return files + extra


def _process_ids(text: str) -> set[str]:
    return _ids(text, BPMN + "process")


def _ids(text: str, tag: str) -> set[str]:
    try:
        root = xmlsafe.parse(text.encode("utf-8"), "-").getroot()
    except EngineError:  # validation reports it for the files given
        return set()
    return {node.get("id") or "" for node in root.iter(tag)}


def validate(session: Session | None, files: list[SourceFile],
             units: directory.Directory | None = None) -> Checked:
    """Check ``files`` as deploy would: with the deployed forms and DMN files they use, and
    with the deployed processes that use a form or DMN file among them; the units their
    tables name against ``units`` (a directory file given with them), else the stored one."""
    if session is None:
        return check_files(files, {})
    files = _with_deployed_dmn(session, _with_users_of(session, files))
    checked = check_files(files, latest_forms(session))
    checked.problems.extend(check_units(files, units or directory.load(session)))
    return checked


def deploy(session: Session, files: list[SourceFile], now: datetime,
           user: str | None = None) -> list[Deployed]:
    """Deploy every process in ``files``; a form or DMN file deployed without the processes
    that use it makes new versions of those processes."""
    files = _with_deployed_dmn(session, _with_users_of(session, files))
    checked = check_files(files, latest_forms(session))
    checked.problems.extend(check_units(files, directory.load(session)))
    if checked.problems:
        raise ValidationFailed(checked.problems)
    known = latest_forms(session)
    by_name = {f.name: f for f in files}
    for f in files:
        if f.kind == "form":
            known[form_key_of(f.name)] = f.content
    results = []
    for info in checked.processes:
        needed = _files_for(info, by_name, known, checked)
        own = {info.key, *(checked.parser.get_subprocess_specs(info.key)
                           if checked.parser is not None else ())}
        results.append(_deploy_one(session, info.key, info.name, info.start_form_key,
                                   sorted(info.start_messages), needed, now, user, own))
    for f in files:
        if f.kind in ("form", "dmn"):
            _store_file(session, os.path.basename(f.name), f.kind, f.content)
    return results


def _files_for(info: ProcessInfo, by_name: dict[str, SourceFile], forms: dict[str, str],
               checked: Checked) -> list[tuple[str, str, str]]:
    """(name, kind, text) of everything the process needs: its BPMN file and those of its
    call activities, the DMN files of the decisions they call, the forms its tasks name.
    Names lose their folders, so where the files were deployed from does not matter."""
    names = {info.file}
    parser = checked.parser
    if parser is not None:
        for sub in parser.get_subprocess_specs(info.key):
            names.add(parser.process_parsers[sub].filename)
    refs = {ref for p in checked.processes if p.file in names for ref in p.decision_refs}
    dmn = {checked.decisions[r] for r in refs if r in checked.decisions}
    out = [(os.path.basename(n), "bpmn", by_name[n].content) for n in names]
    out += [(os.path.basename(n), "dmn", by_name[n].content) for n in dmn]
    out += [(f"{key}.json", "form", forms[key]) for key in info.form_keys]
    return sorted(out)


def _with_users_of(session: Session, files: list[SourceFile]) -> list[SourceFile]:
    """``files`` plus the BPMN files of deployed processes whose latest version uses a form or
    DMN file in ``files`` with another text, so those processes are validated against the new
    text and get a new version too."""
    changed = {os.path.basename(f.name): sha256(f.content)
               for f in files if f.kind in ("form", "dmn")}
    if not changed:
        return files
    given_bpmn = {os.path.basename(f.name) for f in files if f.kind == "bpmn"}
    given_keys = {key for f in files if f.kind == "bpmn" for key in _process_ids(f.content)}
    latest: dict[str, ProcessVersion] = {}
    for row in session.execute(select(ProcessVersion).order_by(ProcessVersion.version)).scalars():
        latest[row.key] = row
    extra: dict[str, str] = {}
    # the newest text of each file: the latest versions of a file's processes may hold
    # different texts of it (a change to one process is no version of the others)
    newest = latest_files(session, "bpmn")
    for row in latest.values():
        if row.key in given_keys:
            continue
        refs = [r for r in row.files if isinstance(r, dict)]
        if not any(changed.get(os.path.basename(r["name"]), r["sha256"]) != r["sha256"]
                   for r in refs):
            continue
        for ref in refs:
            name = os.path.basename(ref["name"])
            if ref["kind"] == "bpmn" and name not in given_bpmn and name not in extra:
                if name in newest:
                    extra[name] = newest[name]
                    continue
                text = session.get(DefinitionFile, ref["sha256"])
                if text is not None:
                    extra[name] = text.content
    return files + [SourceFile(name, text) for name, text in sorted(extra.items())]


def content_hash(needed: list[tuple[str, str, str]]) -> str:
    """Hash of a version's files: their names (without folders) and texts."""
    return _files_hash((n, t) for n, _, t in needed)


def _files_hash(files: Iterable[tuple[str, str]]) -> str:
    return sha256(json.dumps(sorted((os.path.basename(n), sha256(t)) for n, t in files)))


def has_content_hash(files: Mapping[str, str], version: int | None, recorded: str) -> bool:
    """Whether a version's files (name -> text) give the content hash recorded for it, from
    the files alone: :func:`content_hash`, or for a version whose content repeats an older
    version's, that hash salted with its version number (:func:`_deploy_one`)."""
    digest = _files_hash(files.items())
    return recorded == digest or (version is not None
                                  and recorded == sha256(f"{digest}:{version}"))


def _hash_of_refs(refs: list[Any]) -> str:
    return sha256(json.dumps(sorted((os.path.basename(r["name"]), r["sha256"]) for r in refs)))


def _deploy_one(session: Session, key: str, name: str, start_form_key: str | None,
                start_messages: list[str], needed: list[tuple[str, str, str]],
                now: datetime, user: str | None, own: Collection[str] = ()) -> Deployed:
    """A new version, unless the latest version of ``key`` has exactly this content, or the
    same as far as the processes ``own`` (``key`` and those its call activities run) go: a
    file holding other processes too may change in theirs (own_content.py)."""
    digest = content_hash(needed)
    latest = session.execute(
        select(ProcessVersion).where(ProcessVersion.key == key)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and (_hash_of_refs(latest.files) == digest
                               or _same_own_part(session, latest, needed, own or {key})):
        return Deployed(key, latest.version, False)
    version = (latest.version if latest is not None else 0) + 1
    # (key, content_hash) is unique: content going back to an older version's gets a new
    # version too (it becomes the latest), under a hash salted with the version number
    taken = session.execute(
        select(ProcessVersion.id).where(ProcessVersion.key == key,
                                        ProcessVersion.content_hash == digest)
    ).first()
    stored_hash = sha256(f"{digest}:{version}") if taken is not None else digest
    refs = [{"name": n, "kind": k, "sha256": _store_file(session, n, k, t)} for n, k, t in needed]
    session.add(
        ProcessVersion(
            key=key, version=version, name=name, content_hash=stored_hash,
            files=refs, start_form_key=start_form_key,
            start_messages=sorted(start_messages), deployed_at=now, deployed_by=user,
        )
    )
    session.flush()
    _deployed(session)
    return Deployed(key, version, True)


def _same_own_part(session: Session, latest: ProcessVersion,
                   needed: list[tuple[str, str, str]], own: Collection[str]) -> bool:
    old: dict[str, str] = {}
    for ref in latest.files:
        stored = session.get(DefinitionFile, ref["sha256"])
        if stored is None:
            return False
        old[os.path.basename(ref["name"])] = stored.content
    return own_content.same_own_part(old, needed, own)


def draft_files(session: Session, loaded: LoadedVersion) -> dict[str, str]:
    """The files of a version to edit: a BPMN file that holds other processes too in its
    newest text where that text has this version's own part (the other pools as they are
    now, so a deploy of the edit does not take them back); otherwise as deployed."""
    own = {loaded.key, *loaded.subprocess_specs}
    newest = latest_files(session, "bpmn")
    out = dict(loaded.files)
    for name, text in loaded.files.items():
        now = newest.get(os.path.basename(name))
        if kind_of(name) == "bpmn" and now is not None and now != text \
                and own_content.same_own_part({name: text}, [(name, "bpmn", now)], own):
            out[name] = now
    return out


def _store_file(session: Session, name: str, kind: str, text: str) -> str:
    """Store (or re-stamp as newest) a file by its content hash."""
    session.info[_FILES_STORED] = True
    digest = sha256(text)
    newest = (session.execute(select(func.max(DefinitionFile.seq))).scalar() or 0) + 1
    row = session.get(DefinitionFile, digest)
    if row is None:
        session.add(DefinitionFile(sha256=digest, name=name, kind=kind, content=text,
                                   seq=newest))
    else:
        row.seq = newest
    session.flush()
    return digest


# session.info keys: the latest version id by process key, and whether the transaction
# deployed (its new ids may be rolled back and come again).
_LATEST = "kuaiban_latest_versions"
_DEPLOYED = "kuaiban_deployed"


def newest_version_id(session: Session) -> int:
    """The highest version id, read once per transaction. Every deploy makes a version with a
    higher id, so whatever depends on which versions are latest may be kept while it holds."""
    return counters.read(session).newest_version


def _deployed(session: Session) -> None:
    counters.forget(session)
    session.info.pop(_LATEST, None)
    session.info[_DEPLOYED] = True


class VersionCache:
    """Parsed versions by id; versions are immutable, so entries never go stale. The latest
    version of each process is kept while the newest version id is unchanged."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedVersion] = {}
        self._lock = threading.Lock()
        self._latest: tuple[int, dict[str, int]] = (-1, {})  # (newest id, key -> id)

    def get(self, session: Session, version_id: int) -> LoadedVersion:
        loaded = self._loaded.get(version_id)
        if loaded is None:
            loaded = load_uncached(session, version_id)
            with self._lock:
                self._loaded[version_id] = loaded
        return loaded

    def latest(self, session: Session, key: str) -> LoadedVersion:
        memo: dict[str, int] = session.info.setdefault(_LATEST, {})
        version_id = memo.get(key)
        if version_id is None:
            newest = newest_version_id(session)
            seen, ids = self._latest
            version_id = ids.get(key) if seen == newest else None
            if version_id is None:
                version_id = session.execute(_LATEST_OF, {"key": key}).scalar()
                if version_id is None:
                    raise NotFound(msg("process.not_deployed", key=key))
                if not session.info.get(_DEPLOYED):  # committed ids only
                    with self._lock:
                        if self._latest[0] != newest:
                            self._latest = (newest, {})
                        self._latest[1][key] = version_id
            memo[key] = version_id
        return self.get(session, version_id)


def numbered_id(session: Session, key: str, version: int) -> int:
    """The id of version number ``version`` of ``key``; NotFound if it has none."""
    version_id = session.execute(select(ProcessVersion.id).where(
        ProcessVersion.key == key, ProcessVersion.version == version)).scalar()
    if version_id is None:
        raise NotFound(msg("process.version_missing", key=key, version=version))
    return int(version_id)


def numbered(session: Session, versions: VersionCache, key: str,
             version: int | None) -> LoadedVersion:
    """Version number ``version`` of ``key`` (None: the latest)."""
    if version is None:
        return versions.latest(session, key)
    return versions.get(session, numbered_id(session, key, version))


_LATEST_OF = (select(ProcessVersion.id).where(ProcessVersion.key == bindparam("key"))
              .order_by(ProcessVersion.version.desc()).limit(1))


def load_uncached(session: Session, version_id: int) -> LoadedVersion:
    """Parse a version row, outside the cache (a deploy preview's rows are rolled back, and
    their ids may come again for other content)."""
    row = session.get(ProcessVersion, version_id)
    if row is None:
        raise NotFound(msg("process.version_not_found", version_id=version_id))
    texts = {ref["name"]: session.get(DefinitionFile, ref["sha256"]) for ref in row.files}
    files = {name: f.content for name, f in texts.items() if f is not None}
    loaded = parse_version(row.id, row.key, row.version, row.name, row.start_form_key, files)
    loaded.content_hash = row.content_hash
    return loaded
