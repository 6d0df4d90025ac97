"""The 惠企政策清单 (processes/policy_catalogue.dmn) as a list, and the form fields that pick a
policy from it.

    "policy_id": {"type": "string", "title": "政策", "x-policy": {"modes": ["承诺兑现"]}}

``x-policy`` is ``true`` (any listed policy) or limits the choice to the policies of the
given 兑现方式: each procedure handles the policies of one mode, so a policy of another
mode is refused beside the field with the procedure to use instead, rather than started and
closed with the reason in the case data. With ``"own_department": true`` a user of a unit
is offered only the policies that unit owns (政策主管部门): a department starts 免申即享
batches for its own policies, not another department's. The catalogue is the deployed
decision table; with none deployed (a bare test database) policy fields are taken as given.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.definitions import (
    decision_rows,
    registry,  # forms -> here -> registry -> forms: use at call time
)
from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org import directory
from engine.org.directory import Directory

POLICY = "x-policy"
OWN = "own_department"
CATALOGUE_FILE = "policy_catalogue.dmn"
MODES = ("免申即享", "即申即享", "承诺兑现")
# What an applicant is told to do instead, by the policy's mode
INSTEAD = {
    "免申即享": msg("field.policy_instead.none_needed"),
    "即申即享": msg("field.policy_instead.instant"),
    "承诺兑现": msg("field.policy_instead.commitment"),
}


@dataclass(frozen=True)
class Policy:
    """One row of the catalogue."""

    policy_id: str
    policy_name: str
    policy_basis: str
    eligible_subjects: str
    policy_mode: str
    time_limit_days: int
    owning_dept: str
    amount_rule: str

    @property
    def label(self) -> str:
        return f"{self.policy_id} {self.policy_name}（{self.policy_mode}，{self.owning_dept}）"

    def as_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    def matches(self, q: str) -> bool:
        """``q`` found in any of the columns an enterprise searches by."""
        return any(q in text for text in (self.policy_id, self.policy_name, self.policy_mode,
                                          self.owning_dept, self.eligible_subjects))


def keyword_problem(name: str, prop: Any) -> Msg | None:
    """What is wrong with a field's ``x-policy`` (for ``check_form``)."""
    value = prop.get(POLICY) if isinstance(prop, dict) else None
    if value is None or value is True:
        return None
    modes = value.get("modes") if isinstance(value, dict) else None
    if not isinstance(value, dict) or not {"modes"} <= set(value) <= {"modes", OWN} \
            or not isinstance(modes, list) or not modes or not set(modes) <= set(MODES) \
            or not isinstance(value.get(OWN, False), bool):
        return msg("form.policy_shape", name=name, modes=list(MODES))
    return None


def catalogue(session: Session) -> list[Policy]:
    """The deployed catalogue in its order (the fallback row for unlisted numbers left out).
    The last one parsed is kept while its text and the unit directory are the same: every
    start and page of a form with a policy picker asks for it."""
    global _parsed
    text = registry.latest_files(session, "dmn").get(CATALOGUE_FILE)
    if not text:
        return []
    found = directory.load(session)
    kept = _parsed
    if kept is not None and kept[0] == text and kept[1] is found:
        return list(kept[2])
    policies = parse(text, found)
    _parsed = (text, found, policies)
    return list(policies)


_parsed: tuple[str, Directory, list[Policy]] | None = None


def parse(text: str, found: Directory | None = None) -> list[Policy]:
    """The policies of the table (units by their names in ``found``)."""
    out = []
    for values in decision_rows.cells_of(decision_rows.read(text, found)):
        if values.get("policy_id", decision_rows.ANY) == decision_rows.ANY:
            continue
        out.append(Policy(
            policy_id=values["policy_id"], policy_name=values.get("policy_name", ""),
            policy_basis=values.get("policy_basis", ""),
            eligible_subjects=values.get("eligible_subjects", ""),
            policy_mode=values.get("policy_mode", ""),
            time_limit_days=int(values.get("time_limit_days") or 0),
            owning_dept=values.get("owning_dept", ""), amount_rule=values.get("amount_rule", "")))
    return out


def choices(session: Session, schema: Mapping[str, Any] | None, unit: str | None = None
            ) -> dict[str, list[Policy]]:
    """Field name -> the policies its picker offers, for each ``x-policy`` field, to a user of
    ``unit`` (None: the form as such, every department's)."""
    fields = {name: (schema or {})["properties"][name][POLICY] for name in policy_fields(schema)}
    if not fields:
        return {}
    listed = catalogue(session)
    return {name: [p for p in listed if _offered(spec, p, unit)] for name, spec in fields.items()}


def _offered(spec: Any, policy: Policy, unit: str | None) -> bool:
    if not isinstance(spec, dict):
        return True
    return policy.policy_mode in spec.get("modes", ()) and (
        not spec.get(OWN) or unit is None or policy.owning_dept == unit)


def check(session: Session, schema: Mapping[str, Any] | None, data: Mapping[str, Any],
          unit: str | None = None) -> None:
    """InvalidData with a field error for a policy that is not listed, that another
    procedure handles (the error names it) or, for a user of ``unit``, that another
    department owns where the field offers a department its own."""
    offered = choices(session, schema, unit)
    if not offered:
        return
    listed = {p.policy_id: p for p in catalogue(session)}
    if not listed:
        return
    errors = {}
    for name, policies in offered.items():
        value = data.get(name)
        if not isinstance(value, str) or not value or any(p.policy_id == value
                                                          for p in policies):
            continue
        policy = listed.get(value.strip())
        spec = schema["properties"][name][POLICY] if schema else True
        if policy is not None and _offered(spec, policy, None):  # right mode, not its own
            errors[name] = msg("field.policy_other_department", policy_id=policy.policy_id,
                               policy_name=policy.policy_name, department=policy.owning_dept)
        else:
            errors[name] = _refusal(value.strip(), policy, policies)
    if errors:
        raise InvalidData(errors, msg("form.invalid"))


def department_of(session: Session, schema: Mapping[str, Any] | None,
                  data: Mapping[str, Any]) -> str | None:
    """The 政策主管部门 of the listed policy that ``data`` names in its first policy field:
    an application belongs to the department that decides it, not to whoever filed it."""
    fields = policy_fields(schema)
    value = data.get(fields[0]) if fields else None
    if not isinstance(value, str):
        return None
    return next((p.owning_dept for p in catalogue(session)
                 if p.policy_id == value.strip() and p.owning_dept), None)


def policy_fields(schema: Mapping[str, Any] | None) -> list[str]:
    """The names of the policy fields (``x-policy``) of ``schema``, in its order."""
    return [name for name, prop in ((schema or {}).get("properties") or {}).items()
            if isinstance(prop, dict) and POLICY in prop]


def _refusal(value: str, policy: Policy | None, offered: list[Policy]) -> Msg:
    if policy is not None:
        return msg("field.policy_other_mode", policy_id=policy.policy_id,
                   policy_name=policy.policy_name, mode=policy.policy_mode,
                   instead=INSTEAD.get(policy.policy_mode, msg("field.policy_instead.other")))
    near = set(difflib.get_close_matches(value.upper(), [p.policy_id for p in offered], n=3,
                                         cutoff=0.5))
    close = [p.policy_id for p in offered if p.policy_id in near]  # in the catalogue's order
    if close:
        return msg("field.policy_unlisted_near", value=value, close=close)
    return msg("field.policy_unlisted", value=value)
