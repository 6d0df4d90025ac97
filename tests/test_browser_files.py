"""Real-browser test of case files and documents on the shipped clue procedure: a clue is
registered with a photo and a PDF through the web form (multipart, CSRF on), approved and
transferred; the handler downloads the files and the 交办函 the transfer issued, whose print
view prints on A4; a file changed in the database is caught by `kuaiban verify`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from engine.api import Engine
from engine.storage.schema import BlobChunk
from tests.browser_support import Server, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.files_support import pdf, png
from tests.process_helpers import clue_files
from tests.test_ui_support import PASSWORD, frozen

FULIANG = "浮梁县纪委监委"
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = Engine(f"sqlite:///{tmp_path / 'files.db'}", clock=clock)
    engine.deploy(clue_files())
    for name, role, unit in (("li", "intake", None), ("wang", "approver", None),
                             ("zhao", "handler", FULIANG)):
        engine.add_user(name, [role], unit=unit, password=PASSWORD, display_name=name)
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def submit(page: Any) -> None:
    page.click("form.schema-form button:text-is('提交')")


def open_task(page: Any, title: str) -> None:
    page.click(f"#inbox a:text-is('{title}')")
    page.wait_for_selector("form.schema-form")


@pytest.mark.tampers  # the last step edits a stored file on purpose
def test_clue_with_photo_and_pdf_transferred_downloaded_printed_and_verified(
        page: Any, server: Server, tmp_path: Path) -> None:
    photo, material = tmp_path / "现场照片.png", tmp_path / "举报材料.pdf"
    photo.write_bytes(png(seed=7))
    material.write_bytes(pdf("report"))

    sign_in(page, server, "li")
    page.goto(server.url + "/start/clue_triage")
    assert page.get_attribute("form.schema-form", "enctype") == "multipart/form-data"
    page.select_option("#f-channel", "举报直通车")
    page.fill("#f-received_at", "2026-09-30T09:12")
    page.check("input[name=anonymous][value=true]")
    page.fill("#f-accused_unit", "某县行政审批局")
    page.select_option("#f-problem_type", "推诿拖延刁难")
    page.fill("#f-summary", "企业办理施工许可被要求补充清单外材料")
    page.fill("#f-owner", "li")
    page.set_input_files("#f-evidence", [str(photo), str(material)])
    submit(page)
    page.wait_for_url("**/tasks/**")  # straight to the intake's proposal
    case_no = re.search(r"ZF-2026-\d{6}", page.inner_text("main"))
    assert case_no is not None
    assert "现场照片.png" in page.inner_text("#files")
    page.select_option("#f-disposal", "转办")
    page.fill("#f-handler_unit", FULIANG)
    page.fill("#f-proposal_reason", "反映问题具体，可查性强")
    submit(page)
    page.wait_for_url(server.url + "/")

    sign_in(page, server, "wang")
    open_task(page, "审批处置意见")
    page.select_option("#f-approved", "true")
    submit(page)
    page.wait_for_url(server.url + "/")
    sign_in(page, server, "li")
    open_task(page, "转办到位")
    page.fill("#f-transfer_note", "请于十个工作日内反馈")
    submit(page)
    page.wait_for_url(server.url + "/")

    # the handler opens the case: both files and the 交办函
    sign_in(page, server, "zhao")
    open_task(page, "优先核查")
    page.click(f"a:text-is('{case_no.group(0)}')")
    page.wait_for_selector("#files")
    panel = page.inner_text("#files")
    assert "现场照片.png" in panel and "举报材料.pdf" in panel and "景纪交〔2026〕1号" in panel
    for path in (photo, material):
        with page.expect_download() as caught:
            page.click(f"#files a.file-link:text-is('{path.name}')")
        download = caught.value
        assert download.suggested_filename == path.name
        assert Path(download.path()).read_bytes() == path.read_bytes()

    # the 交办函's print view prints on A4
    row = page.locator("#files tr", has_text="景纪交〔2026〕1号")
    page.goto(server.url + row.locator("a.print-link").get_attribute("href"))
    sheet = page.inner_text("#document")
    assert case_no.group(0) in sheet and FULIANG in sheet and "景纪交〔2026〕1号" in sheet
    assert "二〇二六年九月三十日" in sheet
    # the red letterhead, on the sheet's A4 width: each organ of the joint issuer on one line
    heights = page.eval_on_selector_all("#document p:has(span.red)", """ps => ps.map(p => [
        p.innerText, p.getBoundingClientRect().height,
        parseFloat(getComputedStyle(p.querySelector('span.red')).lineHeight)])""")
    assert [text for text, _, _ in heights] == ["中共景德镇市纪律检查委员会", "景德镇市监察委员会"]
    assert all(height < 1.5 * line for _, height, line in heights), heights
    page.emulate_media(media="print")
    assert not page.locator("nav.toolbar").is_visible()
    printed = page.pdf(format="A4", prefer_css_page_size=True)
    assert printed.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", printed)
    assert boxes and all(abs(float(w) - A4_POINTS[0]) < 2 and abs(float(h) - A4_POINTS[1]) < 2
                         for w, h in boxes)

    # a stored file changed behind the engine's back is caught by verify
    engine = server.engine
    assert engine.verify() == (2, [])
    [case] = [i for i in engine.instance_ids()
              if engine.instance(i).process_key == "clue_triage"]
    stored = next(f for f in engine.dossier.files(case) if f.name == "举报材料.pdf")
    with engine.transaction() as session:
        session.execute(update(BlobChunk).where(BlobChunk.sha256 == stored.sha256)
                        .values(data=pdf("forged")))
    checked, problems = engine.verify()
    assert checked == 2
    assert [(p.instance_id, p.seq) for p in problems] == [(case, 1)]
    assert "举报材料.pdf" in problems[0].message and "was changed" in problems[0].message
