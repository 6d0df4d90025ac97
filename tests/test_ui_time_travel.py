"""Time travel on the instance page: the case, its open tasks and diagram after event N."""

from __future__ import annotations

import re

from engine.api import Engine
from engine.time.calendar import TZ
from tests.conftest import diagram_files
from tests.test_ui_support import PASSWORD, login, make_app

UNIT = "浮梁县纪委监委"


def test_auditor_steps_through_the_timeline(people: Engine) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.complete(people.inbox.for_user("wang")[0].id, {"approved": True}, "wang")
    people.add_user("shen", ["auditor"], password=PASSWORD)
    client = make_app(people).test_client()
    login(client, "shen")
    page = client.get(f"/instances/{view.id}?at=1").get_data(as_text=True)
    assert 'id="time-travel"' in page and "提出处置意见" in page and 'rel="next"' in page
    assert 'rel="prev"' not in page
    at1 = client.get(f"/instances/{view.id}/diagram.json?at=1").get_json()
    assert at1["active"] == ["propose"] and "approve" not in at1["completed"]
    at2 = client.get(f"/instances/{view.id}/diagram.json?at=2").get_json()
    assert at2["active"] == ["approve"] and "propose" in at2["completed"]
    now = client.get(f"/instances/{view.id}/diagram.json").get_json()
    assert now["active"] == ["handle"] and "f_ok" in now["flows"]
    assert client.get(f"/instances/{view.id}?at=0").status_code == 400
    assert client.get(f"/instances/{view.id}?at=99").status_code == 404
    people.add_user("nobody", ["enterprise"], password=PASSWORD)
    other = make_app(people).test_client()
    login(other, "nobody")
    # no part in the case: as if it did not exist
    assert other.get(f"/instances/{view.id}/diagram.json?at=1").status_code == 404


def test_the_shown_step_is_marked_and_named(people: Engine) -> None:
    """The step time travel shows: marked in the timeline (aria-current, 当前, no link to
    itself) and named with its number and time above the case and the diagram."""
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.add_user("shen", ["auditor"], password=PASSWORD)
    client = make_app(people).test_client()
    login(client, "shen")
    page = client.get(f"/instances/{view.id}?at=2").text
    steps = re.findall(r'<li class="event[^"]*"[^>]*>.*?</li>', page, re.S)
    assert len(steps) == 2
    started, shown = steps
    assert 'aria-current' not in started and "第 1 步" in started and "?at=1" in started
    assert re.match(r'<li class="event completed shown" aria-current="step"', shown)
    assert "第 2 步" in shown and '<span class="shown-label">当前</span>' in shown
    assert "提出处置意见" in shown and "?at=2" not in shown  # no link to what is shown
    at = people.history(view.id, "shen")[1].at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    assert f"<h2>回溯：第 2 步（办理 · 提出处置意见）之后 <small>{at}</small></h2>" in page
    assert f'<small id="diagram-step">第 2 步（办理 · 提出处置意见）之后 · {at}</small>' in page
    now = client.get(f"/instances/{view.id}").text
    assert "aria-current" not in now and "shown-label" not in now and 'id="diagram-step"' not in now
    client.get("/lang/en")
    english = client.get(f"/instances/{view.id}?at=2").text
    assert "Time travel: after step 2 (Work · 提出处置意见)" in english
    assert '<span class="shown-label">Shown</span>' in english
