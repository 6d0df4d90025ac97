"""The statistics pages (web/ui/stats.py) over known data (tests/stats_support.py): each
supervising role's sections, counts linking to their cases, filters, the .xlsx download,
the chart data for static/js/stats.js, and who may open them."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.process_helpers import ROOT, at
from tests.stats_support import intermediary_data, known_data
from tests.test_ui_support import choose_language, login, make_app

PASSWORD = "pw-stats-test"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app over the known data for the whole module: the pages only read."""
    path = tmp_path_factory.mktemp("stats") / "stats.db"
    engine = Engine(f"sqlite:///{path}", clock=FixedClock(at("2026-05-11T10:00:00+08:00")))
    assert isinstance(engine.clock, FixedClock)
    known_data(engine, engine.clock, PASSWORD)
    yield make_app(engine)
    engine.close()


def client_of(app: Flask, user: str) -> FlaskClient:
    client = app.test_client()
    login(client, user, PASSWORD)
    return client


def cell(page: str, figure: str, row: str, column: str) -> str:
    """The text of one table cell: the row with data-key ``row`` of the figure's table."""
    table = page[page.index(f'data-figure="{figure}"'):]
    table = table[:table.index("</table>")]
    tr = table[table.index(f'data-key="{html.escape(row)}"'):]
    td = tr[tr.index(f'data-column="{column}"'):]
    return re.sub(r"<[^>]+>", "", td[td.index(">") + 1:td.index("</td>")]).strip()


def charts(page: str) -> dict[str, Any]:
    found = re.findall(r"data-chart='([^']*)'", page)
    return {c["title"]: c for c in (json.loads(html.unescape(f)) for f in found)}


def test_each_supervising_role_sees_its_sections(app: Flask) -> None:
    expected = {"sun": ["timeliness", "clues", "intermediary"],
                "zhou": ["timeliness", "clues", "intermediary", "hotline"],
                "gaige": ["timeliness", "intermediary", "legacy", "subsidy"],
                "chu": ["timeliness", "clues", "intermediary", "legacy", "subsidy", "hotline"]}
    for user, sections in expected.items():
        page = client_of(app, user).get("/stats/").text
        assert re.findall(r'<section class="stats-section" id="section-(\w+)"', page) == sections
        assert 'href="/stats/"' in page  # the menu links the page


def test_counts_link_to_their_cases(app: Flask) -> None:
    client = client_of(app, "chu")
    page = client.get("/stats/").text
    assert cell(page, "on_time_by_process", "clue_triage", "rate") == "66.7%"
    assert cell(page, "on_time_by_process", "clue_triage", "late") == "1"
    assert cell(page, "subsidy_payouts", "subsidy_instant", "amount") == "36,000"
    assert cell(page, "legacy_by_stage", "verification", "rate") == "50.0%"
    link = re.search(r'href="(/stats/cases\?[^"]*figure=on_time_by_process[^"]*)"[^>]*>1<',
                     page.replace("&amp;", "&"))
    assert link is not None
    cases = client.get(link.group(1)).text
    assert "ZF-2026-000001" in cases and "ZF-2026-000002" not in cases
    # a count of tasks lists the tasks: of the ten finished steps with no unit, the five of
    # the clues, which the city's leaders read, not the legacy cases' (the reform group's)
    done = client.get("/stats/cases?figure=on_time_by_unit&key=&measure=done").text
    assert "共 5 项" in done
    listed = done[done.index('id="stats-tasks"'):]
    assert listed.count("<tr>") == 6 and "转办到位" in listed


