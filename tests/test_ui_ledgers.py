"""Ledger pages: the table, filters, downloads, and who may read them."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import quote

from flask.testing import FlaskClient
from lxml import html as lxml_html
from openpyxl import load_workbook

from engine.api import Engine
from engine.queries.ledger import LEDGERS
from engine.time.clock import FixedClock
from tests.process_helpers import PROCESSES, legacy_files
from tests.test_ledger import (
    follow_up,
    two_cases,  # noqa: F401 - the fixture
)
from tests.test_process_clue_triage import FULIANG
from tests.test_process_legacy_case import CLUE as LEGACY
from tests.test_ui_support import PASSWORD, login, make_app


def client_for(engine: Engine, username: str, roles: list[str],
               unit: str | None = None) -> FlaskClient:
    engine.add_user(username, roles, unit=unit, password=PASSWORD)
    client = make_app(engine).test_client()
    login(client, username)
    return client


def test_ledger_page_lists_cases_with_deadlines(two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    page = client.get("/ledgers/clue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ZF-2026-000001" in html and "ZF-2026-000002" in html
    assert "否（超期）" in html
    only = client.get("/ledgers/clue", query_string={"unit": FULIANG}).get_data(as_text=True)
    assert "ZF-2026-000001" in only and "ZF-2026-000002" not in only
    bad = client.get("/ledgers/clue?month=2026-13")  # the whole ledger, and what was wrong
    assert bad.status_code == 200 and "月份“2026-13”无法识别" in bad.get_data(as_text=True)
    assert "ZF-2026-000002" in bad.get_data(as_text=True)
    assert client.get("/ledgers/nope").status_code == 404


def test_ledger_unit_filter_by_alias_and_by_a_typo(two_cases: Engine) -> None:  # noqa: F811
    two_cases.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    client = client_for(two_cases, "shen", ["auditor"])
    alias = client.get("/ledgers/clue", query_string={"unit": "浮梁县纪委"}).get_data(as_text=True)
    assert "ZF-2026-000001" in alias and "ZF-2026-000002" not in alias
    # a typo: said beside the filter it kept, over the whole ledger (not 台账中没有记录)
    typo = client.get("/ledgers/clue", query_string={"unit": "浮梁县纪检委"})
    page = typo.get_data(as_text=True)
    assert typo.status_code == 200
    assert "单位：单位名录中没有“浮梁县纪检委”" in page and "下面是全部单位" in page
    assert 'name="unit" value="浮梁县纪检委"' in page
    assert "ZF-2026-000001" in page and "ZF-2026-000002" in page
    downloads = re.findall(r'href="(/ledgers/clue\?[^"]*format=[^"]*)"', page)
    assert len(downloads) == 2 and not any("%E6%B5%AE" in d for d in downloads)  # whole ledger
    csv = client.get("/ledgers/clue", query_string={"unit": "浮梁县纪检委", "format": "csv"})
    assert csv.status_code == 200 and "ZF-2026-000002" in csv.data.decode("utf-8-sig")


def test_ledger_downloads(two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    xlsx = client.get("/ledgers/clue?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value == "ZF-2026-000001"
    csv = client.get("/ledgers/clue?format=csv")
    assert csv.data.decode("utf-8-sig").splitlines()[1].startswith("ZF-2026-000001")
    # named as the ledger is, the month with it
    title = quote(LEDGERS["clue"].title + "（2026年9月）.xlsx", safe="")
    named = client.get("/ledgers/clue?format=xlsx&month=2026-09")
    assert f"filename*=UTF-8''{title}" in named.headers["Content-Disposition"]


def test_ledger_denied_and_narrowed(two_cases: Engine) -> None:  # noqa: F811
    intake = client_for(two_cases, "lu", ["intake"])
    assert intake.get("/ledgers/clue").status_code == 403
    handler = client_for(two_cases, "ma", ["handler"], unit=FULIANG)
    html = handler.get("/ledgers/clue").get_data(as_text=True)
    assert "ZF-2026-000001" in html and "ZF-2026-000002" not in html


def test_ledger_rows_link_the_case_and_show_times_as_the_ui_does(
        two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    tree = lxml_html.fromstring(client.get("/ledgers/clue").get_data(as_text=True))
    first = tree.xpath("//table[@id='ledger']/tbody/tr")[0]
    [link] = first.xpath("./th[@class='case-no']/a")  # the case number is the one link
    assert link.text == "ZF-2026-000001"
    assert link.get("href") == f"/instances/{two_cases.ledger('clue').instance_ids[0]}"
    assert first.xpath(".//td//a") == []
    cells = {td.get("data-label"): td.text_content() for td in first.xpath("./td")}
    assert cells["转办到位期限"] == "2026-10-08 17:30"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", cells["收到时间"])
    assert "T" not in "".join(cells.values()).replace("ZF", "")


def test_the_clue_ledger_page_and_downloads_have_the_follow_up_columns(
        two_cases: Engine, clock: FixedClock) -> None:  # noqa: F811
    """跟踪督办 on the page and in both downloads; the page marks 责任人 (kept on one line) and
    the follow-up's text (kept wide) for its style sheet."""
    follow_up(two_cases, clock, "2026-10-16T09:00:30+08:00", "已电话督促承办部门")
    client = client_for(two_cases, "shen", ["case_manager"])
    tree = lxml_html.fromstring(client.get("/ledgers/clue").get_data(as_text=True))
    assert tree.xpath("//table[@id='ledger']/thead//th/text()")[-2:] == ["最近跟踪督办", "督办次数"]
    first = tree.xpath("//table[@id='ledger']/tbody/tr")[0]
    cells = {td.get("data-label"): td for td in first.xpath("./td")}
    assert cells["最近跟踪督办"].text_content() == "2026-10-16 已电话督促承办部门"
    assert cells["督办次数"].text_content() == "1"
    assert "person" in cells["责任人"].get("class").split()
    assert "gist" in cells["最近跟踪督办"].get("class").split()
    assert "time" in cells["转办到位期限"].get("class").split()
    csv = client.get("/ledgers/clue?format=csv").data.decode("utf-8-sig").splitlines()
    assert csv[0].endswith(",最近跟踪督办,督办次数")
    assert csv[1].endswith(",2026-10-16 已电话督促承办部门,1")
    sheet = load_workbook(io.BytesIO(client.get("/ledgers/clue?format=xlsx").data)).active
    assert [c.value for c in sheet[2]][-2:] == ["2026-10-16 已电话督促承办部门", 1]


