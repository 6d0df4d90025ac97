"""kuaiban attach, attachments and document (the fixed contracts of design.md §3)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.files import pdf as pdf_tool
from tests.files_support import HTML, pdf, png, require_pdf_tools
from tests.process_helpers import ROOT, docx_text
from tests.test_cli import Run, as_json, only_task
from tests.test_cli import cli as cli  # the fixture


@pytest.fixture
def case(cli: Run, tmp_path: Path) -> str:
    """A clue registered by intake li (instance 1)."""
    files = [str(ROOT / "processes" / n) for n in ("clue_triage.bpmn", "city_escalation.bpmn")]
    files += [str(p) for p in sorted((ROOT / "forms").glob("clue_*.json"))]
    files += [str(p) for p in sorted((ROOT / "forms").glob("escalation_*.json"))]
    cli("deploy", *files)
    cli("users", "add", "li", "--role", "intake", "--no-password")
    cli("users", "add", "audit", "--role", "auditor", "--no-password")
    cli("users", "add", "sun", "--role", "case_manager", "--no-password")
    data = {"channel": "来信来访", "received_at": "2026-09-30T09:00:00+08:00",
            "accused_unit": "某局", "problem_type": "其他", "summary": "拖延", "owner": "li"}
    return str(cli("start", "clue_triage", "--data", json.dumps(data), "--as", "li").stdout
               ).strip()


@pytest.fixture
def handed(cli: Run, case: str) -> str:
    """The clue approved and transferred (``hand_over``)."""
    hand_over(cli, case)
    return case


def hand_over(cli: Run, case: str) -> None:
    """The clue approved and transferred: its handler unit holds 优先核查, work a 督办函
    urges (the transfer issued the 交办函)."""
    cli("users", "add", "wang", "--role", "approver", "--no-password")
    cli("users", "add", "zhao", "--role", "handler", "--unit", "浮梁县纪委监委", "--no-password")
    for user, data in (("li", {"disposal": "转办", "proposal_reason": "可查",
                               "handler_unit": "浮梁县纪委监委"}),
                       ("wang", {"approved": True}), ("li", {"transfer_note": "请核查"})):
        task = only_task(cli, user)["id"]
        cli("complete", task, "--data", json.dumps(data), "--as", user)


def letters(cli: Run, case: str) -> list[str]:
    """The names of the case's 督办函 files."""
    return [a["name"] for a in as_json(cli("attachments", case, "--json"))
            if a["name"].startswith("督办函")]


def test_attach_list_and_issue(cli: Run, case: str, tmp_path: Path) -> None:
    photo, letter = tmp_path / "现场.png", tmp_path / "举报信.pdf"
    photo.write_bytes(png())
    letter.write_bytes(pdf())
    out = cli("attach", case, str(photo), str(letter), "--as", "li").stdout
    assert "现场.png" in out and "举报信.pdf" in out
    listed = as_json(cli("attachments", case, "--json"))
    assert [(a["name"], a["field"], a["uploaded_by"]) for a in listed] == [
        ("现场.png", None, "li"), ("举报信.pdf", None, "li")]
    assert "举报信.pdf" in cli("attachments", case).stdout

    out_file = tmp_path / "督办函.docx"
    refused = cli("document", case, "duban_han", "--out", str(out_file), "--as", "li", code=1)
    assert 'may not issue "督办函"' in refused.output  # the supervisors' letter
    early = cli("document", case, "duban_han", "--out", str(out_file), "--as", "sun", code=1)
    assert "承办单位手头有本案待办事项" in early.output  # no work of its addressee to urge yet
    hand_over(cli, case)
    printed = cli("document", case, "duban_han", "--out", str(out_file), "--as", "sun").stdout
    assert printed.startswith("景营商督〔2026〕1号")
    assert "景营商督〔2026〕1号" in docx_text(out_file.read_bytes())

    page = tmp_path / "page.html"
    page.write_bytes(HTML)
    refused = cli("attach", case, str(page), "--as", "li", code=1)
    assert "类型不允许" in refused.output
    denied = cli("document", case, "duban_han", "--out", str(out_file), "--as", "audit", code=1)
    assert 'may not issue "督办函"' in denied.output  # auditors read, never issue


def test_pdf_without_libreoffice_says_what_to_install(cli: Run, handed: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    case = handed
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert not pdf_tool.available()
    out = cli("document", case, "duban_han", "--out", str(tmp_path / "x.pdf"), "--as", "sun",
              code=1).output
    assert "libreoffice" in out.lower() and not (tmp_path / "x.pdf").exists()
    assert letters(cli, case) == []  # nothing was issued


def test_the_letter_as_pdf_carries_its_number_in_chinese(cli: Run, handed: str,
                                                          tmp_path: Path) -> None:
    """With LibreOffice installed (CI installs it: KUAIBAN_REQUIRE_PDF=1), the 督办函 converts
    to a PDF whose text, read back by pdftotext, holds the 文号 and the letter's Chinese."""
    require_pdf_tools()
    case = handed
    out = tmp_path / "督办函.pdf"
    printed = cli("document", case, "duban_han", "--out", str(out), "--as", "sun").stdout
    assert printed.startswith("景营商督〔2026〕1号")
    assert out.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], check=True,
                          capture_output=True, text=True).stdout
    squeezed = "".join(text.split())
    assert "景营商督〔2026〕1号" in squeezed and "督办" in squeezed
    # The .docx it was made from is what the case keeps: one document, numbered once.
    assert letters(cli, case) == ["督办函-ZF-2026-000001-景营商督〔2026〕1号.docx"]
