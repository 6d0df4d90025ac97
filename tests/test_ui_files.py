"""Case files on the pages (without a browser): the start form's upload, the 附件与文书 panel,
uploading to the case, issuing a document and its print view."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from flask import Flask

from engine.api import Engine
from tests.files_support import HTML, pdf, png, require_pdf_tools
from tests.process_helpers import clue_files, handed_to_handler
from tests.test_hostile_input import page_client
from web.app import create_app

FORM = {"channel": "来信来访", "received_at": "2026-09-30T09:00", "anonymous": "true",
        "accused_unit": "某局", "problem_type": "其他", "summary": "拖延", "owner": "li"}


@pytest.fixture
def app(people: Engine) -> Flask:
    people.deploy(clue_files())
    flask_app = create_app(people, secret_key="files", testing=True)
    flask_app.config["WTF_CSRF_ENABLED"] = False
    return flask_app


def test_start_form_upload_panel_and_print_view(app: Flask, people: Engine) -> None:
    li = page_client(app, "li")
    form = li.get("/start/clue_triage").text
    assert 'enctype="multipart/form-data"' in form and 'name="evidence" type="file"' in form
    refused = li.post("/start/clue_triage", data={**FORM, "evidence": [
        (io.BytesIO(HTML), "page.html")]}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "类型不允许" in refused.text
    started = li.post("/start/clue_triage", data={**FORM, "evidence": [
        (io.BytesIO(png()), "照片.png"), (io.BytesIO(pdf()), "信.pdf")]},
        content_type="multipart/form-data")
    assert started.status_code == 302, started.text
    [case] = people.instance_ids()
    page = li.get(f"/instances/{case}").text
    assert "照片.png" in page and "信.pdf" in page and 'id="attach-form"' in page
    # the form's file field lists the files by name, never by their hashes
    assert re.search(r"<dt>证据材料</dt><dd>照片\.png、信\.pdf</dd>", page), page
    [task] = [t for t in people.instance(case).tasks]
    task_page = li.get(f"/tasks/{task.id}").text
    assert "<div>证据材料</div>" in task_page and "<div>evidence</div>" not in task_page

    uploaded = li.post(f"/instances/{case}/files", data={"files": [
        (io.BytesIO(pdf("more")), "补充.pdf")]}, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    # the 交办函 waits for the approved 转办: offered greyed out, saying what it waits for
    page = li.get(f"/instances/{case}").text
    assert re.search(r'<option value="jiaoban_han" disabled[^>]*>'
                     r'交办函（须处置意见经批准为转办后）', page), page
    assert "交办函须处置意见经批准为转办后才能出具。" in page
    refused = li.post(f"/instances/{case}/documents", data={"template": "jiaoban_han"},
                      follow_redirects=True)
    assert "“交办函”暂不能出具：须处置意见经批准为转办后" in refused.text
    assert not [f for f in people.dossier.files(case) if f.doc_no]  # no number taken
    # the 督办函 is the supervisors' letter: the intake clerk may not issue it, nor sees it
    assert li.post(f"/instances/{case}/documents",
                   data={"template": "duban_han"}).status_code == 403
    sun = page_client(app, "sun")
    assert 'value="duban_han"' in sun.get(f"/instances/{case}").text
    assert 'value="duban_han"' not in li.get(f"/instances/{case}").text
    # it urges the work of the unit it goes to: greyed out until that unit holds some
    assert re.search(r'<option value="duban_han" disabled', sun.get(f"/instances/{case}").text)
    early = sun.post(f"/instances/{case}/documents", data={"template": "duban_han"},
                     follow_redirects=True)
    assert "“督办函”暂不能出具：须承办单位手头有本案待办事项时" in early.text
    assert not [f for f in people.dossier.files(case) if f.doc_no]  # no number taken
    handed_to_handler(people, case)
    issued = sun.post(f"/instances/{case}/documents", data={"template": "duban_han"})
    assert issued.status_code == 302
    files = people.dossier.files(case)
    assert [f.name for f in files][:3] == ["照片.png", "信.pdf", "补充.pdf"]
    document = files[-1]
    assert document.doc_no == "景营商督〔2026〕1号"
    # another 督办函 takes another number: the page says which the case has, and asks again
    again = sun.get(f"/instances/{case}").text
    assert "本案已出具督办函 景营商督〔2026〕1号。" in again
    assert re.search(r'<option value="duban_han"[^>]* data-confirm="本案已出具督办函 '
                     r'景营商督〔2026〕1号，再出具将另占一个文号', again), again

    download = li.get(f"/instances/{case}/files/{files[0].sha256}")
    assert download.data == png() and download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    printed = li.get(f"/instances/{case}/documents/{document.sha256}/print").text
    assert "景营商督〔2026〕1号" in printed and "@page" not in printed  # the CSS is a file
    assert re.search(r'<article class="sheet" id="document">', printed)
    assert li.get(f"/instances/{case}/documents/{files[0].sha256}/print").status_code == 404

    auditor = page_client(app, "audit")  # reads, adds nothing
    assert 'id="attach-form"' not in auditor.get(f"/instances/{case}").text
    assert auditor.post(f"/instances/{case}/files", data={"files": [
        (io.BytesIO(pdf()), "x.pdf")]}, content_type="multipart/form-data").status_code == 403
    assert page_client(app, "qian").get(
        f"/instances/{case}/files/{files[0].sha256}").status_code in (403, 404)


@pytest.mark.parametrize("libreoffice", [True, False])
def test_a_document_prints_without_inline_style_and_downloads_as_pdf(
        app: Flask, people: Engine, libreoffice: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The print view obeys the page policy (no style attribute, no inline handler); where
    LibreOffice is installed it offers the PDF, which only readers of the case may fetch."""
    li = page_client(app, "li")
    assert li.post("/start/clue_triage", data=FORM).status_code == 302
    [case] = people.instance_ids()
    handed_to_handler(people, case)
    assert page_client(app, "sun").post(f"/instances/{case}/documents",
                                        data={"template": "duban_han"}).status_code == 302
    [document] = [f for f in people.dossier.files(case) if f.document == "duban_han"]
    printed = li.get(f"/instances/{case}/documents/{document.sha256}/print").text
    assert "style=" not in printed and "onclick" not in printed
    assert 'rel="icon"' in printed  # the print view names its icon as other pages do
    assert re.search(r'class="align-\w+ indent-\d+', printed)
    pdf_url = f"/instances/{case}/documents/{document.sha256}/pdf"
    if libreoffice:
        require_pdf_tools()
    if not libreoffice:
        monkeypatch.setattr(shutil, "which", lambda name: None)
        printed = li.get(f"/instances/{case}/documents/{document.sha256}/print").text
        assert pdf_url not in printed and "下载 Word" in printed
        refused = li.get(pdf_url)
        assert refused.status_code == 400 and "LibreOffice" in refused.text
        return
    assert pdf_url in printed
    got = li.get(pdf_url)
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.data.startswith(b"%PDF-")
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert page_client(app, "qian").get(pdf_url).status_code in (403, 404)