def test_no_cell_repeats_the_unit_its_header_names(app: Flask) -> None:
    """兑付金额（元） over 36,000, not 36,000元: a unit the column's title names is said once."""
    page = client_of(app, "chu").get("/stats/").text  # the city leader: every section
    cells = re.findall(r'<td data-label="([^"]*)" data-column="[^"]*">(.*?)</td>', page, re.S)
    with_unit = [(m[1], re.sub(r"<[^>]+>", "", text).strip()) for label, text in cells
                 if (m := re.search(r"（([^）]+)）$", html.unescape(label)))]
    assert {unit for unit, _ in with_unit} == {"元", "工作日"}
    assert with_unit and not [(u, t) for u, t in with_unit if t.endswith(u)], with_unit
    assert cell(page, "subsidy_payouts", "subsidy_instant", "amount") == "36,000"
    client = client_of(app, "chu")
    choose_language(client)
    english = client.get("/stats/").text
    assert cell(english, "subsidy_payouts", "subsidy_instant", "amount") == "36,000"


def test_filters_narrow_the_figures_and_the_download(app: Flask) -> None:
    client = client_of(app, "sun")
    page = client.get("/stats/?from=2026-10-01&to=2026-10-31").text
    assert cell(page, "on_time_by_process", "clue_triage", "done") == "3"
    assert 'data-key="举报直通车"' not in page and cell(page, "clues_by_source", "12345热线",
                                                     "total") == "1"
    assert 'href="/stats/export.xlsx?from=2026-10-01&amp;to=2026-10-31"' in page
    book = load_workbook(io.BytesIO(client.get(
        "/stats/export.xlsx?from=2026-10-01&to=2026-10-31").data))
    assert book.sheetnames == ["统计说明", "各单位按期办结率", "各流程按期办结率",
                               "问题线索按问题类型", "问题线索按线索来源",
                               "中介服务问题线索按中介服务事项", "中介服务问题线索按问题类别",
                               "中介服务问题线索按责任单位", "中介服务问题线索各单位按期办结率"]
    bad = client.get("/stats/?from=2026-02-30")
    assert bad.status_code == 200 and "日期格式应为 YYYY-MM-DD" in bad.text
    chosen = client.get("/stats/?process=clue_triage").text
    assert '<option value="clue_triage" selected>' in chosen


def test_chart_data_carries_the_numbers_and_links(app: Flask) -> None:
    page = client_of(app, "gaige").get("/stats/").text
    stage = charts(page)["2026年“新官不理旧账”各阶段化解率"]
    assert stage["labels"] == ["自查摸排", "核实处理", "督促跟进", "总结提升"]
    [registered, resolved, rate] = stage["series"]
    assert (registered["values"], resolved["values"], rate["values"]) == (
        [2, 2, 2, 2], [0, 1, 1, 1], [0.0, 50.0, 50.0, 50.0])
    assert rate["type"] == "line" and rate["links"] == [None] * 4
    assert resolved["links"][1].startswith("/stats/cases?figure=legacy_by_stage")
    assert "<script>" not in page and " style=" not in page


def test_other_roles_may_not_open_the_statistics(app: Flask) -> None:
    for user in ("zhao",):
        client = client_of(app, user)
        assert 'href="/stats/"' not in client.get("/").text
        for path in ("/stats/", "/stats/export.xlsx",
                     "/stats/cases?figure=on_time_by_unit&measure=done"):
            assert client.get(path).status_code == 403
    assert client_of(app, "sun").get(
        "/stats/cases?figure=legacy_by_type&measure=total").status_code == 403
    assert app.test_client().get("/stats/").status_code == 302  # to the sign-in page


def test_statistics_in_english(app: Flask) -> None:
    client = client_of(app, "chu")  # the city leader: every section
    choose_language(client)
    page = client.get("/stats/").text
    figures = re.findall(r"<figcaption>([^<]*)", page)
    assert figures and not any(re.search(r"[\u4e00-\u9fff]", f) for f in figures), figures
    headers = re.findall(r"<th>([^<]+)</th>", page)
    assert headers and not any(re.search(r"[\u4e00-\u9fff]", h) for h in headers), headers
    stage = charts(page)["Resolution rate by stage of the 2026 “old debts” campaign"]
    assert stage["labels"] == ["Self-inspection", "Verification and handling", "Follow-up",
                               "Review and improvement"]
    assert "(no unit)" in page
    hint = re.search(r'<p class="hint">([^<]*)', page)
    assert hint and re.match(r"Counted at \d{4}-\d\d-\d\d \d\d:\d\d\. Tasks", hint[1]), hint
    bad = client.get("/stats/?from=2026-02-30").text
    assert "From: " in bad and "from: " not in bad


