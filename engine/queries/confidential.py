"""Confidential form fields (the reporter of a 检举控告 clue): a field a form marks
``"x-confidential": ["intake", ...]`` is shown only to users of those roles and to auditors;
everyone else gets it masked (:data:`MASK`) wherever case data leaves the engine for a user:
the case and task data, the history's event payloads, time travel, ledgers and their exports.

A field's secrecy travels with its name (a 12345 complaint's ``contact_phone`` is secret in
any case); where a case's own forms ask for the field unmarked (an enterprise's 联系电话 in a
subsidy application), the user who started the case and those who may work one of its open
tasks see it in clear: they typed it in or must call the applicant.

Every time a user is shown such a field in clear, the engine records it in the case's access
log (``confidential_reads``: who, when, which fields, through what), which auditors read beside
the history. The log is kept apart from the hash-chained events on purpose: reading a case
never changes it (no revision, no event), so ``kuaiban verify`` and ``replay`` are untouched
and a read never conflicts with someone working on the case.

Forms of one procedure may allow a field to different roles (the 举报人 a clue's intake
registers: 受理员 only; the one a 12345 complaint brings, registered by the 作风优化组 that
must answer for the clue: the group too). Everywhere the roles all of them allow see it; and
in a case that had a step with a wider form, the users who may work that step see what that
form allows their role (:meth:`Confidential._granted`). So the group handling a hotline clue
reads its reporter, and a clue the intake registered keeps it from the group.

A field a form marks ``"x-internal": true`` is the staff's own working record (a payout
confirmed below the approved amount, a false commitment pushed for joint punishment, a ledger
entry made): an applicant (an enterprise's account) never gets it, wherever its case's data
reaches it; the staff see it as any other field.

Callers that are not a user (``user=None``: the operator's command line, the engine itself)
see everything and are not logged.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.api.shared_reads import SharedRead
from engine.definitions.registry import VersionCache, latest_forms, newest_version_id
from engine.errors import NotFound, PermissionDenied
from engine.messages import msg
from engine.org.scope import acts_on
from engine.org.users import SYSTEM
from engine.queries import visibility
from engine.storage.schema import (
    CONFIDENTIAL_READS,
    ConfidentialRead,
    ProcessInstance,
    Task,
)
from engine.time.calendar import TZ
from engine.views import UserView

if TYPE_CHECKING:
    from engine.api import Engine

MASK = "***"
KEYWORD = "x-confidential"
INTERNAL = "x-internal"
ALWAYS = frozenset({"auditor"})  # auditors see every field (and replay everything anyway)
APPLICANTS = frozenset({"enterprise"})  # a user of these roles alone follows its application

Rules = dict[str, frozenset[str]]  # field name -> roles that see it
_LOGGED = "confidential_reads"  # SharedRead.notes: (case id, username) -> _Logged


@dataclass(frozen=True)
class _Logged:
    """A unit of reading's row of the access log for one case and user."""

    row_id: int
    fields: set[str]
    via: list[str]


@dataclass(frozen=True)
class _CaseRules:
    """A case's rules (``rules``); the fields its own forms ask for without marking them but
    another procedure's forms mark (``plain``: the same name, say 联系电话, is secret there);
    the fields its forms mark internal; per form key, the roles a form allows a field beyond
    ``rules`` (``wider``)."""

    rules: Rules
    plain: frozenset[str]
    internal: frozenset[str]
    wider: dict[str, Rules]


def _granted(session: Session, row: ProcessInstance, user: UserView, hidden: frozenset[str],
             wider: Mapping[str, Rules]) -> frozenset[str]:
    """The ``hidden`` fields a step of the case (open or done) with a wider form allows
    ``user``: one of their roles is among the form's for the field, and they may work the
    step (its role and unit), did it, or hold it."""
    steps = session.execute(select(Task.form_key, Task.role, Task.unit, Task.assignee,
                                   Task.completed_by).where(
        Task.instance_id == row.id, Task.form_key.in_(sorted(wider)),
        Task.status.in_(("ready", "completed"))))
    roles = set(user.roles)
    out: set[str] = set()
    for form_key, role, unit, assignee, done_by in steps:
        if user.username in (assignee, done_by) or acts_on(user, role, unit):
            out |= {name for name, allowed in wider.get(form_key or "", {}).items()
                    if name in hidden and roles & allowed}
    return frozenset(out)


@dataclass(frozen=True)
class ReadView:
    instance_id: int
    user: str
    at: datetime
    fields: list[str]
    via: str

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user, "at": self.at.astimezone(TZ).isoformat(), "fields": self.fields,
                "via": self.via}


def rules_of(schemas: Iterable[Mapping[str, Any] | None]) -> Rules:
    """The confidential fields the forms declare; a field several forms declare is seen
    only by the roles all of them allow."""
    out: Rules = {}
    for schema in schemas:
        for name, prop in ((schema or {}).get("properties") or {}).items():
            roles = prop.get(KEYWORD) if isinstance(prop, Mapping) else None
            if isinstance(roles, list):
                allowed = frozenset(r for r in roles if isinstance(r, str))
                out[name] = out[name] & allowed if name in out else allowed
    return out


