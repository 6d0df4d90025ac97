"""转办, 委派 and 加签 stay within the task's area: a county's task goes only to that county's
units and people (never another county's 纪委监委), a city-level task to any unit of the city.
The engine refuses the rest, and the pickers, the page and the API offer and take the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from engine import Engine, EngineError, InvalidData
from tests.conftest import diagram_files
from tests.test_api_helpers import api_of, error_of
from tests.test_ui_support import FULIANG, LEPING, PASSWORD, as_user

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app
ROOT = Path(__file__).resolve().parent.parent
CITY = "市纪委市监委"


@contextmanager
def says(kind: type[EngineError], chinese: str) -> Iterator[None]:
    with pytest.raises(kind) as caught:
        yield
    assert chinese in caught.value.said.render("zh")


def counties(engine: Engine) -> Engine:
    """The directory, and an intake clerk and two approvers in 浮梁, one in 乐平, one and an
    intake clerk at the city."""
    engine.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    for name, roles, unit in (("fl_intake", ["intake"], FULIANG),
                              ("fl_boss", ["approver"], FULIANG),
                              ("fl_boss2", ["approver"], FULIANG),
                              ("lp_boss", ["approver"], LEPING),
                              ("city_intake", ["intake"], CITY),
                              ("city_boss", ["approver"], CITY)):
        engine.add_user(name, roles, unit=unit, password=PASSWORD, display_name=name)
    return engine


def approve_task(engine: Engine, intake: str) -> str:
    """A case registered by ``intake`` at the 审批 step, which its jurisdiction works."""
    case = engine.start("approval", {"summary": "拖延办理营业执照", "unit": FULIANG}, intake)
    propose = next(t.id for t in engine.inbox.for_user(intake) if t.name == "propose")
    engine.complete(propose, {"proposal": "转办"}, intake)
    return next(t.id for t in engine.instance(case.id).tasks if t.name == "approve")


@pytest.fixture
def world(people: Engine) -> Engine:
    """On SQLite and PostgreSQL."""
    people.deploy(diagram_files("approval.bpmn"))
    return counties(people)


@pytest.fixture
def ui_world(eng: Engine) -> Engine:
    return counties(eng)


def test_a_county_task_is_never_handed_to_another_county(world: Engine) -> None:
    approve = approve_task(world, "fl_intake")
    assert world.inbox.task(approve, "fl_boss").unit == FULIANG
    assert [u.name for u in world.ops.handover_units(approve)] == [FULIANG]
    assert [p.username for p in world.ops.handover_people(approve, "fl_boss")] == ["fl_boss2"]
    with says(InvalidData, f"{LEPING}不在浮梁县：此任务属浮梁县"):
        world.ops.transfer(approve, "fl_boss", "属地", to_unit=LEPING)
    with says(InvalidData, "lp_boss（乐平市纪委监委）不在浮梁县"):
        world.ops.transfer(approve, "fl_boss", "属地", to_user="lp_boss")
    with says(InvalidData, "不在浮梁县"):
        world.ops.delegate(approve, "fl_boss", "lp_boss", "请协助")
    with says(InvalidData, "不在浮梁县"):
        world.ops.add_signer(approve, "fl_boss", "lp_boss")
    with says(InvalidData, "不在浮梁县"):  # nor to a user of no unit, who is no county's
        world.ops.add_signer(approve, "fl_boss", "wang")
    assert approve not in {t.id for t in world.inbox.for_user("lp_boss")}
    # within the county it goes as before
    view = world.ops.transfer(approve, "fl_boss", "出差", to_user="fl_boss2")
    assert {t.name: t.assignee for t in view.tasks}["approve"] == "fl_boss2"
    world.ops.delegate(approve, "fl_boss2", "fl_boss", "请协助")
    assert world.inbox.task(approve, "fl_boss").assignee == "fl_boss"


def test_a_county_task_goes_to_its_own_unit_pool(world: Engine) -> None:
    approve = approve_task(world, "fl_intake")
    view = world.ops.transfer(approve, "fl_boss", "请他人审批", to_unit="浮梁县纪委")
    assert {t.name: (t.unit, t.assignee) for t in view.tasks}["approve"] == (FULIANG, None)


def test_a_city_task_may_go_down_to_a_county(world: Engine) -> None:
    """The city hands clues down to the counties' 纪委监委 (承办部门), so its tasks may be
    transferred anywhere in the city."""
    approve = approve_task(world, "city_intake")
    assert world.inbox.task(approve, "city_boss").unit == CITY
    offered = [u.name for u in world.ops.handover_units(approve)]
    assert {CITY, FULIANG, LEPING} <= set(offered)
    view = world.ops.transfer(approve, "city_boss", "交县里办理", to_unit=LEPING)
    assert {t.name: t.unit for t in view.tasks}["approve"] == LEPING
    assert approve in {t.id for t in world.inbox.for_user("lp_boss")}


def test_the_page_offers_and_takes_only_the_county(app: Flask, ui_world: Engine) -> None:
    approve = approve_task(ui_world, "fl_intake")
    boss = as_user(app, "fl_boss")
    page = boss.get(f"/tasks/{approve}").text
    units = page.split('<datalist id="handover-units">')[1].split("</datalist>")[0]
    assert f'<option value="{FULIANG}">' in units and LEPING not in units
    people = page.split('<datalist id="handover-people">')[1].split("</datalist>")[0]
    assert "fl_boss2" in people and "lp_boss" not in people
    refused = boss.post(f"/tasks/{approve}/transfer",
                        data={"to_unit": LEPING, "reason": "属地"}, follow_redirects=True)
    assert f"{LEPING}不在浮梁县" in refused.text
    assert ui_world.inbox.task(approve, "fl_boss").unit == FULIANG
    assert approve not in {t.id for t in ui_world.inbox.for_user("lp_boss")}


def test_the_api_refuses_another_county(ui_world: Engine) -> None:
    api = api_of(ui_world)
    approve = approve_task(ui_world, "fl_intake")
    for path, body in (("transfer", {"to_unit": LEPING, "reason": "属地"}),
                       ("transfer", {"to": "lp_boss", "reason": "属地"}),
                       ("delegate", {"to": "lp_boss"}),
                       ("add-signer", {"to": "lp_boss"})):
        error = error_of(api.post(f"/tasks/{approve}/{path}", "fl_boss", json=body), 422)
        assert "不在浮梁县" in error["message"] + str(error["details"])
    moved = api.post(f"/tasks/{approve}/transfer", "fl_boss",
                     json={"to": "fl_boss2", "reason": "出差"})
    assert moved.status_code == 200