def test_the_data_bureau_sees_the_intermediary_clues(engine: Engine, clock: FixedClock) -> None:
    app = make_app(intermediary_data(engine, clock, PASSWORD))
    client = client_of(app, "zhuanban")
    assert 'href="/stats/"' in client.get("/").text  # the menu links the page
    page = client.get("/stats/").text
    assert re.findall(r'<section class="stats-section" id="section-(\w+)"', page) == [
        "intermediary", "subsidy", "hotline"]
    assert cell(page, "intermediary_by_item", "ZJ-001", "rate") == "100.0%"
    units = page[page.index('id="stats-units"'):]  # the figures' units, to filter by
    assert re.findall(r'<option value="([^"]+)">', units[:units.index("</datalist>")]) == [
        "市住建局", "市自然资源局", "浮梁县"]
    assert cell(page, "intermediary_by_category", "中介收费", "overdue") == "1"
    assert cell(page, "intermediary_by_unit", "市自然资源局", "rate") == "—"
    assert cell(page, "intermediary_on_time_by_unit", "市住建局", "rate") == "50.0%"
    assert "ZJ-001 建设工程施工图设计文件审查" in charts(page)[
        "中介服务问题线索按中介服务事项"]["labels"]
    table = page[page.index('data-figure="intermediary_by_unit"'):]
    row = table[table.index('data-key="浮梁县"'):]
    link = re.search(r'data-column="overdue"><a href="([^"]*)"', row)
    assert link is not None
    cases = client.get(html.unescape(link.group(1))).text
    assert "ZJXS-2026-000002" in cases and "ZJXS-2026-000001" not in cases
    assert client.get("/stats/cases?figure=on_time_by_unit&measure=done").status_code == 403
    choose_language(client)
    english = client.get("/stats/").text
    figures = re.findall(r"<figcaption>([^<]*)", english)
    assert figures and not any(re.search(r"[\u4e00-\u9fff]", f) for f in figures), figures
    headers = re.findall(r"<th>([^<]+)</th>", english)
    assert "Close-out rate" in headers and "Declined" in headers
    assert "Intermediary service clues" in english


def test_a_filter_that_cannot_hold_shows_no_figures_and_says_so_once(app: Flask) -> None:
    client = client_of(app, "sun")
    reversed_ = client.get("/stats/?from=2026-12-31&to=2026-01-01").text
    assert re.findall(r'<p class="flash error" role="alert">([^<]*)</p>', reversed_) == [
        "开始日期：不能晚于结束日期"]
    assert "<figure" not in reversed_ and 'id="stats-export"' not in reversed_
    assert 'value="2026-12-31"' in reversed_  # the filter stays to be corrected
    unknown = client.get("/stats/?unit=不存在的单位").text
    assert "单位名录中没有“不存在的单位”" in unknown
    known = client.get("/stats/?unit=浮梁县").text
    assert "单位名录中没有" not in known and "<figure" in known


