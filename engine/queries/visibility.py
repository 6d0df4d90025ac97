"""Who may read a case: the one rule, as an SQL condition over ``instances``.

Participants read their cases (a task of the case in a role they hold, with no unit or one
they act for; a task handed to them by name, or one they completed; a case they started or
that was copied to them, 抄送; an enterprise, the cases filed with its 统一社会信用代码, a window's
included: ``UserView.credit_code``). A step may grant its holders the case one of its case's
fields names (``reads_case``, engine/definitions/case_readers.py): the city's investigator
of a 提级核查 reads the clue it is about. Auditors read every case within their reach: by the
case's jurisdiction or a unit its tasks went to (read-only: working a task still needs its
role and unit). The supervising roles read, within their reach, the cases of the procedures
they have a part in: one whose lanes name their role (engine/definitions/lane_roles.py) —
for the 纪委's offices and leaders, any 纪委 role (``DISCIPLINE``) —, one domain.md has them
oversee (``SUPERVISED``), or a case with a task of their role; so the 纪委's offices read the
clues and not the enterprises' subsidy applications, and the reform group its campaigns and
not the 纪委's clues. A few roles read every case of the procedures they receive the results
of (``PROCESS_READERS``). Designers read no case as designers: they see the procedures and
their versions. The units come from the directory (engine/org/scope.py: ``UserView.units``,
``UserView.reach``). The same rule answers "may this user read case N"
(``Engine._check_may_read``) and filters lists of cases (search, the done list, ledgers, the
board's and the statistics' lists), so a list never shows a case its page would refuse.

The rule has two SQL shapes with the same answer, because which one is fast depends on how
many cases the user reads: a check per case (the case's tasks through their instance index)
suits one case and users who read many cases (the intake office registers every clue); the
set of the user's case ids (``ix_tasks_readers``, ``ix_instances_started_by``) suits a
unit's user, whose few cases a list should start from instead of filtering every case.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions import case_readers
from engine.definitions.lane_roles import procedures_with_lanes
from engine.org.scope import JURISDICTION
from engine.org.users import SYSTEM
from engine.runtime import case_credit_codes
from engine.storage.schema import CaseCopy, CaseCreditCode, ProcessInstance, Task
from engine.views import UserView

AUDITORS = frozenset({"auditor"})  # read every case within their reach
# The roles of the 纪委监委 (domain.md, roles): a procedure with a lane of one of them is the
# 纪委's business (the clues, their escalation, the clue ledgers), which its supervising
# offices and leaders oversee as a whole (``DISCIPLINE_SUPERVISORS``).
DISCIPLINE = frozenset({"intake", "approver", "handler", "case_manager", "style_group",
                        "supervision_office", "city_leader", "city_investigator"})
DISCIPLINE_SUPERVISORS = frozenset({"case_manager", "style_group", "supervision_office",
                                    "city_leader"})
# The procedures each supervising role oversees besides those its lanes name (domain.md,
# roles): the style group and the supervision office the 12345 complaints about officials'
# conduct too; the 纪委's offices and the reform group the 中介服务 clues, the reform group
# the subsidy payouts, whose statistics they are shown (engine/queries/stats/scope.py,
# ROLE_SECTIONS); the city's leaders only the 纪委's own.
SUBSIDIES = ("subsidy_instant", "subsidy_commitment", "subsidy_automatic")
SUPERVISED: dict[str, tuple[str, ...]] = {
    "case_manager": ("intermediary_clue",),
    "style_group": ("hotline_complaint", "intermediary_clue"),
    "supervision_office": ("hotline_complaint", "intermediary_clue"),
    "city_leader": (),
    "reform_group": ("legacy_campaign", "legacy_case", "intermediary_clue", *SUBSIDIES),
}
SUPERVISORS = frozenset(SUPERVISED)
# Roles that read cases without taking part in them: an auditor who reads a case neither
# adds to its record (意见) nor lets anyone else read it (抄送); a designer reads none.
OBSERVERS = frozenset({"auditor", "designer"})
MANY = 10_000  # from this many readable cases on, lists check each case instead
# Roles that read every case of some procedures, without a task in them: the 市政数局
# receives every subsidy payout's result, takes the 12345 complaints and runs the 中介服务
# clean-up, and its statistics count and list those cases (engine/queries/stats/scope.py):
# it opens what they list.
PROCESS_READERS: dict[str, tuple[str, ...]] = {
    "data_bureau": (*SUBSIDIES, "hotline_complaint", "intermediary_clue"),
}


def readable(session: Session, user: UserView) -> ColumnElement[bool]:
    """True for the rows of ``instances`` that ``user`` may read (checked per case)."""
    if reads_every_case(user):
        return true()
    return _checked_per_case(session, user)


@dataclass(frozen=True)
class Listing:
    """The rule in the shape a list over many cases needs."""

    condition: ColumnElement[bool]
    few: bool  # the user reads fewer than MANY cases: the list may sort all its matches


def for_lists(user: UserView, session: Session) -> Listing:
    """The rule for a list: the user's set of case ids when it is small (counted up to
    MANY), else the per-case check. An auditor or a supervisor reads whole procedures or a
    jurisdiction's cases, which no index lists: always the per-case check."""
    if reads_every_case(user):
        return Listing(true(), False)
    if _supervises(user):
        return Listing(_checked_per_case(session, user), False)
    ids = _case_ids(session, user)
    if _at_least(session, ids, MANY):
        return Listing(_checked_per_case(session, user), False)
    return Listing(ProcessInstance.id.in_(ids), True)


