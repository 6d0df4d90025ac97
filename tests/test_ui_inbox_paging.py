"""The inbox page a page at a time: 50 tasks in inbox order, next / previous / first links
that keep the tab and the procedure, the total of the filter, and the header's counts over
the whole inbox."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_inbox_paging import diagram, open_task
from tests.test_ui_support import as_user, choose_language, start_case

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app

LATE, TODAY = 30, 25  # li's propose tasks: overdue ones, then ones due today


@pytest.fixture
def inbox(eng: Engine, ui_clock: FixedClock) -> list[str]:
    """55 tasks for li, in inbox order: 30 started on 2026-09-30 (due that day at 17:30,
    overdue by now), then 25 due today, 2026-10-08 at 17:30."""
    for _ in range(LATE):
        start_case(eng)
    ui_clock.advance(timedelta(days=8, hours=-6))  # 2026-10-08 10:00, after National Day
    for _ in range(TODAY):
        start_case(eng)
    order = [t.id for t in eng.inbox.for_user("li")]
    assert len(order) == LATE + TODAY
    return order


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="task [a-z]+" data-task="([^"]+)"', page)


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(match.group(1)) if match else None


def count(page: str, name: str) -> int:
    match = re.search(rf'id="count-{name}">(\d+)<', page)
    assert match, name
    return int(match.group(1))


def total(page: str) -> str:
    match = re.search(r'id="inbox-total">([^<]+)<', page)
    assert match
    return match.group(1)


@pytest.fixture
def li(app: Flask) -> FlaskClient:
    return as_user(app, "li")


def test_first_page_holds_fifty_and_links_on(li: FlaskClient, inbox: list[str]) -> None:
    page = li.get("/").text
    assert rows(page) == inbox[:50]
    assert total(page) == "共 55 件"
    assert link(page, "next") == f"/?show=all&after={inbox[49]}"
    assert link(page, "prev") is None and link(page, "first") is None
    # the header counts the whole inbox, not the page
    assert (count(page, "overdue"), count(page, "today"), count(page, "mine")) == (30, 25, 0)
    assert re.search(r'title="全部待办">55<', page)


def test_second_page_and_back(li: FlaskClient, inbox: list[str]) -> None:
    second = li.get(f"/?show=all&after={inbox[49]}").text
    assert rows(second) == inbox[50:]
    assert total(second) == "共 55 件"
    assert link(second, "next") is None
    assert link(second, "first") == "/?show=all"
    assert link(second, "prev") == f"/?show=all&before={inbox[50]}"
    assert (count(second, "overdue"), count(second, "today")) == (30, 25)
    # claiming from page 2 comes back to page 2
    assert f'name="next" value="/?show=all&amp;after={inbox[49]}"' in second
    back = li.get(f"/?show=all&before={inbox[50]}").text
    assert rows(back) == inbox[:50]
    assert link(back, "prev") is None and link(back, "next") == f"/?show=all&after={inbox[49]}"


def test_tabs_and_procedure_page_with_their_own_totals(li: FlaskClient, eng: Engine,
                                                       inbox: list[str]) -> None:
    overdue = li.get("/?show=overdue").text
    assert rows(overdue) == inbox[:LATE] and total(overdue) == "共 30 件"
    assert link(overdue, "next") is None  # one page
    today = li.get("/?show=today").text
    assert rows(today) == inbox[LATE:] and total(today) == "共 25 件"
    by_process = li.get("/?process=approval").text
    assert rows(by_process) == inbox[:50]
    assert link(by_process, "next") == f"/?show=all&process=approval&after={inbox[49]}"
    assert rows(li.get(f"/?process=approval&after={inbox[49]}").text) == inbox[50:]
    other = li.get("/?process=other").text
    assert rows(other) == [] and total(other) == "共 0 件" and "没有符合条件的待办事项" in other
    assert count(other, "overdue") == 30  # still the whole inbox
    for task_id in (inbox[3], inbox[52]):
        eng.claim(task_id, "li")
    mine = li.get("/?show=mine").text
    assert rows(mine) == [inbox[3], inbox[52]] and total(mine) == "共 2 件"
    assert count(mine, "mine") == 2


def test_today_tab_and_its_count_reach_over_days_off(app: Flask, eng: Engine) -> None:
    eng.deploy([diagram("notice", "受理员")])  # due at the start data's "due"
    today, holiday, after_it = "2026-09-30T17:00+08:00", "2026-10-01T12:00+08:00", (
        "2026-10-08T12:00+08:00")  # National Day: 10-01..07 are days off
    ids = {due: open_task(eng, "notice", due) for due in (after_it, holiday, today, None)}
    page = as_user(app, "li").get("/?show=today").text
    assert rows(page) == [ids[today], ids[holiday]]
    assert "今日到期" in page and "即将到期" in page  # as their countdowns say
    assert total(page) == "共 2 件" and count(page, "today") == 2


def test_a_page_past_the_end_leads_back(li: FlaskClient, inbox: list[str]) -> None:
    past = li.get(f"/?after={inbox[-1]}").text
    assert rows(past) == [] and "没有符合条件的待办事项" in past
    assert link(past, "first") == "/?show=all"
    assert link(past, "prev") is None and link(past, "next") is None
    assert li.get("/?after=no-such-task").status_code == 404


def test_small_inbox_has_no_pager(app: Flask, eng: Engine) -> None:
    start_case(eng)
    page = as_user(app, "li").get("/").text
    assert len(rows(page)) == 1 and total(page) == "共 1 件"
    assert 'class="pager"' not in page


def test_pager_in_english(li: FlaskClient, inbox: list[str]) -> None:
    choose_language(li)
    page = li.get(f"/?after={inbox[9]}").text
    assert total(page) == "55 tasks in all"
    assert "First page" in page and "Previous page" in page and "Next page" not in page
