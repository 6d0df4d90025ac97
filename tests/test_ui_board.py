"""The overdue board and the auditor pages: counts by unit and procedure with a frozen clock,
the tasks behind a count, read-only histories; and who may not see them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from flask import Flask

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.process_helpers import PROCESSES
from tests.test_ui_support import FULIANG, LEPING, as_user, start_case, transfer

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app


def test_board_counts_by_unit_and_procedure(app: Flask, eng: Engine,
                                             ui_clock: FixedClock) -> None:
    transfer(eng, FULIANG)
    transfer(eng, LEPING)
    ui_clock.advance(timedelta(days=9))  # 2026-10-09 16:00: both handle tasks overdue
    start_case(eng)  # due today, 17:30, no unit: the intake office's
    page = as_user(app, "sun").get("/board/")
    assert page.status_code == 200
    assert 'id="total-overdue">2<' in page.text and 'id="total-today">1<' in page.text
    assert FULIANG in page.text and LEPING in page.text and "（未分单位）" not in page.text
    # a row of tasks with no unit names the role that works them, and its counts lead to
    # that role's tasks
    assert '<td data-label="单位">受理员</td>' in page.text
    assert 'href="/board/tasks?unit=&amp;role=intake&amp;process=approval&amp;when=today' \
        '&amp;order=overdue"' in page.text
    by_role = as_user(app, "sun").get("/board/tasks?unit=&role=intake&process=approval"
                                      "&when=today")
    assert "TS-2026-000003" in by_role.text and "<small>受理员</small>" in by_role.text
    assert "TS-2026-000003" not in as_user(app, "sun").get(
        "/board/tasks?unit=&role=approver&process=approval&when=today").text
    assert "测试审批" in page.text
    # grouped by jurisdiction, a heading row spans every column (it stopped short of 已催办)
    grouped = as_user(app, "sun").get("/board/?order=area").text
    columns = grouped.split('<thead>')[1].split('</thead>')[0].count("<th>")
    assert f'<tr class="area"><th colspan="{columns}" scope="rowgroup">' in grouped
    assert 'class="area"' not in page.text  # most overdue first: one list
    tasks = as_user(app, "sun").get(f"/board/tasks?unit={FULIANG}&process=approval"
                                    "&when=overdue")
    assert tasks.status_code == 200
    assert "TS-2026-000001" in tasks.text and "TS-2026-000002" not in tasks.text
    assert "已超期 1 个工作日" in tasks.text
    today = as_user(app, "sun").get("/board/tasks?unit=&process=approval&when=today")
    assert "TS-2026-000003" in today.text
    assert "<small>（未分单位）</small>" in today.text  # the city-level steps, not "all units"
    assert as_user(app, "sun").get("/board/tasks?when=soon").status_code == 400


def test_board_of_a_unit_user_shows_only_their_unit(app: Flask, eng: Engine,
                                                    ui_clock: FixedClock) -> None:
    transfer(eng, FULIANG)
    transfer(eng, LEPING)
    ui_clock.advance(timedelta(days=9))
    page = as_user(app, "zhao").get("/board/")
    assert page.status_code == 200
    assert FULIANG in page.text and LEPING not in page.text
    assert 'id="total-overdue">1<' in page.text
    other = as_user(app, "zhao").get(f"/board/tasks?unit={LEPING}&when=overdue")
    assert other.status_code == 403


def test_board_denied_to_roles_without_one(app: Flask) -> None:
    for user in ("li", "ent", "design"):
        assert as_user(app, user).get("/board/").status_code == 403, user


def test_auditor_finds_and_reads_any_instance(app: Flask, eng: Engine) -> None:
    instance_id = transfer(eng, FULIANG)
    start_case(eng, summary="另一件")
    auditor = as_user(app, "audit")
    listing = auditor.get("/audit/")
    assert listing.status_code == 200
    assert "TS-2026-000001" in listing.text and "TS-2026-000002" in listing.text
    found = auditor.get("/audit/?q=000001&status=running&process=approval")
    assert "TS-2026-000001" in found.text and "TS-2026-000002" not in found.text
    page = auditor.get(f"/audit/instances/{instance_id}")
    assert page.status_code == 200
    assert "哈希链完整" in page.text and "只读" in page.text
    assert "提出处置意见" in page.text and "审批" in page.text
    assert '<form method="post"' not in page.text.split("</header>", 1)[1]  # read-only
    assert auditor.get("/audit/instances/999").status_code == 404


def test_audit_pages_need_the_auditor_role(app: Flask, eng: Engine) -> None:
    instance_id = transfer(eng)
    for user in ("li", "zhao", "design"):
        client = as_user(app, user)
        assert client.get("/audit/").status_code == 403, user
        assert client.get(f"/audit/instances/{instance_id}").status_code == 403, user


def test_board_task_names_link_to_the_task_for_who_may_open_it_else_to_the_case(
        app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    instance_id = transfer(eng, FULIANG)
    [handle] = [t.id for t in eng.instance(instance_id).tasks]
    ui_clock.advance(timedelta(days=9))
    query = f"/board/tasks?unit={FULIANG}&process=approval&when=overdue"
    handler = as_user(app, "zhao").get(query).text.split('data-label="任务"')[1][:300]
    assert f'<a href="/tasks/{handle}">' in handler
    supervisor = as_user(app, "sun").get(query).text.split('data-label="任务"')[1][:300]
    assert f'<a href="/instances/{instance_id}">' in supervisor and "/tasks/" not in supervisor


def _units(page: str) -> list[str]:
    return [cell.split("</td>")[0] for cell in page.split('<td data-label="单位">')[1:]]


def test_board_lists_the_most_overdue_first_and_filters_by_procedure(
        app: Flask, eng: Engine, ui_clock: FixedClock) -> None:
    """The 乐平 handler has two overdue tasks, 浮梁 one: 乐平 leads, though the directory
    lists 浮梁县 first (grouped by jurisdiction it still does); a procedure chosen keeps only
    its rows and its totals, in a link that can be passed on."""
    eng.deploy(diagram_files("sendback.bpmn"))
    transfer(eng, FULIANG)
    transfer(eng, LEPING)
    transfer(eng, LEPING)
    ui_clock.advance(timedelta(days=9))
    eng.start("sendback", {}, "li")
    # the directory names the units' jurisdictions (浮梁县 before 乐平市)
    eng.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    sun = as_user(app, "sun")
    page = sun.get("/board/").text
    assert _units(page) == [LEPING, FULIANG, "受理员"]
    assert _units(sun.get("/board/?order=area").text)[:2] == [FULIANG, LEPING]
    assert '<option value="approval" >测试审批</option>' in page
    assert '<option value="sendback" >退回测试</option>' in page
    only = sun.get("/board/?process=sendback").text
    assert _units(only) == ["受理员"] and "测试审批</td>" not in only
    assert '<option value="sendback" selected>' in only and 'id="total-overdue">0<' in only
    approval = sun.get("/board/?process=approval&order=area").text
    assert _units(approval) == [FULIANG, LEPING] and 'id="total-overdue">3<' in approval
    assert '<tr class="area"><th colspan="6" scope="rowgroup">浮梁县</th></tr>' in approval
    # the other ordering keeps the procedure chosen
    assert 'href="/board/?order=overdue&amp;process=approval"' in approval
    assert sun.get("/board/?order=nonsense").status_code == 200
    # a count's tasks lead back to the board as it was shown, ordered and filtered
    cell = f"/board/tasks?unit={quote(FULIANG)}&amp;process=approval&amp;when=overdue" \
        "&amp;order=area&amp;filter=approval"
    assert f'href="{cell}"' in approval
    drill = sun.get(cell.replace("&amp;", "&")).text
    assert '<a href="/board/?order=area&amp;process=approval">超期看板</a>' in drill
    plain = sun.get(f"/board/tasks?unit={FULIANG}&process=approval&when=overdue"
                    "&order=nonsense").text
    assert '<a href="/board/">超期看板</a>' in plain
