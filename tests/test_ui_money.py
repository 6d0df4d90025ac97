"""Amounts as people read them: 480,000元 with separators and the unit on case pages and the
documents' print view, 480,000 where a label or a column's header names the unit;
the stored data keeps the number."""

from __future__ import annotations

from lxml import html as lxml_html

from engine.api import Engine
from tests.demo_support import demo, signed_in  # noqa: F401  # fixture
from web.ui.fmt import ledger_cell, money


def case_id(engine: Engine, business_key: str) -> int:
    return next(i for i in range(1, 20) if engine.instance(i).business_key == business_key)


def text(page: str) -> str:
    return lxml_html.fromstring(page).text_content()


def test_money_reads_with_separators_and_unit() -> None:
    assert money(480000) == "480,000元"
    assert money(480000.5) == "480,000.50元"
    assert money(1200, "万元") == "1,200万元"
    assert money("不详") == "不详"
    assert ledger_cell(35.5, "涉及金额（万元）") == "35.50"  # the header names the unit
    assert ledger_cell(480000, "金额（元）") == "480,000"
    assert ledger_cell(35, "问题类型") == "35"


def test_case_page_shows_amounts_and_keeps_the_number(demo: Engine) -> None:  # noqa: F811
    pending = case_id(demo, "JSJX-2026-000002")
    page = text(signed_in(demo, "policy_sw").get(f"/instances/{pending}").text)
    # 申请金额（元）: the label names the unit, the amount is not followed by it again
    assert "申请金额（元）480,000" in page and "480,000元" not in page
    assert "480000" not in page
    assert demo.instance(pending).data["requested_amount"] == 480000
    paid = case_id(demo, "JSJX-2026-000001")
    mine = text(signed_in(demo, "enterprise").get(f"/instances/{paid}").text)
    assert "36,000" in mine and "36,000元" not in mine  # 核定金额（元）


def test_statistics_and_print_view_show_amounts_with_separators(demo: Engine) -> None:  # noqa: F811
    stats = lxml_html.fromstring(signed_in(demo, "reform_group").get("/stats/").text)
    cells = [td.text_content().strip() for td in stats.xpath("//td[@data-column='amount']")]
    assert "36,000" in cells  # the column's title, 兑付金额（元）, names the unit
    paid = case_id(demo, "JSJX-2026-000001")
    web = signed_in(demo, "policy_sw")
    case = lxml_html.fromstring(web.get(f"/instances/{paid}").text)
    [link] = case.xpath("//section[@id='files']//tr[contains(., '兑付通知')]"
                        "//a[@class='print-link']/@href")
    assert "兑付资金36,000.00元已于" in text(web.get(link).text)