def test_the_page_says_when_a_file_is_not_what_its_name_says(app: Flask, people: Engine
                                                             ) -> None:
    li = page_client(app, "li")
    refused = li.post("/start/clue_triage", data={**FORM, "evidence": [
        (io.BytesIO(b"not a photo"), "照片.jpg")]}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "文件“照片.jpg”的内容不是有效的图片，与文件名不符" in refused.text
    assert "类型不允许" not in refused.text
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20
    refused = li.post("/start/clue_triage", data={**FORM, "evidence": [
        (io.BytesIO(gif), "核查报告.docx")]}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "文件“核查报告.docx”的内容是图片（GIF），与文件扩展名 .docx 所示的Office 文档不符" \
        in refused.text
    assert people.instance_ids() == []


def test_a_refused_form_asks_to_choose_its_files_again(app: Flask, people: Engine) -> None:
    """A browser never re-fills a file input: when another field is wrong, the page says
    the chosen files must be chosen again instead of dropping them silently."""
    li = page_client(app, "li")
    assert "files-again" not in li.get("/start/clue_triage").text
    refused = li.post("/start/clue_triage", data={**FORM, "summary": "", "evidence": [
        (io.BytesIO(png()), "照片.png")]}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "请重新选择要上传的文件" in refused.text
    assert people.instance_ids() == []
    # no file was chosen: nothing to choose again
    refused = li.post("/start/clue_triage", data={**FORM, "summary": ""},
                      content_type="multipart/form-data")
    assert refused.status_code == 422 and "files-again" not in refused.text


def test_favicon_ico_is_the_icon(app: Flask) -> None:
    """Browsers ask for /favicon.ico where a page names no icon: no 404 in their console."""
    got = app.test_client().get("/favicon.ico")
    assert got.status_code == 200 and got.mimetype == "image/svg+xml"
    assert b"<svg" in got.data[:300]
