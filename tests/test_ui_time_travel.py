"""Time travel on the instance page: the case, its open tasks and diagram after event N."""

from __future__ import annotations

from engine.api import Engine
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
