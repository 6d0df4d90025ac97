"""办理单 (GET /instances/<id>/print): the case on A4 with its data and every step of its
办理经过, who did it, when and what they said; confidential fields as the reader may see
them (and the read logged), refused like the case page to those who may not read it."""

from __future__ import annotations

import re

from engine.api import Engine
from engine.queries.confidential import MASK
from tests.test_confidential import (  # noqa: F401  (fixtures)
    _app,
    _page,
    _reads,
    case,
    clues,
)


def cells(page: str, table: str) -> list[list[str]]:
    body = page[page.index(f'<table class="{table}">'):]
    body = body[:body.index("</table>")]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_sheet_lists_the_data_and_every_step(clues: Engine, case: int) -> None:  # noqa: F811
    clues.ops.comment(case, "zhao", "已收到，抓紧核查")
    app = _app(clues)
    page = _page(app, clues, "zhao").get(f"/instances/{case}/print")
    assert page.status_code == 200
    text = page.text
    view = clues.instance(case)
    assert f"<title>{view.business_key} 办理单" in text
    assert "问题线索受理处置办理单</h1>" in text
    head = {row[i]: row[i + 1] for row in cells(text, "head") for i in range(0, len(row), 2)}
    assert head["案件编号"] == view.business_key and head["状态"] == "办理中"
    fields = dict(cells(text, "fields"))
    assert fields["被反映单位"] == "某县行政审批局"
    assert fields["举报人"] == MASK  # the handler unit never sees the reporter
    steps = cells(text, "steps")
    assert steps[0] == ["序号", "时间", "环节", "办理人", "意见及办理内容"]
    numbers = [row[0] for row in steps[1:]]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    said = [row for row in steps[1:] if "已收到，抓紧核查" in row[4]]
    assert said and said[0][2].startswith("意见") and said[0][3].startswith("zhao")
    assert [row[3] for row in steps[1:] if "审批处置意见" in row[2]] == ["wang"]
    # what it was filed with is under 案件信息, not again under 发起
    assert steps[1][2].startswith("发起") and "被反映单位" not in steps[1][4]
    assert f'<span class="nowrap">{view.business_key}</span>' in text
    assert re.search(r"打印人：zhao　打印时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert "张举报" not in text
    # the intake office sees the reporter, and that read is logged like the page's
    intake = _page(app, clues, "li").get(f"/instances/{case}/print").text
    assert dict(cells(intake, "fields"))["举报人"] == "张举报"
    assert ("li", "case+history") in _reads(clues, case)
    case_page = _page(app, clues, "zhao").get(f"/instances/{case}").text
    assert f'href="/instances/{case}/print"' in case_page


def test_the_sheet_is_refused_to_those_who_may_not_read_the_case(clues: Engine,  # noqa: F811
                                                                 case: int) -> None:  # noqa: F811
    app = _app(clues)
    assert _page(app, clues, "qian").get(f"/instances/{case}/print").status_code == 404
