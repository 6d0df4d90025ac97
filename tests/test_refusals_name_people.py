"""A refusal that names a person says who they are the way staff know them: by display name,
with the unit when they have one; the username stays in the message's parameters (an API
client reads it there), never in the text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from engine import Conflict, Engine, EngineError, InvalidData, PermissionDenied
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"


@contextmanager
def refused(kind: type[EngineError]) -> Iterator[list[EngineError]]:
    caught: list[EngineError] = []
    with pytest.raises(kind) as raised:
        yield caught
    caught.append(raised.value)


def said(error: EngineError) -> str:
    return error.said.render("zh")


@pytest.fixture
def cases(people: Engine) -> Engine:
    people.deploy(diagram_files("sendback.bpmn"))
    people.add_user("li", ["intake"], display_name="李娜")
    people.add_user("chen", ["approver"], display_name="陈静")
    people.add_user("zhao", ["handler"], display_name="赵敏", unit=FULIANG)
    return people


def check_b(engine: Engine) -> str:
    case = engine.start("sendback", {"rounds": 0}, "li")
    draft = next(t.id for t in engine.instance(case.id).tasks if t.name == "draft")
    engine.complete(draft, {}, "li")
    return next(t.id for t in engine.instance(case.id).tasks if t.name == "check_b")


def assert_names(error: EngineError, text: str, login: str, **params: Any) -> None:
    assert text in said(error) and login not in said(error)
    assert {k: error.params[k] for k in params} == params


def test_a_task_someone_holds_is_refused_naming_them(cases: Engine) -> None:
    task = check_b(cases)
    cases.ops.transfer(task, "wang", "出差，请陈办理", to_user="chen")
    with refused(Conflict) as caught:
        cases.ops.transfer(task, "wang", "再转", to_user="wang")
    assert_names(caught[0], "任务已由 陈静 办理，不能转办", "chen",
                 assignee="chen", assignee_name="陈静")
    with refused(Conflict) as caught:
        cases.claim(task, "wang")
    assert_names(caught[0], "任务已由 陈静 认领", "chen", assignee="chen")
    with refused(PermissionDenied) as caught:
        cases.unclaim(task, "wang")
    assert_names(caught[0], "任务已由 陈静 认领", "chen", assignee="chen")
    with refused(Conflict) as caught:
        cases.complete(task, {}, "wang")
    assert_names(caught[0], "任务已由 陈静 认领", "chen", assignee="chen")
    with refused(Conflict) as caught:
        cases.ops.send_back(task, "wang", "退回")
    assert_names(caught[0], "任务已由 陈静 办理，不能退回", "chen", assignee="chen")


def test_a_delegated_task_and_co_signers_are_named(cases: Engine) -> None:
    task = check_b(cases)
    cases.ops.delegate(task, "wang", "zhao", "请协助核实")
    with refused(Conflict) as caught:
        cases.ops.delegate(task, "wang", "chen", "改派")
    assert_names(caught[0], "任务已由 赵敏（浮梁县纪委监委） 办理，不能委派", "zhao",
                 assignee="zhao", assignee_name="赵敏（浮梁县纪委监委）")
    cases.complete(task, {}, "zhao")
    cases.ops.add_signer(task, "wang", "chen", parallel=True)
    cases.ops.add_signer(task, "wang", "zhao", parallel=True)
    with refused(Conflict) as caught:
        cases.complete(task, {}, "wang")
    assert_names(caught[0], "还有加签人未签署：陈静、赵敏（浮梁县纪委监委）", "zhao",
                 signers=["chen", "zhao"], signer_names=["陈静", "赵敏（浮梁县纪委监委）"])
    with refused(InvalidData) as caught:
        cases.ops.add_signer(task, "wang", "zhao", parallel=True)
    assert_names(caught[0], "赵敏（浮梁县纪委监委） 已在会签人中", "zhao", username="zhao")


def test_whom_a_task_cannot_go_to_is_named(cases: Engine) -> None:
    task = check_b(cases)
    with refused(InvalidData) as caught:
        cases.ops.transfer(task, "wang", "请李办理", to_user="li")
    assert_names(caught[0], "李娜 没有此任务的角色", "li", name="李娜", username="li")
    cases.add_user("qiye", ["enterprise"], display_name="某某公司")
    case = cases.inbox.task(task, "wang").instance_id
    with refused(InvalidData) as caught:
        cases.ops.cc(case, "li", to_user="qiye")
    assert_names(caught[0], "某某公司是企业账号", "qiye", username="qiye")
