"""Steps whose holders read the case a field names: the city's investigator of a 提级核查 reads
the clue it is about, which is a county's case they have no part in otherwise.

A user task names the field with the case number (a field with ``x-case-of``,
engine/definitions/case_refs.py) in its ``reads_case`` property:

    <bpmn:userTask id="investigate" name="直接核查并作出结论" ...>
      <camunda:property name="reads_case" value="esc_case_no" />

Whoever holds or held that step — its role and unit, handed it by name, or done it — reads
the case of the field's procedures that the case's data names there, as its other readers
do (engine/queries/visibility.py): its confidential fields by the named case's own forms.
Read from the newest deployed text of every BPMN file and of the forms, each parsed once.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.definitions import case_refs, xmlsafe
from engine.definitions.bpmn_parser import CAMUNDA, camunda_properties
from engine.definitions.files import form_key_of
from engine.definitions.registry import file_text, latest_digests

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class ReadingGrant:
    """The holders of step ``step`` of procedure ``process`` read the case of ``targets``
    whose number the case's field ``field`` holds."""

    process: str
    step: str
    field: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class _Granting:
    """A step's ``reads_case`` and the forms of its procedure, as one BPMN text says."""

    process: str
    step: str
    field: str
    form_keys: tuple[str, ...]


_lock = threading.Lock()
_by_digest: dict[str, tuple[_Granting, ...]] = {}  # BPMN digest -> its steps with the property
_refs_by_digest: dict[str, dict[str, tuple[str, ...]]] = {}  # form digest -> field -> procedures


def grants(session: Session) -> tuple[ReadingGrant, ...]:
    """The reading grants of the deployed procedures (a field naming no case in its
    procedure's forms grants nothing; deploying refuses it: process_checks.py)."""
    forms = {form_key_of(name): d for name, d in latest_digests(session, "form").items()}
    out = []
    for digest in sorted(latest_digests(session, "bpmn").values()):
        for granting in _grantings(session, digest):
            targets = _targets(session, forms, granting)
            if targets:
                out.append(ReadingGrant(granting.process, granting.step, granting.field, targets))
    return tuple(out)


def _targets(session: Session, forms: dict[str, str], granting: _Granting) -> tuple[str, ...]:
    for key in granting.form_keys:
        digest = forms.get(key)
        if digest is not None:
            found = _refs_of(session, digest).get(granting.field)
            if found:
                return found
    return ()


def _refs_of(session: Session, digest: str) -> dict[str, tuple[str, ...]]:
    with _lock:
        known = _refs_by_digest.get(digest)
    if known is not None:
        return known
    try:
        schema = json.loads(file_text(session, digest))
    except ValueError:
        schema = None
    refs = {name: keys for name, (keys, _facts) in
            case_refs.referring([schema if isinstance(schema, dict) else None]).items()}
    with _lock:
        _refs_by_digest[digest] = refs
    return refs


def _grantings(session: Session, digest: str) -> tuple[_Granting, ...]:
    with _lock:
        known = _by_digest.get(digest)
    if known is not None:
        return known
    tree = xmlsafe.parse(file_text(session, digest).encode("utf-8"), digest)
    found: list[_Granting] = []
    for process in tree.getroot().iter(_BPMN + "process"):
        form_keys = tuple(sorted({key for node in process.iter()
                                  if isinstance(node.tag, str)
                                  and (key := node.get(CAMUNDA + "formKey"))}))
        for task in process.iter(_BPMN + "userTask"):
            field = camunda_properties(task).get(case_refs.READS_CASE, "").strip()
            if field:
                found.append(_Granting(process.get("id") or "", task.get("id") or "", field,
                                       form_keys))
    with _lock:
        _by_digest[digest] = tuple(found)
    return tuple(found)