def reads_every_case(user: UserView) -> bool:
    return user.username == SYSTEM.username or (
        bool(AUDITORS & set(user.roles)) and user.reach is None)


def may_read(session: Session, instance_id: int, user: UserView) -> bool:
    found = session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id, readable(session, user))).first()
    return found is not None


def readable_ids(session: Session, ids: Collection[int], user: UserView) -> set[int]:
    """Which of the cases ``ids`` ``user`` may read: for a list built otherwise (the
    board's tasks, the statistics' payouts), checked in one query."""
    if not ids:
        return set()
    return set(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(sorted(ids)), readable(session, user))))


def takes_part(session: Session, instance_id: int, user: UserView,
               through_copy: bool = True) -> bool:
    """May ``user`` add to the case: they read it other than as an observer (意见). To copy
    it (抄送, ``through_copy=False``) they read it other than through a copy, too: a copy's
    receiver reads the case (and may comment on it), those who take part in it decide whom
    else it is copied to. A step granting its holders another case (``reads_case``) lets
    them read that case, not add to it."""
    taking_part = replace(user, roles=tuple(r for r in user.roles if r not in OBSERVERS))
    if reads_every_case(taking_part):
        return True
    found = session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id,
        _checked_per_case(session, taking_part, through_copy, granted=False))).first()
    return found is not None


def supervises(session: Session, row: ProcessInstance, user: UserView) -> bool:
    """Does ``user`` read the case ``row`` as one of its supervising roles (not as an
    auditor, nor as a participant)? Such a reader also adds files and documents to it."""
    roles = SUPERVISORS & set(user.roles)
    if not roles:
        return False
    condition = _overseen(session, replace(user, roles=tuple(sorted(roles))))
    return condition is not None and session.execute(select(ProcessInstance.id).where(
        ProcessInstance.id == row.id, condition)).first() is not None


def supervised_procedures(session: Session, roles: Collection[str]) -> frozenset[str]:
    """The procedures the supervising ``roles`` oversee: those their lanes name (for the
    纪委's offices, those a lane of any 纪委 role names) and those ``SUPERVISED`` gives them."""
    mine = SUPERVISORS.intersection(roles)
    named = {key for role in mine for key in SUPERVISED[role]}
    lanes = DISCIPLINE if mine & DISCIPLINE_SUPERVISORS else frozenset()
    return frozenset(named) | procedures_with_lanes(session, mine | lanes)


def _supervises(user: UserView) -> bool:
    return bool((SUPERVISORS | AUDITORS) & set(user.roles))


