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
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.definitions import case_refs, xmlsafe
from engine.definitions.bpmn_parser import CAMUNDA, camunda_properties
from engine.definitions.files import form_key_of
from engine.definitions.registry import ReadOff, latest_digests

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


def grants(session: Session) -> tuple[ReadingGrant, ...]:
    """The reading grants of the deployed procedures (a field naming no case in its
    procedure's forms grants nothing; deploying refuses it: process_checks.py)."""
    forms = {form_key_of(name): d for name, d in latest_digests(session, "form").items()}
    out = []
    for digest in sorted(latest_digests(session, "bpmn").values()):
        for granting in _GRANTINGS.of(session, digest):
            targets = _targets(session, forms, granting)
            if targets:
                out.append(ReadingGrant(granting.process, granting.step, granting.field, targets))
    return tuple(out)


def _targets(session: Session, forms: dict[str, str], granting: _Granting) -> tuple[str, ...]:
    for key in granting.form_keys:
        digest = forms.get(key)
        if digest is not None:
            found = _REFS.of(session, digest).get(granting.field)
            if found:
                return found
    return ()


def _refs_of(text: str, digest: str) -> dict[str, tuple[str, ...]]:
    """A form's fields naming a case: field -> the procedures of the case."""
    try:
        schema = json.loads(text)
    except ValueError:
        schema = None
    return {name: keys for name, (keys, _facts) in
            case_refs.referring([schema if isinstance(schema, dict) else None]).items()}


def _grantings(text: str, digest: str) -> tuple[_Granting, ...]:
    """A BPMN text's steps with ``reads_case``, with the forms of their procedure."""
    tree = xmlsafe.parse(text.encode("utf-8"), digest)
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
    return tuple(found)


_REFS = ReadOff(_refs_of)
_GRANTINGS = ReadOff(_grantings)
