"""Everyday case operations through the engine (``Engine.ops``): 转办 transfer, 委派 delegate,
加签 add a co-signer, 催办 urge, 退回 send back, 撤回 withdraw, 终止 terminate, 抄送 copy
and 意见 comments; on a subsidy application 撤回申请 and 退回补正 (engine/runtime/
application_ops.py). Each method is one transaction and records one event in the case's chain
(a copy records one for all its recipients). A refusal about a task of a case the user has
no part in says no more than "no such task"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound, PermissionDenied, refused
from engine.messages import msg
from engine.notify import emit
from engine.org import people, users
from engine.org.directory import Unit
from engine.org.people import Person
from engine.org.users import Who
from engine.queries import confidential, copy_targets, subjects, visibility
from engine.queries.copy_targets import ENTERPRISE
from engine.runtime import case_credit_codes, handover, moves, rewind
from engine.runtime.application_ops import ApplicationOperations
from engine.storage.schema import CASE_COPIES, TASKS, USERS, ProcessInstance, ProcessVersion
from engine.views import CopyView, InstanceView, UserView

if TYPE_CHECKING:
    from engine.api import Engine

COMMENT_MAX = 4000


@dataclass(frozen=True)
class CaseOffer:
    """The case operations the case page offers its reader."""

    may_comment: bool  # 意见: they take part (not an observer)
    may_copy: bool  # 抄送: they take part other than through a copy
    copy_people: list[Person]
    copy_units: list[Unit]
    applicant_reads: bool  # an applicant reads the case's comments: staff are told
    confidential: tuple[str, ...]  # the case's confidential fields that hold a value


@dataclass(frozen=True)
class Step:
    """An earlier step a task may be sent back to."""

    element_id: str
    name: str


class Operations(ApplicationOperations):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- on tasks ---------------------------------------------------------------------------

    def transfer(self, task_id: str, user: Who, reason: str | None, to_user: str | None = None,
                 to_unit: str | None = None, revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            row = handover.transfer(session, eng.clock.now(), task_id, actor,
                                    None if to_user is None
                                    else _handed_to(session, task_id, actor, to_user),
                                    to_unit, reason, revision)
            return eng._instance_view(session, row, actor)

    def delegate(self, task_id: str, user: Who, to_user: str, reason: str | None = None,
                 revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            row = handover.delegate(session, eng.clock.now(), task_id, actor,
                                    _handed_to(session, task_id, actor, to_user), reason,
                                    revision)
            return eng._instance_view(session, row, actor)

    def add_signer(self, task_id: str, user: Who, to_user: str, reason: str | None = None,
                   revision: int | None = None, parallel: bool = False) -> InstanceView:
        """``parallel``: the co-signers sign at once, not one after another."""
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            row = handover.add_signer(session, eng.clock.now(), task_id, actor,
                                      _handed_to(session, task_id, actor, to_user), reason,
                                      revision, parallel)
            return eng._instance_view(session, row, actor)

    def urge(self, task_id: str, user: Who, note: str | None = None,
             revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            self._check_reads_task(session, task_id, actor)
            row = handover.urge(session, eng.clock.now(), task_id, actor, note, revision)
            return eng._instance_view(session, row, actor)

    def send_back(self, task_id: str, user: Who, reason: str | None,
                  to_element: str | None = None, revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            row = rewind.send_back(eng.runtime, session, task_id, to_element, reason, actor,
                                   revision)
            return eng._instance_view(session, row, actor)

    def send_back_steps(self, task_id: str, user: Who) -> list[Step]:
        """The earlier steps the open task may be sent back to, nearest (the default) first;
        empty when it may not be sent back."""
        eng = self.engine
        task = eng.inbox.task(task_id, user)  # NotFound / PermissionDenied
        with eng.transaction(read_only=True) as session:
            _, _, workflow, _ = eng.runtime._load(session, task.instance_id, None)
            try:
                found = moves.send_back_choices(workflow, task_id)
            except Exception:  # finished and pruned meanwhile: nothing to go back from
                return []
            return [Step(s.task_spec.bpmn_id, s.task_spec.bpmn_name or s.task_spec.bpmn_id)
                    for s in found]

    def withdraw(self, task_id: str, user: Who, revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng._hiding_cases(task_id, user), eng.transaction() as session:
            actor = users.resolve(session, user)
            row = rewind.withdraw(eng.runtime, session, task_id, actor, revision)
            return eng._instance_view(session, row, actor)

    def withdrawable(self, instance_id: int, user: Who) -> frozenset[str]:
        """The ids of the case's tasks ``user`` may withdraw now (where to offer 撤回)."""
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            return rewind.withdrawable(eng.runtime, session, instance_id,
                                       users.resolve(session, user))

    def handover_people(self, task_id: str, user: Who) -> list[Person]:
        """Whom 转办, 委派 and 加签 offer for the task (engine/runtime/handover.py
        ``people_offered``). The commands still check the one picked."""
        with self.engine.transaction(read_only=True) as session:
            return handover.people_offered(session, task_id, users.resolve(session, user))

    def handover_units(self, task_id: str) -> list[Unit]:
        """The units 转办 offers for the task: the directory's units with active users of
        its role, within the task's area. The command still checks the one picked."""
        with self.engine.transaction(read_only=True) as session:
            return handover.units_offered(session, task_id)

    def copy_people(self, instance_id: int, user: Who) -> list[Person]:
        """Whom 抄送 offers for the case: the staff who could take part in it, but the one
        copying (engine/queries/copy_targets.py); none to a user who may not copy it."""
        return self.offer(instance_id, user).copy_people

    def copy_units(self, instance_id: int, user: Who) -> list[Unit]:
        """The units 抄送 offers for the case: those with someone who could take part."""
        return self.offer(instance_id, user).copy_units

    def offer(self, instance_id: int, user: Who) -> CaseOffer:
        """The case operations the case page offers ``user`` (one read of the case)."""
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            actor = users.resolve(session, user)
            row = session.get(ProcessInstance, instance_id)
            if row is None or not visibility.may_read(session, instance_id, actor):
                return CaseOffer(False, False, [], [], False, ())
            may_comment = visibility.takes_part(session, instance_id, actor)
            may_copy = may_comment and ENTERPRISE not in actor.roles and visibility.takes_part(
                session, instance_id, actor, through_copy=False)
            offered: list[Person] = []
            units: list[Unit] = []
            if may_copy:
                reach = self._reach(session, row)
                offered = copy_targets.people(session, reach, actor.username)
                units = copy_targets.units(reach, offered)
            secret = confidential.present(row.data, eng.confidential.rules(session, row))
            return CaseOffer(may_comment, may_copy, offered, units,
                             may_comment and _applicant_reads(session, row),
                             tuple(sorted(secret)))

    def _reach(self, session: Session, row: ProcessInstance) -> copy_targets.Reach:
        return copy_targets.reach_of(session, row, self.engine.versions.get(session,
                                                                           row.version_id))

    def _check_reads_task(self, session: Session, task_id: str, user: UserView) -> None:
        instance_id = session.connection().execute(
            select(TASKS.c.instance_id).where(TASKS.c.id == task_id)).scalar()
        if instance_id is not None:
            self.engine.hide_unreadable(session, instance_id, user, msg("task.not_found",
                                                                        task_id=task_id))

    # -- on cases ---------------------------------------------------------------------------

    def terminate(self, instance_id: int, user: Who, reason: str | None,
                  revision: int | None = None) -> InstanceView:
        eng = self.engine
        with eng.transaction() as session:
            actor = users.resolve(session, user)
            eng.hide_unreadable(session, instance_id, actor, msg("instance.not_found",
                                                                 instance_id=instance_id))
            row = rewind.terminate(eng.runtime, session, instance_id, reason, actor, revision)
            return eng._instance_view(session, row, actor)

    def comment(self, instance_id: int, user: Who, text: str,
                revision: int | None = None) -> InstanceView:
        """意见/沟通: a comment on the case, in its history for everyone who may read it."""
        body = (text or "").strip()
        if not body:
            raise refused("text", msg("comment.empty"))
        if len(body) > COMMENT_MAX:
            raise refused("text", msg("comment.too_long", limit=COMMENT_MAX))
        eng = self.engine
        with eng.transaction() as session:
            actor = self._taking_part(session, instance_id, user)
            row = eng.runtime.add_to_case(session, instance_id, revision, lambda row, now:
                                          handover.record(session, row, "commented", now,
                                                          {"text": body}, actor))
            return eng._instance_view(session, row, actor)

    def cc(self, instance_id: int, user: Who, to_user: str | None = None,
           to_unit: str | None = None) -> list[str]:
        """抄送: copy the case for information to a user, or to the users of a unit, who
        could take part in it (engine/queries/copy_targets.py); they may read it from then
        on. Returns who got it."""
        if (to_user is None) == (to_unit is None):
            raise refused("to", msg("cc.target"))
        eng = self.engine
        with eng.transaction() as session:
            actor = self._taking_part(session, instance_id, user)
            if ENTERPRISE in actor.roles:  # its own application: the page offers no 抄送 either
                raise PermissionDenied(msg("cc.by_applicant"))
            if not visibility.takes_part(session, instance_id, actor, through_copy=False):
                raise PermissionDenied(msg("cc.copy_readers_only"))
            row = session.get(ProcessInstance, instance_id)
            assert row is not None  # the reading check found it
            receivers, unit = _copy_to(session, self._reach(session, row), actor.username,
                                       to_user, to_unit)
            now = eng.clock.now()

            def apply(row: ProcessInstance, at: datetime) -> None:
                handover.record(session, row, "copied", at,
                                {"to": receivers[0] if unit is None else None,
                                 "to_unit": unit, "users": receivers}, actor)
            eng.runtime.add_to_case(session, instance_id, None, apply)
            session.connection().execute(insert(CASE_COPIES), [
                {"instance_id": instance_id, "username": name, "unit": unit,
                 "copied_by": actor.username, "created_at": now, "read_at": None}
                for name in receivers])
            emit.notify(session, "cc", receivers, said=msg("notice.cc", by=actor.display_name),
                        instance_id=instance_id, actor=actor.username, at=now)
            return receivers

    def takes_part(self, instance_id: int, user: Who) -> bool:
        """May ``user`` comment on the case (engine/queries/visibility.py)?"""
        with self.engine.transaction(read_only=True) as session:
            return visibility.takes_part(session, instance_id, users.resolve(session, user))

    def may_copy(self, instance_id: int, user: Who) -> bool:
        """May ``user`` copy the case: they take part in it other than through a copy?"""
        with self.engine.transaction(read_only=True) as session:
            return visibility.takes_part(session, instance_id, users.resolve(session, user),
                                         through_copy=False)

    def applicant_reads(self, instance_id: int) -> bool:
        """Does an applicant (an enterprise) read the case, its comments included? Staff are
        told so before they comment."""
        with self.engine.transaction(read_only=True) as session:
            row = session.get(ProcessInstance, instance_id)
            return row is not None and _applicant_reads(session, row)

    def _taking_part(self, session: Session, instance_id: int, user: Who) -> UserView:
        """The user, if they may add to the case: NotFound if they may not read it,
        PermissionDenied if they only observe it."""
        eng = self.engine
        actor = users.resolve(session, user)
        eng.hide_unreadable(session, instance_id, actor, msg("instance.not_found",
                                                             instance_id=instance_id))
        if not visibility.takes_part(session, instance_id, actor):
            raise PermissionDenied(msg("case.observers_only"))
        return actor

    def copies(self, user: Who, unread_only: bool = False) -> list[CopyView]:
        """My CC list (抄送我的), newest first."""
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            query = (select(CASE_COPIES, ProcessInstance.business_key, ProcessInstance.status,
                            ProcessVersion.name)
                     .join(ProcessInstance, ProcessInstance.id == CASE_COPIES.c.instance_id)
                     .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
                     .where(CASE_COPIES.c.username == reader.username)
                     .order_by(CASE_COPIES.c.created_at.desc(), CASE_COPIES.c.id.desc()))
            if unread_only:
                query = query.where(CASE_COPIES.c.read_at.is_(None))
            rows = list(session.execute(query))
            found = subjects.of_cases(session, (r.instance_id for r in rows))
            return [CopyView(r.id, r.instance_id, r.business_key, r.name, r.status,
                             r.copied_by, r.unit, r.created_at, r.read_at,
                             found.get(r.instance_id))
                    for r in rows]

    def mark_read(self, instance_id: int, user: Who) -> int:
        """已阅: mark the copies of a case to ``user`` read; returns how many were unread."""
        eng = self.engine
        with eng.transaction() as session:
            reader = users.resolve(session, user)
            done = session.connection().execute(
                update(CASE_COPIES).where(CASE_COPIES.c.instance_id == instance_id,
                                          CASE_COPIES.c.username == reader.username,
                                          CASE_COPIES.c.read_at.is_(None))
                .values(read_at=eng.clock.now()))
            return int(done.rowcount or 0)


