"""The header every page shares: the inbox counts, the bell and 发起 stay right as tasks move
and procedures are deployed; an error page's header shows no counts (none are read for it)."""

from __future__ import annotations

import re

from flask import Flask

from engine import may_start_any, startable
from engine.api import Engine
from tests.conftest import diagram_files
from tests.test_ui_support import as_user, make_app, start_case, task_of
from web.ui.auth import session_values

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app


def counts(html: str) -> dict[str, int]:
    """The header's counts by id (none on an error page)."""
    return {name: int(n) for name, n in re.findall(r'id="count-(\w+)">(\d+)<', html)}


def bell(html: str) -> int | None:
    found = re.search(r'id="bell-count">(\d+)<', html)
    return int(found.group(1)) if found else None


def test_the_counts_follow_the_tasks_and_error_pages_show_none(app: Flask, eng: Engine
                                                               ) -> None:
    li = as_user(app, "li")
    assert counts(li.get("/").text) == {"mine": 0, "overdue": 0, "today": 0}
    eng.add_user("xu", ["intake"])  # starts the cases: li is told of their first step
    start_case(eng, by="xu")
    start_case(eng, by="xu")
    page = li.get("/start").text
    assert counts(page) == {"mine": 0, "overdue": 0, "today": 2} and bell(page) == 2
    li.post(f"/tasks/{task_of(eng, 'li', 'propose')}/claim")
    assert counts(li.get("/").text) == {"mine": 1, "overdue": 0, "today": 2}

    missing = li.get("/instances/999")
    assert missing.status_code == 404 and 'id="nav-done"' in missing.text
    assert counts(missing.text) == {} and bell(missing.text) is None
    assert 'aria-label="通知"' in missing.text
    refused = li.get("/audit/")
    assert refused.status_code == 403 and counts(refused.text) == {}
    assert 'href="/start"' in refused.text  # the navigation itself stays whole

    eng.complete(task_of(eng, "li", "propose"), {"proposal": "转办"}, "li")
    page = li.get("/").text
    assert counts(page) == {"mine": 0, "overdue": 0, "today": 1} and bell(page) == 1
    # (the notice of the task just done was settled with it: engine/notify/settle.py)


def test_start_is_offered_once_a_procedure_lets_the_role_start(engine: Engine) -> None:
    """The starting roles are kept between pages until a deploy: a deploy reaches the next
    page, of this app and of another process's (a second engine on the same database)."""
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    app = make_app(engine)
    other = Engine(engine.url, clock=engine.clock, upgrade=False)
    try:
        other_app = make_app(other)

        def offered(flask_app: Flask, username: str) -> bool:
            client = flask_app.test_client()
            with client.session_transaction() as session:
                session.update(session_values(engine.user(username)))
            page = client.get("/")
            assert page.status_code == 200
            return 'href="/start"' in page.text

        assert not offered(app, "li") and not offered(other_app, "li")
        engine.deploy(diagram_files("approval.bpmn"))
        assert offered(app, "li") and offered(other_app, "li")
        assert not offered(app, "wang") and not offered(other_app, "wang")
        for username in ("li", "wang"):
            user = engine.user(username)
            assert may_start_any(other, user) is bool(startable(other, username))
    finally:
        other.close()
