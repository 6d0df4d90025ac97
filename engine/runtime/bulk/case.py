"""A bulk start's case: what :meth:`engine.runtime.commands.Runtime.start` does for a person's
start from outside (no message, no upload, the pinned version), written from a start template
(engine/runtime/bulk/template.py) when one serves the row, else by the ordinary start. A
template case is one INSERT of its instance row as the start leaves it (revision 1, its first
event's hash foreseen and checked against the event appended), held with the chunk's other
writes, its id drawn with the chunk's (:func:`new_ids`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state, manager_of_class

from engine.audit import chain
from engine.definitions import case_refs
from engine.definitions.parsed import LoadedVersion
from engine.notify import emit
from engine.org import directory
from engine.org.lists import RECORD, UnitLists
from engine.runtime import (
    case_credit_codes,
    correlation,
    mirror,
    named_assignees,
    search_text,
    spiff_seam,
    state,
)
from engine.runtime.bulk import template
from engine.runtime.case_numbers import check_chosen, key_field
from engine.runtime.commands import Runtime
from engine.runtime.limits import check_case_size
from engine.runtime.locking import insert_instance
from engine.runtime.opening import open_case
from engine.runtime.start_checks import check_may_start, checked_start_form, named_by_field
from engine.runtime.transitions import new_workflow
from engine.scripting import expressions
from engine.scripting.budget import time_limit
from engine.storage import driver
from engine.storage.schema import INSTANCES, Event, ProcessInstance
from engine.time.calendar import deadline_functions
from engine.views import UserView


def start(runtime: Runtime, session: Session, key: str, version: LoadedVersion,
          data: Mapping[str, Any], user: UserView, start_key: str | None,
          templates: template.Templates | None, new_id: int | None, now: datetime
          ) -> ProcessInstance:
    """A bulk start's case: :meth:`Runtime.start` of a person's start from outside (no
    message, no upload, the pinned version) at ``now``, from a template when one serves
    (``templates``: the bulk start's; ``new_id``: the case's id, drawn by :func:`new_ids`,
    without which no template is used)."""
    check_may_start(version, user)
    schema = version.form(version.start_form_key)
    correlation.check_owned(data)
    business_key = None
    field = key_field(schema)
    data = case_refs.tidied(schema, data)
    if field is not None:
        data, business_key = named_by_field(data, field, business_key)
    if schema is not None:
        # the bulk start checked every row's fields against the form before it started any
        data = checked_start_form(session, runtime.versions, version, schema, data, user, now,
                                  fields_checked=True)
    if business_key is not None:
        driver.send_held(session)  # the chunk's cases so far are among those it looks at
        check_chosen(session, version, business_key, unique=True, field=field)
    opening = open_case(session, key, version, data, user, business_key, now,
                        start_key=start_key)
    initial, payload = opening.initial, opening.payload
    values = opening.row if new_id is None else {**opening.row, "id": new_id}
    serving = templates.find(runtime, session, version, initial, now) \
        if templates is not None and new_id is not None and template.plain(initial) \
        and "data_objects" not in initial else None
    made = template.render(serving, str(new_id), initial, now) if serving is not None else None
    if serving is None or made is None or (templates is not None and templates.unchecked(
            serving) and not template.same_as_ordinary(runtime, session, version, serving, made,
                                                      initial, now, str(new_id))):
        if made is not None and templates is not None:
            templates.drop()
        row = insert_instance(session, values)
        ids = spiff_seam.IdSource(str(row.id))
        runtime._run(session, row, version, new_workflow(version, initial, now, ids), ids, now,
                     "started", payload, user, open_rows=[])
        return row
    with time_limit(runtime.limits.seconds):
        lists = UnitLists(directory.load(session))
        functions = {**deadline_functions(runtime.calendar(session), lambda: now),
                     **lists.functions()}

        def evaluate(source: str, names: dict[str, Any]) -> Any:
            return expressions.evaluate(source, names, functions)

        check_case_size(made.state_text, made.data_text, runtime.limits)
        recorded = {**payload, "pruning": state.PRUNING, "passed": serving.passed,
                    "steps": serving.steps}
        if serving.asked:
            recorded[RECORD] = {k: list(v) for k, v in serving.asked.items()}
        # Not inserted and then updated, as a single start does: one INSERT of the row as the
        # command leaves it (its revision 1, its first event's hash), before the rows that
        # refer to it. The object stays out of the session: nothing else writes it.
        row = _detached({**values, "state": made.state_text, "data": made.data})
        tree = cast(BpmnWorkflow, made.tree)
        named = named_assignees.assignees(session, tree, (), evaluate)
        if named:  # steps the diagram gives to a person the case names, as a start records
            recorded[named_assignees.RECORD] = named
        first = chain.chain_hash(chain.GENESIS, cast(Event, _Foreseen(
            row.id, 1, "started", None, recorded, user.username, now, made.digest)))
        with driver.batched(session):
            _INSERT.run(session, {**values, "state": made.state_text, "data": made.data,
                                  "revision": 1, "event_count": 1, "last_hash": first})
            if chain.append(session, row, "started", now, made.digest, recorded,
                            user.username) != first:
                raise AssertionError("the started event's hash was foreseen wrong")
            row.revision = 1
            mirror.sync_tasks(session, row, tree, now, evaluate, known_open=[],
                              returned=named, by=user.username)
            search_text.write(session, runtime.versions, row, version, None, new=True)
            case_credit_codes.write(session, row, None, new=True)
        emit.after_step(session, row, version, serving.passed, now)
    return row



@dataclass(frozen=True)
class _Foreseen:
    """The first event of a case, as its hash covers it (engine/audit/chain.py)."""

    instance_id: int
    seq: int
    type: str
    task_id: str | None
    payload: dict[str, Any]
    user: str
    at: datetime
    state_digest: str


_MANAGER = manager_of_class(ProcessInstance)


def _detached(values: dict[str, Any]) -> ProcessInstance:
    """An instance row object with these values, in no session (the constructor's attribute
    events cost more than the case's SQL)."""
    row: ProcessInstance = _MANAGER.new_instance()
    instance_state(row).dict.update(values)
    return row


def new_ids(session: Session, count: int) -> list[int] | None:
    """Ids for the next ``count`` cases, drawn now; None where the database draws them only
    as it inserts. PostgreSQL: from the id sequence (an id not used is a gap, as after a
    rollback). SQLite: the write transaction holds the database's lock, and a new row's id
    is the largest plus one, as SQLite itself would draw them."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        drawn = conn.execute(_NEXTVALS, {"n": count}).scalars()
        return sorted(int(i) for i in drawn)
    if conn.dialect.name == "sqlite":
        top = conn.execute(select(func.coalesce(func.max(INSTANCES.c.id), 0))).scalar_one()
        return list(range(top + 1, top + 1 + count))
    return None


_INSERT = driver.Write(insert(INSTANCES))
_NEXTVALS = text("SELECT nextval(pg_get_serial_sequence('instances', 'id')) "
                 "FROM generate_series(1, :n)")