def _overseen(session: Session, user: UserView) -> ColumnElement[bool] | None:
    """The cases ``user`` reads as an auditor or a supervising role, within their reach;
    None: they have neither role."""
    if AUDITORS & set(user.roles):
        return true() if user.reach is None else within(user.reach)
    roles = sorted(SUPERVISORS & set(user.roles))
    if not roles:
        return None
    task = aliased(Task)
    theirs = or_(ProcessInstance.process_key.in_(sorted(supervised_procedures(session, roles))),
                 _a_task(task, task.role.in_(roles)))
    return theirs if user.reach is None else and_(theirs, within(user.reach))


def _checked_per_case(session: Session, user: UserView, copies: bool = True,
                      granted: bool = True) -> ColumnElement[bool]:
    """``copies``: a case copied to the user counts (it does for reading); ``granted``: a
    case a step they hold names for reading counts (likewise)."""
    task = aliased(Task)  # its own name: the outer query may read tasks too
    name = user.username
    conditions = [
        ProcessInstance.started_by == name,
        # handed on by name (转办, 委派, 加签) or done by them, whatever their roles
        _a_task(task, _by_name(task, name)),
    ]
    if copies:
        conditions.append(exists(select(CaseCopy.id).where(
            CaseCopy.instance_id == ProcessInstance.id, CaseCopy.username == name)
        ).correlate(ProcessInstance))
    filed_for = _filed_for(user)
    if filed_for is not None:
        conditions.append(filed_for)
    if user.roles:
        conditions.append(_a_task(task, _by_role(task, user)))
    if granted:
        conditions += _granted(session, user)
    received = _received(user)
    if received:
        conditions.append(ProcessInstance.process_key.in_(received))
    overseen = _overseen(session, user)
    if overseen is not None:
        conditions.append(overseen)
    return or_(*conditions)


def _by_name(task: Any, name: str) -> ColumnElement[bool]:
    return or_(task.assignee == name, task.owner == name, task.completed_by == name,
               cast(task.signers, String).contains(f'"{name}"', autoescape=True))


def _by_role(task: Any, user: UserView) -> ColumnElement[bool]:
    return and_(task.role.in_(list(user.roles)),
                or_(task.unit.is_(None), task.unit.in_(list(user.units))))


def _holds(task: Any, user: UserView) -> ColumnElement[bool]:
    """``user`` holds or held ``task``: by name, or by its role and unit."""
    by_name = _by_name(task, user.username)
    return or_(by_name, _by_role(task, user)) if user.roles else by_name


def _granted(session: Session, user: UserView) -> list[ColumnElement[bool]]:
    """The cases a step the user holds or held names for reading (``reads_case``,
    engine/definitions/case_readers.py): one condition per grant, checked for one case."""
    out = []
    for grant in case_readers.grants(session):
        task, naming = aliased(Task), aliased(ProcessInstance)
        out.append(and_(ProcessInstance.process_key.in_(grant.targets), exists(
            select(task.id).join(naming, naming.id == task.instance_id).where(
                task.process_key == grant.process, task.element_id == grant.step,
                naming.data[grant.field].as_string() == ProcessInstance.business_key,
                _holds(task, user))).correlate(ProcessInstance)))
    return out


def _granted_ids(session: Session, user: UserView) -> list[Select[Any]]:
    """The same, as the ids of the cases granted (for the user's set of case ids)."""
    out = []
    for grant in case_readers.grants(session):
        naming, named = aliased(ProcessInstance), aliased(ProcessInstance)
        out.append(select(named.id).select_from(Task)
                   .join(naming, naming.id == Task.instance_id)
                   .join(named, named.business_key == naming.data[grant.field].as_string())
                   .where(Task.process_key == grant.process, Task.element_id == grant.step,
                          named.process_key.in_(grant.targets), _holds(Task, user)))
    return out


def within(units: Collection[str]) -> ColumnElement[bool]:
    """The cases of ``units``: registered there (their jurisdiction) or with a task, open or
    done, that went to one of them. A supervisor reads the cases of their reach so, and the
    statistics count a unit's cases so (:func:`cases_within`): a county's figures count the
    cases its ledgers list. Checked per case, through the case's tasks."""
    task = aliased(Task)
    names = sorted(units)
    return or_(ProcessInstance.data[JURISDICTION].as_string().in_(names),
               _a_task(task, task.unit.in_(names)))


