"""Real Chromium (tests/browser_support.py) walks each supervising role through its
statistics page over known data (tests/stats_support.py): the menu link, the ECharts charts
drawn under the strict page policy, the figures in the tables, a period filter, a count and
a bar clicked down to their cases."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.browser_support import Server, chromium, serve, sign_in
from tests.process_helpers import at
from tests.stats_support import intermediary_data, known_data
from tests.test_browser_csp import WATCH

ROOT = Path(__file__).resolve().parent.parent
ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"
PASSWORD = "pw-stats-browser"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium((ECHARTS, "echarts is not installed: run scripts/setup-frontend")) as b:
        yield b


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("stats-browser") / "stats.db"
    clock = FixedClock(at("2026-05-11T10:00:00+08:00"))
    engine = Engine(f"sqlite:///{path}", clock=clock)
    known_data(engine, clock, PASSWORD)
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text)
          if "Content Security Policy" in m.text else None)
    pg.on("pageerror", lambda exc: problems.append(str(exc)))
    yield pg
    problems += pg.evaluate("window.__csp || []")
    context.close()
    assert problems == [], problems


def open_statistics(page: Any, server: Server, user: str) -> None:
    sign_in(page, server, user, PASSWORD)
    page.click("nav.main >> text=统计分析")
    page.wait_for_selector(".chart svg")


def cell(page: Any, figure: str, row: str, column: str) -> str:
    text: str = page.locator(f'table[data-figure="{figure}"] tr[data-key="{row}"] '
                             f'td[data-column="{column}"]').inner_text()
    return text.strip()


def sections(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all("section.stats-section",
                                               "els => els.map(e => e.id)")
    return [i.removeprefix("section-") for i in ids]


def charts_drawn(page: Any, section: str | None = None) -> int:
    """The charts drawn on the page, or in one of its sections."""
    within = f"#section-{section} " if section else ""
    drawn: int = page.eval_on_selector_all(
        f"{within}.chart", "els => els.filter(e => e.querySelector('svg rect, svg path')).length")
    return drawn


def test_case_management_office(page: Any, server: Server) -> None:
    open_statistics(page, server, "sun")
    assert sections(page) == ["timeliness", "clues", "intermediary"]
    assert charts_drawn(page) == 4
    assert cell(page, "on_time_by_process", "clue_triage", "rate") == "66.7%"
    assert cell(page, "clues_by_source", "12345热线", "total") == "1"
    page.click('table[data-figure="on_time_by_process"] tr[data-key="clue_triage"] '
               'td[data-column="overdue_open"] a')
    page.wait_for_selector("#stats-tasks")  # a count of tasks lists its tasks
    [overdue] = page.locator("#stats-tasks tbody tr").all_inner_texts()
    assert overdue.startswith("ZF-2026-000002") and "转办到位" in overdue


def test_column_titles_stand_over_their_figures(page: Any, server: Server) -> None:
    """Figures are right-aligned; so is each column's title, else a figure reads as the next
    column's (办结 over nothing, 0.0% under no title)."""
    open_statistics(page, server, "sun")
    edges = page.evaluate("""() => {
      const right = el => { const r = document.createRange(); r.selectNodeContents(el);
                            return Math.round(r.getBoundingClientRect().right); };
      const t = document.querySelector('table[data-figure="on_time_by_process"]');
      const heads = [...t.querySelectorAll('thead th')].slice(1).map(right);
      const cells = [...t.querySelector('tbody tr').querySelectorAll('td')].map(right);
      return [heads, cells];
    }""")
    heads, cells = edges
    assert len(heads) == len(cells) > 3
    assert all(abs(h - c) <= 2 for h, c in zip(heads, cells, strict=True)), edges


def test_supervision_office_filters_a_period(page: Any, server: Server) -> None:
    open_statistics(page, server, "zhou")
    assert sections(page) == ["timeliness", "clues", "intermediary", "hotline"]
    assert cell(page, "hotline_satisfaction", "", "rate") == "100.0%"
    page.fill("input[name=from]", "2026-10-01")
    page.fill("input[name=to]", "2026-10-31")
    page.click("#stats-filter button[type=submit]")
    page.wait_for_url("**/stats/?from=2026-10-01*")
    page.wait_for_selector(".chart svg")
    assert cell(page, "on_time_by_process", "clue_triage", "done") == "3"
    assert cell(page, "on_time_by_process", "clue_triage", "rate") == "50.0%"
    assert page.locator('table[data-figure="clues_by_source"] tr[data-key="举报直通车"]'
                        ).count() == 0
    assert "from=2026-10-01" in (page.get_attribute("#stats-export", "href") or "")


