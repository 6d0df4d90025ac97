"""Case files in the engine: what a file may be (content sniffing, names), file fields of
forms and their limits, files attached to a case and who may add or read them, the audit
chain over files (verify, replay, bundles), and documents' 文号."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, update

from engine.api import Engine
from engine.audit.bundle import replay_bundle
from engine.definitions.forms import check_form
from engine.definitions.validation import SourceFile
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.files import chinese, names
from engine.files.attachments import Limits, Upload
from engine.files.sniff import sniff
from engine.storage.schema import BlobChunk
from engine.time.clock import FixedClock
from tests.files_support import EXE, HTML, SVG, pdf, png, xlsx, zip_of
from tests.process_helpers import clue_files, docx_text

CLUE = {"channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "拖延办理施工许可", "owner": "li"}
FULIANG = "浮梁县纪委监委"


@pytest.fixture
def clues(people: Engine) -> Engine:
    people.deploy(clue_files())
    return people


def evidence(*files: tuple[str, bytes]) -> list[Upload]:
    return [Upload("evidence", name, content) for name, content in files]


def work(engine: Engine, instance_id: int, name: str, data: dict[str, Any], user: str,
         uploads: list[Upload] | None = None) -> None:
    [task] = [t for t in engine.instance(instance_id).tasks if t.name == name]
    engine.complete(task.id, data, user, uploads=uploads or [])


def transferred(engine: Engine) -> int:
    case = engine.start("clue_triage", CLUE, "li", uploads=evidence(("照片.png", png()))).id
    work(engine, case, "propose", {"disposal": "转办", "proposal_reason": "可查",
                                   "handler_unit": FULIANG}, "li")
    work(engine, case, "approve", {"approved": True}, "wang")
    work(engine, case, "transfer", {}, "li")
    return case


# -- what a file may be --------------------------------------------------------------------

@pytest.mark.parametrize(("content", "name", "kind", "media_type"), [
    (pdf(), "a.pdf", "pdf", "application/pdf"),
    (png(), "a.png", "image", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20, "a.jpg", "image", "image/jpeg"),
    (b"GIF89a" + b"\0" * 10, "a.gif", "image", "image/gif"),
    (b"RIFF\x10\0\0\0WEBPVP8 ", "a.webp", "image", "image/webp"),
    (xlsx(), "表.xlsx", "office",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (xlsx(), "renamed.zip", "office",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "旧.doc", "office", "application/msword"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "wps.et", "office",
     "application/vnd.ms-excel"),
    (zip_of({"a.txt": b"x"}), "a.zip", "zip", "application/zip"),
])
def test_allowed_files_are_known_by_their_content(content: bytes, name: str, kind: str,
                                                  media_type: str) -> None:
    found = sniff(content, name)
    assert found is not None and (found.kind, found.media_type) == (kind, media_type)


@pytest.mark.parametrize(("content", "name"), [
    (HTML, "page.pdf"), (SVG, "photo.png"), (EXE, "setup.pdf"), (b"plain text", "a.txt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "installer.msi"),
    (b"PK\x03\x04 broken", "a.zip"), (b"", "empty.pdf"),
])
def test_everything_else_is_refused(content: bytes, name: str) -> None:
    assert sniff(content, name) is None


def test_names_lose_folders_and_controls_keep_chinese_and_fit_the_content() -> None:
    found = sniff(pdf())
    assert names.clean("../../etc/举报材料.pdf", found) == "举报材料.pdf"
    assert names.clean("C:\\Users\\王\\材料.PDF", found) == "材料.PDF"
    assert names.clean("evil.html", found) == "evil.html.pdf"  # never opens as a page
    assert names.clean("a\x00b\u202ec.pdf", found) == "abc.pdf"
    assert names.clean('a<b>:"|?*.pdf', found) == "a_b______.pdf"
    assert names.clean("...", found) == "附件.pdf"
    long = names.clean("长" * 300 + ".pdf", found)
    assert len(long) == names.MAX_NAME and long.endswith(".pdf")


def test_chinese_dates_and_amounts() -> None:
    assert chinese.chinese_date("2026-10-08") == "二〇二六年十月八日"
    assert chinese.chinese_date("2026-12-31T20:00:00+00:00") == "二〇二七年一月一日"  # Beijing
    assert chinese.chinese_date(datetime(2030, 11, 21)) == "二〇三〇年十一月二十一日"
    assert chinese.digits_date("2026-10-08T09:00:00+08:00") == "2026年10月8日"
    # a time (受理时间) in Beijing time; a date alone stays a date, other text as it is
    assert chinese.digits_date_time("2026-09-30T08:05:00+00:00") == "2026年9月30日16时05分"
    assert chinese.digits_date_time(datetime(2026, 10, 8, 9, 0)) == "2026年10月8日9时00分"
    assert chinese.digits_date_time("2026-10-08") == "2026年10月8日"
    assert chinese.digits_date_time("尽快") == "尽快" and chinese.digits_date_time(None) == ""
    assert chinese.yuan(36000) == "36,000.00" and chinese.yuan("x") == "x"


def test_file_fields_are_checked_at_deploy() -> None:
    def form(field: dict[str, Any]) -> str:
        import json

        return json.dumps({"type": "object", "properties": {"f": field}})

    items = {"type": "array", "items": {"type": "string"}}
    assert check_form(form({**items, "x-file": {"accept": ["pdf"], "max_files": 3}})) == []
    problems = check_form(form({"type": "string", "x-file": {"accept": ["exe"],
                                                             "max_files": 0, "colour": 1}}))
    text = "\n".join(map(str, problems))
    assert '"type": "array"' in text and "unknown x-file keys" in text
    assert '"accept" must list' in text and '"max_files" must be 1 to 50' in text


def test_a_diagram_naming_an_unknown_document_is_refused(engine: Engine) -> None:
    files = clue_files()
    files[0] = SourceFile(files[0].name, files[0].content.replace(
        'value="jiaoban_han"', 'value="no_such_letter"'))
    problems = engine.validate(files).problems
    assert any("no_such_letter" in p.message and p.element == "transfer" for p in problems)


# -- file fields ---------------------------------------------------------------------------

def test_a_clue_registered_with_files_names_them_in_its_first_event(clues: Engine) -> None:
    view = clues.start("clue_triage", CLUE, "li", uploads=evidence(
        ("../现场照片.png", png()), ("举报材料.pdf", pdf())))
    files = clues.dossier.files(view.id, "li")
    assert [(f.name, f.field, f.seq, f.uploaded_by) for f in files] == [
        ("现场照片.png", "evidence", 1, "li"), ("举报材料.pdf", "evidence", 1, "li")]
    assert view.data["evidence"] == [f.sha256 for f in files]
    [started] = clues.history(view.id)
    assert started.payload["files"] == [
        {"sha256": f.sha256, "name": f.name, "size": f.size, "media_type": f.media_type,
         "field": "evidence"} for f in files]
    assert clues.dossier.content(files[1]) == pdf()


def test_refused_uploads_name_their_field_and_keep_nothing(clues: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li", uploads=evidence(("x.html", HTML)))
    assert "类型不允许" in err.value.field_errors["evidence"]
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li", uploads=[Upload("summary", "a.pdf", pdf())])
    assert err.value.field_errors == {"summary": "此字段不接受文件"}
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li",
                    uploads=evidence(*((f"{n}.png", png(seed=n)) for n in range(11))))
    assert err.value.field_errors == {"evidence": "最多上传 10 个文件"}
    with pytest.raises(InvalidData) as err:  # a hash is no way into another case's file
        clues.start("clue_triage", {**CLUE, "evidence": ["0" * 64]}, "li")
    assert err.value.field_errors == {"evidence": "引用了不属于本案件的文件"}
    clues.runtime.file_limits = Limits(file_bytes=100, case_bytes=1000)
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li", uploads=evidence(("big.pdf", pdf())))
    assert "超过大小限制" in err.value.field_errors["evidence"]
    assert clues.instance_ids() == []


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20


def test_a_content_not_as_its_name_says_is_refused_saying_so(clues: Engine) -> None:
    """A .jpg that is no image is not "a type not allowed" (images are allowed): the page says
    its content does not match its name. A GIF named 核查报告.docx is refused, not stored as
    核查报告.docx.gif: the wrong file was most likely chosen."""
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li", uploads=evidence(("照片.jpg", b"not a photo")))
    said = err.value.field_said["evidence"]
    assert said.render("zh") == ("文件“照片.jpg”的内容不是有效的图片，与文件名不符"
                                 "（文件可能已损坏，或由其他类型改名而来）")
    assert said.render("en").startswith('the content of "照片.jpg" is not a valid image')
    with pytest.raises(InvalidData) as err:
        clues.start("clue_triage", CLUE, "li", uploads=evidence(("核查报告.docx", GIF)))
    said = err.value.field_said["evidence"]
    assert said.render("zh").startswith(
        "文件“核查报告.docx”的内容是图片（GIF），与文件扩展名 .docx 所示的Office 文档不符")
    assert "is image (GIF), not Office document" in said.render("en")
    assert clues.instance_ids() == []
    # a name that claims no kind of the allow-list still gets the content's extension
    case = clues.start("clue_triage", CLUE, "li", uploads=evidence(("扫描件", GIF))).id
    assert [f.name for f in clues.dossier.files(case)] == ["扫描件.gif"]


def test_a_case_has_a_size_limit_of_its_own(clues: Engine) -> None:
    case = clues.start("clue_triage", CLUE, "li", uploads=evidence(("a.png", png()))).id
    size = len(png())
    clues.runtime.file_limits = Limits(file_bytes=10_000, case_bytes=size + len(png(seed=1)))
    clues.dossier.attach(case, [Upload(None, "b.png", png(seed=1))], "li")
    clues.dossier.attach(case, [Upload(None, "again.png", png())], "li")  # stored already
    with pytest.raises(InvalidData) as err:
        clues.dossier.attach(case, [Upload(None, "c.png", png(seed=2))], "li")
    assert "总大小将超过限制" in err.value.field_errors["_files"]


# -- files of the case ---------------------------------------------------------------------

def test_who_may_attach_and_read(clues: Engine) -> None:
    case = transferred(clues)
    attached = clues.dossier.attach(case, [Upload(None, "补充.pdf", pdf("more"))], "zhao")
    assert [(a.name, a.field, a.uploaded_by) for a in attached] == [("补充.pdf", None, "zhao")]
    clues.dossier.attach(case, [Upload(None, "督办.pdf", pdf("cm"))], "sun")  # case manager
    for outsider in ("qian", "audit"):  # another unit's handler; the auditor only reads
        with pytest.raises(PermissionDenied):
            clues.dossier.attach(case, [Upload(None, "x.pdf", pdf())], outsider)
    sha = attached[0].sha256
    assert clues.dossier.find(sha, "audit").instance_id == case
    with pytest.raises(NotFound):
        clues.dossier.find(sha, "qian")  # reads no case that has it
    with pytest.raises(NotFound):
        clues.dossier.find("../" + sha, "zhao")
    events = [e.type for e in clues.history(case)]
    assert events[-2:] == ["attached", "attached"] and "document" in events
    assert clues.replay(case).ok


@pytest.mark.tampers
def test_verify_names_a_missing_or_changed_file(clues: Engine) -> None:
    case = transferred(clues)
    [photo] = [f for f in clues.dossier.files(case) if f.field == "evidence"]
    assert clues.verify() == (2, [])
    with clues.transaction() as session:
        session.execute(update(BlobChunk).where(BlobChunk.sha256 == photo.sha256)
                        .values(data=png(seed=9)))
    [problem] = clues.verify()[1]
    assert (problem.instance_id, problem.seq) == (case, 1)
    assert "照片.png" in problem.message and "was changed" in problem.message
    with clues.transaction() as session:
        session.execute(delete(BlobChunk).where(BlobChunk.sha256 == photo.sha256))
    assert "was changed" in clues.verify()[1][0].message
    assert clues.replay(case).ok  # replay needs no file content


def test_bundles_carry_the_files_and_replay(clues: Engine) -> None:
    case = transferred(clues)
    bundle = clues.export_bundle(case)
    assert set(bundle["files"]) == {f.sha256 for f in clues.dossier.files(case)}
    assert replay_bundle(bundle).ok
    photo = next(f.sha256 for f in clues.dossier.files(case) if f.field)
    from engine.audit.bundle import seal

    stripped = seal({**bundle, "files": {k: v for k, v in bundle["files"].items()
                                         if k != photo}})
    result = replay_bundle(stripped)
    assert not result.ok and result.diverged_at == 1 and "lacks the file" in result.message


# -- documents -----------------------------------------------------------------------------

def test_document_numbers_run_per_kind_and_year(clues: Engine, clock: FixedClock) -> None:
    case = transferred(clues)  # the transfer issued 景纪交〔2026〕1号
    first = clues.dossier.issue(case, "duban_han", "sun")
    second = clues.dossier.issue(case, "duban_han", "sun")
    letter = clues.dossier.issue(case, "jiaoban_han", "li")
    assert (first.doc_no, second.doc_no, letter.doc_no) == (
        "景营商督〔2026〕1号", "景营商督〔2026〕2号", "景纪交〔2026〕2号")
    clock.set(datetime.fromisoformat("2027-01-04T09:00:00+08:00"))
    assert clues.dossier.issue(case, "duban_han", "sun").doc_no == "景营商督〔2027〕1号"
    text = docx_text(clues.dossier.content(first))
    assert "景营商督〔2026〕1号" in text and FULIANG in text and "二〇二六年九月三十日" in text
    [event] = [e for e in clues.history(case) if e.payload.get("document", {}).get(
        "doc_no") == "景营商督〔2026〕1号"]
    assert event.type == "document" and event.user == "sun"
    assert event.payload["files"][0]["sha256"] == first.sha256
    with pytest.raises(NotFound):
        clues.dossier.issue(case, "duifu_tongzhi", "sun")  # not a subsidy case
    with pytest.raises(PermissionDenied):
        clues.dossier.issue(case, "duban_han", "audit")
    assert clues.replay(case).ok


def test_closed_cases_take_no_more_files(clues: Engine) -> None:
    case = clues.start("clue_triage", CLUE, "li").id
    work(clues, case, "propose", {"disposal": "予以了结", "proposal_reason": "不属于受理范围"},
         "li")
    work(clues, case, "approve", {"approved": True}, "wang")
    work(clues, case, "close", {"close_summary": "予以了结"}, "sun")
    assert clues.instance(case).status == "completed"
    with pytest.raises(Conflict):
        clues.dossier.attach(case, [Upload(None, "x.pdf", pdf())], "li")


def test_a_letter_issued_by_hand_before_the_transfer_is_the_transfers_letter(
        clues: Engine) -> None:
    case = clues.start("clue_triage", CLUE, "li").id
    work(clues, case, "propose", {"disposal": "转办", "proposal_reason": "可查",
                                  "handler_unit": FULIANG}, "li")
    work(clues, case, "approve", {"approved": True}, "wang")
    by_hand = clues.dossier.issue(case, "jiaoban_han", "li")
    work(clues, case, "transfer", {}, "li")
    letters = [f for f in clues.dossier.files(case) if f.document == "jiaoban_han"]
    assert [f.doc_no for f in letters] == [by_hand.doc_no] == ["景纪交〔2026〕1号"]
    assert [e.type for e in clues.history(case)][-2:] == ["document", "completed"]
    assert [t.ready for t in clues.dossier.templates(case, "li")
            if t.key == "jiaoban_han"] == [True]
    assert [t.issued for t in clues.dossier.templates(case, "li")
            if t.key == "jiaoban_han"] == [("景纪交〔2026〕1号",)]
    assert clues.replay(case).ok and clues.verify()[1] == []