TASK_STATUSES = ("ready", "completed", "cancelled")  # every status a task row has


def cases_within(units: Collection[str], process: str) -> ColumnElement[bool]:
    """:func:`within` for a count over many cases of ``process``: the ids of its cases with
    a task at one of ``units`` read once, from the units' ranges of ``ix_tasks_board_cells``
    (every status named, so the index is used), not the tasks of each case probed."""
    names = sorted(units)
    went = select(Task.instance_id).where(Task.status.in_(TASK_STATUSES),
                                          Task.unit.in_(names), Task.process_key == process)
    return or_(ProcessInstance.data[JURISDICTION].as_string().in_(names),
               ProcessInstance.id.in_(went))


def _received(user: UserView) -> list[str]:
    """The procedures whose every case the user's roles read (``PROCESS_READERS``)."""
    return sorted({key for role in user.roles for key in PROCESS_READERS.get(role, ())})


def _filed_with(user: UserView) -> Select[Any] | None:
    """The ids of the cases filed with the enterprise user's 统一社会信用代码, from the index
    of each case's code (engine/runtime/case_credit_codes.py); None: not an enterprise with
    a code."""
    if user.credit_code is None or not user.has_role("enterprise"):
        return None
    return select(CaseCreditCode.instance_id).where(
        CaseCreditCode.credit_code == user.credit_code)


def _filed_for(user: UserView) -> ColumnElement[bool] | None:
    """The same, checked for one case (its row of the index, by the case's id)."""
    if user.credit_code is None or not user.has_role("enterprise"):
        return None
    return exists(select(CaseCreditCode.instance_id).where(
        CaseCreditCode.instance_id == ProcessInstance.id,
        CaseCreditCode.credit_code == user.credit_code)).correlate(ProcessInstance)


def filed_for(user: UserView, data: dict[str, Any] | None) -> bool:
    """Was the case with ``data`` filed with the enterprise user's code (the same rule)?"""
    return (user.credit_code is not None and user.has_role("enterprise")
            and case_credit_codes.code_of(data) == user.credit_code)


def applications(user: UserView) -> ColumnElement[bool]:
    """The cases that are the user's applications (我的申请): those they started, and for an
    enterprise those filed with its code: one set of ids from the two indexes."""
    started = select(ProcessInstance.id).where(ProcessInstance.started_by == user.username)
    filed_with = _filed_with(user)
    if filed_with is None:
        return ProcessInstance.started_by == user.username
    return ProcessInstance.id.in_(union(started, filed_with))


def _a_task(task: Any, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(task.id).where(task.instance_id == ProcessInstance.id, *where)
                  ).correlate(ProcessInstance)


def _case_ids(session: Session, user: UserView) -> Select[Any]:
    roles = list(user.roles)
    name = user.username
    parts: list[Select[Any]] = [
        select(ProcessInstance.id).where(ProcessInstance.started_by == name),
        select(CaseCopy.instance_id).where(CaseCopy.username == name),
        select(Task.instance_id).where(Task.assignee == name),
        select(Task.instance_id).where(Task.completed_by == name),
    ]
    parts += _granted_ids(session, user)
    filed_with = _filed_with(user)
    if filed_with is not None:
        parts.append(filed_with)
    received = _received(user)
    if received:
        parts.append(select(ProcessInstance.id).where(ProcessInstance.process_key.in_(received)))
    if roles:
        parts.append(select(Task.instance_id).where(Task.role.in_(roles), Task.unit.is_(None)))
        if user.units:
            parts.append(select(Task.instance_id).where(Task.role.in_(roles),
                                                        Task.unit.in_(list(user.units))))
    return select(union_all(*parts).subquery().c[0])


def _at_least(session: Session, ids: Select[Any], n: int) -> bool:
    counted = select(func.count()).select_from(ids.limit(n).subquery())
    return bool(session.execute(counted).scalar_one() >= n)