def test_a_county_supervisor_s_unknown_unit_is_named_not_refused(engine: Engine,
                                                                 clock: FixedClock) -> None:
    """A county case manager who mistypes a unit in the filter is told the directory has no
    such unit, on the page, with the filter kept to correct: not a 403 "outside your area"."""
    known_data(engine, clock, PASSWORD)
    engine.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    engine.add_user("fl_cm", ["case_manager"], unit="浮梁县纪委监委", password=PASSWORD)
    client = client_of(make_app(engine), "fl_cm")
    page = client.get("/stats/?unit=浮粱县")
    assert page.status_code == 200
    assert re.findall(r'<p class="flash error" role="alert">([^<]*)</p>', page.text) == [
        "单位：单位名录中没有“浮粱县”"]
    assert "<figure" not in page.text and 'value="浮粱县"' in page.text
    assert client.get("/stats/?unit=乐平市").status_code == 403  # beyond the county: refused


def sections_shown(page: str) -> dict[str, bool]:
    """Each section of the page: True when it shows figures, False when it is one line."""
    found = re.findall(r'<section class="stats-section" id="section-(\w+)"( data-empty)?>', page)
    return {name: not empty for name, empty in found}


def test_a_section_with_nothing_counted_is_one_line(app: Flask) -> None:
    """The known data have no 中介服务 clue: the case managers see the section's title and
    that the period has none, not four empty figures; the city's leaders keep every section."""
    page = client_of(app, "sun").get("/stats/").text
    assert sections_shown(page) == {"timeliness": True, "clues": True, "intermediary": False}
    section = page[page.index('id="section-intermediary"'):]
    section = section[:section.index("</section>")]
    assert "<figure" not in section and "期间内没有数据。" in section
    assert 'href="#section-intermediary"' in page  # still named among the sections
    leader = client_of(app, "chu").get("/stats/").text
    assert list(sections_shown(leader)) == ["timeliness", "clues", "intermediary", "legacy",
                                            "subsidy", "hotline"]
    # a period with nothing at all: every section one line, the 2025 campaign's stages too
    # (four rows of zeros)
    empty = client_of(app, "chu").get("/stats/?from=2025-01-01&to=2025-12-31").text
    assert not any(sections_shown(empty).values())


def offered(page: str) -> list[str]:
    select = page[page.index('<select name="process">'):]
    return re.findall(r'<option value="(\w+)"', select[:select.index("</select>")])


def test_the_procedure_filter_offers_the_reader_s_procedures(engine: Engine,
                                                            clock: FixedClock) -> None:
    """A county's case manager chooses among the procedures with work in the county; the
    市政数局 among those its sections count; the city's leaders among every procedure."""
    known_data(engine, clock, PASSWORD)
    engine.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
    engine.add_user("fl_cm", ["case_manager"], unit="浮梁县纪委监委", password=PASSWORD)
    engine.add_user("shuju", ["data_bureau"], password=PASSWORD)
    app = make_app(engine)
    names = {p.key: p.name for p in engine.processes()}
    leader = offered(client_of(app, "chu").get("/stats/").text)
    assert sorted(leader) == sorted(names) and len(leader) > 5
    county = client_of(app, "fl_cm")
    assert offered(county.get("/stats/").text) == ["legacy_case", "clue_triage"]  # by name
    assert offered(client_of(app, "shuju").get("/stats/").text) == [
        "hotline_complaint", "subsidy_automatic", "subsidy_instant", "subsidy_commitment"]
    # a procedure chosen by its link stays chosen, offered or not
    chosen = county.get("/stats/?process=subsidy_instant").text
    assert '<option value="subsidy_instant" selected>' in chosen


def test_the_on_time_rate_says_how_it_is_counted(app: Flask) -> None:
    client = client_of(app, "sun")
    page = client.get("/stats/").text
    caption = page[page.index('id="figure-on_time_by_unit"'):]
    caption = caption[:caption.index("</figcaption>")]
    assert "按期办结率 = 按期办结 ÷（办结 + 超期未办结）" in caption
    choose_language(client)
    english = client.get("/stats/").text
    caption = english[english.index('id="figure-on_time_by_unit"'):]
    caption = caption[:caption.index("</figcaption>")]
    assert ("On-time rate = On-time handling ÷ (Completed + Overdue, not completed)"
            in html.unescape(caption))