def is_copied_to(session: Session, instance_id: int, username: str) -> bool:
    return session.connection().execute(
        select(CASE_COPIES.c.id).where(CASE_COPIES.c.instance_id == instance_id,
                                       CASE_COPIES.c.username == username).limit(1)
    ).first() is not None


def _handed_to(session: Session, task_id: str, actor: UserView, to_user: str) -> str:
    """The username ``to_user`` names: as given, or the one person the handover picker
    offers under that name (刘洋（浮梁县纪委监委）); the command checks either."""
    try:
        return users.get(session, to_user).username
    except NotFound:
        named = people.named_by(handover.people_offered(session, task_id, actor), to_user)
        return named[0].username if len(named) == 1 else to_user


def _applicant_reads(session: Session, row: ProcessInstance) -> bool:
    """One filed with a 统一社会信用代码, or started by an enterprise's user."""
    if case_credit_codes.code_of(row.data) is not None:
        return True
    roles = session.execute(select(USERS.c.roles).where(
        USERS.c.username == row.started_by)).scalar()
    return ENTERPRISE in (roles or ())


def _copy_to(session: Session, reach: copy_targets.Reach, actor: str, to_user: str | None,
             to_unit: str | None) -> tuple[list[str], str | None]:
    """Who gets the copy, and the unit it went to (if it went to one). ``to_user`` is a
    username or a name the people picker shows (刘洋（浮梁县纪委监委）); "--to UNIT" names a
    unit too."""
    if to_user is not None:
        found = _person(session, reach, actor, to_user)
        if found is not None:
            problem = reach.refusal(found.roles, found.unit, found.display_name, found.username)
            if problem is not None:
                raise refused("to", problem)
            return [found.username], None
        if not copy_targets.has_users(session, to_user):
            raise refused("to", msg("cc.unknown_target", to_user=to_user))
        to_unit = to_user
    else:
        to_unit = handover.directory_name(session, to_unit or "", "to_unit")
    names = copy_targets.unit_members(session, reach, to_unit or "", actor)
    if not names:
        raise refused("to_unit", msg("cc.unit_takes_no_part", to_unit=to_unit))
    return names, to_unit


def _person(session: Session, reach: copy_targets.Reach, actor: str, text: str
            ) -> UserView | None:
    """The user ``text`` names: by username, else by a name of one of those the picker
    offers; None when it names nobody (it may name a unit)."""
    try:
        return users.get(session, text)
    except NotFound:
        named = people.named_by(copy_targets.people(session, reach, actor), text)
        return users.get(session, named[0].username) if len(named) == 1 else None