def test_reform_group_clicks_a_bar_down_to_its_cases(page: Any, server: Server) -> None:
    open_statistics(page, server, "gaige")
    assert sections(page) == ["timeliness", "intermediary", "legacy", "subsidy"]
    assert cell(page, "legacy_by_stage", "verification", "resolved") == "1"
    assert cell(page, "legacy_by_stage", "self_inspection", "rate") == "0.0%"
    assert cell(page, "subsidy_payouts", "subsidy_instant", "amount") == "36,000"
    assert cell(page, "subsidy_payouts", "subsidy_instant", "avg_days") == "3.0"
    chart = page.locator("#figure-legacy_by_stage .chart")
    chart.scroll_into_view_if_needed()
    # the middle of the 累计化解 bar of 核实处理 (series 1, data 1), as ECharts laid it out
    x, y = page.evaluate("""el => {
        const bar = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(1)
            .getData().getItemLayout(1);
        return [bar.x + bar.width / 2, bar.y + bar.height / 2];
    }""", chart.element_handle())
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#stats-cases")
    assert "累计化解" in page.locator("h1").inner_text()
    assert page.locator("#stats-cases tbody tr").count() == 1
    assert "已办结" in page.locator("#stats-cases tbody tr").inner_text()


def test_city_leader_sees_every_section(page: Any, server: Server) -> None:
    open_statistics(page, server, "chu")
    assert sections(page) == ["timeliness", "clues", "intermediary", "legacy", "subsidy",
                              "hotline"]
    assert charts_drawn(page) == 9
    assert cell(page, "on_time_by_unit", "", "overdue_open") == "1"
    assert cell(page, "legacy_by_type", "账款支付不到位", "open") == "1"


def test_statistics_screenshot(browser: Any, server: Server, tmp_path: Path) -> None:
    """The page the user guide shows (docs/screenshots/statistics.png, written when
    ``KUAIBAN_SCREENSHOTS=1``: scripts/screenshots)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1300}, locale="zh-CN")
    page = context.new_page()
    try:
        open_statistics(page, server, "chu")
        page.wait_for_function("document.querySelectorAll('.chart svg').length == 9")
        folder = ROOT / "docs" / "screenshots" if os.environ.get(
            "KUAIBAN_SCREENSHOTS") == "1" else tmp_path
        shot = folder / "statistics.png"
        page.screenshot(path=str(shot))  # the top: the filter and the first section
        assert shot.stat().st_size > 10_000
    finally:
        context.close()


# Each x axis label of a chart as drawn: its lines' texts joined and the box around them
# (a label's lines share its anchor, the transform of their <text> elements), for every
# <text> below the plot: the axis labels (the legend and the values are above it).
X_LABELS = """el => {
    const grid = echarts.getInstanceByDom(el).getModel().getComponent('grid')
        .coordinateSystem.getRect();
    const below = el.getBoundingClientRect().top + grid.y + grid.height;
    const labels = new Map();
    for (const line of el.querySelectorAll('svg text')) {
        const box = line.getBoundingClientRect();
        if (box.top < below || !line.textContent.trim()) continue;
        const anchor = line.getAttribute('transform');
        const label = labels.get(anchor) || {text: '', left: box.left, right: box.right,
                                             top: box.top, bottom: box.bottom};
        label.text += line.textContent;
        label.left = Math.min(label.left, box.left);
        label.right = Math.max(label.right, box.right);
        label.top = Math.min(label.top, box.top);
        label.bottom = Math.max(label.bottom, box.bottom);
        labels.set(anchor, label);
    }
    return [...labels.values()];
}"""


def overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of labels whose boxes overlap (by more than half a pixel)."""
    def apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return (a["right"] <= b["left"] + 0.5 or b["right"] <= a["left"] + 0.5
                or a["bottom"] <= b["top"] + 0.5 or b["bottom"] <= a["top"] + 0.5)

    return [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if not apart(a, b)]