# (newest version id, the rules of the newest text of every deployed form), per engine
_everywhere: weakref.WeakKeyDictionary[VersionCache, tuple[int, Rules]] = (
    weakref.WeakKeyDictionary())
_everywhere_lock = threading.Lock()


def rules_everywhere(session: Session, versions: VersionCache) -> Rules:
    """The rules of the newest text of every deployed form: a case's data travels (a ledger
    copy, an escalation, a message's payload), and a field keeps its secrecy wherever it
    goes. Read again when a deploy made a new version (a new form text always does)."""
    newest = newest_version_id(session)
    with _everywhere_lock:
        known = _everywhere.get(versions)
    if known is not None and known[0] == newest:
        return known[1]
    found = rules_of(json.loads(text) for text in latest_forms(session).values())
    with _everywhere_lock:
        _everywhere[versions] = (newest, found)
    return found


def internal_of(schemas: Iterable[Mapping[str, Any] | None]) -> frozenset[str]:
    """The fields the forms mark internal (``"x-internal": true``)."""
    return frozenset(name for schema in schemas
                     for name, prop in ((schema or {}).get("properties") or {}).items()
                     if isinstance(prop, Mapping) and prop.get(INTERNAL) is True)


def is_applicant(user: UserView | None) -> bool:
    """An applicant (an enterprise's account) follows its application, not the staff's work."""
    return user is not None and bool(user.roles) and set(user.roles) <= APPLICANTS


def without(value: Any, dropped: frozenset[str]) -> Any:
    """``value`` without the keys ``dropped`` (at any depth)."""
    if not dropped:
        return value
    if isinstance(value, Mapping):
        return {k: without(v, dropped) for k, v in value.items() if k not in dropped}
    if isinstance(value, list | tuple):
        return [without(v, dropped) for v in value]
    return value


def hidden_from(rules: Rules, user: UserView | None) -> frozenset[str]:
    """The fields ``user`` gets masked (none for the engine and the operator)."""
    if user is None or user.username == SYSTEM.username:
        return frozenset()
    roles = set(user.roles)
    return frozenset(name for name, allowed in rules.items() if not roles & (allowed | ALWAYS))


def asked(schemas: Iterable[Mapping[str, Any] | None]) -> set[str]:
    """The top-level fields the forms ask for."""
    return {name for schema in schemas for name in ((schema or {}).get("properties") or {})}


def masked(value: Any, hidden: frozenset[str]) -> Any:
    """``value`` with every non-empty value under a hidden key (at any depth) masked."""
    if not hidden:
        return value
    if isinstance(value, Mapping):
        return {k: MASK if k in hidden and v not in (None, "") else masked(v, hidden)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v, hidden) for v in value]
    return value


def present(value: Any, fields: Iterable[str]) -> set[str]:
    """Which of ``fields`` hold a non-empty value somewhere in ``value``."""
    wanted, stack = set(fields), [value]
    found: set[str] = set()
    while stack and wanted - found:
        item = stack.pop()
        if isinstance(item, Mapping):
            found |= {k for k, v in item.items() if k in wanted and v not in (None, "")}
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


