"""What a start must satisfy before its case opens: who may start a procedure by hand, the
start form's data checked and completed as the case keeps it, and a case named by a field
of its start form. Single starts (engine/runtime/commands.py) and bulk starts
(engine/runtime/bulk/) check alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from sqlalchemy.orm import Session

from engine.definitions import (
    acknowledgements,
    case_refs,
    catalogue_items,
    forms,
    policies,
    starters,
)
from engine.definitions.form_checks import CheckContext
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.errors import InvalidData, PermissionDenied
from engine.messages import msg
from engine.org import credit_code, people, pickers
from engine.org.roles import role_for_lane
from engine.runtime import case_awaits
from engine.views import UserView


def checked_start_form(session: Session, versions: VersionCache, version: LoadedVersion,
                       schema: Mapping[str, Any], data: Mapping[str, Any], user: UserView,
                       now: datetime, fields_checked: bool = False) -> dict[str, Any]:
    """A person's start data for a case of ``version`` checked against the start form (a
    field error for each problem) and completed as the case keeps it: the value the starter
    gets in an ``x-starter`` field, units and people by their stored names, catalogue fields
    left out as "", the form's defaults. ``fields_checked``: see
    :func:`engine.definitions.forms.validate`."""
    data = starters.applied(schema, data, user)
    forms.validate(schema, data, CheckContext({}, now), fields_checked)
    credit_code.check_own(schema, data, user)
    data = pickers.checked(session, schema, data, user.unit)
    data = people.checked(session, schema, data, user)
    policies.check(session, schema, data, user.unit)
    catalogue_items.check(session, schema, data)
    named = case_refs.checked(session, schema, data, user)
    case_awaits.check(session, versions, schema, named,
                      msg("field.case_awaits_start", process=version.name))
    kept = acknowledgements.kept(schema, data)  # checked, not the case's
    return forms.with_defaults(schema, catalogue_items.with_empty(schema, kept))


def start_events(version: LoadedVersion) -> set[str]:
    return {s.bpmn_id for s in version.spec.task_specs.values() if isinstance(s, StartEvent)}


def check_may_start(version: LoadedVersion, user: UserView) -> None:
    """The roles of the start events' lanes may start a case by hand. A message start event's
    lane (who receives the message, e.g. 作风优化组 for a 12345 clue) grants no manual start
    when the diagram has a start event of its own for that; a diagram started only by
    messages keeps its message start events' roles."""
    starts = [s for s in version.spec.task_specs.values() if isinstance(s, StartEvent)]
    plain = [s for s in starts if not isinstance(getattr(s, "event_definition", None),
                                                 MessageEventDefinition)]
    lanes = {s.lane for s in (plain or starts)}
    roles = {r.id for r in (role_for_lane(name) for name in lanes if name) if r is not None}
    if roles and user.username != "system" and not roles & set(user.roles):
        raise PermissionDenied(msg("start.role_needed", key=version.key,
                                   roles=', '.join(sorted(roles))))


def named_by_field(data: Mapping[str, Any], field: str, business_key: str | None
                    ) -> tuple[Mapping[str, Any], str | None]:
    """The start form's key field and the business key are one value: either gives the other
    (a caller naming the case need not repeat it in the data)."""
    named = data.get(field)
    if named is None or named == "":
        return ({**data, field: business_key} if business_key is not None else data), business_key
    text = str(named).strip() if isinstance(named, (str, int)) and not isinstance(named, bool) \
        else ""
    if business_key is not None and text != business_key:
        raise InvalidData({field: f"与案件编号 {business_key} 不一致"})
    return data, business_key or text or None