def readable_x_labels_on_a_phone(browser: Any, server: Server, user: str) -> int:
    """On a 390 px wide phone, every chart of ``user``'s page draws each of its units' or
    procedures' names whole, within the chart, none over another; the charts checked."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, server, user, PASSWORD)
        page.goto(server.url + "/stats/")
        page.wait_for_selector(".chart svg")
        charts = page.locator(".chart")
        for n in range(charts.count()):
            chart = charts.nth(n)
            chart.scroll_into_view_if_needed()
            names = json.loads(chart.get_attribute("data-chart") or "{}")["labels"]
            drawn = page.evaluate(X_LABELS, chart.element_handle())
            assert sorted(re.sub(r"\s", "", d["text"]) for d in drawn) == sorted(
                re.sub(r"\s", "", name) for name in names), (names, drawn)
            assert overlapping(drawn) == [], drawn
            box = chart.bounding_box()
            assert all(box["x"] <= d["left"] and d["right"] <= box["x"] + box["width"]
                       and d["bottom"] <= box["y"] + box["height"] for d in drawn), drawn
        return int(charts.count())
    finally:
        context.close()


def test_chart_labels_do_not_overlap_on_a_phone(browser: Any, server: Server) -> None:
    # 各流程按期办结率: four procedures' long names in 390 px
    assert readable_x_labels_on_a_phone(browser, server, "chu") == 9


@pytest.fixture(scope="module")
def intermediary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("stats-intermediary") / "stats.db"
    clock = FixedClock(at("2026-09-30T16:00:00+08:00"))
    engine = Engine(f"sqlite:///{path}", clock=clock)
    intermediary_data(engine, clock, PASSWORD)
    yield from serve(engine, clock)


def test_data_bureau_follows_the_intermediary_clues(page: Any,
                                                    intermediary_server: Server) -> None:
    open_statistics(page, intermediary_server, "zhuanban")
    assert sections(page) == ["intermediary", "subsidy", "hotline"]
    assert charts_drawn(page, "intermediary") == 4
    assert cell(page, "intermediary_by_category", "中介收费", "rate") == "0.0%"
    assert cell(page, "intermediary_on_time_by_unit", "浮梁县", "overdue_open") == "1"
    page.click('table[data-figure="intermediary_by_unit"] tr[data-key="浮梁县"] '
               'td[data-column="overdue"] a')
    page.wait_for_selector("#stats-cases")
    rows = page.locator("#stats-cases tbody tr").all_inner_texts()
    assert len(rows) == 1 and rows[0].startswith("ZJXS-2026-000002")


def test_intermediary_chart_labels_do_not_overlap_on_a_phone(
        browser: Any, intermediary_server: Server) -> None:
    # 中介服务事项: each item's number and its long name
    assert readable_x_labels_on_a_phone(browser, intermediary_server, "zhuanban") >= 4


# the numbers drawn over the bars and the rate line of each chart that lie on one another
OVERLAPS = """() => [...document.querySelectorAll('.chart')].flatMap(chart => {
    const plot = chart.querySelector('svg').getBoundingClientRect();
    const labels = [...chart.querySelectorAll('svg text')]
        .filter(t => /^\\d+(\\.\\d+)?%?$/.test(t.textContent) && getComputedStyle(t).opacity !== '0'
                     && t.getAttribute('opacity') !== '0')
        .map(t => [t.textContent, t.getBoundingClientRect()])
        .filter(([, b]) => b.width && b.top > plot.top + 40);  // not the legend
    const hit = [];
    labels.forEach(([a, p], i) => labels.slice(i + 1).forEach(([b, q]) => {
        if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1
            && q.top < p.bottom - 1) hit.push(`${chart.getAttribute('aria-label')}: ${a}/${b}`);
    }));
    return hit;
})"""


def test_a_phone_draws_no_number_over_another(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, server, "chu", PASSWORD)
        page.goto(server.url + "/stats/")  # the menu is folded on a phone
        page.wait_for_selector(".chart svg")
        assert page.evaluate(OVERLAPS) == []
    finally:
        context.close()