class Confidential:
    """The rules of a case, masking for a reader, and the access log."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # (own version id, newest version id of its process) -> (the rules_everywhere they
        # were merged with, the rules, the fields its own forms ask for unmarked, the
        # fields its forms mark internal): versions never change, so neither do these
        self._rules: dict[tuple[int, int], tuple[Rules, _CaseRules]] = {}

    def rules(self, session: Session, row: ProcessInstance) -> Rules:
        """From the forms of the version the case runs on and of its process's newest
        version (a field marked confidential later is hidden in older cases too); a field
        only another procedure's forms mark (data that came by message) keeps their rule."""
        return self._rules_and_own(session, row).rules

    def _rules_and_own(self, session: Session, row: ProcessInstance) -> _CaseRules:
        versions = self._engine.versions
        newest = versions.latest(session, row.process_key)
        elsewhere = rules_everywhere(session, versions)
        known = self._rules.get((row.version_id, newest.id))
        if known is not None and known[0] is elsewhere:
            return known[1]
        own = versions.get(session, row.version_id)
        forms = {**own.forms, **newest.forms}
        schemas = [*own.forms.values(), *newest.forms.values()]
        rules = rules_of(schemas)
        merged = {**{k: v for k, v in elsewhere.items() if k not in rules}, **rules}
        plain = frozenset(asked(schemas) & set(merged) - set(rules))
        wider = {key: {name: roles - merged[name] for name, roles in rules_of([schema]).items()
                       if roles - merged[name]} for key, schema in forms.items()}
        found = _CaseRules(merged, plain, internal_of(schemas),
                           {key: grants for key, grants in wider.items() if grants})
        self._rules[(row.version_id, newest.id)] = (elsewhere, found)
        return found

    def reveal(self, session: Session, row: ProcessInstance, user: UserView | None,
               value: Any) -> tuple[Any, list[str]]:
        """(``value`` as ``user`` may see it, the confidential fields it shows in clear)."""
        if user is None or user.username == SYSTEM.username:
            return value, []
        found = self._rules_and_own(session, row)
        rules = found.rules
        if is_applicant(user):
            value = without(value, found.internal)
        if not rules:
            return value, []
        hidden = hidden_from(rules, user)
        if hidden & found.plain and self._works_on(session, row, user):
            hidden -= found.plain
        if hidden and found.wider:
            hidden -= _granted(session, row, user, hidden, found.wider)
        shown = sorted(present(value, set(rules) - hidden))
        return masked(value, hidden), shown

    @staticmethod
    def _works_on(session: Session, row: ProcessInstance, user: UserView) -> bool:
        """Did ``user`` start the case (typed its data in), is it the enterprise the case was
        filed for (its own contact), or may they work one of its open tasks (their unit
        handles the current step)? They need the case's own data in clear even where another
        procedure keeps a field of the same name secret."""
        if row.started_by == user.username or visibility.filed_for(user, row.data):
            return True
        open_tasks = session.execute(select(Task.role, Task.unit, Task.assignee).where(
            Task.instance_id == row.id, Task.status == "ready"))
        return any(assignee == user.username or acts_on(user, role, unit)
                   for role, unit, assignee in open_tasks)

    def columns(self, session: Session, ledger_key: str, user: UserView | None
                ) -> tuple[frozenset[str], frozenset[str]]:
        """(fields masked for ``user``, confidential fields shown in clear) in a ledger of
        the newest version of its process."""
        from engine.queries.ledger import LEDGERS

        spec = LEDGERS.get(ledger_key)
        if spec is None or user is None or user.username == SYSTEM.username:
            return frozenset(), frozenset()
        try:
            newest = self._engine.versions.latest(session, spec.process)
        except NotFound:
            return frozenset(), frozenset()
        rules = rules_of(newest.forms.values())
        hidden = hidden_from(rules, user)
        return hidden, frozenset(rules) - hidden

    def conceal(self, session: Session, row: ProcessInstance, user: UserView | None,
                value: Any) -> Any:
        """``value`` with every confidential field masked, whoever ``user`` is (unless the
        engine or the operator): what a command hands back to the user who ran it."""
        if user is None or user.username == SYSTEM.username:
            return value
        found = self._rules_and_own(session, row)
        if is_applicant(user):
            value = without(value, found.internal)
        return masked(value, frozenset(found.rules)) if found.rules else value

    def record(self, instance_id: int, user: UserView | None, fields: list[str],
               via: str) -> None:
        """Log that ``user`` was shown ``fields`` of the case (its own small transaction),
        before the caller shows them. Within one unit of reading (a page view,
        :meth:`Engine.reading`) a case is logged once per user: the page's later reads
        widen that row's fields and ways (``via``, joined by ``+``) or, showing nothing
        new, write nothing."""
        if not fields or user is None:
            return
        shared = SharedRead.of(self._engine)
        logged: dict[tuple[int, str], _Logged] | None = None
        if shared is not None:
            logged = cast(dict[tuple[int, str], _Logged],
                          shared.notes.setdefault(_LOGGED, {}))
        key = (instance_id, user.username)
        before = None if logged is None else logged.get(key)
        if before is not None and set(fields) <= before.fields and via in before.via:
            return
        with self._engine.transaction() as session:
            if before is None:
                row_id = session.connection().execute(insert(CONFIDENTIAL_READS).values(
                    instance_id=instance_id, user=user.username, at=self._engine.clock.now(),
                    fields=sorted(fields), via=via).returning(CONFIDENTIAL_READS.c.id)
                ).scalar_one()
                now = _Logged(row_id, set(fields), [via])
            else:
                now = _Logged(before.row_id, before.fields | set(fields),
                              before.via if via in before.via else [*before.via, via])
                session.connection().execute(update(CONFIDENTIAL_READS).where(
                    CONFIDENTIAL_READS.c.id == now.row_id).values(
                    fields=sorted(now.fields), via="+".join(now.via)))
        if logged is not None:
            logged[key] = now

    def reads(self, session: Session, instance_id: int, user: UserView) -> list[ReadView]:
        """The case's access log, oldest first: for auditors."""
        if "auditor" not in user.roles:
            raise PermissionDenied(msg("confidential.auditors_only"))
        rows = session.execute(select(ConfidentialRead).where(
            ConfidentialRead.instance_id == instance_id).order_by(ConfidentialRead.id))
        return [ReadView(r.instance_id, r.user, r.at, list(r.fields), r.via)
                for r in rows.scalars()]