def test_xlsx_has_date_cells_and_fitting_columns(two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    sheet = load_workbook(io.BytesIO(client.get("/ledgers/clue?format=xlsx").data)).active
    headers = [c.value for c in sheet[1]]
    due = sheet.cell(2, headers.index("转办到位期限") + 1)
    assert due.value == datetime(2026, 10, 8, 17, 30) and due.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(sheet["B2"].value, datetime) and sheet["B2"].is_date
    widths = {h: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width
              for i, h in enumerate(headers)}
    assert widths["转办到位期限"] >= 16 and widths["编号"] >= len("ZF-2026-000001")
    assert widths["承办部门"] > widths["状态"]  # by their content, not one width for all
    csv = client.get("/ledgers/clue?format=csv").data.decode("utf-8-sig")
    assert "2026-10-08 17:30," in csv and "T17:30" not in csv



def test_amounts_under_a_header_naming_the_unit_are_the_number_alone(engine: Engine) -> None:
    """涉及金额（万元） over 1,250.50, not 1,250.50万元: the page; the .xlsx holds the number shown
    with separators; the CSV the plain number."""
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(legacy_files())
    engine.add_user("gaige", ["reform_group"])
    for amount in (1250.5, 120):
        engine.send_message("legacy_clue_registered", {}, {**LEGACY, "amount": amount}, "gaige")
    client = client_for(engine, "shen", ["auditor"])
    tree = lxml_html.fromstring(client.get("/ledgers/legacy").get_data(as_text=True))
    cells = [td.text_content() for td in tree.xpath("//td[@data-label='涉及金额（万元）']")]
    assert cells == ["1,250.50", "120"]
    sheet = load_workbook(io.BytesIO(client.get("/ledgers/legacy?format=xlsx").data)).active
    column = [c.value for c in sheet[1]].index("涉及金额（万元）") + 1
    shown = [(sheet.cell(r, column).value, sheet.cell(r, column).number_format) for r in (2, 3)]
    assert shown == [(1250.5, "#,##0.00"), (120, "#,##0")]
    csv = client.get("/ledgers/legacy?format=csv").data.decode("utf-8-sig").splitlines()
    assert [line.split(",")[column - 1] for line in csv[1:]] == ["1250.5", "120"]
