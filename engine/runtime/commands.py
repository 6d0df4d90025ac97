"""Commands on process instances. Each runs inside the caller's transaction and follows one
shape: load the instance at its revision, apply, run engine steps under the command's clock,
save (the UPDATE is conditional on the revision), mirror tasks/timers/subscriptions, append
one event, then deliver any messages the instance threw.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.definitions import acknowledgements, case_refs, catalogue_items, forms, policies, redo
from engine.definitions.form_checks import CheckContext
from engine.definitions.parsed import LoadedVersion
from engine.definitions.registry import VersionCache
from engine.errors import Conflict, InvalidData, PermissionDenied, ScriptError
from engine.files import attachments, documents
from engine.files.attachments import Limits, Upload
from engine.files.fields import file_fields
from engine.messages import msg
from engine.notify import emit
from engine.org import directory, people, pickers, scope, users
from engine.org.lists import RECORD, UnitLists
from engine.org.users import SYSTEM
from engine.queries import rounds
from engine.runtime import (
    case_awaits,
    case_credit_codes,
    handover,
    mirror,
    named_assignees,
    redone,
    returns,
    search_text,
    single_open,
    spiff_seam,
    state,
)
from engine.runtime import correlation as correlation_rules
from engine.runtime.case_files import issue_step_documents, item_done
from engine.runtime.case_numbers import check_chosen, key_field
from engine.runtime.limits import CommandLimits, check_case_size
from engine.runtime.locking import (
    bump,
    check_may_complete,
    check_may_work,
    check_revision,
    flush,
    insert_instance,
    locked_instance,
    open_task,
    save,
)
from engine.runtime.opening import open_case
from engine.runtime.start_checks import (
    check_may_start,
    checked_start_form,
    named_by_field,
    start_events,
)
from engine.runtime.transitions import advance, new_workflow
from engine.scripting import expressions
from engine.scripting.budget import time_limit
from engine.storage import driver
from engine.storage.schema import TASKS, MessageSubscription, ProcessInstance, Task
from engine.time.calendar import WorkCalendar, deadline_functions
from engine.time.clock import Clock
from engine.views import UserView

log = logging.getLogger("kuaiban.runtime")
_CACHE_SIZE = 512
_MAX_MESSAGE_HOPS = 8
# The answer to a sender whose message started a case numbered on its own: "<name>_started".
STARTED_SUFFIX = "_started"
STARTED_PROCESS = "started_process"  # the answer's key of the started case's procedure


class Runtime:
    def __init__(self, versions: VersionCache, clock: Clock,
                 calendar: Callable[[Session], WorkCalendar]) -> None:
        self.versions = versions
        self.clock = clock
        self.calendar = calendar
        self.limits = CommandLimits.from_env()
        self._live: OrderedDict[int, tuple[int, BpmnWorkflow, spiff_seam.IdSource]] = OrderedDict()
        self._lock = threading.Lock()
        self.file_limits = Limits()

    # -- commands ---------------------------------------------------------------------------

    def start(self, session: Session, key: str, data: Mapping[str, Any], user: UserView,
              business_key: str | None = None, message: str | None = None,
              hops: int = 0, source_case_no: str | None = None,
              start_event: str | None = None, uploads: Sequence[Upload] = (),
              version: LoadedVersion | None = None, start_key: str | None = None
              ) -> ProcessInstance:
        """``source_case_no``: the number of the case whose message started this one;
        ``start_event``: the start event to run from (a scheduled start names its timer);
        ``uploads``: files sent in the start form's file fields; ``version``: the version a
        bulk start pinned (default: the latest); ``start_key``: a bulk start's row key,
        stored with the case and recorded in its started event."""
        version = version or self.versions.latest(session, key)
        check_may_start(version, user)
        if start_event is not None and start_event not in start_events(version):
            raise InvalidData({"start_event": msg("field.no_start_event")},
                              msg("start.no_start_event", key=key, start_event=start_event))
        # a timer start fills no form: the start form belongs to the start a person makes
        schema = None if start_event in version.start_timers \
            else version.form(version.start_form_key)
        now = self.clock.now()
        if message is None:  # a start from outside: the start form, no engine-owned field
            correlation_rules.check_owned(data)
        files: list[dict[str, Any]] = []
        if message is None and (uploads or file_fields(schema)):
            files = attachments.take(session, None, uploads, file_fields(schema),
                                     self.file_limits, now)
            data = attachments.fill_fields(session, None, schema, data, files)
        field = key_field(schema) if message is None else None
        if message is None:  # a case number typed in a field, tidied before it names the case
            data = case_refs.tidied(schema, data)
        if field is not None:
            data, business_key = named_by_field(data, field, business_key)
        if message is None and schema is not None:
            data = checked_start_form(session, self.versions, version, schema, data, user, now)
        if business_key is not None:  # a sender's number (hops > 0) may start several
            check_chosen(session, version, business_key, unique=hops == 0, field=field)
        opening = open_case(session, key, version, data, user, business_key, now,
                            message=message, source_case_no=source_case_no,
                            start_event=start_event, start_key=start_key)
        row = insert_instance(session, opening.row)
        ids = spiff_seam.IdSource(str(row.id))
        workflow = new_workflow(version, opening.initial, now, ids)
        payload = opening.payload
        if files:
            payload["files"] = files
        self._run(session, row, version, workflow, ids, now, "started", payload, user, hops=hops,
                  open_rows=[])  # a new case has no tasks yet
        attachments.record(session, row.id, 1, files, user.username, now)
        return row

    def complete(self, session: Session, task_id: str, data: Mapping[str, Any], user: UserView,
                 revision: int | None = None, uploads: Sequence[Upload] = ()
                 ) -> tuple[ProcessInstance, dict[str, list[str]]]:
        """``uploads``: files sent in the form's file fields. With the case, what the form's
        ticked urging boxes urged (handover.urge_on_completion: field -> task ids)."""
        task_row, locked, open_rows = open_task(session, task_id)
        check_may_complete(session, task_row, user)
        if task_row.owner is not None:  # a delegate's or co-signer's part of the task
            check_revision(locked, revision)
            return handover.finish_part(session, self.clock.now(), task_row, locked, data,
                                        user), {}
        row, version, workflow, ids = self._load(session, locked, revision)
        schema = version.form(task_row.form_key)
        now = self.clock.now()
        files: list[dict[str, Any]] = []
        if uploads or file_fields(schema):
            files = attachments.take(session, row.id, uploads, file_fields(schema),
                                     self.file_limits, now)
            data = attachments.fill_fields(session, row.id, schema, data, files)
        seen = _seen_by(workflow, task_id)
        if isinstance(data, Mapping):
            data = case_refs.tidied(schema, forms.with_own_facts(schema, data, seen))
            data = _redone(session, schema, task_id, data, seen,
                           lambda v: self.versions.get(session, v))
        forms.validate_submission(schema, data, CheckContext(seen, now))
        data = pickers.checked(session, schema, data, task_row.unit or user.unit)
        data = people.checked(session, schema, data, user)
        policies.check(session, schema, data)
        catalogue_items.check(session, schema, data)
        named = case_refs.checked(session, schema, data, user)
        case_awaits.check(session, self.versions, schema, named,
                          msg("field.case_awaits_task", step=task_row.name))

        if isinstance(data, Mapping):
            data = acknowledgements.kept(schema, data)  # checked, not the case's
        payload = {"task_id": task_id, "element_id": task_row.element_id, "data": dict(data)}
        dropped = redone.dropped(session, row.id, task_row.element_id, schema, seen, data)
        if dropped:  # the round before's answers to what this choice no longer asks
            payload["dropped"] = dropped
        if files:
            payload["files"] = files
        seq = row.event_count + 1
        self._run(session, row, version, workflow, ids, now, "completed", payload,
                  user, task_id=task_id, open_rows=open_rows)
        attachments.record(session, row.id, seq, files, user.username, now, task_id)
        emit.paid(session, row, version, task_row.element_id, data, now)
        return row, handover.urge_on_completion(session, now, row, schema, data, user, task_row)

    def assign(self, session: Session, task_id: str, user: UserView, claim: bool,
               revision: int | None = None) -> ProcessInstance:
        """Claim (or unclaim) a task: an event and a revision, no workflow change."""
        task_row, row, _ = open_task(session, task_id)
        check_may_work(task_row, user)
        if claim and task_row.assignee not in (None, user.username):
            raise Conflict(msg("task.already_claimed",
                               **users.named(session, "assignee", task_row.assignee)))
        if not claim and task_row.assignee not in (None, user.username):
            raise PermissionDenied(msg("task.claimed_by",
                                       **users.named(session, "assignee", task_row.assignee)))
        if not claim and task_row.role in scope.NO_POOL:
            raise Conflict(msg("task.applicants_own"))
        check_revision(row, revision)
        assignee = user.username if claim else None
        session.connection().execute(
            update(TASKS).where(TASKS.c.id == task_id).values(assignee=assignee))
        mirror.forget_open_tasks(session, row.id)
        row.updated_at = now = self.clock.now()
        if claim:  # out of the others' inboxes: their notices and drafts of it are settled
            mirror.task_moved(session, task_id, now)
        bump(session, row)
        kind = "claimed" if claim else "unclaimed"
        chain.append(session, row, kind, now, chain.digest_of_row(row),
                     {"task_id": task_id, "assignee": assignee}, user.username, task_id)
        flush(session)
        return row

    def deliver(self, session: Session, name: str, correlation: Mapping[str, Any],
                data: Mapping[str, Any], user: UserView, hops: int = 0,
                sender: ProcessInstance | None = None) -> list[int]:
        """Deliver a message to every waiting instance it correlates with, or start one.
        ``hops`` > 0: thrown by the instance ``sender`` (its business key decides, even when
        None). A process with a case prefix started by a sender's message numbers the case
        itself; the case keeps the sender's number as ``source_case_no`` and the sender is
        told the new one (:meth:`_tell_started`)."""
        if hops == 0:  # from outside: checked like a form (engine/runtime/correlation.py)
            correlation_rules.check_correlation(correlation)
        business_key = correlation.get("business_key")
        target = correlation_rules.waiting_case(session, name, correlation, hops)
        if target is not None:
            row, version, workflow, ids = self._load(session, target, None)
            if hops == 0:
                correlation_rules.check_may_send(workflow, name, user)
                correlation_rules.check_payload(
                    version, correlation_rules.waiting_elements(workflow, name), data)
            payload = {"name": name, "correlation": dict(correlation),
                       "data": correlation_rules.without_owned(data)}
            self._run(session, row, version, workflow, ids, self.clock.now(), "message",
                      payload, user, hops=hops)
            return [row.id]
        delivered = []
        # A process's own message starts another one: the sender's role does not matter.
        starter = user if hops == 0 else SYSTEM
        for key in correlation_rules.processes_started_by(session, name):
            version = self.versions.latest(session, key)
            if hops == 0:
                correlation_rules.check_payload(
                    version, correlation_rules.start_elements(version, name), data, start=True)
            if sender is not None and scope.JURISDICTION not in data and \
                    sender.data.get(scope.JURISDICTION):  # the sending case's, unless it names one
                data = {**data, scope.JURISDICTION: sender.data[scope.JURISDICTION]}
            if sender is not None and version.case_prefix:
                row = self.start(session, key, data, starter, message=name, hops=hops,
                                 source_case_no=sender.business_key)
                self._tell_started(session, sender, name, row, user, hops)
            else:
                row = self.start(session, key, data, starter, business_key, message=name,
                                 hops=hops)
            delivered.append(row.id)
        if not delivered and sender is not None:  # the case named for it has moved on
            case_awaits.check_thrown(session, self.versions, sender, name, business_key)
        if not delivered and hops > 0:
            log.warning("message %r thrown by case %s reached no instance and started none",
                        name, business_key)
        return delivered

    def _tell_started(self, session: Session, sender: ProcessInstance, name: str,
                      started: ProcessInstance, user: UserView, hops: int) -> None:
        """Answer the sender with the message ``<name>_started`` carrying the new case's
        number, if it waits for it (a message event of its own, so replay has it)."""
        answer = name + STARTED_SUFFIX
        waiting = session.execute(select(MessageSubscription.id).where(
            MessageSubscription.instance_id == sender.id,
            MessageSubscription.message_name == answer)).first()
        if waiting is None:
            return
        row, version, workflow, ids = self._load(session, sender, None)
        payload = {"name": answer, "correlation": {"business_key": sender.business_key},
                   "data": {"started_case_no": started.business_key,
                            STARTED_PROCESS: started.process_key}}
        self._run(session, row, version, workflow, ids, self.clock.now(), "message", payload,
                  user, hops=hops)

    def add_to_case(self, session: Session, instance_id: int, revision: int | None,
                    apply: Callable[[ProcessInstance, datetime], Any]) -> ProcessInstance:
        """A command that changes no workflow state (attach files, issue a document by hand):
        lock the case, bump its revision, and let ``apply`` check and append its event."""
        row = locked_instance(session, instance_id, revision)
        row.updated_at = now = self.clock.now()
        bump(session, row)
        apply(row, now)
        flush(session)
        return row

    def task_data(self, session: Session, task_row: Task) -> dict[str, Any]:
        """The data a task sees (a multi-instance child sees its own item), JSON-ready."""
        row, _, workflow, ids = self._load(session, task_row.instance_id, None)
        with self._lock:  # reading does not change the workflow: keep it cached
            self._live[row.id] = (row.revision, workflow, ids)
        try:
            task = workflow.get_task_from_id(UUID(task_row.id))
        except Exception:  # finished and pruned: the case's data is what it saw last
            return dict(row.data)
        data = {k: v for k, v in task.data.items() if k != "data_objects"}
        return json.loads(json.dumps(data, default=str))

    def task_item(self, session: Session, task_row: Task) -> dict[str, Any]:
        """A multi-instance child's own item under its element variable; empty for any other
        task, or once the task is finished."""
        row, _, workflow, ids = self._load(session, task_row.instance_id, None)
        with self._lock:  # reading does not change the workflow: keep it cached
            self._live[row.id] = (row.revision, workflow, ids)
        try:
            task = workflow.get_task_from_id(UUID(task_row.id))
        except Exception:  # finished and pruned
            return {}
        return json.loads(json.dumps(mirror.own_item(task), default=str))

    def fire_timers(self, session: Session, instance_id: int, user: UserView) -> bool:
        """Let the instance's due timers fire; False when nothing was due (idempotent)."""
        row, version, workflow, ids = self._load(session, instance_id, None)
        if row.status != "running":
            return False
        return self._run(session, row, version, workflow, ids, self.clock.now(), "timer", {},
                         user, only_if_changed=True)

    # -- the command shape ------------------------------------------------------------------

    def _load(self, session: Session, instance: int | ProcessInstance, revision: int | None
              ) -> tuple[ProcessInstance, LoadedVersion, BpmnWorkflow, spiff_seam.IdSource]:
        """The instance (by id, or the row already locked) with its version and workflow."""
        if isinstance(instance, ProcessInstance):
            row = instance
            check_revision(row, revision)
        else:
            row = locked_instance(session, instance, revision)
        version = self.versions.get(session, row.version_id)
        with self._lock:
            cached = self._live.pop(row.id, None)
        if cached is not None and cached[0] == row.revision:
            return row, version, cached[1], cached[2]
        workflow, ids = state.load(json.loads(row.state), version.spec,
                                   version.subprocess_specs, str(row.id))
        return row, version, workflow, ids

    def _run(self, session: Session, row: ProcessInstance, version: LoadedVersion,
             workflow: BpmnWorkflow, ids: spiff_seam.IdSource, now: datetime, kind: str,
             payload: dict[str, Any], user: UserView, task_id: str | None = None,
             only_if_changed: bool = False, hops: int = 0,
             open_rows: list[driver.ReadRow] | None = None, lists: UnitLists | None = None) -> bool:
        """``open_rows``: the instance's open task rows when the command read them already;
        ``lists``: the directory's lists when the command asked them already (a migration's
        switch). Its scripts, expressions and deadline functions (and those of the cases its
        messages reach) share the command's time limit."""
        with time_limit(self.limits.seconds):
            lists = lists or UnitLists(directory.load(session))  # answers recorded for replay
            functions = {**deadline_functions(self.calendar(session), lambda: now),
                         **lists.functions()}
            # What the mirror holds now (it was written from this workflow after the previous
            # command), so that unchanged timers and subscriptions are not rewritten. A migrated
            # workflow has switched specs already: its rows are rewritten whatever they were.
            known = kind != "migrated"
            timers_before = mirror.timer_rows(row, workflow) if known else None
            messages_before = mirror.awaited_messages(workflow) if known else None
            payload = {**payload, "pruning": state.PRUNING}  # recorded: replay prunes alike
            step = advance(workflow, ids, now, functions, kind, payload, row.data or {})
            digest = step.digest
            if only_if_changed and row.event_count and digest == chain.digest_of_row(row):
                return False

            def evaluate(source: str, names: dict[str, Any]) -> Any:
                return expressions.evaluate(source, names, functions)

            state_text = json.dumps(step.state, separators=(",", ":"))
            check_case_size(state_text, json.dumps(step.data, separators=(",", ":"), default=str),
                            self.limits)
            row.state = state_text
            row.status = ("cancelled" if kind == "terminated"
                          else "completed" if workflow.is_completed() else "running")
            # a new or migrated case always gets its search text written
            before = None if kind in ("started", "migrated") else row.data
            row.data = step.data
            row.updated_at = now
            bump(session, row)
            recorded = {**payload, "passed": step.passed, "steps": step.steps}
            if lists.asked:
                recorded[RECORD] = lists.asked
            if step.kept_open:
                recorded[single_open.RECORD] = step.kept_open
            if open_rows is None:
                open_rows = mirror.open_rows(session, row.id)
            # steps come back to whoever did them: who, by the users of now, is recorded
            returned = returns.Returns() if kind == "started" else returns.assignees(
                session, row, workflow, {r.id for r in open_rows},
                mirror.chosen_elements(session), payload.get("element_id") if task_id else None,
                now, evaluate, _completing(open_rows, task_id, user) if kind == "completed"
                else None)
            if returned.assigned:
                recorded[returns.RECORD] = returned.assigned
            # steps the diagram gives to a person the case names (the 专人), if they may; a
            # step sent back is where returns.py put it (back_to: to who did it, or the pool)
            named = named_assignees.assignees(
                session, workflow, {r.id for r in open_rows} | returned.sent_back, evaluate)
            if named:
                recorded[named_assignees.RECORD] = named
            # the task the command acted on records who did it, also when a move cancels it
            acted = (task_id, user.username) if task_id else None
            with driver.batched(session):  # on PostgreSQL, the writes in one round trip
                chain.append(session, row, kind, now, digest, recorded, user.username, task_id)
                save(session, row)  # the one UPDATE of the instance, checked by revision
                mirror.sync_tasks(session, row, workflow, now, evaluate, acted, kind, open_rows,
                                  {**named, **returned.assigned}, returned.sent_back,
                                  user.username)
                search_text.write(session, self.versions, row, version, before,
                                  new=kind == "started")
                case_credit_codes.write(session, row, before, new=kind == "started")
            mirror.sync_timers(session, row, workflow, timers_before)
            mirror.sync_subscriptions(session, row, workflow, messages_before)
            with self._lock:
                self._live[row.id] = (row.revision, workflow, ids)
                while len(self._live) > _CACHE_SIZE:
                    self._live.popitem(last=False)
            emit.after_step(session, row, version, step.passed, now)
            if version.documents and set(step.passed) & version.documents.keys():
                driver.send_held(session)  # inside a bulk start's batch: they read tasks
                issue_step_documents(session, row, version, step.passed, now,
                                     documents.step_issuer(user).username,
                                     item_done(version, payload)
                                     if kind == "completed" else None, self.calendar(session))
            if step.thrown:
                driver.send_held(session)  # delivering reads other cases and their tasks
            self._send_thrown(session, row, step.thrown, user, hops)
            return True

    def forget(self, instance_id: int | None = None) -> None:
        """Drop cached live workflows (after a rollback the cache may be ahead of the DB)."""
        with self._lock:
            if instance_id is None:
                self._live.clear()
            else:
                self._live.pop(instance_id, None)

    def _send_thrown(self, session: Session, row: ProcessInstance, thrown: list[BpmnEvent],
                     user: UserView, hops: int) -> None:
        if thrown and hops >= _MAX_MESSAGE_HOPS:
            raise ScriptError(msg("message.bounced"))
        for event in thrown:
            definition = event.event_definition
            if not isinstance(definition, MessageEventDefinition):
                continue
            data = event.payload if isinstance(event.payload, dict) else {"payload": event.payload}
            self.deliver(session, definition.name, {"business_key": row.business_key},
                         data, user, hops + 1, sender=row)


def _completing(open_rows: list[driver.ReadRow], task_id: str | None, user: UserView
                ) -> returns.Done | None:
    """The task a completion completes, as its row will say once the command wrote it."""
    done = next((r for r in open_rows if r.id == task_id), None)
    return None if done is None else returns.Done(done.element_id, user.username, done.role)


def _redone(session: Session, schema: dict[str, Any] | None, task_id: str,
            data: Mapping[str, Any], seen: Mapping[str, Any],
            version_of: Callable[[int], LoadedVersion]) -> Mapping[str, Any]:
    """A step done again records what its redo fields corrected (engine/definitions/redo.py);
    done the first time, it takes none of them."""
    if not redo.fields(schema):
        return data
    if task_id not in rounds.of_tasks(session, [task_id], version_of):
        redo.check_first_time(schema, data)
        return data
    return redo.corrected(schema, data, seen)


def _seen_by(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """The data the task sees, for the references of its form's cross-field checks."""
    try:
        return dict(workflow.get_task_from_id(UUID(task_id)).data)
    except Exception:  # not in the workflow: its form checks only what is submitted
        return {}
